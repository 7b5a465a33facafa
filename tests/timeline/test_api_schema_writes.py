"""Tests that the OpenAPI schema documents the write API: bodies, errors, If-Match, tokens."""

import pytest

COLLECTIONS = {
    "events": "/api/v1/events/{slug}/",
    "citations": "/api/v1/citations/{id}/",
    "sources": "/api/v1/sources/{id}/",
    "timelines": "/api/v1/timelines/{slug}/",
    "actors": "/api/v1/actors/{slug}/",
    "places": "/api/v1/places/{slug}/",
    "tags": "/api/v1/tags/{slug}/",
}
WRITES = [(f"/api/v1/{collection}/", "post") for collection in COLLECTIONS] + [
    (detail, method) for detail in COLLECTIONS.values() for method in ("put", "patch", "delete")
]


@pytest.fixture
def schema(openapi_schema) -> dict:
    return openapi_schema


def component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def json_schema_of(schema: dict, content: dict, media_type: str = "application/json") -> dict:
    return component(schema, content[media_type]["schema"]["$ref"])


def test_each_write_documents_its_auth_and_validation_errors(schema):
    for path, method in WRITES:
        responses = schema["paths"][path][method]["responses"]
        assert {"400", "401", "403"} <= set(responses), (path, method)
        for status in ("400", "401", "403"):
            assert responses[status]["description"], (path, method, status)
            error = json_schema_of(schema, responses[status]["content"])
            assert {"detail", "code"} <= set(error["required"]), (path, method, status)


def test_each_conditional_write_documents_if_match_and_its_errors(schema):
    for path, method in WRITES:
        if method == "post":
            continue
        operation = schema["paths"][path][method]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert {"404", "412", "428"} <= set(operation["responses"]), (path, method)
        assert headers["If-Match"]["required"] is True, (path, method)
        assert headers["If-Match"]["schema"] == {"type": "string"}, (path, method)
        precondition_failed = json_schema_of(schema, operation["responses"]["412"]["content"])
        assert "current_version" in precondition_failed["properties"], (path, method)
        assert "current_version" in precondition_failed["required"], (path, method)


def test_creates_document_their_body_and_201(schema):
    for collection in COLLECTIONS:
        operation = schema["paths"][f"/api/v1/{collection}/"]["post"]
        assert operation["requestBody"]["required"] is True, collection
        assert "application/json" in operation["requestBody"]["content"], collection
        assert "201" in operation["responses"], collection
        assert "If-Match" not in {p["name"] for p in operation.get("parameters", [])}, collection


def test_changes_document_their_body_and_deletes_their_204(schema):
    for detail in COLLECTIONS.values():
        operations = schema["paths"][detail]
        for method in ("put", "patch"):
            assert "application/json" in operations[method]["requestBody"]["content"], detail
            assert "200" in operations[method]["responses"], (detail, method)
        assert "requestBody" not in operations["delete"], detail
        assert "204" in operations["delete"]["responses"], detail


def test_the_event_write_body_lists_the_writable_fields(schema):
    body = json_schema_of(
        schema, schema["paths"]["/api/v1/events/"]["post"]["requestBody"]["content"]
    )

    assert set(body["properties"]) == {
        "slug",
        "title",
        "summary",
        "date",
        "date_note",
        "display_date",
        "status",
        "super_event",
        "day_order",
        "place",
        "actors",
        "tags",
        "citations",
    }
    assert set(body["required"]) == {"slug", "title", "date"}
    citation = component(schema, body["properties"]["citations"]["items"]["$ref"])
    assert set(citation["properties"]) == {"id", "source", "quote", "locator", "note"}
    assert set(citation["required"]) == {"source", "quote"}


def test_a_patch_body_requires_nothing(schema):
    content = schema["paths"]["/api/v1/events/{slug}/"]["patch"]["requestBody"]["content"]

    assert "required" not in json_schema_of(schema, content)


def test_source_writes_take_json_or_an_upload(schema):
    for path, method in (("/api/v1/sources/", "post"), ("/api/v1/sources/{id}/", "patch")):
        content = schema["paths"][path][method]["requestBody"]["content"]
        assert {"application/json", "multipart/form-data"} <= set(content)
        upload = json_schema_of(schema, content, "multipart/form-data")
        assert upload["properties"]["file"]["format"] == "binary"
        assert {"text", "html", "file"} <= set(upload["properties"])


def test_publishing_is_documented(schema):
    for collection in ("events", "timelines"):
        for action in ("publish", "unpublish"):
            operation = schema["paths"][f"/api/v1/{collection}/{{slug}}/{action}/"]["post"]
            assert {"200", "401", "403", "404", "412"} <= set(operation["responses"]), (
                collection,
                action,
            )
            assert "requestBody" not in operation, (collection, action)


def test_history_and_deleted_events_are_documented(schema):
    history = schema["paths"]["/api/v1/events/{slug}/history/"]["get"]["responses"]
    deleted = schema["paths"]["/api/v1/deleted-events/"]["get"]["responses"]
    restore = schema["paths"]["/api/v1/deleted-events/{id}/restore/"]["post"]["responses"]

    assert {"200", "401", "403", "404"} <= set(history)
    revision = component(
        schema,
        json_schema_of(schema, history["200"]["content"])["properties"]["results"]["items"]["$ref"],
    )
    assert set(revision["properties"]) == {
        "object",
        "id",
        "history_id",
        "type",
        "at",
        "user",
        "reason",
        "version",
        "changes",
    }
    assert {"200", "401", "403"} <= set(deleted)
    assert {"201", "401", "403", "404", "409"} <= set(restore)


def test_the_token_endpoints_are_documented(schema):
    tokens = schema["paths"]["/api/v1/auth/tokens/"]
    token = schema["paths"]["/api/v1/auth/tokens/{token_key}/"]

    assert {"get", "post"} <= set(tokens)
    credentials = json_schema_of(schema, tokens["post"]["requestBody"]["content"])
    assert set(credentials["properties"]) == {"username", "password"}
    assert {"201", "400", "401", "403"} <= set(tokens["post"]["responses"])
    created = json_schema_of(schema, tokens["post"]["responses"]["201"]["content"])
    assert set(created["properties"]) == {
        "token",
        "token_key",
        "created",
        "expiry",
        "current",
        "last_used",
    }
    assert {"200", "401"} <= set(tokens["get"]["responses"])
    assert {"204", "401", "404"} <= set(token["delete"]["responses"])
    # Anyone may ask for a token with a password: no authentication required.
    assert {} in tokens["post"]["security"]


def test_the_knox_token_security_scheme_is_present(schema):
    schemes = schema["components"]["securitySchemes"]

    assert schemes["knoxApiToken"]["type"] == "apiKey"
    assert schemes["knoxApiToken"]["in"] == "header"
    assert schemes["knoxApiToken"]["name"] == "Authorization"
    assert '"Token"' in schemes["knoxApiToken"]["description"]
    for path, method in WRITES:
        assert {"knoxApiToken": []} in schema["paths"][path][method]["security"], (path, method)

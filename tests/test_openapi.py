"""Tests for the OpenAPI schema (/api/schema/) and the self-hosted docs (/api/docs/)."""

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

API_PATHS = [
    "/api/v1/timelines/",
    "/api/v1/timelines/{slug}/",
    "/api/v1/events/",
    "/api/v1/events/{slug}/",
    "/api/v1/sources/",
    "/api/v1/sources/{id}/",
    "/api/v1/claims/",
    "/api/v1/claims/{id}/",
    "/api/v1/properties/",
    "/api/v1/properties/{slug}/",
]
EVENT_LIST_PARAMETERS = {
    "include_drafts",
    "from",
    "to",
    "timeline",
    "tag",
    "actor",
    "place",
    "source",
    "status",
    "q",
    "disputed",
    "ordering",
    "page",
    "page_size",
    "cursor",
}


@pytest.fixture
def schema(openapi_schema) -> dict:
    return openapi_schema


def test_schema_is_served_as_openapi_3_json(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Timeline service API"
    # Raises if the document is not valid OpenAPI 3.
    validate_schema(schema)


def test_schema_format_json_matches_the_yaml_default(client, schema):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert yaml.safe_load(response.content) == schema


def test_schema_documents_the_read_api_paths(schema):
    assert set(API_PATHS) <= set(schema["paths"])
    for path in API_PATHS:
        assert "get" in schema["paths"][path], path


def test_event_list_documents_its_query_parameters(schema):
    operation = schema["paths"]["/api/v1/events/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}

    assert set(parameters) == EVENT_LIST_PARAMETERS
    # Besides the query, only the conditional GET's header.
    assert [p["name"] for p in operation["parameters"] if p["in"] != "query"] == ["If-None-Match"]
    assert all(p["in"] == "query" for p in parameters.values())
    assert parameters["include_drafts"]["schema"]["type"] == "boolean"
    assert parameters["status"]["schema"]["items"]["enum"] == [
        "cancelled",
        "occurred",
        "postponed",
        "rescheduled",
        "scheduled",
    ]
    assert set(parameters["ordering"]["schema"]["items"]["enum"]) == {
        "start",
        "-start",
        "end",
        "-end",
        "title",
        "-title",
        "updated",
        "-updated",
    }
    for repeatable in ("timeline", "tag", "actor", "place", "source", "status"):
        assert parameters[repeatable]["schema"]["type"] == "array", repeatable
        assert parameters[repeatable]["explode"] is True, repeatable
    for bound in ("from", "to"):
        assert parameters[bound]["schema"] == {"type": "string"}
        assert "EDTF date" in parameters[bound]["description"], bound


def test_declared_error_responses_are_documented(schema):
    for path, statuses in [
        ("/api/v1/events/", {"200", "400"}),
        ("/api/v1/events/{slug}/", {"200", "404"}),
        ("/api/v1/timelines/{slug}/", {"200", "404"}),
        ("/api/v1/sources/{id}/", {"200", "404"}),
    ]:
        responses = schema["paths"][path]["get"]["responses"]

        assert statuses <= set(responses), path
        for status in statuses - {"200"}:
            assert responses[status]["description"], (path, status)


def test_lists_document_the_404_for_a_page_out_of_range(schema):
    for path in ["/api/v1/events/", "/api/v1/timelines/", "/api/v1/sources/"]:
        assert "404" in schema["paths"][path]["get"]["responses"], path


def test_error_responses_carry_the_error_shape(schema):
    for path, status in [
        ("/api/v1/events/", "400"),
        ("/api/v1/events/{slug}/", "404"),
        ("/api/v1/sources/{id}/", "404"),
    ]:
        content = schema["paths"][path]["get"]["responses"][status]["content"]
        ref = content["application/json"]["schema"]["$ref"]
        error = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]

        assert {"detail", "code", "errors"} <= set(error["properties"]), path
        assert {"detail", "code"} <= set(error["required"]), path


def test_event_schema_lists_the_contract_fields(schema):
    event = schema["components"]["schemas"]["Event"]

    assert set(event["properties"]) == {
        "url",
        "slug",
        "title",
        "summary",
        "date",
        "display_date",
        "start",
        "end",
        "precision",
        "day_order",
        "date_evidence",
        "status",
        "super_event",
        "sub_events",
        "place",
        "actors",
        "tags",
        "citations",
        "claims",
        "published_at",
        "version",
        "updated_at",
    }
    link = schema["components"]["schemas"]["EventLink"]
    assert set(link["properties"]) == {"slug", "title", "url"}
    # The same bounds whatever the database.
    assert (
        event["properties"]["day_order"]["minimum"],
        event["properties"]["day_order"]["maximum"],
    ) == (0, 32767)
    assert event["properties"]["sub_events"]["items"] == {"$ref": "#/components/schemas/EventLink"}
    citation = schema["components"]["schemas"]["Citation"]
    assert citation["properties"]["selectors"]["type"] == "array"
    evidence = schema["components"]["schemas"]["DateEvidence"]
    assert set(evidence["properties"]) == {"state", "citations", "note", "other"}
    assert evidence["properties"]["state"]["allOf"] == [
        {"$ref": "#/components/schemas/DateEvidenceStateEnum"}
    ]
    state = schema["components"]["schemas"]["DateEvidenceStateEnum"]
    assert state["enum"] == ["stated", "inferred", "unsupported"]


def test_event_schema_describes_claims_grouped_by_property(schema):
    components = schema["components"]["schemas"]
    claims = components["Event"]["properties"]["claims"]
    group = components[claims["items"]["$ref"].rsplit("/", 1)[1]]

    assert set(group["properties"]) == {"property", "disputed", "values"}
    assert group["properties"]["disputed"]["type"] == "boolean"
    value = components[group["properties"]["values"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert set(value["properties"]) == {
        "id",
        "value",
        "normalized",
        "conflicts_with",
        "rank",
        "rank_note",
        "citations",
        "sources",
    }
    rank = components[value["properties"]["rank"]["$ref"].rsplit("/", 1)[1]]
    assert rank["enum"] == ["preferred", "normal", "deprecated"]
    normalized = components[value["properties"]["normalized"]["$ref"].rsplit("/", 1)[1]]
    assert set(normalized["properties"]) == {
        "text",
        "qualifier",
        "approximate",
        "amount",
        "upper",
        "unit",
        "interval",
    }


def test_event_list_documents_the_disputed_filter(schema):
    operation = schema["paths"]["/api/v1/events/"]["get"]
    disputed = next(p for p in operation["parameters"] if p["name"] == "disputed")

    assert disputed["schema"]["enum"] == ["false", "true"]
    assert "disagree" in disputed["description"]


def test_claims_and_properties_are_documented_with_their_writes(schema):
    for path, detail in [
        ("/api/v1/claims/", "/api/v1/claims/{id}/"),
        ("/api/v1/properties/", "/api/v1/properties/{slug}/"),
    ]:
        assert {"get", "post"} <= set(schema["paths"][path]), path
        assert {"get", "put", "patch", "delete"} <= set(schema["paths"][detail]), detail
        assert "412" in schema["paths"][detail]["patch"]["responses"], detail


def test_generator_has_no_warnings_and_writes_a_valid_schema(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    generated = yaml.safe_load(target.read_text())
    assert set(API_PATHS) <= set(generated["paths"])


class _AssetCollector(HTMLParser):
    """Every URL the page loads: script src, link href, img src."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            else:
                self.inline_scripts += 1
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_docs_page_loads_nothing_from_a_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "cdn.jsdelivr" not in html
    assert "unpkg" not in html
    collector = _AssetCollector()
    collector.feed(html)
    assert collector.urls, "the page should load Swagger UI's assets"
    assert any(url.endswith("swagger-ui-bundle.js") for url in collector.urls)
    # Swagger UI's settings come as a script of the page's own (no inline
    # script, so the Content-Security-Policy can forbid them).
    assert "/api/docs/?script=" in collector.urls
    assert "<script>" not in html
    for url in set(collector.urls) - {"/api/docs/?script="}:
        assert url.startswith(settings.STATIC_URL), url
        assert not re.match(r"^(https?:)?//", url), url
    # The UI fetches the schema from this site too.
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in script.content.decode()


def test_docs_page_assets_exist_as_static_files(client):
    collector = _AssetCollector()
    collector.feed(client.get("/api/docs/").content.decode())

    for url in collector.urls:
        if url.startswith(settings.STATIC_URL):
            path = url.removeprefix(settings.STATIC_URL).split("?", 1)[0]
            assert finders.find(path), url
        else:
            assert client.get(url).status_code == 200, url


EVERY_OPERATION_ERRORS = {"400", "401", "403", "404", "406", "429", "500", "503"}
WRITE_ERRORS = {"409", "413", "415"}


def test_every_operation_documents_the_errors_it_can_answer(schema):
    operations = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 50
    for method, path, operation in operations:
        responses = operation["responses"]
        missing = EVERY_OPERATION_ERRORS - set(responses)
        if method in {"post", "put", "patch"} and not path.endswith(("/publish/", "/restore/")):
            missing |= WRITE_ERRORS - set(responses)
        assert not missing, (method, path, sorted(missing))
        for status in EVERY_OPERATION_ERRORS - {"500"}:
            content = responses[status]["content"]["application/json"]["schema"]
            assert content["$ref"] in {
                "#/components/schemas/Error",
                "#/components/schemas/PreconditionFailed",
            }, (method, path, status)
        for status in ("429", "503"):
            assert "Retry-After" in responses[status]["headers"], (method, path, status)


def test_versioned_writes_document_the_precondition_errors(schema):
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/auth/"):
            continue  # tokens have no versions
        for method in ("put", "patch", "delete"):
            if method in item:
                assert {"412", "428"} <= set(item[method]["responses"]), (method, path)


def test_the_error_shape_is_one_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert set(error["required"]) == {"detail", "code"}


def test_cached_reads_document_their_conditional_get(schema):
    for path in ("/api/v1/timelines/{slug}/", "/api/v1/events/", "/api/v1/events/{slug}/"):
        operation = schema["paths"][path]["get"]
        assert "304" in operation["responses"], path
        names = [parameter["name"] for parameter in operation["parameters"]]
        assert names.count("If-None-Match") == 1, path
    assert "304" not in schema["paths"]["/api/v1/events/{slug}/history/"]["get"]["responses"]

"""The client contract: what the schema promises of writes and reads, held by the API.

Points of an outside testers' issue: source bodies described one component per
media type; editors' timeline fields declared, and undeclared ones caught;
stored URLs valid under ``format: uri``; uppercase slugs a 400, never a 500;
the names of what only drafts use kept from the public; a write that changes
nothing leaves the version and the history alone.
"""

import jsonschema_rs
import pytest
from django.core import signals
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import JsonSchemaError

from sources.models import Source
from sources.validators import is_http_url, uri_validator
from tests.conftest import checking
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from tests.test_fuzz import CHECKS, editor_headers, schema
from tests.timeline.test_admin import source_form_data
from timeline.api import serializers as read
from timeline.models import Actor, ClaimProperty, Event, Place, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_throttling(settings):
    settings.TIMELINE_THROTTLE_RATES = {"anon": None, "user": None, "login": None}


def component(openapi_schema: dict, content: dict, media_type: str) -> dict:
    name = content[media_type]["schema"]["$ref"].rsplit("/", 1)[1]
    return name, openapi_schema["components"]["schemas"][name]


def invalid_fields(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]


# 3. One component per media type for source writes


def test_source_writes_describe_each_media_type_with_its_own_component(openapi_schema):
    for path, method in [
        ("/api/v1/sources/", "post"),
        ("/api/v1/sources/{id}/", "put"),
        ("/api/v1/sources/{id}/", "patch"),
    ]:
        content = openapi_schema["paths"][path][method]["requestBody"]["content"]
        json_name, as_json = component(openapi_schema, content, "application/json")
        form_name, as_form = component(openapi_schema, content, "multipart/form-data")

        with checking(path, method):
            assert set(content) == {"application/json", "multipart/form-data"}
            assert json_name != form_name
            assert "file" not in as_json["properties"]
            assert as_form["properties"]["file"]["format"] == "binary"
            assert set(as_json["properties"]) == set(as_form["properties"]) - {"file"}


def test_a_file_sent_as_json_is_an_unknown_field(editor_api):
    response = editor_api.post(
        "/api/v1/sources/", {"slug": "s", "title": "S", "file": "article.txt"}, format="json"
    )

    assert invalid_fields(response) == {"file": ["Unknown field."]}


def test_a_file_uploaded_as_a_form_is_still_read(editor_api):
    upload = SimpleUploadedFile("a.txt", b"Tariffs will fall.", content_type="text/plain")

    response = editor_api.post(
        "/api/v1/sources/", {"slug": "s", "title": "S", "file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert Source.objects.get(slug="s").text == "Tariffs will fall."


def test_source_write_responses_are_declared_with_notes_and_reanchoring(openapi_schema):
    for path, method, status in [
        ("/api/v1/sources/", "post", "201"),
        ("/api/v1/sources/{id}/", "put", "200"),
        ("/api/v1/sources/{id}/", "patch", "200"),
    ]:
        content = openapi_schema["paths"][path][method]["responses"][status]["content"]
        _, written = component(openapi_schema, content, "application/json")

        with checking(path, method):
            assert {"notes", "reanchor"} <= set(written["properties"])
            assert "reanchor" not in written.get("required", [])


# 4. Editors' timeline fields declared; undeclared fields caught


@pytest.fixture
def editor_token(editor) -> str:
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(editor)
    return token


def timeline_reads(slug: str) -> list:
    return [
        (schema["/api/v1/timelines/"]["GET"], {}),
        (schema["/api/v1/timelines/{slug}/"]["GET"], {"slug": slug}),
    ]


def test_the_schema_declares_editors_timeline_fields(openapi_schema):
    schemas = openapi_schema["components"]["schemas"]
    for path, variants in [
        ("/api/v1/timelines/", "TimelineAsRead"),
        ("/api/v1/timelines/{slug}/", "TimelineDetailAsRead"),
    ]:
        declared = [schemas[ref["$ref"].rsplit("/", 1)[1]] for ref in schemas[variants]["oneOf"]]

        with checking(path):
            # The editors' shape has them, and requires them; the public one has none.
            editors, public = declared
            assert {"version", "updated_at"} <= set(editors["required"])
            assert not {"version", "updated_at"} & set(public["properties"])


def test_editors_and_readers_timeline_answers_conform_to_the_schema(
    editor_token, keep_test_transaction
):
    timeline = TimelineFactory(events=[EventFactory(), EventFactory(published_at=None)])
    for operation, parameters in timeline_reads(timeline.slug):
        for headers, query in [
            ({}, {}),
            (editor_headers(editor_token), {"include_drafts": "true"}),
        ]:
            case = operation.Case(path_parameters=parameters, query=query)

            response = case.call_and_validate(headers=headers, checks=CHECKS)

            assert response.status_code == 200
            if query:
                body = response.json()
                assert "version" in (body["results"][0] if "results" in body else body)


def test_the_fuzz_checks_catch_a_field_the_schema_does_not_declare(
    monkeypatch, editor_token, keep_test_transaction
):
    timeline = TimelineFactory(events=[EventFactory()])
    declared = read.EditorTimelineSerializer.to_representation
    monkeypatch.setattr(
        read.EditorTimelineSerializer,
        "to_representation",
        lambda self, instance: declared(self, instance) | {"secret": 1},
    )
    for operation, parameters in timeline_reads(timeline.slug):
        case = operation.Case(path_parameters=parameters, query={"include_drafts": "true"})

        with checking(operation.label), pytest.raises(FailureGroup) as caught:
            case.call_and_validate(headers=editor_headers(editor_token), checks=CHECKS)

        assert {type(failure) for failure in caught.value.exceptions} == {JsonSchemaError}


@pytest.fixture
def keep_test_transaction():
    """As tests/test_fuzz.py's: schemathesis calls the WSGI app, which closes connections."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_include_drafts_false_gives_the_public_shape_without_draft_slugs(api_client):
    TimelineFactory(
        events=[EventFactory(slug="public"), EventFactory(slug="secret", published_at=None)]
    )

    listed = api_client.get("/api/v1/timelines/", {"include_drafts": "false"}).json()["results"]
    detail = api_client.get(listed[0]["url"], {"include_drafts": "false"})

    assert set(listed[0]) == set(read.TimelineSerializer().fields)
    assert "secret" not in detail.content.decode()
    assert "version" not in detail.json()


# 5. Stored URLs are URIs (RFC 3986)

NOT_URIS = [
    "https://example.com/café",
    "https://bücher.de/",
    "https://example.com/a|b",
    'https://example.com/a"b',
    "https://example.com/{x}",
    "https://example.com/a^b",
    "https://example.com/a[b]",
    "https://example.com/%zz",
    "https://example.com/#a#b",
    "https://example.com/?q=é",
]
URIS = [
    "https://example.com/caf%C3%A9",
    "https://xn--bcher-kva.de/",
    "https://example.com/a%7Cb?q=1&r=%5B2%5D#top",
    "https://user:pass@[::1]:8443/path;param",
]
URI_FORMAT = jsonschema_rs.Draft4Validator(
    {"type": "string", "format": "uri"}, validate_formats=True
)


def test_urls_that_are_not_uris_are_refused_by_the_api(editor_api):
    source = SourceFactory()
    for url in NOT_URIS:
        assert not URI_FORMAT.is_valid(url), url  # what the schema's readers would reject
        created = editor_api.post(
            "/api/v1/sources/", {"slug": "s", "title": "S", "url": url}, format="json"
        )
        changed = editor_api.patch(
            f"/api/v1/sources/{source.pk}/",
            {"url": url},
            format="json",
            HTTP_IF_MATCH=f'"{source.version}"',
        )

        with checking(url):
            for response in (created, changed):
                errors = invalid_fields(response)
                assert list(errors) == ["url"]
                assert "Percent-encode" in errors["url"][0]
    assert Source.objects.get().url == source.url


def test_uris_are_stored_as_sent(editor_api):
    for index, url in enumerate(URIS):
        response = editor_api.post(
            "/api/v1/sources/", {"slug": f"s{index}", "title": "S", "url": url}, format="json"
        )

        with checking(url):
            assert response.status_code == 201, response.content
            assert response.json()["url"] == url
            assert URI_FORMAT.is_valid(url)


def test_urls_that_are_not_uris_are_refused_by_the_admin(editor_client):
    source = SourceFactory()
    for url in NOT_URIS[:3]:
        response = editor_client.post(
            f"/admin/sources/source/{source.pk}/change/", source_form_data(source, url=url)
        )

        with checking(url):
            assert response.status_code == 200  # the form again, with its errors
            assert "Percent-encode" in response.context["adminform"].form.errors["url"][0]
    assert Source.objects.get().url == source.url


def test_a_url_refused_as_a_web_address_is_not_told_to_percent_encode_too():
    source = SourceFactory.build(url="javascript:alert(1)|")

    with pytest.raises(ValidationError) as caught:
        source.full_clean()

    messages = caught.value.message_dict["url"]
    assert "Enter a web address starting with http:// or https://." in messages
    assert not any("Percent-encode" in message for message in messages)


def test_the_message_shows_how_to_encode():
    with pytest.raises(ValidationError) as caught:
        uri_validator("https://example.com/café")

    assert "“café” is “caf%C3%A9”" in caught.value.messages[0]


ADDRESS_CHARACTERS = st.characters(codec="utf-8", exclude_categories=["Cs"])


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    st.sampled_from(["https://example.com/", "http://u:p@example.com:8080", "https://[::1]/"]),
    st.text(ADDRESS_CHARACTERS, max_size=12),
)
def test_a_web_address_passes_when_the_schemas_uri_format_does(prefix, rest):
    url = prefix + rest
    if not is_http_url(url):
        return
    try:
        uri_validator(url)
        stored = True
    except ValidationError:
        stored = False

    assert stored == URI_FORMAT.is_valid(url), url


# 6. Uppercase slugs are a 400 naming slug


SLUGGED = [
    ("events", EventFactory, {"title": "T", "date": "2025-05"}),
    ("timelines", TimelineFactory, {"title": "T"}),
    ("sources", SourceFactory, {"title": "T"}),
    ("tags", TagFactory, {"name": "T"}),
    ("actors", ActorFactory, {"name": "T", "kind": "person"}),
    ("places", PlaceFactory, {"name": "T"}),
    ("properties", ClaimPropertyFactory, {"name": "T", "kind": "text"}),
]


def test_uppercase_slugs_are_a_400_naming_slug(editor_api, stored_state):
    for collection, factory, fields in SLUGGED:
        existing = factory(slug="trade-truce")
        key = existing.pk if collection == "sources" else existing.slug
        before = stored_state()
        for method, url, body, headers in [
            ("post", f"/api/v1/{collection}/", {"slug": "Trade-Truce", **fields}, {}),
            ("post", f"/api/v1/{collection}/", {"slug": "Brand-New", **fields}, {}),
            (
                "patch",
                f"/api/v1/{collection}/{key}/",
                {"slug": "Trade-Truce"},
                {"HTTP_IF_MATCH": f'"{existing.version}"'},
            ),
        ]:
            response = getattr(editor_api, method)(url, body, format="json", **headers)

            with checking(collection, method, body["slug"]):
                assert "slug" in invalid_fields(response)
                assert stored_state() == before


# 7. The names of what only drafts use are not public


def lookups_of_a_published_and_a_draft_event():
    public = {
        "tags": TagFactory(slug="public-tag"),
        "actors": ActorFactory(slug="public-actor"),
        "places": PlaceFactory(slug="public-place"),
    }
    secret = {
        "tags": TagFactory(slug="secret-tag", name="Secret tag"),
        "actors": ActorFactory(slug="secret-actor", name="Secret actor"),
        "places": PlaceFactory(slug="secret-place", name="Secret place"),
    }
    published = EventFactory(
        tags=[public["tags"]], actors=[public["actors"]], place=public["places"]
    )
    draft = EventFactory(
        published_at=None,
        explained=True,
        tags=[public["tags"], secret["tags"]],
        actors=[secret["actors"]],
        place=secret["places"],
    )
    ClaimFactory(event=published, property=ClaimPropertyFactory(slug="public-property"))
    ClaimFactory(event=draft, property=ClaimPropertyFactory(slug="secret-property"))
    ClaimPropertyFactory(slug="unused-property")
    TagFactory(slug="unused-tag")
    return draft


LOOKUPS = {"tags": "tag", "actors": "actor", "places": "place", "properties": "property"}


def test_readers_see_only_what_published_events_use(api_client, reader_api):
    lookups_of_a_published_and_a_draft_event()
    for client in (api_client, reader_api):
        for collection, noun in LOOKUPS.items():
            listed = client.get(f"/api/v1/{collection}/").json()["results"]

            with checking(client, collection):
                assert [item["slug"] for item in listed] == [f"public-{noun}"]
                assert client.get(f"/api/v1/{collection}/public-{noun}/").status_code == 200
                for hidden in (f"secret-{noun}", f"unused-{noun}"):
                    response = client.get(f"/api/v1/{collection}/{hidden}/")
                    assert response.status_code == 404, hidden


def test_editors_see_them_all(editor_api):
    lookups_of_a_published_and_a_draft_event()
    expected = {
        "tags": {"public-tag", "secret-tag", "unused-tag"},
        "actors": {"public-actor", "secret-actor"},
        "places": {"public-place", "secret-place"},
        "properties": {"public-property", "secret-property", "unused-property"},
    }
    for collection, slugs in expected.items():
        listed = editor_api.get(f"/api/v1/{collection}/").json()["results"]

        assert {item["slug"] for item in listed} == slugs, collection
        for slug in slugs:
            assert editor_api.get(f"/api/v1/{collection}/{slug}/").status_code == 200, slug


def test_a_lookup_is_public_once_its_event_is_published(api_client, editor_api, commit):
    draft = lookups_of_a_published_and_a_draft_event()

    assert api_client.get("/api/v1/tags/secret-tag/").status_code == 404
    with commit():
        published = editor_api.post(f"/api/v1/events/{draft.slug}/publish/")
    assert published.status_code == 200, published.content

    assert api_client.get("/api/v1/tags/secret-tag/").json()["name"] == "Secret tag"


def test_lookup_lists_read_in_a_constant_number_of_queries(
    api_client, django_assert_num_queries, commit
):
    for count, more in ((1, 1), (10, 9)):
        with commit():
            for _ in range(more):
                EventFactory(tags=[TagFactory()], actors=[ActorFactory()], place=PlaceFactory())
                ClaimFactory()
                draft = EventFactory(
                    published_at=None,
                    tags=[TagFactory()],
                    actors=[ActorFactory()],
                    place=PlaceFactory(),
                )
                ClaimFactory(event=draft)
        for collection, model in [
            ("tags", Tag),
            ("actors", Actor),
            ("places", Place),
            ("properties", ClaimProperty),
        ]:
            # 1. the content generation; 2. COUNT of those a published event uses (EXISTS);
            # 3. the page of them.
            with django_assert_num_queries(3):
                body = api_client.get(f"/api/v1/{collection}/").json()

            assert body["count"] == count, collection
            assert model.objects.count() > count  # with those of drafts (or of no event)


def test_the_timeline_page_does_not_name_a_tag_that_only_drafts_use(client):
    draft = lookups_of_a_published_and_a_draft_event()
    timeline = TimelineFactory(events=[*Event.objects.published(), draft])

    for name, slug, secret in [
        ("tag", "secret-tag", "Secret tag"),
        ("actor", "secret-actor", "Secret actor"),
    ]:
        response = client.get(f"/timelines/{timeline.slug}/", {name: slug})

        with checking(name):
            assert response.status_code == 400
            assert secret not in response.content.decode()
    shown = client.get(f"/timelines/{timeline.slug}/", {"tag": "public-tag"})
    assert shown.status_code == 200


# 8. A write that changes nothing writes nothing


def history_size(obj) -> int:
    return type(obj).history.filter(id=obj.pk).count()


def test_a_patch_of_the_same_values_keeps_the_version_and_the_history(editor_api):
    event = EventFactory(tags=[TagFactory(slug="t")], place=PlaceFactory(slug="p"))
    citation = CitationFactory(event=event)
    source = SourceFactory()
    timeline = TimelineFactory(events=[event])
    tag = TagFactory()
    claim = ClaimFactory(event=event, citations=[citation])
    writes = [
        (
            f"/api/v1/events/{event.slug}/",
            event,
            {
                "title": event.title,
                "date": event.date,
                "tags": ["t"],
                "place": "p",
                "citations": [
                    {"id": citation.pk, "source": citation.source_id, "quote": citation.quote}
                ],
            },
        ),
        (f"/api/v1/sources/{source.pk}/", source, {"title": source.title, "text": source.text}),
        (f"/api/v1/timelines/{timeline.slug}/", timeline, {"events": [event.slug]}),
        (f"/api/v1/tags/{tag.slug}/", tag, {"name": tag.name}),
        (f"/api/v1/claims/{claim.pk}/", claim, {"value": claim.value, "citations": [citation.pk]}),
    ]
    for url, obj, body in writes:
        obj = type(obj).objects.get(pk=obj.pk)
        history = history_size(obj)

        response = editor_api.patch(url, body, format="json", HTTP_IF_MATCH=f'"{obj.version}"')

        with checking(url):
            assert response.status_code == 200, response.content
            assert response["ETag"] == f'"{obj.version}"'
            assert response.json()["version"] == obj.version
            assert type(obj).objects.get(pk=obj.pk).version == obj.version
            assert history_size(obj) == history


def test_putting_back_what_was_read_keeps_the_version(editor_api):
    event = EventFactory(actors=[ActorFactory()], tags=[TagFactory()], place=PlaceFactory())
    CitationFactory(event=event)
    read_back = editor_api.get(f"/api/v1/events/{event.slug}/")
    history = history_size(event)

    response = editor_api.put(
        f"/api/v1/events/{event.slug}/",
        read_back.json(),
        format="json",
        HTTP_IF_MATCH=read_back["ETag"],
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == read_back["ETag"]
    assert response.json() == read_back.json()
    assert history_size(event) == history


def test_a_patch_that_changes_one_thing_still_writes_it(editor_api):
    event = EventFactory()
    citation = CitationFactory(event=event)
    for body in [
        {"title": "Renamed"},
        {
            "citations": [
                {"id": citation.pk, "source": citation.source_id, "quote": "Tariffs will fall"}
            ]
        },
        {"citations": []},
        {"tags": [TagFactory().slug]},
    ]:
        stored = Event.objects.get(pk=event.pk)
        history = history_size(stored)

        response = editor_api.patch(
            f"/api/v1/events/{event.slug}/",
            body,
            format="json",
            HTTP_IF_MATCH=f'"{stored.version}"',
        )

        with checking(body):
            assert response.status_code == 200, response.content
            assert response.json()["version"] > stored.version
            assert history_size(stored) > history

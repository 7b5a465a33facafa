"""Bounded input: deep JSON and long lists in write bodies are a 400, before any work.

A body of "[" * 100_000 overflowed the json module's recursion (a 500 with a
traceback, on every JSON endpoint); an event sent with 9,000 citations held a
worker past its timeout. Each limit answers in the API's one error shape,
naming what was too much, and the schema and docs say what the limits are.
"""

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from knox.models import AuthToken

from tests.conftest import checking
from tests.factories import (
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    make_editor,
)
from timeline.api.parsers import MAX_JSON_DEPTH
from timeline.models import Citation, Claim, Event

DEEP = "[" * 100_000
MAX_CITATIONS = settings.TIMELINE_MAX_CITATIONS_PER_EVENT
MAX_CLAIMS = settings.TIMELINE_MAX_CLAIMS_PER_EVENT
MAX_ITEMS = settings.TIMELINE_MAX_LIST_ITEMS


@pytest.fixture(autouse=True)
def no_throttling(settings):
    settings.TIMELINE_THROTTLE_RATES = {"anon": None, "user": None, "login": None}


def parse_error(response) -> str:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "parse_error"
    return body["detail"]


def too_many(response, field: str, limit: int) -> str:
    """The 400 for a list past its limit: only that field named, with the limit."""
    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    assert list(errors) == [field], errors
    (message,) = errors[field]
    assert f"at most {limit} items" in message
    return message


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# Deep JSON


def test_deep_json_to_the_anonymous_token_endpoint_is_a_400(client, db):
    response = client.post("/api/v1/auth/tokens/", DEEP, content_type="application/json")

    assert "nested deeper than" in parse_error(response)


def test_deep_json_to_every_kind_of_editor_write_is_a_400(editor_api):
    event = EventFactory(slug="busan")
    tag = TagFactory(slug="tariffs")
    writes = [
        ("post", "/api/v1/events/", {}),
        ("put", "/api/v1/events/busan/", {"HTTP_IF_MATCH": f'"{event.version}"'}),
        ("patch", "/api/v1/tags/tariffs/", {"HTTP_IF_MATCH": f'"{tag.version}"'}),
        ("post", "/api/v1/citations/", {}),
        ("post", "/api/v1/claims/", {}),
        ("post", "/api/v1/sources/", {}),
        ("post", "/api/v1/timelines/", {}),
        ("post", "/api/v1/properties/", {}),
        ("post", "/api/v1/auth/tokens/", {}),
    ]
    for method, url, headers in writes:
        response = getattr(editor_api, method)(
            url, DEEP, content_type="application/json", **headers
        )

        with checking(method, url):
            parse_error(response)


def test_json_is_read_to_its_depth_limit_and_no_deeper(editor_api):
    # Inside the limit the body is read, and refused for what it says; one level more is not.
    within = f'{{"slug": "x", "title": "X", "tags": {nested(MAX_JSON_DEPTH - 1)}}}'
    beyond = f'{{"slug": "x", "title": "X", "tags": {nested(MAX_JSON_DEPTH)}}}'

    read = editor_api.post("/api/v1/events/", within, content_type="application/json")
    refused = editor_api.post("/api/v1/events/", beyond, content_type="application/json")

    assert read.status_code == 400
    assert read.json()["code"] == "invalid"
    assert "tags" in read.json()["errors"]
    assert f"{MAX_JSON_DEPTH} levels" in parse_error(refused)


def test_a_body_nested_deep_but_within_pythons_recursion_is_refused_too(editor_api):
    # 500 levels parse, but then every recursive walk (messages, rendering) is at risk.
    body = f'{{"slug": "x", "title": "X", "status": {nested(500)}}}'

    response = editor_api.post("/api/v1/events/", body, content_type="application/json")

    parse_error(response)


def _post(url: str, body: bytes, **headers):
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) that an earlier flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deep_json_over_a_real_server_is_a_400_not_a_500(live_server):
    _, token = AuthToken.objects.create(make_editor())
    for path, headers in [
        ("/api/v1/auth/tokens/", {}),
        ("/api/v1/events/", {"Authorization": f"Token {token}"}),
        ("/api/v1/sources/", {"Authorization": f"Token {token}"}),
    ]:
        status, response_headers, raw = _post(live_server.url + path, DEEP.encode(), **headers)

        with checking(path):
            assert status == 400, raw[:300]
            assert response_headers["Content-Type"] == "application/json"
            assert json.loads(raw)["code"] == "parse_error"


# Long lists in write bodies


def test_an_event_with_too_many_citations_is_refused_before_any_is_read(
    editor_api, django_assert_max_num_queries
):
    source = SourceFactory()
    citations = [{"source": source.pk, "quote": f"Quote {n}."} for n in range(9_000)]
    body = {"slug": "x", "title": "X", "date": "2025-10-30", "citations": citations}

    # The session, the user, their permissions (2), the slug's uniqueness, and a savepoint
    # around the request: nothing per citation (there would be 9,000 source lookups).
    with django_assert_max_num_queries(7):
        response = editor_api.post("/api/v1/events/", body, format="json")

    message = too_many(response, "citations", MAX_CITATIONS)
    assert "9000" in message
    assert not Event.objects.exists()


def test_an_events_citations_up_to_the_limit_are_each_read(editor_api):
    # At the limit, each item is validated: here each names an unknown source.
    citations = [{"source": 999_999, "quote": "Q."}] * MAX_CITATIONS
    body = {"slug": "x", "title": "X", "date": "2025-10-30", "citations": citations}

    response = editor_api.post("/api/v1/events/", body, format="json")

    errors = response.json()["errors"]
    assert len(errors) == MAX_CITATIONS
    assert set(errors) == {f"citations.{n}.source" for n in range(MAX_CITATIONS)}


def test_too_many_actors_tags_or_timeline_events_are_refused_before_any_lookup(
    editor_api, django_assert_max_num_queries
):
    event = EventFactory(slug="busan")
    timeline = TimelineFactory(slug="trade")
    slugs = [f"slug-{n}" for n in range(MAX_ITEMS + 1)]
    writes = [
        (
            "/api/v1/events/",
            "post",
            {"slug": "x", "title": "X", "date": "2025", "actors": slugs},
            "actors",
            {},
        ),
        (
            "/api/v1/events/",
            "post",
            {"slug": "x", "title": "X", "date": "2025", "tags": slugs},
            "tags",
            {},
        ),
        (
            "/api/v1/events/busan/",
            "patch",
            {"tags": slugs},
            "tags",
            {"HTTP_IF_MATCH": f'"{event.version}"'},
        ),
        ("/api/v1/timelines/", "post", {"slug": "t", "title": "T", "events": slugs}, "events", {}),
        (
            "/api/v1/timelines/trade/",
            "patch",
            {"events": slugs},
            "events",
            {"HTTP_IF_MATCH": f'"{timeline.version}"'},
        ),
    ]
    for url, method, body, field, headers in writes:
        with checking(method, url, field), django_assert_max_num_queries(8):
            response = getattr(editor_api, method)(url, body, format="json", **headers)

            too_many(response, field, MAX_ITEMS)


def test_a_claim_citing_too_many_citations_is_refused(editor_api, django_assert_max_num_queries):
    event = EventFactory(slug="busan")
    ClaimPropertyFactory(slug="duration", kind="duration")
    body = {
        "event": event.slug,
        "property": "duration",
        "value": "an hour",
        "citations": list(range(1, MAX_CITATIONS + 2)),
    }

    with django_assert_max_num_queries(8):
        response = editor_api.post("/api/v1/claims/", body, format="json")

    too_many(response, "citations", MAX_CITATIONS)


def test_a_citation_is_not_added_to_an_event_that_has_the_most(editor_api):
    full, other = EventFactory(slug="full"), EventFactory(slug="other")
    source = SourceFactory()
    Citation.objects.bulk_create(
        Citation(event=full, source=source, quote=f"Quote {n}.") for n in range(MAX_CITATIONS)
    )
    moving = CitationFactory(event=other, source=source)
    body = {"event": "full", "source": source.pk, "quote": "Tariffs will fall from 57% to 47%."}

    added = editor_api.post("/api/v1/citations/", body, format="json")
    moved = editor_api.patch(
        f"/api/v1/citations/{moving.pk}/",
        {"event": "full"},
        format="json",
        HTTP_IF_MATCH=f'"{moving.version}"',
    )

    for response in (added, moved):
        errors = response.json()["errors"]
        assert list(errors) == ["event"]
        assert f"the most an event may have ({MAX_CITATIONS})" in errors["event"][0]
    assert full.citations.count() == MAX_CITATIONS
    # Below the limit, and a change that stays on its event, are fine.
    below = body | {"event": "other", "quote": "The talks will resume in spring."}
    assert editor_api.post("/api/v1/citations/", below, format="json").status_code == 201
    stays = editor_api.patch(
        f"/api/v1/citations/{moving.pk}/",
        {"note": "Checked."},
        format="json",
        HTTP_IF_MATCH=f'"{Citation.objects.get(pk=moving.pk).version}"',
    )
    assert stays.status_code == 200, stays.content


def test_a_claim_is_not_added_to_an_event_that_has_the_most(editor_api):
    full, other = EventFactory(slug="full"), EventFactory(slug="other")
    prop = ClaimPropertyFactory(slug="note", kind="text")
    Claim.objects.bulk_create(
        Claim(event=full, property=prop, value=f"Value {n}") for n in range(MAX_CLAIMS)
    )
    moving = ClaimFactory(event=other, property=prop, value="Moving")
    body = {
        "event": "full",
        "property": "note",
        "value": "One more",
        "citations": [CitationFactory(event=full).pk],
    }

    added = editor_api.post("/api/v1/claims/", body, format="json")
    moved = editor_api.patch(
        f"/api/v1/claims/{moving.pk}/",
        {"event": "full"},
        format="json",
        HTTP_IF_MATCH=f'"{moving.version}"',
    )

    for response in (added, moved):
        errors = response.json()["errors"]
        assert list(errors) == ["event"]
        assert f"the most an event may have ({MAX_CLAIMS})" in errors["event"][0]
    assert full.claims.count() == MAX_CLAIMS
    below = body | {"event": "other", "citations": [CitationFactory(event=other).pk]}
    assert editor_api.post("/api/v1/claims/", below, format="json").status_code == 201


# Documented


def test_the_schema_gives_each_write_list_its_max_items(openapi_schema):
    components = openapi_schema["components"]["schemas"]
    expected = {
        ("EventWriteRequest", "citations"): MAX_CITATIONS,
        ("EventWriteRequest", "actors"): MAX_ITEMS,
        ("EventWriteRequest", "tags"): MAX_ITEMS,
        ("PatchedEventWriteRequest", "citations"): MAX_CITATIONS,
        ("TimelineWriteRequest", "events"): MAX_ITEMS,
        ("PatchedTimelineWriteRequest", "events"): MAX_ITEMS,
        ("ClaimWriteRequest", "citations"): MAX_CITATIONS,
    }
    for (component, field), limit in expected.items():
        with checking(component, field):
            assert components[component]["properties"][field]["maxItems"] == limit
    # Every array a write body takes has one.
    for name, component in components.items():
        if name.endswith("Request"):
            for field, schema in component["properties"].items():
                if schema.get("type") == "array":
                    assert "maxItems" in schema, (name, field)


def test_the_limits_are_documented_with_their_values():
    docs = (Path(settings.BASE_DIR) / "docs" / "api.md").read_text()
    limits = docs[docs.index("### Limits") :]
    for setting, value in [
        ("TIMELINE_MAX_CITATIONS_PER_EVENT", MAX_CITATIONS),
        ("TIMELINE_MAX_CLAIMS_PER_EVENT", MAX_CLAIMS),
        ("TIMELINE_MAX_LIST_ITEMS", MAX_ITEMS),
    ]:
        assert re.search(rf"\| `{setting}` \| {value:,} \|", limits), setting
    assert f"{MAX_JSON_DEPTH} levels" in limits


def test_the_demo_timeline_is_well_within_the_limits(seeded):
    from django.db.models import Count

    from timeline.models import Timeline

    most = {
        "citations": Event.objects.annotate(n=Count("citations")).order_by("-n")[0].n,
        "claims": Event.objects.annotate(n=Count("claims")).order_by("-n")[0].n,
        "events": Timeline.objects.annotate(n=Count("events")).order_by("-n")[0].n,
    }

    assert most["citations"] * 10 <= MAX_CITATIONS
    assert most["claims"] * 10 <= MAX_CLAIMS
    assert most["events"] * 10 <= MAX_ITEMS

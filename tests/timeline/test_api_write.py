"""Tests for the write API: events, citations, timelines, actors/places/tags, drafts, bad input.

ETags and If-Match are tested in test_api_conditional.py, who may write in
test_api_auth.py, sources in test_api_sources_write.py.
"""

import datetime
import json

import pytest
from django.test import override_settings

from sources.models import Source
from tests.conftest import APIClient, checking
from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.models import Actor, Citation, Event, Place, Tag, Timeline

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
CITATIONS_URL = "/api/v1/citations/"
TIMELINES_URL = "/api/v1/timelines/"

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
SPRING_QUOTE = "The talks will resume in spring."
DRAFTS = {"include_drafts": "true"}
PRIVATE = "private, no-store"


def iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def event_url(slug: str) -> str:
    return f"{EVENTS_URL}{slug}/"


def assert_error(response, status: int, code: str) -> dict:
    """The one JSON error shape: {"detail", "code", ...}."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    return body


def invalid_fields(response) -> dict[str, list[str]]:
    """The fields a 400 names, with their messages."""
    body = assert_error(response, 400, "invalid")
    assert set(body) == {"detail", "code", "errors"}
    for field in body["errors"]:
        assert field in body["detail"]
    return body["errors"]


def etag_of(client, url: str) -> str:
    response = client.get(url, DRAFTS)
    assert response.status_code == 200
    return response["ETag"]


def source_json(source) -> dict:
    return {
        "id": source.pk,
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": None,
        "language": "en",
    }


# Events: create


def test_editor_creates_a_draft_event_with_its_relations_and_citations(editor_api):
    place = PlaceFactory(slug="geneva", name="Geneva")
    china, usa = ActorFactory(slug="china", name="China"), ActorFactory(slug="usa", name="USA")
    tariffs = TagFactory(slug="tariffs", name="Tariffs")
    source = SourceFactory()

    response = editor_api.post(
        EVENTS_URL,
        {
            "slug": "geneva-talks",
            "title": "Ministers meet in Geneva",
            "summary": "They agree a pause.",
            "date": "2025-10",
            "date_note": "The wire's report of the talks came out on 30 October.",
            "display_date": "October 2025",
            "status": "occurred",
            "place": "geneva",
            "actors": ["usa", "china"],
            "tags": ["tariffs"],
            "citations": [
                {"source": source.pk, "quote": TARIFF_QUOTE, "locator": "para 3", "note": "Cut."}
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    event = Event.objects.get(slug="geneva-talks")
    citation = event.citations.get()
    assert response.json() == {
        "url": "http://testserver/api/v1/events/geneva-talks/",
        "slug": "geneva-talks",
        "title": "Ministers meet in Geneva",
        "summary": "They agree a pause.",
        "date": "2025-10",
        "display_date": "October 2025",
        "start": "2025-10-01",
        "end": "2025-10-31",
        "precision": "month",
        "day_order": 0,
        "date_evidence": {
            "state": "inferred",
            "citations": [],
            "note": "The wire's report of the talks came out on 30 October.",
            "other": [],
        },
        "status": "occurred",
        "super_event": None,
        "sub_events": [],
        "place": {
            "slug": "geneva",
            "name": "Geneva",
            "latitude": None,
            "longitude": None,
            "wikidata_id": "",
        },
        "actors": [
            {"slug": "china", "name": "China", "kind": "person", "wikidata_id": ""},
            {"slug": "usa", "name": "USA", "kind": "person", "wikidata_id": ""},
        ],
        "tags": [{"slug": "tariffs", "name": "Tariffs", "wikidata_id": ""}],
        "citations": [
            {
                "id": citation.pk,
                "quote": TARIFF_QUOTE,
                "locator": "para 3",
                "note": "Cut.",
                "selectors": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": TARIFF_QUOTE,
                        "prefix": "he talks — the first in a year. ",
                        "suffix": " The talks will resume in spring",
                    },
                    {"type": "TextPositionSelector", "start": 128, "end": 162},
                ],
                "anchored": True,
                "source": source_json(source),
            }
        ],
        "claims": [],
        "published_at": None,
        "version": event.version,
        "updated_at": iso(event.updated_at),
    }
    assert response["Location"] == "http://testserver/api/v1/events/geneva-talks/"
    assert response["ETag"] == f'"{event.version}"'
    assert response["Cache-Control"] == PRIVATE
    assert event.published_at is None
    assert (event.place, set(event.actors.all()), list(event.tags.all())) == (
        place,
        {china, usa},
        [tariffs],
    )
    assert SAMPLE_TEXT[citation.position_start : citation.position_end] == TARIFF_QUOTE


def test_a_new_event_needs_only_slug_title_and_date(editor_api):
    response = editor_api.post(
        EVENTS_URL, {"slug": "bare", "title": "Bare", "date": "2025"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["precision"], body["status"], body["place"]) == ("year", "occurred", None)
    assert (body["actors"], body["tags"], body["citations"]) == ([], [], [])


def test_a_created_draft_is_hidden_until_an_editor_asks_for_drafts(api_client, editor_api):
    editor_api.post(EVENTS_URL, {"slug": "draft", "title": "D", "date": "2025"}, format="json")

    assert_error(api_client.get(event_url("draft")), 404, "not_found")
    assert api_client.get(EVENTS_URL).json()["count"] == 0
    # Editors too see only published events unless they ask.
    assert_error(editor_api.get(event_url("draft")), 404, "not_found")
    assert editor_api.get(EVENTS_URL).json()["count"] == 0

    detail = editor_api.get(event_url("draft"), DRAFTS)
    listing = editor_api.get(EVENTS_URL, DRAFTS)

    assert detail.status_code == 200
    assert detail.json()["published_at"] is None
    assert detail["Cache-Control"] == PRIVATE
    assert [e["slug"] for e in listing.json()["results"]] == ["draft"]
    assert listing["Cache-Control"] == PRIVATE


def test_include_drafts_accepts_the_usual_true_and_false_values(editor_api):
    EventFactory(published_at=None)
    EventFactory()

    counts = {
        value: editor_api.get(EVENTS_URL, {"include_drafts": value}).json()["count"]
        for value in ["true", "True", "1", "yes", "on", "false", "0", "no", "off", ""]
    }

    assert counts == {"true": 2, "True": 2, "1": 2, "yes": 2, "on": 2} | {
        "false": 1,
        "0": 1,
        "no": 1,
        "off": 1,
        "": 1,
    }


def test_include_drafts_is_for_editors_only(api_client, reader_api):
    EventFactory(slug="draft", published_at=None)

    for url in [EVENTS_URL, "/api/v1/events/draft/", TIMELINES_URL, CITATIONS_URL]:
        anonymous = api_client.get(url, DRAFTS)
        reader = reader_api.get(url, DRAFTS)

        with checking(url):
            assert_error(anonymous, 401, "not_authenticated")
            assert anonymous["WWW-Authenticate"] == "Token"
            assert_error(reader, 403, "permission_denied")


def test_include_drafts_with_a_bad_value_is_a_400_naming_it(editor_api):
    response = editor_api.get(EVENTS_URL, {"include_drafts": "maybe"})

    assert set(invalid_fields(response)) == {"include_drafts"}


def test_sending_published_at_does_not_publish(editor_api):
    response = editor_api.post(
        EVENTS_URL,
        {"slug": "sneaky", "title": "S", "date": "2025", "published_at": "2025-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["published_at"] is None
    assert Event.objects.get(slug="sneaky").published_at is None


# Events: change


def test_an_event_read_modified_and_put_back_round_trips(editor_api):
    source = SourceFactory()
    event = EventFactory(
        place=PlaceFactory(),
        actors=ActorFactory.create_batch(2),
        tags=TagFactory.create_batch(2),
        date="2025-10-25/2025-10-26",
    )
    kept = CitationFactory(event=event, source=source, quote=TARIFF_QUOTE, note="Kept.")
    read = editor_api.get(event_url(event.slug))
    body = read.json()
    body["title"] = "A better title"

    response = editor_api.put(
        event_url(event.slug), body, format="json", HTTP_IF_MATCH=read["ETag"]
    )

    assert response.status_code == 200, response.content
    written = response.json()
    assert written["title"] == "A better title"
    # Everything else is as it was, but the version and the update time.
    unchanged = {k: v for k, v in body.items() if k not in {"title", "version", "updated_at"}}
    assert {k: written[k] for k in unchanged} == unchanged
    assert written["version"] == body["version"] + 1
    assert Event.objects.get(pk=event.pk).title == "A better title"
    assert list(event.citations.values_list("pk", "note")) == [(kept.pk, "Kept.")]


def test_a_draft_read_with_include_drafts_round_trips_too(editor_api):
    event = EventFactory(published_at=None, actors=[ActorFactory()])
    CitationFactory(event=event)
    read = editor_api.get(event_url(event.slug), DRAFTS)
    body = read.json() | {"summary": "Now with a summary."}

    response = editor_api.put(
        event_url(event.slug), body, format="json", HTTP_IF_MATCH=read["ETag"]
    )

    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Now with a summary."
    assert response.json()["citations"] == body["citations"]
    assert response.json()["published_at"] is None


def test_patch_changes_only_the_fields_sent(editor_api):
    event = EventFactory(title="Old", summary="Kept.", actors=[ActorFactory()])
    CitationFactory(event=event)
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.patch(
        event_url(event.slug), {"title": "New"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.summary) == ("New", "Kept.")
    assert stored.actors.count() == 1
    assert stored.citations.count() == 1


def test_patch_of_the_date_derives_start_end_and_precision(editor_api):
    event = EventFactory(date="2025-10-30")
    etag = etag_of(editor_api, event_url(event.slug))

    body = editor_api.patch(
        event_url(event.slug), {"date": "2025-21"}, format="json", HTTP_IF_MATCH=etag
    ).json()

    assert (body["date"], body["start"], body["end"], body["precision"]) == (
        "2025-21",
        "2025-03-01",
        "2025-05-31",
        "season",
    )


def test_relations_may_be_sent_as_the_objects_read(editor_api):
    place, actor, tag = PlaceFactory(), ActorFactory(), TagFactory()
    other = EventFactory(place=place, actors=[actor], tags=[tag])
    read = editor_api.get(event_url(other.slug)).json()
    event = EventFactory()
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.patch(
        event_url(event.slug),
        {"place": read["place"], "actors": read["actors"], "tags": read["tags"]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.place, list(event.actors.all()), list(event.tags.all())) == (
        place,
        [actor],
        [tag],
    )


def test_place_null_and_empty_lists_clear_the_relations(editor_api):
    event = EventFactory(place=PlaceFactory(), actors=[ActorFactory()], tags=[TagFactory()])
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.patch(
        event_url(event.slug),
        {"place": None, "actors": [], "tags": []},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200
    event.refresh_from_db()
    assert (event.place, event.actors.count(), event.tags.count()) == (None, 0, 0)


def test_citations_sent_are_the_complete_list(editor_api):
    source = SourceFactory()
    event = EventFactory()
    changed = CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
    dropped = CitationFactory(event=event, source=source, quote=GENEVA_QUOTE)
    untouched = CitationFactory(event=event, source=source, quote=SPRING_QUOTE, note="As is.")
    untouched_version = untouched.version
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.patch(
        event_url(event.slug),
        {
            "citations": [
                {
                    "id": changed.pk,
                    "source": source.pk,
                    "quote": TARIFF_QUOTE,
                    "note": "Now noted.",
                },
                {"id": untouched.pk, "source": source.pk, "quote": SPRING_QUOTE, "note": "As is."},
                {"source": source.pk, "quote": "We have agreed a pause", "locator": "para 1"},
            ]
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    stored = list(event.citations.order_by("pk"))
    assert [(c.quote, c.note) for c in stored] == [
        (TARIFF_QUOTE, "Now noted."),
        (SPRING_QUOTE, "As is."),
        ("We have agreed a pause", ""),
    ]
    assert stored[0].pk == changed.pk
    assert stored[1].pk == untouched.pk
    assert stored[1].version == untouched_version  # unchanged, so not saved
    assert stored[2].locator == "para 1"
    assert stored[2].is_anchored
    assert not Citation.objects.filter(pk=dropped.pk).exists()
    assert [c["id"] for c in response.json()["citations"]] == [c.pk for c in stored]


def test_an_empty_citation_list_deletes_them_all_and_omitting_it_keeps_them(editor_api):
    event = EventFactory()
    CitationFactory(event=event)
    etag = etag_of(editor_api, event_url(event.slug))

    kept = editor_api.patch(
        event_url(event.slug), {"title": "T"}, format="json", HTTP_IF_MATCH=etag
    )
    assert event.citations.count() == 1

    cleared = editor_api.patch(
        event_url(event.slug), {"citations": []}, format="json", HTTP_IF_MATCH=kept["ETag"]
    )

    assert cleared.status_code == 200
    assert cleared.json()["citations"] == []
    assert event.citations.count() == 0


def test_a_citation_may_name_its_source_by_the_embedded_object(editor_api):
    source = SourceFactory()
    response = editor_api.post(
        EVENTS_URL,
        {
            "slug": "s",
            "title": "S",
            "date": "2025",
            "citations": [{"source": source_json(source), "quote": TARIFF_QUOTE}],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert Citation.objects.get().source == source


def test_two_citations_may_swap_their_quotes(editor_api):
    source = SourceFactory()
    event = EventFactory()
    first = CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
    second = CitationFactory(event=event, source=source, quote=GENEVA_QUOTE)
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.patch(
        event_url(event.slug),
        {
            "citations": [
                {"id": first.pk, "source": source.pk, "quote": GENEVA_QUOTE},
                {"id": second.pk, "source": source.pk, "quote": TARIFF_QUOTE},
            ]
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    assert dict(event.citations.values_list("pk", "quote")) == {
        first.pk: GENEVA_QUOTE,
        second.pk: TARIFF_QUOTE,
    }


# Events: invalid input names each bad field, and writes nothing


def test_nested_citation_errors_are_named_by_path(editor_api, stored_state):
    source = SourceFactory()
    event = EventFactory()
    etag = etag_of(editor_api, event_url(event.slug))
    before = stored_state()

    response = editor_api.patch(
        event_url(event.slug),
        {
            "title": "Never written",
            "citations": [
                {"source": 9999, "quote": TARIFF_QUOTE},
                {"source": source.pk, "quote": "Words the article never had."},
                {"source": source.pk, "quote": GENEVA_QUOTE},
            ],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )

    errors = invalid_fields(response)
    assert errors == {
        "citations.0.source": ["There is no source with id 9999."],
        "citations.1.quote": [errors["citations.1.quote"][0]],
    }
    assert "Words the article never had." in errors["citations.1.quote"][0]
    assert stored_state() == before


def test_a_citation_id_of_another_event_is_refused(editor_api, stored_state):
    other = CitationFactory()
    event = EventFactory()
    etag = etag_of(editor_api, event_url(event.slug))
    before = stored_state()

    response = editor_api.patch(
        event_url(event.slug),
        {"citations": [{"id": other.pk, "source": other.source_id, "quote": SPRING_QUOTE}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert set(invalid_fields(response)) == {"citations.0.id"}
    assert stored_state() == before


def test_the_same_quote_twice_in_one_list_is_refused(editor_api, stored_state):
    source = SourceFactory()
    before = stored_state()

    response = editor_api.post(
        EVENTS_URL,
        {
            "slug": "twice",
            "title": "T",
            "date": "2025",
            "citations": [
                {"source": source.pk, "quote": TARIFF_QUOTE},
                {"source": source.pk, "quote": TARIFF_QUOTE},
            ],
        },
        format="json",
    )

    assert set(invalid_fields(response)) == {"citations.1.quote"}
    assert stored_state() == before


def test_unknown_fields_are_refused_by_name(editor_api, stored_state):
    before = stored_state()

    response = editor_api.post(
        EVENTS_URL,
        {"slug": "x", "title": "X", "date": "2025", "titel": "typo", "colour": "red"},
        format="json",
    )

    errors = invalid_fields(response)
    assert errors == {"colour": ["Unknown field."], "titel": ["Unknown field."]}
    assert stored_state() == before


def test_unknown_fields_inside_a_citation_are_refused_by_path(editor_api, stored_state):
    source = SourceFactory()
    before = stored_state()

    response = editor_api.post(
        EVENTS_URL,
        {
            "slug": "x",
            "title": "X",
            "date": "2025",
            "citations": [{"source": source.pk, "quote": TARIFF_QUOTE, "page": 3}],
        },
        format="json",
    )

    assert invalid_fields(response) == {"citations.0.page": ["Unknown field."]}
    assert stored_state() == before


def test_an_invalid_edtf_date_is_a_400_naming_date(editor_api, stored_state):
    before = stored_state()

    for date in ["2025-13-45", "next Tuesday", "", "2025-10-30/2025-10-01"]:
        response = editor_api.post(
            EVENTS_URL, {"slug": "x", "title": "X", "date": date}, format="json"
        )

        assert set(invalid_fields(response)) == {"date"}, date
        assert stored_state() == before, date


def test_a_taken_slug_is_a_400_naming_slug(editor_api, stored_state):
    EventFactory(slug="taken")
    event = EventFactory(slug="mine")
    etag = etag_of(editor_api, event_url("mine"))
    before = stored_state()

    created = editor_api.post(
        EVENTS_URL, {"slug": "taken", "title": "X", "date": "2025"}, format="json"
    )
    renamed = editor_api.patch(
        event_url(event.slug), {"slug": "taken"}, format="json", HTTP_IF_MATCH=etag
    )

    assert set(invalid_fields(created)) == {"slug"}
    assert set(invalid_fields(renamed)) == {"slug"}
    assert stored_state() == before


WRONG_EVENT_FIELDS = [
    ({"title": {"en": "X"}}, {"title"}),
    ({"title": ""}, {"title"}),
    ({"slug": "Not A Slug"}, {"slug"}),
    ({"status": "bogus"}, {"status"}),
    ({"place": "nowhere"}, {"place"}),
    ({"place": 7}, {"place"}),
    ({"actors": "one-actor"}, {"actors"}),
    ({"actors": ["nobody"]}, {"actors"}),
    ({"tags": [None]}, {"tags"}),
    ({"tags": None}, {"tags"}),
    ({"citations": "all of them"}, {"citations.non_field_errors"}),
    ({"citations": [{"source": "one", "quote": TARIFF_QUOTE}]}, {"citations.0.source"}),
    ({"citations": [{"source": True, "quote": TARIFF_QUOTE}]}, {"citations.0.source"}),
    ({"citations": [{"quote": TARIFF_QUOTE}]}, {"citations.0.source"}),
    ({"citations": [7]}, {"citations.0.non_field_errors"}),
]


def test_wrong_types_and_values_are_a_400_naming_the_field(editor_api, stored_state):
    event = EventFactory(slug="target")
    etag = etag_of(editor_api, event_url(event.slug))
    before = stored_state()

    for payload, fields in WRONG_EVENT_FIELDS:
        response = editor_api.patch(event_url("target"), payload, format="json", HTTP_IF_MATCH=etag)

        with checking(payload):
            assert set(invalid_fields(response)) == fields
            assert stored_state() == before


def test_a_missing_required_field_is_named(editor_api):
    response = editor_api.post(EVENTS_URL, {"title": "No slug, no date"}, format="json")

    assert set(invalid_fields(response)) == {"slug", "date"}


# Bad requests: every error is JSON and nothing is stored


def test_malformed_json_is_a_400_parse_error(editor_api, stored_state):
    event = EventFactory()
    etag = etag_of(editor_api, event_url(event.slug))
    before = stored_state()

    for method in ("post", "patch", "put"):
        url = EVENTS_URL if method == "post" else event_url(event.slug)

        response = getattr(editor_api, method)(
            url, '{"title": "X",', content_type="application/json", HTTP_IF_MATCH=etag
        )

        with checking(method):
            assert_error(response, 400, "parse_error")
            assert stored_state() == before


def test_a_body_that_is_not_a_json_object_is_a_400(editor_api, stored_state):
    before = stored_state()

    for body in ["[]", '[{"slug": "x"}]', '"a string"', "42", "null"]:
        response = editor_api.post(EVENTS_URL, body, content_type="application/json")

        assert response.status_code == 400, body
        assert response["Content-Type"] == "application/json", body
        assert {"detail", "code"} <= set(response.json()), body
        assert stored_state() == before, body


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_body_is_a_413_in_json(editor_api, stored_state):
    before = stored_state()
    body = json.dumps({"slug": "big", "title": "Big", "date": "2025", "summary": "x" * 2000})

    response = editor_api.post(EVENTS_URL, body, content_type="application/json")

    detail = assert_error(response, 413, "request_too_large")["detail"]
    assert "1000" in detail
    assert stored_state() == before


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_under_the_limit_is_accepted(editor_api):
    body = json.dumps({"slug": "small", "title": "Small", "date": "2025", "summary": "x" * 500})

    assert editor_api.post(EVENTS_URL, body, content_type="application/json").status_code == 201


def test_an_unsupported_content_type_is_a_415(editor_api, stored_state):
    before = stored_state()

    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"]:
        response = editor_api.post(
            EVENTS_URL, "slug=x&title=X&date=2025", content_type=content_type
        )

        with checking(content_type):
            assert_error(response, 415, "unsupported_media_type")
            assert stored_state() == before


def test_a_method_not_allowed_is_a_json_405(editor_api, stored_state):
    EventFactory(slug="e")
    before = stored_state()

    for method, url in [
        ("put", EVENTS_URL),
        ("delete", EVENTS_URL),
        ("patch", TIMELINES_URL),
        ("delete", "/api/v1/deleted-events/"),
        ("get", "/api/v1/events/e/publish/"),
    ]:
        response = getattr(editor_api, method)(url, {}, format="json")

        with checking(method, url):
            assert_error(response, 405, "method_not_allowed")
            assert stored_state() == before


# Publishing


def test_publish_makes_a_draft_public_and_unpublish_hides_it_again(api_client, editor_api):
    event = EventFactory(published_at=None, explained=True)

    published = editor_api.post(f"{event_url(event.slug)}publish/")

    assert published.status_code == 200
    assert published.json()["published_at"] is not None
    assert published["ETag"] == f'"{published.json()["version"]}"'
    assert published["Cache-Control"] == PRIVATE
    assert api_client.get(event_url(event.slug)).status_code == 200
    assert api_client.get(EVENTS_URL).json()["count"] == 1

    unpublished = editor_api.post(f"{event_url(event.slug)}unpublish/")

    assert unpublished.status_code == 200
    assert unpublished.json()["published_at"] is None
    assert unpublished.json()["version"] == published.json()["version"] + 1
    assert_error(api_client.get(event_url(event.slug)), 404, "not_found")
    assert Event.objects.get(pk=event.pk).published_at is None


def test_publishing_a_published_event_keeps_its_date_and_version(editor_api):
    published_at = datetime.datetime(2025, 11, 1, 9, 30, tzinfo=datetime.UTC)
    event = EventFactory(published_at=published_at)
    before = Event.objects.get(pk=event.pk).version

    response = editor_api.post(f"{event_url(event.slug)}publish/")

    assert response.status_code == 200
    assert response.json()["published_at"] == "2025-11-01T09:30:00Z"
    assert response.json()["version"] == before


def test_publishing_an_unknown_event_is_a_404(editor_api):
    assert_error(editor_api.post(f"{event_url('nothing')}publish/"), 404, "not_found")


# Deleting events


def test_delete_removes_the_event_and_its_citations(api_client, editor_api):
    event = EventFactory()
    citation = CitationFactory(event=event)
    etag = etag_of(editor_api, event_url(event.slug))

    response = editor_api.delete(event_url(event.slug), HTTP_IF_MATCH=etag)

    assert response.status_code == 204
    assert response.content == b""
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert Source.objects.filter(pk=citation.source_id).exists()  # sources are kept
    assert_error(api_client.get(event_url(event.slug)), 404, "not_found")


# Citations endpoint


def test_create_a_citation_on_its_own(editor_api):
    event = EventFactory()
    source = SourceFactory()
    event_version = Event.objects.get(pk=event.pk).version

    response = editor_api.post(
        CITATIONS_URL,
        {
            "event": event.slug,
            "source": source.pk,
            "quote": SPRING_QUOTE,
            "locator": "last line",
            "note": "Next round.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    citation = Citation.objects.get()
    start = SAMPLE_TEXT.index(SPRING_QUOTE)
    assert response.json() == {
        "id": citation.pk,
        "quote": SPRING_QUOTE,
        "locator": "last line",
        "note": "Next round.",
        "selectors": [
            {
                "type": "TextQuoteSelector",
                "exact": SPRING_QUOTE,
                "prefix": SAMPLE_TEXT[start - 32 : start],
                "suffix": "",
            },
            {"type": "TextPositionSelector", "start": start, "end": start + len(SPRING_QUOTE)},
        ],
        "anchored": True,
        "source": source_json(source),
        "event": event.slug,
        "version": citation.version,
    }
    assert response["ETag"] == f'"{citation.version}"'
    assert response["Location"] == f"http://testserver/api/v1/citations/{citation.pk}/"
    # The event's version covers its citations.
    assert Event.objects.get(pk=event.pk).version == event_version + 1


def test_a_citation_quote_not_in_the_source_is_refused(editor_api, stored_state):
    event, source = EventFactory(), SourceFactory()
    before = stored_state()

    response = editor_api.post(
        CITATIONS_URL,
        {"event": event.slug, "source": source.pk, "quote": "Tariffs will rise to 99%."},
        format="json",
    )

    assert set(invalid_fields(response)) == {"quote"}
    assert stored_state() == before


def test_a_source_id_too_big_for_a_float_is_a_400(editor, stored_state):
    client = APIClient(raise_request_exception=False)
    client.force_login(editor)
    event = EventFactory(slug="e")
    before = stored_state()

    created = client.post(
        CITATIONS_URL,
        '{"event": "e", "source": 1e309, "quote": "Q"}',
        content_type="application/json",
    )
    nested = client.patch(
        event_url(event.slug),
        '{"citations": [{"source": 1e309, "quote": "Q"}]}',
        content_type="application/json",
        HTTP_IF_MATCH=f'"{event.version}"',
    )

    assert set(invalid_fields(created)) == {"source"}
    assert set(invalid_fields(nested)) == {"citations.0.source"}
    assert stored_state() == before


def test_a_duplicate_citation_is_refused(editor_api, stored_state):
    citation = CitationFactory()
    before = stored_state()

    response = editor_api.post(
        CITATIONS_URL,
        {"event": citation.event.slug, "source": citation.source_id, "quote": citation.quote},
        format="json",
    )

    assert response.status_code == 400
    assert invalid_fields(response)
    assert stored_state() == before


def test_citation_fields_are_validated_by_name(editor_api):
    event, source = EventFactory(slug="e"), SourceFactory()
    valid = {"event": event.slug, "source": source.pk, "quote": TARIFF_QUOTE}

    for payload, fields in [
        ({"event": "no-such-event"}, {"event"}),
        ({"source": 9999}, {"source"}),
        ({"source": "9999"}, {"source"}),
        ({"source": "9" * 25}, {"source"}),
        ({"source": 1.5}, {"source"}),
        ({"quote": ""}, {"quote"}),
        ({"quote": ["a", "list"]}, {"quote"}),
    ]:
        response = editor_api.post(CITATIONS_URL, valid | payload, format="json")

        with checking(payload):
            assert set(invalid_fields(response)) == fields
            assert not Citation.objects.exists()

    # The read shape's fields are ignored.
    read_shape = {"selectors": [], "id": 1, "version": 3}
    assert editor_api.post(CITATIONS_URL, valid | read_shape, format="json").status_code == 201


def test_changing_or_deleting_a_citation_moves_its_events_version(editor_api):
    citation = CitationFactory(note="Old note")
    url = event_url(citation.event.slug)
    event_etag = etag_of(editor_api, url)
    citation_url = f"{CITATIONS_URL}{citation.pk}/"

    changed = editor_api.patch(
        citation_url,
        {"note": "New note"},
        format="json",
        HTTP_IF_MATCH=etag_of(editor_api, citation_url),
    )

    assert changed.status_code == 200
    assert changed.json()["note"] == "New note"
    # An edit of the event from before the citation changed would overwrite it unseen.
    stale = editor_api.patch(url, {"title": "X"}, format="json", HTTP_IF_MATCH=event_etag)
    assert_error(stale, 412, "precondition_failed")

    event_etag = etag_of(editor_api, url)
    deleted = editor_api.delete(citation_url, HTTP_IF_MATCH=changed["ETag"])

    assert deleted.status_code == 204
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert etag_of(editor_api, url) != event_etag


def test_moving_a_citation_to_another_event_moves_both_versions(editor_api):
    citation = CitationFactory()
    old_event, new_event = citation.event, EventFactory()
    versions = {e.pk: Event.objects.get(pk=e.pk).version for e in (old_event, new_event)}

    response = editor_api.patch(
        f"{CITATIONS_URL}{citation.pk}/",
        {"event": new_event.slug},
        format="json",
        HTTP_IF_MATCH=f'"{citation.version}"',
    )

    assert response.status_code == 200
    assert response.json()["event"] == new_event.slug
    for pk, version in versions.items():
        assert Event.objects.get(pk=pk).version == version + 1


def test_citation_list_shows_citations_of_published_events_only(api_client, editor_api):
    published, draft = EventFactory(slug="published"), EventFactory(published_at=None)
    source, other_source = SourceFactory(), SourceFactory()
    first = CitationFactory(event=published, source=source)
    second = CitationFactory(event=EventFactory(), source=other_source)
    hidden = CitationFactory(event=draft, source=source)

    everything = api_client.get(CITATIONS_URL).json()
    by_event = api_client.get(CITATIONS_URL, {"event": "published"}).json()
    by_source = api_client.get(CITATIONS_URL, {"source": source.pk}).json()
    with_drafts = editor_api.get(CITATIONS_URL, DRAFTS).json()

    assert [c["id"] for c in everything["results"]] == [first.pk, second.pk]
    assert [c["id"] for c in by_event["results"]] == [first.pk]
    assert [c["id"] for c in by_source["results"]] == [first.pk]
    assert [c["id"] for c in with_drafts["results"]] == [first.pk, second.pk, hidden.pk]
    assert_error(api_client.get(f"{CITATIONS_URL}{hidden.pk}/"), 404, "not_found")
    assert api_client.get(f"{CITATIONS_URL}{first.pk}/").json()["event"] == "published"


def test_citation_list_source_filter_must_be_an_id(api_client):
    for value in ["abc", "1.5", "-1", "0", "9" * 25]:
        response = api_client.get(CITATIONS_URL, {"source": value})

        assert set(invalid_fields(response)) == {"source"}, value


def test_citation_list_source_filter_refuses_digit_like_characters():
    client = APIClient(raise_request_exception=False)

    response = client.get(CITATIONS_URL, {"source": "²"})

    assert set(invalid_fields(response)) == {"source"}


def test_citation_list_query_count_is_constant(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    CitationFactory(event=EventFactory(published_at=None))
    for count in (1, 10):
        with django_capture_on_commit_callbacks(execute=True):  # the writes commit
            for _ in range(count - Citation.objects.count() + 1):
                CitationFactory(event=EventFactory(), source=SourceFactory())

        # 1. the content generation; 2. COUNT of citations of published events;
        # 3. the ids of the page's; 4. those citations, JOIN source; 5. their
        # events' slugs.
        with django_assert_num_queries(5):
            body = api_client.get(CITATIONS_URL).json()

        assert body["count"] == count


# Timelines


def test_editor_creates_a_timeline_as_a_draft_with_its_events(api_client, editor_api):
    published, draft = EventFactory(slug="published"), EventFactory(slug="draft", published_at=None)

    response = editor_api.post(
        TIMELINES_URL,
        {
            "slug": "trade-war",
            "title": "The trade war",
            "description": "Tariffs and truces.",
            "events": ["published", "draft"],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    timeline = Timeline.objects.get(slug="trade-war")
    assert response.json() == {
        "url": "http://testserver/api/v1/timelines/trade-war/",
        "slug": "trade-war",
        "title": "The trade war",
        "description": "Tariffs and truces.",
        "event_count": 2,
        "published_at": None,
        "events": response.json()["events"],
        "version": timeline.version,
        "updated_at": iso(timeline.updated_at),
    }
    assert response["ETag"] == f'"{timeline.version}"'
    assert response["Cache-Control"] == PRIVATE
    assert sorted(response.json()["events"]) == ["draft", "published"]
    assert set(timeline.events.all()) == {published, draft}
    assert_error(api_client.get(f"{TIMELINES_URL}trade-war/"), 404, "not_found")


def test_public_timeline_json_has_no_version_but_the_editors_view_does(api_client, editor_api):
    timeline = TimelineFactory(
        events=[
            EventFactory(slug="a", title="A"),
            EventFactory(slug="b", title="B", published_at=None),
        ]
    )
    url = f"{TIMELINES_URL}{timeline.slug}/"

    public_detail = api_client.get(url).json()
    public_list = api_client.get(TIMELINES_URL).json()["results"][0]
    editors_detail = editor_api.get(url, DRAFTS).json()
    editors_list = editor_api.get(TIMELINES_URL, DRAFTS).json()["results"][0]

    for public in (public_detail, public_list):
        assert "version" not in public
        assert "updated_at" not in public
        assert public["event_count"] == 1
    assert [e["slug"] for e in public_detail["events"]] == ["a"]
    assert editors_detail["version"] == editors_list["version"] == timeline.version
    assert [e["slug"] for e in editors_detail["events"]] == ["a", "b"]
    assert sorted(editors_list["events"]) == ["a", "b"]
    assert editors_list["event_count"] == 2


def test_timeline_events_are_replaced_by_the_slugs_sent(editor_api):
    kept, dropped, added = EventFactory(), EventFactory(), EventFactory(published_at=None)
    timeline = TimelineFactory(events=[kept, dropped])
    url = f"{TIMELINES_URL}{timeline.slug}/"

    response = editor_api.patch(
        url,
        {"events": [kept.slug, added.slug]},
        format="json",
        HTTP_IF_MATCH=etag_of(editor_api, url),
    )

    assert response.status_code == 200, response.content
    assert sorted(response.json()["events"]) == sorted([kept.slug, added.slug])
    assert set(timeline.events.all()) == {kept, added}


def test_an_editors_timeline_read_round_trips_with_put(editor_api):
    timeline = TimelineFactory(
        description="About trade.", events=[EventFactory(), EventFactory(published_at=None)]
    )
    url = f"{TIMELINES_URL}{timeline.slug}/"
    read = editor_api.get(url, DRAFTS)
    body = read.json() | {"title": "Renamed"}

    response = editor_api.put(url, body, format="json", HTTP_IF_MATCH=read["ETag"])

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    assert timeline.events.count() == 2
    assert Timeline.objects.get(pk=timeline.pk).description == "About trade."


def test_timeline_errors_name_the_field(editor_api, stored_state):
    TimelineFactory(slug="taken")
    before = stored_state()

    response = editor_api.post(
        TIMELINES_URL,
        {"slug": "taken", "title": "", "events": ["no-such-event"], "owner": "me"},
        format="json",
    )

    assert set(invalid_fields(response)) == {"owner"}
    response = editor_api.post(
        TIMELINES_URL, {"slug": "taken", "title": "", "events": ["no-such-event"]}, format="json"
    )
    assert set(invalid_fields(response)) == {"slug", "title", "events"}
    assert stored_state() == before


def test_timeline_publish_and_unpublish(api_client, editor_api):
    timeline = TimelineFactory(published_at=None, events=[EventFactory()])
    url = f"{TIMELINES_URL}{timeline.slug}/"

    published = editor_api.post(f"{url}publish/")

    assert published.status_code == 200
    assert published.json()["published_at"] is not None
    assert api_client.get(url).status_code == 200

    unpublished = editor_api.post(f"{url}unpublish/", HTTP_IF_MATCH=published["ETag"])

    assert unpublished.status_code == 200
    assert unpublished.json()["published_at"] is None
    assert_error(api_client.get(url), 404, "not_found")


def test_timeline_delete_keeps_its_events(editor_api):
    event = EventFactory()
    timeline = TimelineFactory(events=[event])
    url = f"{TIMELINES_URL}{timeline.slug}/"

    response = editor_api.delete(url, HTTP_IF_MATCH=etag_of(editor_api, url))

    assert response.status_code == 204
    assert not Timeline.objects.exists()
    assert Event.objects.filter(pk=event.pk).exists()


# The public timeline does not move while editors work on drafts


def _public_payloads(client, timeline) -> tuple[bytes, bytes]:
    detail = client.get(f"{TIMELINES_URL}{timeline.slug}/")
    listing = client.get(TIMELINES_URL)
    assert detail.status_code == listing.status_code == 200
    return detail.content, listing.content


def test_public_timeline_payload_ignores_drafts_and_follows_published_events(
    api_client, editor_api
):
    source = SourceFactory()
    shown = EventFactory(slug="shown", date="2025-10-01")
    CitationFactory(event=shown, source=source)
    timeline = TimelineFactory(events=[shown])
    timeline_url = f"{TIMELINES_URL}{timeline.slug}/"
    original = _public_payloads(api_client, timeline)

    # A new draft event, citing the same source.
    created = editor_api.post(
        EVENTS_URL,
        {
            "slug": "draft",
            "title": "Draft",
            "date": "2025-10-02",
            "date_note": "The wire dates the Geneva talks in its report.",
            "citations": [{"source": source.pk, "quote": GENEVA_QUOTE}],
        },
        format="json",
    )
    assert created.status_code == 201
    assert _public_payloads(api_client, timeline) == original

    # The draft joins the timeline.
    joined = editor_api.patch(
        timeline_url,
        {"events": ["shown", "draft"]},
        format="json",
        HTTP_IF_MATCH=etag_of(editor_api, timeline_url),
    )
    assert joined.status_code == 200
    assert _public_payloads(api_client, timeline) == original

    # The draft is edited, its citations too.
    edited = editor_api.patch(
        event_url("draft"),
        {"title": "Draft, edited", "citations": [{"source": source.pk, "quote": SPRING_QUOTE}]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    assert edited.status_code == 200
    assert _public_payloads(api_client, timeline) == original

    # The draft is deleted.
    deleted = editor_api.delete(event_url("draft"), HTTP_IF_MATCH=edited["ETag"])
    assert deleted.status_code == 204
    assert _public_payloads(api_client, timeline) == original

    # A second draft joins, and is published: now the public sees it.
    second = EventFactory(slug="second", date="2025-10-03", published_at=None, explained=True)
    timeline.events.add(second)
    assert _public_payloads(api_client, timeline) == original
    published = editor_api.post(f"{event_url('second')}publish/")
    assert published.status_code == 200
    after_publish = _public_payloads(api_client, timeline)
    assert after_publish[0] != original[0]
    assert after_publish[1] != original[1]  # the event count
    detail = json.loads(after_publish[0])
    assert [e["slug"] for e in detail["events"]] == ["shown", "second"]

    # A published event in it is edited.
    retitled = editor_api.patch(
        event_url("shown"),
        {"title": "Shown, retitled"},
        format="json",
        HTTP_IF_MATCH=etag_of(editor_api, event_url("shown")),
    )
    assert retitled.status_code == 200
    after_edit = _public_payloads(api_client, timeline)
    assert after_edit[0] != after_publish[0]
    assert json.loads(after_edit[0])["events"][0]["title"] == "Shown, retitled"

    # One is unpublished.
    unpublished = editor_api.post(f"{event_url('second')}unpublish/")
    assert unpublished.status_code == 200
    after_unpublish = _public_payloads(api_client, timeline)
    assert after_unpublish[0] != after_edit[0]
    assert after_unpublish[1] != after_edit[1]
    assert [e["slug"] for e in json.loads(after_unpublish[0])["events"]] == ["shown"]


def test_public_timeline_payload_follows_a_citation_edited_on_a_published_event(
    api_client, editor_api
):
    citation = CitationFactory(note="Before")
    timeline = TimelineFactory(events=[citation.event])
    original = _public_payloads(api_client, timeline)
    url = f"{CITATIONS_URL}{citation.pk}/"

    response = editor_api.patch(
        url, {"note": "After"}, format="json", HTTP_IF_MATCH=etag_of(editor_api, url)
    )

    assert response.status_code == 200
    changed = _public_payloads(api_client, timeline)
    assert changed[0] != original[0]
    assert json.loads(changed[0])["events"][0]["citations"][0]["note"] == "After"


# Actors, places and tags


LOOKUPS = [
    (
        "actors",
        Actor,
        {"slug": "china", "name": "China", "kind": "country", "wikidata_id": "Q148"},
        {"slug": "china", "name": "China", "kind": "country", "wikidata_id": "Q148"},
    ),
    (
        "places",
        Place,
        {"slug": "busan", "name": "Busan", "latitude": "35.17944", "longitude": 129.07556},
        {
            "slug": "busan",
            "name": "Busan",
            "latitude": 35.17944,
            "longitude": 129.07556,
            "wikidata_id": "",
        },
    ),
    (
        "tags",
        Tag,
        {"slug": "tariffs", "name": "Tariffs"},
        {"slug": "tariffs", "name": "Tariffs", "wikidata_id": ""},
    ),
]


def test_lookups_are_created_read_changed_and_deleted_by_slug(api_client, editor_api):
    for collection, model, payload, expected in LOOKUPS:
        list_url = f"/api/v1/{collection}/"
        url = f"{list_url}{payload['slug']}/"
        with checking(collection):
            created = editor_api.post(list_url, payload, format="json")

            assert created.status_code == 201, created.content
            assert created.json() == expected | {"version": 1}
            read = editor_api.get(url)
            assert read.status_code == 200
            assert read["ETag"] == '"1"'
            # Not public while no published event uses it.
            assert api_client.get(url).status_code == 404

            changed = editor_api.patch(url, {"name": "Renamed"}, format="json", HTTP_IF_MATCH='"1"')

            assert changed.status_code == 200
            assert changed.json() == expected | {"name": "Renamed", "version": 2}
            assert changed["ETag"] == '"2"'
            assert model.objects.get().name == "Renamed"

            deleted = editor_api.delete(url, HTTP_IF_MATCH='"2"')

            assert deleted.status_code == 204
            assert not model.objects.exists()


def test_lookup_errors_name_the_field(editor_api, stored_state):
    before = stored_state()

    for collection, payload, fields in [
        ("actors", {"slug": "x", "name": "X", "kind": "alien"}, {"kind"}),
        ("actors", {"slug": "x", "name": "X", "wikidata_id": "148"}, {"wikidata_id"}),
        ("places", {"slug": "x", "name": "X", "latitude": 10}, {"longitude"}),
        ("places", {"slug": "x", "name": "X", "latitude": 91, "longitude": 0}, {"latitude"}),
        ("places", {"slug": "x", "name": "X", "latitude": "north", "longitude": 0}, {"latitude"}),
        ("tags", {"slug": "x"}, {"name"}),
        ("tags", {"slug": "x", "name": "X", "colour": "red"}, {"colour"}),
    ]:
        response = editor_api.post(f"/api/v1/{collection}/", payload, format="json")

        with checking(collection, payload):
            assert set(invalid_fields(response)) == fields
            assert stored_state() == before


def test_a_created_lookups_location_is_its_url(editor_api):
    for collection in ("actors", "places", "tags"):
        response = editor_api.post(
            f"/api/v1/{collection}/", {"slug": "new-one", "name": "New"}, format="json"
        )

        assert response.status_code == 201, collection
        assert response["Location"] == f"http://testserver/api/v1/{collection}/new-one/"
        assert editor_api.get(response["Location"]).status_code == 200, collection


def test_a_taken_lookup_slug_is_a_400(editor_api):
    TagFactory(slug="tariffs")

    response = editor_api.post("/api/v1/tags/", {"slug": "tariffs", "name": "T"}, format="json")

    assert set(invalid_fields(response)) == {"slug"}
    assert Tag.objects.count() == 1


def test_deleting_a_place_an_event_uses_is_a_409_and_deletes_nothing(editor_api, stored_state):
    place = PlaceFactory(slug="busan")
    EventFactory(place=place, title="Trump and Xi meet")
    before = stored_state()

    response = editor_api.delete("/api/v1/places/busan/", HTTP_IF_MATCH=f'"{place.version}"')

    body = assert_error(response, 409, "conflict")
    assert "Trump and Xi meet" in body["detail"]
    # Not even the version moved: the delete was rolled back whole.
    assert stored_state() == before


def test_deleting_an_actor_or_tag_removes_it_from_its_events(editor_api):
    actor, tag = ActorFactory(), TagFactory()
    event = EventFactory(actors=[actor], tags=[tag])

    for url, version in (
        (f"/api/v1/actors/{actor.slug}/", actor.version),
        (f"/api/v1/tags/{tag.slug}/", tag.version),
    ):
        assert editor_api.delete(url, HTTP_IF_MATCH=f'"{version}"').status_code == 204

    assert (event.actors.count(), event.tags.count()) == (0, 0)
    assert Event.objects.filter(pk=event.pk).exists()


def test_lookup_list_query_count_is_constant(api_client, django_assert_num_queries, commit):
    for collection, factory, model in [
        ("actors", ActorFactory, Actor),
        ("places", PlaceFactory, Place),
        ("tags", TagFactory, Tag),
    ]:
        for count in (1, 10):
            with commit():
                # Each used by a published event: readers see no others.
                for lookup in factory.create_batch(count - model.objects.count()):
                    link = "place" if model is Place else collection
                    EventFactory(**{link: lookup if model is Place else [lookup]})

            # 1. COUNT (pagination)
            # 2. the page
            with django_assert_num_queries(3):  # +1: the content generation
                body = api_client.get(f"/api/v1/{collection}/").json()

            assert body["count"] == count, collection


def test_event_list_with_drafts_query_count_is_constant(django_assert_num_queries, editor):
    sources, actors, tags = (
        SourceFactory.create_batch(2),
        ActorFactory.create_batch(2),
        TagFactory.create_batch(2),
    )
    place = PlaceFactory()
    client = APIClient()
    client.force_login(editor)
    for count in (1, 10):
        for i in range(count - Event.objects.count()):
            event = EventFactory(
                place=place,
                actors=actors,
                tags=tags,
                published_at=None if i % 2 else datetime.datetime.now(datetime.UTC),
            )
            CitationFactory(event=event, source=sources[0])
            CitationFactory(event=event, source=sources[1], quote=GENEVA_QUOTE)

        # 1. the session; 2. the signed-in user; 3. the user's own permissions
        # (may they see drafts?); 4. the permissions of the user's groups;
        # 5. COUNT of all events; 6. the ids of the page's events; 7. those
        # events, JOIN place; 8. their actors and tags; 9. their citations,
        # JOIN source (no claims: no query for them).
        with django_assert_num_queries(9):
            body = client.get(EVENTS_URL, DRAFTS).json()

        assert body["count"] == count
        assert all(len(e["citations"]) == 2 and len(e["actors"]) == 2 for e in body["results"])

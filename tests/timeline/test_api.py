"""Tests for the read API (/api/v1/): the JSON contract, visibility, pagination, queries."""

import datetime
import hashlib

import pytest

from sources.models import Source
from tests.conftest import checking
from tests.factories import (
    SAMPLE_TEXT,
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
from timeline.models import Event, Tag, Timeline

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
TIMELINES_URL = "/api/v1/timelines/"
SOURCES_URL = "/api/v1/sources/"

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
# Typed with straight quotes; the source has curly ones, which anchoring tolerates.
PAUSE_QUOTE = '"We have agreed a pause," the minister said'
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."


def iso(value: datetime.datetime) -> str:
    """A UTC datetime as DRF renders it."""
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def bulk_events(count: int, **fields) -> list[Event]:
    """Many published events in one INSERT; bulk_create skips save(), so derive dates here."""
    events = EventFactory.build_batch(count, **fields)
    for event in events:
        event.derive_dates()
    return Event.objects.bulk_create(events)


def rich_event(sources, actors, tags, place, **fields) -> Event:
    """A published event with a place, several actors and tags, and a citation per source.

    Its first two citations state two values of one property: a dispute.
    """
    event = EventFactory(place=place, actors=actors, tags=tags, **fields)
    quotes = [TARIFF_QUOTE, GENEVA_QUOTE, PAUSE_QUOTE]
    citations = [
        CitationFactory(event=event, source=source, quote=quote)
        for source, quote in zip(sources, quotes, strict=False)
    ]
    rate = ClaimPropertyFactory(slug="tariff-rate", name="Tariff rate", kind="percentage")
    for value, citation in zip(["47%", "57%"], citations, strict=False):
        ClaimFactory(event=event, property=rate, value=value, citations=[citation])
    return event


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    return body


# API root


def test_api_root_lists_the_collections(api_client):
    response = api_client.get("/api/v1/")

    assert response.status_code == 200
    assert response.json() == {
        "timelines": "http://testserver/api/v1/timelines/",
        "events": "http://testserver/api/v1/events/",
        "deleted-events": "http://testserver/api/v1/deleted-events/",
        "citations": "http://testserver/api/v1/citations/",
        "sources": "http://testserver/api/v1/sources/",
        "actors": "http://testserver/api/v1/actors/",
        "places": "http://testserver/api/v1/places/",
        "tags": "http://testserver/api/v1/tags/",
        "claims": "http://testserver/api/v1/claims/",
        "properties": "http://testserver/api/v1/properties/",
    }


# Timelines


def test_timeline_list_shows_only_published_timelines_with_published_event_counts(api_client):
    published, draft = EventFactory.create_batch(2), EventFactory(published_at=None)
    shared = TimelineFactory(title="A trade war", events=[*published, draft])
    empty = TimelineFactory(title="B quiet year")
    TimelineFactory(title="C unpublished", published_at=None, events=published)

    response = api_client.get(TIMELINES_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"] == [
        {
            "url": f"http://testserver/api/v1/timelines/{shared.slug}/",
            "slug": shared.slug,
            "title": "A trade war",
            "description": "",
            "event_count": 2,
            "published_at": iso(shared.published_at),
        },
        {
            "url": f"http://testserver/api/v1/timelines/{empty.slug}/",
            "slug": empty.slug,
            "title": "B quiet year",
            "description": "",
            "event_count": 0,
            "published_at": iso(empty.published_at),
        },
    ]


def test_timeline_event_count_counts_an_event_once_per_timeline(api_client):
    event = EventFactory()
    TimelineFactory(title="One", events=[event])
    TimelineFactory(title="Two", events=[event])

    results = api_client.get(TIMELINES_URL).json()["results"]

    assert [(t["title"], t["event_count"]) for t in results] == [("One", 1), ("Two", 1)]


def test_timeline_detail_lists_published_events_in_date_order(api_client):
    # Created out of order so that neither pk nor insertion order gives the answer.
    late_range = EventFactory(title="E wider range", date="2025-10-30/2025-11-02")
    day_b = EventFactory(title="D day B", date="2025-10-30")
    day_a = EventFactory(title="C day A", date="2025-10-30")
    draft = EventFactory(title="A draft", date="2025-09-01", published_at=None)
    short_range = EventFactory(title="B range", date="2025-10-25/2025-10-30")
    month = EventFactory(title="Z month", date="2025-10")
    timeline = TimelineFactory(events=[late_range, day_b, day_a, draft, short_range, month])
    source = SourceFactory()
    CitationFactory(event=day_a, source=source, quote=TARIFF_QUOTE)
    CitationFactory(event=day_a, source=source, quote=GENEVA_QUOTE)

    response = api_client.get(f"/api/v1/timelines/{timeline.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["slug"] == timeline.slug
    assert body["event_count"] == 5
    assert [event["slug"] for event in body["events"]] == [
        month.slug,  # starts 1 October
        short_range.slug,  # starts 25 October
        day_a.slug,  # 30 October, one day: title breaks the tie
        day_b.slug,
        late_range.slug,  # 30 October, but ends later
    ]
    cited = body["events"][2]
    assert [c["quote"] for c in cited["citations"]] == [TARIFF_QUOTE, GENEVA_QUOTE]
    assert {c["source"]["slug"] for c in cited["citations"]} == {source.slug}
    assert cited["citations"][0]["source"]["title"] == source.title
    assert len(cited["citations"][0]["selectors"]) == 2


def test_timeline_detail_for_an_unknown_slug_is_a_json_404(api_client):
    response = api_client.get("/api/v1/timelines/no-such-timeline/")

    assert_error(response, 404, "not_found")


def test_draft_timeline_is_404(api_client):
    timeline = TimelineFactory(published_at=None, events=[EventFactory()])

    response = api_client.get(f"/api/v1/timelines/{timeline.slug}/")

    assert_error(response, 404, "not_found")


# Events


def test_event_json_is_the_contract_shape(api_client):
    place = PlaceFactory(
        name="Busan, South Korea",
        slug="busan",
        latitude="35.17944",
        longitude="129.07556",
        wikidata_id="Q16520",
    )
    trump = ActorFactory(name="Donald Trump", slug="donald-trump", wikidata_id="Q22686")
    china = ActorFactory(name="China", slug="china", kind="country", wikidata_id="Q148")
    tariffs = TagFactory(name="Tariffs", slug="tariffs", wikidata_id="Q167853")
    truce = TagFactory(name="Truce", slug="truce")
    source = SourceFactory(
        slug="wire-geneva",
        title="Ministers agree a pause",
        publisher="Example Wire",
        url="https://news.example.org/geneva",
        published_on=datetime.date(2025, 10, 30),
        language="en-GB",
    )
    published_at = datetime.datetime(2025, 11, 1, 9, 30, tzinfo=datetime.UTC)
    tour = EventFactory(slug="asia-tour", title="Trump tours Asia", date="2025-10")
    event = EventFactory(
        slug="busan-meeting",
        title="Trump and Xi meet in Busan",
        summary="The two leaders agree a one-year truce.",
        date="2025-10-25/2025-10-26",
        display_date="Late October 2025",
        status="scheduled",
        super_event=tour,
        day_order=2,
        place=place,
        actors=[trump, china],
        tags=[truce, tariffs],
        published_at=published_at,
    )
    EventFactory(slug="truce-signed", title="Truce signed", date="2025-10-26", super_event=event)
    EventFactory(slug="draft-part", date="2025-10-25", super_event=event, published_at=None)
    tariff = CitationFactory(
        event=event, source=source, quote=TARIFF_QUOTE, locator="para 3", note="The cut."
    )
    pause = CitationFactory(event=event, source=source, quote=PAUSE_QUOTE)
    rate = ClaimPropertyFactory(slug="tariff-rate", name="Tariff rate", kind="percentage")
    claim = ClaimFactory(event=event, property=rate, value="47%", citations=[tariff])
    event.refresh_from_db()

    response = api_client.get(f"/api/v1/events/{event.slug}/")

    assert response.status_code == 200
    source_json = {
        "id": source.pk,
        "slug": "wire-geneva",
        "title": "Ministers agree a pause",
        "publisher": "Example Wire",
        "url": "https://news.example.org/geneva",
        "published_on": "2025-10-30",
        "language": "en-GB",
    }
    assert response.json() == {
        "url": "http://testserver/api/v1/events/busan-meeting/",
        "slug": "busan-meeting",
        "title": "Trump and Xi meet in Busan",
        "summary": "The two leaders agree a one-year truce.",
        "date": "2025-10-25/2025-10-26",
        "display_date": "Late October 2025",
        "start": "2025-10-25",
        "end": "2025-10-26",
        "precision": "day",
        "day_order": 2,
        # Neither quote holds a date (tests/timeline/test_date_evidence.py has those).
        "date_evidence": {"state": "unsupported", "citations": [], "note": "", "other": []},
        "status": "scheduled",
        "super_event": {
            "slug": "asia-tour",
            "title": "Trump tours Asia",
            "url": "http://testserver/api/v1/events/asia-tour/",
        },
        # Its published parts only.
        "sub_events": [
            {
                "slug": "truce-signed",
                "title": "Truce signed",
                "url": "http://testserver/api/v1/events/truce-signed/",
            }
        ],
        "place": {
            "slug": "busan",
            "name": "Busan, South Korea",
            "latitude": 35.17944,
            "longitude": 129.07556,
            "wikidata_id": "Q16520",
        },
        # Actors and tags come in name order.
        "actors": [
            {"slug": "china", "name": "China", "kind": "country", "wikidata_id": "Q148"},
            {
                "slug": "donald-trump",
                "name": "Donald Trump",
                "kind": "person",
                "wikidata_id": "Q22686",
            },
        ],
        "tags": [
            {"slug": "tariffs", "name": "Tariffs", "wikidata_id": "Q167853"},
            {"slug": "truce", "name": "Truce", "wikidata_id": ""},
        ],
        "citations": [
            {
                "id": tariff.pk,
                "quote": TARIFF_QUOTE,
                "locator": "para 3",
                "note": "The cut.",
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
                "source": source_json,
            },
            {
                "id": pause.pk,
                "quote": PAUSE_QUOTE,
                "locator": "",
                "note": "",
                "selectors": [
                    {
                        "type": "TextQuoteSelector",
                        # As it stands in the source: curly quotes.
                        "exact": "“We have agreed a pause,” the minister said",
                        "prefix": "isters met in Geneva on Monday. ",
                        "suffix": " after the talks — the first in ",
                    },
                    {"type": "TextPositionSelector", "start": 45, "end": 88},
                ],
                "anchored": True,
                "source": source_json,
            },
        ],
        "claims": [
            {
                "property": {"slug": "tariff-rate", "name": "Tariff rate", "kind": "percentage"},
                "disputed": False,
                "values": [
                    {
                        "id": claim.pk,
                        "value": "47%",
                        "normalized": {
                            "text": "47%",
                            "qualifier": "exactly",
                            "approximate": False,
                            "amount": 47,
                            "upper": None,
                            "unit": "percent",
                            "interval": {
                                "lower": 47,
                                "upper": 47,
                                "lower_open": False,
                                "upper_open": False,
                            },
                        },
                        "conflicts_with": [],
                        "rank": "normal",
                        "rank_note": "",
                        "citations": [tariff.pk],
                        "sources": [source_json],
                    }
                ],
            }
        ],
        "published_at": "2025-11-01T09:30:00Z",
        "version": 1,
        "updated_at": iso(event.updated_at),
    }


def test_event_coordinates_are_json_numbers(api_client):
    place = PlaceFactory(latitude="-33.86785", longitude="-151.20732")
    event = EventFactory(place=place)

    place_json = api_client.get(f"/api/v1/events/{event.slug}/").json()["place"]

    assert isinstance(place_json["latitude"], float)
    assert isinstance(place_json["longitude"], float)
    assert (place_json["latitude"], place_json["longitude"]) == (-33.86785, -151.20732)


def test_event_without_place_has_null_place(api_client):
    event = EventFactory()

    body = api_client.get(f"/api/v1/events/{event.slug}/").json()

    assert body["place"] is None
    assert body["actors"] == []
    assert body["tags"] == []
    assert body["citations"] == []


def test_selector_positions_slice_the_source_text(api_client):
    source = SourceFactory()
    event = EventFactory()
    for quote in (TARIFF_QUOTE, PAUSE_QUOTE, GENEVA_QUOTE):
        CitationFactory(event=event, source=source, quote=quote)

    citations = api_client.get(f"/api/v1/events/{event.slug}/").json()["citations"]

    assert len(citations) == 3
    for citation in citations:
        quote_selector, position_selector = citation["selectors"]
        start, end = position_selector["start"], position_selector["end"]
        assert SAMPLE_TEXT[start:end] == quote_selector["exact"]
        assert SAMPLE_TEXT[:start].endswith(quote_selector["prefix"])
        assert SAMPLE_TEXT[end:].startswith(quote_selector["suffix"])


def test_citation_of_a_source_without_text_has_no_selectors(api_client):
    source = SourceFactory(text="")
    citation = CitationFactory(source=source, quote="Words we could not check.")

    body = api_client.get(f"/api/v1/events/{citation.event.slug}/").json()

    assert body["citations"][0]["quote"] == "Words we could not check."
    assert body["citations"][0]["selectors"] == []
    assert body["citations"][0]["source"]["slug"] == source.slug


def test_event_detail_for_an_unknown_slug_is_a_json_404(api_client):
    EventFactory()

    assert_error(api_client.get("/api/v1/events/no-such-event/"), 404, "not_found")


def test_draft_event_is_404_to_anonymous_readers(api_client):
    draft = EventFactory(published_at=None)

    assert_error(api_client.get(f"/api/v1/events/{draft.slug}/"), 404, "not_found")
    assert api_client.get(EVENTS_URL).json()["count"] == 0


def test_draft_event_is_404_to_editors_too(api_client, editor):
    draft = EventFactory(published_at=None)
    api_client.force_login(editor)

    assert_error(api_client.get(f"/api/v1/events/{draft.slug}/"), 404, "not_found")
    assert api_client.get(EVENTS_URL).json()["count"] == 0


def test_event_list_shows_only_published_events_in_date_order(api_client):
    later = EventFactory(date="2025-11-02")
    EventFactory(date="2025-10-01", published_at=None)
    earlier = EventFactory(date="2025-10-30")

    body = api_client.get(EVENTS_URL).json()

    assert body["count"] == 2
    assert [event["slug"] for event in body["results"]] == [earlier.slug, later.slug]


# Sources


def test_source_detail_has_metadata_but_not_the_archived_text(api_client):
    source = SourceFactory(
        slug="wire-geneva",
        title="Ministers agree a pause",
        publisher="Example Wire",
        url="https://news.example.org/geneva",
        published_on=datetime.date(2025, 10, 30),
        language="en",
        retrieved_at=datetime.datetime(2025, 10, 31, 12, 0, tzinfo=datetime.UTC),
    )
    CitationFactory(source=source, quote=TARIFF_QUOTE)
    CitationFactory(source=source, quote=GENEVA_QUOTE)
    CitationFactory(source=source, quote=PAUSE_QUOTE, event=EventFactory(published_at=None))
    source.refresh_from_db()

    response = api_client.get(f"/api/v1/sources/{source.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": source.pk,
        "slug": "wire-geneva",
        "title": "Ministers agree a pause",
        "publisher": "Example Wire",
        "url": "https://news.example.org/geneva",
        "published_on": "2025-10-30",
        "published_between": "",
        "language": "en",
        "retrieved_at": "2025-10-31T12:00:00Z",
        "text_length": len(SAMPLE_TEXT),
        "text_sha256": hashlib.sha256(SAMPLE_TEXT.encode()).hexdigest(),
        # The draft event's citation is not counted.
        "citation_count": 2,
        "version": 1,
        "updated_at": iso(source.updated_at),
    }
    assert "Geneva on Monday" not in response.content.decode()


def test_source_list_counts_only_citations_of_published_events(api_client):
    cited = SourceFactory(title="A cited")
    drafts_only = SourceFactory(title="B cited by a draft only")
    uncited = SourceFactory(title="C uncited", text="")
    event = EventFactory()
    CitationFactory(event=event, source=cited, quote=TARIFF_QUOTE)
    CitationFactory(event=event, source=cited, quote=GENEVA_QUOTE)
    CitationFactory(event=EventFactory(), source=cited, quote=TARIFF_QUOTE)
    CitationFactory(event=EventFactory(published_at=None), source=drafts_only)

    body = api_client.get(SOURCES_URL).json()

    assert body["count"] == 3
    assert [(s["slug"], s["citation_count"]) for s in body["results"]] == [
        (cited.slug, 3),
        (drafts_only.slug, 0),
        (uncited.slug, 0),
    ]
    assert set(body["results"][0]) == {
        "id",
        "slug",
        "title",
        "publisher",
        "url",
        "published_on",
        "published_between",
        "language",
        "retrieved_at",
        "text_length",
        "text_sha256",
        "citation_count",
        "version",
        "updated_at",
    }
    assert body["results"][2]["text_length"] == 0
    assert body["results"][2]["text_sha256"] == ""
    assert "Geneva on Monday" not in str(body)


def test_source_detail_for_an_unknown_id_is_a_json_404(api_client):
    source = SourceFactory()

    assert_error(api_client.get(f"/api/v1/sources/{source.pk + 1}/"), 404, "not_found")
    assert_error(api_client.get("/api/v1/sources/not-a-number/"), 404, "not_found")


# Pagination


def test_event_list_pages_hold_50_by_default(api_client):
    bulk_events(51)

    first = api_client.get(EVENTS_URL).json()
    second = api_client.get(EVENTS_URL, {"page": 2}).json()

    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert first["next"] == "http://testserver/api/v1/events/?page=2"
    assert len(second["results"]) == 1
    assert second["next"] is None
    slugs = [e["slug"] for e in first["results"] + second["results"]]
    assert len(set(slugs)) == 51


def test_event_list_honours_page_size(api_client):
    bulk_events(12)

    body = api_client.get(EVENTS_URL, {"page_size": 5, "page": 3}).json()

    assert body["count"] == 12
    assert len(body["results"]) == 2


def test_event_list_page_size_is_capped_at_200(api_client):
    bulk_events(201)

    body = api_client.get(EVENTS_URL, {"page_size": 1000}).json()

    assert body["count"] == 201
    assert len(body["results"]) == 200
    assert body["next"] is not None


def test_event_list_invalid_page_is_a_400_naming_page(api_client):
    bulk_events(3)

    for page in ["3", "0", "last-but-one", "-1"]:
        response = api_client.get(EVENTS_URL, {"page_size": 2, "page": page})

        with checking(page):
            assert response.status_code == 400
            assert list(response.json()["errors"]) == ["page"]


def test_other_lists_paginate_too(api_client):
    TimelineFactory.create_batch(3)
    SourceFactory.create_batch(3)

    for url in (TIMELINES_URL, SOURCES_URL):
        body = api_client.get(url, {"page_size": 2}).json()

        assert body["count"] == 3, url
        assert len(body["results"]) == 2, url
        with checking(url):
            response = api_client.get(url, {"page": 9})
            assert response.status_code == 400
            assert list(response.json()["errors"]) == ["page"]


# Anonymous clients only read


WRITES = [
    ("post", "list", {"slug": "new", "title": "New", "date": "2025-10-30"}),
    ("put", "detail", {"slug": "changed", "title": "Changed", "date": "2025-10-30"}),
    ("patch", "detail", {"title": "Changed"}),
    ("delete", "detail", None),
    ("delete", "list", None),
]


def _write(client, method, target, payload, event):
    url = EVENTS_URL if target == "list" else f"/api/v1/events/{event.slug}/"
    return getattr(client, method)(url, payload, format="json")


def _snapshot():
    return list(Event.objects.order_by("pk").values_list("pk", "slug", "title", "updated_at"))


def test_anonymous_writes_are_refused_and_change_nothing(api_client):
    event = EventFactory(title="Original")
    before = _snapshot()

    for method, target, payload in WRITES:
        response = _write(api_client, method, target, payload, event)

        # Token authentication comes first, so the challenge is a 401 saying how to sign in.
        with checking(method, target):
            assert_error(response, 401, "not_authenticated")
            assert response["WWW-Authenticate"] == "Token"
            assert _snapshot() == before


# Query counts: constant however many rows and related rows there are.


def _event_graph(count: int) -> Timeline:
    """`count` published events, each with a place, 3 actors, 3 tags and 3 citations."""
    sources = SourceFactory.create_batch(3)
    actors = ActorFactory.create_batch(4)
    tags = TagFactory.create_batch(4)
    places = PlaceFactory.create_batch(2)
    events = [
        rich_event(
            sources,
            actors=actors[i % 2 : i % 2 + 3],
            tags=tags[i % 2 : i % 2 + 3],
            place=places[i % 2],
        )
        for i in range(count)
    ]
    EventFactory(published_at=None, tags=tags)
    return TimelineFactory(events=events)


# What every read of events costs, after the queries that pick them: the
# events themselves (with their place), their actors and tags, their
# citations (with their sources) and their claims (with their properties and
# citations). The claims' query is left out when no event states one.
EVENT_QUERIES = 4


def test_event_list_query_count_is_constant(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for count in (1, 30):
        with django_capture_on_commit_callbacks(execute=True):  # the writes commit
            _event_graph(count)
        # 1. the content generation; 2. COUNT of published events (pagination);
        # 3. the ids of the page's events; then the events' own.
        with django_assert_num_queries(3 + EVENT_QUERIES):
            body = api_client.get(EVENTS_URL, {"page_size": 100}).json()

        assert body["count"] == Event.objects.published().count()
        assert all(len(e["actors"]) == 3 and len(e["tags"]) == 3 for e in body["results"])
        assert all(len(e["citations"]) == 3 for e in body["results"])
        assert all(e["place"] is not None for e in body["results"])
        assert all(e["claims"][0]["disputed"] for e in body["results"])
        assert all(len(e["claims"][0]["values"]) == 2 for e in body["results"])


def test_an_event_list_without_claims_skips_their_query(api_client, django_assert_num_queries):
    EventFactory.create_batch(3)
    # The content generation, the count, the ids, then the events, actors and tags, citations.
    with django_assert_num_queries(3 + EVENT_QUERIES - 1):
        assert api_client.get(EVENTS_URL).json()["count"] == 3


def test_filtered_event_list_query_count_is_constant(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for count in (1, 30):
        with django_capture_on_commit_callbacks(execute=True):
            _event_graph(count)
        # The third tag is on every event (and on the draft, which must not count).
        tag = Tag.objects.order_by("pk")[2].slug
        # 1. the content generation; 2. the tag slug, to validate it; 3. COUNT
        # of matching published events; 4. the ids of the page's events; the events'.
        with django_assert_num_queries(4 + EVENT_QUERIES):
            body = api_client.get(EVENTS_URL, {"tag": tag, "page_size": 100}).json()

        assert body["count"] == Event.objects.published().filter(tags__slug=tag).count()
        assert all(len(e["citations"]) == 3 for e in body["results"])


def test_timeline_detail_query_count_is_constant(api_client, django_assert_num_queries):
    for count in (1, 30):
        timeline = _event_graph(count)
        # 1. the content generation; 2. the published timeline, with its
        # published event count; 3. the ids of its published events, in date
        # order; then the events'.
        with django_assert_num_queries(3 + EVENT_QUERIES):
            body = api_client.get(f"/api/v1/timelines/{timeline.slug}/").json()

        assert body["event_count"] == count
        assert len(body["events"]) == count
        assert all(len(e["actors"]) == 3 and len(e["citations"]) == 3 for e in body["events"])


def test_event_detail_query_count(api_client, django_assert_num_queries):
    event = _event_graph(1).events.get()
    # 1. the content generation; then the events', by slug.
    with django_assert_num_queries(1 + EVENT_QUERIES):
        body = api_client.get(f"{EVENTS_URL}{event.slug}/").json()
    assert len(body["citations"]) == 3 and len(body["claims"]) == 1


def test_timeline_list_query_count_is_constant(api_client, django_assert_num_queries, commit):
    events = EventFactory.create_batch(3)
    for count in (1, 30):
        with commit():
            while Timeline.objects.count() < count:
                TimelineFactory(events=events)

        # 1. COUNT of published timelines (pagination)
        # 2. the page of timelines, with their published event counts
        with django_assert_num_queries(3):  # +1: the content generation
            body = api_client.get(TIMELINES_URL).json()

        assert body["count"] == count
        assert all(t["event_count"] == 3 for t in body["results"])


def test_source_list_query_count_is_constant(api_client, django_assert_num_queries, commit):
    event = EventFactory()
    for count in (1, 30):
        with commit():
            for source in SourceFactory.create_batch(count - Source.objects.count()):
                CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
                CitationFactory(event=event, source=source, quote=GENEVA_QUOTE)

        # 1. COUNT of sources (pagination)
        # 2. the page of sources, with their published citation counts
        with django_assert_num_queries(3):  # +1: the content generation
            body = api_client.get(SOURCES_URL).json()

        assert body["count"] == count
        assert all(s["citation_count"] == 2 for s in body["results"])


# Errors


def test_bad_query_parameter_is_a_400_naming_it(api_client):
    response = api_client.get(EVENTS_URL, {"from": "not-a-date", "status": "bogus"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"from", "status"}
    assert "from" in body["detail"]
    assert all(
        isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for messages in body["errors"].values()
    )


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/no-such-collection/")

    assert_error(response, 404, "not_found")

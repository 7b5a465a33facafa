"""Events' JSON built from rows (timeline/api/rows.py) is EventSerializer's, exactly.

The serializers define the contract and the OpenAPI schema; the rows are
only a faster way to the same bytes, built once and then kept in the
``events`` cache. Each test here compares the two on events chosen for the
places where they could part: nulls, tiny coordinates, equal names, empty
anchors, shared sources, characters JSON or JavaScript treat specially,
drafts and microseconds.
"""

import datetime
import decimal
import json
from types import SimpleNamespace

import pytest
from rest_framework import renderers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

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
from timeline.api import rows
from timeline.api.renderers import RawJSON
from timeline.api.serializers import EventSerializer, TimelineDetailSerializer
from timeline.models import Citation, Event, Tag, Timeline

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
OTHER_HOST = "other.example"
UNICODE_TEXT = "Beijing said:\u2028“Zhōngnánhǎi agreed 🤝 to the truce.”\u2029It held."
UNICODE_QUOTE = "“Zhōngnánhǎi agreed 🤝 to the truce.”"


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


@pytest.fixture
def edge_events():
    """Four published events and a draft, each holding cases the two paths could differ on."""
    shared = SourceFactory(published_on=datetime.date(2025, 10, 30))
    unicode_source = SourceFactory(text=UNICODE_TEXT, publisher="", url="", language="zh-Hans")
    # No archived text: its quotes cannot be anchored, and have no selectors.
    unarchived = SourceFactory(text="")

    # Equal names: ordered by name, then pk. The later-created (higher pk)
    # sorts first by slug and is linked first, so neither order passes by luck.
    wang_b = ActorFactory(name="Wang Yi", slug="wang-yi-b", kind="person")
    wang_a = ActorFactory(name="Wang Yi", slug="wang-yi-a", kind="country", wikidata_id="Q1")
    ann = ActorFactory(name="Ann", slug="ann")
    tariffs_b = TagFactory(name="Tariffs", slug="tariffs-b")
    tariffs_a = TagFactory(name="Tariffs", slug="tariffs-a", wikidata_id="Q2")

    tiny = EventFactory(
        slug="tiny-coordinates",
        title="Talks\u2028in “Genève” — 会谈 🇨🇭",
        summary='Line\u2029break, "quotes", back\\slash, tab\t, a \x01 control.',
        date="2025-10-30",
        place=PlaceFactory(
            latitude=decimal.Decimal("0.00001"),
            longitude=decimal.Decimal("-0.5"),
            wikidata_id="Q3",
        ),
        actors=[wang_a, wang_b, ann],
        tags=[tariffs_a, tariffs_b],
    )
    # One source cited twice, and three sources in all.
    fall = CitationFactory(event=tiny, source=shared, quote="Tariffs will fall from 57% to 47%.")
    met = CitationFactory(
        event=tiny,
        source=shared,
        quote="The trade ministers met in Geneva on Monday.",
        locator="para. 1",
        note="Note with U+2028:\u2028here.",
    )
    talks = CitationFactory(event=tiny, source=unicode_source, quote=UNICODE_QUOTE)
    nobody = CitationFactory(
        event=tiny, source=unarchived, quote="Nobody archived this \u2028 line."
    )
    # Claims: properties named out of slug order, a claim citing one source
    # twice (listed once), preferred, deprecated, a range with a fraction,
    # words with a "compare as", and a claim listed after a later citation.
    rate = ClaimPropertyFactory(slug="a-rate", name="Zollsatz", kind="percentage")
    form = ClaimPropertyFactory(slug="z-form", name="Ärger “form”", kind="text")
    ClaimFactory(event=tiny, property=rate, value="47%", citations=[met, fall])
    ClaimFactory(
        event=tiny,
        property=rate,
        value="between 40 and 50.5 percent",
        rank="preferred",
        rank_note="Note\u2028with “quotes”.",
        citations=[nobody],
    )
    ClaimFactory(
        event=tiny,
        property=rate,
        value="over 40%",
        rank="deprecated",
        rank_note="Misread.",
        citations=[fall],
    )
    ClaimFactory(
        event=tiny, property=form, value="会谈 🇨🇭", normalized_as=" Talks ", citations=[talks]
    )

    no_place = EventFactory(
        slug="no-place",
        title="Tariffs announced",
        date="2025-03",
        display_date="Late March 2025",
        place=None,
        tags=[tariffs_b],
    )
    null_coordinates = EventFactory(
        slug="null-coordinates",
        title="Kuala Lumpur talks",
        date="2025-10-25/2025-10-26",
        place=PlaceFactory(latitude=None, longitude=None),
        actors=[ann],
    )
    CitationFactory(event=null_coordinates, source=unicode_source, quote=UNICODE_QUOTE)
    spring = CitationFactory(
        event=null_coordinates, source=shared, quote="The talks will resume in spring."
    )
    cost = ClaimPropertyFactory(slug="cost", name="cost", kind="money")
    ClaimFactory(event=null_coordinates, property=cost, value="$1.2 billion", citations=[spring])
    scheduled = EventFactory(
        slug="state-visit",
        title="State visit",
        date="2026-04",
        status="scheduled",
        place=PlaceFactory(
            latitude=decimal.Decimal("39.9042"), longitude=decimal.Decimal("116.40739")
        ),
        actors=[wang_b],
    )
    draft = EventFactory(slug="draft", title="Not yet public", published_at=None, actors=[ann])
    CitationFactory(event=draft, source=shared, quote="Tariffs will fall from 57% to 47%.")

    # Set last and directly (no save(): auto_now would overwrite them), with and
    # without microseconds: DRF writes ".123456" only when there are some.
    Event.objects.filter(pk=tiny.pk).update(
        updated_at=utc(2025, 10, 30, 8, 1, 2, 123456), published_at=utc(2025, 10, 30, 9)
    )
    Event.objects.filter(pk=no_place.pk).update(
        updated_at=utc(2025, 4, 1, 0, 0, 0), published_at=utc(2025, 4, 1, 0, 0, 0, 1)
    )
    timeline = TimelineFactory(
        slug="trade", events=[tiny, no_place, null_coordinates, scheduled, draft]
    )
    return SimpleNamespace(
        tiny=tiny,
        no_place=no_place,
        null_coordinates=null_coordinates,
        scheduled=scheduled,
        draft=draft,
        timeline=timeline,
        ann=ann,
        shared=shared,
    )


def drf_request(path: str = EVENTS_URL, data: dict | None = None, **extra) -> Request:
    """A request like the API's, for the serializers' absolute URLs."""
    return Request(APIRequestFactory().get(path, data, **extra))


def drf_bytes(data) -> bytes:
    """DRF's own rendering: the bytes the API promises."""
    return renderers.JSONRenderer().render(data)


def reference_events(request, events=None, fmt: str | None = None) -> list:
    """EventSerializer's output for ``events`` (published, by date), as the views gave it."""
    events = Event.objects.published().chronological() if events is None else events
    # The views' serializer context: the request, and the URL's format suffix.
    context = {"request": request, "format": fmt}
    return EventSerializer(events.with_citations(), many=True, context=context).data


def reference_list(results, *, count, next=None, previous=None) -> dict:
    """The paginated wrapper, as DRF's PageNumberPagination gives it."""
    return {"count": count, "next": next, "previous": previous, "results": results}


def reference_timeline(request, slug: str) -> dict:
    timeline = Timeline.objects.published().with_event_counts().with_events().get(slug=slug)
    return TimelineDetailSerializer(timeline, context={"request": request}).data


def assert_body(response, expected) -> None:
    assert response.status_code == 200
    # As data first, for a readable diff; then the bytes, which also fix the key order.
    assert response.json() == json.loads(drf_bytes(expected))
    assert response.content == drf_bytes(expected)


# --- event_documents ----------------------------------------------------------


def test_event_documents_equal_the_serializers_output(edge_events):
    request = drf_request()
    # Drafts too: editors' reads build them the same way.
    events = Event.objects.all().chronological()

    documents = rows.event_documents(
        list(events.values(*rows.EVENT_COLUMNS)),
        rows.url_template(request, "api:event-detail"),
    )

    expected = reference_events(request, events)
    assert len(documents) == 5
    assert documents == expected
    assert drf_bytes(documents) == drf_bytes(expected)


def test_the_edge_cases_come_out_as_the_contract_says(edge_events):
    """What the comparison above covers, checked on its own: equal paths could both be wrong."""
    request = drf_request()
    documents = {
        document["slug"]: document
        for document in rows.event_documents(
            list(Event.objects.chronological().values(*rows.EVENT_COLUMNS)),
            rows.url_template(request, "api:event-detail"),
        )
    }
    tiny = documents["tiny-coordinates"]

    assert [actor["slug"] for actor in tiny["actors"]] == ["ann", "wang-yi-b", "wang-yi-a"]
    assert [tag["slug"] for tag in tiny["tags"]] == ["tariffs-b", "tariffs-a"]
    assert [len(citation["selectors"]) for citation in tiny["citations"]] == [2, 2, 2, 0]
    assert tiny["citations"][0]["source"] == tiny["citations"][1]["source"]
    assert tiny["url"] == "http://testserver/api/v1/events/tiny-coordinates/"
    assert tiny["updated_at"] == "2025-10-30T08:01:02.123456Z"
    assert tiny["published_at"] == "2025-10-30T09:00:00Z"
    assert documents["no-place"]["updated_at"] == "2025-04-01T00:00:00Z"
    assert documents["no-place"]["published_at"] == "2025-04-01T00:00:00.000001Z"
    assert documents["no-place"]["place"] is None
    assert documents["no-place"]["citations"] == []
    assert documents["null-coordinates"]["place"]["latitude"] is None
    assert documents["draft"]["published_at"] is None
    rendered = drf_bytes(tiny)
    assert b'"latitude":1e-05,"longitude":-0.5,' in rendered
    assert b"Talks\\u2028in \xe2\x80\x9cGen\xc3\xa8ve\xe2\x80\x9d" in rendered


def test_events_json_without_a_generation_is_built_every_time(
    edge_events, django_assert_num_queries
):
    request = drf_request()
    event_ids = list(Event.objects.published().chronological().values_list("pk", flat=True))
    expected = reference_events(request)

    for _ in range(2):
        # Nothing kept for editors' reads:
        # 1. the events, JOIN place
        # 2. their actors
        # 3. their tags
        # 4. their citations
        # 5. the sources they cite
        # 6. their claims, each with its property and its citations' ids
        with django_assert_num_queries(6):
            documents = rows.events_json(event_ids, request, generation=None)
        assert documents == expected


def test_events_json_keeps_each_event_as_drfs_bytes(edge_events, django_assert_num_queries):
    request = drf_request()
    # Out of date order: the ids' order is the answer's.
    events = Event.objects.published().order_by("-pk")
    event_ids = list(events.values_list("pk", flat=True))
    expected = [drf_bytes(document) for document in reference_events(request, events)]

    built = rows.events_json(event_ids, request, generation=7)
    with django_assert_num_queries(0):
        kept = rows.events_json(event_ids, request, generation=7)
    # Another generation reuses nothing: events, actors, tags, citations, sources, claims.
    with django_assert_num_queries(6):
        rebuilt = rows.events_json(event_ids, request, generation=8)

    for answer in (built, kept, rebuilt):
        assert all(isinstance(item, RawJSON) for item in answer)
        assert [item.content for item in answer] == expected


# --- Through the API ----------------------------------------------------------


@pytest.mark.parametrize(
    "again",
    [{"page_size": 2, "page": 2}, {"utm_source": "newsletter"}],
    ids=["another page", "an ignored parameter"],
)
def test_the_event_list_is_the_serializers_built_then_kept(
    api_client, edge_events, django_assert_num_queries, again
):
    first = api_client.get(EVENTS_URL)

    assert_body(first, reference_list(reference_events(drf_request()), count=4))

    # Another URL, so another response; the count and the events are kept.
    # 1. the content generation
    # 2. the ids of the page's events
    with django_assert_num_queries(2):
        second = api_client.get(EVENTS_URL, again)

    request = drf_request(EVENTS_URL, again)
    published = reference_events(request)
    if "page" in again:
        expected = reference_list(
            published[2:4], count=4, previous="http://testserver/api/v1/events/?page_size=2"
        )
    else:
        expected = reference_list(published, count=4)
    assert_body(second, expected)


def test_the_timeline_detail_is_the_serializers_built_then_kept(
    api_client, edge_events, django_assert_num_queries
):
    url = f"/api/v1/timelines/{edge_events.timeline.slug}/"

    first = api_client.get(url)
    # 1. the content generation
    # 2. the published timeline, with its published event count
    # 3. the ids of its published events, in date order
    with django_assert_num_queries(3):
        second = api_client.get(url, {"utm_source": "newsletter"})

    assert_body(first, reference_timeline(drf_request(url), "trade"))
    expected = reference_timeline(drf_request(url, {"utm_source": "newsletter"}), "trade")
    assert [event["slug"] for event in expected["events"]] == [
        "no-place",
        "null-coordinates",
        "tiny-coordinates",
        "state-visit",
    ]
    assert_body(second, expected)


@pytest.mark.parametrize(
    ("path", "query", "fmt", "link"),
    [
        (
            EVENTS_URL,
            {"format": "json"},
            None,
            "http://testserver/api/v1/events/no-place/?format=json",
        ),
        ("/api/v1/events.json", None, "json", "http://testserver/api/v1/events/no-place.json"),
    ],
    ids=["?format=json", ".json"],
)
def test_kept_events_carry_the_format_of_the_request(
    api_client, edge_events, path, query, fmt, link
):
    api_client.get(EVENTS_URL)  # keeps the events with plain links

    response = api_client.get(path, query)

    expected = reference_events(drf_request(path, query), fmt=fmt)
    assert_body(response, reference_list(expected, count=4))
    assert response.json()["results"][0]["url"] == link


def test_kept_events_carry_the_host_of_the_request(api_client, edge_events, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, OTHER_HOST]
    timeline_url = f"/api/v1/timelines/{edge_events.timeline.slug}/"
    api_client.get(EVENTS_URL)
    api_client.get(timeline_url)

    events = api_client.get(EVENTS_URL, HTTP_HOST=OTHER_HOST)
    timeline = api_client.get(timeline_url, HTTP_HOST=OTHER_HOST)

    request = drf_request(EVENTS_URL, HTTP_HOST=OTHER_HOST)
    assert_body(events, reference_list(reference_events(request), count=4))
    assert_body(
        timeline, reference_timeline(drf_request(timeline_url, HTTP_HOST=OTHER_HOST), "trade")
    )
    urls = [event["url"] for event in events.json()["results"] + timeline.json()["events"]]
    assert all(url.startswith(f"http://{OTHER_HOST}/") for url in urls)


def rename_actor(edge_events):
    edge_events.ann.name = "Ann Renamed"
    edge_events.ann.save()


def retitle_source(edge_events):
    edge_events.shared.title = "Retitled report"
    edge_events.shared.save()


def move_place(edge_events):
    place = edge_events.tiny.place
    place.latitude, place.longitude = decimal.Decimal("-0.00002"), decimal.Decimal("12.5")
    place.save()


def rename_tag(edge_events):
    tag = Tag.objects.get(slug="tariffs-a")
    tag.name = "Duties"
    tag.save()


def annotate_citation(edge_events):
    citation = Citation.objects.filter(event=edge_events.null_coordinates).order_by("pk").first()
    citation.note = "Checked\u2028again."
    citation.save()


def retitle_event(edge_events):
    edge_events.scheduled.title = "State visit (confirmed)"
    edge_events.scheduled.save()


@pytest.mark.parametrize(
    "write",
    [rename_actor, retitle_source, move_place, rename_tag, annotate_citation, retitle_event],
)
def test_after_a_write_the_next_read_builds_its_events_afresh(api_client, edge_events, write):
    timeline_url = f"/api/v1/timelines/{edge_events.timeline.slug}/"
    before = api_client.get(EVENTS_URL).content
    api_client.get(timeline_url)

    write(edge_events)

    after = api_client.get(EVENTS_URL)
    assert after.content != before
    assert_body(after, reference_list(reference_events(drf_request()), count=4))
    assert_body(
        api_client.get(timeline_url), reference_timeline(drf_request(timeline_url), "trade")
    )


def test_the_list_with_every_event_kept_costs_two_queries(
    api_client, edge_events, django_assert_num_queries
):
    # Two pages keep all four events, and the count.
    api_client.get(EVENTS_URL, {"page_size": 2})
    api_client.get(EVENTS_URL, {"page_size": 2, "page": 2})

    # 1. the content generation
    # 2. the ids of the page's events
    with django_assert_num_queries(2):
        response = api_client.get(EVENTS_URL, {"page_size": 10})

    assert_body(response, reference_list(reference_events(drf_request()), count=4))

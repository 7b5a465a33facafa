"""Tests for timeline.filters.EventFilter: directly, and through GET /api/v1/events/."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.conftest import checking
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.filters import EventFilter
from timeline.models import Event

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"


def event_filter(params: dict) -> EventFilter:
    """The filterset as the API builds it, from a query string (repeated keys included)."""
    return EventFilter(QueryDict(urlencode(params, doseq=True)), queryset=Event.objects.all())


def matching(params: dict) -> list[str]:
    """Slugs of the events the filter keeps, in the order it returns them."""
    filterset = event_filter(params)
    assert filterset.is_valid(), filterset.errors
    return list(filterset.qs.values_list("slug", flat=True))


def api_slugs(client, params: dict) -> list[str]:
    response = client.get(EVENTS_URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return [event["slug"] for event in body["results"]]


def assert_bad_parameter(response, parameter: str) -> list[str]:
    """A 400 in the API's error shape, naming exactly this parameter."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [parameter]
    assert parameter in body["detail"]
    messages = body["errors"][parameter]
    assert messages
    assert all(isinstance(message, str) and message for message in messages)
    return messages


# from / to: overlap with the event's [start, end]


def test_from_and_to_match_events_that_overlap():
    event = EventFactory(date="2025-10-25/2025-10-26")

    for params, matches in [
        ({"from": "2025-10-26"}, True),  # the last day counts
        ({"from": "2025-10-27"}, False),
        ({"to": "2025-10-25"}, True),  # the first day counts
        ({"to": "2025-10-24"}, False),
        ({"from": "2025-10-25", "to": "2025-10-26"}, True),
        ({"from": "2025-10-26", "to": "2025-10-26"}, True),  # inside the range
        ({"from": "2025-10-20", "to": "2025-10-30"}, True),  # around the range
        ({"from": "2025-10-27", "to": "2025-10-30"}, False),
        ({"from": "2025-10-20", "to": "2025-10-24"}, False),
    ]:
        assert matching(params) == ([event.slug] if matches else []), params


def test_month_values_cover_the_whole_month():
    EventFactory(slug="sep-30", date="2025-09-30")
    EventFactory(slug="oct-1", date="2025-10-01")
    EventFactory(slug="oct-31", date="2025-10-31")
    EventFactory(slug="nov-1", date="2025-11-01")

    # from=2025-10 starts on 1 October; to=2025-10 runs up to 31 October.
    assert matching({"from": "2025-10"}) == ["oct-1", "oct-31", "nov-1"]
    assert matching({"to": "2025-10"}) == ["sep-30", "oct-1", "oct-31"]
    assert matching({"from": "2025-10", "to": "2025-10"}) == ["oct-1", "oct-31"]


def test_year_and_range_values_use_their_first_and_last_days():
    EventFactory(slug="dec-2025", date="2025-12-31")
    EventFactory(slug="jan-2026", date="2026-01-01")
    EventFactory(slug="apr-2026", date="2026-04")

    assert matching({"from": "2026"}) == ["jan-2026", "apr-2026"]
    assert matching({"to": "2025"}) == ["dec-2025"]
    # A range as `from` starts at its first day; as `to`, ends at its last.
    assert matching({"from": "2025-12-31/2026-01-01"}) == ["dec-2025", "jan-2026", "apr-2026"]
    assert matching({"to": "2025-12-31/2026-01-01"}) == ["dec-2025", "jan-2026"]


def test_month_precision_event_overlaps_days_inside_it():
    event = EventFactory(date="2025-03")
    EventFactory(date="2025-03-14")
    EventFactory(date="2025-03-17")

    assert event.precision == "month"
    assert matching({"from": "2025-03-15", "to": "2025-03-16"}) == [event.slug]


def test_from_and_to_through_the_api(api_client):
    EventFactory(slug="busan", date="2025-10-30")
    EventFactory(slug="kuala-lumpur", date="2025-10-25/2025-10-26")
    EventFactory(slug="visit", date="2026-04")

    assert api_slugs(api_client, {"from": "2025-10-26", "to": "2025-10"}) == [
        "kuala-lumpur",
        "busan",
    ]
    assert api_slugs(api_client, {"from": "2025-11"}) == ["visit"]


# Relations, by slug; a repeated parameter matches any of its values.


def _timeline(event):
    return TimelineFactory(events=[event]).slug


def _tag(event):
    tag = TagFactory()
    event.tags.add(tag)
    return tag.slug


def _actor(event):
    actor = ActorFactory()
    event.actors.add(actor)
    return actor.slug


def _place(event):
    event.place = PlaceFactory()
    event.save()
    return event.place.slug


def _source(event):
    return CitationFactory(event=event).source.slug


LINKS = {"timeline": _timeline, "tag": _tag, "actor": _actor, "place": _place, "source": _source}


def test_relation_filter_rejects_an_unknown_slug(api_client):
    for parameter, link in LINKS.items():
        link(EventFactory())

        filterset = event_filter({parameter: "no-such-slug"})
        assert not filterset.is_valid()
        assert list(filterset.errors) == [parameter]
        with checking(parameter):
            messages = assert_bad_parameter(
                api_client.get(EVENTS_URL, {parameter: "no-such-slug"}), parameter
            )
        assert "no-such-slug" in messages[0]


def test_relation_filter_by_slug():
    for parameter, link in LINKS.items():
        first, second, third = EventFactory.create_batch(3)
        EventFactory()  # unrelated
        slugs = [link(event) for event in (first, second, third)]

        assert matching({parameter: slugs[1]}) == [second.slug], parameter
        # Repeated: any of them (in the list's order, which the loop's slugs do not follow).
        assert sorted(matching({parameter: [slugs[0], slugs[2]]})) == sorted(
            [first.slug, third.slug]
        ), parameter


def test_relation_filter_through_the_api(api_client, commit):
    for parameter, link in LINKS.items():
        with commit():
            event = EventFactory()
            slug = link(event)
            link(EventFactory())

        with checking(parameter):
            assert api_slugs(api_client, {parameter: slug}) == [event.slug]


def test_relation_filter_keeps_drafts_out_of_the_api(api_client):
    tag = TagFactory()
    published = EventFactory(tags=[tag])
    EventFactory(tags=[tag], published_at=None)

    assert api_slugs(api_client, {"tag": tag.slug}) == [published.slug]


def test_event_with_two_matching_tags_appears_once(api_client):
    tariffs, trade = TagFactory(), TagFactory()
    event = EventFactory(tags=[tariffs, trade])
    other = EventFactory(tags=[trade])

    assert matching({"tag": [tariffs.slug, trade.slug]}) == [event.slug, other.slug]
    assert api_slugs(api_client, {"tag": [tariffs.slug, trade.slug]}) == [event.slug, other.slug]


def test_event_citing_a_source_twice_appears_once(api_client):
    source = SourceFactory()
    event = EventFactory()
    CitationFactory(event=event, source=source, quote="Tariffs will fall from 57% to 47%.")
    CitationFactory(event=event, source=source, quote="The talks will resume in spring.")

    assert matching({"source": source.slug}) == [event.slug]
    assert api_slugs(api_client, {"source": source.slug}) == [event.slug]


def test_relation_filters_combine_with_and():
    tag, actor = TagFactory(), ActorFactory()
    both = EventFactory(tags=[tag], actors=[actor], date="2025-10-30")
    EventFactory(tags=[tag])
    EventFactory(actors=[actor])
    EventFactory(tags=[tag], actors=[actor], date="2024-01-01")

    assert matching({"tag": tag.slug, "actor": actor.slug, "from": "2025"}) == [both.slug]


# status, q


def test_status_filter_accepts_several_values(api_client):
    EventFactory(slug="happened", status="occurred")
    EventFactory(slug="planned", status="scheduled")
    EventFactory(slug="called-off", status="cancelled", date="2025-10-31")

    assert matching({"status": "scheduled"}) == ["planned"]
    assert matching({"status": ["scheduled", "cancelled"]}) == ["planned", "called-off"]
    assert api_slugs(api_client, {"status": ["occurred", "cancelled"]}) == [
        "happened",
        "called-off",
    ]


def test_q_needs_every_word_in_title_summary_or_display_date(api_client):
    EventFactory(
        slug="busan",
        title="Trump and Xi meet in Busan",
        summary="A one-year truce on tariffs.",
        display_date="Late October 2025",
    )
    EventFactory(slug="geneva", title="Talks in Geneva", summary="A truce is agreed.")

    assert matching({"q": "busan"}) == ["busan"]
    # Words may match different fields, in any case.
    assert matching({"q": "BUSAN Truce"}) == ["busan"]
    assert matching({"q": "late october"}) == ["busan"]
    # Same day: title order, "Talks…" before "Trump…".
    assert matching({"q": "truce"}) == ["geneva", "busan"]
    assert matching({"q": "busan spring"}) == []
    assert matching({"q": "   "}) == ["geneva", "busan"]
    assert api_slugs(api_client, {"q": "geneva TRUCE"}) == ["geneva"]


def test_q_does_not_search_other_fields():
    EventFactory(slug="busan", date="2025-10-30", title="Leaders meet", summary="")

    assert matching({"q": "busan"}) == []
    assert matching({"q": "2025-10-30"}) == []


def test_filters_combine_with_and(api_client):
    EventFactory(slug="visit", title="State visit", status="scheduled", date="2026-04")
    EventFactory(slug="old-visit", title="State visit", status="scheduled", date="2024-04")
    EventFactory(slug="held-visit", title="State visit", status="occurred", date="2026-04")
    EventFactory(slug="summit", title="Summit", status="scheduled", date="2026-04")

    params = {"q": "visit", "status": "scheduled", "from": "2026"}
    assert matching(params) == ["visit"]
    assert api_slugs(api_client, params) == ["visit"]


# ordering


@pytest.fixture
def three_events():
    """Three events whose start, end, title and update orders all differ."""
    now = timezone.now()
    year = EventFactory(slug="year", title="B", date="2025-01-01/2025-12-31")
    march = EventFactory(slug="march", title="C", date="2025-03")
    february = EventFactory(slug="february", title="A", date="2025-02-10/2025-02-20")
    for minutes, event in enumerate([march, year, february]):
        Event.objects.filter(pk=event.pk).update(
            updated_at=now + timezone.timedelta(minutes=minutes)
        )


def test_ordering(api_client, three_events):
    for ordering, expected in [
        ("start", ["year", "february", "march"]),
        ("-start", ["march", "february", "year"]),
        ("end", ["february", "march", "year"]),
        ("-end", ["year", "march", "february"]),
        ("title", ["february", "year", "march"]),
        ("-title", ["march", "year", "february"]),
        ("updated", ["march", "year", "february"]),
        ("-updated", ["february", "year", "march"]),
    ]:
        assert matching({"ordering": ordering}) == expected, ordering
        assert api_slugs(api_client, {"ordering": ordering}) == expected, ordering


def test_default_order_is_chronological(api_client, three_events):
    # start, then end, then title.
    assert api_slugs(api_client, {}) == ["year", "february", "march"]


def test_unknown_ordering_is_a_400_naming_ordering(api_client):
    filterset = event_filter({"ordering": "published_at"})
    assert not filterset.is_valid()
    assert list(filterset.errors) == ["ordering"]

    assert_bad_parameter(api_client.get(EVENTS_URL, {"ordering": "published_at"}), "ordering")


# Bad input: a 400 naming the parameter, never a 500.

BAD_INPUT = [
    ({"from": "2025-13-45"}, "from"),
    ({"from": "not-a-date"}, "from"),
    ({"from": "2025-10/.."}, "from"),
    ({"to": "../2025"}, "to"),
    ({"from": "[2025,2026]"}, "from"),
    ({"from": "2025-1X"}, "from"),
    ({"to": "2025-10-3X"}, "to"),
    ({"from": "2025-11", "to": "2025-10"}, "to"),
    ({"from": "2025-10-27", "to": "2025-10-26"}, "to"),
    ({"tag": "no-such-tag"}, "tag"),
    ({"status": "bogus"}, "status"),
    ({"status": ["scheduled", "bogus"]}, "status"),
    ({"q": "x" * 201}, "q"),
    ({"ordering": "bogus"}, "ordering"),
    ({"q": "nul\x00byte"}, "q"),
    ({"from": "2025\x00"}, "from"),
    ({"tag": "tag\x00"}, "tag"),
]


def test_bad_input_is_invalid_naming_the_parameter():
    for params, parameter in BAD_INPUT:
        filterset = event_filter(params)

        assert not filterset.is_valid(), params
        assert list(filterset.errors) == [parameter], params


def test_bad_input_is_a_400_naming_the_parameter(api_client):
    EventFactory()
    TagFactory()
    api_client.raise_request_exception = False

    for params, parameter in BAD_INPUT:
        with checking(params):
            assert_bad_parameter(api_client.get(EVENTS_URL, params), parameter)


def test_to_earlier_than_from_names_to(api_client):
    messages = assert_bad_parameter(
        api_client.get(EVENTS_URL, {"from": "2025-11", "to": "2025-10"}), "to"
    )
    assert "earlier" in messages[0]


def test_open_range_message_says_why(api_client):
    messages = assert_bad_parameter(api_client.get(EVENTS_URL, {"from": "2025-10/.."}), "from")
    assert "open ranges are not allowed" in messages[0]


def test_edge_values_are_valid(api_client):
    for params in [
        {"q": "x" * 200},
        {"from": "2025-10-30", "to": "2025-10-30"},
        {"from": "2025-10-20", "to": "2025-10"},  # to's last day is 31 October
        {"from": "2025-10", "to": "2025-10-15"},  # from's first day is 1 October
        {"from": " 2025-10 "},
        {"from": "", "to": ""},
    ]:
        assert event_filter(params).is_valid(), params
        assert api_client.get(EVENTS_URL, params).status_code == 200, params


def test_unknown_range_end_is_a_400(api_client):
    # `to=2025-10/` would end on 1 October 2035, and `from=/2025` start on 31 December 2015.
    EventFactory(date="2030-01-01")

    for params, parameter in [({"to": "2025-10/"}, "to"), ({"from": "/2025"}, "from")]:
        with checking(params):
            assert_bad_parameter(api_client.get(EVENTS_URL, params), parameter)


def test_percent_sign_in_a_date_is_a_400(api_client):
    api_client.raise_request_exception = False

    for parameter in ("from", "to"):
        for value in ("%", "100%", "2025-%s"):
            with checking(parameter, value):
                response = api_client.get(EVENTS_URL, {parameter: value})
                messages = assert_bad_parameter(response, parameter)
                assert f"“{value}”" in messages[0]


GARBAGE = [
    "",
    " ",
    "..",
    "/",
    "' OR 1=1 --",
    "0000",
    "9999-12-31",
    "-0001",
    "2025-02-30",
    "2025-00",
    "2025-10-30T25:00:00",
    "{2025,2026}",
    "2025-10-3X/2025-11",
    "1985-04-XX/1985-0X",
    "\x00",
    "ü" * 50,
    "9" * 5000,
]


# The garbage each parameter accepts (as no filter, or as a valid value); it refuses the rest.
ACCEPTED_GARBAGE = {
    "from": {"", " ", "9999-12-31"},
    "to": {"", " ", "9999-12-31"},
    "status": set(),
    "q": set(GARBAGE) - {"\x00", "9" * 5000} | {"%", "100%", "%s"},
    "ordering": {""},
    "tag": set(),
    "source": set(),
}


def test_no_value_is_a_server_error(api_client):
    EventFactory()
    api_client.raise_request_exception = False

    for parameter, accepted in ACCEPTED_GARBAGE.items():
        for value in [*GARBAGE, "%", "100%", "%s"]:
            response = api_client.get(EVENTS_URL, {parameter: value})

            with checking(parameter, value[:20]):
                if value in accepted:
                    assert response.status_code == 200
                else:
                    assert_bad_parameter(response, parameter)

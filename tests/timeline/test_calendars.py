"""Tests for a timeline as an iCalendar file: timeline/calendars.py and its API view.

Every file is read back with icalendar's parser, as a calendar app would.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.http import http_date
from icalendar import Calendar

from tests.dated import DATED_TEXT, DAY_QUOTE, FRIDAY, TARIFF_QUOTE, THURSDAY_QUOTE
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.formats.calendars import period_label, timeline_to_ical
from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db

BASE_URL = "https://timeline.example.org/"
UID_DOMAIN = "timeline.example.org"
SEEDED_SLUG = "us-china-trade-2025"
# The date evidence of a factory event: no quote states its date, no note explains it.
UNSUPPORTED = "Date not stated by any cited source"
# How an editor worked a date out: plain text here, whatever HTML would make of it.
NOTE = 'Worked out from the <b>wire</b> & "desk" reports; both were filed on Friday.'


def calendar_url(slug: str) -> str:
    return reverse("api:timeline-calendar", kwargs={"slug": slug})


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def vevents(content: bytes) -> dict[str, object]:
    """The file's VEVENTs by UID."""
    return {str(vevent["UID"]): vevent for vevent in parse(content).walk("VEVENT")}


def unescape_text(value) -> str:
    """An RFC 5545 TEXT value unescaped, for properties the parser leaves raw."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], str(value))


def only_vevent(content: bytes):
    (vevent,) = parse(content).walk("VEVENT")
    return vevent


def ical_for(*events: Event, timeline: Timeline | None = None) -> bytes:
    timeline = timeline or TimelineFactory(events=list(events))
    queryset = Event.objects.published().filter(timelines=timeline)
    return timeline_to_ical(
        timeline,
        queryset.with_citations().chronological(),
        base_url=BASE_URL,
        uid_domain=UID_DOMAIN,
    )


def get_calendar(client, slug: str, **headers):
    return client.get(calendar_url(slug), headers=headers)


def set_updated_at(event: Event, moment: datetime.datetime) -> None:
    Event.objects.filter(pk=event.pk).update(updated_at=moment)


def assert_json_404(response) -> None:
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "not_found"


# Dates


def test_a_day_is_an_all_day_event_ending_the_next_day():
    vevent = only_vevent(ical_for(EventFactory(date="2025-10-30", title="Trump and Xi meet")))

    assert vevent.decoded("DTSTART") == datetime.date(2025, 10, 30)
    assert vevent.decoded("DTEND") == datetime.date(2025, 10, 31)
    assert type(vevent.decoded("DTSTART")) is datetime.date
    assert type(vevent.decoded("DTEND")) is datetime.date
    assert vevent["DTSTART"].params["VALUE"] == "DATE"
    assert str(vevent["SUMMARY"]) == "Trump and Xi meet"


def test_a_range_of_days_is_a_multi_day_event_with_an_exclusive_end():
    vevent = only_vevent(ical_for(EventFactory(date="2025-10-25/2025-10-26")))

    assert vevent.decoded("DTSTART") == datetime.date(2025, 10, 25)
    assert vevent.decoded("DTEND") == datetime.date(2025, 10, 27)
    assert type(vevent.decoded("DTEND")) is datetime.date


def test_a_range_across_a_year_end_ends_in_the_new_year():
    vevent = only_vevent(ical_for(EventFactory(date="2025-12-30/2025-12-31")))

    assert vevent.decoded("DTSTART") == datetime.date(2025, 12, 30)
    assert vevent.decoded("DTEND") == datetime.date(2026, 1, 1)


def test_an_inexact_date_is_a_labelled_one_day_marker_on_the_first_day():
    for date, first_day, label, caveat in [
        ("2025-03", datetime.date(2025, 3, 1), "March 2025", "known only to the month"),
        ("2025-21", datetime.date(2025, 3, 1), "March–May 2025", "known only to the season"),
        ("2019", datetime.date(2019, 1, 1), "2019", "known only to the year"),
        (
            "2025-09/2025-10",
            datetime.date(2025, 9, 1),
            "September–October 2025",
            "known only to the month",
        ),
        ("2025-05~", datetime.date(2025, 5, 1), "about May 2025", "approximate, known only"),
        ("2025-10-30?", datetime.date(2025, 10, 30), "30 October 2025?", "uncertain"),
        ("2025-10-30~", datetime.date(2025, 10, 30), "about 30 October 2025", "approximate"),
    ]:
        event = EventFactory(date=date, title="Tariffs rise", summary="They rose.")

        vevent = only_vevent(ical_for(event))

        # One day, not the whole period: it must not read as “lasting all month”.
        assert vevent.decoded("DTSTART") == first_day, date
        assert vevent.decoded("DTEND") == first_day + datetime.timedelta(days=1), date
        assert type(vevent.decoded("DTSTART")) is datetime.date, date
        assert str(vevent["SUMMARY"]) == f"[{label}] Tariffs rise"
        description = str(vevent["DESCRIPTION"])
        assert description.startswith(f"Date {caveat}"), (date, description)
        assert description.splitlines()[0].endswith(f": {label}."), (date, description)
        assert str(vevent["TRANSP"]) == "TRANSPARENT", date


def test_the_display_date_labels_an_inexact_date():
    event = EventFactory(date="2025-03", display_date="Late March 2025", title="Tariffs")

    vevent = only_vevent(ical_for(event))

    assert str(vevent["SUMMARY"]) == "[Late March 2025] Tariffs"
    assert str(vevent["DESCRIPTION"]).startswith(
        "Date known only to the month: Late March 2025.\n\n"
    )


def test_an_exact_date_has_no_caveat_and_no_bracket():
    event = EventFactory(date="2025-10-30", display_date="Thursday 30 October 2025", title="Busan")

    vevent = only_vevent(ical_for(event))

    assert str(vevent["SUMMARY"]) == "Busan"
    assert str(vevent["DESCRIPTION"]).startswith(f"{UNSUPPORTED}\n\nSomething happened.")


PERIOD_LABELS = [
    (datetime.date(2025, 10, 30), datetime.date(2025, 10, 30), "30 October 2025"),
    (datetime.date(2025, 10, 25), datetime.date(2025, 10, 26), "25–26 October 2025"),
    (datetime.date(2025, 10, 26), datetime.date(2025, 11, 2), "26 October – 2 November 2025"),
    (
        datetime.date(2025, 12, 30),
        datetime.date(2026, 1, 2),
        "30 December 2025 – 2 January 2026",
    ),
    (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31), "March 2025"),
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29), "February 2024"),
    (datetime.date(2025, 3, 1), datetime.date(2025, 5, 31), "March–May 2025"),
    (datetime.date(2024, 12, 1), datetime.date(2025, 2, 28), "December 2024 – February 2025"),
    (datetime.date(2019, 1, 1), datetime.date(2019, 12, 31), "2019"),
    (datetime.date(2019, 1, 1), datetime.date(2020, 12, 31), "2019–2020"),
]


def test_period_label():
    labels = [(start, end, period_label(start, end)) for start, end, _ in PERIOD_LABELS]

    assert labels == PERIOD_LABELS


# Where the date comes from: a block after the caveat


def cited(*quotes: str, **fields) -> Event:
    """A new event on 30 October 2025 (unless ``fields`` say otherwise) citing ``quotes`` of one
    article, published on Friday 31 October 2025."""
    source = SourceFactory(text=DATED_TEXT, published_on=FRIDAY)
    event = EventFactory(**{"date": "2025-10-30", "summary": "They met."} | fields)
    for quote in quotes:
        CitationFactory(event=event, source=source, quote=quote)
    return event


def description_blocks(event: Event) -> list[str]:
    return str(only_vevent(ical_for(event))["DESCRIPTION"]).split("\n\n")


def test_the_description_names_the_sources_that_state_the_date():
    blocks = description_blocks(cited(TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE))

    assert blocks[:2] == ["Date stated in [2], [3]", "They met."]
    # [n] is the nth line of the sources.
    assert [line.split(" — ")[0] for line in blocks[2].split("\n")] == [
        "Sources:",
        f"1. “{TARIFF_QUOTE}”",
        f"2. “{THURSDAY_QUOTE}”",
        f"3. “{DAY_QUOTE}”",
    ]


def test_the_date_evidence_comes_after_the_caveat():
    # The day a quote gives states the month it falls in.
    blocks = description_blocks(cited(TARIFF_QUOTE, THURSDAY_QUOTE, date="2025-10"))

    assert blocks[:3] == [
        "Date known only to the month: October 2025.",
        "Date stated in [2]",
        "They met.",
    ]


def test_an_inferred_date_gives_the_editors_note_as_typed():
    event = cited(TARIFF_QUOTE, date_note=NOTE)

    content = ical_for(event)

    assert str(only_vevent(content)["DESCRIPTION"]).split("\n\n")[:2] == [
        f"Date inferred: {NOTE}",
        "They met.",
    ]
    # Text, not HTML: nothing is escaped but what RFC 5545 escapes.
    unfolded = re.sub(rb"\r\n[ \t]", b"", content).decode()
    assert 'inferred: Worked out from the <b>wire</b> & "desk" reports\\; both were' in unfolded
    assert "&lt;" not in unfolded
    assert "&amp;" not in unfolded


def test_a_date_no_quote_states_says_so():
    for event in [
        cited(TARIFF_QUOTE),
        # “Thursday” was the 30th, not the 29th.
        cited(THURSDAY_QUOTE, date="2025-10-29"),
    ]:
        assert description_blocks(event)[:2] == [UNSUPPORTED, "They met."], event.date


# Identity and versions


def test_uid_is_stable_across_edits_and_slug_changes_and_sequence_grows():
    event = EventFactory(title="Talks", slug="talks")
    timeline = TimelineFactory(events=[event])
    before = only_vevent(ical_for(timeline=timeline))

    event.title = "Talks in Kuala Lumpur"
    event.slug = "kuala-lumpur-talks"
    event.save()
    after = only_vevent(ical_for(timeline=timeline))

    assert str(before["UID"]) == f"event-{event.pk}@{UID_DOMAIN}"
    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after["SEQUENCE"] == event.version
    assert str(after["SUMMARY"]) == "Talks in Kuala Lumpur"
    assert str(after["URL"]) == "https://timeline.example.org/events/kuala-lumpur-talks/"
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_timestamps_come_from_the_event_in_utc():
    event = EventFactory()
    updated = datetime.datetime(2025, 11, 2, 9, 30, 15, tzinfo=datetime.UTC)
    created = datetime.datetime(2025, 11, 1, 8, 0, 0, tzinfo=datetime.UTC)
    Event.objects.filter(pk=event.pk).update(updated_at=updated, created_at=created)

    vevent = only_vevent(ical_for(Event.objects.get(pk=event.pk)))

    assert vevent.decoded("DTSTAMP") == updated
    assert vevent.decoded("LAST-MODIFIED") == updated
    assert vevent.decoded("CREATED") == created
    assert "DTSTAMP:20251102T093015Z" in vevent.to_ical().decode()


def test_same_data_gives_the_same_bytes():
    timeline = TimelineFactory(
        events=[
            EventFactory(date="2025-03", tags=[TagFactory(), TagFactory()]),
            EventFactory(date="2025-10-25/2025-10-26", place=PlaceFactory()),
        ]
    )
    CitationFactory(event=timeline.events.first())

    assert ical_for(timeline=timeline) == ical_for(timeline=Timeline.objects.get(pk=timeline.pk))


# Status


def test_status():
    for status, ical_status, summary in [
        ("occurred", "CONFIRMED", "Visit"),
        ("rescheduled", "CONFIRMED", "Visit (rescheduled)"),
        ("scheduled", "TENTATIVE", "Visit (scheduled)"),
        ("postponed", "TENTATIVE", "Visit (postponed)"),
        ("cancelled", "CANCELLED", "Visit (cancelled)"),
    ]:
        vevent = only_vevent(ical_for(EventFactory(title="Visit", status=status)))

        assert (str(vevent["STATUS"]), str(vevent["SUMMARY"])) == (ical_status, summary), status


# Content


def test_event_properties():
    busan = PlaceFactory(
        name="Busan, South Korea", latitude=Decimal("35.17955"), longitude=Decimal("129.07556")
    )
    event = EventFactory(
        title="Trump and Xi meet",
        summary="They met for 100 minutes.",
        place=busan,
        tags=[TagFactory(name="Trade talks"), TagFactory(name="Diplomacy")],
        actors=[ActorFactory(name="Xi Jinping"), ActorFactory(name="Donald Trump")],
    )
    source = SourceFactory(
        title="Trump and Xi meet", publisher="Example Wire", url="https://news.example.org/a"
    )
    CitationFactory(event=event, source=source, quote="Tariffs will fall from 57% to 47%.")
    CitationFactory(
        event=event,
        source=SourceFactory(title="No link", publisher="", url=""),
        quote="The trade ministers met in Geneva on Monday.",
        locator="para 1",
    )

    vevent = only_vevent(ical_for(event))

    page = f"https://timeline.example.org/events/{event.slug}/"
    assert str(vevent["URL"]) == page
    assert str(vevent["LOCATION"]) == "Busan, South Korea"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (35.17955, 129.07556)
    assert [str(tag) for tag in vevent["CATEGORIES"].cats] == ["Diplomacy", "Trade talks"]
    assert str(vevent["DESCRIPTION"]) == (
        f"{UNSUPPORTED}\n\n"
        "They met for 100 minutes.\n\n"
        "Actors: Donald Trump, Xi Jinping\n\n"
        "Sources:\n"
        "1. “Tariffs will fall from 57% to 47%.” — Trump and Xi meet, Example Wire "
        "<https://news.example.org/a>\n"
        "2. “The trade ministers met in Geneva on Monday.” — No link, para 1\n\n"
        f"Event page: {page}"
    )


def test_a_place_without_coordinates_has_a_location_and_no_geo():
    vevent = only_vevent(ical_for(EventFactory(place=PlaceFactory(name="Geneva"))))

    assert str(vevent["LOCATION"]) == "Geneva"
    assert "GEO" not in vevent
    assert "CATEGORIES" not in vevent


def test_special_characters_round_trip():
    title = "Tariffs, quotas; and “more” — 关税"
    summary = "Line one, with a comma; and a semicolon.\nLine two: \\ backslash, ünïcödé."
    event = EventFactory(
        title=title,
        summary=summary,
        place=PlaceFactory(name="Kuala Lumpur, Malaysia; Bukit Bintang"),
        tags=[TagFactory(name="Rare earths, magnets; etc.")],
    )
    timeline = TimelineFactory(
        title="US–China, 2025; a truce",
        description="Who said what,\nand when; 中文.",
        events=[event],
    )

    content = ical_for(timeline=timeline)
    calendar = parse(content)
    (vevent,) = calendar.walk("VEVENT")

    assert str(vevent["SUMMARY"]) == title
    assert str(vevent["DESCRIPTION"]).startswith(f"{UNSUPPORTED}\n\n{summary}\n\n")
    assert str(vevent["LOCATION"]) == "Kuala Lumpur, Malaysia; Bukit Bintang"
    assert [str(tag) for tag in vevent["CATEGORIES"].cats] == ["Rare earths, magnets; etc."]
    # The parser leaves X- and RFC 7986 properties raw: unescape them as TEXT,
    # as calendar apps do.
    assert unescape_text(calendar["X-WR-CALNAME"]) == "US–China, 2025; a truce"
    assert unescape_text(calendar["X-WR-CALDESC"]) == "Who said what,\nand when; 中文."
    assert unescape_text(calendar["NAME"]) == "US–China, 2025; a truce"
    # Folded at 75 octets, and never inside a UTF-8 sequence.
    lines = content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode("utf-8") is not None for line in lines)


def test_calendar_properties():
    timeline = TimelineFactory(slug="trade", title="Trade war", description="Who did what.")

    calendar = parse(ical_for(timeline=timeline))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Timeline service//Timeline calendar//EN"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Trade war"
    assert str(calendar["X-WR-CALDESC"]) == "Who did what."
    assert str(calendar["URL"]) == "https://timeline.example.org/timelines/trade/"
    assert calendar.walk("VEVENT") == []


def test_a_timeline_without_description_is_still_described():
    calendar = parse(ical_for(timeline=TimelineFactory(title="Trade war", description="")))

    assert (
        unescape_text(calendar["X-WR-CALDESC"])
        == "Dated events of “Trade war”, with their sources."
    )


def test_uid_domain_is_required():
    with pytest.raises(ValueError, match="uid_domain"):
        timeline_to_ical(TimelineFactory(), [], base_url=BASE_URL, uid_domain="")


# The API view


def test_seeded_timeline_has_one_vevent_per_published_event(client, seeded):
    response = get_calendar(client, SEEDED_SLUG)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'inline; filename="{SEEDED_SLUG}.ics"'
    events = Event.objects.published().filter(timelines__slug=SEEDED_SLUG)
    found = vevents(response.content)
    assert set(found) == {f"event-{pk}@localhost" for pk in events.values_list("pk", flat=True)}
    busan = found[f"event-{events.get(slug='busan-meeting').pk}@localhost"]
    assert busan.decoded("DTSTART") == datetime.date(2025, 10, 30)
    assert busan.decoded("DTEND") == datetime.date(2025, 10, 31)
    assert str(busan["URL"]) == "http://testserver/events/busan-meeting/"
    assert "GEO" in busan
    march = found[f"event-{events.get(slug='us-tariffs-march-2025').pk}@localhost"]
    assert str(march["SUMMARY"]).startswith("[Late March 2025] ")
    assert march.decoded("DTEND") == datetime.date(2025, 3, 2)


def test_drafts_are_absent(client):
    published = EventFactory()
    draft = EventFactory(published_at=None)
    timeline = TimelineFactory(events=[published, draft])

    response = get_calendar(client, timeline.slug)

    assert set(vevents(response.content)) == {f"event-{published.pk}@localhost"}


def test_unknown_timeline_is_a_json_404(client):
    assert_json_404(get_calendar(client, "no-such-timeline"))


def test_draft_timeline_is_a_json_404(client):
    timeline = TimelineFactory(published_at=None, events=[EventFactory()])

    assert_json_404(get_calendar(client, timeline.slug))


def test_a_calendar_apps_accept_header_is_served(client):
    timeline = TimelineFactory(events=[EventFactory()])

    response = get_calendar(client, timeline.slug, Accept="text/calendar")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"


def test_and_its_404_is_still_json(client):
    assert_json_404(get_calendar(client, "no-such-timeline", Accept="text/calendar"))


def test_uid_domain_setting_wins_over_the_host(client, settings):
    settings.TIMELINE_UID_DOMAIN = "timeline.example.org"
    event = EventFactory()
    timeline = TimelineFactory(events=[event])

    response = get_calendar(client, timeline.slug)

    assert set(vevents(response.content)) == {f"event-{event.pk}@timeline.example.org"}


def test_uid_survives_a_slug_change_through_the_api(client, commit):
    event = EventFactory(slug="old-slug")
    timeline = TimelineFactory(events=[event])
    before = only_vevent(get_calendar(client, timeline.slug).content)

    event.slug = "new-slug"
    with commit():
        event.save()
    after = only_vevent(get_calendar(client, timeline.slug).content)

    assert str(after["UID"]) == str(before["UID"])
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert str(after["URL"]) == "http://testserver/events/new-slug/"


def test_query_count_is_constant(client, django_assert_num_queries, commit):
    timeline = TimelineFactory(events=[EventFactory()])
    # The content generation (a cached read), then the five below without events.
    with django_assert_num_queries(7):
        get_calendar(client, timeline.slug)

    with commit():  # a new content generation: not the copy cached above
        for _ in range(5):
            event = EventFactory(place=PlaceFactory(), tags=[TagFactory()], actors=[ActorFactory()])
            CitationFactory(event=event)
            CitationFactory(event=event, source=SourceFactory())
            timeline.events.add(event)
    # 0. the content generation (a cached read)
    # 1. the timeline, with the newest change to it, its events, their sources
    #    and the lookups (Last-Modified)
    # 2. its published events, with their places
    # 3. their actors
    # 4. their tags
    # 5. their citations, with their sources
    # 6. the dates in their quotes
    # 7. their claims, with their properties and citations' ids
    with django_assert_num_queries(8):
        response = get_calendar(client, timeline.slug)
    assert len(vevents(response.content)) == 6


# Conditional GET


def test_last_modified_is_the_newest_change(client):
    event = EventFactory()
    timeline = TimelineFactory(events=[event])
    moment = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    set_updated_at(event, moment)

    response = get_calendar(client, timeline.slug)

    assert response["Last-Modified"] == http_date(moment.timestamp())
    assert response["ETag"].startswith('"')


def test_if_modified_since_gives_304_until_an_event_changes(client):
    event = EventFactory()
    timeline = TimelineFactory(events=[event])
    set_updated_at(event, datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    first = get_calendar(client, timeline.slug)

    again = get_calendar(client, timeline.slug, If_Modified_Since=first["Last-Modified"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]

    event.title = "Changed"
    event.save()
    set_updated_at(event, datetime.datetime(2030, 1, 2, tzinfo=datetime.UTC))
    changed = get_calendar(client, timeline.slug, If_Modified_Since=first["Last-Modified"])
    assert changed.status_code == 200
    assert str(only_vevent(changed.content)["SUMMARY"]) == "Changed"


def test_unpublishing_an_event_is_a_change(client):
    kept, dropped = EventFactory(), EventFactory()
    timeline = TimelineFactory(events=[kept, dropped])
    set_updated_at(kept, datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    set_updated_at(dropped, datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    first = get_calendar(client, timeline.slug)

    Event.objects.filter(pk=dropped.pk).update(
        published_at=None, updated_at=datetime.datetime(2030, 1, 2, tzinfo=datetime.UTC)
    )
    response = get_calendar(client, timeline.slug, If_Modified_Since=first["Last-Modified"])

    assert response.status_code == 200
    assert set(vevents(response.content)) == {f"event-{kept.pk}@localhost"}


def test_deleting_an_event_is_a_change(client):
    kept, deleted = EventFactory(), EventFactory()
    timeline = TimelineFactory(events=[kept, deleted])
    set_updated_at(kept, datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    set_updated_at(deleted, datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    Timeline.objects.filter(pk=timeline.pk).update(
        updated_at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    # Only the deletion below may count as the newest event history record.
    Event.history.all().delete()
    first = get_calendar(client, timeline.slug)
    assert first["Last-Modified"] == http_date(
        datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC).timestamp()
    )

    deleted.delete()
    response = get_calendar(client, timeline.slug, If_Modified_Since=first["Last-Modified"])

    assert response.status_code == 200
    assert set(vevents(response.content)) == {f"event-{kept.pk}@localhost"}


def test_if_none_match_gives_304_until_a_write(client, commit):
    event = EventFactory()
    timeline = TimelineFactory(events=[event])
    first = get_calendar(client, timeline.slug)

    assert get_calendar(client, timeline.slug, If_None_Match=first["ETag"]).status_code == 304

    event.summary = "Something else happened."
    with commit():
        event.save()
    changed = get_calendar(client, timeline.slug, If_None_Match=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_a_stale_if_match_is_a_json_412(client):
    timeline = TimelineFactory(events=[EventFactory()])

    response = get_calendar(client, timeline.slug, If_Match='"stale"')

    assert response.status_code == 412
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "precondition_failed"


def test_writes_are_refused_as_json(client):
    timeline = TimelineFactory()

    response = client.post(calendar_url(timeline.slug))

    # Anyone may read the file, and no one may write it.
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.', "code": "method_not_allowed"}
    assert response["Allow"] == "GET, HEAD, OPTIONS"

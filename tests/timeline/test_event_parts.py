"""Events part of others (schema.org superEvent/subEvent) and the order of events on a day.

An event may be part of a larger one (an outcome of a meeting, the meeting of a
tour): readers see it under that event, and on the same dates after it; events
sharing their dates come in the editors' ``day_order``, then by title.
"""

import datetime
import io
import json
from types import SimpleNamespace

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from tests.factories import CitationFactory, EventFactory, TimelineFactory
from tests.timeline.test_admin import event_form_data, field_errors
from tests.timeline.test_backup import empty_content, export_text
from tests.timeline.test_pages import event_titles, find, text, walk
from timeline import backup, services
from timeline.formats.spreadsheet import parse_csv
from timeline.models import Event, Timeline
from timeline.models.events import MAX_NESTING

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
DRAFTS = {"include_drafts": "true"}


def api_event(client, slug: str, **params) -> dict:
    response = client.get(f"{EVENTS_URL}{slug}/", params)
    assert response.status_code == 200, response.content
    return response.json()


def link(slug: str, title: str) -> dict:
    return {"slug": slug, "title": title, "url": f"http://testserver/api/v1/events/{slug}/"}


def clean_errors(event: Event) -> dict[str, list[str]]:
    """What ``full_clean`` refuses, by field; {} when the event is valid."""
    try:
        event.full_clean()
    except ValidationError as exc:
        return exc.message_dict
    return {}


@pytest.fixture
def busan():
    """A tour; a meeting on its last day, part of it; the meeting's outcomes on the same day,
    whose titles sort before the meeting's; and another event that day, part of nothing."""
    tour = EventFactory(slug="tour", title="Trump tours Asia", date="2025-10-26/2025-10-30")
    meeting = EventFactory(
        slug="meeting", title="Trump and Xi meet in Busan", date="2025-10-30", super_event=tour
    )
    soybeans = EventFactory(
        slug="soybeans",
        title="China agrees to buy soybeans",
        date="2025-10-30",
        super_event=meeting,
        day_order=2,
    )
    tariff = EventFactory(
        slug="tariff",
        title="US halves a tariff",
        date="2025-10-30",
        super_event=meeting,
        day_order=1,
    )
    statement = EventFactory(
        slug="statement", title="A statement that day", date="2025-10-30", day_order=1
    )
    draft = EventFactory(
        slug="draft-outcome",
        title="An outcome not yet published",
        date="2025-10-30",
        super_event=meeting,
        day_order=3,
        published_at=None,
    )
    timeline = TimelineFactory(
        slug="trade", events=[tour, meeting, soybeans, tariff, statement, draft]
    )
    return SimpleNamespace(
        tour=tour,
        meeting=meeting,
        soybeans=soybeans,
        tariff=tariff,
        statement=statement,
        draft=draft,
        timeline=timeline,
    )


# The 30th in chronological order: the meeting (0), then order 1 by title, then 2.
BUSAN_DAY = ["meeting", "statement", "tariff", "soybeans"]


@pytest.fixture
def same_day():
    """Three independent events on one day: by title Alpha, Beta, Zeta; by order Zeta first."""
    events = [
        EventFactory(slug="beta", title="Beta", date="2025-05-12", day_order=1),
        EventFactory(slug="zeta", title="Zeta", date="2025-05-12", day_order=0),
        EventFactory(slug="alpha", title="Alpha", date="2025-05-12", day_order=1),
    ]
    return TimelineFactory(slug="day", events=events)


SAME_DAY = ["zeta", "alpha", "beta"]


# The model's rules


def test_an_event_cannot_be_part_of_itself(busan):
    busan.meeting.super_event = busan.meeting

    assert clean_errors(busan.meeting) == {"super_event": ["An event cannot be part of itself."]}


def test_an_event_cannot_be_part_of_one_of_its_own_parts(busan):
    busan.tour.super_event = busan.soybeans  # soybeans is part of the meeting, part of the tour

    errors = clean_errors(busan.tour)

    assert list(errors) == ["super_event"]
    assert "“China agrees to buy soybeans” is itself part of this event" in errors["super_event"][0]


def test_a_cycle_written_around_the_checks_does_not_loop_forever(busan):
    # Two events part of each other, written without their rules.
    Event.objects.filter(pk=busan.tour.pk).update(super_event=busan.meeting)
    event = Event(slug="new", title="New", date="2025-10-30", super_event=busan.meeting)
    event.day_order = 5

    errors = clean_errors(event)

    assert errors == {
        "super_event": [
            f"Events nest at most {MAX_NESTING} deep: “Trump and Xi meet in Busan” is too deep "
            "already."
        ]
    }


def test_its_date_must_lie_within_the_date_of_the_event_it_is_part_of(busan):
    event = Event(slug="later", title="Later", date="2025-10-30/2025-11-02", super_event=busan.tour)

    assert clean_errors(event) == {
        "super_event": [
            "Its date (2025-10-30/2025-11-02) is not within the date of “Trump tours Asia” "
            "(2025-10-26/2025-10-30), the event it is part of."
        ]
    }
    event.date = "2025-10-28"
    assert clean_errors(event) == {}


def test_a_part_on_the_same_dates_must_be_listed_after_its_event(busan):
    Event.objects.filter(pk=busan.meeting.pk).update(day_order=3)
    event = Event(slug="outcome", title="Outcome", date="2025-10-30", super_event=busan.meeting)

    for order in (0, 3):
        event.day_order = order
        assert clean_errors(event) == {
            "day_order": ["List it after the event it is part of: give it an order above 3."]
        }, order
    event.day_order = 4
    assert clean_errors(event) == {}
    # Within a longer event, any order: the dates already tell them apart.
    assert clean_errors(busan.meeting) == {}


def test_an_event_with_parts_keeps_them_within_its_date_and_before_them(busan):
    busan.meeting.date = "2025-10-29"

    errors = clean_errors(busan.meeting)

    assert list(errors) == ["date"]
    assert "“US halves a tariff” (2025-10-30)" in errors["date"][0]
    assert "“China agrees to buy soybeans” (2025-10-30)" in errors["date"][0]

    busan.meeting.date = "2025-10-30"
    busan.meeting.day_order = 1
    assert clean_errors(busan.meeting) == {
        "day_order": [
            "One of its parts on the same dates is listed at 1: give this event a lower "
            "order, so that it comes before its parts."
        ]
    }


def test_an_event_with_parts_cannot_be_deleted(busan, editor_api):
    with pytest.raises(ProtectedError):
        busan.tour.delete()

    etag = editor_api.get(f"{EVENTS_URL}meeting/", DRAFTS)["ETag"]
    response = editor_api.delete(f"{EVENTS_URL}meeting/", HTTP_IF_MATCH=etag)

    assert response.status_code == 409
    assert Event.objects.filter(slug="meeting").exists()


def test_a_restored_part_is_part_of_its_event_unless_that_was_deleted_since(busan):
    soybeans, tariff = busan.soybeans.pk, busan.tariff.pk
    Event.objects.filter(super_event=busan.meeting).delete()
    services.event_restore(event_id=soybeans)
    assert Event.objects.get(pk=soybeans).super_event == busan.meeting

    Event.objects.get(pk=soybeans).delete()
    busan.meeting.delete()
    services.event_restore(event_id=tariff)

    assert Event.objects.get(pk=tariff).super_event is None


def test_history_keeps_the_event_it_is_part_of_and_its_order(busan, editor_api):
    etag = editor_api.get(f"{EVENTS_URL}statement/", DRAFTS)["ETag"]
    editor_api.patch(
        f"{EVENTS_URL}statement/",
        {"super_event": "meeting", "day_order": 4},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    (revision, *_) = editor_api.get(f"{EVENTS_URL}statement/history/").json()["results"]

    assert {change["field"]: change["new"] for change in revision["changes"]} == {
        "super_event": "meeting",
        "day_order": 4,
    }


# The API: reading


def test_an_event_names_the_event_it_is_part_of_and_its_published_parts(api_client, busan):
    meeting = api_event(api_client, "meeting")

    assert meeting["super_event"] == link("tour", "Trump tours Asia")
    assert meeting["sub_events"] == [
        link("tariff", "US halves a tariff"),
        link("soybeans", "China agrees to buy soybeans"),
    ]
    assert meeting["day_order"] == 0
    soybeans = api_event(api_client, "soybeans")
    assert (soybeans["super_event"], soybeans["sub_events"]) == (
        link("meeting", "Trump and Xi meet in Busan"),
        [],
    )
    assert soybeans["day_order"] == 2


def test_drafts_are_never_named_to_readers_and_are_to_editors_who_ask(
    api_client, editor_api, busan
):
    Event.objects.filter(pk=busan.tour.pk).update(published_at=None)
    published = [
        link("tariff", "US halves a tariff"),
        link("soybeans", "China agrees to buy soybeans"),
    ]
    with_drafts = [*published, link("draft-outcome", "An outcome not yet published")]

    for client, params, parts, tour in [
        (api_client, {}, published, None),
        (editor_api, {}, published, None),  # an editor who does not ask
        (editor_api, DRAFTS, with_drafts, link("tour", "Trump tours Asia")),
    ]:
        assert api_event(client, "meeting", **params)["sub_events"] == parts
        assert api_event(client, "meeting", **params)["super_event"] == tour
        listed = client.get(EVENTS_URL, params).json()["results"]
        (meeting,) = [event for event in listed if event["slug"] == "meeting"]
        assert (meeting["sub_events"], meeting["super_event"]) == (parts, tour)
        body = client.get(f"/api/v1/timelines/{busan.timeline.slug}/", params).json()
        (meeting,) = [event for event in body["events"] if event["slug"] == "meeting"]
        assert (meeting["sub_events"], meeting["super_event"]) == (parts, tour)

    assert "not yet published" not in api_client.get(EVENTS_URL).content.decode()


def test_parts_cost_one_query_for_any_number_of_events(
    api_client, django_assert_num_queries, commit
):
    for count in (1, 20):
        with commit():
            for index in range(Event.objects.filter(super_event=None).count(), count):
                meeting = EventFactory(slug=f"meeting-{index}", date="2025-10-30")
                for number in (1, 2):
                    EventFactory(date="2025-10-30", super_event=meeting, day_order=number)
        # 1. the content generation; 2. COUNT; 3. the page's ids; 4. the events, with the
        # event each is part of; 5. their actors and tags; 6. their citations; 7. the
        # parts of those that have any (no claims: no query for them).
        with django_assert_num_queries(7):
            body = api_client.get(EVENTS_URL, {"page_size": 100}).json()

        assert body["count"] == count * 3
        meetings = [event for event in body["results"] if event["super_event"] is None]
        assert [len(event["sub_events"]) for event in meetings] == [2] * count


# The API: writing


def test_an_editor_makes_an_event_part_of_another_and_orders_it(editor_api, busan):
    response = editor_api.post(
        EVENTS_URL,
        {
            "slug": "chips",
            "title": "Chips discussed",
            "date": "2025-10-30",
            "super_event": "meeting",
            "day_order": 5,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["super_event"] == link("meeting", "Trump and Xi meet in Busan")
    assert response.json()["day_order"] == 5
    event = Event.objects.get(slug="chips")
    assert (event.super_event, event.day_order) == (busan.meeting, 5)

    etag = response["ETag"]
    response = editor_api.patch(
        f"{EVENTS_URL}chips/", {"super_event": None}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response.json()["super_event"] is None
    assert Event.objects.get(slug="chips").super_event is None


def test_an_event_read_and_put_back_keeps_its_parts(editor_api, busan):
    read = editor_api.get(f"{EVENTS_URL}meeting/", DRAFTS)
    body = read.json() | {"title": "Trump and Xi meet"}

    response = editor_api.put(
        f"{EVENTS_URL}meeting/", body, format="json", HTTP_IF_MATCH=read["ETag"]
    )

    assert response.status_code == 200, response.content
    assert response.json()["super_event"] == body["super_event"]
    assert response.json()["sub_events"] == body["sub_events"]
    assert Event.objects.get(slug="meeting").super_event == busan.tour


WRONG_PARTS = [
    ("meeting", {"super_event": "no-such-event"}, "super_event", "Object with slug=no-such-"),
    ("meeting", {"super_event": 12}, "super_event", "Invalid value."),
    ("meeting", {"super_event": "meeting"}, "super_event", "cannot be part of itself."),
    ("meeting", {"super_event": "soybeans"}, "super_event", "is itself part of this event"),
    ("soybeans", {"date": "2025-10-29"}, "super_event", "not within the date of “Trump and"),
    ("meeting", {"date": "2025-10-29"}, "date", "Its parts must lie within its date"),
    ("meeting", {"day_order": -1}, "day_order", "greater than or equal to 0"),
    ("meeting", {"day_order": "first"}, "day_order", "A valid integer is required."),
    ("meeting", {"day_order": 32768}, "day_order", "less than or equal to 32767"),
    ("meeting", {"day_order": 3}, "day_order", "give this event a lower order"),
    ("soybeans", {"day_order": 0}, "day_order", "give it an order above 0"),
]


def test_wrong_parts_and_orders_are_a_400_naming_the_field(editor_api, busan, stored_state):
    before = stored_state()

    for slug, change, field, message in WRONG_PARTS:
        etag = editor_api.get(f"{EVENTS_URL}{slug}/", DRAFTS)["ETag"]
        response = editor_api.patch(
            f"{EVENTS_URL}{slug}/", change, format="json", HTTP_IF_MATCH=etag
        )

        assert response.status_code == 400, change
        errors = response.json()["errors"]
        assert list(errors) == [field], change
        assert message in errors[field][0], change
    assert stored_state() == before


def test_a_new_part_listed_before_its_event_is_a_400_naming_day_order(editor_api, busan):
    response = editor_api.post(
        EVENTS_URL,
        {"slug": "early", "title": "Early", "date": "2025-10-30", "super_event": "meeting"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "day_order": ["List it after the event it is part of: give it an order above 0."]
    }


# Order on a day, everywhere


def test_the_event_list_orders_a_day_by_day_order_then_title(api_client, busan, same_day):
    slugs = [event["slug"] for event in api_client.get(EVENTS_URL).json()["results"]]

    assert slugs == [*SAME_DAY, "tour", *BUSAN_DAY]


def test_cursor_pages_keep_the_order_of_a_day(api_client, busan, same_day):
    slugs, response = [], api_client.get(EVENTS_URL, {"cursor": "", "page_size": 2})
    while True:
        body = response.json()
        slugs += [event["slug"] for event in body["results"]]
        if not body["next"]:
            break
        response = api_client.get(body["next"])

    assert slugs == [*SAME_DAY, "tour", *BUSAN_DAY]


def test_the_timeline_json_orders_a_day(api_client, same_day):
    body = api_client.get(f"/api/v1/timelines/{same_day.slug}/").json()

    assert [event["slug"] for event in body["events"]] == SAME_DAY


def test_the_timeline_page_orders_a_day(client, same_day):
    response = client.get(same_day.get_absolute_url())

    assert event_titles(response) == ["Zeta", "Alpha", "Beta"]


def test_timelinejs_and_its_spreadsheet_order_a_day(api_client, same_day):
    document = api_client.get(f"/api/v1/timelines/{same_day.slug}/timelinejs/").json()
    sheet = api_client.get(f"/api/v1/timelines/{same_day.slug}/timelinejs.csv")

    assert [slide["unique_id"] for slide in document["events"]] == SAME_DAY
    rows = parse_csv(io.StringIO(sheet.content.decode(), newline=""))
    assert [event.title for event in rows.events] == ["Zeta", "Alpha", "Beta"]


def test_the_calendar_orders_a_day(api_client, same_day):
    content = api_client.get(f"/api/v1/timelines/{same_day.slug}/calendar.ics").content

    ids = [str(vevent["UID"]) for vevent in Calendar.from_ical(content).walk("VEVENT")]
    expected = [Event.objects.get(slug=slug).pk for slug in SAME_DAY]
    assert ids == [f"event-{pk}@localhost" for pk in expected]


def test_the_admin_lists_a_day_in_its_order(editor_client, same_day):
    response = editor_client.get("/admin/timeline/event/")

    titles = [event.title for event in response.context["cl"].result_list]
    assert titles == ["Zeta", "Alpha", "Beta"]


# The public pages


def test_a_part_is_shown_under_its_event_a_heading_deeper(client, busan):
    response = client.get(busan.timeline.get_absolute_url())

    # At the top level: the tour and the statement; the rest under them, once each.
    top = find(response, "ol", class_="events")[0]
    top_articles = [
        dict(article.attributes)["id"]
        for item in top.children
        if getattr(item, "name", None) == "li"
        for article in item.children
        if getattr(article, "name", None) == "article"
    ]
    assert top_articles == ["event-tour", "event-statement"]
    (tour,) = find(response, "article", id="event-tour")
    (parts,) = [e for e in tour.children if getattr(e, "name", None) == "ol"]
    assert dict(parts.attributes)["class"] == "event-parts"
    assert dict(parts.attributes)["aria-label"] == "Parts of “Trump tours Asia”"
    nested = {
        dict(e.attributes)["id"]: e.name
        for e in walk(parts)
        if "event-title" in (dict(e.attributes).get("class") or "")
    }
    assert nested == {
        "title-meeting": "h3",
        "title-tariff": "h4",
        "title-soybeans": "h4",
    }
    assert event_titles(response) == [
        "Trump tours Asia",
        "Trump and Xi meet in Busan",
        "US halves a tariff",
        "China agrees to buy soybeans",
        "A statement that day",
    ]
    for slug in ("meeting", "tariff", "soybeans"):
        assert len(find(response, "article", id=f"event-{slug}")) == 1
    # Under its event, a part need not say what it is part of.
    assert "Part of:" not in response.content.decode()
    assert "not yet published" not in response.content.decode()


def test_a_part_whose_event_is_not_on_the_page_says_what_it_is_part_of(client, busan):
    busan.timeline.events.remove(busan.tour)

    response = client.get(busan.timeline.get_absolute_url())

    (meeting,) = find(response, "article", id="event-meeting")
    (line,) = [e for e in walk(meeting) if ("class", "event-part-of") in e.attributes]
    assert " ".join(text(line).split()) == "Part of: Trump tours Asia"
    (anchor,) = [e for e in walk(line) if e.name == "a"]
    assert dict(anchor.attributes)["href"] == "/events/tour/"
    assert event_titles(response)[:3] == [
        "Trump and Xi meet in Busan",
        "US halves a tariff",
        "China agrees to buy soybeans",
    ]


def test_a_part_of_a_draft_stands_alone(client, busan):
    Event.objects.filter(pk=busan.tour.pk).update(published_at=None)

    response = client.get(busan.timeline.get_absolute_url())

    assert "Trump tours Asia" not in response.content.decode()
    assert "Part of:" not in response.content.decode()
    assert len(find(response, "article", id="event-meeting")) == 1


def test_the_event_page_links_the_event_it_is_part_of_and_its_parts(client, busan):
    response = client.get("/events/meeting/")

    content = response.content.decode()
    assert 'Part of: <a href="/events/tour/">Trump tours Asia</a>' in content
    (section,) = find(response, "section", class_="event-part-list")
    anchors = [e for e in walk(section) if e.name == "a"]
    assert [(dict(a.attributes)["href"], text(a)) for a in anchors] == [
        ("/events/tariff/", "US halves a tariff"),
        ("/events/soybeans/", "China agrees to buy soybeans"),
    ]
    assert "not yet published" not in content


def test_the_event_page_asks_for_parts_only_when_it_has_some(
    client, busan, django_assert_num_queries
):
    CitationFactory(event=busan.meeting)
    CitationFactory(event=busan.soybeans)
    # As tests/timeline/test_pages.py counts them, and one for the parts: the event
    # (whether it has parts, the event it is part of); its actors, tags, citations, their
    # quotes' dates and claims; its parts; its timelines.
    with django_assert_num_queries(8):
        assert client.get("/events/meeting/").status_code == 200
    with django_assert_num_queries(7):
        response = client.get("/events/soybeans/")
    assert find(response, "section", class_="event-part-list") == []


def test_the_timeline_page_costs_no_more_with_parts(client):
    def queries(timeline) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(timeline.get_absolute_url())
        assert response.status_code == 200
        return len(captured)

    nested, flat = TimelineFactory(), TimelineFactory()
    counted = set()
    for count in (1, 10):
        for _ in range(nested.events.count() // 2, count):
            meeting = EventFactory(date="2025-10-30")
            part = EventFactory(date="2025-10-30", super_event=meeting, day_order=1)
            nested.events.add(meeting, part)
            flat.events.add(EventFactory(date="2025-10-30"), EventFactory(date="2025-10-30"))
        response = client.get(nested.get_absolute_url())
        assert len(find(response, "ol", class_="event-parts")) == count
        counted |= {queries(nested), queries(flat)}

    assert len(counted) == 1


# Formats


def test_the_calendar_relates_a_part_to_its_event(api_client, busan):
    content = api_client.get(f"/api/v1/timelines/{busan.timeline.slug}/calendar.ics").content

    vevents = {
        str(v["URL"]).rsplit("/", 2)[-2]: v for v in Calendar.from_ical(content).walk("VEVENT")
    }
    meeting = vevents["meeting"]
    related = meeting["RELATED-TO"]
    assert str(related) == str(vevents["tour"]["UID"]) == f"event-{busan.tour.pk}@localhost"
    assert related.params["RELTYPE"] == "PARENT"
    assert "Part of: Trump tours Asia" in str(meeting["DESCRIPTION"])
    assert str(vevents["soybeans"]["RELATED-TO"]) == str(meeting["UID"])
    assert "RELATED-TO" not in vevents["tour"]
    assert b"RELATED-TO;RELTYPE=PARENT:event-" in content


def test_the_calendar_names_no_draft(api_client, busan):
    Event.objects.filter(pk=busan.tour.pk).update(published_at=None)

    content = api_client.get(f"/api/v1/timelines/{busan.timeline.slug}/calendar.ics").content

    assert f"event-{busan.tour.pk}@".encode() not in content
    assert b"Trump tours Asia" not in content


def test_a_timelinejs_slide_says_what_it_is_part_of_and_an_import_leaves_it_out(api_client, busan):
    document = api_client.get(f"/api/v1/timelines/{busan.timeline.slug}/timelinejs/").json()
    slides = {slide["unique_id"]: slide for slide in document["events"]}

    assert (
        '<p class="timeline-part-of">Part of: <a href="http://testserver/events/tour/">'
        "Trump tours Asia</a></p>"
    ) in slides["meeting"]["text"]["text"]
    assert "timeline-part-of" not in slides["tour"]["text"]["text"]
    sheet = api_client.get(f"/api/v1/timelines/{busan.timeline.slug}/timelinejs.csv")
    sheet_rows = io.StringIO(sheet.content.decode(), newline="")
    rows = {event.title: event for event in parse_csv(sheet_rows).events}
    assert "Part of" in sheet.content.decode()
    assert rows["Trump and Xi meet in Busan"].summary == busan.meeting.summary


def test_a_feed_entry_says_what_it_is_part_of(api_client, busan):
    feed = feedparser.parse(
        api_client.get(f"/api/v1/timelines/{busan.timeline.slug}/feed.atom").content
    )

    entries = {entry.title: entry for entry in feed.entries}
    assert '<p class="part-of">Part of: Trump tours Asia</p>' in (
        entries["Trump and Xi meet in Busan"].summary
    )
    assert "Part of" not in entries["Trump tours Asia"].summary


# Backup


def test_parts_and_orders_survive_a_backup_round_trip(busan):
    exported = export_text("trade")
    document = json.loads(exported)
    rows = {event["slug"]: event for event in document["events"]}
    assert rows["meeting"]["super_event"] == busan.tour.pk
    assert rows["soybeans"]["day_order"] == 2

    empty_content()
    backup.import_timeline(json.loads(exported))

    assert dict(Event.objects.values_list("slug", "super_event__slug")) == {
        "tour": None,
        "meeting": "tour",
        "soybeans": "meeting",
        "tariff": "meeting",
        "statement": None,
        "draft-outcome": "meeting",
    }
    assert Event.objects.get(slug="soybeans").day_order == 2
    assert export_text("trade") == exported


def test_an_import_whose_ids_are_taken_points_parts_at_the_new_events(busan):
    document = backup.export_timeline(busan.timeline)
    # The originals stay: the import's rows get new ids.
    for event in Event.objects.all():
        Event.objects.filter(pk=event.pk).update(slug=f"original-{event.slug}")
    Timeline.objects.filter(pk=busan.timeline.pk).update(slug="original")

    backup.import_timeline(document)

    meeting = Event.objects.get(slug="meeting")
    assert meeting.pk != busan.meeting.pk
    assert meeting.super_event.slug == "tour"
    assert Event.objects.get(slug="soybeans").super_event == meeting
    assert Event.objects.get(slug="original-soybeans").super_event_id == busan.meeting.pk


def test_an_event_part_of_one_outside_the_timeline_is_exported_as_part_of_none(busan):
    busan.timeline.events.remove(busan.tour)
    out, err = io.StringIO(), io.StringIO()

    call_command("export_timeline", "trade", stdout=out, stderr=err)

    rows = {event["slug"]: event for event in json.loads(out.getvalue())["events"]}
    assert rows["meeting"]["super_event"] is None
    assert rows["soybeans"]["super_event"] == busan.meeting.pk
    history = json.loads(out.getvalue())["history"]["events"]
    assert {row["super_event"] for row in history if row["id"] == busan.meeting.pk} == {None}
    assert (
        "Warning: Event meeting is part of event tour, which is not in this timeline: "
        "exported as part of no event."
    ) in err.getvalue()


def test_a_document_written_before_parts_imports_them_as_none(busan):
    document = backup.export_timeline(busan.timeline)
    for row in [*document["events"], *document["history"]["events"]]:
        del row["super_event"], row["day_order"]
    empty_content()

    backup.import_timeline(document)

    assert set(Event.objects.values_list("super_event", "day_order")) == {(None, 0)}


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda rows: rows["meeting"].update(super_event=999), "super_event", "no event with id"),
        (
            lambda rows: rows["tour"].update(super_event=rows["soybeans"]["id"]),
            "super_event",
            "is itself part of this event",
        ),
        (lambda rows: rows["soybeans"].update(day_order=0), "day_order", "order above 0"),
        (lambda rows: rows["meeting"].update(date="2025-11"), "super_event", "not within"),
    ],
    ids=["unknown event", "cycle", "part listed first", "date outside"],
)
def test_a_document_breaking_the_rules_of_parts_is_refused_before_reading_the_database(
    busan, django_assert_num_queries, change, path, message
):
    document = backup.export_timeline(busan.timeline)
    rows = {event["slug"]: event for event in document["events"]}
    change(rows)

    with django_assert_num_queries(0), pytest.raises(backup.DocumentError) as caught:
        backup.validate_document(document)

    ((where, said),) = caught.value.problems
    assert where.endswith(f".{path}") and where.startswith("events[")
    assert message in said


# The admin


def test_the_admin_saves_the_event_it_is_part_of_and_its_order(editor_client, busan):
    data = event_form_data(
        title="Chips discussed", slug="chips", date="2025-10-30", super_event=str(busan.meeting.pk)
    )

    refused = editor_client.post("/admin/timeline/event/add/", data | {"day_order": "0"})
    assert refused.status_code == 200
    assert "give it an order above 0" in field_errors(refused, "id_day_order")
    assert not Event.objects.filter(slug="chips").exists()

    response = editor_client.post("/admin/timeline/event/add/", data | {"day_order": "6"})

    assert response.status_code == 302
    event = Event.objects.get(slug="chips")
    assert (event.super_event, event.day_order) == (busan.meeting, 6)
    assert event.history.get().super_event_id == busan.meeting.pk


def test_the_admin_form_and_list_show_parts(editor_client, busan):
    form = editor_client.get(f"/admin/timeline/event/{busan.meeting.pk}/change/")
    listed = editor_client.get("/admin/timeline/event/")

    content = form.content.decode()
    assert 'name="super_event"' in content and 'name="day_order"' in content
    assert "admin-autocomplete" in content
    assert "column-super_event" in listed.content.decode()
    assert str(busan.tour) in listed.content.decode()


def test_the_admin_refuses_to_delete_an_event_with_parts(editor_client, busan):
    response = editor_client.get(f"/admin/timeline/event/{busan.meeting.pk}/delete/")

    assert "following protected related objects" in response.content.decode()
    assert "China agrees to buy soybeans" in response.content.decode()


# The seed


BUSAN_OUTCOMES = [
    "busan-rare-earth-deal",
    "busan-soybean-purchases",
    "busan-fentanyl-tariff-cut",
    "busan-one-year-suspension",
    "busan-chips-discussed",
]


def test_the_seed_lists_the_busan_outcomes_after_the_meeting(client, seeded):
    day = Event.objects.published().filter(start=datetime.date(2025, 10, 30))
    slugs = list(day.chronological().values_list("slug", flat=True))

    assert [slug for slug in slugs if slug.startswith("busan-")] == [
        "busan-meeting",
        *BUSAN_OUTCOMES,
    ]
    meeting = Event.objects.get(slug="busan-meeting")
    assert meeting.super_event.slug == "trump-asia-tour-2025"
    assert {event.super_event for event in day.filter(slug__in=BUSAN_OUTCOMES)} == {meeting}
    for event in Event.objects.filter(super_event__isnull=False):
        event.full_clean()  # the seed keeps the rules of parts
    response = client.get("/timelines/us-china-trade-2025/")
    (article,) = find(response, "article", id="event-busan-meeting")
    assert len([e for e in walk(article) if e.name == "article"]) == 5

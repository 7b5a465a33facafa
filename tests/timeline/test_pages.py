"""Tests for the public HTML pages: the index, a timeline, an event's permalink."""

import re

import pytest
from django.test.html import Element, parse_html
from django.utils import timezone
from django.utils.html import escape

from tests.dated import DATED_TEXT, DAY_QUOTE, FRIDAY, NOTE, TARIFF_QUOTE, THURSDAY_QUOTE
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.models import Citation, Event, EventStatus, Timeline
from timeline.templatetags.timeline_pages import date_parts

pytestmark = pytest.mark.django_db

SEEDED = "/timelines/us-china-trade-2025/"
# What HTML allows in a <time datetime>: here a year, a month or a day.
HTML_DATETIME = re.compile(r"^\d{4,}(-\d{2}(-\d{2})?)?$")


def walk(node: Element):
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from walk(child)


def find(response, tag: str, /, **attributes) -> list[Element]:
    """The ``tag`` elements whose attributes include ``attributes`` (class_ for class)."""
    wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attributes.items()}
    found = []
    root = parse_html(response.content.decode())
    for element in [root, *walk(root)]:
        attrs = dict(element.attributes)
        classes = (attrs.get("class") or "").split()
        if element.name == tag and all(
            value in classes if key == "class" else attrs.get(key) == value
            for key, value in wanted.items()
        ):
            found.append(element)
    return found


def text(node) -> str:
    if isinstance(node, str):
        return node
    return " ".join(text(child) for child in node.children)


def time_values(node: Element) -> list[tuple[str, str]]:
    return [(dict(t.attributes)["datetime"], text(t)) for t in walk(node) if t.name == "time"]


def event_titles(response) -> list[str]:
    """The events' titles in page order, parts listed under their events included."""
    root = parse_html(response.content.decode())
    return [
        text(element)
        for element in walk(root)
        if "event-title" in (dict(element.attributes).get("class") or "").split()
    ]


def filter_status(response) -> str:
    return " ".join(text(find(response, "p", class_="filter-status")[0]).split())


def timeline_with(*events, **fields) -> Timeline:
    return TimelineFactory(events=list(events), **fields)


# The index


def test_index_lists_published_timelines_with_counts_and_spans(client):
    early = EventFactory(date="2019")
    late = EventFactory(date="2026-04")
    draft = EventFactory(date="2030", published_at=None)
    published = timeline_with(early, late, draft, title="Trade war", description="Tariffs.")
    hidden = timeline_with(early, title="Work in progress", published_at=None)

    response = client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    (card,) = find(response, "article", class_="timeline-card")
    assert f'<a href="{published.get_absolute_url()}">Trade war</a>' in content
    assert "Tariffs." in text(card)
    # The draft event counts for nothing: not in the count, not in the span.
    assert "2 events" in text(card)
    assert time_values(card) == [("2019", "2019"), ("2026", "2026")]
    assert hidden.title not in content
    assert hidden.get_absolute_url() not in content


def test_index_without_timelines_says_so(client):
    timeline_with(EventFactory(), published_at=None)

    response = client.get("/")

    assert response.status_code == 200
    assert "No timelines have been published yet." in response.content.decode()


def test_index_has_head_links(client):
    response = client.get("/")

    assert find(response, "link", rel="canonical", href="http://testserver/")
    assert find(
        response, "link", rel="alternate", type="application/json", href="/api/v1/timelines/"
    )
    assert find(response, "html", lang="en")


def test_index_query_count_is_constant(client, django_assert_num_queries):
    for count in (1, 10):
        while Timeline.objects.count() < count:
            timeline_with(EventFactory(), EventFactory(published_at=None))

        # 1. the published timelines, with their published events' count and span
        with django_assert_num_queries(1):
            response = client.get("/")

        assert len(find(response, "article", class_="timeline-card")) == count


# The seeded timeline


def test_seeded_timeline_lists_every_published_event_and_every_quote(client, seeded):
    timeline = Timeline.objects.get(slug="us-china-trade-2025")
    events = list(timeline.events.published().chronological())
    citations = Citation.objects.filter(event__in=events)

    response = client.get(SEEDED)

    assert response.status_code == 200
    assert event_titles(response) == [event.title for event in events]
    assert len(find(response, "article", class_="event")) == len(events)
    assert len(find(response, "li", class_="note")) == citations.count()
    content = response.content.decode()
    for citation in citations:
        assert escape(citation.quote) in content
    for event in events:
        assert f'href="{event.get_absolute_url()}"' in content
    assert f"{len(events)} events" in content


def test_seeded_notes_show_where_the_sources_differ(client, seeded):
    response = client.get("/events/busan-meeting/")

    notes = [text(p) for p in find(response, "p", class_="note-editor")]
    assert (
        "Editors’ note: Gives the length as 80 minutes: it conflicts with about 100 minutes."
        in notes
    )
    assert "Editors’ note: Gives the length as about 100 minutes (90 to 110)." in notes


def test_seeded_notes_are_numbered_and_referred_to_from_the_text(client, seeded):
    event = Event.objects.get(slug="busan-meeting")

    response = client.get(SEEDED)

    (article,) = find(response, "article", id="event-busan-meeting")
    # Its own notes, not those of its parts, listed inside it.
    notes = [
        e
        for e in walk(article)
        if e.name == "li"
        and ("class", "note") in e.attributes
        and dict(e.attributes)["id"].startswith("note-busan-meeting-")
    ]
    assert len(notes) == event.citations.count()
    for number, note in enumerate(notes, start=1):
        assert dict(note.attributes)["id"] == f"note-busan-meeting-{number}"
        ref = find(response, "a", id=f"ref-busan-meeting-{number}")[0]
        assert dict(ref.attributes)["href"] == f"#note-busan-meeting-{number}"
        assert text(ref) == f"[{number}]"
    # Quotes that anchor in the archived articles say so.
    assert "Quote verified in the archived text." in text(notes[0])


def test_seeded_scheduled_events_say_so_in_words(client, seeded):
    response = client.get(SEEDED)

    (article,) = find(response, "article", id="event-trump-visit-china-april-2026")
    assert next(text(s) for s in walk(article) if s.name == "strong") == "Scheduled"
    assert time_values(article)[0] == ("2026-04", "April 2026")


# Drafts and 404s


def test_draft_events_are_not_shown_or_counted(client):
    shown = EventFactory(title="Talks resume")
    draft = EventFactory(title="Secret draft", slug="secret-draft", published_at=None)
    timeline = timeline_with(shown, draft)

    response = client.get(timeline.get_absolute_url())

    assert event_titles(response) == ["Talks resume"]
    content = response.content.decode()
    assert "Secret draft" not in content
    assert "secret-draft" not in content
    assert "1 event," in " ".join(text(find(response, "p", class_="meta")[0]).split())


def test_unknown_and_draft_pages_are_html_404s(client):
    TimelineFactory(slug="draft", published_at=None)
    EventFactory(slug="draft", published_at=None)

    for path in [
        "/timelines/no-such-timeline/",
        "/events/no-such-event/",
        "/timelines/draft/",
        "/events/draft/",
    ]:
        response = client.get(path)

        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("text/html"), path


# Dates and statuses


def test_dates_are_time_elements_at_their_precision(client):
    for date, display_date, expected in [
        ("2025-10-30", "", [("2025-10-30", "30 October 2025")]),
        ("2025-03", "", [("2025-03", "March 2025")]),
        ("2025", "", [("2025", "2025")]),
        ("2025-21", "", [("2025-03", "March 2025"), ("2025-05", "May 2025")]),
        (
            "2025-10-25/2025-10-26",
            "",
            [("2025-10-25", "25 October 2025"), ("2025-10-26", "26 October 2025")],
        ),
        ("2025-09/2025-10", "", [("2025-09", "September 2025"), ("2025-10", "October 2025")]),
        ("2024/2025", "", [("2024", "2024"), ("2025", "2025")]),
        ("2025-05~", "", [("2025-05", "about May 2025")]),
        ("2025-05?", "", [("2025-05", "May 2025 (uncertain)")]),
        ("2025-03", "Late March 2025", [("2025-03", "Late March 2025")]),
        ("2026", "Later in 2026", [("2026", "Later in 2026")]),
        ("2025-10-25/2025-10-26", "25–26 October 2025", [("2025-10-25", "25–26 October 2025")]),
    ]:
        event = EventFactory(date=date, display_date=display_date)
        timeline = timeline_with(event)

        assert date_parts(event) == expected, date
        for path in (timeline.get_absolute_url(), event.get_absolute_url()):
            (when,) = find(client.get(path), "span", class_="event-date")
            assert time_values(when) == expected, (date, path)
            assert all(HTML_DATETIME.match(value) for value, _ in expected), date


def test_a_status_other_than_occurred_is_shown_as_text(client):
    for status in [s for s in EventStatus.values if s != "occurred"]:
        event = EventFactory(status=status)
        timeline = timeline_with(event)

        for path in (timeline.get_absolute_url(), event.get_absolute_url()):
            (badge,) = find(client.get(path), "strong", class_="status")
            assert text(badge) == status.capitalize(), path


def test_an_event_that_occurred_has_no_status_badge(client):
    event = EventFactory(status="occurred")

    assert (
        find(client.get(timeline_with(event).get_absolute_url()), "strong", class_="status") == []
    )


# Where the date comes from: after the date


def cited(slug: str, *quotes: str, **fields) -> Event:
    """A new event on 30 October 2025 (unless ``fields`` say otherwise) citing ``quotes`` of one
    article, published on Friday 31 October 2025."""
    source = SourceFactory(text=DATED_TEXT, published_on=FRIDAY)
    event = EventFactory(**{"slug": slug, "date": "2025-10-30"} | fields)
    for quote in quotes:
        CitationFactory(event=event, source=source, quote=quote)
    return event


def evidence_on(event: Event, client) -> list[Element]:
    """What follows the event's date, on its timeline's page and on its own page."""
    found = []
    for path in (timeline_with(event).get_absolute_url(), event.get_absolute_url()):
        (when,) = find(client.get(path), "p", class_="event-when")
        parts = [child for child in when.children if isinstance(child, Element)]
        assert dict(parts[0].attributes)["class"] == "event-date", path
        found.append(parts[1])
    return found


def test_a_stated_date_links_the_notes_of_the_quotes_that_state_it(client):
    event = cited("busan", TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE)

    for span in evidence_on(event, client):
        assert span.name == "span"
        assert dict(span.attributes)["class"] == "date-evidence date-evidence--stated"
        assert " ".join(text(span).split()).startswith("Date stated in [2]")
        refs = [(dict(a.attributes)["href"], text(a)) for a in walk(span) if a.name == "a"]
        assert refs == [("#note-busan-2", "[2]"), ("#note-busan-3", "[3]")]
    # Note n is the nth source listed.
    response = client.get(event.get_absolute_url())
    for number, quote in [(1, TARIFF_QUOTE), (2, THURSDAY_QUOTE), (3, DAY_QUOTE)]:
        (note,) = find(response, "li", id=f"note-busan-{number}")
        assert quote in text(note), number


def test_an_inferred_date_shows_the_editors_note_escaped(client):
    event = cited("busan", TARIFF_QUOTE, date_note=NOTE)

    for span in evidence_on(event, client):
        assert dict(span.attributes)["class"] == "date-evidence date-evidence--inferred"
        assert text(span) == f"Date inferred: {NOTE}"
    content = client.get(event.get_absolute_url()).content.decode()
    assert f"Date inferred: {escape(NOTE)}</span>" in content
    assert "<b>wire</b>" not in content


def test_a_date_no_quote_states_is_flagged(client):
    for event in [
        cited("undated", TARIFF_QUOTE),
        # “Thursday” was the 30th, not the 29th.
        cited("wrong-day", THURSDAY_QUOTE, date="2025-10-29"),
    ]:
        for span in evidence_on(event, client):
            assert dict(span.attributes)["class"] == "date-evidence date-evidence--unsupported"
            assert text(span) == "Date not stated by any cited source"


# Citations, place, actors and tags


def test_citations_show_quote_source_locator_and_note(client):
    source = SourceFactory(
        title="Ministers pause the tariffs",
        publisher="Example Wire",
        url="https://news.example.org/a-very/long/path?with=query&and=more",
        published_on="2025-10-31",
    )
    event = EventFactory()
    CitationFactory(event=event, source=source, locator="para. 3", note="The only source.")
    timeline = timeline_with(event)

    response = client.get(timeline.get_absolute_url())

    (note,) = find(response, "li", class_="note")
    (quote,) = [e for e in walk(note) if e.name == "blockquote"]
    assert dict(quote.attributes)["cite"] == source.url
    assert text(quote) == "Tariffs will fall from 57% to 47%."
    (link,) = [e for e in walk(note) if e.name == "a" and dict(e.attributes)["href"] == source.url]
    assert dict(link.attributes)["rel"] == "noopener"
    assert text(link) == "Ministers pause the tariffs"
    details = " ".join(text(note).split())
    assert "Example Wire" in details
    assert ("2025-10-31", "31 October 2025") in time_values(note)
    assert "para. 3" in details
    assert "Editors’ note: The only source." in details
    assert "Quote verified in the archived text." in details


def test_a_source_without_url_is_named_without_a_link(client):
    source = SourceFactory(title="An archived report", url="", publisher="", text="")
    event = EventFactory()
    CitationFactory(event=event, source=source)

    response = client.get(timeline_with(event).get_absolute_url())

    (note,) = find(response, "li", class_="note")
    (quote,) = [e for e in walk(note) if e.name == "blockquote"]
    assert "cite" not in dict(quote.attributes)
    assert [e.name for e in walk(note) if e.name == "cite"] == ["cite"]
    assert "verified" not in text(note)
    assert not [e for e in walk(note) if e.name == "a" and "rel" in dict(e.attributes)]


def test_place_actors_and_tags_are_shown_and_actors_and_tags_filter(client):
    event = EventFactory(
        place=PlaceFactory(name="Busan, South Korea"),
        actors=[ActorFactory(name="Xi Jinping", slug="xi-jinping")],
        tags=[TagFactory(name="Rare earths", slug="rare-earths")],
    )
    timeline = timeline_with(event)

    for path in (timeline.get_absolute_url(), event.get_absolute_url()):
        response = client.get(path)
        (facts,) = find(response, "dl", class_="event-facts")
        assert "Busan, South Korea" in text(facts)
        url = timeline.get_absolute_url()
        assert text(find(response, "a", href=f"{url}?actor=xi-jinping")[0]) == "Xi Jinping"
        assert text(find(response, "a", href=f"{url}?tag=rare-earths")[0]) == "Rare earths"


# Filtering


def test_filter_by_tag(client, seeded):
    timeline = Timeline.objects.get(slug="us-china-trade-2025")
    published = timeline.events.published()
    expected = [e.title for e in published.filter(tags__slug="rare-earths").chronological()]

    response = client.get(SEEDED, {"tag": "rare-earths"})

    assert response.status_code == 200
    assert event_titles(response) == expected
    assert 0 < len(expected) < published.count()
    assert filter_status(response) == (
        f"Showing {len(expected)} of {published.count()} events, tagged “Rare earths”. "
        f"Show all {published.count()} events"
    )
    (show_all,) = find(response, "a", href=SEEDED)[-1:]
    assert text(show_all).startswith("Show all")
    (selected,) = [o for o in find(response, "option") if ("selected", None) in o.attributes]
    assert dict(selected.attributes)["value"] == "rare-earths"
    assert "Events tagged “Rare earths” — " in text(find(response, "title")[0])


def test_filter_by_actor(client, seeded):
    timeline = Timeline.objects.get(slug="us-china-trade-2025")
    published = timeline.events.published()
    expected = [e.title for e in published.filter(actors__slug="scott-bessent").chronological()]

    response = client.get(SEEDED, {"actor": "scott-bessent"})

    assert response.status_code == 200
    assert event_titles(response) == expected
    assert len(expected) == 2
    assert filter_status(response).startswith(
        f"Showing 2 of {published.count()} events, involving “Scott Bessent”."
    )


def test_filter_by_tag_and_actor_together(client, seeded):
    response = client.get(SEEDED, {"tag": "agriculture", "actor": "scott-bessent"})

    assert event_titles(response) == ["China agrees to resume buying US soybeans"]
    assert "tagged “Agriculture” and involving “Scott Bessent”" in filter_status(response)


def test_blank_filters_show_everything(client, seeded):
    response = client.get(SEEDED, {"tag": "", "actor": ""})

    assert response.status_code == 200
    assert len(event_titles(response)) == Event.objects.published().count()
    assert find(response, "p", class_="filter-status") == []


def test_the_form_offers_only_this_timelines_tags_and_actors(client):
    shown = TagFactory(name="Tariffs")
    on_a_draft = TagFactory(name="Drafted")
    elsewhere = TagFactory(name="Elsewhere")
    timeline = timeline_with(
        EventFactory(tags=[shown], actors=[ActorFactory(name="Trump")]),
        EventFactory(tags=[on_a_draft], published_at=None),
    )
    timeline_with(EventFactory(tags=[elsewhere]))

    response = client.get(timeline.get_absolute_url())

    (tag_select,) = find(response, "select", name="tag")
    assert [text(o) for o in walk(tag_select)] == ["All tags", "Tariffs"]
    (actor_select,) = find(response, "select", name="actor")
    assert [text(o) for o in walk(actor_select)] == ["Everyone", "Trump"]
    (form,) = find(response, "form", method="get")
    assert dict(form.attributes)["action"] == timeline.get_absolute_url()
    assert find(response, "button", type="submit")


def test_a_tag_with_no_events_on_this_timeline_matches_none(client):
    # A published event elsewhere has it: readers may see its name.
    EventFactory(tags=[TagFactory(name="Fentanyl", slug="fentanyl")])
    timeline = timeline_with(EventFactory())

    response = client.get(timeline.get_absolute_url(), {"tag": "fentanyl"})

    assert response.status_code == 200
    assert event_titles(response) == []
    assert filter_status(response) == "No events tagged “Fentanyl”. Show all 1 event"
    # The active choice stays selected, though no event here has it.
    (selected,) = [o for o in find(response, "option") if ("selected", None) in o.attributes]
    assert dict(selected.attributes)["value"] == "fentanyl"


def test_an_unknown_filter_is_a_400_page_that_says_so(client):
    timeline = timeline_with(EventFactory(title="Talks"))

    for parameter in ("tag", "actor"):
        response = client.get(timeline.get_absolute_url(), {parameter: "no-such-thing"})

        assert response.status_code == 400, parameter
        assert response["Content-Type"].startswith("text/html")
        assert event_titles(response) == []
        assert filter_status(response) == f"No such {parameter}: “no-such-thing”. Show all 1 event"
        assert find(response, "form", method="get")


GARBAGE = ["..", "/", "' OR 1=1 --", "\x00", "ü" * 50, "9" * 5000, "%", "%s", "<b>x</b>"]


def test_no_filter_value_is_a_server_error(client):
    timeline = timeline_with(EventFactory())

    for parameter in ("tag", "actor"):
        for value in GARBAGE:
            response = client.get(timeline.get_absolute_url(), {parameter: value})

            # None of them names a tag or an actor (and the longest is past the query's limit).
            assert response.status_code == 400, (parameter, value[:20])
            assert "<b>x</b>" not in response.content.decode()


def test_other_query_parameters_are_ignored(client):
    timeline = timeline_with(EventFactory(date="2025-01"), EventFactory(date="2026-01"))

    response = client.get(
        timeline.get_absolute_url(), {"from": "2026", "q": "nothing", "page": "9"}
    )

    assert response.status_code == 200
    assert len(event_titles(response)) == 2


# The event's permalink page


def test_event_page_shows_the_event_its_timelines_and_breadcrumbs(client):
    event = EventFactory(title="Trump and Xi meet", summary="They met in Busan.")
    CitationFactory(event=event)
    first = timeline_with(event, title="A first timeline")
    second = timeline_with(event, title="B second timeline")
    timeline_with(event, title="Unpublished", published_at=None)

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert text(find(response, "h1")[0]) == "Trump and Xi meet"
    assert "They met in Busan." in response.content.decode()
    assert len(find(response, "li", class_="note")) == 1
    (breadcrumbs,) = find(response, "nav", class_="breadcrumbs")
    links = [(dict(a.attributes)["href"], text(a)) for a in walk(breadcrumbs) if a.name == "a"]
    assert links == [
        ("/", "Timelines"),
        (f"{first.get_absolute_url()}#event-{event.slug}", "A first timeline"),
        (event.get_absolute_url(), "Trump and Xi meet"),
    ]
    (listed,) = find(response, "section", class_="in-timelines")
    assert [text(a) for a in walk(listed) if a.name == "li"] == [
        "A first timeline",
        "B second timeline",
    ]
    assert find(response, "link", rel="canonical", href=f"http://testserver/events/{event.slug}/")
    assert find(
        response,
        "link",
        rel="alternate",
        type="application/json",
        href=f"/api/v1/events/{event.slug}/",
    )
    assert second.title in text(listed)


def test_event_on_no_published_timeline_still_has_its_page(client):
    event = EventFactory(tags=[TagFactory(name="Tariffs")])

    response = client.get(event.get_absolute_url())

    assert response.status_code == 200
    assert "This event is not on a published timeline." in response.content.decode()
    # With no timeline to filter, tags are plain text.
    (facts,) = find(response, "dl", class_="event-facts")
    assert "Tariffs" in text(facts)
    assert not [a for a in walk(facts) if a.name == "a"]


# The head and the other formats


def test_timeline_page_head_and_format_links(client):
    timeline = timeline_with(EventFactory(), slug="trade", description="All about trade.")
    api = "/api/v1/timelines/trade/"

    response = client.get(timeline.get_absolute_url(), {"tag": ""})

    assert find(response, "html", lang="en")
    assert text(find(response, "title")[0]) == timeline.title
    assert find(response, "meta", name="description", content="All about trade.")
    assert find(response, "link", rel="canonical", href="http://testserver/timelines/trade/")
    assert find(response, "link", rel="alternate", type="application/json", href=api)
    assert find(
        response, "link", rel="alternate", type="application/atom+xml", href=api + "feed.atom"
    )
    assert find(response, "link", rel="alternate", type="text/calendar", href=api + "calendar.ics")
    (formats,) = find(response, "p", class_="formats")
    links = {text(a): dict(a.attributes)["href"] for a in walk(formats)}
    assert links == {
        "JSON": api,
        "Atom feed": api + "feed.atom",
        "iCalendar": api + "calendar.ics",
        "TimelineJS JSON": api + "timelinejs/",
        "TimelineJS spreadsheet (CSV)": api + "timelinejs.csv",
    }


def test_pages_have_landmarks_a_skip_link_and_the_stylesheet(client):
    event = EventFactory()
    timeline = timeline_with(event)

    for path in ("/", timeline.get_absolute_url(), event.get_absolute_url()):
        response = client.get(path)
        assert find(response, "a", class_="skip-link", href="#main")
        assert find(response, "main", id="main")
        assert find(response, "header", class_="site-header")
        assert find(response, "footer", class_="site-footer")
        assert find(response, "nav", aria_label="Site")
        assert find(response, "link", rel="stylesheet", href="/static/timeline/timeline.css")
        assert len(find(response, "h1")) == 1
        assert "<script" not in response.content.decode()


def test_the_stylesheet_is_served(client):
    response = client.get("/static/timeline/timeline.css")

    assert response.status_code == 200
    css = b"".join(response.streaming_content).decode()
    assert "overflow-wrap: anywhere" in css
    assert "@media print" in css


# Escaping


def test_titles_summaries_quotes_and_names_are_escaped(client):
    script = "<script>alert(1)</script>"
    source = SourceFactory(title=f"Source {script}", text="", url="https://example.org/?a=1&b=2")
    event = EventFactory(
        title=f"Event {script}",
        summary=f"Summary {script}",
        display_date=f"Date {script}",
        tags=[TagFactory(name=f"Tag {script}")],
        actors=[ActorFactory(name=f"Actor {script}")],
        place=PlaceFactory(name=f"Place {script}"),
    )
    CitationFactory(
        event=event, source=source, quote=f"Quote {script}", note=f"Note {script}", locator=script
    )
    timeline = timeline_with(event, title=f"Timeline {script}", description=f"About {script}")

    for path in ("/", timeline.get_absolute_url(), event.get_absolute_url()):
        content = client.get(path).content.decode()
        assert "<script" not in content
        assert "&lt;script&gt;" in content
    assert 'href="https://example.org/?a=1&amp;b=2"' in content


# Queries


def _graph(count: int) -> Timeline:
    """A timeline of ``count`` rich published events and one draft."""
    actors = ActorFactory.create_batch(2)
    tags = TagFactory.create_batch(2)
    place = PlaceFactory()
    sources = SourceFactory.create_batch(2)
    events = []
    for _ in range(count):
        event = EventFactory(actors=actors, tags=tags, place=place)
        for source in sources:
            CitationFactory(event=event, source=source)
        events.append(event)
    events.append(EventFactory(actors=actors, tags=tags, published_at=None))
    return timeline_with(*events)


def test_timeline_page_query_count_is_constant(client, django_assert_num_queries):
    for count in (1, 25):
        timeline = _graph(count)

        # 1. the published timeline, with its published events' count and span
        # 2. its published events in date order, JOIN place
        # 3. their actors
        # 4. their tags
        # 5. their citations, JOIN source
        # 6. the dates in those citations' quotes (the date evidence)
        # 7. their claims, JOIN property, with their citations' ids
        # 8. the tags of its published events, for the form
        # 9. the actors of its published events, for the form
        with django_assert_num_queries(9):
            response = client.get(timeline.get_absolute_url())

        assert len(event_titles(response)) == count
        assert len(find(response, "li", class_="note")) == 2 * count


def test_filtered_timeline_page_query_count_is_constant(client, django_assert_num_queries):
    for count in (1, 25):
        timeline = _graph(count)
        tag = timeline.events.first().tags.order_by("pk").first()

        # 1. the published timeline, with its published events' count and span
        # 2. the tag slug, to validate it
        # 3. the matching published events in date order, JOIN place
        # 4. their actors
        # 5. their tags
        # 6. their citations, JOIN source
        # 7. the dates in those citations' quotes
        # 8. their claims, JOIN property, with their citations' ids
        # 9. the tags of its published events, for the form
        # 10. the actors of its published events, for the form
        with django_assert_num_queries(10):
            response = client.get(timeline.get_absolute_url(), {"tag": tag.slug})

        assert len(event_titles(response)) == count


def test_event_page_query_count_is_constant(client, django_assert_num_queries):
    for count in (1, 25):
        event = EventFactory(
            actors=ActorFactory.create_batch(count), tags=TagFactory.create_batch(3)
        )
        for source in SourceFactory.create_batch(count):
            CitationFactory(event=event, source=source)
        for _ in range(count):
            timeline_with(event)

        # 1. the published event, JOIN place
        # 2. its actors
        # 3. its tags
        # 4. its citations, JOIN source
        # 5. the dates in their quotes
        # 6. its claims, JOIN property, with their citations' ids
        # 7. its published timelines
        with django_assert_num_queries(7):
            response = client.get(event.get_absolute_url())

        assert len(find(response, "li", class_="note")) == count


def test_unpublishing_an_event_removes_it_from_the_pages(client):
    event = EventFactory(title="Soon withdrawn")
    timeline = timeline_with(event)
    assert event_titles(client.get(timeline.get_absolute_url())) == ["Soon withdrawn"]

    Event.objects.filter(pk=event.pk).update(published_at=None)

    assert event_titles(client.get(timeline.get_absolute_url())) == []
    assert client.get(event.get_absolute_url()).status_code == 404
    Event.objects.filter(pk=event.pk).update(published_at=timezone.now())
    assert client.get(event.get_absolute_url()).status_code == 200

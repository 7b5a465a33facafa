"""Untrusted text stays text in every output, and only web addresses are ever linked.

Editors type titles, summaries, notes and names; sources bring titles,
publishers, archived text and addresses. The ``hostile`` fixture puts classic
payloads in every such field, and each output is read the way its consumer
reads it: HTML is parsed, TimelineJS's HTML fields are parsed as HTML (twice
for the fields TimelineJS strips first), the feed as XML and by feedparser,
the calendar by icalendar, the spreadsheet as CSV and by our own import.
Nothing that runs may survive, and each value must come out as the text that
went in. Escaping is checked on its own: no assertion leans on the
Content-Security-Policy.
"""

import csv
import io
import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import icalendar
import lxml.html
import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils.html import escape

from sources.models import Source
from tests.conftest import checking, insert_rows, rows_added_by
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
from tests.timeline import test_timelinejs_browser as timelinejs_browser
from tests.timeline.test_admin import source_form_data
from timeline.formats.spreadsheet import parse_csv
from timeline.models import Actor, Event, Timeline

# TimelineJS3 from npm, installed once for the session (see test_timelinejs_browser).
timelinejs = timelinejs_browser.timelinejs

SCRIPT = '<script>alert("xss-1")</script>'
IMG = "\"><img src=x onerror=alert('xss-2')>"
SVG = "'><svg/onload=alert(3)>"
TEXTAREA = "</textarea><script>alert(4)</script>"
TEMPLATE = "{{ 7*7 }} {% debug %}"
CDATA_END = "]]>"
ICAL_LINE = "\r\nBEGIN:VEVENT"
PAYLOADS = (SCRIPT, IMG, SVG, TEXTAREA, TEMPLATE, CDATA_END, ICAL_LINE)
# The payloads that are markup: never to be found unescaped in an HTML output.
MARKUP = (SCRIPT, IMG, SVG, TEXTAREA)
ALL = " ".join(PAYLOADS)
# Cells a spreadsheet would run (OWASP's list); each starts some exported cells.
FORMULAS = ('=HYPERLINK("https://evil.example","x")', "+1+1", "-1+1", "@SUM(1)")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Valid (it passes the http URL validator) yet made to break out of an attribute.
HOSTILE_URL = "https://news.example.org/report?q=\"><svg/onload=alert('url')>&r='><b>"
QUOTES = [f"Quote {index}: {payload}" for index, payload in enumerate(PAYLOADS)]

# Addresses that must never be linked, as typed or pasted.
BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "ftp://files.example.org/report",
    "file:///etc/passwd",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "cite", "poster", "srcset", "background"}
C0_AND_SPACE = "".join(chr(code) for code in range(0x21))

TIMELINE = "/timelines/hostile/"
TIMELINEJS = "/api/v1/timelines/hostile/timelinejs/"
TIMELINEJS_CSV = "/api/v1/timelines/hostile/timelinejs.csv"
FEED = "/api/v1/timelines/hostile/feed.atom"
CALENDAR = "/api/v1/timelines/hostile/calendar.ics"
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Hostile:
    timeline: Timeline
    events: list[Event]
    linked: Source  # cited by the even events, with a (valid) hostile address
    unlinked: Source  # cited by the odd events, with no address


def build_hostile() -> dict:
    """A published timeline of seven events, a payload in every field an editor or source fills.

    Event *i* carries payload *i* in its title, display date, place, actor,
    tag, quote and locator, and every payload in its summary, its date note and
    its citation's note; the
    short fields start with a spreadsheet formula. Titles are set by a second
    save, so that each history shows a change. Returns the primary keys.
    """
    text = "\n".join([*QUOTES, ALL])
    linked = SourceFactory(
        slug="hostile-linked",
        title="Draft source",
        publisher=f"@Wire {ALL}",
        url=HOSTILE_URL,
        text=text,
        notes=ALL,
    )
    linked.title = f"=Source {ALL}"
    linked.save()
    unlinked = SourceFactory(
        slug="hostile-unlinked", title=f"+Source {ALL}", publisher=f"-Desk {ALL}", url="", text=text
    )
    events = []
    for index, payload in enumerate(PAYLOADS):
        event = EventFactory(
            slug=f"hostile-{index}",
            title=f"Draft {index}",
            summary=f"{ALL}\n\nAnd {payload}",
            date_note=f"Worked out from {ALL} (date {index})",
            date=f"2025-03-{10 + index}",
            display_date=f"{FORMULAS[(index + 1) % 4]} {payload}",
            status="scheduled" if index == 0 else "occurred",
            place=PlaceFactory(name=f"Place {index} {payload}"),
            actors=[ActorFactory(name=f"{FORMULAS[(index + 2) % 4]} {payload}")],
            tags=[TagFactory(name=f"{FORMULAS[(index + 3) % 4]} {payload}")],
        )
        event.title = f"{FORMULAS[index % 4]} {payload}"
        event.save()
        CitationFactory(
            event=event,
            source=(linked, unlinked)[index % 2],
            quote=QUOTES[index],
            locator=f"p. {index} {payload}",
            note=f"{ALL} (note {index})",
        )
        events.append(event)
    timeline = TimelineFactory(
        slug="hostile", title="Draft timeline", description=f"About: {ALL}\n\nMore: {ALL}"
    )
    timeline.title = f"=Timeline {ALL}"
    timeline.save()
    timeline.events.set(events)
    assert all(citation.is_anchored for citation in linked.citations.all())
    return {
        "timeline": timeline.pk,
        "events": [event.pk for event in events],
        "linked": linked.pk,
        "unlinked": unlinked.pk,
    }


@pytest.fixture(scope="session")
def hostile_rows(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return rows_added_by(build_hostile)


@pytest.fixture
def hostile(db, hostile_rows) -> Hostile:
    """``build_hostile``'s timeline: built once, its rows copied back for each test."""
    rows, pks = hostile_rows
    insert_rows(rows)
    return Hostile(
        timeline=Timeline.objects.get(pk=pks["timeline"]),
        events=[Event.objects.get(pk=pk) for pk in pks["events"]],
        linked=Source.objects.get(pk=pks["linked"]),
        unlinked=Source.objects.get(pk=pks["unlinked"]),
    )


# Reading outputs


def norm(text: str) -> str:
    """Whitespace as a reader sees it: any run of it is one space."""
    return " ".join(text.split())


BLOCKS = ("br", "p", "li", "div", "blockquote", "h1", "h2", "h3", "h4", "dd", "dt", "tr", "td")


def _line_breaks_as_text(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    # A reader sees a line break after a <br> and around paragraphs: keep it in the text.
    for element in tree.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return tree


def parse_page(markup: str | bytes) -> lxml.html.HtmlElement:
    return _line_breaks_as_text(lxml.html.document_fromstring(markup))


def parse_fragment(markup: str) -> lxml.html.HtmlElement:
    """An HTML fragment (a TimelineJS field, a feed summary) inside a <div>."""
    return _line_breaks_as_text(lxml.html.fragment_fromstring(markup or "", create_parent="div"))


def text_of(markup: str) -> str:
    """What TimelineJS keeps of a field before inserting it as HTML: its text, entities decoded."""
    return parse_fragment(markup).text_content()


def linkable(value: str) -> bool:
    """Whether a browser would follow this address only to a web page (or a relative one).

    Browsers drop tabs and newlines anywhere in an address and controls and
    spaces around it, and read the scheme case-insensitively.
    """
    address = re.sub(r"[\t\n\r]", "", value).strip(C0_AND_SPACE)
    if address.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", address)
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def executable_markup(tree) -> list[str]:
    """Whatever in a parsed document could run code or lead to a script address."""
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        tag = element.tag.lower()
        inline = tag == "script" and (element.text or "").strip()
        if inline and element.get("type") != "application/json":
            found.append(f"inline <script>: {element.text[:80]!r}")
        if tag in ("iframe", "object", "embed", "base"):
            found.append(f"<{tag}>")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES and not linkable(value):
                # The pages' empty icon is the only data: address of our own.
                if not (tag == "link" and value == "data:," and "icon" in element.get("rel", "")):
                    found.append(f"<{tag} {name}={value!r}>")
            elif name == "http-equiv" and value.lower() == "refresh":
                found.append(f"<{tag} http-equiv=refresh>")
    return found


def assert_inert_html(markup: str) -> lxml.html.HtmlElement:
    """A whole HTML page: no markup payload unescaped, nothing that runs; the parsed page."""
    for payload in MARKUP:
        assert payload not in markup
    tree = parse_page(markup)
    assert executable_markup(tree) == []
    return tree


def assert_shows(text: str, values) -> None:
    """Each value appears in the text as typed (whitespace aside)."""
    shown = norm(text)
    for value in values:
        assert norm(value) in shown, f"{value!r} is not shown as text"


def get_ok(client, url: str, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def strings_in(document) -> list[str]:
    """Every string in a parsed JSON document."""
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [s for value in document.values() for s in strings_in(value)]
    if isinstance(document, list):
        return [s for value in document for s in strings_in(value)]
    return []


def event_texts(event: Event, *, title: bool = True) -> list[str]:
    """What every full rendering of an event shows of it (TimelineJS's text has no title)."""
    citation = event.citations.select_related("source").get()
    return [
        *([event.title] if title else []),
        event.summary,
        f"Date inferred: {event.date_note}",
        citation.quote,
        citation.locator,
        citation.source.title,
        citation.source.publisher,
    ]


# Public pages


def test_the_timeline_page_shows_every_payload_as_text(client, hostile):
    response = get_ok(client, TIMELINE)
    markup = response.content.decode()

    tree = assert_inert_html(markup)
    assert tree.xpath("//script") == []
    for payload in MARKUP:
        assert escape(payload) in markup
    assert_shows(tree.text_content(), [hostile.timeline.title, hostile.timeline.description])
    for event in hostile.events:
        (article,) = tree.xpath("//article[@id=$id]", id=f"event-{event.slug}")
        assert_shows(
            article.text_content(),
            [
                *event_texts(event),
                event.display_date,
                event.place.name,
                event.citations.get().note,
                *(actor.name for actor in event.actors.all()),
                *(tag.name for tag in event.tags.all()),
            ],
        )
    # Template syntax in the data is never evaluated.
    assert "{{ 7*7 }}" in tree.text_content()
    assert "{% debug %}" in tree.text_content()


def test_the_timeline_page_links_a_hostile_but_valid_address_intact(client, hostile):
    tree = parse_page(get_ok(client, TIMELINE).content)

    links = tree.xpath("//li[@class='note']//a[cite]/@href")
    quoted = tree.xpath("//li[@class='note']/blockquote/@cite")

    assert links == [HOSTILE_URL] * 4  # the events citing the linked source
    assert quoted == [HOSTILE_URL] * 4


def test_the_event_page_shows_every_payload_as_text(client, hostile):
    event = hostile.events[1]

    markup = get_ok(client, f"/events/{event.slug}/").content.decode()

    tree = assert_inert_html(markup)
    assert tree.xpath("//script") == []
    assert norm(tree.findtext(".//title")).startswith(norm(event.title))
    assert norm(tree.xpath("//h1")[0].text_content()) == norm(event.title)
    assert_shows(tree.text_content(), [*event_texts(event), hostile.timeline.title])


def test_the_index_shows_the_timeline_as_text(client, hostile):
    tree = assert_inert_html(get_ok(client, "/").content.decode())

    assert_shows(tree.text_content(), [hostile.timeline.title, hostile.timeline.description])


def test_filters_in_the_query_string_are_shown_as_text(client, hostile):
    response = client.get(TIMELINE, {"tag": SCRIPT, "actor": IMG})

    assert response.status_code == 400
    tree = assert_inert_html(response.content.decode())
    status = norm(tree.xpath("//p[@id='filter-status']")[0].text_content())
    assert f"No such tag: “{SCRIPT}”." in status
    assert f"No such actor: “{IMG}”." in status


# TimelineJS


def assert_inert_fragment(markup: str) -> lxml.html.HtmlElement:
    tree = parse_fragment(markup)
    assert executable_markup(tree) == []
    return tree


def assert_plain_text_field(value: str, expected: str) -> None:
    """A field TimelineJS strips of markup (decoding it) and then inserts as HTML."""
    inserted = text_of(value)
    for payload in MARKUP:
        assert payload not in inserted
    assert norm(assert_inert_fragment(inserted).text_content()) == norm(expected)


def test_timelinejs_html_fields_hold_the_payloads_as_text(client, hostile):
    document = get_ok(client, TIMELINEJS).json()

    for string in strings_in(document):
        for payload in MARKUP:
            assert payload not in string
    title = document["title"]["text"]
    assert norm(assert_inert_fragment(title["headline"]).text_content()) == norm(
        hostile.timeline.title
    )
    assert_shows(
        assert_inert_fragment(title["text"]).text_content(), [hostile.timeline.description]
    )
    assert [slide["unique_id"] for slide in document["events"]] == [
        event.slug for event in hostile.events
    ]
    for slide, event in zip(document["events"], hostile.events, strict=True):
        headline = assert_inert_fragment(slide["text"]["headline"])
        assert norm(headline.text_content()) == norm(event.title)
        text = assert_inert_fragment(slide["text"]["text"])
        assert_shows(text.text_content(), event_texts(event, title=False))
        assert_plain_text_field(slide["display_date"], event.display_date)
        assert_plain_text_field(slide["group"], event.tags.get().name)
        source_links = text.xpath("//ol//a/@href")
        assert source_links == ([HOSTILE_URL] if event.citations.get().source.url else [])


def test_timelinejs_csv_defuses_formulas_and_holds_the_payloads_as_text(client, hostile):
    content = get_ok(client, TIMELINEJS_CSV).content.decode()

    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert len(rows) == 1 + len(hostile.events)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    title, *events = rows
    assert norm(assert_inert_fragment(title["Headline"]).text_content()) == norm(
        hostile.timeline.title
    )
    for row, event in zip(events, hostile.events, strict=True):
        assert norm(assert_inert_fragment(row["Headline"]).text_content()) == norm(event.title)
        assert_shows(
            assert_inert_fragment(row["Text"]).text_content(), event_texts(event, title=False)
        )
        assert_plain_text_field(row["Display Date"], event.display_date)
        assert_plain_text_field(row["Group"], event.tags.get().name)


def test_timelinejs_csv_reads_back_as_typed(client, hostile):
    content = get_ok(client, TIMELINEJS_CSV).content.decode()

    sheet = parse_csv(io.StringIO(content, newline=""))

    assert norm(sheet.title) == norm(hostile.timeline.title)
    assert norm(sheet.description) == norm(hostile.timeline.description)
    assert [
        (norm(row.title), norm(row.display_date), norm(row.group), norm(row.summary))
        for row in sheet.events
    ] == [
        (norm(e.title), norm(e.display_date), norm(e.tags.get().name), norm(e.summary))
        for e in hostile.events
    ]
    assert [norm(row.date_note) for row in sheet.events] == [
        norm(e.date_note) for e in hostile.events
    ]


def test_every_cell_that_a_spreadsheet_would_run_is_defused(db, client):
    for index, start in enumerate(FORMULA_STARTS):
        event = EventFactory(
            title=f"{start}title",
            display_date=f"{start}date",
            tags=[TagFactory(name=f"{start}tag")],
        )
        TimelineFactory(slug=f"formulas-{index}", title=f"{start}timeline", events=[event])
        url = f"/api/v1/timelines/formulas-{index}/timelinejs.csv"

        content = get_ok(client, url).content.decode()

        title, row = csv.DictReader(io.StringIO(content, newline=""))
        cells = [title["Headline"], row["Headline"], row["Display Date"], row["Group"]]
        assert [cell[0] for cell in cells] == ["&"] * 4, repr(start)
        # What TimelineJS shows. The plain-text fields are parsed twice, and the
        # second parse reads a raw carriage return as a line feed, as browsers do.
        assert [text_of(cell) for cell in cells[:2]] == [f"{start}timeline", f"{start}title"]
        shown = start.replace("\r", "\n")
        assert [text_of(text_of(cell)) for cell in cells[2:]] == [f"{shown}date", f"{shown}tag"]


# Atom


def test_the_feed_is_well_formed_and_holds_the_payloads_as_text(client, hostile):
    content = get_ok(client, FEED).content

    root = ElementTree.fromstring(content)  # raises if a payload broke the XML
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert norm(feed.feed.title) == norm(hostile.timeline.title)
    assert norm(feed.feed.subtitle) == norm(hostile.timeline.description)
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(feed.entries) == len(hostile.events)
    by_slug = {event.slug: event for event in hostile.events}
    for entry, parsed in zip(entries, feed.entries, strict=True):
        event = by_slug[urlsplit(parsed.link).path.split("/")[-2]]
        heading = event.title if event.status == "occurred" else f"{event.title} (scheduled)"
        assert norm(parsed.title) == norm(heading)
        assert norm(entry.findtext(f"{ATOM}title")) == norm(heading)
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html"
        for payload in MARKUP:
            assert payload not in summary.text
        html = assert_inert_fragment(summary.text)
        assert_shows(
            html.text_content(),
            [*event_texts(event, title=False), event.actors.get().name, event.display_date],
        )
        assert html.xpath("//a/@href") == (
            [HOSTILE_URL] if event.citations.get().source.url else []
        )
        assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [event.tags.get().name]


def test_control_characters_keep_the_feed_well_formed(db, client):
    # Editors can type them (neither the admin nor the API refuses them), and
    # XML 1.0 has no way to carry them: they are replaced, not a 500.
    controls = "\x0b\x0c\x1b\ufffe"
    replaced = "\ufffd" * len(controls)
    event = EventFactory(
        title=f"Busan{controls}talks",
        summary=f"Met{controls}.",
        tags=[TagFactory(name=f"Trade{controls}")],
    )
    TimelineFactory(slug="controls", title=f"Talks{controls}", events=[event])

    content = get_ok(client, "/api/v1/timelines/controls/feed.atom").content

    (entry,) = ElementTree.fromstring(content).iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == f"Busan{replaced}talks"
    assert f"Met{replaced}." in entry.findtext(f"{ATOM}summary")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == [f"Trade{replaced}"]
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == f"Talks{replaced}"


# iCalendar


def unfolded_lines(content: bytes) -> list[str]:
    """The calendar's content lines (RFC 5545 §3.1): CRLF ends one, CRLF and a blank folds it."""
    return re.sub(r"\r\n[ \t]", "", content.decode()).split("\r\n")


def unescape_text(value: str) -> str:
    """An iCalendar TEXT value as typed (RFC 5545 §3.3.11): its escapes undone."""
    return re.sub(r"\\([\\;,Nn])", lambda m: "\n" if m[1] in "Nn" else m[1], value)


def test_the_calendar_has_one_vevent_per_event_and_the_payloads_as_text(client, hostile):
    content = get_ok(client, CALENDAR).content

    lines = unfolded_lines(content)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(hostile.events)
    assert [line for line in lines if "\r" in line or "\n" in line] == []
    calendar = icalendar.Calendar.from_ical(content)
    # icalendar reads the untyped names raw: unescape them as the TEXT they are.
    for name in ("X-WR-CALNAME", "NAME"):
        assert norm(unescape_text(calendar[name])) == norm(hostile.timeline.title)
    assert norm(unescape_text(calendar["X-WR-CALDESC"])) == norm(hostile.timeline.description)
    assert norm(str(calendar["DESCRIPTION"])) == norm(hostile.timeline.description)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == len(hostile.events)
    for vevent, event in zip(vevents, hostile.events, strict=True):
        heading = event.title if event.status == "occurred" else f"{event.title} (scheduled)"
        assert norm(str(vevent["SUMMARY"])) == norm(heading)
        assert norm(str(vevent["LOCATION"])) == norm(event.place.name)
        assert [norm(str(tag)) for tag in vevent["CATEGORIES"].cats] == [
            norm(event.tags.get().name)
        ]
        description = str(vevent["DESCRIPTION"])
        assert_shows(description, [*event_texts(event, title=False), event.actors.get().name])
        linked = event.citations.get().source.url
        assert (f"<{HOSTILE_URL}>" in description) == bool(linked)


# Claims: editors type the properties' names, the values and the reasons for a rank


@pytest.fixture
def hostile_claims(hostile) -> Hostile:
    """The hostile timeline, each event with a disputed property carrying its payload.

    Event *i*'s property name, its preferred value, its other value and its
    value set aside carry payload *i*; both notes carry every payload.
    """
    for index, (event, payload) in enumerate(zip(hostile.events, PAYLOADS, strict=True)):
        citation = event.citations.get()
        prop = ClaimPropertyFactory(
            name=f"{FORMULAS[index % 4]} {payload}", slug=f"hostile-{index}", kind="text"
        )
        for value, rank, note in (
            (f"{FORMULAS[(index + 1) % 4]} {payload}", "preferred", f"{ALL} (preferred {index})"),
            (f"Other {payload}", "normal", ""),
            (f"Aside {payload}", "deprecated", f"{ALL} (aside {index})"),
        ):
            ClaimFactory(
                event=event,
                property=prop,
                value=value,
                rank=rank,
                rank_note=note,
                citations=[citation],
            )
    return hostile


def claim_texts(event: Event) -> list[str]:
    """What every rendering of an event's claims shows: the name, each value, each note."""
    claims = list(event.claims.select_related("property").order_by("pk"))
    return [
        claims[0].property.name,
        *(claim.value for claim in claims),
        *(claim.rank_note for claim in claims if claim.rank_note),
    ]


def test_claims_on_the_pages_are_text(client, hostile_claims):
    pages = [
        (TIMELINE, hostile_claims.events),
        *((f"/events/{event.slug}/", [event]) for event in hostile_claims.events),
    ]

    for url, events in pages:
        tree = assert_inert_html(get_ok(client, url).content.decode())
        assert tree.xpath("//script") == []
        for event in events:
            (claims,) = tree.xpath(
                "//article[@id=$id]//section[@class='claims']", id=f"event-{event.slug}"
            )
            assert_shows(claims.text_content(), claim_texts(event))
            assert "Sources differ:" in claims.text_content()
            assert "Set aside by the editors:" in claims.text_content()
            assert claims.xpath(".//a/@href") == [f"#note-{event.slug}-1"] * 3


def test_claims_in_timelinejs_are_text(client, hostile_claims):
    document = get_ok(client, TIMELINEJS).json()

    for string in strings_in(document):
        for payload in MARKUP:
            assert payload not in string
    for slide, event in zip(document["events"], hostile_claims.events, strict=True):
        text = assert_inert_fragment(slide["text"]["text"])
        (claims,) = text.xpath("//div[@class='timeline-claims']")
        assert_shows(claims.text_content(), claim_texts(event))
        assert claims.xpath(".//a") == []
        # The claims stay out of the fields TimelineJS decodes before inserting.
        assert_plain_text_field(slide["display_date"], event.display_date)
        assert_plain_text_field(slide["group"], event.tags.get().name)


def test_claims_in_the_spreadsheet_are_defused_and_left_out_of_an_import(client, hostile_claims):
    content = get_ok(client, TIMELINEJS_CSV).content.decode()

    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(FORMULA_STARTS), (column, cell)
    for row, event in zip(rows[1:], hostile_claims.events, strict=True):
        (claims,) = assert_inert_fragment(row["Text"]).xpath("//div[@class='timeline-claims']")
        assert_shows(claims.text_content(), claim_texts(event))
    sheet = parse_csv(io.StringIO(content, newline=""))
    assert [norm(row.summary) for row in sheet.events] == [
        norm(event.summary) for event in hostile_claims.events
    ]


def test_claims_in_the_feed_are_text(client, hostile_claims):
    content = get_ok(client, FEED).content

    root = ElementTree.fromstring(content)
    feed = feedparser.parse(content)
    assert not feed.bozo, feed.get("bozo_exception")
    by_slug = {event.slug: event for event in hostile_claims.events}
    for entry, parsed in zip(root.findall(f"{ATOM}entry"), feed.entries, strict=True):
        event = by_slug[urlsplit(parsed.link).path.split("/")[-2]]
        summary = entry.findtext(f"{ATOM}summary")
        for payload in MARKUP:
            assert payload not in summary
        html = assert_inert_fragment(summary)
        assert_shows(html.text_content(), claim_texts(event))
        assert_shows(parse_fragment(parsed.summary).text_content(), claim_texts(event))


def test_claims_in_the_calendar_are_text(client, hostile_claims):
    content = get_ok(client, CALENDAR).content

    lines = unfolded_lines(content)
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == len(hostile_claims.events)
    vevents = icalendar.Calendar.from_ical(content).walk("VEVENT")
    for vevent, event in zip(vevents, hostile_claims.events, strict=True):
        description = str(vevent["DESCRIPTION"])
        assert_shows(description, claim_texts(event))
        assert description.index("sources differ") < description.index("Sources:")


# The browsable API


def test_the_browsable_api_shows_the_payloads_as_text(client, editor_client, hostile):
    for reader in (client, editor_client):
        for url in (
            "/api/v1/events/hostile-1/",
            "/api/v1/timelines/hostile/",
            f"/api/v1/sources/?q={SVG}",
        ):
            with checking(url, "editor" if reader is editor_client else "anonymous"):
                response = get_ok(reader, url, HTTP_ACCEPT="text/html")

                assert response["Content-Type"].startswith("text/html")
                tree = assert_inert_html(response.content.decode())
                if "events" in url:
                    shown = json.dumps(hostile.events[1].title, ensure_ascii=False)
                    assert shown in tree.text_content()


def test_the_browsable_api_edit_form_keeps_the_payloads_in_its_textarea(editor_client, hostile):
    response = get_ok(editor_client, "/api/v1/events/hostile-3/", HTTP_ACCEPT="text/html")

    tree = assert_inert_html(response.content.decode())
    (raw,) = tree.xpath("//form[@data-method='PUT']//textarea[@name='_content']")
    assert json.loads(raw.text_content())["title"] == hostile.events[3].title


# The admin

ADMIN_PAGES = ["changelist", "change", "history", "revision", "delete"]


def admin_objects(hostile: Hostile) -> dict:
    """Per admin page: (object, its list's text, the form fields and the values they hold)."""
    event, linked = hostile.events[0], hostile.linked
    citation = event.citations.get()
    return {
        "timeline/event": (
            event,
            [event.title, event.display_date, event.place.name],
            {
                "title": event.title,
                "summary": event.summary,
                "display_date": event.display_date,
                "date_note": event.date_note,
                "citations-0-quote": citation.quote,
                "citations-0-locator": citation.locator,
                "citations-0-note": citation.note,
            },
        ),
        "timeline/timeline": (
            hostile.timeline,
            [hostile.timeline.title],
            {"title": hostile.timeline.title, "description": hostile.timeline.description},
        ),
        "timeline/actor": (event.actors.get(), [event.actors.get().name], {"name": None}),
        "timeline/place": (event.place, [event.place.name], {"name": None}),
        "timeline/tag": (event.tags.get(), [event.tags.get().name], {"name": None}),
        "sources/source": (
            linked,
            [linked.title, linked.publisher],
            {
                "title": linked.title,
                "publisher": linked.publisher,
                "url": linked.url,
                "text": linked.text,
                "notes": linked.notes,
            },
        ),
    }


def form_value(tree, name: str) -> str:
    (field,) = tree.xpath("//*[@name=$name]", name=name)
    return field.text_content() if field.tag == "textarea" else field.get("value", "")


def test_admin_pages_show_the_payloads_as_text(editor_client, hostile):
    for model, (obj, listed, fields) in admin_objects(hostile).items():
        base = f"/admin/{model}/"
        revision = obj.history.order_by("history_id").last().history_id
        urls = {
            "changelist": base,
            "change": f"{base}{obj.pk}/change/",
            "history": f"{base}{obj.pk}/history/",
            "revision": f"{base}{obj.pk}/history/{revision}/",
            "delete": f"{base}{obj.pk}/delete/",
        }
        for page in ADMIN_PAGES:
            with checking(urls[page]):
                markup = get_ok(editor_client, urls[page]).content.decode()

                tree = assert_inert_html(markup)
                text = tree.text_content()
                if page == "changelist":
                    assert_shows(text, listed)
                elif page in ("change", "revision"):
                    for name, value in fields.items():
                        if page == "revision" and name.startswith("citations-"):
                            continue  # a revision's form has no inlines
                        expected = getattr(obj, name) if value is None else value
                        assert norm(form_value(tree, name)) == norm(expected), name
                else:
                    assert_shows(text, [str(obj)])
                if model == "sources/source" and page in ("change", "revision"):
                    links = tree.xpath("//p[@class='url']/a/@href")
                    assert [unquote(href) for href in links] == [HOSTILE_URL]


def test_admin_changelist_search_shows_the_query_as_text(editor_client, hostile):
    response = get_ok(editor_client, "/admin/timeline/event/", data={"q": SCRIPT})

    tree = assert_inert_html(response.content.decode())
    # The search box, and the date filter's form carrying the search along.
    fields = tree.xpath("//input[@name='q']")
    assert [field.get("value") for field in fields] == [SCRIPT] * len(fields)
    assert tree.xpath("//input[@id='searchbar']")


def test_admin_deleted_events_page_shows_the_payloads_as_text(editor_client, hostile):
    event = hostile.events[2]
    title = event.title
    event.delete()

    markup = get_ok(editor_client, "/admin/timeline/event/deleted/").content.decode()

    tree = assert_inert_html(markup)
    assert_shows(tree.text_content(), [title])


def test_admin_recent_actions_show_the_payloads_as_text(editor_client, editor, hostile):
    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[hostile.events[0], hostile.linked], action_flag=CHANGE
    )

    tree = assert_inert_html(get_ok(editor_client, "/admin/").content.decode())

    assert_shows(tree.text_content(), [str(hostile.events[0])[:200], hostile.linked.title])


def test_admin_reanchoring_warning_shows_the_quotes_as_text(editor_client, hostile):
    source = hostile.linked
    url = f"/admin/sources/source/{source.pk}/change/"

    # The hostile address was stored around validation; a save must send a URI (RFC 3986).
    data = source_form_data(
        source, text="Nothing is quoted here any more.", url="https://news.example.org/report"
    )

    response = editor_client.post(url, data, follow=True)

    assert response.status_code == 200
    tree = assert_inert_html(response.content.decode())
    (warning,) = tree.xpath("//ul[@class='messagelist']/li[@class='warning']")
    assert_shows(warning.text_content(), [f"“{QUOTES[index][:60]}”" for index in (0, 2, 4, 6)])


# Where addresses come in: only http(s) gets through


def test_the_model_refuses_a_non_web_address(db):
    for url in BAD_URLS:
        source = Source(slug="refused", title="Refused", url=url)

        with pytest.raises(ValidationError) as refusal:
            source.full_clean()

        assert list(refusal.value.message_dict) == ["url"], url


def test_the_api_refuses_a_non_web_address_naming_the_field(editor_api):
    for url in BAD_URLS:
        response = editor_api.post(
            "/api/v1/sources/", {"slug": "refused", "title": "Refused", "url": url}, format="json"
        )

        assert response.status_code == 400, (url, response.content)
        assert list(response.json()["errors"]) == ["url"], url
        assert not Source.objects.exists()


def test_the_api_refuses_a_non_web_address_in_a_change(editor_api):
    source = SourceFactory()

    for url in BAD_URLS:
        response = editor_api.patch(
            f"/api/v1/sources/{source.pk}/",
            {"url": url},
            format="json",
            HTTP_IF_MATCH=f'"{source.version}"',
        )

        assert response.status_code == 400, (url, response.content)
        assert list(response.json()["errors"]) == ["url"], url
        assert Source.objects.get(pk=source.pk).url == source.url


def admin_source_errors(response) -> dict[str, list[str]]:
    assert response.status_code == 200, "the form was accepted"
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


# The admin's URL field adds "http:" to an address without a scheme, so a
# protocol-relative one is stored as an explicit http address (tested below).
ADMIN_BAD_URLS = [url for url in BAD_URLS if not url.startswith("//")]


def test_the_admin_refuses_a_non_web_address(editor_client):
    for url in ADMIN_BAD_URLS:
        data = {
            "title": "Refused",
            "slug": "refused",
            "url": url,
            "language": "en",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "citations-MIN_NUM_FORMS": "0",
            "citations-MAX_NUM_FORMS": "1000",
        }

        response = editor_client.post("/admin/sources/source/add/", data)

        assert list(admin_source_errors(response)) == ["url"], url
        assert not Source.objects.exists()


def test_the_admin_refuses_a_non_web_address_in_a_change(editor_client):
    source = SourceFactory()

    for url in ADMIN_BAD_URLS:
        response = editor_client.post(
            f"/admin/sources/source/{source.pk}/change/", source_form_data(source, url=url)
        )

        assert list(admin_source_errors(response)) == ["url"], url
        assert Source.objects.get(pk=source.pk).url == source.url


def test_the_admin_stores_a_protocol_relative_address_as_an_http_one(editor_client):
    source = SourceFactory()

    response = editor_client.post(
        f"/admin/sources/source/{source.pk}/change/",
        source_form_data(source, url="//evil.example/"),
    )

    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).url == "http://evil.example/"


def test_import_sources_refuses_a_non_web_address_in_a_file(db, tmp_path):
    path = tmp_path / "article.txt"
    for url in BAD_URLS:
        path.write_text(f"---\ntitle: Refused\nurl: {url}\n---\nThe text.\n", encoding="utf-8")
        out = io.StringIO()

        with pytest.raises(CommandError):
            call_command("import_sources", str(path), stdout=out)

        assert "failed" in out.getvalue(), url
        assert "url" in out.getvalue().lower(), url
        assert not Source.objects.exists()


def test_import_sources_refuses_a_script_canonical_link(db, tmp_path):
    path = tmp_path / "article.html"
    path.write_text(
        '<html><head><title>Refused</title><link rel="canonical" href="javascript:alert(1)">'
        "</head><body><p>The text.</p></body></html>",
        encoding="utf-8",
    )

    with pytest.raises(CommandError):
        call_command("import_sources", str(path), stdout=io.StringIO())

    assert not Source.objects.exists()


def test_import_sources_refuses_a_non_web_address_option(db, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("The text.\n", encoding="utf-8")

    for url in BAD_URLS:
        with pytest.raises(CommandError, match="http"):
            call_command("import_sources", str(path), url=url, stdout=io.StringIO())

        assert not Source.objects.exists()


def test_a_spreadsheet_never_brings_in_an_address(db, tmp_path):
    path = tmp_path / "sheet.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["Year", "Headline", "Text", "Media", "Media Thumbnail", "Background"])
        writer.writerow(["2025", "Talks", "<p>Met.</p>", *["javascript:alert(1)"] * 3])
    out = io.StringIO()

    call_command("import_timelinejs_csv", str(path), timeline="sheet", title="Sheet", stdout=out)

    event = Event.objects.get(timelines__slug="sheet")
    assert "javascript" not in json.dumps([event.title, event.summary, event.display_date])
    assert "Media" in out.getvalue()


# Rows written around validation: their addresses are never linked


def assert_nothing_links(markup: str) -> None:
    assert executable_markup(parse_fragment(markup)) == []


def forced_urls(hostile: Hostile):
    """Each bad address in turn as the linked source's, written around validation.

    As a bulk update can. It moves no content generation, so each address is
    read with empty caches, as the first one is.
    """
    for url in BAD_URLS:
        Source.objects.filter(pk=hostile.linked.pk).update(url=url)
        for cache in caches.all():
            cache.clear()
        yield url


def test_the_public_pages_never_link_a_forced_address(client, hostile):
    for forced_url in forced_urls(hostile):
        for page in (TIMELINE, "/events/hostile-0/"):
            with checking(forced_url, page):
                tree = assert_inert_html(get_ok(client, page).content.decode())

                (note,) = tree.xpath("//article[@id='event-hostile-0']//li[@class='note']")
                assert note.xpath(".//a[cite] | .//blockquote[@cite]") == []
                assert_shows(note.text_content(), [hostile.linked.title])


def test_timelinejs_never_links_a_forced_address(client, hostile):
    for forced_url in forced_urls(hostile):
        with checking(forced_url):
            slide = get_ok(client, TIMELINEJS).json()["events"][0]
            sheet = get_ok(client, TIMELINEJS_CSV).content.decode()
            rows = list(csv.DictReader(io.StringIO(sheet)))

            for text in (slide["text"]["text"], rows[1]["Text"]):
                assert_nothing_links(text)
                assert_shows(text_of(text), [hostile.linked.title])


def test_the_feed_never_links_a_forced_address(client, hostile):
    for forced_url in forced_urls(hostile):
        with checking(forced_url):
            root = ElementTree.fromstring(get_ok(client, FEED).content)

            (summary,) = [
                entry.findtext(f"{ATOM}summary")
                for entry in root.iter(f"{ATOM}entry")
                if entry.find(f"{ATOM}link").get("href").endswith("/events/hostile-0/")
            ]
            assert_nothing_links(summary)
            assert_shows(text_of(summary), [hostile.linked.title])


def test_the_calendar_never_gives_a_forced_address(client, hostile):
    for forced_url in forced_urls(hostile):
        calendar = icalendar.Calendar.from_ical(get_ok(client, CALENDAR).content)

        description = str(calendar.walk("VEVENT")[0]["DESCRIPTION"])
        # Calendar apps link any address in a description: it is left out.
        assert forced_url.strip() not in description, forced_url
        with checking(forced_url):
            assert_shows(description, [hostile.linked.title])


def test_the_admin_never_links_a_forced_address(editor_client, hostile):
    url = f"/admin/sources/source/{hostile.linked.pk}/change/"

    for forced_url in forced_urls(hostile):
        with checking(forced_url):
            tree = assert_inert_html(get_ok(editor_client, url).content.decode())

            # The address is in the field, for the editor to correct, and not linked.
            assert tree.xpath("//p[@class='url']") == []
            assert form_value(tree, "url") == forced_url


def test_the_browsable_api_never_links_a_forced_address(editor_client, hostile):
    url = f"/api/v1/sources/{hostile.linked.pk}/"

    for forced_url in forced_urls(hostile):
        with checking(forced_url):
            response = get_ok(editor_client, url, HTTP_ACCEPT="text/html")
            assert_inert_html(response.content.decode())


def test_a_wikidata_id_forced_into_the_database_links_only_to_wikidata(editor_client):
    actor = ActorFactory()
    # Within the column's 20 characters.
    for wikidata_id in ["javascript:alert(1)", '"><svg onload=a()>']:
        Actor.objects.filter(pk=actor.pk).update(wikidata_id=wikidata_id)

        with checking(wikidata_id):
            page = get_ok(editor_client, "/admin/timeline/actor/").content.decode()
            tree = assert_inert_html(page)

            (link,) = tree.xpath("//td[contains(@class, 'field-wikidata_link')]/a")
            assert link.get("href") == f"https://www.wikidata.org/wiki/{wikidata_id}"
            assert link.text_content() == wikidata_id


# In Chromium: nothing runs, and the payloads read as text

# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) for the tests that run after these.
live = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def watched(page):
    """A Chromium tab that records every dialog (and dismisses it) and every request."""
    page.dialogs = []
    page.requested = []

    def record(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    page.on("request", lambda request: page.requested.append(request.url))
    return page


def assert_nothing_ran(page) -> None:
    page.wait_for_load_state("networkidle")
    assert page.dialogs == []
    assert [url for url in page.requested if urlsplit(url).path.endswith("/x")] == []
    # The recorder works: an alert that does run is seen.
    page.evaluate("alert('control')")
    assert page.dialogs == ["control"]
    page.dialogs.clear()


def inner_texts(page, selector: str) -> list[str]:
    return [norm(text) for text in page.locator(selector).all_inner_texts()]


@live
def test_in_chromium_the_public_pages_run_nothing_and_read_as_typed(live_server, hostile, watched):
    titles = [norm(event.title) for event in hostile.events]
    quotes = [norm(quote) for quote in QUOTES]
    event = hostile.events[3]

    watched.goto(f"{live_server.url}{TIMELINE}")
    assert watched.evaluate("document.scripts.length") == 0
    assert inner_texts(watched, "h2.event-title") == titles
    assert inner_texts(watched, "li.note blockquote") == quotes
    assert inner_texts(watched, "h1") == [norm(hostile.timeline.title)]
    assert_nothing_ran(watched)

    watched.goto(f"{live_server.url}/events/{event.slug}/")
    assert watched.evaluate("document.scripts.length") == 0
    assert inner_texts(watched, "h1") == [norm(event.title)]
    assert norm(watched.title()).startswith(norm(event.title))
    assert_nothing_ran(watched)


@live
def test_in_chromium_claims_on_the_pages_run_nothing_and_read_as_typed(
    live_server, hostile_claims, watched
):
    names = [norm(claim_texts(event)[0]) for event in hostile_claims.events]

    watched.goto(f"{live_server.url}{TIMELINE}")
    assert watched.evaluate("document.scripts.length") == 0
    assert inner_texts(watched, ".claim dt") == names
    assert_nothing_ran(watched)


@live
def test_in_chromium_the_admin_runs_nothing_and_reads_as_typed(
    live_server, editor, hostile, watched
):
    client = Client()
    client.force_login(editor)
    session = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    watched.context.add_cookies([session])
    titles = sorted(norm(event.title) for event in hostile.events)
    event = hostile.events[3]

    watched.goto(f"{live_server.url}/admin/timeline/event/")
    assert sorted(inner_texts(watched, "#result_list th.field-title")) == titles
    assert_nothing_ran(watched)

    watched.goto(f"{live_server.url}/admin/timeline/event/{event.pk}/change/")
    assert norm(watched.input_value("#id_title")) == norm(event.title)
    assert norm(watched.input_value("#id_summary")) == norm(event.summary)
    assert norm(watched.input_value("#id_citations-0-quote")) == norm(QUOTES[3])
    assert_nothing_ran(watched)


@live
def test_in_chromium_timelinejs_runs_nothing_and_reads_as_typed(
    live_server, timelinejs, hostile, watched
):
    headlines = [norm(hostile.timeline.title), *(norm(event.title) for event in hostile.events)]
    display_dates = [norm(event.display_date) for event in hostile.events]
    embed = timelinejs_browser.EMBED

    def serve(route):
        request = urlsplit(route.request.url)
        if f"{request.scheme}://{request.netloc}" != live_server.url:
            route.abort()
        elif request.path.startswith("/api/"):
            route.continue_()
        elif request.path == embed:
            route.fulfill(body=watched.timeline_html, content_type="text/html; charset=utf-8")
        elif request.path.startswith(f"{embed}dist/"):
            path = (timelinejs / request.path.removeprefix(f"{embed}dist/")).resolve()
            if path.is_relative_to(timelinejs.resolve()) and path.is_file():
                route.fulfill(path=Path(path))
            else:
                route.fulfill(status=404, body="")
        else:
            route.fulfill(status=404, body="")

    watched.route("**/*", serve)
    # TimelineJS reads the JSON, and a URL ending in .csv as its spreadsheet.
    for source in ("timelinejs/", "timelinejs.csv"):
        with checking(source):
            url = f"/api/v1/timelines/hostile/{source}"
            watched.timeline_html = timelinejs_browser.PAGE.format(url=url)
            watched.goto(f"{live_server.url}{embed}")
            watched.wait_for_function("window.timelineLoaded === true", timeout=20_000)

            assert inner_texts(watched, ".tl-slide .tl-headline") == headlines
            shown_dates = inner_texts(watched, ".tl-slide .tl-headline-date")
            assert all(date in shown_dates for date in display_dates)
            texts = " ".join(inner_texts(watched, ".tl-slide .tl-text-content"))
            assert all(quote in texts for quote in (norm(q) for q in QUOTES))
            assert_nothing_ran(watched)

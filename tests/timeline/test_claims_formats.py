"""Claims wherever a timeline is read: the public pages, TimelineJS (JSON and spreadsheet),
iCalendar and Atom.

Each output shows a disputed property as "Sources differ:" and every value with
the numbers [n] of its sources, numbered as that output numbers the event's
citations, the narrowest reading first, and the values each one "conflicts with";
wordings of the same reading together under it; readings that overlap all shown,
as agreeing; the editors' reason beside a preferred value; deprecated values
apart, "Set aside by the editors". The pure rendering (``timeline.disputes``) is
tested first, then each output, then the seeded Busan meeting in each.
"""

import csv
import io
import xml.etree.ElementTree as ElementTree

import feedparser
import lxml.html
import pytest
from django.utils.html import escape
from icalendar import Calendar

from tests.conftest import checking
from tests.factories import (
    SAMPLE_TEXT,
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
    TimelineFactory,
)
from timeline import seed_data
from timeline.claims import disputes
from timeline.formats.calendars import event_description
from timeline.formats.feeds import event_html
from timeline.formats.spreadsheet import event_to_row, parse_csv, timeline_to_rows, write_csv
from timeline.formats.timelinejs import event_to_slide
from timeline.models import Citation, Claim, Event, Timeline

pytestmark = pytest.mark.django_db

SEEDED = seed_data.TIMELINE["slug"]
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("x")</script> & "double" \'single\''
# The factory-made event's date: no quote states it and no note explains it.
UNSUPPORTED = "Date not stated by any cited source"
UNSUPPORTED_HTML = f'<p class="timeline-date-evidence">{UNSUPPORTED}</p>'

# The factory-made dispute: the event's first citation states no duration, so
# the four that do are its sources 2 to 5. 80 minutes conflicts with 100 minutes and
# with about 100 (90 to 110); more than an hour agrees with all three. Narrowest first:
# the exact amounts (by citation), then 90 to 110, then the open-ended.
DURATIONS = [
    ("80 minutes", "The talks lasted 80 minutes."),
    ("just over an hour", "Their meeting lasted just over an hour."),
    ("about 100 minutes", "The leaders met for about 100 minutes."),
    ("one hour and 40 minutes", "It lasted one hour and 40 minutes."),
]
DURATION_TEXT = (
    "Duration — sources differ:\n"
    "• 80 minutes [2] — conflicts with one hour and 40 minutes; about 100 minutes\n"
    "• one hour and 40 minutes [5] — conflicts with 80 minutes\n"
    "• about 100 minutes [4] — conflicts with 80 minutes\n"
    "• just over an hour [3]"
)
DURATION_HTML = (
    "<p><strong>Duration</strong> — sources differ:</p><ul>"
    "<li>80 minutes [2] — conflicts with one hour and 40 minutes; about 100 minutes</li>"
    "<li>one hour and 40 minutes [5] — conflicts with 80 minutes</li>"
    "<li>about 100 minutes [4] — conflicts with 80 minutes</li>"
    "<li>just over an hour [3]</li>"
    "</ul>"
)
# The seeded Busan meeting: its duration as its sources 5 to 8 give it.
# As shown, narrowest first; and as cited (the meeting's sources 5 to 8).
BUSAN_VALUES = ("80 minutes", "one hour and 40 minutes", "about 100 minutes", "just over an hour")
BUSAN_CITED = ("80 minutes", "just over an hour", "about 100 minutes", "one hour and 40 minutes")
# The real conflict: 80 minutes against 100 and about 100 (90 to 110); just over an hour
# agrees with all. Narrowest first.
BUSAN_DURATION_TEXT = (
    "Duration — sources differ:\n"
    "• 80 minutes [5] — conflicts with one hour and 40 minutes; about 100 minutes\n"
    "• one hour and 40 minutes [8] — conflicts with 80 minutes\n"
    "• about 100 minutes [7] — conflicts with 80 minutes\n"
    "• just over an hour [6]"
)
BUSAN_DURATION_HTML = (
    "<p><strong>Duration</strong> — sources differ:</p><ul>"
    "<li>80 minutes [5] — conflicts with one hour and 40 minutes; about 100 minutes</li>"
    "<li>one hour and 40 minutes [8] — conflicts with 80 minutes</li>"
    "<li>about 100 minutes [7] — conflicts with 80 minutes</li>"
    "<li>just over an hour [6]</li>"
    "</ul>"
)


def loaded(event: Event) -> Event:
    """The event as every output reads it: with its citations and claims prefetched."""
    return Event.objects.with_citations().get(pk=event.pk)


def new_event(**fields) -> tuple[Event, list[Citation]]:
    """A published event on the timeline “trade”, with a first citation that no claim cites."""
    event = EventFactory(**{"slug": "talks", "title": "Talks", "summary": "They met."} | fields)
    timeline = Timeline.objects.filter(slug="trade").first() or TimelineFactory(slug="trade")
    timeline.events.add(event)
    quote = "They met on Thursday."
    # Sources that hold their quotes: one they no longer hold is flagged in every format.
    source = SourceFactory(title="Wire", url="", text=f"{quote}\n\n{SAMPLE_TEXT}")
    first = CitationFactory(event=event, source=source, quote=quote)
    return event, [first]


def cite(event: Event, quote: str) -> Citation:
    return CitationFactory(event=event, source=SourceFactory(text=quote), quote=quote)


def duration_dispute(**fields) -> Event:
    """An event whose four sources give its duration in four wordings, two of them agreeing."""
    event, _ = new_event(**fields)
    duration = ClaimPropertyFactory(name="Duration", slug="duration", kind="duration")
    for value, quote in DURATIONS:
        ClaimFactory(event=event, property=duration, value=value, citations=[cite(event, quote)])
    return event


def ranked(normal: str = "60%", **fields) -> Event:
    """A dispute with a preferred value (more than 90%), and a value set aside; given a
    ``normal`` value that overlaps the preferred one ("over 70%"), no dispute."""
    event, _ = new_event(**fields)
    share = ClaimPropertyFactory(name="Share", slug="share", kind="percentage")
    ClaimFactory(event=event, property=share, value=normal, citations=[cite(event, normal)])
    ClaimFactory(
        event=event,
        property=share,
        value="more than 90%",
        rank="preferred",
        rank_note="From the survey.",
        citations=[cite(event, "90%")],
    )
    ClaimFactory(
        event=event,
        property=share,
        value="12%",
        rank="deprecated",
        rank_note="A misprint.",
        citations=[cite(event, "12%")],
    )
    return event


def views(event: Event) -> list[disputes.PropertyView]:
    return disputes.event_views(loaded(event))


def norm(text: str) -> str:
    return " ".join(text.split())


def parse_page(response) -> lxml.html.HtmlElement:
    assert response.status_code == 200
    return lxml.html.document_fromstring(response.content.decode())


def claims_section(tree, slug: str):
    """The event's own claims sections, not those of its parts nested in its article."""
    (article,) = tree.xpath("//article[@id=$id]", id=f"event-{slug}")
    return article.xpath(
        ".//section[contains(@class, 'claims')][ancestor::article[1][@id=$id]]",
        id=f"event-{slug}",
    )


def page_values(claim) -> list[str]:
    """A property's values as the page shows them: text, with the references' numbers."""
    return [norm(li.text_content()) for li in claim.xpath(".//li[contains(@class, 'claim-value')]")]


def slide_text(event: Event) -> str:
    return event_to_slide(loaded(event))["text"]["text"]


def description(event: Event) -> str:
    return event_description(loaded(event), url="https://example.org/e/")


def fragment(markup: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(markup, create_parent="div")


def shown(element) -> str:
    """An HTML fragment's text as a reader sees it: its paragraphs and items apart."""
    return norm(" ".join(element.itertext()))


# The rendering, in timeline.disputes


def test_each_value_is_numbered_as_the_events_citations_are():
    event = duration_dispute()

    (view,) = views(event)

    assert (view.name, view.slug, view.disputed) == ("Duration", "duration", True)
    # Narrowest first: exact amounts, then 90 to 110, then more than an hour.
    assert [(value.reading, value.label) for value in view.values] == [
        ("80 minutes", "80 minutes"),
        ("100 minutes", "one hour and 40 minutes"),
        ("about 100 minutes", "about 100 minutes"),
        ("more than 1 hour", "just over an hour"),
    ]
    assert [[w.numbers for w in value.wordings] for value in view.values] == [
        [(2,)],
        [(5,)],
        [(4,)],
        [(3,)],
    ]
    assert [value.conflicts_with for value in view.values] == [
        ("one hour and 40 minutes", "about 100 minutes"),
        ("80 minutes",),
        ("80 minutes",),
        (),
    ]
    assert view.set_aside == ()


def test_wordings_of_the_same_reading_are_one_value_under_that_reading():
    event, _ = new_event()
    duration = ClaimPropertyFactory(name="Duration", slug="duration", kind="duration")
    for value in ("80 minutes", "one hour and 40 minutes", "100 minutes"):
        ClaimFactory(event=event, property=duration, value=value, citations=[cite(event, value)])

    (view,) = views(event)

    assert disputes.view_text(view) == (
        "Duration — sources differ:\n"
        "• 80 minutes [2] — conflicts with 100 minutes\n"
        "• 100 minutes (“one hour and 40 minutes” [3]; “100 minutes” [4]) — conflicts with "
        "80 minutes"
    )


def test_a_dispute_as_plain_text_and_html():
    (view,) = views(duration_dispute())

    assert disputes.view_text(view) == DURATION_TEXT
    assert disputes.view_html(view) == DURATION_HTML


def test_an_undisputed_property_is_one_line_and_agreeing_wordings_are_grouped():
    event, _ = new_event()
    rate = ClaimPropertyFactory(name="Tariff rate", slug="tariff-rate", kind="percentage")
    ClaimFactory(event=event, property=rate, value="over 40 percent", citations=[cite(event, "a")])
    ClaimFactory(event=event, property=rate, value="over 40%", citations=[cite(event, "b")])
    both = [cite(event, "c"), cite(event, "d")]
    measures = ClaimPropertyFactory(name="Measures", slug="measures", kind="text")
    ClaimFactory(event=event, property=measures, value="export restrictions", citations=both)

    measures_view, rate_view = views(event)

    assert not rate_view.disputed and not measures_view.disputed
    assert disputes.view_text(rate_view) == (
        "Tariff rate: more than 40% (“over 40 percent” [2]; “over 40%” [3])"
    )
    assert disputes.view_html(rate_view) == (
        "<p><strong>Tariff rate:</strong> more than 40% (“over 40 percent” [2]; “over 40%” [3])</p>"
    )
    assert disputes.view_text(measures_view) == "Measures: export restrictions [4, 5]"


def test_a_preferred_value_comes_first_with_its_note_and_a_deprecated_one_is_set_aside():
    (view,) = views(ranked())

    assert view.disputed
    # 12% conflicts with both, but it is set aside: no value says it conflicts with it.
    assert disputes.view_text(view) == (
        "Share — sources differ:\n"
        "• more than 90% [3] — preferred by the editors: From the survey. — conflicts with 60%\n"
        "• 60% [2] — conflicts with more than 90%\n"
        "Set aside by the editors:\n"
        "• 12% [4] — A misprint."
    )
    assert disputes.view_html(view) == (
        "<p><strong>Share</strong> — sources differ:</p><ul>"
        "<li>more than 90% [3] — <em>preferred by the editors:</em> From the survey. — "
        "conflicts with 60%</li>"
        "<li>60% [2] — conflicts with more than 90%</li></ul>"
        "<p><em>Set aside by the editors:</em></p><ul><li>12% [4] — A misprint.</li></ul>"
    )


def test_a_preferred_value_that_overlaps_another_shows_both_as_agreeing():
    (view,) = views(ranked("over 70%"))

    assert not view.disputed
    # Every agreeing value, preferred first (rank before narrowness).
    assert disputes.view_text(view) == (
        "Share: more than 90% [3] — preferred by the editors: From the survey.; over 70% [2]\n"
        "Set aside by the editors:\n"
        "• 12% [4] — A misprint."
    )
    assert disputes.view_html(view) == (
        "<p><strong>Share:</strong> more than 90% [3] — <em>preferred by the editors:</em> "
        "From the survey.; over 70% [2]</p>"
        "<p><em>Set aside by the editors:</em></p><ul><li>12% [4] — A misprint.</li></ul>"
    )


def test_a_deprecated_value_does_not_make_a_dispute():
    event, _ = new_event()
    share = ClaimPropertyFactory(name="Share", slug="share", kind="percentage")
    ClaimFactory(event=event, property=share, value="47%", citations=[cite(event, "a")])
    ClaimFactory(
        event=event,
        property=share,
        value="57%",
        rank="deprecated",
        rank_note="The rate before the cut.",
        citations=[cite(event, "b")],
    )

    (view,) = views(event)

    assert not view.disputed
    assert disputes.view_text(view) == (
        "Share: 47% [2]\nSet aside by the editors:\n• 57% [3] — The rate before the cut."
    )


def test_a_property_whose_every_value_is_set_aside_shows_only_those():
    event, _ = new_event()
    share = ClaimPropertyFactory(name="Share", slug="share", kind="percentage")
    ClaimFactory(
        event=event,
        property=share,
        value="57%",
        rank="deprecated",
        rank_note="Outdated.",
        citations=[cite(event, "a")],
    )

    (view,) = views(event)

    assert view.values == ()
    assert disputes.view_text(view) == "Share:\nSet aside by the editors:\n• 57% [2] — Outdated."
    assert disputes.view_html(view) == (
        "<p><strong>Share:</strong></p>"
        "<p><em>Set aside by the editors:</em></p><ul><li>57% [2] — Outdated.</li></ul>"
    )


def test_a_note_on_several_lines_stays_on_one_line_of_text():
    event, _ = new_event()
    share = ClaimPropertyFactory(name="Share", slug="share", kind="percentage")
    ClaimFactory(
        event=event,
        property=share,
        value="47%",
        rank="preferred",
        rank_note="Stated by\nboth   governments.",
        citations=[cite(event, "a")],
    )

    (view,) = views(event)

    assert disputes.view_text(view) == (
        "Share: 47% [2] — preferred by the editors: Stated by both governments."
    )


def test_an_event_without_claims_has_no_views():
    event, _ = new_event()

    assert views(event) == []


# The public pages


def test_the_page_shows_a_dispute_with_every_value_and_links_to_its_sources(client):
    event = duration_dispute()

    for path in ("/events/talks/", "/timelines/trade/"):
        with checking(path):
            assert_dispute_with_links(parse_page(client.get(path)), event, path)


def assert_dispute_with_links(tree, event: Event, path: str) -> None:
    (section,) = claims_section(tree, event.slug)
    level = "h2" if path.startswith("/events/") else "h3"
    (heading,) = section.xpath(f"./{level}")
    assert heading.text_content() == "What the sources say"
    assert section.get("aria-labelledby") == heading.get("id") == "claims-talks"
    (claim,) = section.xpath(".//dl/div[contains(@class, 'claim--disputed')]")
    assert claim.xpath("./dt")[0].text_content() == "Duration"
    assert norm(claim.xpath(".//p[@class='claim-differ']")[0].text_content()) == "Sources differ:"
    assert page_values(claim) == [
        "80 minutes[2] Conflicts with one hour and 40 minutes; about 100 minutes",
        "one hour and 40 minutes[5] Conflicts with 80 minutes",
        "about 100 minutes[4] Conflicts with 80 minutes",
        "just over an hour[3]",
    ]
    conflicts = claim.xpath(".//p[@class='claim-conflicts']")
    assert [norm(p.text_content()) for p in conflicts] == [
        "Conflicts with one hour and 40 minutes; about 100 minutes",
        "Conflicts with 80 minutes",
        "Conflicts with 80 minutes",
    ]
    # Each number links to its note, whose quote states the value.
    quotes = {value: quote for value, quote in DURATIONS}
    for number, (value, _) in enumerate(DURATIONS, start=2):
        (link,) = claim.xpath(".//a[@href=$href]", href=f"#note-talks-{number}")
        assert (link.text_content(), link.get("aria-label")) == (f"[{number}]", f"Source {number}")
        (note,) = tree.xpath("//li[@id=$id]", id=f"note-talks-{number}")
        assert note.xpath("./blockquote")[0].text_content() == quotes[value]


def test_the_claims_come_between_the_facts_and_the_source_notes(client):
    event = duration_dispute()

    tree = parse_page(client.get(event.get_absolute_url()))

    (article,) = tree.xpath("//article")
    classes = [element.get("class") for element in article if element.tag != "header"]
    assert classes == ["event-summary", "claims", "notes"]


def test_the_page_shows_an_undisputed_value_with_its_sources_and_no_dispute(client):
    event, _ = new_event()
    soybeans = ClaimPropertyFactory(name="Soybeans", slug="soybeans", kind="mass")
    ClaimFactory(
        event=event,
        property=soybeans,
        value="12 million metric tonnes",
        citations=[cite(event, "a"), cite(event, "b")],
    )

    tree = parse_page(client.get(event.get_absolute_url()))

    (section,) = claims_section(tree, event.slug)
    (claim,) = section.xpath(".//dl/div")
    assert claim.get("class") == "claim"
    assert claim.xpath("./dt")[0].text_content() == "Soybeans"
    (value,) = claim.xpath("./dd/div[@class='claim-value']")
    assert norm(value.text_content()) == "12 million metric tonnes[2][3]"
    assert value.xpath(".//a/@href") == ["#note-talks-2", "#note-talks-3"]
    assert "Sources differ" not in section.text_content()
    assert not section.xpath(".//ul")


def test_the_page_marks_a_preferred_value_with_its_note_and_shows_set_aside_values_apart(client):
    event = ranked()

    tree = parse_page(client.get(event.get_absolute_url()))

    (section,) = claims_section(tree, event.slug)
    (preferred,) = section.xpath(".//li[contains(@class, 'claim-value--preferred')]")
    assert norm(preferred.text_content()) == (
        "more than 90%[3] Preferred by the editors: From the survey. Conflicts with 60%"
    )
    (note,) = preferred.xpath("./p[@class='claim-note']")
    assert norm(note.text_content()) == "Preferred by the editors: From the survey."
    assert page_values(section)[1] == "60%[2] Conflicts with more than 90%"
    (set_aside,) = section.xpath(".//div[@class='claim-set-aside']")
    assert norm(set_aside.text_content()) == "Set aside by the editors: 12%[4] — A misprint."
    assert set_aside.xpath(".//a/@href") == ["#note-talks-4"]
    # A value set aside is not among the values that count.
    assert all("12%" not in value for value in page_values(section))


def test_an_event_without_claims_has_no_claims_section(client):
    event, _ = new_event()
    duration_dispute(slug="other", title="Other")

    for path in (event.get_absolute_url(), "/timelines/trade/"):
        tree = parse_page(client.get(path))
        assert claims_section(tree, event.slug) == []
        (article,) = tree.xpath("//article[@id='event-talks']")
        assert "What the sources say" not in article.text_content()
    assert claims_section(tree, "other")  # on the same timeline page


def test_the_page_escapes_property_names_values_and_notes_once(client):
    event, _ = new_event()
    prop = ClaimPropertyFactory(name=f"Name {HOSTILE}", slug="hostile", kind="text")
    ClaimFactory(
        event=event,
        property=prop,
        value=f"One {HOSTILE}",
        rank="preferred",
        rank_note=f"Note {HOSTILE}",
        citations=[cite(event, "a")],
    )
    ClaimFactory(event=event, property=prop, value=f"Two {HOSTILE}", citations=[cite(event, "b")])
    ClaimFactory(
        event=event,
        property=prop,
        value=f"Three {HOSTILE}",
        rank="deprecated",
        rank_note=f"Aside {HOSTILE}",
        citations=[cite(event, "c")],
    )

    for path in (event.get_absolute_url(), "/timelines/trade/"):
        content = client.get(path).content.decode()
        assert "<script" not in content
        assert "&amp;lt;" not in content and "&amp;amp;" not in content
        for text in ("Name", "One", "Note", "Two", "Three", "Aside"):
            assert escape(f"{text} {HOSTILE}") in content
        (section,) = claims_section(lxml.html.document_fromstring(content), "talks")
        text = norm(section.text_content())
        assert f"Sources differ: One {HOSTILE}[2] Preferred by the editors: Note {HOSTILE}" in text
        assert f"Set aside by the editors: Three {HOSTILE}[4] — Aside {HOSTILE}" in text


def test_the_seeded_busan_meeting_page_shows_its_disputed_duration_with_all_four_sources(
    client, seeded
):
    tree = parse_page(client.get("/events/busan-meeting/"))

    (section,) = claims_section(tree, "busan-meeting")
    duration, since = section.xpath(".//dl/div")
    assert duration.xpath("./dt")[0].text_content() == "Duration"
    assert "Sources differ:" in duration.text_content()
    assert page_values(duration) == [
        "80 minutes[5] Conflicts with one hour and 40 minutes; about 100 minutes",
        "one hour and 40 minutes[8] Conflicts with 80 minutes",
        "about 100 minutes[7] Conflicts with 80 minutes",
        "just over an hour[6]",
    ]
    # Each [n] leads to the note quoting the source that gives that value, in the
    # order the values are listed.
    notes = {
        note.xpath("./blockquote")[0].text_content(): note.get("id")
        for note in tree.xpath("//li[@class='note']")
    }
    claims = Claim.objects.filter(event__slug="busan-meeting", property__slug="duration")
    quotes = {claim.value: claim.citations.get().quote for claim in claims}
    assert duration.xpath(".//a/@href") == [f"#{notes[quotes[value]]}" for value in BUSAN_VALUES]
    assert norm(since.text_content()) == "Time since the leaders last met six years[1]"


# TimelineJS: the slide's text, and the spreadsheet's Text cell


def test_the_slide_text_holds_the_claims_between_the_summary_and_the_citations():
    event = duration_dispute()

    text = slide_text(event)

    assert text.startswith(
        f'{UNSUPPORTED_HTML}<p>They met.</p><div class="timeline-claims">{DURATION_HTML}</div>'
        '<ol class="timeline-citations"><li><q>They met on Thursday.</q>'
    )
    # [n] is the nth item of the citations list.
    items = fragment(text).xpath("//ol[@class='timeline-citations']/li/q")
    assert [items[number - 1].text for number in (2, 3, 4, 5)] == [q for _, q in DURATIONS]


def test_the_slide_text_holds_preferred_and_set_aside_values():
    text = slide_text(ranked())

    (claims,) = fragment(text).xpath("//div[@class='timeline-claims']")
    assert shown(claims) == (
        "Share — sources differ: more than 90% [3] — preferred by the editors: From the survey. "
        "— conflicts with 60% 60% [2] — conflicts with more than 90% "
        "Set aside by the editors: 12% [4] — A misprint."
    )


def test_a_slide_without_claims_has_no_claims_block():
    event, _ = new_event()

    assert slide_text(event) == (
        f'{UNSUPPORTED_HTML}<p>They met.</p><ol class="timeline-citations">'
        "<li><q>They met on Thursday.</q> — "
        "<cite>Wire</cite>, Example Wire</li></ol>"
    )


def test_the_slide_text_escapes_claims_once():
    event, _ = new_event()
    prop = ClaimPropertyFactory(name=f"Name {HOSTILE}", slug="hostile", kind="text")
    ClaimFactory(event=event, property=prop, value=f"One {HOSTILE}", citations=[cite(event, "a")])
    ClaimFactory(
        event=event,
        property=prop,
        value=f"Two {HOSTILE}",
        rank="preferred",
        rank_note=f"Note {HOSTILE}",
        citations=[cite(event, "b")],
    )

    slide = event_to_slide(loaded(event))

    text = slide["text"]["text"]
    assert "<script" not in text
    assert f"<strong>{escape(f'Name {HOSTILE}')}</strong>" in text
    assert "&amp;lt;" not in text and "&amp;amp;" not in text
    (claims,) = fragment(text).xpath("//div[@class='timeline-claims']")
    assert shown(claims) == norm(
        f"Name {HOSTILE} — sources differ: Two {HOSTILE} [3] — preferred by the editors: "
        f"Note {HOSTILE} — conflicts with One {HOSTILE} One {HOSTILE} [2] — conflicts with "
        f"Two {HOSTILE}"
    )
    assert claims.xpath("//script") == []
    # Claims go only into the text: no plain-text field carries them.
    assert "display_date" not in slide and "group" not in slide
    assert HOSTILE not in slide["text"]["headline"]


def test_the_spreadsheet_holds_the_slides_text():
    event = loaded(duration_dispute())

    assert event_to_row(event)["Text"] == event_to_slide(event)["text"]["text"]


def test_an_exported_claims_block_is_left_out_of_the_imported_summary():
    row = {
        "Year": "2025",
        "Headline": "Talks",
        "Text": (
            f'<p>They met.</p><div class="timeline-claims">{DURATION_HTML}</div>'
            '<ol class="timeline-citations"><li><q>A quote</q> — <cite>A source</cite></li></ol>'
        ),
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)

    (imported,) = parse_csv(io.StringIO(out.getvalue(), newline="")).events

    assert (imported.summary, imported.cited) == ("They met.", True)


def export_and_import(*events: Event):
    timeline = TimelineFactory(slug="exported", title="Exported", events=list(events))
    out = io.StringIO(newline="")
    write_csv(timeline_to_rows(timeline, [loaded(event) for event in events]), out)
    return parse_csv(io.StringIO(out.getvalue(), newline="")).events


def test_a_round_trip_keeps_the_summary_without_the_claims():
    disputed = duration_dispute(summary="They met.\n\nFor a while,\nin Busan.")
    hostile, _ = new_event(slug="hostile", summary=f"Said {HOSTILE}.")
    prop = ClaimPropertyFactory(name=f"Name {HOSTILE}", slug="hostile", kind="text")
    ClaimFactory(
        event=hostile, property=prop, value=f"=One {HOSTILE}", citations=[cite(hostile, "a")]
    )
    ClaimFactory(event=hostile, property=prop, value="Two", citations=[cite(hostile, "b")])
    no_summary, _ = new_event(slug="empty", summary="")
    ClaimFactory(event=no_summary, property=prop, value="Three", citations=[cite(no_summary, "c")])

    imported = export_and_import(disputed, hostile, no_summary)

    assert [event.summary for event in imported] == [
        "They met.\n\nFor a while,\nin Busan.",
        f"Said {HOSTILE}.",
        "",
    ]
    assert all(event.cited for event in imported)


# iCalendar: the description


def calendar_descriptions(client, slug: str = "trade") -> dict[str, str]:
    """Each VEVENT's DESCRIPTION, read by icalendar, by its event's slug."""
    response = client.get(f"/api/v1/timelines/{slug}/calendar.ics")
    assert response.status_code == 200
    return {
        str(vevent["URL"]).rstrip("/").rsplit("/", 1)[-1]: str(vevent["DESCRIPTION"])
        for vevent in Calendar.from_ical(response.content).walk("VEVENT")
    }


def test_the_calendar_description_gives_the_claims_before_the_sources(client):
    duration_dispute()

    blocks = calendar_descriptions(client)["talks"].split("\n\n")

    assert blocks[:3] == [UNSUPPORTED, "They met.", DURATION_TEXT]
    sources = blocks[3].split("\n")
    assert sources[0] == "Sources:"
    # [n] is the nth line of the sources.
    assert [line.split(" — ")[0] for line in sources[1:]] == [
        "1. “They met on Thursday.”",
        *(f"{number}. “{quote}”" for number, (_, quote) in enumerate(DURATIONS, start=2)),
    ]
    assert blocks[4:] == ["Event page: http://testserver/events/talks/"]


def test_the_calendar_description_gives_preferred_and_set_aside_values():
    text = description(ranked())

    assert (
        "\n\nShare — sources differ:\n"
        "• more than 90% [3] — preferred by the editors: From the survey. — conflicts with 60%\n"
        "• 60% [2] — conflicts with more than 90%\n"
        "Set aside by the editors:\n"
        "• 12% [4] — A misprint.\n\nSources:\n"
    ) in text


def test_each_property_is_a_paragraph_of_the_description():
    event = duration_dispute()
    soybeans = ClaimPropertyFactory(name="Soybeans", slug="soybeans", kind="mass")
    ClaimFactory(
        event=event, property=soybeans, value="12 million tonnes", citations=[cite(event, "a")]
    )

    assert description(event).split("\n\n")[2:4] == [
        DURATION_TEXT,
        "Soybeans: 12 million tonnes [6]",
    ]


def test_a_description_without_claims_is_as_before():
    event, _ = new_event()

    assert description(event) == (
        f"{UNSUPPORTED}\n\nThey met.\n\nSources:\n1. “They met on Thursday.” — Wire, Example Wire"
        "\n\nEvent page: https://example.org/e/"
    )


def test_the_calendar_keeps_hostile_claims_as_text(client):
    event, _ = new_event()
    prop = ClaimPropertyFactory(name=f"Name {HOSTILE}", slug="hostile", kind="text")
    ClaimFactory(event=event, property=prop, value=f"One; {HOSTILE}", citations=[cite(event, "a")])
    ClaimFactory(
        event=event,
        property=prop,
        value=f"Two, {HOSTILE}",
        rank="preferred",
        rank_note=f"Note {HOSTILE}\r\nBEGIN:VEVENT",
        citations=[cite(event, "b")],
    )

    text = calendar_descriptions(client)["talks"]

    assert text.split("\n\n")[2] == (
        f"Name {HOSTILE} — sources differ:\n"
        f"• Two, {HOSTILE} [3] — preferred by the editors: Note {HOSTILE} BEGIN:VEVENT — "
        f"conflicts with One; {HOSTILE}\n"
        f"• One; {HOSTILE} [2] — conflicts with Two, {HOSTILE}"
    )


# Atom: the entry's summary


def feed_entries(client, slug: str = "trade") -> dict[str, str]:
    """Each entry's summary HTML, read by feedparser, by its event's slug."""
    response = client.get(f"/api/v1/timelines/{slug}/feed.atom")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return {entry.link.rstrip("/").rsplit("/", 1)[-1]: entry.summary for entry in feed.entries}


def test_the_feed_entry_gives_the_claims_before_the_sources(client):
    duration_dispute()

    summary = feed_entries(client)["talks"]

    assert f"<p>They met.</p>{DURATION_HTML}<p>Sources:</p><ol>" in summary
    items = fragment(summary).xpath("//ol/li")
    for number, (_, quote) in enumerate(DURATIONS, start=2):
        assert items[number - 1].text_content().startswith(f"“{quote}”")


def test_the_feed_entry_gives_preferred_and_set_aside_values():
    html = event_html(loaded(ranked()))

    assert (
        "<p><strong>Share</strong> — sources differ:</p><ul>"
        "<li>more than 90% [3] — <em>preferred by the editors:</em> From the survey. — "
        "conflicts with 60%</li>"
        "<li>60% [2] — conflicts with more than 90%</li></ul>"
        "<p><em>Set aside by the editors:</em></p><ul><li>12% [4] — A misprint.</li></ul>"
        "<p>Sources:</p>"
    ) in html


def test_a_feed_entry_without_claims_is_as_before():
    event, _ = new_event()

    html = event_html(loaded(event))

    assert html == (
        f'<p>Date: 30 October 2025</p><p class="date-evidence">{UNSUPPORTED}</p>'
        "<p>They met.</p><p>Sources:</p>"
        "<ol><li>“They met on Thursday.” — Wire, Example Wire</li></ol>"
    )


def test_the_feed_keeps_hostile_claims_as_text(client):
    event, _ = new_event()
    prop = ClaimPropertyFactory(name=f"Name {HOSTILE}", slug="hostile", kind="text")
    ClaimFactory(event=event, property=prop, value=f"One {HOSTILE}", citations=[cite(event, "a")])
    ClaimFactory(
        event=event,
        property=prop,
        value=f"Two {HOSTILE}",
        rank="deprecated",
        rank_note=f"Note {HOSTILE}",
        citations=[cite(event, "b")],
    )
    response = client.get("/api/v1/timelines/trade/feed.atom")

    (entry,) = ElementTree.fromstring(response.content).iter(f"{ATOM}entry")
    raw = entry.findtext(f"{ATOM}summary")
    assert "<script" not in raw
    assert "&amp;lt;" not in raw and "&amp;amp;" not in raw
    assert (
        f"Name {HOSTILE}: One {HOSTILE} [2] Set aside by the editors: Two {HOSTILE} [3] — "
        f"Note {HOSTILE}"
    ) in shown(fragment(feed_entries(client)["talks"]))


# The seeded timeline: the Busan meeting's duration in every format


def test_the_seeded_busan_meeting_in_timelinejs_json_and_csv(client, seeded):
    document = client.get(f"/api/v1/timelines/{SEEDED}/timelinejs/").json()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/api/v1/timelines/{SEEDED}/timelinejs.csv").content.decode())
        )
    )

    (slide,) = [s for s in document["events"] if s["unique_id"] == "busan-meeting"]
    text = slide["text"]["text"]
    assert f'<div class="timeline-claims">{BUSAN_DURATION_HTML}' in text
    assert (
        "<p><strong>Time since the leaders last met:</strong> six years [1]</p></div>"
        '<ol class="timeline-citations">'
    ) in text
    quotes = [q.text for q in fragment(text).xpath("//ol[@class='timeline-citations']/li/q")]
    claims = Claim.objects.filter(event__slug="busan-meeting", property__slug="duration")
    by_value = {claim.value: claim.citations.get().quote for claim in claims}
    assert [quotes[n - 1] for n in (5, 6, 7, 8)] == [by_value[value] for value in BUSAN_CITED]
    # The spreadsheet's Text is the slide's, without the link to the event's page.
    (row,) = [r for r in rows if r["Headline"] == slide["text"]["headline"]]
    assert f'<div class="timeline-claims">{BUSAN_DURATION_HTML}' in row["Text"]
    # Read as text: the slide links the event it is part of, the sheet names it.
    assert fragment(text).text_content().startswith(fragment(row["Text"]).text_content())


def test_the_seeded_busan_meeting_in_the_calendar_and_the_feed(client, seeded):
    description = calendar_descriptions(client, SEEDED)["busan-meeting"]
    summary = feed_entries(client, SEEDED)["busan-meeting"]

    assert (
        f"\n\n{BUSAN_DURATION_TEXT}\n\nTime since the leaders last met: six years [1]\n\nSources:\n"
        in description
    )
    sources = description.split("Sources:\n")[1].split("\n")
    claims = Claim.objects.filter(event__slug="busan-meeting", property__slug="duration")
    by_value = {claim.value: claim.citations.get().quote for claim in claims}
    for number, value in enumerate(BUSAN_CITED, start=5):
        assert sources[number - 1].startswith(f"{number}. “{by_value[value]}”")
    assert f"{BUSAN_DURATION_HTML}<p><strong>Time since the leaders last met:</strong>" in summary
    items = fragment(summary).xpath("//ol/li")
    for number, value in enumerate(BUSAN_CITED, start=5):
        assert items[number - 1].text_content().startswith(f"“{by_value[value]}”")
    assert summary.index("sources differ") < summary.index("<p>Sources:</p>")


def test_every_seeded_dispute_says_sources_differ_in_every_format(client, seeded):
    # Only the conflicts the articles hold (over 40% and 47% agree, as do more than 90%
    # and over 70%).
    disputed = {
        "busan-meeting": ["Duration"],
        "busan-rare-earth-deal": ["What becomes of the rare-earth export restrictions"],
    }
    document = client.get(f"/api/v1/timelines/{SEEDED}/timelinejs/").json()
    slides = {slide["unique_id"]: slide["text"]["text"] for slide in document["events"]}
    descriptions = calendar_descriptions(client, SEEDED)
    summaries = feed_entries(client, SEEDED)
    page = parse_page(client.get(f"/timelines/{SEEDED}/"))

    for slug, names in disputed.items():
        (section,) = claims_section(page, slug)
        assert [
            claim.xpath("./dt")[0].text_content()
            for claim in section.xpath(".//div[contains(@class, 'claim--disputed')]")
        ] == names
        for name in names:
            assert f"<strong>{escape(name)}</strong> — sources differ:" in slides[slug]
            assert f"<strong>{escape(name)}</strong> — sources differ:" in summaries[slug]
            assert f"{name} — sources differ:" in descriptions[slug]
    assert descriptions["busan-rare-earth-deal"].count("preferred by the editors") == 1
    assert (
        "Tariff rate on Chinese goods: 47% [1]; more than 40% (“over 40 percent” [5]; "
        "“over 40%” [6])" in descriptions["busan-fentanyl-tariff-cut"]
    )
    assert (
        "Form of China’s rare-earth measures: higher import tariffs [1]"
        in descriptions["china-rare-earth-measures-autumn-2025"]
    )
    assert (
        "Soybean purchases this season: 12 million metric tonnes [2]"
        in (descriptions["busan-soybean-purchases"])
    )
    for slug in set(slides) - set(disputed):
        assert "sources differ" not in slides[slug] + summaries[slug] + descriptions[slug]


# Queries: claims come in one query, however many events have them


QUERIES = {
    # The page: the timeline; its events; their actors, tags, citations,
    # the dates in their quotes and claims; the tags and actors for the form.
    "/timelines/trade/": 9,
    # The API formats: the content generation (they are cached reads); the
    # timeline; its events; their actors, tags, citations, the dates in their
    # quotes, and claims.
    "/api/v1/timelines/trade/timelinejs/": 8,
    "/api/v1/timelines/trade/timelinejs.csv": 8,
    "/api/v1/timelines/trade/calendar.ics": 8,
    "/api/v1/timelines/trade/feed.atom": 8,
}


def test_claims_add_no_query_per_event(client, django_assert_num_queries, commit):
    for count in (1, 10):
        with commit():
            for index in range(Event.objects.count(), count):
                duration_dispute(slug=f"talks-{index}", title=f"Talks {index}")

        for path, queries in QUERIES.items():
            with django_assert_num_queries(queries):
                response = client.get(path)

            assert response.status_code == 200, path
            assert response.content.decode().count("ources differ") >= count, path


def test_the_event_page_reads_its_claims_in_one_query(client, django_assert_num_queries):
    event = duration_dispute()

    # The event; its actors, tags, citations, their quotes' dates and claims; its
    # published timelines.
    with django_assert_num_queries(7):
        response = client.get(event.get_absolute_url())

    assert "Sources differ:" in response.content.decode()

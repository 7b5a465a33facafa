"""Tests for the TimelineJS3 JSON and spreadsheet rows of a timeline (timeline.timelinejs)."""

import datetime

import lxml.html
import pytest

from tests.dated import DAY_QUOTE, FRIDAY, NOTE, NOTE_HTML, THURSDAY_QUOTE
from tests.factories import (
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline import seed_data
from timeline.formats.spreadsheet import (
    COLUMNS,
    SheetRow,
    event_to_row,
    row_to_event,
    timeline_to_rows,
)
from timeline.formats.timelinejs import event_to_slide, primary_tag, timeline_to_timelinejs
from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
HOSTILE = '<script>alert("x")</script> & "quoted"'
HOSTILE_HTML = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quoted&quot;"
# The date evidence of a factory event: no quote states its date, no note explains it.
UNSUPPORTED_HTML = '<p class="timeline-date-evidence">Date not stated by any cited source</p>'
MONTH_QUOTE = "Tariffs were cut in October."
DATED_TEXT = f"{THURSDAY_QUOTE} {DAY_QUOTE} {MONTH_QUOTE} {TARIFF_QUOTE}"


def slide(link=None, **fields) -> dict:
    """The slide of a new event, read back as the API reads events."""
    event = EventFactory(**fields)
    return event_to_slide(Event.objects.with_citations().get(pk=event.pk), link=link)


def cited(*quotes: str, published_on=FRIDAY, **fields) -> Event:
    """A new event on 30 October 2025 (unless ``fields`` say otherwise) citing ``quotes`` of one
    article, published on Friday 31 October 2025; read back as the API reads events."""
    source = SourceFactory(text=DATED_TEXT, published_on=published_on)
    event = EventFactory(**{"date": "2025-10-30", "summary": "They met."} | fields)
    for quote in quotes:
        CitationFactory(event=event, source=source, quote=quote)
    return Event.objects.with_citations().get(pk=event.pk)


def slide_text(event: Event) -> str:
    return event_to_slide(event)["text"]["text"]


def dates(**fields) -> tuple:
    made = slide(**fields)
    return made["start_date"], made.get("end_date"), made.get("display_date")


# Dates follow the event's precision


def test_a_day_has_year_month_and_day_and_no_end():
    assert dates(date="2025-10-30") == ({"year": 2025, "month": 10, "day": 30}, None, None)


def test_a_month_has_no_day():
    assert dates(date="2025-03") == ({"year": 2025, "month": 3}, None, None)


def test_a_year_has_only_the_year():
    assert dates(date="2026") == ({"year": 2026}, None, None)


def test_uncertain_and_approximate_dates_keep_their_precision():
    assert dates(date="2025-05~") == ({"year": 2025, "month": 5}, None, None)
    assert dates(date="2025?") == ({"year": 2025}, None, None)


def test_a_season_spans_its_months_and_is_named_as_the_display_date():
    assert dates(date="2025-21") == (
        {"year": 2025, "month": 3},
        {"year": 2025, "month": 5},
        "Spring 2025",
    )
    assert dates(date="2025-23")[2] == "Autumn 2025"
    assert dates(date="2025-29")[2] == "Spring 2025 (Southern Hemisphere)"
    assert dates(date="2025-33")[2] == "First quarter of 2025"
    assert dates(date="2025-41")[2] == "Second half of 2025"
    # Quadrimesters have no everyday name: their months are named instead.
    assert dates(date="2025-37")[2] == "January–April 2025"


def test_an_editors_display_date_wins_over_the_season_name():
    assert dates(date="2025-22", display_date="Over the summer")[2] == "Over the summer"


def test_a_range_of_seasons_is_named_by_its_months():
    assert dates(date="2025-21/2025-23") == (
        {"year": 2025, "month": 3},
        {"year": 2025, "month": 11},
        "March–November 2025",
    )


def test_a_range_of_days_has_an_end_date():
    assert dates(date="2025-10-25/2025-10-26") == (
        {"year": 2025, "month": 10, "day": 25},
        {"year": 2025, "month": 10, "day": 26},
        None,
    )


def test_a_range_of_months_or_years_has_an_end_date_at_that_precision():
    assert dates(date="2025-09/2025-10")[:2] == (
        {"year": 2025, "month": 9},
        {"year": 2025, "month": 10},
    )
    assert dates(date="2019/2020")[:2] == ({"year": 2019}, {"year": 2020})


def test_each_end_of_a_range_keeps_its_own_precision():
    assert dates(date="2025-10-25/2025-11")[:2] == (
        {"year": 2025, "month": 10, "day": 25},
        {"year": 2025, "month": 11},
    )


def test_a_range_within_one_unit_of_its_precision_has_no_end_date():
    assert dates(date="2025-10-30/2025-10-30")[1] is None


def test_the_editors_display_date_is_the_slides():
    assert dates(date="2025-03", display_date="Late March 2025")[2] == "Late March 2025"


# The slide as a whole


def test_a_slide_holds_the_text_citations_status_group_and_links():
    source = SourceFactory(
        title="Geneva report",
        publisher="Example Wire",
        url="https://news.example.org/geneva",
        published_on=datetime.date(2025, 10, 27),
    )
    unlinked = SourceFactory(title="Wire copy", publisher="", url="")
    event = EventFactory(
        slug="geneva-talks",
        title="Talks in Geneva",
        summary="Ministers met.\n\nThey agreed a pause,\nfor now.",
        date="2025-10-25/2025-10-26",
        display_date="25–26 October 2025",
        status="scheduled",
        tags=[TagFactory(name="Trade talks"), TagFactory(name="Diplomacy")],
    )
    CitationFactory(event=event, source=source, quote=TARIFF_QUOTE, locator="para. 3")
    CitationFactory(event=event, source=unlinked, quote=GENEVA_QUOTE)
    event = Event.objects.with_citations().get(pk=event.pk)

    made = event_to_slide(event, link=lambda e: f"https://example.org/events/{e.slug}/")

    assert made == {
        "unique_id": "geneva-talks",
        "start_date": {"year": 2025, "month": 10, "day": 25},
        "end_date": {"year": 2025, "month": 10, "day": 26},
        "display_date": "25–26 October 2025",
        "text": {
            "headline": "Talks in Geneva",
            "text": (
                '<p class="timeline-status" data-status="scheduled"><strong>Scheduled:</strong> '
                "announced; it has not happened yet.</p>"
                f"{UNSUPPORTED_HTML}"
                "<p>Ministers met.</p><p>They agreed a pause,<br>for now.</p>"
                '<ol class="timeline-citations">'
                "<li><q>Tariffs will fall from 57% to 47%.</q> — "
                '<a href="https://news.example.org/geneva"><cite>Geneva report</cite></a>, '
                "Example Wire, 27 October 2025 (para. 3)</li>"
                "<li><q>The trade ministers met in Geneva on Monday.</q> — "
                "<cite>Wire copy</cite></li>"
                "</ol>"
                '<p class="timeline-permalink">'
                '<a href="https://example.org/events/geneva-talks/">'
                "The event’s page, with all its sources</a></p>"
            ),
        },
        "group": "Diplomacy",
    }


def test_a_slide_without_tags_display_date_or_citations_leaves_them_out():
    made = slide(slug="quiet", title="Quiet day", summary="", date="2025-10-30")

    assert made == {
        "unique_id": "quiet",
        "start_date": {"year": 2025, "month": 10, "day": 30},
        "text": {"headline": "Quiet day", "text": UNSUPPORTED_HTML},
    }


def test_an_event_that_did_not_simply_happen_says_so_first():
    for status, shown in [
        ("scheduled", "<strong>Scheduled:</strong> announced; it has not happened yet."),
        ("postponed", "<strong>Postponed:</strong> it did not happen on the date planned."),
        ("cancelled", "<strong>Cancelled:</strong> it did not take place."),
        ("rescheduled", "<strong>Rescheduled:</strong> moved from the date first announced."),
    ]:
        text = slide(status=status, summary="Planned.")["text"]["text"]

        assert text.startswith(f'<p class="timeline-status" data-status="{status}">{shown}</p>')
        assert text.endswith("<p>Planned.</p>"), status


def test_an_event_that_occurred_has_no_status_line():
    text = slide(status="occurred", summary="Done.")["text"]["text"]

    assert text == f"{UNSUPPORTED_HTML}<p>Done.</p>"


def test_the_group_is_the_tag_whose_name_sorts_first_ignoring_case():
    tags = [TagFactory(name="beta"), TagFactory(name="Zed"), TagFactory(name="alpha")]
    event = EventFactory(tags=tags)

    assert primary_tag(event).name == "alpha"
    assert slide(tags=tags)["group"] == "alpha"
    assert primary_tag(EventFactory()) is None


def test_the_unique_id_is_the_slug():
    assert slide(slug="busan-meeting")["unique_id"] == "busan-meeting"


# Where the date comes from: a paragraph before the summary


def test_a_date_that_quotes_state_names_their_footnote_numbers():
    event = cited(TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE)

    text = slide_text(event)

    assert text.startswith(
        '<p class="timeline-date-evidence">Date stated in [2], [3]</p><p>They met.</p>'
        '<ol class="timeline-citations">'
    )
    # [n] is the nth item of the citations list.
    quotes = lxml.html.fragment_fromstring(text, create_parent="div").xpath("//ol/li/q/text()")
    assert quotes == [TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE]
    # A day the quote gives states the month it falls in; the editors' note is not needed.
    month = cited(TARIFF_QUOTE, THURSDAY_QUOTE, date="2025-10", date_note=NOTE)
    assert slide_text(month).startswith(
        '<p class="timeline-date-evidence">Date stated in [2]</p><p>They met.</p>'
    )


def test_an_inferred_date_shows_the_editors_note_escaped_after_the_status():
    event = cited(TARIFF_QUOTE, status="postponed", date_note=NOTE)

    text = slide_text(event)

    assert text.startswith(
        '<p class="timeline-status" data-status="postponed"><strong>Postponed:</strong> '
        "it did not happen on the date planned.</p>"
        f'<p class="timeline-date-evidence">Date inferred: {NOTE_HTML}</p><p>They met.</p>'
    )
    (shown,) = lxml.html.fragment_fromstring(text, create_parent="div").find_class(
        "timeline-date-evidence"
    )
    assert shown.text_content() == f"Date inferred: {NOTE}"
    assert "<b>" not in text
    # The spreadsheet's Text is the slide's.
    assert event_to_row(event)["Text"] == text


def test_a_date_no_quote_states_is_flagged():
    for event in [
        cited(TARIFF_QUOTE),
        # “Thursday” was the 30th, not the 29th.
        cited(THURSDAY_QUOTE, date="2025-10-29"),
        # A month does not state a day in it.
        cited(MONTH_QUOTE),
        # Without the article's date, “Thursday” is no day at all.
        cited(THURSDAY_QUOTE, published_on=None),
    ]:
        assert slide_text(event).startswith(f"{UNSUPPORTED_HTML}<p>They met.</p>"), event.date


# Escaping


def test_titles_summaries_and_quotes_are_escaped_html():
    source = SourceFactory(title='<b>"Wire"</b>', publisher="<i>Pub</i>", url="", text=HOSTILE)
    event = EventFactory(title=HOSTILE, summary=HOSTILE)
    CitationFactory(event=event, source=source, quote=HOSTILE, locator='<p "3">')
    made = event_to_slide(Event.objects.with_citations().get(pk=event.pk))

    assert made["text"]["headline"] == HOSTILE_HTML
    assert made["text"]["text"] == (
        f"{UNSUPPORTED_HTML}<p>{HOSTILE_HTML}</p>"
        f'<ol class="timeline-citations"><li><q>{HOSTILE_HTML}</q> — '
        "<cite>&lt;b&gt;&quot;Wire&quot;&lt;/b&gt;</cite>, &lt;i&gt;Pub&lt;/i&gt; "
        "(&lt;p &quot;3&quot;&gt;)</li></ol>"
    )
    assert "<script>" not in str(made)


def test_a_source_url_is_escaped_in_its_attribute_and_only_http_is_linked():
    linked = SourceFactory(title="A", url='https://example.org/?a=1&b="2"')
    scripted = SourceFactory(title="B", url="javascript:alert(1)")
    event = EventFactory()
    CitationFactory(event=event, source=linked, quote="first")
    CitationFactory(event=event, source=scripted, quote="second")
    text = event_to_slide(Event.objects.with_citations().get(pk=event.pk))["text"]["text"]

    assert '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;"><cite>A</cite></a>' in text
    assert "javascript:" not in text
    assert "<cite>B</cite>" in text


def test_display_date_and_group_are_escaped_twice_for_timelinejs():
    # TimelineJS strips their markup (decoding once), then inserts them as HTML.
    made = slide(display_date='Q&A <img src=x onerror="alert(1)">', tags=[TagFactory(name="R&D")])

    assert made["display_date"] == (
        "Q&amp;amp;A &amp;lt;img src=x onerror=&amp;quot;alert(1)&amp;quot;&amp;gt;"
    )
    assert made["group"] == "R&amp;amp;D"


def test_the_permalink_address_is_escaped():
    made = slide(link=lambda event: 'https://example.org/?q="x"&y=<z>')

    assert 'href="https://example.org/?q=&quot;x&quot;&amp;y=&lt;z&gt;"' in made["text"]["text"]


# The document


def test_the_document_has_a_title_slide_and_the_events_in_the_order_given():
    first, second = EventFactory(date="2025-01"), EventFactory(date="2025-02")
    timeline = TimelineFactory(title=HOSTILE, description="One.\n\nTwo & three.")

    document = timeline_to_timelinejs(timeline, [second, first])

    assert document["title"] == {
        "text": {"headline": HOSTILE_HTML, "text": "<p>One.</p><p>Two &amp; three.</p>"}
    }
    assert [made["unique_id"] for made in document["events"]] == [second.slug, first.slug]
    assert set(document) == {"title", "events"}


def test_the_seeded_timeline_has_one_slide_per_published_event_in_date_order(seeded):
    timeline = Timeline.objects.published().with_events().get(slug=seed_data.TIMELINE["slug"])
    published = list(
        Event.objects.published().filter(timelines=timeline).chronological().with_citations()
    )

    document = timeline_to_timelinejs(timeline, timeline.listed_events)

    assert len(document["events"]) == len(published) == len(seed_data.EVENTS)
    assert [made["unique_id"] for made in document["events"]] == [e.slug for e in published]
    assert [made["text"]["headline"] for made in document["events"]] == [e.title for e in published]
    assert all(made["text"]["text"].count("<li>") >= 1 for made in document["events"])
    by_slug = {made["unique_id"]: made for made in document["events"]}
    assert by_slug["trump-asia-tour-2025"]["end_date"] == {"year": 2025, "month": 10, "day": 30}
    assert by_slug["trump-visit-china-april-2026"]["text"]["text"].startswith(
        '<p class="timeline-status" data-status="scheduled">'
    )
    assert by_slug["busan-fentanyl-tariff-cut"]["group"] == "Fentanyl"


# Spreadsheet rows


def test_rows_are_a_title_row_then_one_row_per_event_in_the_templates_columns():
    event = EventFactory(
        title="Talks",
        date="2025-10-25/2025-10-26",
        display_date="25–26 October",
        tags=[TagFactory(name="Trade talks")],
        summary="Met.",
    )
    timeline = TimelineFactory(title="Trade", description="About trade.")

    rows = timeline_to_rows(timeline, [Event.objects.with_citations().get(pk=event.pk)])

    assert [list(row) for row in rows] == [list(COLUMNS)] * 2
    assert rows[0] == dict.fromkeys(COLUMNS, "") | {
        "Headline": "Trade",
        "Text": "<p>About trade.</p>",
        "Type": "title",
    }
    assert rows[1] == dict.fromkeys(COLUMNS, "") | {
        "Year": "2025",
        "Month": "10",
        "Day": "25",
        "End Year": "2025",
        "End Month": "10",
        "End Day": "26",
        "Display Date": "25–26 October",
        "Headline": "Talks",
        "Text": f"{UNSUPPORTED_HTML}<p>Met.</p>",
        "Group": "Trade talks",
        "Unique ID": event.slug,
    }


def test_a_month_row_leaves_the_day_and_the_end_empty():
    row = event_to_row(EventFactory(date="2025-03"))

    assert (row["Year"], row["Month"], row["Day"], row["End Year"]) == ("2025", "3", "", "")


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused_and_reads_back():
    event = EventFactory(
        title='=HYPERLINK("https://evil.example","x")',
        display_date="-1 day",
        tags=[TagFactory(name="@home")],
    )
    row = event_to_row(event)

    assert row["Headline"].startswith("&#61;HYPERLINK(")
    assert row["Display Date"] == "&#45;1 day"
    assert row["Group"] == "&#64;home"
    back = row_to_event(SheetRow(2, row))
    assert (back.title, back.display_date, back.group) == (event.title, "-1 day", "@home")

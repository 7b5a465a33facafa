"""A timeline as the JSON document of Knight Lab's TimelineJS3, from prefetched events.

TimelineJS inserts a slide's headline and text as HTML (after DOMPurify), so
titles, summaries and quotes are escaped once. ``display_date`` and ``group``
it first strips of markup, which decodes entities, then inserts as HTML: those
are escaped twice, so that “Q&A <b>” reaches the reader as typed and no markup
an editor types can run.
"""

import datetime
import re
from collections.abc import Callable, Iterable

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from timeline import evidence
from timeline.claims import disputes
from timeline.dates import parse_event_date
from timeline.formats.calendars import month_span

# The classes an export marks its own parts of a slide's text with, so that
# an import can tell them from the summary.
STATUS_CLASS = "timeline-status"
PART_OF_CLASS = "timeline-part-of"
EVIDENCE_CLASS = "timeline-date-evidence"
CLAIMS_CLASS = "timeline-claims"
CITATIONS_CLASS = "timeline-citations"
PERMALINK_CLASS = "timeline-permalink"

# What each status that is not "occurred" tells a reader.
STATUS_NOTES = {
    "scheduled": ("Scheduled", "announced; it has not happened yet."),
    "postponed": ("Postponed", "it did not happen on the date planned."),
    "cancelled": ("Cancelled", "it did not take place."),
    "rescheduled": ("Rescheduled", "moved from the date first announced."),
}

# EDTF season codes: 21-24 seasons, 25-32 the same by hemisphere, 33-36
# quarters, 40-41 halves; quadrimesters (37-39) are named by their months.
_SEASONS = [
    f"{season} {{year}}{hemisphere}"
    for hemisphere in ("", " (Northern Hemisphere)", " (Southern Hemisphere)")
    for season in ("Spring", "Summer", "Autumn", "Winter")
]
_QUARTERS = [f"{nth} quarter of {{year}}" for nth in ("First", "Second", "Third", "Fourth")]
SEASON_NAMES = dict(enumerate(_SEASONS + _QUARTERS, start=21)) | {
    40: "First half of {year}",
    41: "Second half of {year}",
}
_SEASON = re.compile(r"(\d{4})-(\d{2})")


def primary_tag(event):
    """The tag that stands for the event: the one whose name sorts first, or None."""
    return min(event.tags.all(), key=lambda tag: (tag.name.casefold(), tag.slug), default=None)


def timeline_to_timelinejs(
    timeline, events: Iterable, *, link: Callable[[object], str] | None = None
) -> dict:
    """The document of a timeline and the events given, in their order; each slide's text
    ends with a link to ``link(event)``, when given: the event's own page."""
    return {
        "title": title_slide(timeline),
        "events": [event_to_slide(event, link=link) for event in events],
    }


def title_slide(timeline) -> dict:
    return {"text": {"headline": escape(timeline.title), "text": _paragraphs(timeline.description)}}


def event_to_slide(event, *, link: Callable[[object], str] | None = None) -> dict:
    """One event as a TimelineJS slide; its ``unique_id`` (the slug) bookmarks it."""
    start, end = _slide_dates(event)
    slide: dict = {"unique_id": event.slug, "start_date": start}
    if end is not None:
        slide["end_date"] = end
    if display_date := event.display_date or _season_label(event):
        slide["display_date"] = escape(escape(display_date))
    slide["text"] = {"headline": escape(event.title), "text": _event_text(event, link=link)}
    if (tag := primary_tag(event)) is not None:
        slide["group"] = escape(escape(tag.name))
    return slide


def _date_fields(day: datetime.date, precision: str) -> dict:
    fields = {"year": day.year}
    if precision != "year":
        fields["month"] = day.month
    if precision == "day":
        fields["day"] = day.day
    return fields


def _slide_dates(event) -> tuple[dict, dict | None]:
    """The slide's start_date and end_date (None when it ends where it starts)."""
    parsed = parse_event_date(event.date)
    # Each end of a range keeps its own precision (2025-10-25/2025-11); a
    # season is shown by the months it spans.
    lower, _, upper = event.date.strip().partition("/")
    start, end = (
        _date_fields(day, "month" if precision == "season" else precision)
        for day, precision in [
            (parsed.start, parse_event_date(lower).precision),
            (parsed.end, parse_event_date(upper or lower).precision),
        ]
    )
    return start, (None if end == start else end)


def _season_label(event) -> str:
    """The name of a season-precision date ("Spring 2025") or its months, else ""."""
    parsed = parse_event_date(event.date)
    if parsed.precision != "season":
        return ""
    match = _SEASON.fullmatch(event.date.strip())
    if match and int(match.group(2)) in SEASON_NAMES:
        return SEASON_NAMES[int(match.group(2))].format(year=match.group(1))
    return month_span(parsed.start, parsed.end)


def _paragraphs(text: str) -> SafeString:
    """Plain text as HTML paragraphs: blank lines part paragraphs, newlines break lines."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    lines = (paragraph.strip().split("\n") for paragraph in paragraphs if paragraph.strip())
    return format_html_join(
        "",
        "<p>{}</p>",
        ((format_html_join(mark_safe("<br>"), "{}", ((line,) for line in p)),) for p in lines),
    )


def _citation_html(citation) -> SafeString:
    source = citation.source
    name = format_html("<cite>{}</cite>", source.title)
    if (source.url or "").lower().startswith(("http://", "https://")):
        name = format_html('<a href="{}">{}</a>', source.url, name)
    day = source.published_on
    published = day and f"{day.day} {day:%B %Y}"
    credit = (name, source.publisher, published)
    locator = format_html(" ({})", citation.locator) if citation.locator else ""
    return format_html(
        "<q>{}</q>{} — {}{}",
        citation.quote,
        evidence.quote_caveat(citation),
        format_html_join(", ", "{}", ((part,) for part in credit if part)),
        locator,
    )


def _event_text(event, *, link: Callable[[object], str] | None) -> SafeString:
    """A status line if the event did not simply happen, where its date comes from, the
    event it is part of, the summary, the claims, the citations (numbered as the claims
    number them) and a link to the event's page."""
    parts = []
    if event.status in STATUS_NOTES:
        status = '<p class="{}" data-status="{}"><strong>{}:</strong> {}</p>'
        parts.append(format_html(status, STATUS_CLASS, event.status, *STATUS_NOTES[event.status]))
    parts.append(format_html('<p class="{}">{}</p>', EVIDENCE_CLASS, evidence.line(event)))
    if (super_event := event.published_super_event) is not None:
        title = super_event.title
        if link is not None:
            title = format_html('<a href="{}">{}</a>', link(super_event), title)
        parts.append(format_html('<p class="{}">Part of: {}</p>', PART_OF_CLASS, title))
    parts.append(_paragraphs(event.summary))
    if claims := disputes.event_views(event):
        claims_html = format_html_join("", "{}", ((disputes.view_html(v),) for v in claims))
        parts.append(format_html('<div class="{}">{}</div>', CLAIMS_CLASS, claims_html))
    if citations := list(event.citations.all()):
        items = format_html_join("", "<li>{}</li>", ((_citation_html(c),) for c in citations))
        parts.append(format_html('<ol class="{}">{}</ol>', CITATIONS_CLASS, items))
    if link is not None:
        permalink = '<p class="{}"><a href="{}">The event’s page, with all its sources</a></p>'
        parts.append(format_html(permalink, PERMALINK_CLASS, link(event)))
    return format_html_join("", "{}", ((part,) for part in parts))

"""A timeline for Knight Lab's TimelineJS3: its JSON document and its spreadsheet.

Pure functions: they read model instances that the caller has loaded (events
with their tags and citations prefetched) and never touch the database or a
request.

TimelineJS shows each event as a slide. Its date fields follow the event's
EDTF precision: a day gives year, month and day; a month gives year and
month; a year only the year; a season gives the months it spans, with the
season's name as the display date unless the editor set one. Each end of an
EDTF range keeps its own precision, and a slide has an ``end_date`` only when
its end differs from its start at that precision.

HTML: TimelineJS inserts a slide's headline and text as HTML (after DOMPurify),
so titles, summaries and quotes are escaped once. It treats ``display_date``
and ``group`` differently: it strips their markup, which decodes entities,
and then inserts the result as HTML. Those two plain-text fields are
therefore escaped twice, so that “Q&A <b>” reaches the reader as typed and no
markup an editor types can run. The spreadsheet holds the same values, since
TimelineJS reads a sheet's cells into the same fields.

A slide's group is the event's *primary tag*: of its tags, the one whose
name sorts first (case-insensitively, then by slug). Its ``unique_id`` is the
event's slug, so ``#event-<slug>`` bookmarks a slide.

An event that is scheduled, postponed, cancelled or rescheduled says so in a
first paragraph of its text, so that readers do not take an announced event
for one that happened.

After the summary, the event's claims (``timeline.disputes``): each property
with its value, or, where sources differ, "sources differ:" and every value,
each with the numbers [n] of the citations list that follows.

The spreadsheet is TimelineJS's Google Sheets template (``COLUMNS``). Reading
one back (``parse_csv``) turns each row into validated event data:

- Year, Month, Day and End Year, End Month, End Day become an EDTF date
  ("2025", "2025-03", "2025-10-25/2025-10-26"); BCE years, year 0 and bad
  numbers are refused.
- Headline is the title, Display Date the display date, Text the summary as
  plain text: paragraphs are kept, markup is dropped, and the claims,
  citations list and status line that an export writes are recognised and
  left out of the summary (claims and citations are *not* re-imported: they
  need a source's archived text). The status line sets the status.
- Group names the event's tag; the row of Type "title" holds the timeline's
  title and description; rows of Type "era" are skipped, since this service
  has no eras.
- Time, End Time, Media, Media Credit, Media Caption, Media Thumbnail, Alt
  Text and Background have no field here: they are read, counted and
  reported, never stored.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO

import lxml.html
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from sources.ingest import html_to_text
from timeline import disputes
from timeline.dates import InvalidEventDate, parse_event_date

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "UNSTORED_COLUMNS",
    "SheetError",
    "SheetEvent",
    "SheetImport",
    "SheetRow",
    "event_to_row",
    "event_to_slide",
    "parse_csv",
    "primary_tag",
    "read_csv",
    "row_to_event",
    "rows_to_events",
    "timeline_to_rows",
    "timeline_to_timelinejs",
    "title_row",
    "write_csv",
]

COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)
"""The columns of TimelineJS's spreadsheet template, in its order."""

REQUIRED_COLUMNS = ("Year", "Headline")

UNSTORED_COLUMNS = (
    "Time",
    "End Time",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Alt Text",
    "Background",
)
"""Columns TimelineJS reads (Alt Text too, in recent versions) that no field here holds."""

_KNOWN_COLUMNS = (*COLUMNS, "Alt Text")

# The classes an export marks its own parts of a slide's text with, so that
# an import can tell them from the summary.
STATUS_CLASS = "timeline-status"
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

# EDTF season codes (21 to 41) and their names; quadrimesters are named by their months.
SEASON_NAMES = {
    21: "Spring {year}",
    22: "Summer {year}",
    23: "Autumn {year}",
    24: "Winter {year}",
    25: "Spring {year} (Northern Hemisphere)",
    26: "Summer {year} (Northern Hemisphere)",
    27: "Autumn {year} (Northern Hemisphere)",
    28: "Winter {year} (Northern Hemisphere)",
    29: "Spring {year} (Southern Hemisphere)",
    30: "Summer {year} (Southern Hemisphere)",
    31: "Autumn {year} (Southern Hemisphere)",
    32: "Winter {year} (Southern Hemisphere)",
    33: "First quarter of {year}",
    34: "Second quarter of {year}",
    35: "Third quarter of {year}",
    36: "Fourth quarter of {year}",
    40: "First half of {year}",
    41: "Second half of {year}",
}
_SEASON = re.compile(r"(\d{4})-(\d{2})")
_INTEGER = re.compile(r"[+-]?\d+")
# Spreadsheets run a cell that starts with one of these as a formula (OWASP's
# list: tab and carriage return too, which some skip before an "=").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# TimelineJS JSON


def primary_tag(event):
    """The tag that stands for the event: the one whose name sorts first, or None."""
    tags = list(event.tags.all())
    return min(tags, key=lambda tag: (tag.name.casefold(), tag.slug)) if tags else None


def timeline_to_timelinejs(
    timeline, events: Iterable, *, link: Callable[[object], str] | None = None
) -> dict:
    """The TimelineJS3 JSON document of a timeline and the events given, in their order.

    ``link(event)``, when given, is the address of the event's own page; each
    slide's text ends with a link to it.
    """
    return {
        "title": _title_slide(timeline),
        "events": [event_to_slide(event, link=link) for event in events],
    }


def _title_slide(timeline) -> dict:
    return {"text": {"headline": escape(timeline.title), "text": _paragraphs(timeline.description)}}


def event_to_slide(event, *, link: Callable[[object], str] | None = None) -> dict:
    """One event as a TimelineJS slide."""
    start, end = _slide_dates(event)
    slide: dict = {"unique_id": event.slug, "start_date": start}
    if end is not None:
        slide["end_date"] = end
    display_date = event.display_date or _season_label(event)
    if display_date:
        slide["display_date"] = _plain_text(display_date)
    slide["text"] = {"headline": escape(event.title), "text": _event_text(event, link=link)}
    tag = primary_tag(event)
    if tag is not None:
        slide["group"] = _plain_text(tag.name)
    return slide


def _plain_text(value: str) -> SafeString:
    """A plain-text value for the fields TimelineJS strips of markup, then inserts as HTML."""
    return escape(str(escape(value)))


def _date_fields(day: datetime.date, precision: str) -> dict:
    fields = {"year": day.year}
    if precision != "year":
        fields["month"] = day.month
    if precision == "day":
        fields["day"] = day.day
    return fields


def _slide_dates(event) -> tuple[dict, dict | None]:
    """The slide's start_date and end_date (None for a single day, month or year)."""
    parsed = parse_event_date(event.date)
    lower, separator, upper = event.date.strip().partition("/")
    if separator:
        # Each end of a range keeps its own precision: 2025-10-25/2025-11.
        start_precision = parse_event_date(lower).precision
        end_precision = parse_event_date(upper).precision
    else:
        start_precision = end_precision = parsed.precision
    # A season is shown by the months it spans.
    start_precision, end_precision = (
        "month" if precision == "season" else precision
        for precision in (start_precision, end_precision)
    )
    start = _date_fields(parsed.start, start_precision)
    end = _date_fields(parsed.end, end_precision)
    return start, (None if end == start else end)


def _month_span(start: datetime.date, end: datetime.date) -> str:
    first, last = calendar.month_name[start.month], calendar.month_name[end.month]
    if (start.year, start.month) == (end.year, end.month):
        return f"{first} {start.year}"
    if start.year == end.year:
        return f"{first}–{last} {start.year}"
    return f"{first} {start.year} – {last} {end.year}"


def _season_label(event) -> str:
    """The name of a season-precision date ("Spring 2025"), else ""."""
    parsed = parse_event_date(event.date)
    if parsed.precision != "season":
        return ""
    match = _SEASON.fullmatch(event.date.strip())
    if match and int(match.group(2)) in SEASON_NAMES:
        return SEASON_NAMES[int(match.group(2))].format(year=match.group(1))
    return _month_span(parsed.start, parsed.end)


def _paragraphs(text: str) -> SafeString:
    """Plain text as HTML paragraphs: blank lines part paragraphs, newlines break lines."""
    paragraphs = [
        paragraph.strip()
        for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
        if paragraph.strip()
    ]
    return format_html_join(
        "",
        "<p>{}</p>",
        (
            (format_html_join(mark_safe("<br>"), "{}", ((line,) for line in p.split("\n"))),)
            for p in paragraphs
        ),
    )


def _source_html(source) -> SafeString:
    url = source.url or ""
    if url.lower().startswith(("http://", "https://")):
        name = format_html('<a href="{}"><cite>{}</cite></a>', url, source.title)
    else:
        name = format_html("<cite>{}</cite>", source.title)
    details = [value for value in (source.publisher,) if value]
    if source.published_on:
        details.append(f"{source.published_on.day} {source.published_on:%B %Y}")
    if details:
        return format_html("{}, {}", name, ", ".join(details))
    return name


def _citation_html(citation) -> SafeString:
    locator = format_html(" ({})", citation.locator) if citation.locator else ""
    return format_html("<q>{}</q> — {}{}", citation.quote, _source_html(citation.source), locator)


def _event_text(event, *, link: Callable[[object], str] | None) -> SafeString:
    parts = []
    if event.status in STATUS_NOTES:
        label, explanation = STATUS_NOTES[event.status]
        parts.append(
            format_html(
                '<p class="{}" data-status="{}"><strong>{}:</strong> {}</p>',
                STATUS_CLASS,
                event.status,
                label,
                explanation,
            )
        )
    parts.append(_paragraphs(event.summary))
    if claims := disputes.event_views(event):
        parts.append(
            format_html(
                '<div class="{}">{}</div>',
                CLAIMS_CLASS,
                format_html_join("", "{}", ((disputes.view_html(view),) for view in claims)),
            )
        )
    citations = list(event.citations.all())
    if citations:
        parts.append(
            format_html(
                '<ol class="{}">{}</ol>',
                CITATIONS_CLASS,
                format_html_join("", "<li>{}</li>", ((_citation_html(c),) for c in citations)),
            )
        )
    if link is not None:
        parts.append(
            format_html(
                '<p class="{}"><a href="{}">The event’s page, with all its sources</a></p>',
                PERMALINK_CLASS,
                link(event),
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


# The spreadsheet, out


def _defuse(value: str) -> str:
    """Keep an HTML cell from running as a spreadsheet formula; TimelineJS reads it unchanged.

    The first character is written as an HTML entity (``=`` → ``&#61;``),
    which the cell's HTML decodes back.
    """
    if value.startswith(_FORMULA_STARTS):
        return f"&#{ord(value[0])};{value[1:]}"
    return value


def _blank_row() -> dict[str, str]:
    return dict.fromkeys(COLUMNS, "")


def title_row(timeline) -> dict[str, str]:
    """The spreadsheet row (Type "title") that holds the timeline's title and description."""
    slide = _title_slide(timeline)
    return _blank_row() | {
        "Headline": _defuse(slide["text"]["headline"]),
        "Text": _defuse(slide["text"]["text"]),
        "Type": "title",
    }


def event_to_row(event) -> dict[str, str]:
    """One event as a spreadsheet row, holding what its slide holds."""
    slide = event_to_slide(event)
    row = _blank_row()
    for prefix, key in (("", "start_date"), ("End ", "end_date")):
        for part in ("year", "month", "day"):
            value = slide.get(key, {}).get(part)
            row[f"{prefix}{part.title()}"] = "" if value is None else str(value)
    row["Display Date"] = _defuse(slide.get("display_date", ""))
    row["Headline"] = _defuse(slide["text"]["headline"])
    row["Text"] = _defuse(slide["text"]["text"])
    row["Group"] = _defuse(slide.get("group", ""))
    return row


def timeline_to_rows(timeline, events: Iterable) -> list[dict[str, str]]:
    """The spreadsheet: a title row, then one row per event in the order given."""
    return [title_row(timeline), *(event_to_row(event) for event in events)]


def write_csv(rows: Iterable[dict[str, str]], file: IO[str]) -> None:
    """Write rows as CSV with the template's header (UTF-8 without BOM: TimelineJS
    reads a BOM as part of the first column's name)."""
    writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


# The spreadsheet, in


class SheetError(ValueError):
    """A spreadsheet row that cannot be imported; names its line and column."""

    def __init__(self, line: int, column: str, message: str):
        self.line, self.column, self.message = line, column, message
        where = f"line {line}, column {column}" if column else f"line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SheetRow:
    """A row of the sheet: its physical line in the file (header = 1) and its cells."""

    line: int
    cells: dict[str, str]


@dataclass(frozen=True)
class SheetEvent:
    """An event row, validated: the Event field values it sets."""

    line: int
    title: str
    date: str
    display_date: str = ""
    summary: str = ""
    status: str = "occurred"
    group: str = ""
    # The Text held an export's list of citations, which is not imported.
    cited: bool = False


@dataclass
class SheetImport:
    """What a sheet holds, and what of it could not be kept."""

    title: str | None = None
    description: str | None = None
    title_line: int | None = None
    events: list[SheetEvent] = field(default_factory=list)
    era_lines: list[int] = field(default_factory=list)
    unstored: Counter[str] = field(default_factory=Counter)
    unknown_columns: list[str] = field(default_factory=list)


def read_csv(file: IO[str]) -> tuple[list[SheetRow], list[str]]:
    """The rows of a TimelineJS sheet as CSV, and the header's unknown columns.

    Column names are matched ignoring case and surrounding spaces; Year and
    Headline must be there, other template columns may be left out.
    """
    reader = csv.reader(file)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise SheetError(reader.line_num, "", f"not readable as CSV ({exc}).") from None
    if not header:
        raise SheetError(1, "", "the file is empty: the first line must name the columns.")
    header[0] = header[0].removeprefix("\ufeff")
    canonical = {name.casefold(): name for name in _KNOWN_COLUMNS}
    positions: dict[str, int] = {}
    unknown = []
    for index, raw in enumerate(header):
        name = canonical.get(raw.strip().casefold())
        if name is None:
            if raw.strip():
                unknown.append(raw.strip())
        elif name in positions:
            raise SheetError(1, name, "the header names this column twice.")
        else:
            positions[name] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise SheetError(1, "", f"the header lacks the required column(s) {', '.join(missing)}.")
    rows = []
    last_line = reader.line_num
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
                raise SheetError(line, "", "this row has more cells than the header has columns.")
            cells = {
                name: record[index].strip() if index < len(record) else ""
                for name, index in positions.items()
            }
            rows.append(SheetRow(line, cells))
    except csv.Error as exc:
        raise SheetError(reader.line_num, "", f"not readable as CSV ({exc}).") from None
    return rows, unknown


def _html_to_plain(value: str) -> str:
    return html_to_text(value) if value.strip() else ""


def _text_cell(value: str) -> tuple[str, str, bool]:
    """The summary, the status, and whether an export's citations list was left out.

    An export's claims are left out as well: like citations, they are not imported.
    """
    if not value.strip():
        return "", "occurred", False
    tree = lxml.html.fragment_fromstring(value, create_parent="div")
    status, cited = "occurred", False
    for marker in (STATUS_CLASS, CLAIMS_CLASS, CITATIONS_CLASS, PERMALINK_CLASS):
        path = f'.//*[contains(concat(" ", normalize-space(@class), " "), " {marker} ")]'
        for element in tree.xpath(path):
            if marker == STATUS_CLASS and element.get("data-status") in STATUS_NOTES:
                status = element.get("data-status")
            cited = cited or marker == CITATIONS_CLASS
            element.drop_tree()
    return _html_to_plain(lxml.html.tostring(tree, encoding="unicode")), status, cited


def _number(row: SheetRow, column: str, low: int, high: int, what: str) -> int | None:
    value = row.cells.get(column, "")
    if not value:
        return None
    cleaned = re.sub(r"[\s,]", "", value)  # "2,025" and "2 025", as TimelineJS reads them
    if not _INTEGER.fullmatch(cleaned):
        raise SheetError(row.line, column, f"“{value}” is not a whole number.")
    number = int(cleaned)
    if column.endswith("Year") and number < 1:
        raise SheetError(
            row.line, column, f"year {value} cannot be stored: years before 1 CE are not supported."
        )
    if not low <= number <= high:
        raise SheetError(row.line, column, f"{what} must be between {low} and {high}, not {value}.")
    return number


def _edtf_end(row: SheetRow, prefix: str) -> tuple[str, str]:
    """The EDTF form of one end ("2025-03") and the column to blame for a bad date."""
    year = _number(row, f"{prefix}Year", 1, 9999, "the year")
    month = _number(row, f"{prefix}Month", 1, 12, "the month")
    day = _number(row, f"{prefix}Day", 1, 31, "the day")
    if year is None:
        given = [name for name in ("Month", "Day") if row.cells.get(f"{prefix}{name}")]
        if prefix and given:
            raise SheetError(row.line, "End Year", f"End {given[0]} needs an End Year.")
        return "", ""
    if day is not None and month is None:
        raise SheetError(row.line, f"{prefix}Month", f"{prefix}Day needs a {prefix}Month.")
    text, blame = f"{year:04d}", f"{prefix}Year"
    if month is not None:
        text, blame = f"{text}-{month:02d}", f"{prefix}Month"
    if day is not None:
        text, blame = f"{text}-{day:02d}", f"{prefix}Day"
        if day > calendar.monthrange(year, month)[1]:
            raise SheetError(row.line, blame, f"“{text}” is not a real day.")
    try:
        parse_event_date(text)
    except InvalidEventDate as exc:
        raise SheetError(row.line, blame, str(exc)) from None
    return text, blame


def row_to_event(row: SheetRow) -> SheetEvent:
    """An event row as the Event values it sets; raises SheetError naming line and column."""
    title = _html_to_plain(row.cells.get("Headline", ""))
    if not title:
        raise SheetError(row.line, "Headline", "every event needs a headline.")
    start, _ = _edtf_end(row, "")
    if not start:
        raise SheetError(row.line, "Year", "every event needs a year.")
    end, _ = _edtf_end(row, "End ")
    date = start if not end or end == start else f"{start}/{end}"
    try:
        parse_event_date(date)
    except InvalidEventDate as exc:
        raise SheetError(row.line, "End Year", str(exc)) from None
    summary, status, cited = _text_cell(row.cells.get("Text", ""))
    return SheetEvent(
        line=row.line,
        title=title,
        date=date,
        # Plain-text fields are decoded twice, as TimelineJS does (see the module's notes).
        display_date=_html_to_plain(_html_to_plain(row.cells.get("Display Date", ""))),
        summary=summary,
        status=status,
        group=_html_to_plain(_html_to_plain(row.cells.get("Group", ""))),
        cited=cited,
    )


def rows_to_events(rows: Iterable[SheetRow]) -> SheetImport:
    """Validate a sheet's rows: the title row, the events, and what cannot be kept."""
    sheet = SheetImport()
    for row in rows:
        if not any(row.cells.values()):
            continue
        kind = row.cells.get("Type", "").strip().casefold()
        if kind == "era":
            sheet.era_lines.append(row.line)
            continue
        sheet.unstored.update(name for name in UNSTORED_COLUMNS if row.cells.get(name))
        if kind == "title":
            if sheet.title_line is not None:
                raise SheetError(
                    row.line,
                    "Type",
                    f"a second title row (the first is on line {sheet.title_line}).",
                )
            sheet.title_line = row.line
            sheet.title = _html_to_plain(row.cells.get("Headline", ""))
            sheet.description = _text_cell(row.cells.get("Text", ""))[0]
            continue
        sheet.events.append(row_to_event(row))
    return sheet


def parse_csv(file: IO[str]) -> SheetImport:
    """Read and validate a TimelineJS sheet saved as CSV (a text stream, newline="")."""
    rows, unknown = read_csv(file)
    sheet = rows_to_events(rows)
    sheet.unknown_columns = unknown
    return sheet

"""A timeline as TimelineJS's Google Sheets template (CSV), and such a sheet read back.

A row holds what its event's slide holds, as TimelineJS reads a sheet's cells
into the same fields; read back, the parts of a slide's text that an export
adds (status line, the event it is part of, claims, citations, link) are left out of
the summary. After the template's columns comes ``Unique ID``, the event's slug:
TimelineJS reads the columns it knows by name and ignores the others, and an
import matches the row to its event by it, whatever else was edited.
"""

import calendar
import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

import lxml.html

from sources.ingest import html_to_text
from timeline.dates import InvalidEventDate, parse_event_date
from timeline.evidence import INFERRED_PREFIX
from timeline.formats.timelinejs import (
    CITATIONS_CLASS,
    CLAIMS_CLASS,
    EVIDENCE_CLASS,
    PART_OF_CLASS,
    PERMALINK_CLASS,
    STATUS_CLASS,
    STATUS_NOTES,
    event_to_slide,
    title_slide,
)

# The header of TimelineJS's spreadsheet template.
TEMPLATE_HEADER = (
    "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,Headline,Text,Media,"
    "Media Credit,Media Caption,Media Thumbnail,Type,Group,Background"
)
# Last, where TimelineJS does not look (it reads a sheet's columns A to R by position).
ID_COLUMN = "Unique ID"
COLUMNS = (*TEMPLATE_HEADER.split(","), ID_COLUMN)
REQUIRED_COLUMNS = ("Year", "Headline")
# Columns TimelineJS reads (Alt Text too, in recent versions) that no field here holds.
_MEDIA_COLUMNS = tuple(column for column in COLUMNS if column.startswith("Media"))
UNSTORED_COLUMNS = ("Time", "End Time", *_MEDIA_COLUMNS, "Alt Text", "Background")
_INTEGER = re.compile(r"[+-]?\d+")
# Spreadsheets run a cell that starts with one of these as a formula (OWASP's
# list: tab and carriage return too, which some skip before an "=").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# Out


def _defuse(value: str) -> str:
    """Keep an HTML cell from running as a formula: its first character as an entity
    (``=`` → ``&#61;``), which TimelineJS decodes back."""
    return f"&#{ord(value[0])};{value[1:]}" if value.startswith(_FORMULA_STARTS) else value


def title_row(timeline) -> dict[str, str]:
    text = title_slide(timeline)["text"]
    return dict.fromkeys(COLUMNS, "") | {
        "Headline": _defuse(text["headline"]),
        "Text": _defuse(text["text"]),
        "Type": "title",
    }


def event_to_row(event) -> dict[str, str]:
    """One event as a row, holding what its slide holds."""
    slide = event_to_slide(event)
    row = dict.fromkeys(COLUMNS, "")
    for prefix, key in (("", "start_date"), ("End ", "end_date")):
        for part, value in slide.get(key, {}).items():
            row[f"{prefix}{part.title()}"] = str(value)
    row["Display Date"] = _defuse(slide.get("display_date", ""))
    row["Headline"] = _defuse(slide["text"]["headline"])
    row["Text"] = _defuse(slide["text"]["text"])
    row["Group"] = _defuse(slide.get("group", ""))
    row[ID_COLUMN] = _defuse(event.slug)
    return row


def timeline_to_rows(timeline, events: Iterable) -> list[dict[str, str]]:
    return [title_row(timeline), *(event_to_row(event) for event in events)]


def write_csv(rows: Iterable[dict[str, str]], file: IO[str]) -> None:
    # No BOM when encoded: TimelineJS reads one as part of the first column's name.
    writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)


def timeline_to_csv(timeline, events: Iterable) -> str:
    content = io.StringIO()
    write_csv(timeline_to_rows(timeline, events), content)
    return content.getvalue()


# In


class SheetError(ValueError):
    """A row that cannot be imported; names its line and column."""

    def __init__(self, line: int, column: str, message: str):
        self.line, self.column, self.message = line, column, message
        where = f"line {line}, column {column}" if column else f"line {line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SheetRow:
    line: int  # its physical line in the file (header = 1)
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
    date_note: str | None = None  # an export's "Date inferred: …" line; None: no such line
    group: str = ""
    cited: bool = False  # the Text held an export's citations, which are not imported
    slug: str = ""  # the Unique ID: the slug of the event an export wrote the row from


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


def _plain(value: str) -> str:
    return html_to_text(value) if value.strip() else ""


def _text_cell(value: str) -> tuple[str, str, str | None, bool]:
    """The summary, the status, the date note (None: the cell has none), and whether an
    export's citations (and claims) were left out."""
    if not value.strip():
        return "", "occurred", None, False
    tree = lxml.html.fragment_fromstring(value, create_parent="div")
    status, note, cited = "occurred", None, False
    markers = (
        STATUS_CLASS,
        EVIDENCE_CLASS,
        PART_OF_CLASS,
        CLAIMS_CLASS,
        CITATIONS_CLASS,
        PERMALINK_CLASS,
    )
    for marker in markers:
        for element in tree.find_class(marker):
            if marker == STATUS_CLASS and element.get("data-status") in STATUS_NOTES:
                status = element.get("data-status")
            if marker == EVIDENCE_CLASS:
                said = element.text_content().strip()
                if said.startswith(INFERRED_PREFIX):
                    note = said.removeprefix(INFERRED_PREFIX).strip()
            cited = cited or marker == CITATIONS_CLASS
            element.drop_tree()
    return _plain(lxml.html.tostring(tree, encoding="unicode")), status, note, cited


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


def _edtf_end(row: SheetRow, prefix: str) -> str:
    """The EDTF form of one end of the date ("2025-03"), or "" when it has no year."""
    year = _number(row, f"{prefix}Year", 1, 9999, "the year")
    month = _number(row, f"{prefix}Month", 1, 12, "the month")
    day = _number(row, f"{prefix}Day", 1, 31, "the day")
    if year is None:
        given = [name for name in ("Month", "Day") if row.cells.get(f"{prefix}{name}")]
        if prefix and given:
            raise SheetError(row.line, "End Year", f"End {given[0]} needs an End Year.")
        return ""
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
    return text


def row_to_event(row: SheetRow) -> SheetEvent:
    """An event row as the Event values it sets; raises SheetError naming line and column."""
    title = _plain(row.cells.get("Headline", ""))
    if not title:
        raise SheetError(row.line, "Headline", "every event needs a headline.")
    start = _edtf_end(row, "")
    if not start:
        raise SheetError(row.line, "Year", "every event needs a year.")
    end = _edtf_end(row, "End ")
    date = start if not end or end == start else f"{start}/{end}"
    try:
        parse_event_date(date)
    except InvalidEventDate as exc:
        raise SheetError(row.line, "End Year", str(exc)) from None
    summary, status, date_note, cited = _text_cell(row.cells.get("Text", ""))
    return SheetEvent(
        line=row.line,
        title=title,
        date=date,
        # Decoded twice, as TimelineJS decodes these plain-text fields (see timelinejs).
        display_date=_plain(_plain(row.cells.get("Display Date", ""))),
        summary=summary,
        status=status,
        date_note=date_note,
        group=_plain(_plain(row.cells.get("Group", ""))),
        cited=cited,
        slug=_plain(row.cells.get(ID_COLUMN, "")),
    )


def rows_to_events(rows: Iterable[SheetRow]) -> SheetImport:
    """Validate a sheet's rows: the title row, the events, and what cannot be kept (eras)."""
    sheet = SheetImport()
    lines_by_id: dict[str, int] = {}
    for row in rows:
        if not any(row.cells.values()):
            continue
        kind = row.cells.get("Type", "").strip().casefold()
        if kind == "era":
            sheet.era_lines.append(row.line)
            continue
        sheet.unstored.update(name for name in UNSTORED_COLUMNS if row.cells.get(name))
        if kind != "title":
            event = row_to_event(row)
            if event.slug and (first := lines_by_id.setdefault(event.slug, row.line)) != row.line:
                message = (
                    f"“{event.slug}” is the id of line {first} too: a copied row keeps its "
                    "source's id, so clear it on the new row."
                )
                raise SheetError(row.line, ID_COLUMN, message)
            sheet.events.append(event)
        elif sheet.title_line is not None:
            message = f"a second title row (the first is on line {sheet.title_line})."
            raise SheetError(row.line, "Type", message)
        else:
            sheet.title_line = row.line
            sheet.title = _plain(row.cells.get("Headline", ""))
            sheet.description = _text_cell(row.cells.get("Text", ""))[0]
    return sheet


def parse_csv(file: IO[str]) -> SheetImport:
    """Read and validate a sheet saved as CSV (a text stream, newline=""): column names
    match ignoring case and surrounding spaces, and only Year and Headline are required."""
    reader = csv.reader(file)
    try:
        header = next(reader, None)
        if not header:
            raise SheetError(1, "", "the file is empty: the first line must name the columns.")
        header[0] = header[0].removeprefix("\ufeff")
        known = {name.casefold(): name for name in (*COLUMNS, "Alt Text")}
        names = [known.get(raw.strip().casefold()) for raw in header]
        if twice := next((n for i, n in enumerate(names) if n and n in names[:i]), None):
            raise SheetError(1, twice, "the header names this column twice.")
        positions = {name: index for index, name in enumerate(names) if name}
        unknown = [name for name in map(str.strip, header) if name and name.casefold() not in known]
        if missing := [name for name in REQUIRED_COLUMNS if name not in positions]:
            message = f"the header lacks the required column(s) {', '.join(missing)}."
            raise SheetError(1, "", message)
        rows = []
        last_line = reader.line_num
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if any(cell.strip() for cell in record[len(header) :]):
                raise SheetError(line, "", "this row has more cells than the header has columns.")
            cells = {
                name: (record[i] if i < len(record) else "").strip()
                for name, i in positions.items()
            }
            rows.append(SheetRow(line, cells))
    except csv.Error as exc:
        raise SheetError(reader.line_num, "", f"not readable as CSV ({exc}).") from None
    sheet = rows_to_events(rows)
    sheet.unknown_columns = unknown
    return sheet

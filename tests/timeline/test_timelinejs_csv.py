"""The TimelineJS spreadsheet in and out: reading rows, and `manage.py import_timelinejs_csv`."""

import csv
import datetime
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.dated import NOTE
from tests.factories import (
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline import seed_data
from timeline.formats.spreadsheet import COLUMNS, SheetError, SheetRow, parse_csv, rows_to_events
from timeline.formats.timelinejs import primary_tag
from timeline.management.commands.import_timelinejs_csv import CHANGE_REASON
from timeline.models import Event, Tag, Timeline

SEEDED = seed_data.TIMELINE["slug"]
COMPARED = ("title", "date", "display_date", "summary", "status", "start", "end", "precision")


def csv_text(*rows: dict, header=COLUMNS) -> str:
    """A sheet as CSV: the header, then each row (missing cells are empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def save(tmp_path: Path, text: str, *, name: str = "sheet.csv", prefix: bytes = b"") -> Path:
    path = tmp_path / name
    path.write_bytes(prefix + text.encode("utf-8"))
    return path


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_timelinejs_csv", str(path), *args, stdout=out)
    return out.getvalue()


def export(slug: str) -> str:
    out = StringIO()
    call_command("export_timelinejs_csv", slug, stdout=out)
    return out.getvalue()


def parse(*rows: dict, header=COLUMNS):
    return parse_csv(io.StringIO(csv_text(*rows, header=header), newline=""))


def event_row(**cells) -> dict:
    return {"Year": "2025", "Headline": "Talks"} | cells


def one_event(**cells):
    (event,) = parse(event_row(**cells)).events
    return event


def values(event: Event) -> dict:
    return {name: getattr(event, name) for name in COMPARED}


# Reading a sheet


def test_year_month_and_day_become_an_edtf_date():
    for cells, date in [
        ({"Year": "2025"}, "2025"),
        ({"Year": "2025", "Month": "3"}, "2025-03"),
        ({"Year": "2025", "Month": "10", "Day": "30"}, "2025-10-30"),
        (
            {"Year": "2025", "Month": "10", "Day": "25", "End Year": "2025", "End Month": "10"}
            | {"End Day": "26"},
            "2025-10-25/2025-10-26",
        ),
        ({"Year": "2025", "Month": "9", "End Year": "2025", "End Month": "10"}, "2025-09/2025-10"),
        ({"Year": "2019", "End Year": "2020"}, "2019/2020"),
        ({"Year": "2025", "Month": "3", "End Year": "2025", "End Month": "3"}, "2025-03"),
        ({"Year": " 2,025 ", "Month": "03"}, "2025-03"),
        ({"Year": "44"}, "0044"),
    ]:
        assert one_event(**cells).date == date, cells


def test_a_malformed_row_names_its_line_and_column():
    for cells, column, message in [
        ({"Year": "-44"}, "Year", "years before 1 CE are not supported"),
        ({"Year": "0"}, "Year", "years before 1 CE are not supported"),
        ({"Year": "20x5"}, "Year", "“20x5” is not a whole number"),
        ({"Year": "2025.5"}, "Year", "not a whole number"),
        ({"Year": "10000"}, "Year", "the year must be between 1 and 9999"),
        ({"Year": ""}, "Year", "every event needs a year"),
        ({"Month": "13"}, "Month", "the month must be between 1 and 12"),
        ({"Month": "2", "Day": "30"}, "Day", "“2025-02-30” is not a real day"),
        ({"Day": "3"}, "Month", "Day needs a Month"),
        ({"End Month": "3"}, "End Year", "End Month needs an End Year"),
        ({"End Year": "-1"}, "End Year", "years before 1 CE"),
        ({"Month": "5", "End Year": "2025", "End Month": "4"}, "End Year", "ends before it"),
        ({"Headline": ""}, "Headline", "every event needs a headline"),
        ({"Headline": "<b></b>"}, "Headline", "every event needs a headline"),
    ]:
        with pytest.raises(SheetError, match=message) as raised:
            parse({"Type": "title", "Headline": "T"}, event_row(**cells))

        assert (raised.value.line, raised.value.column) == (3, column), cells
        assert str(raised.value).startswith(f"line 3, column {column}: "), cells


def test_text_becomes_plain_text_paragraphs_without_scripts():
    event = one_event(
        Text="<p>First &amp; <b>bold</b>.</p><script>alert(1)</script><p>Second<br>line.</p>"
    )

    assert event.summary == "First & bold.\n\nSecond\nline."
    assert event.status == "occurred"
    assert not event.cited


def test_an_exported_citations_list_and_status_line_are_recognised():
    event = one_event(
        Text=(
            '<p class="timeline-status" data-status="cancelled"><strong>Cancelled:</strong> '
            'it did not take place.</p><p>Planned talks.</p><ol class="timeline-citations">'
            "<li><q>A quote</q> — <cite>A source</cite></li></ol>"
        )
    )

    assert (event.summary, event.status, event.cited) == ("Planned talks.", "cancelled", True)


def test_an_exported_date_evidence_line_is_left_out_of_the_summary_and_gives_the_note():
    for line, note in [
        (
            "Date inferred: Worked out from the &lt;b&gt;wire&lt;/b&gt; &amp; the desk.",
            "Worked out from the <b>wire</b> & the desk.",
        ),
        # No note in the sheet: an update leaves the event's note as it is.
        ("Date stated in [1], [3]", None),
        ("Date not stated by any cited source", None),
    ]:
        event = one_event(Text=f'<p class="timeline-date-evidence">{line}</p><p>They met.</p>')

        assert (event.summary, event.date_note) == ("They met.", note), line


def test_headline_display_date_and_group_are_read_as_timelinejs_shows_them():
    event = one_event(
        Headline="Q&amp;A <i>now</i>",
        **{"Display Date": "Late <b>March</b>", "Group": "R&amp;amp;D"},
    )

    assert (event.title, event.display_date, event.group) == ("Q&A now", "Late March", "R&D")


def test_the_title_row_eras_and_unstored_columns():
    sheet = parse(
        {"Type": "title", "Headline": "The truce", "Text": "<p>About it.</p>", "Media": "x.png"},
        {"Type": "era", "Year": "2025", "End Year": "2026", "Headline": "An era"},
        event_row(Time="10:00", Media="https://example.org/a.jpg", Background="#fff"),
        event_row(Headline="Other", **{"Media Caption": "c", "End Time": "11:00"}),
        {},
    )

    assert (sheet.title, sheet.description, sheet.title_line) == ("The truce", "About it.", 2)
    assert [event.title for event in sheet.events] == ["Talks", "Other"]
    assert sheet.era_lines == [3]
    assert sheet.unstored == {
        "Media": 2,
        "Time": 1,
        "Background": 1,
        "Media Caption": 1,
        "End Time": 1,
    }


def test_a_second_title_row_is_refused():
    with pytest.raises(SheetError, match="a second title row") as raised:
        parse({"Type": "title", "Headline": "A"}, {"Type": "Title", "Headline": "B"})

    assert (raised.value.line, raised.value.column) == (3, "Type")


def test_column_names_ignore_case_and_spaces_and_unknown_columns_are_listed():
    header = [" year ", "HEADLINE", "Notes", "Alt Text", ""]
    text = csv_text(
        {" year ": "2025", "HEADLINE": "Talks", "Notes": "n", "Alt Text": "a"}, header=header
    )

    sheet = parse_csv(io.StringIO(text, newline=""))

    assert [(e.title, e.date) for e in sheet.events] == [("Talks", "2025")]
    assert sheet.unknown_columns == ["Notes"]
    assert sheet.unstored == {"Alt Text": 1}


def test_a_header_without_the_required_columns_is_refused():
    for header, missing in [
        (["Month", "Text"], "Year, Headline"),
        (["Year", "Text"], "Headline"),
        ([""], "Year, Headline"),
    ]:
        with pytest.raises(
            SheetError, match=f"lacks the required column\\(s\\) {missing}\\."
        ) as raised:
            parse(header=header)

        assert raised.value.line == 1, header


def test_line_numbers_are_physical_lines_across_cells_with_line_breaks():
    text = csv_text(event_row(Text="one\ntwo\nthree"), event_row(Year="x"))

    with pytest.raises(SheetError) as raised:
        parse_csv(io.StringIO(text, newline=""))

    assert (raised.value.line, raised.value.column) == (5, "Year")


def test_rows_to_events_reads_rows_given_directly():
    sheet = rows_to_events([SheetRow(7, {"Year": "2025", "Month": "3", "Headline": "Talks"})])

    assert [(e.line, e.date) for e in sheet.events] == [(7, "2025-03")]


# The round trip: export, then import


@pytest.fixture
def exported(seeded, tmp_path) -> Path:
    return save(tmp_path, export(SEEDED), name="export.csv")


@pytest.mark.django_db
def test_everything_the_sheet_holds_survives_a_round_trip(exported):
    output = run_import(exported, "--timeline", "copy")

    original = Timeline.objects.get(slug=SEEDED)
    copy = Timeline.objects.get(slug="copy")
    assert (copy.title, copy.description) == (original.title, original.description)
    assert copy.published_at is None
    before = list(original.events.published().chronological().prefetch_related("tags"))
    after = list(copy.events.chronological().prefetch_related("tags"))
    # A sheet has no place for EDTF's "about" and "uncertain" ("2025-04~", "2025-10?"): the
    # display date says it ("About April 2025"), the date comes back without it.
    # Nor for an event's parts and order on its day: same-day events come back by title.
    for event in before:
        event.date = event.date.rstrip("~?%")
    by_title = sorted(before, key=lambda event: (event.start, event.end, event.title))
    assert [values(event) for event in after] == [values(event) for event in by_title]
    assert [primary_tag(event) for event in after] == [primary_tag(event) for event in by_title]
    assert all(len(event.tags.all()) == 1 and event.published_at is None for event in after)
    # Month and year precision, and ranges, are among them.
    assert {"2019", "2025-01", "2025-10-25/2025-10-30", "2026-05/2026-12"} <= {
        event.date for event in after
    }
    assert not {event.slug for event in after} & {event.slug for event in before}
    assert "Events: 16 created, 0 updated, 0 unchanged." in output
    assert (
        "The citations listed in the Text of 16 rows, and the claims they back, were not" in output
    )


@pytest.mark.django_db
def test_a_date_note_survives_a_round_trip_and_stays_out_of_the_summary(tmp_path):
    friday = SourceFactory(
        text="The leaders met on Thursday in Busan.", published_on=datetime.date(2025, 10, 31)
    )
    inferred = EventFactory(
        slug="busan", title="Busan", summary="They met.\n\nFor 100 minutes.", date_note=NOTE
    )
    stated = EventFactory(slug="stated", title="Stated", summary="They met.", date="2025-10-30")
    CitationFactory(event=stated, source=friday, quote="The leaders met on Thursday in Busan.")
    unsupported = EventFactory(slug="unsupported", title="Unsupported", summary="They met.")
    TimelineFactory(slug="notes", events=[inferred, stated, unsupported])
    path = save(tmp_path, export("notes"))

    run_import(path, "--timeline", "copy", "--title", "Copy")

    copies = Timeline.objects.get(slug="copy").events.order_by("title")
    assert [(e.title, e.summary, e.date_note) for e in copies] == [
        ("Busan", "They met.\n\nFor 100 minutes.", NOTE),
        ("Stated", "They met.", ""),
        ("Unsupported", "They met.", ""),
    ]
    # Importing it back where it came from changes nothing: the note of a date a
    # quote states, which the sheet does not show, is kept.
    Event.objects.filter(pk=stated.pk).update(date_note=NOTE)
    assert "0 created, 0 updated, 3 unchanged" in run_import(path, "--timeline", "notes")
    assert Event.objects.get(pk=stated.pk).date_note == NOTE


@pytest.mark.django_db
def test_a_reimport_changes_nothing(exported, stored_state):
    run_import(exported, "--timeline", "copy")
    before = stored_state()

    output = run_import(exported, "--timeline", "copy")

    assert stored_state() == before
    assert "timeline copy unchanged." in output
    assert "Events: 0 created, 0 updated, 16 unchanged." in output


@pytest.mark.django_db
def test_importing_the_export_into_its_own_timeline_changes_nothing(exported, stored_state):
    before = stored_state()

    output = run_import(exported, "--timeline", SEEDED)

    assert stored_state() == before
    assert "Events: 0 created, 0 updated, 16 unchanged." in output


@pytest.mark.django_db
def test_a_reimport_keeps_what_the_sheet_cannot_hold(tmp_path):
    tags = [TagFactory(name="Alpha"), TagFactory(name="Beta")]
    kept = EventFactory(slug="spring-talks", title="Spring talks", date="2025-21", tags=tags)
    vague = EventFactory(slug="about-may", title="About May", date="2025-05~")
    TimelineFactory(slug="kept", events=[kept, vague])
    path = save(tmp_path, export("kept"))

    assert "0 created, 0 updated, 2 unchanged" in run_import(path, "--timeline", "kept")
    kept.refresh_from_db()
    assert (kept.date, kept.display_date, set(kept.tags.all())) == ("2025-21", "", set(tags))
    run_import(path, "--timeline", "elsewhere", "--title", "Elsewhere")
    copied = Timeline.objects.get(slug="elsewhere").events.order_by("start")
    # What a new timeline gets instead: the months, the season's name, one tag.
    assert [(e.date, e.display_date) for e in copied] == [
        ("2025-03/2025-05", "Spring 2025"),
        ("2025-05", ""),
    ]


@pytest.mark.django_db
def test_an_edited_cell_updates_only_that_field_with_one_revision(exported):
    run_import(exported, "--timeline", "copy")
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    busan = next(row for row in rows if row["Headline"] == "Trump and Xi meet in Busan")
    busan["Day"] = "31"
    exported.write_text(csv_text(*rows), encoding="utf-8")
    event = Timeline.objects.get(slug="copy").events.get(title="Trump and Xi meet in Busan")
    revisions = event.history.count()

    output = run_import(exported, "--timeline", "copy")

    event.refresh_from_db()
    assert "Events: 0 created, 1 updated, 15 unchanged." in output
    assert (event.date, event.display_date) == ("2025-10-31", "Thursday 30 October 2025")
    assert event.history.count() == revisions + 1
    assert event.history.first().history_change_reason == CHANGE_REASON


@pytest.mark.django_db
def test_a_changed_group_replaces_the_primary_tag_and_keeps_the_others(tmp_path):
    alpha, beta = TagFactory(name="Alpha"), TagFactory(name="Beta")
    event = EventFactory(title="Talks", slug="talks", date="2025", tags=[alpha, beta])
    TimelineFactory(slug="tagged", events=[event])
    path = save(tmp_path, csv_text(event_row(Group="Gamma rays")))

    output = run_import(path, "--timeline", "tagged")

    gamma = Tag.objects.get(slug="gamma-rays")
    assert gamma.name == "Gamma rays"
    assert set(event.tags.all()) == {beta, gamma}
    assert "Tags created: Gamma rays." in output
    assert gamma.history.first().history_change_reason == CHANGE_REASON


@pytest.mark.django_db
def test_a_group_names_an_existing_tag_ignoring_case(tmp_path):
    tag = TagFactory(name="Trade talks", slug="trade-talks")
    path = save(tmp_path, csv_text(event_row(Group="trade TALKS")))

    output = run_import(path, "--timeline", "new", "--title", "New")

    assert list(Event.objects.get(slug="talks").tags.all()) == [tag]
    assert "Tags created" not in output


@pytest.mark.django_db
def test_repeated_headlines_and_taken_slugs_get_numbered_slugs(tmp_path):
    EventFactory(slug="talks")  # in another timeline
    path = save(
        tmp_path, csv_text(event_row(), event_row(Month="2"), event_row(Headline="US–China talks"))
    )

    run_import(path, "--timeline", "new", "--title", "New")
    output = run_import(path, "--timeline", "new")

    slugs = list(Timeline.objects.get(slug="new").events.order_by("pk").values_list("slug", "date"))
    assert slugs == [("talks-2", "2025"), ("talks-3", "2025-02"), ("us-china-talks", "2025")]
    assert "0 created, 0 updated, 3 unchanged" in output


INFERRED_TEXT = (
    '<p class="timeline-date-evidence">Date inferred: The communiqué of the talks is dated '
    "2025.</p><p>They talk.</p>"
)


@pytest.mark.django_db
def test_new_events_are_drafts_and_publish_publishes_the_import(tmp_path):
    path = save(
        tmp_path,
        csv_text({"Type": "title", "Headline": "New"}, event_row(Text=INFERRED_TEXT)),
    )

    assert "New events are drafts" in run_import(path, "--timeline", "new")
    assert Event.objects.get(slug="talks").published_at is None
    output = run_import(path, "--timeline", "new", "--publish")

    assert "0 created, 1 updated, 0 unchanged" in output
    assert Event.objects.get(slug="talks").published_at is not None
    assert Timeline.objects.get(slug="new").published_at is not None


@pytest.mark.django_db
def test_publish_leaves_an_event_whose_date_nothing_backs_a_draft(tmp_path):
    rows = [event_row(), event_row(Headline="Summit", Text=INFERRED_TEXT)]
    path = save(tmp_path, csv_text({"Type": "title", "Headline": "New"}, *rows))

    output = run_import(path, "--timeline", "new", "--publish")

    assert "Left as drafts, as no cited quote states their date" in output
    assert ": talks." in output
    assert Event.objects.get(slug="talks").published_at is None
    summit = Event.objects.get(slug="summit")
    assert summit.published_at is not None
    assert summit.date_note == "The communiqué of the talks is dated 2025."


@pytest.mark.django_db
def test_a_sheet_without_the_inferred_line_keeps_the_note(tmp_path):
    path = save(tmp_path, csv_text(event_row(Text=INFERRED_TEXT)))
    run_import(path, "--timeline", "new", "--title", "New")
    # The editor rewrites the Text cell, dropping the evidence paragraph.
    path = save(tmp_path, csv_text(event_row(Text="<p>They talk at length.</p>")))

    run_import(path, "--timeline", "new")

    event = Event.objects.get(slug="talks")
    assert event.summary == "They talk at length."
    assert event.date_note == "The communiqué of the talks is dated 2025."


@pytest.mark.django_db
def test_the_history_records_one_revision_per_object_with_the_reason(tmp_path):
    path = save(
        tmp_path,
        csv_text(
            {"Type": "title", "Headline": "New"},
            event_row(Group="Trade"),
            event_row(Year="2026", Headline="Later"),
        ),
    )

    run_import(path, "--timeline", "new")

    timeline = Timeline.objects.get(slug="new")
    for obj in [timeline, *timeline.events.all()]:
        assert [(r.history_type, r.history_change_reason) for r in obj.history.all()] == [
            ("+", CHANGE_REASON)
        ]
    record = Event.objects.get(slug="talks").history.get()
    assert [row.tag.name for row in record.tags.all()] == ["Trade"]
    assert {row.event.slug for row in timeline.history.get().events.all()} == {"talks", "later"}


# Refusals: nothing of the import is saved


@pytest.mark.django_db
def test_a_malformed_row_stops_the_import_naming_its_line(exported, stored_state):
    export = exported.read_text(encoding="utf-8")
    lines = export.count("\n")
    before = stored_state()

    for cells, column, message in [
        ({"Year": "twenty"}, "Year", "is not a whole number"),
        ({"Month": "2", "Day": "30"}, "Day", "is not a real day"),
        ({"Headline": ""}, "Headline", "every event needs a headline"),
        # Refused by the model only once the rows before it are saved.
        ({"Headline": "x" * 201}, "Headline", "at most 200 characters"),
        ({"Display Date": "d" * 101}, "Display Date", "at most 100 characters"),
        ({"Group": "?!"}, "Group", "no letters or digits"),
    ]:
        bad = csv_text(event_row(**cells)).split("\r\n", 1)[1]
        exported.write_text(export + bad, encoding="utf-8")

        with pytest.raises(CommandError, match=message) as raised:
            run_import(exported, "--timeline", "copy")

        assert f"line {lines + 1}, column {column}: " in str(raised.value), cells
        assert "Nothing was imported." in str(raised.value), cells
        assert stored_state() == before, cells


@pytest.mark.django_db
def test_a_new_timeline_needs_a_title(tmp_path, stored_state):
    path = save(tmp_path, csv_text(event_row()))
    before = stored_state()

    with pytest.raises(CommandError, match="give its title with --title"):
        run_import(path, "--timeline", "new")

    assert stored_state() == before
    run_import(path, "--timeline", "new", "--title", "From the command line")
    assert Timeline.objects.get(slug="new").title == "From the command line"


@pytest.mark.django_db
def test_a_bad_timeline_slug_is_refused(tmp_path):
    path = save(tmp_path, csv_text(event_row()))

    with pytest.raises(CommandError, match="--timeline not a slug: slug: "):
        run_import(path, "--timeline", "not a slug", "--title", "T")


@pytest.mark.django_db
def test_missing_columns_and_files_are_refused(tmp_path):
    with pytest.raises(
        CommandError, match=r"line 1: the header lacks the required column\(s\) Year\."
    ):
        run_import(save(tmp_path, "Headline,Text\r\nA,B\r\n"), "--timeline", "t")
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "missing.csv", "--timeline", "t")


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(csv_text(event_row(), event_row(Headline="Café")).encode("latin-1"))

    with pytest.raises(CommandError, match="line 3: not UTF-8 text"):
        run_import(path, "--timeline", "t", "--title", "T")


# Encodings, ignored columns, dry runs


@pytest.mark.django_db
def test_a_byte_order_mark_is_accepted(tmp_path):
    path = save(tmp_path, csv_text(event_row(Headline="Café talks")), prefix="\ufeff".encode())

    run_import(path, "--timeline", "t", "--title", "T")

    assert Event.objects.get(slug="cafe-talks").date == "2025"


@pytest.mark.django_db
def test_what_cannot_be_stored_is_reported_once_with_counts(tmp_path):
    header = [*COLUMNS, "Alt Text", "Notes"]
    path = save(
        tmp_path,
        csv_text(
            {"Type": "title", "Headline": "T", "Media": "https://example.org/t.jpg"},
            {"Type": "era", "Year": "2025", "End Year": "2026", "Headline": "Era"},
            event_row(Time="10:00", Media="m.jpg", **{"Alt Text": "a", "Notes": "n"}),
            event_row(Headline="Other", Background="#000", **{"End Time": "11:00"}),
            header=header,
        ),
    )

    output = run_import(path, "--timeline", "t")

    assert "Skipped 1 era row (line 3): this service has no eras." in output
    assert (
        "Ignored, as no field here holds them: Alt Text (1 row), Background (1 row), "
        "End Time (1 row), Media (2 rows), Time (1 row)." in output
    )
    assert "Ignored unknown columns: Notes." in output
    assert output.count("Ignored") == 2


@pytest.mark.django_db
def test_a_dry_run_reports_and_saves_nothing(exported, stored_state):
    before = stored_state()

    output = run_import(exported, "--timeline", "copy", "--dry-run", "--publish")

    assert stored_state() == before
    assert "timeline copy created." in output
    assert "Events: 16 created, 0 updated, 0 unchanged." in output
    assert output.rstrip().endswith("Dry run: nothing was saved.")


@pytest.mark.django_db
def test_the_title_row_or_title_option_updates_an_existing_timeline(tmp_path):
    TimelineFactory(slug="old", title="Old title", description="Old.")
    path = save(
        tmp_path,
        csv_text(
            {"Type": "title", "Headline": "New title", "Text": "<p>New.</p>"},
            {"Type": "era", "Year": "2025", "Headline": "An era"},
            {"Type": "era", "Year": "2026", "Headline": "Another"},
        ),
    )

    output = run_import(path, "--timeline", "old")

    timeline = Timeline.objects.get(slug="old")
    assert (timeline.title, timeline.description) == ("New title", "New.")
    assert timeline.history.first().history_change_reason == CHANGE_REASON
    assert "timeline old updated." in output
    assert "Skipped 2 era rows (lines 3, 4): this service has no eras." in output
    run_import(path, "--timeline", "old", "--title", "Chosen")
    assert Timeline.objects.get(slug="old").title == "Chosen"

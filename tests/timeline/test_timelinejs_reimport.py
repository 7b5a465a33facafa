"""Re-importing an edited TimelineJS sheet: rows find their events by the Unique ID column."""

import csv
import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import EventFactory, TimelineFactory
from timeline.formats.spreadsheet import COLUMNS, ID_COLUMN, TEMPLATE_HEADER
from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline() -> Timeline:
    return TimelineFactory(
        slug="trade",
        title="Trade",
        events=[
            EventFactory(slug="kuala-lumpur-talks", title="Talks in Kuala Lumpur", date="2025-10"),
            EventFactory(slug="busan-meeting", title="Meeting in Busan", date="2025-10-30"),
        ],
    )


def export(slug: str) -> list[dict[str, str]]:
    out = StringIO()
    call_command("export_timelinejs_csv", slug, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def run_import(tmp_path: Path, rows: list[dict[str, str]], *args: str, header=COLUMNS) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "sheet.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    out = StringIO()
    call_command("import_timelinejs_csv", str(path), "--timeline", "trade", *args, stdout=out)
    return out.getvalue()


def row_of(rows: list[dict[str, str]], slug: str) -> dict[str, str]:
    return next(row for row in rows if row[ID_COLUMN] == slug)


def test_the_export_has_the_templates_columns_then_the_events_slug(timeline):
    rows = export("trade")

    assert list(rows[0]) == [*TEMPLATE_HEADER.split(","), "Unique ID"]
    assert [row[ID_COLUMN] for row in rows] == ["", "kuala-lumpur-talks", "busan-meeting"]


def test_an_edited_headline_updates_its_event_instead_of_adding_one(timeline, tmp_path):
    rows = export("trade")
    row_of(rows, "busan-meeting")["Headline"] = "Trump and Xi meet in Busan"
    events_before = Event.objects.count()

    output = run_import(tmp_path, rows, "--publish")

    assert "Events: 0 created, 1 updated, 1 unchanged." in output
    assert Event.objects.count() == events_before
    assert list(timeline.events.order_by("slug").values_list("slug", "title")) == [
        ("busan-meeting", "Trump and Xi meet in Busan"),
        ("kuala-lumpur-talks", "Talks in Kuala Lumpur"),
    ]


def test_a_row_naming_its_event_keeps_it_from_another_rows_headline(timeline, tmp_path):
    rows = export("trade")
    # A row added by hand, headed like the event's old title, comes first; the
    # event's own row, renamed, comes after it.
    added = rows[2] | {"Headline": "Meeting in Busan", ID_COLUMN: "", "Day": "31"}
    row_of(rows, "busan-meeting")["Headline"] = "Trump and Xi meet in Busan"
    rows.insert(1, added)

    output = run_import(tmp_path, rows)

    assert "Events: 1 created, 1 updated, 1 unchanged." in output
    busan = Event.objects.get(slug="busan-meeting")
    assert (busan.title, busan.date) == ("Trump and Xi meet in Busan", "2025-10-30")
    added_event = timeline.events.exclude(slug__in=["busan-meeting", "kuala-lumpur-talks"]).get()
    assert (added_event.title, added_event.date) == ("Meeting in Busan", "2025-10-31")


def test_a_sheet_without_ids_is_matched_by_headline_as_before(timeline, tmp_path):
    rows = export("trade")
    header = [column for column in COLUMNS if column != ID_COLUMN]

    unchanged = run_import(tmp_path, rows, header=header)
    row_of(rows, "busan-meeting")["Headline"] = "Trump and Xi meet in Busan"
    renamed = run_import(tmp_path, rows, header=header)

    assert "Events: 0 created, 0 updated, 2 unchanged." in unchanged
    # Without the id, nothing says the renamed row is the same event.
    assert "Events: 1 created, 0 updated, 1 unchanged." in renamed


def test_two_rows_with_one_id_are_refused_naming_the_second(timeline, tmp_path):
    rows = export("trade")
    rows.append(row_of(rows, "busan-meeting") | {"Headline": "A copy of the row"})

    with pytest.raises(CommandError, match=r"line 5, column Unique ID: “busan-meeting” is the id"):
        run_import(tmp_path, rows)

    assert not Event.objects.filter(title="A copy of the row").exists()

"""Import a TimelineJS spreadsheet (saved as CSV) into a timeline.

A row is matched to the timeline's event by its Unique ID (the event's slug,
which an export writes), so that an edited headline updates its event; a row
without one, as in a sheet made by hand, by the slug of its headline.

On update, a cell that still says what an export of the event would say
changes nothing, so that re-importing never flattens what a sheet cannot hold
(seasons, uncertain dates, several tags).
"""

import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.text import slugify

from sources.versioning import one_revision
from timeline import evidence
from timeline.evidence import UNSUPPORTED
from timeline.formats.spreadsheet import (
    SheetError,
    SheetEvent,
    SheetImport,
    SheetRow,
    event_to_row,
    parse_csv,
    row_to_event,
    rows_to_events,
    title_row,
)
from timeline.formats.timelinejs import primary_tag
from timeline.models import Event, Tag, Timeline

CHANGE_REASON = "manage.py import_timelinejs_csv"
# Room for "-999" after a slug made from a headline.
SLUG_BASE_LENGTH = Event._meta.get_field("slug").max_length - 4
# Dashes and slashes part words ("US-China" → us-china); slugify would drop the en dash.
WORD_BREAKS = re.compile(r"[\u2010-\u2015\u2212/]")
EVENT_FIELDS = ("title", "date", "display_date", "summary", "status", "date_note")
# The column to name when a model field refuses a value.
FIELD_COLUMNS = {
    "title": "Headline",
    "slug": "Headline",
    "date": "Year",
    "display_date": "Display Date",
    "summary": "Text",
    "status": "Text",
    "date_note": "Text",
    "name": "Group",
}


@dataclass
class ImportReport:
    timeline: str = "unchanged"  # created, updated or unchanged
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)
    # With --publish: events left drafts, as their date is unsupported (timeline.evidence).
    held_back: list[str] = field(default_factory=list)


def _validate(obj, line: int) -> None:
    """full_clean(), with a refusal named by the sheet's line and column."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        prefix = "" if name == NON_FIELD_ERRORS else f"{name}: "
        raise SheetError(line, FIELD_COLUMNS.get(name, ""), prefix + " ".join(messages)) from None


def _save(obj, tags=None) -> None:
    """Save as one revision, with the tags when given."""
    with one_revision(obj, reason=CHANGE_REASON):
        obj.save()
        if tags is not None:
            obj.tags.set(tags)


class SheetImporter:
    """Writes one sheet into one timeline; the caller holds the transaction."""

    def __init__(self, sheet: SheetImport, *, slug: str, title: str | None, publish: bool):
        self.sheet, self.slug, self.title, self.publish = sheet, slug, title, publish
        self.published_at = timezone.now() if publish else None
        self.report = ImportReport()
        self.tags: dict[str, Tag] = {}

    def run(self) -> ImportReport:
        timeline, timeline_changed = self.timeline()
        # Drafts too: a row updates the event it made last time, published or not.
        self.members = list(timeline.events.with_citations().order_by("pk")) if timeline.pk else []
        self.by_slug = {event.slug: event for event in self.members}
        # Rows that name their event by id first: no other row's headline may take it.
        self.by_id = {
            item.line: self.by_slug[item.slug]
            for item in self.sheet.events
            if item.slug in self.by_slug
        }
        self.claimed: set[int] = {event.pk for event in self.by_id.values()}
        joining = []
        for item in self.sheet.events:
            event, slug = self.match(item)
            if event is None:
                joining.append(self.create(item, slug))
            else:
                self.claimed.add(event.pk)
                self.update(event, item)
        if timeline_changed or joining:
            # One revision: the timeline's fields and the events that joined it.
            with one_revision(timeline, reason=CHANGE_REASON):
                timeline.save()
                timeline.events.add(*joining)
            if self.report.timeline == "unchanged":
                self.report.timeline = "updated"
        return self.report

    def timeline(self) -> tuple[Timeline, bool]:
        """The timeline, new or with its fields set from the sheet (unsaved), and whether
        they changed."""
        sheet, line = self.sheet, self.sheet.title_line or 1
        timeline = Timeline.objects.filter(slug=self.slug).first() or Timeline(slug=self.slug)
        before = (timeline.title, timeline.description, timeline.published_at)
        # Cells that still say what an export of the timeline says change nothing.
        shown = rows_to_events([SheetRow(line, title_row(timeline))])
        if self.title or sheet.title not in (None, "", shown.title):
            timeline.title = self.title or sheet.title
        if sheet.description not in (None, shown.description):
            timeline.description = sheet.description
        timeline.published_at = timeline.published_at or self.published_at
        if timeline.pk is not None:
            changed = (timeline.title, timeline.description, timeline.published_at) != before
            if changed:
                _validate(timeline, line)
            return timeline, changed
        if not timeline.title:
            raise CommandError(
                f"Timeline “{self.slug}” does not exist: give its title with --title, or "
                "a row of Type “title” with a Headline."
            )
        self.report.timeline = "created"
        try:
            _validate(timeline, line)
        except SheetError as exc:
            raise CommandError(f"--timeline {self.slug}: {exc.message}") from None
        return timeline, True

    def match(self, item: SheetEvent) -> tuple[Event | None, str]:
        """The timeline's event whose slug is the row's Unique ID; for a row without one (or
        with one of another timeline's: a copy), the event with the slug of the row's headline
        (then ``-2``, ``-3``…), else with its very title; or None and the slug to create."""
        if (member := self.by_id.get(item.line)) is not None:
            return member, member.slug
        base = slugify(WORD_BREAKS.sub(" ", item.title))[:SLUG_BASE_LENGTH].strip("-") or "event"
        others = Event.objects.filter(Q(slug=base) | Q(slug__startswith=f"{base}-"))
        taken = set(others.values_list("slug", flat=True))
        for number in itertools.count(1):
            slug = base if number == 1 else f"{base}-{number}"
            member = self.by_slug.get(slug)
            if member is not None and member.pk not in self.claimed:
                return member, slug
            if member is None and slug not in taken:
                break
        for member in self.members:
            if member.pk not in self.claimed and member.title == item.title:
                return member, member.slug
        return None, slug

    def tag(self, name: str, line: int) -> Tag:
        """The tag a Group names: by name, else by slug, else a new one."""
        if name not in self.tags:
            slug = slugify(name)[:100].strip("-")
            tag = (
                Tag.objects.filter(name__iexact=name).order_by("slug").first()
                or Tag.objects.filter(slug=slug).first()
            )
            if tag is None:
                if not slug:
                    message = f"“{name}” has no letters or digits to make a tag's slug of;"
                    raise SheetError(line, "Group", f"{message} create the tag in the admin first.")
                tag = Tag(name=name, slug=slug)
                _validate(tag, line)
                _save(tag)
                self.report.tags_created.append(name)
            self.tags[name] = tag
        return self.tags[name]

    def create(self, item: SheetEvent, slug: str) -> Event:
        fields = {name: getattr(item, name) for name in EVENT_FIELDS}
        fields["date_note"] = fields["date_note"] or ""
        event = Event(slug=slug, **fields)
        _validate(event, item.line)
        if self.publish:
            # No citations yet: only a note can back its date.
            if event.date_note:
                event.published_at = self.published_at
            else:
                self.report.held_back.append(slug)
        _save(event, [self.tag(item.group, item.line)] if item.group else [])
        self.report.created.append(event.slug)
        return event

    def update(self, event: Event, item: SheetEvent) -> None:
        try:
            # What the sheet would show of the event as it is: cells that
            # still say so change nothing.
            shown = row_to_event(SheetRow(item.line, event_to_row(event)))
        except SheetError:
            shown = None
        changed = [
            name
            for name in EVENT_FIELDS
            if (shown is None or getattr(shown, name) != getattr(item, name))
            and getattr(event, name) != getattr(item, name)
            # A sheet without a "Date inferred" line says nothing of the note.
            and not (name == "date_note" and item.date_note is None)
        ]
        for name in changed:
            setattr(event, name, getattr(item, name))
        tags = new_tags = set(event.tags.all())
        if shown is None or shown.group != item.group:
            # The group stands in for the event's primary tag; its other tags stay.
            new_tags = tags - {primary_tag(event)}
            if item.group:
                new_tags |= {self.tag(item.group, item.line)}
        if self.publish and event.published_at is None:
            event.derive_dates()  # the date may have changed
            # A member of the timeline: its citations and their dates are prefetched.
            if evidence.of_prefetched(event)["state"] == UNSUPPORTED:
                self.report.held_back.append(event.slug)
            else:
                event.published_at = self.published_at
                changed.append("published_at")
        if not changed and new_tags == tags:
            self.report.unchanged.append(event.slug)
            return
        _validate(event, item.line)
        _save(event, new_tags if new_tags != tags else None)
        self.report.updated.append(event.slug)


class Command(BaseCommand):
    help = (
        "Import a TimelineJS spreadsheet, saved as CSV (UTF-8), into a timeline: creates the "
        "timeline if missing, creates or updates one event per row (matched by its Unique ID, "
        "the event's slug that an export writes, else by the slug of its headline), all in one "
        "transaction. New events are drafts unless --publish."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, metavar="PATH", help="The CSV file.")
        parser.add_argument(
            "--timeline", required=True, metavar="SLUG", help="The timeline to import into."
        )
        parser.add_argument(
            "--title", help="The timeline's title (default: the Headline of the title row)."
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the timeline and the events imported (else new ones are drafts).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report everything; save nothing."
        )

    def handle(self, *args, path: Path, timeline: str, title, publish, dry_run, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror or exc}.") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise CommandError(
                f"{path}: line {line}: not UTF-8 text. Save the sheet as “CSV UTF-8” and try "
                "again. Nothing was imported."
            ) from None
        try:
            sheet = parse_csv(io.StringIO(text, newline=""))
            with transaction.atomic():
                report = SheetImporter(sheet, slug=timeline, title=title, publish=publish).run()
                if dry_run:
                    transaction.set_rollback(True)
        except SheetError as exc:
            raise CommandError(f"{path}: {exc} Nothing was imported.") from None
        self.summarise(path, timeline, sheet, report, dry_run=dry_run, publish=publish)

    def summarise(
        self, path, slug: str, sheet, report: ImportReport, *, dry_run: bool, publish: bool
    ):
        write = self.stdout.write
        write(f"{path}: timeline {slug} {report.timeline}.")
        events = (
            f"Events: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged."
        )
        if report.created and not publish:
            events += " New events are drafts: publish them in the admin, or use --publish."
        write(events)
        if report.held_back:
            write(
                f"Left as drafts, as no cited quote states their date and no “Date inferred:” "
                f"line says how it was derived: {', '.join(report.held_back)}."
            )
        if report.tags_created:
            write(f"Tags created: {', '.join(report.tags_created)}.")
        if eras := len(sheet.era_lines):
            lines = ", ".join(map(str, sheet.era_lines))
            write(
                f"Skipped {eras} era row{pluralize(eras)} (line{pluralize(eras)} {lines}): "
                "this service has no eras."
            )
        if sheet.unstored:
            counts = ", ".join(
                f"{name} ({count} row{pluralize(count)})"
                for name, count in sorted(sheet.unstored.items())
            )
            write(f"Ignored, as no field here holds them: {counts}.")
        if sheet.unknown_columns:
            write(f"Ignored unknown columns: {', '.join(sheet.unknown_columns)}.")
        if cited := sum(item.cited for item in sheet.events):
            write(
                f"The citations listed in the Text of {cited} row{pluralize(cited)}, and the "
                "claims they back, were not imported: cite sources and state claims in the "
                "admin, where each quote is checked against its article."
            )
        if dry_run:
            write("Dry run: nothing was saved.")

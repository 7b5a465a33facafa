"""Write a published timeline as a TimelineJS spreadsheet (CSV)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from timeline.formats.spreadsheet import timeline_to_csv
from timeline.models import Timeline


class Command(BaseCommand):
    help = (
        "Write a published timeline's published events as a TimelineJS spreadsheet (CSV), "
        "the same file as /api/v1/timelines/<slug>/timelinejs.csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The timeline's slug.")
        parser.add_argument(
            "-o", "--output", type=Path, metavar="FILE", help="Write here (default: stdout)."
        )

    def handle(self, *args, slug: str, output: Path | None, **options):
        timeline = Timeline.objects.published().with_events().filter(slug=slug).first()
        if timeline is None:
            raise CommandError(f"No published timeline has the slug “{slug}”.")
        content = timeline_to_csv(timeline, timeline.listed_events)
        if output is None:
            self.stdout.write(content, ending="")
            return
        try:
            output.write_text(content, encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror or exc}.") from None
        self.stderr.write(f"Wrote {len(timeline.listed_events)} events of {slug} to {output}.")

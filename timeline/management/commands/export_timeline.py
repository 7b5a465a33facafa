from django.core.management.base import BaseCommand, CommandError

from timeline.backup import FORMAT, VERSION, document_to_json, export_timeline
from timeline.models import Timeline


class Command(BaseCommand):
    help = (
        f"Back up one timeline, with its drafts, sources and history, as a JSON document "
        f"({FORMAT}, version {VERSION}); restore it with `manage.py import_timeline`. "
        "README.md, “Backup and restore”, says what it holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="The timeline's slug.")
        parser.add_argument(
            "-o", "--output", default="-", metavar="FILE", help="Write here (default: stdout)."
        )

    def handle(self, *args, slug: str, output: str, **options):
        timeline = Timeline.objects.filter(slug=slug).first()
        if timeline is None:
            raise CommandError(f"No timeline has the slug “{slug}”.")
        warnings: list[str] = []
        document = export_timeline(timeline, warnings=warnings)
        text = document_to_json(document)
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            try:
                with open(output, "w", encoding="utf-8", newline="\n") as file:
                    file.write(text)
            except OSError as exc:
                raise CommandError(f"{output}: {exc.strerror or exc}.") from None
        citations = sum(len(event["citations"]) for event in document["events"])
        history = sum(len(rows) for rows in document["history"].values())
        # Standard output may be the document itself: the summary goes to stderr.
        for warning in warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        self.stderr.write(
            f"Exported timeline {slug}: {len(document['events'])} events, {citations} citations, "
            f"{len(document['sources'])} sources, {history} history rows"
            + ("." if output == "-" else f" to {output}.")
        )

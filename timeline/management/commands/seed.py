from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from timeline.seed_data import TIMELINE
from timeline.seeding import seed_timeline


class Command(BaseCommand):
    help = (
        "Load the demo timeline us-china-trade-2025 and its sources. Idempotent: "
        "only what is missing is added, unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed-dir",
            type=Path,
            default=settings.TIMELINE_SEED_DIR,
            help="Folder with the archived article texts (default: %(default)s).",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Reset seeded objects that editors changed back to the seed's values.",
        )

    def handle(self, *args, seed_dir: Path, update: bool, **options):
        report = seed_timeline(seed_dir=seed_dir, update=update)
        slug = TIMELINE["slug"]
        if not report.changed:
            self.stdout.write(f"Timeline {slug}: already seeded, nothing changed.")
        for verb, bucket in (("Created", report.created), ("Updated", report.updated)):
            if bucket:
                parts = ", ".join(
                    f"{count} {label if count != 1 else label.removesuffix('s')}"
                    for label, count in bucket.items()
                )
                self.stdout.write(self.style.SUCCESS(f"{verb}: {parts}."))
        if report.texts_attached:
            self.stdout.write(f"Attached archived text to {report.texts_attached} source(s).")
        if report.missing_texts:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.missing_texts)} article text(s) not found in {seed_dir}: "
                    "those sources have no text and their quotes are not anchored."
                )
            )
        for citation in report.unanchored:
            self.stdout.write(
                self.style.WARNING(f"Quote not found in its source's text: {citation}")
            )

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from timeline.backup import DocumentError, ImportReport, import_timeline


class Command(BaseCommand):
    help = (
        "Restore a timeline from a document written by `manage.py export_timeline`, with its "
        "own history and versions, in one transaction: on any error nothing is written. "
        "README.md, “Backup and restore”, gives the rules (ids, reuse, refusals, users). "
        "Editors' ETags (versions) are the document's; public reads' ETags change, as after "
        "any write."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The document; - reads standard input.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help=(
                "Delete the timeline here with the document's slug, and its events, then "
                "import, in the same transaction: on any error both stay as they were. The "
                "deletions are revisions, so the history of what was here is kept."
            ),
        )

    def handle(self, *args, file: str, replace: bool = False, **options):
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text. Nothing was imported.") from None
        try:
            report = ImportReport()
            timeline = import_timeline(json.loads(text), report=report, replace=replace)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file}: line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg}). "
                "Nothing was imported."
            ) from None
        except DocumentError as exc:
            problems = "\n".join(f"  {path}: {message}" for path, message in exc.problems)
            raise CommandError(
                f"{file}: cannot import:\n{problems}\nNothing was imported."
            ) from None
        except DatabaseError as exc:
            raise CommandError(
                f"{file}: the database refused the import ({exc}). Nothing was imported."
            ) from None
        created = report.created
        if report.replaced is not None:
            self.stdout.write(
                f"Replaced timeline {timeline.slug} here: its {report.replaced} events deleted, "
                "their history kept."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported timeline {timeline.slug}: {created['events']} events, "
                f"{created['citations']} citations, {created['claims']} claims, "
                f"{created['sources']} sources, {report.history_rows} history rows."
            )
        )
        reused = ", ".join(f"{n} {label}" for label, n in sorted(report.reused.items()) if n)
        if reused:
            self.stdout.write(f"Reused, as they are here: {reused}.")
        if report.missing_users:
            self.stdout.write(
                self.style.WARNING(
                    f"No user here for {', '.join(sorted(report.missing_users))}: their history "
                    "records have no user, and the username is kept in the change reason."
                )
            )

"""Restore one timeline from a document written by ``manage.py export_timeline``."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from timeline.backup import (
    DocumentError,
    ImportReport,
    import_timeline,
    validate_document,
)


def _counted(counter) -> str:
    return ", ".join(f"{count} {label}" for label, count in sorted(counter.items()) if count)


class Command(BaseCommand):
    help = (
        "Restore a timeline from a JSON document written by `manage.py export_timeline`. The "
        "whole document is checked first, then written in one transaction, with its own "
        "history and versions (no new revisions): on any error nothing is written. Primary "
        "keys are kept where this database has no row (live or in history) with that id, so a "
        "restore into an empty database serves the same API bytes and ETags; otherwise rows "
        "get new ids and references follow. Places, actors, tags and claims' properties whose "
        "slug exists here are reused, as is a source with the same slug, URL and text (or the "
        "same URL and text); their history here is kept. Refused: a timeline or event slug "
        "that exists here, a source slug taken by a source with another URL or text, a "
        "property name taken here under another slug, and a claim that the kind of the "
        "property reused here cannot read. History users are "
        "matched by username; a username with no user here is recorded as no user and kept "
        "in the change reason as “[by NAME, not a user here]”."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", metavar="FILE", help="The exported document; - reads standard input."
        )

    def handle(self, *args, file: str, **options):
        document = self.read(file)
        try:
            validated = validate_document(document)
            report = ImportReport()
            timeline = import_timeline(validated, report=report)
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported timeline {timeline.slug}: {created['events']} events, "
                f"{created['citations']} citations, {created['claims']} claims, "
                f"{created['sources']} sources, {report.history_rows} history rows."
            )
        )
        if reused := _counted(report.reused):
            self.stdout.write(f"Reused, as they are here: {reused}.")
        if report.missing_users:
            self.stdout.write(
                self.style.WARNING(
                    f"No user here for {', '.join(sorted(report.missing_users))}: their history "
                    "records have no user, and the username is kept in the change reason."
                )
            )

    def read(self, file: str):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text. Nothing was imported.") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file}: line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg}). "
                "Nothing was imported."
            ) from None

import argparse
import datetime
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from sources.anchoring import shorten
from sources.ingest import FRONT_MATTER_KEYS, IngestError, read_article_file
from sources.models import Source
from sources.validators import http_url_validator, language_tag_validator
from sources.versioning import VersionConflict
from timeline.services import source_save

CHANGE_REASON = "manage.py import_sources"
DIRECTORY_SUFFIXES = (".txt", ".md", ".html", ".htm")
# Compared to tell "unchanged" from "changed"; the slug is the key, not a value.
COMPARED_FIELDS = (*(key for key in FRONT_MATTER_KEYS if key != "slug"), "text")
# Without a terminal (a log, CI, cron), progress is a line every this many seconds.
PROGRESS_SECONDS = 10


@dataclass
class FileResult:
    path: Path
    status: str  # created, updated, skipped or failed
    slug: str = ""
    reason: str = ""
    unanchored: list[str] = field(default_factory=list)


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{value}” is not a date as YYYY-MM-DD") from None


def files_to_import(paths: list[Path], *, recursive: bool) -> list[Path]:
    """The files named, and the article files in the directories named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = path.rglob("*") if recursive else path.iterdir()
            files += sorted(
                candidate
                for candidate in found
                if candidate.is_file()
                and candidate.suffix.lower() in DIRECTORY_SUFFIXES
                # Hidden files include macOS "._name.txt" copies, which are not text.
                and not candidate.name.startswith(".")
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{path}: no such file or directory.")
    return list(dict.fromkeys(files))


class Command(BaseCommand):
    help = (
        "Archive article files (.txt, .md, .html, .htm) as sources. Each file becomes the "
        "source whose slug its header names, or the slug of its file name. Existing sources "
        "are left alone unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            metavar="PATH",
            help="An article file, or a directory of them (.txt, .md, .html, .htm).",
        )
        parser.add_argument(
            "--recursive", action="store_true", help="Also import files in subdirectories."
        )
        parser.add_argument("--publisher", help="Publisher for files that do not name one.")
        parser.add_argument(
            "--language", help="BCP 47 language tag for files that do not give one."
        )
        parser.add_argument(
            "--url", help="Address of the original, if the file does not give it (one file only)."
        )
        parser.add_argument(
            "--title",
            help="Title, if the file does not give one (one file only; default: the file name).",
        )
        parser.add_argument(
            "--published-on",
            type=iso_date,
            metavar="YYYY-MM-DD",
            help="Publication date for files that do not give one.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help=(
                "Replace the text and the metadata given by the file or options of sources "
                "that already exist, and re-anchor their citations."
            ),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )

    def handle(self, *args, paths, recursive, update, dry_run, **options):
        self.verbosity = options["verbosity"]
        files = files_to_import(paths, recursive=recursive)
        if not files:
            raise CommandError(
                f"No {', '.join(DIRECTORY_SUFFIXES)} files found in: "
                + ", ".join(str(path) for path in paths)
            )
        defaults = self.validated_defaults(options, file_count=len(files))
        results: list[FileResult] = []
        slugs_seen: dict[str, Path] = {}
        # On a terminal, a bar (tqdm), erased when done; on the process's stderr, as the
        # command's wrapper ends every write with a newline and breaks the redrawing.
        # Elsewhere, a line now and then: what a log or CI shows of a long import.
        progress = tqdm(
            files, unit="file", file=sys.stderr, disable=None, leave=False, dynamic_ncols=True
        )
        reported = time.monotonic()
        for done, path in enumerate(progress, start=1):
            progress.set_postfix_str(path.name, refresh=False)
            results.append(
                self.import_file(
                    path, defaults=defaults, update=update, dry_run=dry_run, slugs_seen=slugs_seen
                )
            )
            if progress.disable and time.monotonic() - reported >= PROGRESS_SECONDS:
                reported = time.monotonic()
                failed = sum(result.status == "failed" for result in results)
                self.stderr.write(
                    f"import_sources: {done} of {len(files)} files ({done * 100 // len(files)}%), "
                    f"{failed} failed"
                )
        progress.close()
        self.report(results, dry_run=dry_run)

    def validated_defaults(self, options: dict, *, file_count: int) -> dict:
        """The metadata options given, checked once instead of failing every file."""
        if file_count > 1 and (options["title"] or options["url"]):
            raise CommandError(
                f"--title and --url name one article, but {file_count} files were given; "
                "put them in each file's header instead."
            )
        try:
            if options["url"]:
                http_url_validator(options["url"])
            if options["language"]:
                language_tag_validator(options["language"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        names = ("title", "publisher", "url", "published_on", "language")
        return {name: options[name] for name in names if options[name] not in (None, "")}

    def import_file(
        self, path: Path, *, defaults: dict, update: bool, dry_run: bool, slugs_seen: dict
    ) -> FileResult:
        result = FileResult(path=path, status="failed")
        try:
            article = read_article_file(path)
            metadata = dict(article.metadata)
            result.slug = metadata.pop("slug", "") or slugify(path.stem)[:100].strip("-")
            if not result.slug:
                raise IngestError(
                    "no slug can be made from the file name; "
                    "give one with a “slug:” line in the header."
                )
            if result.slug in slugs_seen:
                raise IngestError(
                    f"same slug “{result.slug}” as {slugs_seen[result.slug]}; "
                    "give one of them a “slug:” line in the header."
                )
            slugs_seen[result.slug] = path
            # What the file says wins; the options fill in what it leaves out.
            values = {**defaults, **metadata, "text": article.text}
            with transaction.atomic():
                self.save_source(result, values, update=update)
                if dry_run:
                    transaction.set_rollback(True)
        except (IngestError, OSError) as exc:
            result.reason = str(exc)
        except ValidationError as exc:
            result.reason = "; ".join(
                f"{'source' if name == NON_FIELD_ERRORS else name}: {' '.join(messages)}"
                for name, messages in exc.message_dict.items()
            )
        except VersionConflict:
            result.reason = "an editor changed this source during the import; run it again."
        return result

    def save_source(self, result: FileResult, values: dict, *, update: bool) -> None:
        """Create or update the source; record the outcome in ``result``."""
        source = Source.objects.select_for_update().filter(slug=result.slug).first()
        if source is None:
            # Without a title in the file or options, the file name is the best guess.
            title = re.sub(r"[-_]+", " ", result.path.stem).strip()
            source = Source(slug=result.slug, title=title)
            before = None
        else:
            before = {name: getattr(source, name) for name in COMPARED_FIELDS}
        for name, value in values.items():
            setattr(source, name, value)
        source.full_clean()  # also turns header strings into dates
        if source.retrieved_at and timezone.is_naive(source.retrieved_at):
            source.retrieved_at = timezone.make_aware(source.retrieved_at, datetime.UTC)
        if before is not None:
            changed = [name for name, value in before.items() if getattr(source, name) != value]
            if not changed:
                result.status, result.reason = "skipped", "unchanged"
                return
            if not update:
                different = "text" if "text" in changed else ", ".join(changed)
                result.status = "skipped"
                result.reason = f"exists with different {different}; use --update"
                return
        source._change_reason = CHANGE_REASON
        reanchored = source_save(source=source)  # None unless an existing text changed
        result.status = "created" if before is None else "updated"
        if reanchored is not None:
            result.unanchored = [
                f"event {citation.event.slug}: “{shorten(citation.quote)}”"
                for citation in reanchored.unanchored
            ]

    def report(self, results: list[FileResult], *, dry_run: bool) -> None:
        counts = Counter(result.status for result in results)
        for result in results:
            name = f"{result.path} ({result.slug})" if result.slug else str(result.path)
            if result.status == "failed":
                self.stdout.write(self.style.ERROR(f"failed   {result.path}: {result.reason}"))
            elif result.status == "skipped" and result.reason == "unchanged":
                self.stdout.write(f"skipped  {name}: unchanged")
            elif result.status == "skipped":
                self.stdout.write(self.style.WARNING(f"skipped  {name}: {result.reason}"))
            elif self.verbosity >= 2:
                self.stdout.write(f"{result.status:8} {name}")
            for citation in result.unanchored:
                self.stdout.write(
                    self.style.WARNING(
                        f"unanchored in {result.slug}: {citation} is no longer in the text "
                        "(kept; edit or remove it in the admin)"
                    )
                )
        unanchored = sum(len(result.unanchored) for result in results)
        summary = (
            ("Dry run, nothing written. Would import" if dry_run else "Imported")
            + f" {len(results)} file(s): {counts['created']} created, "
            f"{counts['updated']} updated, {counts['skipped']} skipped, {counts['failed']} failed."
        )
        failures = []
        if counts["failed"]:
            failures.append(f"{counts['failed']} file(s) could not be imported")
        if unanchored:
            failures.append(
                f"{unanchored} citation(s) no longer anchor in their updated source"
                + (" (the update would leave them so)" if dry_run else "")
            )
        self.stdout.write((self.style.ERROR if failures else self.style.SUCCESS)(summary))
        if failures:
            # Named apart, on stderr, with a non-zero exit: a script or CI must not miss them.
            raise CommandError("; ".join(failures) + "; see above.")

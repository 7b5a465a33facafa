from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.core.management.base import BaseCommand, CommandError

from sources.anchoring import AnchorError, anchor_quote
from sources.models import Source
from timeline.models import Citation

QUOTE_CHARS = 60


@dataclass
class Problem:
    citation: Citation
    reason: str


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def shorten(quote: str) -> str:
    return quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS] + "…"


def check_citation(citation: Citation, text: str) -> tuple[str, str] | None:
    """``(kind, reason)`` when the citation does not hold in ``text``, else None.

    Anchors the quote as Citation.anchor() does, with the stored anchor as hints, so a
    citation holds exactly when saving it again would change nothing.
    """
    try:
        found = anchor_quote(
            text,
            citation.quote,
            prefix=citation.prefix,
            suffix=citation.suffix,
            start=citation.position_start,
        )
    except AnchorError as exc:
        return "unanchored", f"no longer anchors: {exc}"
    stored = (citation.position_start, citation.position_end)
    if stored == (None, None):
        return "stale", f"stored anchor is stale: none stored, quote at {found.start}–{found.end}"
    if (found.start, found.end) != stored:
        return "stale", (
            f"stored anchor is stale: stored at {stored[0]}–{stored[1]}, "
            f"quote now at {found.start}–{found.end}"
        )
    if (found.exact, found.prefix, found.suffix) != (
        citation.exact,
        citation.prefix,
        citation.suffix,
    ):
        return "stale", "stored anchor is stale: the text around the quote changed"
    return None


class Command(BaseCommand):
    help = (
        "Check every citation against its source's current archived text: the quote must "
        "still be there, where its stored anchor says. Writes nothing; exits non-zero when "
        "a quote no longer anchors or a stored anchor is stale."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            action="append",
            dest="slugs",
            default=[],
            metavar="SLUG",
            help="Check only this source's citations (repeat for several sources).",
        )

    def handle(self, *args, slugs: list[str], **options):
        citations = (
            Citation.objects.select_related("source", "event")
            # Each source's text is read once below, not once per citation.
            .defer("source__text")
            .order_by("source__slug", "source_id", "pk")
        )
        if slugs:
            known = set(Source.objects.filter(slug__in=slugs).values_list("slug", flat=True))
            if unknown := [slug for slug in slugs if slug not in known]:
                raise CommandError(f"No source has the slug: {', '.join(unknown)}.")
            citations = citations.filter(source__slug__in=slugs)

        checked = 0
        kinds = {"unanchored": 0, "stale": 0}
        without_text: dict[str, int] = {}
        for source_id, group in groupby(citations, key=attrgetter("source_id")):
            group = list(group)
            source = group[0].source
            text = Source.objects.values_list("text", flat=True).get(pk=source_id)
            if not text:
                without_text[source.slug] = len(group)
                continue
            problems = []
            for citation in group:
                checked += 1
                if outcome := check_citation(citation, text):
                    kinds[outcome[0]] += 1
                    problems.append(Problem(citation, outcome[1]))
            if problems:
                self.write_source_report(source, problems)

        if without_text:
            self.stdout.write(
                self.style.WARNING(
                    f"Not checked: {plural(sum(without_text.values()), 'citation')} of "
                    f"{plural(len(without_text), 'source')} without text "
                    f"({', '.join(without_text)})."
                )
            )
        failures = kinds["unanchored"] + kinds["stale"]
        if failures:
            raise CommandError(
                f"{failures} of {plural(checked, 'checked citation')} failed: "
                f"{kinds['unanchored']} no longer anchor, "
                f"{plural(kinds['stale'], 'stored anchor')} stale."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"All {plural(checked, 'citation')} anchor in their sources' text "
                f"({plural(len(without_text), 'source')} without text)."
            )
        )

    def write_source_report(self, source: Source, problems: list[Problem]) -> None:
        self.stdout.write(
            self.style.ERROR(f"Source {source.slug} ({source.title}): ")
            + plural(len(problems), "problem")
        )
        for problem in problems:
            citation = problem.citation
            self.stdout.write(
                f"  event {citation.event.slug}, citation {citation.pk}: "
                f"“{shorten(citation.quote)}”\n    {problem.reason}"
            )

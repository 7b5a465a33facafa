from itertools import groupby
from operator import attrgetter

from django.core.management.base import BaseCommand, CommandError

from sources.anchoring import AnchorError, shorten
from sources.models import Source
from timeline.evidence import UNSUPPORTED, of_events
from timeline.models import ANCHOR_FIELDS, Citation, Event


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def check_citation(citation: Citation, text: str) -> tuple[str, str] | None:
    """``(kind, reason)`` when the citation does not hold in ``text``, else None.

    It holds exactly when anchoring it again, as a save does, would change nothing.
    """
    stored = [getattr(citation, name) for name in ANCHOR_FIELDS]
    citation.source.text = text
    try:
        citation.anchor()
    except AnchorError as exc:
        return "unanchored", f"no longer anchors: {exc}"
    *context, start, end = stored
    found = (citation.position_start, citation.position_end)
    if (start, end) == (None, None):
        return "stale", f"stored anchor is stale: none stored, quote at {found[0]}–{found[1]}"
    if found != (start, end):
        return "stale", (
            f"stored anchor is stale: stored at {start}–{end}, quote now at {found[0]}–{found[1]}"
        )
    if [getattr(citation, name) for name in ANCHOR_FIELDS[:3]] != context:
        return "stale", "stored anchor is stale: the text around the quote changed"
    return None


class Command(BaseCommand):
    help = (
        "Check every citation against its source's current archived text: the quote must "
        "still be there, where its stored anchor says. Writes nothing; exits non-zero when "
        "a quote no longer anchors or a stored anchor is stale. Then lists every event whose "
        "date no cited quote states (timeline/evidence.py); with --strict, those fail too."
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
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Also fail when an event's date is unsupported by its cited quotes.",
        )

    def handle(self, *args, slugs: list[str], strict: bool = False, **options):
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
            checked += len(group)
            problems = []
            for citation in group:
                if outcome := check_citation(citation, text):
                    kinds[outcome[0]] += 1
                    problems.append(
                        f"  event {citation.event.slug}, citation {citation.pk}: "
                        f"“{shorten(citation.quote)}”\n    {outcome[1]}"
                    )
            if problems:
                self.stdout.write(
                    self.style.ERROR(f"Source {source.slug} ({source.title}): ")
                    + plural(len(problems), "problem")
                )
                self.stdout.write("\n".join(problems))

        if without_text:
            self.stdout.write(
                self.style.WARNING(
                    f"Not checked: {plural(sum(without_text.values()), 'citation')} of "
                    f"{plural(len(without_text), 'source')} without text "
                    f"({', '.join(without_text)})."
                )
            )
        unsupported = self.check_dates(slugs)
        failures = kinds["unanchored"] + kinds["stale"]
        if failures:
            raise CommandError(
                f"{failures} of {plural(checked, 'checked citation')} failed: "
                f"{kinds['unanchored']} no longer anchor, "
                f"{plural(kinds['stale'], 'stored anchor')} stale."
            )
        if strict and unsupported:
            raise CommandError(f"{plural(unsupported, 'event')}: no cited quote states its date.")
        self.stdout.write(
            self.style.SUCCESS(
                f"All {plural(checked, 'citation')} anchor in their sources' text "
                f"({plural(len(without_text), 'source')} without text)."
            )
        )

    def check_dates(self, slugs: list[str]) -> int:
        """List the events whose date no cited quote states and no note explains; return
        how many. The dates in quotes are those stored when each citation was saved."""
        events = Event.objects.order_by("start", "slug")
        if slugs:
            events = events.filter(citations__source__slug__in=slugs).distinct()
        fields = ("slug", "date", "start", "end", "starts_by", "ends_from", "date_note")
        events = list(events.only(*fields))
        unsupported = []
        evidence_of = of_events(events)
        for event in events:
            evidence = evidence_of[event.pk]
            if evidence["state"] == UNSUPPORTED:
                said = "; ".join(
                    f"“{o['expression']}” → {o['resolved'] or o['explanation']}"
                    for o in evidence["other"]
                )
                unsupported.append(
                    f"  event {event.slug} ({event.date}): "
                    + (f"its quotes say {said}" if said else "its quotes name no date")
                )
        if unsupported:
            self.stdout.write(
                self.style.WARNING(
                    f"Dates no cited quote states: {plural(len(unsupported), 'event')}"
                )
            )
            self.stdout.write("\n".join(unsupported))
        return len(unsupported)

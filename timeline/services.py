"""Writes that span models. Keyword-only, typed, atomic."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sources.anchoring import AnchorError
from sources.models import Source
from timeline.models import Citation, Event


@dataclass
class ReanchorReport:
    anchored: int = 0
    unanchored: list[Citation] = field(default_factory=list)


@transaction.atomic
def source_reanchor_citations(*, source: Source) -> ReanchorReport:
    """Re-anchor every citation of a source after its text changed.

    A quote that no longer anchors is kept (unanchored) and reported, never
    deleted: an editor decides what to do with it.
    """
    report = ReanchorReport()
    for citation in source.citations.select_related("source").select_for_update():
        citation.source = source
        try:
            citation.anchor()
            report.anchored += 1
        except AnchorError:
            citation.clear_anchor()
            report.unanchored.append(citation)
        # Bypass save() so a failed anchor is recorded as cleared, not retried.
        Citation.objects.filter(pk=citation.pk).update(
            exact=citation.exact,
            prefix=citation.prefix,
            suffix=citation.suffix,
            position_start=citation.position_start,
            position_end=citation.position_end,
        )
    return report


@transaction.atomic
def events_publish(*, events: Iterable[Event] | QuerySet[Event]) -> int:
    """Publish drafts now; already published events keep their date."""
    pks = [event.pk for event in events]
    return Event.objects.filter(pk__in=pks, published_at__isnull=True).update(
        published_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def events_unpublish(*, events: Iterable[Event] | QuerySet[Event]) -> int:
    """Turn published events back into drafts."""
    pks = [event.pk for event in events]
    return Event.objects.filter(pk__in=pks, published_at__isnull=False).update(
        published_at=None, updated_at=timezone.now()
    )

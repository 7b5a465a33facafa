"""Writes that span models. Keyword-only, typed, atomic."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sources.anchoring import AnchorError
from sources.models import Source
from timeline.models import ANCHOR_FIELDS, Citation, Event


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
    citations = list(source.citations.select_for_update())
    for citation in citations:
        citation.source = source  # the caller's instance holds the new text
        try:
            citation.anchor()
            report.anchored += 1
        except AnchorError:
            citation.clear_anchor()
            report.unanchored.append(citation)
    # One UPDATE for all, bypassing save(), which would retry a failed anchor.
    Citation.objects.bulk_update(citations, ANCHOR_FIELDS)
    return report


def _matching(events: Iterable[Event] | QuerySet[Event]) -> QuerySet[Event]:
    """The events as one queryset, without loading a queryset's rows."""
    if isinstance(events, QuerySet):
        return Event.objects.filter(pk__in=events.values("pk"))
    return Event.objects.filter(pk__in=[event.pk for event in events])


@transaction.atomic
def events_publish(*, events: Iterable[Event] | QuerySet[Event]) -> int:
    """Publish drafts now; already published events keep their date."""
    now = timezone.now()
    return (
        _matching(events).filter(published_at__isnull=True).update(published_at=now, updated_at=now)
    )


@transaction.atomic
def events_unpublish(*, events: Iterable[Event] | QuerySet[Event]) -> int:
    """Turn published events back into drafts."""
    return (
        _matching(events)
        .filter(published_at__isnull=False)
        .update(published_at=None, updated_at=timezone.now())
    )

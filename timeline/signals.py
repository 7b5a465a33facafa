"""Keep derived data true whatever the write path.

Restores: the event and the citations and claims deleted with it (CASCADE)
share one deletion timestamp and reason, and the event's deletion record notes
its timelines (``services.event_restore`` needs both). Dates in quotes: a
source's changed publication date reads its citations' dates again.
"""

from django.db.models import F
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from sources.models import Source
from timeline.models import Citation, Claim, DateMention, Event

DELETED_WITH_EVENT = "Deleted with its event"


def _deletion_time(origin):
    # One timestamp per delete() call, shared by everything it deletes.
    if not hasattr(origin, "_timeline_deleted_at"):
        origin._timeline_deleted_at = timezone.now()
    return origin._timeline_deleted_at


@receiver(pre_delete, sender=Event, dispatch_uid="timeline.event_pre_delete")
def remember_event_timelines(sender, instance, origin=None, **kwargs):
    instance._history_date = _deletion_time(origin if origin is not None else instance)
    instance._timeline_ids = list(instance.timelines.values_list("pk", flat=True))


@receiver(pre_delete, sender=Citation, dispatch_uid="timeline.citation_pre_delete")
@receiver(pre_delete, sender=Claim, dispatch_uid="timeline.claim_pre_delete")
def mark_deleted_with_event(sender, instance, origin=None, **kwargs):
    # The origin is the deleted event, or a queryset of events.
    if isinstance(origin, Event) or getattr(origin, "model", None) is Event:
        instance._history_date = _deletion_time(origin)
        instance._change_reason = DELETED_WITH_EVENT


@receiver(
    pre_create_historical_record,
    sender=Event.history.model,
    dispatch_uid="timeline.event_history_timelines",
)
def store_deleted_event_timelines(sender, instance, history_instance, **kwargs):
    if history_instance.history_type == "-":
        history_instance.timeline_ids = getattr(instance, "_timeline_ids", [])


@receiver(post_save, sender=Source, dispatch_uid="timeline.source_rereads_dates")
def reread_dates(sender, instance, raw=False, using="default", **kwargs):
    """Resolve the dates in the source's quotes again when its publication date changed
    (the admin, the API, imports alike), and move their events' versions: their date
    evidence changed."""
    if raw:
        return
    publication = instance.publication
    reference = "" if publication is None else str(publication)
    stale = DateMention.objects.using(using).filter(citation__source=instance)
    stale = stale.exclude(reference=reference).values("citation_id")
    citations = list(Citation.objects.using(using).filter(pk__in=stale).order_by("pk"))
    if not citations:
        return
    for citation in citations:
        citation.source = instance
    DateMention.objects.using(using).refresh(citations)
    Event.objects.using(using).filter(pk__in={c.event_id for c in citations}).update(
        version=F("version") + 1, updated_at=timezone.now()
    )

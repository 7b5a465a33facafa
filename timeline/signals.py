"""Keep what ``services.event_restore`` needs to bring a deleted event back.

The event and the citations and claims deleted with it (CASCADE) share one
deletion timestamp and reason, and the event's deletion record notes its timelines.
"""

from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from timeline.models import Citation, Claim, Event

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

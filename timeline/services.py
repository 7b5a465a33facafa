"""Writes that span models. Keyword-only, typed, atomic.

Each records history (who, and why when it is not obvious) and moves the
versions of what it changes, so API clients holding an old ETag are refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, Max, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from sources.anchoring import AnchorError
from sources.models import Source
from sources.versioning import VersionConflict, one_revision, record_revision
from timeline import generations
from timeline.evidence import UNSUPPORTED
from timeline.history import related_at
from timeline.models import (
    ANCHOR_FIELDS,
    READING_FIELDS,
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    Event,
    Place,
    Tag,
    Timeline,
)
from timeline.signals import DELETED_WITH_EVENT


@dataclass
class ReanchorReport:
    anchored: int = 0
    unanchored: list[Citation] = field(default_factory=list)


@transaction.atomic
def source_save(*, source: Source, user=None) -> ReanchorReport | None:
    """Save a source; when its text changed, re-anchor its citations and say how it went."""
    fingerprint = source.text_sha256  # of the text as loaded: save() derives it anew
    created = source.pk is None
    source.save()
    if created or source.text_sha256 == fingerprint:
        return None
    return source_reanchor_citations(source=source, user=user)


@transaction.atomic
def source_reanchor_citations(*, source: Source, user=None) -> ReanchorReport:
    """Re-anchor every citation of a source after its text changed.

    A quote that no longer anchors is kept (unanchored) and reported, never
    deleted: an editor decides what to do with it.
    """
    report = ReanchorReport()
    # Lock the citing events before their citations, in the order every
    # writer takes them, so that concurrent edits wait instead of deadlocking.
    citing = Citation.objects.filter(source=source).values("event_id")
    list(Event.objects.filter(pk__in=citing).select_for_update().values_list("pk"))
    citations = list(source.citations.select_for_update().order_by("pk"))
    changed = []
    for citation in citations:
        citation.source = source  # the caller's instance holds the new text
        before = [getattr(citation, name) for name in ANCHOR_FIELDS]
        try:
            citation.anchor()
            report.anchored += 1
        except AnchorError:
            citation.clear_anchor()
            report.unanchored.append(citation)
        if [getattr(citation, name) for name in ANCHOR_FIELDS] != before:
            citation.version += 1
            changed.append(citation)
    if changed:
        # One UPDATE for all, bypassing save(), which would retry a failed anchor.
        bulk_update_with_history(
            changed,
            Citation,
            [*ANCHOR_FIELDS, "version"],
            default_user=user,
            default_change_reason=f"Re-anchored in the new text of source {source.pk}",
        )
        events_touch(event_ids={citation.event_id for citation in changed})
    return report


@transaction.atomic
def event_save(
    *,
    event: Event,
    actors: Iterable[Actor] | None = None,
    tags: Iterable[Tag] | None = None,
    citations: list[dict] | None = None,
    user=None,
) -> Event:
    """Save an event with its actors and tags (None: leave them), as one revision.

    ``citations``, when given, is the event's whole list: dicts of a
    citation's fields (``source``, ``quote``, ``locator``, ``note``); one with
    the ``id`` of the event's citation changes it, one without adds one, and
    the event's citations left out are deleted. The caller has validated them.
    """
    with one_revision(event, user=user):
        event.save()  # checks the version the event was loaded with
        for name, related in (("actors", actors), ("tags", tags)):
            if related is not None:
                getattr(event, name).set(related)
    if citations is not None:
        existing = {citation.pk: citation for citation in event.citations.select_related("source")}
        kept = {item["id"] for item in citations if "id" in item}
        saving = []
        for item in citations:
            values = {name: value for name, value in item.items() if name != "id"}
            citation = existing.get(item.get("id")) or Citation(event=event)
            if citation.pk is None or any(getattr(citation, n) != v for n, v in values.items()):
                for name, value in values.items():
                    setattr(citation, name, value)
                saving.append(citation)
        deleting = [citation for pk, citation in existing.items() if pk not in kept]
        citations_save(saving=saving, deleting=deleting)
    return event


@transaction.atomic
def citations_save(*, saving: Iterable[Citation], deleting: Iterable[Citation] = ()) -> None:
    """Save and delete citations of one event, validated by the caller (the API, the admin).

    Two of them may swap quotes in one save: the changed ones are moved out
    of the (event, source, quote) constraint's way first.
    """
    for citation in deleting:
        citation.delete()
    saving = list(saving)
    moving = [citation.pk for citation in saving if citation.pk is not None]
    if moving:
        Citation.objects.filter(pk__in=moving).update(
            quote=Concat(Value("moving "), Cast("pk", CharField()))
        )
    for citation in saving:
        citation.save()


@transaction.atomic
def versioned_delete(*, obj, version: int, touch_events: Iterable[int] = ()) -> None:
    """Delete a row only at the version its editor read; else ``VersionConflict``.

    The version is claimed in one conditional UPDATE before the delete; the
    events whose version covers the row (a citation's, a claim's) move too,
    locked first as every writer locks them.
    """
    if touch_events:
        events_touch(event_ids=touch_events)
    rows = type(obj).objects.filter(pk=obj.pk)
    if not rows.filter(version=version).update(version=F("version") + 1):
        raise VersionConflict(obj, rows.values_list("version", flat=True).first() or version)
    obj.version = version + 1
    obj.delete()


def events_touch(*, event_ids: Iterable[int]) -> None:
    """Move the versions of events whose citations changed.

    An event's version covers its citations, so that a client holding the
    event cannot overwrite a citation changed since it read it.
    """
    Event.objects.filter(pk__in=list(event_ids)).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    generations.advance()


@transaction.atomic
def citation_save(*, citation: Citation, left_event_id: int | None = None) -> Citation:
    """Save a citation written on its own, moving its event's version (and the one it left).

    An event's version covers its citations. The events are locked first, in
    the order every writer locks them (event rows, then theirs): no deadlock.
    """
    events_touch(event_ids={citation.event_id, left_event_id} - {None})
    citation.save()
    return citation


@transaction.atomic
def claim_save(
    *,
    claim: Claim,
    citations: Iterable[Citation] | None,
    user=None,
    reason="",
    touch_events: Iterable[int | None] = (),
) -> Claim:
    """Save a claim and set the citations that state it (None: leave them), as one revision.

    The caller has validated both (``full_clean``, ``clean_citations``). A
    claim written on its own moves its event's version, and the one it left
    (``touch_events``), as ``citation_save`` does; on its event's page, the
    event's own save has moved it.
    """
    if touch_events:
        events_touch(event_ids={claim.event_id, *touch_events} - {None})
    with one_revision(claim, user=user, reason=reason):
        claim.save()
        if citations is not None:
            claim.citations.set(citations)
    return claim


@transaction.atomic
def property_save(*, prop: ClaimProperty, kind_before: str, user=None) -> ClaimProperty:
    """Save a property; when its kind changed, read its claims again."""
    prop.save()
    if prop.kind != kind_before:
        property_reread_claims(prop=prop, user=user)
    return prop


@transaction.atomic
def property_reread_claims(*, prop: ClaimProperty, user=None) -> int:
    """Read a property's claims again after its kind changed; returns how many now read anew.

    Call it after the change is validated (``ClaimProperty.clean`` refuses a
    kind that one of its claims cannot take).
    """
    changed = []
    for claim in prop.claims.select_for_update().order_by("pk"):
        claim.property = prop
        key_before = claim.comparison_key
        claim.derive_comparison_key()
        if claim.comparison_key != key_before:
            claim.version += 1
            changed.append(claim)
    if changed:
        Claim.objects.bulk_update(changed, [*READING_FIELDS, "version"])
        for claim in changed:
            # One revision each, with its citations (a bulk record would lose them).
            if user is not None:
                claim._history_user = user
            claim._change_reason = f"Read again as {prop.get_kind_display()}"
            record_revision(claim)
        events_touch(event_ids={claim.event_id for claim in changed})
    return len(changed)


def _matching(events: Iterable[Event] | QuerySet[Event]) -> QuerySet[Event]:
    """The events as one queryset, without loading a queryset's rows."""
    if isinstance(events, QuerySet):
        return Event.objects.filter(pk__in=events.values("pk"))
    return Event.objects.filter(pk__in=[event.pk for event in events])


def _set_published_at(events, *, published: bool, user, reason: str) -> int:
    now = timezone.now()
    to_change = list(
        _matching(events).filter(published_at__isnull=published).select_for_update().order_by("pk")
    )
    Event.objects.filter(pk__in=[event.pk for event in to_change]).update(
        published_at=now if published else None, updated_at=now, version=F("version") + 1
    )
    generations.advance()
    for event in to_change:
        event.published_at = now if published else None
        event.updated_at = now
        event.version += 1
        # One revision each, with the actors and tags (a bulk record would lose them).
        if user is not None:
            event._history_user = user
        event._change_reason = reason
        record_revision(event)
    return len(to_change)


class UnsupportedDates(ValidationError):
    """Drafts not published: no cited quote states their date, no note explains it."""

    def __init__(self, events: list[Event]):
        named = ", ".join(f"“{event.title}” ({event.date})" for event in events[:5])
        more = f" and {len(events) - 5} more" if len(events) > 5 else ""
        super().__init__(
            {
                "date": f"No cited quote states the date of {named}{more}, and no note says "
                "how it was derived. Cite a quote that states it, make the date as wide as "
                "the sources say, or write how it was worked out in “How the date was "
                "derived” (date_note)."
            }
        )
        self.events = events


@transaction.atomic
def events_publish(*, events: Iterable[Event] | QuerySet[Event], user=None) -> int:
    """Publish drafts now; already published events keep their date.

    Refused (UnsupportedDates, a ValidationError on ``date``) while a draft's date is
    unsupported: the public only sees dates a cited quote states or the editors explain.
    """
    drafts = _matching(events).drafts().with_date_evidence()
    refused = list(drafts.filter(date_evidence=UNSUPPORTED).order_by("pk"))
    if refused:
        raise UnsupportedDates(refused)
    return _set_published_at(events, published=True, user=user, reason="Published")


@transaction.atomic
def events_unpublish(*, events: Iterable[Event] | QuerySet[Event], user=None) -> int:
    """Turn published events back into drafts."""
    return _set_published_at(events, published=False, user=user, reason="Unpublished")


@transaction.atomic
def timeline_save(*, timeline: Timeline, events: Iterable[Event] | None = None, user=None):
    """Save a timeline and (None: leave them) the events in it, as one revision."""
    with one_revision(timeline, user=user):
        timeline.save()
        if events is not None:
            timeline.events.set(events)
    return timeline


@transaction.atomic
def timeline_set_published(*, timeline: Timeline, published: bool, user=None) -> Timeline:
    """Publish a draft timeline now, or turn a published one back into a draft."""
    if timeline.is_published != published:
        timeline.published_at = timezone.now() if published else None
        with one_revision(timeline, user=user, reason="Published" if published else "Unpublished"):
            timeline.save(update_fields=["published_at", "updated_at"])
    return timeline


class NotRestorable(Exception):
    """The deleted event cannot be brought back as it was; the message says why."""


def deleted_events():
    """The last deletion record of each event not restored since, newest first."""
    deletions = Event.history.filter(history_type="-").exclude(id__in=Event.objects.values("pk"))
    last = deletions.values("id").annotate(last=Max("history_id")).values("last")
    return (
        deletions.filter(history_id__in=last)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )


@transaction.atomic
def event_restore(*, event_id: int, user=None) -> Event:
    """Bring a deleted event back: its fields, actors, tags, timelines, citations and claims.

    The event returns as a draft with its old id; an editor publishes it
    again. Citations and claims deleted with it return too (those deleted on
    their own before stay deleted), citations anchored in their sources'
    current text, claims citing what they cited. A place, actor, tag,
    timeline, source, property or event it was part of deleted since stays
    deleted and is left out, with the claims of that property. A claim that
    its property's kind, changed since, cannot read comes back compared as
    words, for an editor to correct: a restore loses nothing it can bring back.
    """
    if Event.objects.filter(pk=event_id).exists():
        raise NotRestorable(f"Event {event_id} is not deleted.")
    deletion = Event.history.filter(id=event_id, history_type="-").order_by("-history_id").first()
    if deletion is None:
        raise NotRestorable(f"No deleted event has id {event_id}.")
    if Event.objects.filter(slug=deletion.slug).exists():
        raise NotRestorable(
            f"Another event now uses the slug “{deletion.slug}”; change its slug first."
        )
    last_state = (
        Event.history.filter(id=event_id).exclude(history_type="-").order_by("-history_id").first()
    )
    event = deletion.instance
    event.published_at = None
    event.version = deletion.version + 1
    # What was deleted since (a place, an actor, a source) stays deleted.
    if event.place_id and not Place.objects.filter(pk=event.place_id).exists():
        event.place = None
    if event.super_event_id and not Event.objects.filter(pk=event.super_event_id).exists():
        event.super_event = None
    reason = "Restored after deletion"
    with one_revision(event, user=user, reason=reason, created=True):
        event.save(force_insert=True)
        if last_state is not None:
            actor_ids = {row.actor_id for row in last_state.actors.all()}
            tag_ids = {row.tag_id for row in last_state.tags.all()}
            event.actors.set(Actor.objects.filter(pk__in=actor_ids))
            event.tags.set(Tag.objects.filter(pk__in=tag_ids))
    for timeline in Timeline.objects.filter(pk__in=deletion.timeline_ids):
        with one_revision(timeline, user=user, reason=f"Restored event {event.slug}"):
            timeline.save(update_fields=["updated_at"])
            timeline.events.add(event)
    cited = Citation.history.filter(
        event_id=event_id,
        history_type="-",
        history_change_reason=DELETED_WITH_EVENT,
        history_date=deletion.history_date,
        source_id__in=Source.objects.values("pk"),
    ).order_by("id")
    for record in cited:
        citation = record.instance
        citation.version = record.version + 1
        if user is not None:
            citation._history_user = user
        citation._change_reason = reason
        citation.save(force_insert=True)
    _restore_claims(event, deletion, user=user, reason=reason)
    return event


def _restore_claims(event: Event, deletion, *, user, reason: str) -> None:
    """The claims deleted with the event, citing the restored citations they cited."""
    deleted = Claim.history.filter(
        event_id=event.pk,
        history_type="-",
        history_change_reason=DELETED_WITH_EVENT,
        history_date=deletion.history_date,
        property_id__in=ClaimProperty.objects.values("pk"),
    ).order_by("id")
    restored_citations = set(event.citations.values_list("pk", flat=True))
    # The deletion records have lost the links: they are in each claim's last
    # state before it, its newest other record (a deleted claim has no later one).
    last_states = dict(
        Claim.history.filter(id__in=[record.id for record in deleted])
        .exclude(history_type="-")
        .order_by("history_id")
        .values_list("id", "history_id")
    )
    cited_at = related_at(Claim, "citations", last_states.values())
    for record in deleted:
        cited = set(cited_at.get(last_states.get(record.id), [])) & restored_citations
        if not cited:
            continue  # a claim needs a citation: none of its own came back
        claim = record.instance
        claim.version = record.version + 1
        with one_revision(claim, user=user, reason=reason, created=True):
            claim.save(force_insert=True)
            claim.citations.set(sorted(cited))

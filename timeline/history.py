"""An event's revisions, field by field, from its history and its citations' and claims'.

Each revision is compared with the previous revision of the same object, so
a client sees exactly what changed, by whom and when. Derived fields (the
dates' bounds, the anchors' context, versions, timestamps) are left out:
they change only because something shown here changed.
"""

import datetime
import decimal
from itertools import pairwise

from django.apps import apps

from timeline.models import (
    INDEX_ONLY_FIELDS,
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    Event,
    Place,
    Tag,
)

HIDDEN_FIELDS = {
    "version",
    "created_at",
    "updated_at",
    "start",
    "end",
    "precision",
    *INDEX_ONLY_FIELDS,
    "exact",
    "prefix",
    "suffix",
    "timeline_ids",
    "comparison_key",
}
TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _fields(model) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in HIDDEN_FIELDS and field.name != "id"
    ]


def _slugs(model, ids: set[int]) -> dict[int, str]:
    found = dict(model.objects.filter(pk__in=ids).values_list("pk", "slug"))
    # A related object deleted since keeps a readable name.
    return {pk: found.get(pk, f"{model._meta.model_name} #{pk}") for pk in ids}


def _changes(old: dict | None, new: dict) -> list[dict]:
    if old is None:  # created: every field that has a value
        return [
            {"field": name, "old": None, "new": value}
            for name, value in new.items()
            if value not in ("", None, [])
        ]
    return [
        {"field": name, "old": old[name], "new": value}
        for name, value in new.items()
        if old[name] != value
    ]


def _revisions(kind: str, records: list, snapshots: dict[int, dict]) -> list[dict]:
    """Revisions of one kind of object, each compared with the one before it."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    revisions = []
    for object_records in by_object.values():
        for previous, record in pairwise([None, *object_records]):
            deleted = record.history_type == "-"
            before = snapshots[previous.history_id] if previous is not None else None
            revisions.append(
                {
                    "object": kind,
                    "id": record.id,
                    "history_id": record.history_id,
                    "type": TYPES[record.history_type],
                    "at": record.history_date,
                    "user": record.history_user.get_username() if record.history_user else None,
                    "reason": record.history_change_reason or "",
                    "version": record.version,
                    "changes": [] if deleted else _changes(before, snapshots[record.history_id]),
                }
            )
            if deleted and before is not None:
                # A deletion record has lost the relations; a restore is
                # compared with the state before the deletion.
                snapshots[record.history_id] = before
    return revisions


def event_revisions(event_id: int) -> list[dict]:
    """Every revision of the event, of its citations and of its claims, newest first."""
    event_records = list(
        Event.history.filter(id=event_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    # The tracked relations as they were at each revision, one query each.
    related_at = {}
    for name, column in (("actors", "actor_id"), ("tags", "tag_id")):
        rows = apps.get_model("timeline", f"HistoricalEvent_{name}").objects.filter(
            history_id__in=[record.history_id for record in event_records]
        )
        related_at[name] = {}
        for history_id, related_id in rows.values_list("history_id", column):
            related_at[name].setdefault(history_id, set()).add(related_id)
    citation_records = list(
        Citation.history.filter(event_id=event_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    actors = _slugs(Actor, set().union(*related_at["actors"].values()))
    tags = _slugs(Tag, set().union(*related_at["tags"].values()))
    places = _slugs(Place, {r.place_id for r in event_records if r.place_id})
    source_titles = dict(
        Citation.source.field.related_model.objects.filter(
            pk__in={r.source_id for r in citation_records}
        ).values_list("pk", "title")
    )

    event_fields, citation_fields = _fields(Event), _fields(Citation)
    event_snapshots = {}
    for record in event_records:
        snapshot = {field.name: _plain(getattr(record, field.attname)) for field in event_fields}
        snapshot["place"] = places.get(record.place_id)
        snapshot["actors"] = sorted(
            actors[pk] for pk in related_at["actors"].get(record.history_id, ())
        )
        snapshot["tags"] = sorted(tags[pk] for pk in related_at["tags"].get(record.history_id, ()))
        event_snapshots[record.history_id] = snapshot
    citation_snapshots = {}
    for record in citation_records:
        snapshot = {field.name: _plain(getattr(record, field.attname)) for field in citation_fields}
        snapshot.pop("event")  # always this event
        snapshot["source"] = source_titles.get(record.source_id, f"source #{record.source_id}")
        citation_snapshots[record.history_id] = snapshot

    revisions = (
        _revisions("event", event_records, event_snapshots)
        + _revisions("citation", citation_records, citation_snapshots)
        + _revisions("claim", *_claim_snapshots(event_id))
    )
    revisions.sort(key=lambda revision: (revision["at"], revision["history_id"]), reverse=True)
    return revisions


def _claim_snapshots(event_id: int) -> tuple[list, dict[int, dict]]:
    """The event's claims' history records, and each one's state: citations by id."""
    records = list(
        Claim.history.filter(event_id=event_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    cited_at: dict[int, list[int]] = {}
    rows = apps.get_model("timeline", "HistoricalClaimCitation").objects.filter(
        history_id__in=[record.history_id for record in records]
    )
    for history_id, citation_id in rows.order_by("citation_id").values_list(
        "history_id", "citation_id"
    ):
        cited_at.setdefault(history_id, []).append(citation_id)
    # A property deleted before a backup was taken is null in the history it restores.
    properties = _slugs(ClaimProperty, {r.property_id for r in records if r.property_id})
    fields = _fields(Claim)
    snapshots = {}
    for record in records:
        snapshot = {field.name: _plain(getattr(record, field.attname)) for field in fields}
        snapshot.pop("event")  # always this event
        snapshot["property"] = properties.get(record.property_id)
        snapshot["citations"] = cited_at.get(record.history_id, [])
        snapshots[record.history_id] = snapshot
    return records, snapshots

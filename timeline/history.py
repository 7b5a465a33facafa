"""An event's revisions, field by field, from its history and its citations' and claims'.

Derived fields (date bounds, anchor context, versions, timestamps) are left
out: they change only because something shown here changed.
"""

import datetime
import decimal

from sources.models import Source
from timeline.models import (
    DATE_FIELDS,
    INDEX_ONLY_FIELDS,
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    Event,
    Place,
    Tag,
)
from timeline.models.claims import INTERVAL_FIELDS

HIDDEN_FIELDS = {
    *("id", "event", "version", "created_at", "updated_at", *DATE_FIELDS, *INDEX_ONLY_FIELDS),
    *("exact", "prefix", "suffix", "timeline_ids", "comparison_key"),
    *INTERVAL_FIELDS,  # derived from a claim's value, and not kept in its history
}
TYPES = {"+": "created", "~": "changed", "-": "deleted"}


def relation_history(model, name: str):
    """The model of a tracked many-to-many relation's rows as each history record saw them."""
    return getattr(model.history.model, name).model


def grouped_ids(rows, key: str, value: str) -> dict[int, list[int]]:
    """Each key's values, sorted, from a queryset's rows."""
    found: dict[int, list[int]] = {}
    for owner, related in rows.values_list(key, value):
        found.setdefault(owner, []).append(related)
    return {owner: sorted(ids) for owner, ids in found.items()}


def related_at(model, name: str, history_ids) -> dict[int, list[int]]:
    """Each history record's related ids, sorted, as the record saw them."""
    rows = relation_history(model, name).objects.filter(history_id__in=history_ids)
    target = model._meta.get_field(name).related_model
    return grouped_ids(rows, "history_id", f"{target._meta.model_name}_id")


def _plain(value):
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return str(value) if isinstance(value, decimal.Decimal) else value


def _slugs(model, ids) -> dict[int, str]:
    found = dict(model.objects.filter(pk__in=ids).values_list("pk", "slug"))
    # A related object deleted since keeps a readable name.
    return {pk: found.get(pk, f"{model._meta.model_name} #{pk}") for pk in ids}


def _records(model, **filters) -> list:
    records = model.history.filter(**filters).select_related("history_user")
    return list(records.order_by("history_date", "history_id"))


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


def _revisions(model, records: list, related) -> list[dict]:
    """Each record of one kind of object, compared with the one before it of the same object.

    ``related(record)`` names the record's references as readers know them.
    """
    fields = [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]
    revisions: list[dict] = []
    last: dict[int, dict] = {}
    for record in records:
        state = {f.name: _plain(getattr(record, f.attname)) for f in fields} | related(record)
        before = last.get(record.id)
        deleted = record.history_type == "-"
        revisions.append(
            {
                "object": model._meta.model_name,
                "id": record.id,
                "history_id": record.history_id,
                "type": TYPES[record.history_type],
                "at": record.history_date,
                "user": record.history_user.get_username() if record.history_user else None,
                "reason": record.history_change_reason or "",
                "version": record.version,
                "changes": [] if deleted else _changes(before, state),
            }
        )
        # A deletion record has lost the relations: a restore is compared
        # with the state before the deletion.
        last[record.id] = before if deleted and before is not None else state
    return revisions


def event_revisions(event_id: int) -> list[dict]:
    """Every revision of the event, of its citations and of its claims, newest first."""
    events = _records(Event, id=event_id)
    citations = _records(Citation, event_id=event_id)
    claims = _records(Claim, event_id=event_id)
    # The tracked relations as they were at each revision, one query each.
    actors_at = related_at(Event, "actors", [r.history_id for r in events])
    tags_at = related_at(Event, "tags", [r.history_id for r in events])
    cited_at = related_at(Claim, "citations", [r.history_id for r in claims])
    actors = _slugs(Actor, {pk for ids in actors_at.values() for pk in ids})
    tags = _slugs(Tag, {pk for ids in tags_at.values() for pk in ids})
    places = _slugs(Place, {r.place_id for r in events} - {None})
    super_events = _slugs(Event, {r.super_event_id for r in events} - {None})
    # A property deleted before a backup was taken is null in the history it restores.
    properties = _slugs(ClaimProperty, {r.property_id for r in claims} - {None})
    titles = dict(
        Source.objects.filter(pk__in={r.source_id for r in citations}).values_list("pk", "title")
    )
    revisions = [
        *_revisions(
            Event,
            events,
            lambda r: {
                "place": places.get(r.place_id),
                "super_event": super_events.get(r.super_event_id),
                "actors": sorted(actors[pk] for pk in actors_at.get(r.history_id, ())),
                "tags": sorted(tags[pk] for pk in tags_at.get(r.history_id, ())),
            },
        ),
        *_revisions(
            Citation,
            citations,
            lambda r: {"source": titles.get(r.source_id, f"source #{r.source_id}")},
        ),
        *_revisions(
            Claim,
            claims,
            lambda r: {
                "property": properties.get(r.property_id),
                "citations": cited_at.get(r.history_id, []),
            },
        ),
    ]
    revisions.sort(key=lambda revision: (revision["at"], revision["history_id"]), reverse=True)
    return revisions

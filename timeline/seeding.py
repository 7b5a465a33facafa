"""Load the demo timeline from ``timeline.seed_data``.

It only adds what is missing, so running it again (``make run`` does, every
time) never overwrites an editor's work; ``update=True`` brings seeded
objects back to the seed's values. Runs at once (two containers starting
together) take turns: the second finds the first's work done.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from sources.models import Source
from sources.versioning import one_revision
from timeline import seed_data
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.services import events_touch, source_save

SEED_REASON = "manage.py seed"
# The key of the PostgreSQL advisory lock that seed runs take turns on (any
# number no other lock here uses: "seed" in ASCII).
SEED_LOCK = 0x73656564


@dataclass
class SeedReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    texts_attached: int = 0
    missing_texts: list[str] = field(default_factory=list)
    unanchored: list[Citation] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.texts_attached)


def _upsert(model, lookup, values, *, update, report, on_create=None, relations=None):
    """The object, and "created", "updated" or None: created if missing; with ``update``,
    reset to ``values`` and ``relations`` (many-to-many, saved in the same revision).

    ``on_create`` values (publication) are left as editors made them.
    """
    obj = model.objects.filter(**lookup).first()
    created = obj is None
    relations = relations or {}
    if created:
        obj = model(**lookup, **(on_create or {}))
    elif not update:
        return obj, None
    else:
        values = {name: value for name, value in values.items() if getattr(obj, name) != value}
        relations = {
            name: related
            for name, related in relations.items()
            if set(getattr(obj, name).all()) != set(related)
        }
        if not (values or relations):
            return obj, None
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    with one_revision(obj, reason=SEED_REASON):
        obj.save()
        for name, related in relations.items():
            getattr(obj, name).set(related)
    (report.created if created else report.updated)[model._meta.verbose_name_plural] += 1
    return obj, "created" if created else "updated"


def _split(item: dict) -> tuple[dict, dict]:
    """A seeded lookup's slug, and its other values."""
    return {"slug": item["slug"]}, {k: v for k, v in item.items() if k != "slug"}


def _take_turns() -> None:
    """On PostgreSQL, wait for any other seed run to commit; hold the turn until this
    transaction ends.

    Two runs would otherwise both find a row missing and both insert it: an
    IntegrityError. SQLite takes no lock here: it lets one writer at a time, so
    nothing is ever inserted twice; a run that meets another's write stops with
    "database is locked", its transaction rolled back, and can simply run again.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK])


@transaction.atomic
def seed_timeline(*, seed_dir: Path, update: bool = False) -> SeedReport:
    _take_turns()
    report = SeedReport()
    now = timezone.now()
    upsert = partial(_upsert, update=update, report=report)

    sources = {}
    for item in seed_data.SOURCES:
        values = {
            k: item[k] for k in ("title", "publisher", "published_between", "language", "notes")
        }
        source = sources[item["slug"]] = upsert(Source, {"slug": item["slug"]}, values)[0]
        path = seed_dir / item["file"]
        if not path.is_file():
            report.missing_texts.append(item["file"])
            continue
        text = path.read_text(encoding="utf-8")
        # Attach a missing text; replace a different one only when asked to.
        if text != source.text and (update or not source.text):
            source.text = text
            source.retrieved_at = datetime.datetime.fromtimestamp(
                path.stat().st_mtime, tz=datetime.UTC
            )
            source._change_reason = SEED_REASON
            report.texts_attached += 1
            report.unanchored += source_save(source=source).unanchored

    lookups = {}
    for model, items in (
        (Actor, seed_data.ACTORS),
        (Place, seed_data.PLACES),
        (Tag, seed_data.TAGS),
    ):
        for item in items:
            lookup, values = _split(item)
            if model is Place:
                for k in ("latitude", "longitude"):
                    values[k] = None if values[k] is None else Decimal(values[k])
            lookups[model, item["slug"]] = upsert(model, lookup, values)[0]

    timeline = upsert(Timeline, *_split(seed_data.TIMELINE), on_create={"published_at": now})[0]
    joining, events = [], {}
    for item in seed_data.EVENTS:
        values = {k: item[k] for k in ("title", "summary", "date", "display_date", "status")}
        values["date_note"] = item.get("date_note", "")
        values["place"] = lookups[Place, item["place"]] if item["place"] else None
        super_event, values["day_order"] = seed_data.EVENT_PARTS.get(item["slug"], (None, 0))
        values["super_event"] = events[super_event] if super_event else None
        event, done = upsert(
            Event,
            {"slug": item["slug"]},
            values,
            on_create={"published_at": now},
            relations={
                "actors": {lookups[Actor, slug] for slug in item["actors"]},
                "tags": {lookups[Tag, slug] for slug in item["tags"]},
            },
        )
        events[item["slug"]] = event
        created = done == "created"
        if not (created or update):
            continue
        if created or not timeline.events.filter(pk=event.pk).exists():
            joining.append(event)
        for cited in item["citations"]:
            lookup = {"event": event, "source": sources[cited["source"]], "quote": cited["quote"]}
            upsert(Citation, lookup, {"note": cited["note"]})
    if joining:
        # One membership revision for the timeline, not one per event.
        with one_revision(timeline, reason=SEED_REASON):
            timeline.save(update_fields=["updated_at"])
            timeline.events.add(*joining)

    # Claims are added to an event that never had any: once editors have
    # worked on its claims, one they deleted stays deleted.
    properties = {
        item["slug"]: upsert(ClaimProperty, *_split(item))[0] for item in seed_data.PROPERTIES
    }
    event_ids = [event.pk for event in events.values()]
    claimed = set(Claim.history.filter(event_id__in=event_ids).values_list("event_id", flat=True))
    touched = set()
    for item in seed_data.CLAIMS:
        event = events[item["event"]]
        if not (update or event.pk not in claimed):
            continue
        citations = [
            Citation.objects.get(event=event, source=sources[source], quote=quote)
            for source, quote in item["citations"]
        ]
        Claim(event=event).clean_citations(citations)
        values = {
            "normalized_as": item.get("normalized_as", ""),
            "rank": item.get("rank", "normal"),
            "rank_note": item.get("rank_note", ""),
        }
        lookup = {"event": event, "property": properties[item["property"]], "value": item["value"]}
        if upsert(Claim, lookup, values, relations={"citations": citations})[1] == "updated":
            touched.add(event.pk)
    if touched:
        # An event's version covers its claims, as it covers its citations.
        events_touch(event_ids=touched)
    return report

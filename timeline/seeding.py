"""Load the demo timeline from ``timeline.seed_data`` (idempotent).

By default the seed only adds what is missing, so running it again (``make
run`` does, every time) never overwrites an editor's work. ``update=True``
brings seeded objects back to the seed's values. Article texts are attached
from the seed directory when it is present; the repository never holds them.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from sources.models import Source
from sources.versioning import one_revision
from timeline import seed_data
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.services import claim_save, events_touch, source_reanchor_citations

SEED_REASON = "manage.py seed"


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


def _upsert(
    model: type[models.Model],
    slug: str,
    values: dict,
    *,
    update: bool,
    report: SeedReport,
    on_create: dict | None = None,
    relations: dict[str, set] | None = None,
):
    """Create the object if it is missing; with ``update``, reset changed fields.

    ``on_create`` holds values set only on creation (publication), which an
    update leaves as editors made them. ``relations`` are many-to-many sets,
    saved in the same history revision as the fields.
    """
    label = model._meta.verbose_name_plural
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        obj = model(slug=slug, **values, **(on_create or {}))
        obj.full_clean()
        with one_revision(obj, reason=SEED_REASON):
            obj.save()
            for name, related in (relations or {}).items():
                getattr(obj, name).set(related)
        report.created[label] += 1
        return obj, True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    changed_relations = {
        name: related
        for name, related in (relations or {}).items()
        if update and set(getattr(obj, name).all()) != set(related)
    }
    if update and (changed or changed_relations):
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        with one_revision(obj, reason=SEED_REASON):
            obj.save()
            for name, related in changed_relations.items():
                getattr(obj, name).set(related)
        report.updated[label] += 1
    return obj, False


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


@transaction.atomic
def seed_timeline(*, seed_dir: Path, update: bool = False) -> SeedReport:
    report = SeedReport()
    now = timezone.now()

    sources = {}
    for item in seed_data.SOURCES:
        values = {k: item[k] for k in ("title", "publisher", "language", "notes")}
        source, _ = _upsert(Source, item["slug"], values, update=update, report=report)
        sources[item["slug"]] = source
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
            source.save()
            report.texts_attached += 1
            report.unanchored += source_reanchor_citations(source=source).unanchored

    lookups = {}
    lookup_data = ((Actor, seed_data.ACTORS), (Place, seed_data.PLACES), (Tag, seed_data.TAGS))
    for model, items in lookup_data:
        for item in items:
            values = {k: v for k, v in item.items() if k != "slug"}
            if model is Place:
                values["latitude"] = _decimal(values["latitude"])
                values["longitude"] = _decimal(values["longitude"])
            lookups[model, item["slug"]], _ = _upsert(
                model, item["slug"], values, update=update, report=report
            )

    timeline, _ = _upsert(
        Timeline,
        seed_data.TIMELINE["slug"],
        {k: v for k, v in seed_data.TIMELINE.items() if k != "slug"},
        update=update,
        report=report,
        on_create={"published_at": now},
    )

    joining, events = [], {}
    for item in seed_data.EVENTS:
        values = {k: item[k] for k in ("title", "summary", "date", "display_date", "status")} | {
            "place": lookups[Place, item["place"]] if item["place"] else None
        }
        event, created = _upsert(
            Event,
            item["slug"],
            values,
            update=update,
            report=report,
            on_create={"published_at": now},
            relations={
                "actors": {lookups[Actor, slug] for slug in item["actors"]},
                "tags": {lookups[Tag, slug] for slug in item["tags"]},
            },
        )
        events[item["slug"]] = event
        if not (created or update):
            continue
        if created or not timeline.events.filter(pk=event.pk).exists():
            joining.append(event)
        for cited in item["citations"]:
            source = sources[cited["source"]]
            citation = Citation.objects.filter(
                event=event, source=source, quote=cited["quote"]
            ).first()
            if citation is None:
                citation = Citation(event=event, source=source, quote=cited["quote"])
                counter = report.created
            elif citation.note != cited["note"]:
                counter = report.updated
            else:
                continue
            citation.note = cited["note"]
            citation.full_clean()
            citation._change_reason = SEED_REASON
            citation.save()
            counter["citations"] += 1
    if joining:
        # One membership revision for the timeline, not one per event.
        with one_revision(timeline, reason=SEED_REASON):
            timeline.save(update_fields=["updated_at"])
            timeline.events.add(*joining)
    _seed_claims(events, sources, update=update, report=report)
    return report


def _seed_claims(events: dict, sources: dict, *, update: bool, report: SeedReport) -> None:
    """The properties, then each event's claims.

    An event's claims are added while it has never had any (no claim in its
    history): once editors have worked on them, a claim they deleted stays
    deleted. ``update`` brings seeded claims back to the seed's values.
    """
    properties = {}
    for item in seed_data.PROPERTIES:
        values = {k: v for k, v in item.items() if k != "slug"}
        properties[item["slug"]], _ = _upsert(
            ClaimProperty, item["slug"], values, update=update, report=report
        )
    claimed = set(
        Claim.history.filter(event_id__in=[e.pk for e in events.values()]).values_list(
            "event_id", flat=True
        )
    )
    never_claimed = {slug for slug, event in events.items() if event.pk not in claimed}
    touched = set()
    for item in seed_data.CLAIMS:
        if not (update or item["event"] in never_claimed):
            continue
        event = events[item["event"]]
        citations = [
            Citation.objects.get(event=event, source=sources[source], quote=quote)
            for source, quote in item["citations"]
        ]
        values = {
            "normalized_as": item.get("normalized_as", ""),
            "rank": item.get("rank", "normal"),
            "rank_note": item.get("rank_note", ""),
        }
        claim = Claim.objects.filter(
            event=event, property=properties[item["property"]], value=item["value"]
        ).first()
        if claim is None:
            claim = Claim(event=event, property=properties[item["property"]], value=item["value"])
            counter = report.created
        elif any(getattr(claim, k) != v for k, v in values.items()) or set(
            claim.citations.all()
        ) != set(citations):
            counter = report.updated
            touched.add(event.pk)
        else:
            continue
        for name, value in values.items():
            setattr(claim, name, value)
        claim.full_clean()
        claim.clean_citations(citations)
        claim_save(claim=claim, citations=citations, reason=SEED_REASON)
        counter["claims"] += 1
    if touched:
        # An event's version covers its claims, as it covers its citations.
        events_touch(event_ids=touched)

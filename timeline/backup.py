"""Back up one timeline as a self-contained JSON document, and restore it elsewhere.

README.md, "Backup and restore", describes the document and the import's rules.
The import writes no history of its own: the document's history *is* the history.
"""

import copy
import datetime
import decimal
import hashlib
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from importlib import metadata

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.color import no_style
from django.core.validators import DecimalValidator
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Max

from sources.anchoring import AnchorError
from sources.models import Source
from timeline import generations
from timeline.claims import disputes
from timeline.history import grouped_ids, related_at
from timeline.history import relation_history as _history_m2m
from timeline.models import (
    INDEX_ONLY_FIELDS,
    READING_FIELDS,
    Actor,
    Citation,
    Claim,
    ClaimProperty,
    DateMention,
    Event,
    Place,
    Tag,
    Timeline,
)

FORMAT = "timeline-export"
VERSION = 1
APP_NAME = "timeline-service"

# Top-level lists of objects that stand on their own, in the order they are written.
LOOKUPS = {
    "sources": Source,
    "places": Place,
    "actors": Actor,
    "tags": Tag,
    "properties": ClaimProperty,
}
# The "history" object: its keys and whose records each holds. Citations come
# before claims: a claim's history may cite a deleted citation.
HISTORY = {**LOOKUPS, "events": Event, "citations": Citation, "claims": Claim, "timeline": Timeline}
# Many-to-many relations, exported as sorted lists of ids (tracked by history too).
RELATIONS = {
    Event: {"actors": Actor, "tags": Tag},
    Claim: {"citations": Citation},
    Timeline: {"events": Event},
}
TOP_LEVEL_KEYS = {"format", "version", "exported_from", "timeline", "events", *LOOKUPS, "history"}
# Keys that version 1 gained with claims (top level, in each event and in
# "history"): a document written before has none of them, and imports without claims.
CLAIM_KEYS = frozenset({"properties", "claims"})
# Fields added to version 1 since its first release: a document written before has none.
ADDED_FIELDS = frozenset({"published_between", "date_note", "super_event", "day_order"})
TIMESTAMPS = ("created_at", "updated_at")
# Derived, and derived again on import: an event's columns kept for indexes,
# and a claim's reading, which depends on its property's kind here.
NOT_IN_DOCUMENT = {Event: INDEX_ONLY_FIELDS, Claim: READING_FIELDS}


class DocumentError(Exception):
    """The document cannot be imported; each problem names its JSON path."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def _error(path: str, message: str) -> DocumentError:
    return DocumentError([(path, message)])


# Values


def _dump(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value) if isinstance(value, decimal.Decimal) else value


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "true or false"
    names = {dict: "an object", list: "a list", str: "a string", int: "an integer"}
    return names.get(type(value), "a number" if isinstance(value, float) else "null")


def _load(field: models.Field, value, path: str):
    """The document's JSON value for a model field, as the field's Python value."""
    if value is None:
        if field.null:
            return None
        raise _error(path, "must not be null")
    if isinstance(field, models.ForeignKey | models.IntegerField):
        if type(value) is not int:
            raise _error(path, f"must be an integer, not {_json_type(value)}")
        integer = field.target_field if isinstance(field, models.ForeignKey) else field
        low, high = connection.ops.integer_field_range(integer.get_internal_type())
        if (low is not None and value < low) or (high is not None and value > high):
            raise _error(path, f"{value} is out of range")
        return value
    if isinstance(field, models.JSONField):  # an event's timelines at deletion
        if not isinstance(value, list) or any(type(item) is not int for item in value):
            raise _error(path, "must be a list of integers")
        return value
    if not isinstance(value, str):
        raise _error(path, f"must be a string, not {_json_type(value)}")
    try:
        if isinstance(field, models.DateTimeField):
            parsed = datetime.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise _error(path, f"“{value}” has no UTC offset")
            return parsed
        if isinstance(field, models.DateField):
            return datetime.date.fromisoformat(value)
        if isinstance(field, models.DecimalField):
            number = decimal.Decimal(value)
            if not number.is_finite():
                raise ValueError
            DecimalValidator(field.max_digits, field.decimal_places)(number)
            return number
    except (ValueError, decimal.InvalidOperation):
        kind = {models.DateTimeField: "a date and time", models.DateField: "a date"}
        raise _error(path, f"“{value}” is not {kind.get(type(field), 'a number')}") from None
    except ValidationError as exc:
        raise _error(path, " ".join(exc.messages)) from None
    if field.max_length is not None and len(value) > field.max_length:
        raise _error(path, f"is {len(value)} characters long; at most {field.max_length} fit")
    return value


def _fields(model, *, without: tuple[str, ...] = ()) -> list[models.Field]:
    without = (*without, *NOT_IN_DOCUMENT.get(model, ()))
    return [f for f in model._meta.concrete_fields if f.name not in without]


def _foreign_keys(model) -> list[models.ForeignKey]:
    """A model's references to other objects (not a history record's to its user)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.name != "history_user"
    ]


def _column(model) -> str:
    return f"{model._meta.model_name}_id"


# Export


def _row(obj: models.Model, fields: list[models.Field]) -> dict:
    return {f.name: _dump(getattr(obj, f.attname)) for f in fields}


def _related(model, name: str, owner_ids) -> dict[int, list[int]]:
    """Each owner's related ids, sorted, from the live many-to-many table."""
    through = model._meta.get_field(name).remote_field.through
    rows = through.objects.filter(**{f"{_column(model)}__in": owner_ids})
    return grouped_ids(rows, _column(model), _column(RELATIONS[model][name]))


def _records(model, **filters) -> list:
    records = model.history.filter(**filters).select_related("history_user")
    return list(records.order_by("history_id"))


def _instance_info() -> dict:
    """Which application and schema wrote the document (informative; not checked)."""
    try:
        version = metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        version = None
    applied = MigrationRecorder(connection).applied_migrations()
    return {
        "app": APP_NAME,
        "app_version": version,
        "migrations": {
            label: max((name for app, name in applied if app == label), default=None)
            for label in ("sources", "timeline")
        },
    }


def export_timeline(timeline: Timeline, *, warnings: list[str] | None = None) -> dict:
    """The timeline and everything it needs, as a JSON-ready document; ``warnings``, when
    given, gets what the document leaves out."""
    events = list(Event.objects.filter(timelines=timeline).order_by("pk"))
    event_ids = [event.pk for event in events]
    # An event part of one outside the timeline: the document names only its own events,
    # so it says the event is part of none (as its history does, below).
    outside = {event.super_event_id for event in events} - {None} - set(event_ids)
    slugs = dict(Event.objects.filter(pk__in=outside).values_list("pk", "slug"))
    for event in events:
        if event.super_event_id in outside:
            if warnings is not None:
                warnings.append(
                    f"Event {event.slug} is part of event {slugs[event.super_event_id]}, which "
                    "is not in this timeline: exported as part of no event."
                )
            event.super_event_id = None
    citations = list(Citation.objects.filter(event_id__in=event_ids).order_by("pk"))
    claims = list(Claim.objects.filter(event_id__in=event_ids).order_by("pk"))
    records = {
        Event: _records(Event, id__in=event_ids),
        # Deleted citations and claims too: the event's history shows them.
        Citation: _records(Citation, event_id__in=event_ids),
        Claim: _records(Claim, event_id__in=event_ids),
        Timeline: _records(Timeline, id=timeline.pk),
    }
    event_history_ids = [r.history_id for r in records[Event]]
    live = {name: _related(Event, name, event_ids) for name in RELATIONS[Event]}
    then = {name: related_at(Event, name, event_history_ids) for name in RELATIONS[Event]}

    # Every place, actor, tag, source and property that the events or their history name.
    wanted = {
        Place: {e.place_id for e in events} | {r.place_id for r in records[Event]},
        Actor: {pk for ids in [*live["actors"].values(), *then["actors"].values()] for pk in ids},
        Tag: {pk for ids in [*live["tags"].values(), *then["tags"].values()] for pk in ids},
        Source: {c.source_id for c in citations} | {r.source_id for r in records[Citation]},
        ClaimProperty: {c.property_id for c in claims} | {r.property_id for r in records[Claim]},
    }
    lookups = {
        model: list(model.objects.filter(pk__in=wanted[model] - {None}).order_by("pk"))
        for model in LOOKUPS.values()
    }
    known = {model: {obj.pk for obj in objs} for model, objs in lookups.items()}
    known[Event] = set(event_ids)
    known[Timeline] = {timeline.pk}
    # A claim's history may cite a citation deleted since: the events' history holds it.
    known[Citation] = {c.pk for c in citations} | {r.id for r in records[Citation]}
    for model in LOOKUPS.values():
        records[model] = _records(model, id__in=known[model])

    citation_fields = _fields(Citation, without=("event",))
    cited: dict[int, list[dict]] = {}
    for citation in citations:
        cited.setdefault(citation.event_id, []).append(_row(citation, citation_fields))
    claim_fields = _fields(Claim, without=("event",))
    stated_by = _related(Claim, "citations", [claim.pk for claim in claims])
    claimed: dict[int, list[dict]] = {}
    for claim in claims:
        claimed.setdefault(claim.event_id, []).append(
            _row(claim, claim_fields) | {"citations": stated_by.get(claim.pk, [])}
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_from": _instance_info(),
        "timeline": _row(timeline, _fields(Timeline)) | {"events": event_ids},
        "events": [
            _row(event, _fields(Event))
            | {name: live[name].get(event.pk, []) for name in RELATIONS[Event]}
            | {"citations": cited.get(event.pk, []), "claims": claimed.get(event.pk, [])}
            for event in events
        ],
        **{
            name: [_row(obj, _fields(model)) for obj in lookups[model]]
            for name, model in LOOKUPS.items()
        },
        "history": {
            name: _export_history(model, records[model], known, timeline)
            for name, model in HISTORY.items()
        },
    }


def _export_history(model, records: list, known: dict, timeline: Timeline) -> list[dict]:
    fields = _fields(model.history.model, without=("history_user",))
    relations = {
        name: related_at(model, name, [r.history_id for r in records])
        for name in RELATIONS.get(model, {})
    }
    rows = []
    for record in records:
        row = _row(record, fields)
        row["history_user"] = record.history_user.get_username() if record.history_user else None
        # Objects deleted before the export cannot be named: null, or left out of lists.
        for f in _foreign_keys(model.history.model):
            if row[f.name] is not None and row[f.name] not in known[f.related_model]:
                row[f.name] = None
        for name, by_record in relations.items():
            target = known[RELATIONS[model][name]]
            row[name] = [pk for pk in by_record.get(record.history_id, []) if pk in target]
        if "timeline_ids" in row:
            row["timeline_ids"] = [pk for pk in row["timeline_ids"] if pk == timeline.pk]
        rows.append(row)
    return rows


def document_to_json(document: dict) -> str:
    """The document as text: sorted keys, so equal data gives equal bytes."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


# Validation


@dataclass
class Row:
    """One object or history record of the document, its values parsed."""

    path: str
    obj: models.Model  # unsaved; primary and foreign keys are still the document's
    relations: dict[str, list[int]] = field(default_factory=dict)
    username: str | None = None


@dataclass
class ValidatedDocument:
    """A document that can be imported: every value parsed, every reference resolved."""

    objects: dict[type[models.Model], dict[int, Row]]  # by model, then by document id
    history: dict[type[models.Model], list[Row]]  # by the model whose history it is


def _keys(data, path: str, expected: set[str], *, optional=frozenset()) -> None:
    """The object has the expected keys (``optional`` ones may be missing), and no others."""
    if not isinstance(data, dict):
        raise _error(path, f"must be an object, not {_json_type(data)}")
    for key in sorted(expected - optional - data.keys()):
        raise _error(f"{path}.{key}" if path else key, "missing")
    for key in sorted(data.keys() - expected):
        raise _error(f"{path}.{key}" if path else key, "unknown key")


def _list(data, path: str) -> list:
    if not isinstance(data, list):
        raise _error(path, f"must be a list, not {_json_type(data)}")
    return data


def _ids(data, path: str, known: Collection[int], noun: str) -> list[int]:
    """A list of ids, each naming an object of the document."""
    ids = _list(data, path)
    for index, pk in enumerate(ids):
        if type(pk) is not int:
            raise _error(f"{path}[{index}]", f"must be an integer, not {_json_type(pk)}")
        _reference(pk, f"{path}[{index}]", known, noun)
        if pk in ids[:index]:
            raise _error(f"{path}[{index}]", f"{noun} {pk} is listed twice")
    return ids


def _reference(pk, path: str, known: Collection[int], noun: str, *, null: bool = False) -> None:
    if pk not in known and not (pk is None and null):
        raise _error(path, f"no {noun} with id {pk} in the document")


def _parse(model, data, path: str, *, without=(), extra=()) -> models.Model:
    """An unsaved instance with the row's values, checked field by field; ``extra`` keys
    are the caller's to read (those in CLAIM_KEYS may be missing, as may fields a later
    release added: they take their default)."""
    fields = _fields(model, without=without)
    optional = (CLAIM_KEYS & set(extra)) | ADDED_FIELDS
    _keys(data, path, {f.name for f in fields} | set(extra), optional=optional)
    return model(
        **{
            f.attname: _load(f, data[f.name], f"{path}.{f.name}")
            if f.name in data
            else f.get_default()
            for f in fields
        }
    )


def _clean(obj: models.Model, path: str) -> None:
    """The model's own field validation and clean(); foreign keys are checked apart."""
    try:
        obj.clean_fields(exclude=[f.name for f in _foreign_keys(type(obj))])
        # A property's clean() checks a change of kind against the claims stored
        # here; the document's claims are read with their property's kind instead.
        # An event's checks it against the events stored here; the document's events
        # are checked against each other instead (_parse_events).
        if not isinstance(obj, ClaimProperty | Event):
            obj.clean()
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        name_path = path if name == NON_FIELD_ERRORS else f"{path}.{name}"
        raise _error(name_path, " ".join(messages)) from None


def _parse_objects(data, path: str, model, *, extra=(), check=None) -> dict[int, Row]:
    """The rows of a list, each checked, then ``check(obj, item, path)`` gives its relations."""
    rows: dict[int, Row] = {}
    unique = [f for f in model._meta.concrete_fields if f.unique and not f.primary_key]
    seen: dict[str, set] = {f.name: set() for f in unique}  # slugs, and properties' names
    for index, item in enumerate(_list(data, path)):
        row_path = f"{path}[{index}]"
        obj = _parse(model, item, row_path, extra=extra)
        _clean(obj, row_path)
        if obj.pk in rows:
            raise _error(f"{row_path}.id", f"id {obj.pk} is used twice in {path}")
        for f in unique:
            value = getattr(obj, f.attname)
            if value in seen[f.name]:
                raise _error(f"{row_path}.{f.name}", f"{f.name} “{value}” is used twice in {path}")
            seen[f.name].add(value)
        rows[obj.pk] = Row(row_path, obj, check(obj, item, row_path) if check else {})
    return rows


def _check_fingerprint(row: Row) -> None:
    source = row.obj
    exported = source.text_sha256
    source.text_sha256 = hashlib.sha256(source.text.encode()).hexdigest() if source.text else ""
    if exported != source.text_sha256:
        raise _error(
            f"{row.path}.text_sha256",
            "does not match the text: the text was changed or damaged after the export",
        )


def _anchor(citation: Citation, source: Source, path: str) -> None:
    """Anchor the quote as Citation.save() does; refuse an anchor the text no longer holds."""
    anchored = citation.position_start is not None
    if anchored and not source.text:
        raise _error(f"{path}.position_start", f"source {source.pk} has no text to anchor in")
    citation.source = source
    try:
        citation.anchor()
    except AnchorError as exc:
        if anchored:
            raise _error(f"{path}.quote", f"{exc} (source {source.pk})") from None
        citation.clear_anchor()  # kept unanchored, as it was


def _parse_events(data, objects: dict) -> None:
    citations: dict[int, Row] = {}
    quotes: set[tuple] = set()

    def check(event: Event, item: dict, path: str) -> dict[str, list[int]]:
        _reference(event.place_id, f"{path}.place", objects[Place], "place", null=True)
        relations = {
            name: _ids(item[name], f"{path}.{name}", objects[model], model._meta.verbose_name)
            for name, model in RELATIONS[Event].items()
        }
        for number, cited in enumerate(_list(item["citations"], f"{path}.citations")):
            cited_path = f"{path}.citations[{number}]"
            citation = _parse(Citation, cited, cited_path, without=("event",))
            citation.event_id = event.pk
            _clean(citation, cited_path)
            if citation.pk in citations:
                raise _error(f"{cited_path}.id", f"citation id {citation.pk} is used twice")
            _reference(citation.source_id, f"{cited_path}.source", objects[Source], "source")
            key = (event.pk, citation.source_id, citation.quote)
            if key in quotes:
                raise _error(f"{cited_path}.quote", "the event cites this quote twice")
            quotes.add(key)
            _anchor(citation, objects[Source][citation.source_id].obj, cited_path)
            citations[citation.pk] = Row(cited_path, citation)
        return relations

    extra = ("actors", "tags", "citations", "claims")
    objects[Event] = _parse_objects(data, "events", Event, extra=extra, check=check)
    objects[Citation] = citations
    # The event each is part of, once all are known: in the document, and by its rules.
    events = {pk: row.obj for pk, row in objects[Event].items()}
    for row in objects[Event].values():
        _reference(row.obj.super_event_id, f"{row.path}.super_event", events, "event", null=True)
    for row in objects[Event].values():
        for name, messages in row.obj.part_of_errors(events).items():
            raise _error(f"{row.path}.{name}", " ".join(messages))


def _parse_claims(data, objects: dict) -> None:
    """Each event's claims, once every citation is known (``_parse_events`` checked the list)."""
    claims: dict[int, Row] = {}
    properties = objects[ClaimProperty]
    for index, (item, event) in enumerate(zip(data, objects[Event], strict=True)):
        values: set[tuple] = set()
        path = f"events[{index}].claims"
        for number, claimed in enumerate(_list(item.get("claims", []), path)):
            claim_path = f"{path}[{number}]"
            claim = _parse(Claim, claimed, claim_path, without=("event",), extra=("citations",))
            claim.event_id = event
            if claim.pk in claims:
                raise _error(f"{claim_path}.id", f"claim id {claim.pk} is used twice")
            _reference(claim.property_id, f"{claim_path}.property", properties, "property")
            # The document's property, not a query: clean() reads the value with its kind.
            claim.property = properties[claim.property_id].obj
            _clean(claim, claim_path)
            cited = _ids(
                claimed["citations"], f"{claim_path}.citations", objects[Citation], "citation"
            )
            try:
                claim.clean_citations(objects[Citation][pk].obj for pk in cited)
            except ValidationError as exc:
                raise _error(f"{claim_path}.citations", " ".join(exc.messages)) from None
            if (claim.property_id, claim.value) in values:
                raise _error(
                    f"{claim_path}.value", "the event has this value of the property twice"
                )
            values.add((claim.property_id, claim.value))
            claims[claim.pk] = Row(claim_path, claim, {"citations": cited})
    objects[Claim] = claims


def _parse_timeline(data, objects: dict) -> None:
    timeline = _parse(Timeline, data, "timeline", extra=("events",))
    _clean(timeline, "timeline")
    events = _ids(data["events"], "timeline.events", objects[Event], "event")
    objects[Timeline] = {timeline.pk: Row("timeline", timeline, {"events": events})}


def _parse_history(data, path: str, model, objects: dict, history: dict) -> list[Row]:
    """The model's history records; ``history`` holds the records parsed before them."""
    relations = RELATIONS.get(model, {})
    # What a record's relations may name: the document's objects, and deleted ones
    # whose history it holds (a claim cited a citation deleted since).
    named = {
        name: objects[target].keys() | {r.obj.id for r in history.get(target, [])}
        for name, target in relations.items()
    }
    historical = model.history.model
    extra = ("history_user", *relations)
    rows: list[Row] = []
    seen: set[int] = set()
    for index, item in enumerate(_list(data, path)):
        row_path = f"{path}[{index}]"
        record = _parse(historical, item, row_path, without=("history_user",), extra=extra)
        if record.history_id in seen:
            raise _error(f"{row_path}.history_id", f"{record.history_id} is used twice in {path}")
        seen.add(record.history_id)
        if record.history_type not in ("+", "~", "-"):
            raise _error(f"{row_path}.history_type", "must be “+”, “~” or “-”")
        username = item["history_user"]
        if not (username is None or (isinstance(username, str) and username)):
            raise _error(f"{row_path}.history_user", "must be a username or null")
        # A deleted citation's or claim's history names an id no live one has.
        if model not in (Citation, Claim):
            _reference(record.id, f"{row_path}.id", objects[model], model._meta.verbose_name)
        for f in _foreign_keys(historical):
            target = f.related_model
            pk, noun = getattr(record, f.attname), target._meta.verbose_name
            # A citation's or claim's record always names its event; others may be null.
            _reference(pk, f"{row_path}.{f.name}", objects[target], noun, null=f.name != "event")
        if model is Event:
            for number, pk in enumerate(record.timeline_ids):
                if pk not in objects[Timeline]:
                    raise _error(f"{row_path}.timeline_ids[{number}]", f"no timeline with id {pk}")
        related = {
            name: _ids(item[name], f"{row_path}.{name}", named[name], target._meta.verbose_name)
            for name, target in relations.items()
        }
        rows.append(Row(row_path, record, related, username))
    return rows


def validate_document(document) -> ValidatedDocument:
    """Check the whole document without touching the database; raise DocumentError."""
    if not isinstance(document, dict):
        raise _error("(document)", f"must be a JSON object, not {_json_type(document)}")
    if document.get("format") != FORMAT:
        raise _error("format", f"must be “{FORMAT}”, not {json.dumps(document.get('format'))}")
    version = document.get("version")
    if type(version) is not int:
        raise _error("version", f"must be an integer, not {_json_type(version)}")
    if version != VERSION:
        newer = " (made by a newer release: upgrade this one)" if version > VERSION else ""
        raise _error("version", f"this release reads version {VERSION}, not {version}{newer}")
    _keys(document, "", TOP_LEVEL_KEYS, optional=CLAIM_KEYS)
    if not isinstance(exported_from := document["exported_from"], dict):
        raise _error("exported_from", f"must be an object, not {_json_type(exported_from)}")

    objects: dict[type[models.Model], dict[int, Row]] = {}
    for name, model in LOOKUPS.items():
        objects[model] = _parse_objects(document.get(name, []), name, model)
    for row in objects[Source].values():
        _check_fingerprint(row)
    _parse_events(document["events"], objects)
    _parse_claims(document["events"], objects)
    _parse_timeline(document["timeline"], objects)

    _keys(document["history"], "history", set(HISTORY), optional=CLAIM_KEYS)
    history: dict[type[models.Model], list[Row]] = {}
    for name, model in HISTORY.items():
        data = document["history"].get(name, [])
        history[model] = _parse_history(data, f"history.{name}", model, objects, history)
    return ValidatedDocument(objects, history)


# Import


@dataclass
class ImportReport:
    """What an import wrote, and what it found here and reused."""

    created: Counter = field(default_factory=Counter)  # by model verbose_name_plural
    reused: Counter = field(default_factory=Counter)
    history_rows: int = 0
    missing_users: set[str] = field(default_factory=set)
    replaced: int | None = None  # events deleted with the copy replaced; None: none was here


@dataclass
class _Plan:
    ids: dict[type[models.Model], dict[int, int]]  # document id → id here
    reused: dict[type[models.Model], set[int]]  # document ids of objects found here
    history_ids: dict[type[models.Model], dict[int, int]] = field(default_factory=dict)
    users: dict[str, models.Model] = field(default_factory=dict)


def _refuse_conflicts(validated: ValidatedDocument) -> None:
    problems = []
    for model, noun in ((Timeline, "a timeline"), (Event, "an event")):
        rows = validated.objects[model].values()
        slugs = [row.obj.slug for row in rows]
        taken = set(model.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        problems += [
            (f"{row.path}.slug", f"{noun} with the slug “{row.obj.slug}” exists here")
            for row in rows
            if row.obj.slug in taken
        ]
    if problems:
        raise DocumentError(problems)


def _find_reusable(validated: ValidatedDocument) -> dict[type[models.Model], dict[int, int]]:
    """Document id → id here of the lookups and sources this database already has."""
    found: dict[type[models.Model], dict[int, int]] = {}
    for model in (Place, Actor, Tag, ClaimProperty):
        rows = validated.objects[model]
        slugs = [row.obj.slug for row in rows.values()]
        here = dict(model.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        found[model] = {pk: here[row.obj.slug] for pk, row in rows.items() if row.obj.slug in here}
    # A property's name is unique too: one written anew must not take a name used here.
    new_properties = [
        row
        for pk, row in validated.objects[ClaimProperty].items()
        if pk not in found[ClaimProperty]
    ]
    names = [row.obj.name for row in new_properties]
    named_here = dict(ClaimProperty.objects.filter(name__in=names).values_list("name", "slug"))
    problems = [
        (
            f"{row.path}.name",
            f"a property named “{row.obj.name}” exists here with the slug "
            f"“{named_here[row.obj.name]}”; rename one of them",
        )
        for row in new_properties
        if row.obj.name in named_here
    ]
    found[Source] = {}
    for pk, row in validated.objects[Source].items():
        source = row.obj
        same = Source.objects.filter(slug=source.slug).only("url", "text").first()
        if same is not None and (same.url, same.text) != (source.url, source.text):
            taken = f"a source with the slug “{source.slug}” exists here with another URL or text"
            problems.append((f"{row.path}.slug", f"{taken}; rename one of them"))
            continue
        if same is None and source.url:
            same = Source.objects.filter(url=source.url, text=source.text).order_by("pk").first()
        if same is not None:
            found[Source][pk] = same.pk
    if problems:
        raise DocumentError(problems)
    return found


def _allocate(model, wanted: list[int], *, history: bool = False) -> dict[int, int]:
    """Keep each wanted id (a history id with ``history``) that is free here, live and in
    history; give the rest new ids."""
    if not wanted:
        return {}
    if history:
        # A relation's history rows outlive a deleted record: their ids are taken too.
        tables = [model.history.model, *(_history_m2m(model, n) for n in RELATIONS.get(model, {}))]
        tables = [(table, "history_id") for table in tables]
    else:
        tables = [(model, "pk"), (model.history.model, "id")]
    taken: set[int] = set()
    highest = 0
    for table, column in tables:
        rows = table._meta.default_manager
        taken |= set(rows.filter(**{f"{column}__in": wanted}).values_list(column, flat=True))
        highest = max(highest, rows.aggregate(top=Max(column))["top"] or 0)
    kept = [pk for pk in wanted if pk not in taken]
    next_id = max([highest, *kept]) + 1
    mapping = {pk: pk for pk in kept}
    for pk in sorted(set(wanted) - set(kept)):
        mapping[pk], next_id = next_id, next_id + 1
    return mapping


def _read_claims(validated: ValidatedDocument, reused_properties: dict[int, int]) -> None:
    """Set each claim's comparison key, read with the kind of its property as it will be here."""
    kinds_here = dict(
        ClaimProperty.objects.filter(pk__in=reused_properties.values()).values_list("pk", "kind")
    )
    problems = []
    for row in validated.objects[Claim].values():
        claim, prop = row.obj, row.obj.property
        kind = kinds_here.get(reused_properties.get(claim.property_id), prop.kind)
        try:
            reading = disputes.read_value(claim.value, claim.normalized_as, kind=kind)
        except disputes.UnreadableValue as exc:
            problems.append(
                (
                    f"{row.path}.{exc.field}",
                    f"{exc} The property “{prop.slug}” is reused as it is here, where its "
                    f"values are of the kind “{kind}”, not “{prop.kind}”.",
                )
            )
        else:
            claim.set_reading(reading)
    if problems:
        raise DocumentError(problems)


def _plan(validated: ValidatedDocument) -> _Plan:
    _refuse_conflicts(validated)
    reusable = _find_reusable(validated)
    _read_claims(validated, reusable[ClaimProperty])
    plan = _Plan(ids={}, reused={})
    for model, rows in validated.objects.items():
        found = reusable.get(model, {})
        plan.reused[model] = set(found)
        new = [pk for pk in rows if pk not in found]
        if model in (Citation, Claim):  # and the deleted ones that history names
            new += sorted({r.obj.id for r in validated.history[model]} - set(rows))
        plan.ids[model] = found | _allocate(model, new)
    for model, rows in validated.history.items():
        written = [r.obj.history_id for r in rows if r.obj.id not in plan.reused[model]]
        plan.history_ids[model] = _allocate(model, written, history=True)
    usernames = {r.username for rows in validated.history.values() for r in rows} - {None}
    User = get_user_model()
    plan.users = {
        user.get_username(): user
        for user in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames})
    }
    return plan


def _copy(row: Row, model, ids: dict, foreign_keys: list[models.ForeignKey]) -> models.Model:
    """A copy of the row's object with its id and references as they will be here."""
    obj = copy.copy(row.obj)
    obj.id = ids[model][obj.id]
    for f in foreign_keys:
        if getattr(obj, f.attname) is not None:
            setattr(obj, f.attname, ids[f.related_model][getattr(obj, f.attname)])
    return obj


def _insert(model, objs: list[models.Model]) -> None:
    """bulk_create (no signals, so no history), keeping the document's timestamps."""
    stamped = [f.attname for f in model._meta.concrete_fields if f.name in TIMESTAMPS]
    kept = [[getattr(obj, name) for name in stamped] for obj in objs]
    model._meta.default_manager.bulk_create(objs)
    if stamped and objs:
        # auto_now and auto_now_add fields were just set to now: put the document's back.
        for obj, values in zip(objs, kept, strict=True):
            for name, value in zip(stamped, values, strict=True):
                setattr(obj, name, value)
        model._meta.default_manager.bulk_update(objs, stamped)


def _write_objects(validated: ValidatedDocument, plan: _Plan, report: ImportReport) -> None:
    ids = plan.ids
    for model in (*LOOKUPS.values(), Event, Citation, Claim, Timeline):
        rows = validated.objects[model]
        objs = [
            _copy(row, model, ids, _foreign_keys(model))
            for pk, row in rows.items()
            if pk not in plan.reused[model]
        ]
        _insert(model, objs)
        report.created[str(model._meta.verbose_name_plural)] += len(objs)
        report.reused[str(model._meta.verbose_name_plural)] += len(plan.reused[model])
        for name, target in RELATIONS.get(model, {}).items():
            through = model._meta.get_field(name).remote_field.through
            through.objects.bulk_create(
                through(**{_column(model): ids[model][pk], _column(target): ids[target][related]})
                for pk, row in rows.items()
                for related in row.relations[name]
            )


def _reason(reason: str | None, username: str) -> str:
    note = f"[by {username}, not a user here]"[:100]
    if not reason:
        return note
    room = 100 - len(note) - 1
    return f"{reason if len(reason) <= room else reason[: room - 1] + '…'} {note}"


def _write_history(validated: ValidatedDocument, plan: _Plan, report: ImportReport) -> None:
    ids = plan.ids
    for model, rows in validated.history.items():
        historical = model.history.model
        written: list[tuple[Row, models.Model]] = []
        for row in rows:
            if row.obj.id in plan.reused[model]:
                continue  # the object's history here stands
            record = _copy(row, model, ids, _foreign_keys(historical))
            record.history_id = plan.history_ids[model][record.history_id]
            if model is Event:
                record.timeline_ids = [ids[Timeline][pk] for pk in record.timeline_ids]
            if row.username is not None:
                record.history_user = plan.users.get(row.username)
                if record.history_user is None:
                    record.history_change_reason = _reason(
                        record.history_change_reason, row.username
                    )
                    report.missing_users.add(row.username)
            written.append((row, record))
        historical.objects.bulk_create([record for _, record in written])
        report.history_rows += len(written)
        for name, target in RELATIONS.get(model, {}).items():
            # The live row of the same pair, or 0 when the pair is no longer related.
            through = model._meta.get_field(name).remote_field.through
            pairs = through.objects.filter(**{f"{_column(model)}__in": {r.id for _, r in written}})
            row_ids = {
                (owner, related): pk
                for owner, related, pk in pairs.values_list(_column(model), _column(target), "id")
            }
            rows_then = _history_m2m(model, name)
            rows_then.objects.bulk_create(
                rows_then(
                    history_id=record.history_id,
                    id=row_ids.get((record.id, ids[target][related]), 0),
                    **{_column(model): record.id, _column(target): ids[target][related]},
                )
                for row, record in written
                for related in row.relations[name]
            )


def _advance_sequences() -> None:
    """Move the next id of every table past the ids written (PostgreSQL's sequences do not
    follow explicit ids), and a live table's past its history's: a new row must not inherit
    a deleted row's history."""
    live = [*HISTORY.values()]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [*live, *(model.history.model for model in live)]
        ):
            cursor.execute(sql)
        for model in live:
            top_live = model.objects.aggregate(top=Max("pk"))["top"] or 0
            top = model.history.aggregate(top=Max("id"))["top"] or 0
            if top <= top_live:
                continue
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                    [connection.ops.quote_name(table), model._meta.pk.column, top],
                )
            elif connection.vendor == "sqlite":
                # AUTOINCREMENT never reuses an id below the highest in sqlite_sequence.
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq < %s",
                    [top, table, top],
                )
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s "
                    "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                    [table, top, table],
                )


def _remove_copy(validated: ValidatedDocument, report: ImportReport) -> None:
    """Delete the timeline here with the document's slug, and its events, to be replaced.

    Deleted as editors delete them: each deletion is a revision, so their history
    stays, and a deleted event can be restored from it. An event that another
    timeline shows, or that an event outside this timeline is part of, is not
    this timeline's alone: the replacement is refused, naming it.
    """
    (row,) = validated.objects[Timeline].values()
    timeline = Timeline.objects.filter(slug=row.obj.slug).first()
    if timeline is None:
        return
    events = Event.objects.filter(timelines=timeline)
    shared = events.filter(timelines__in=Timeline.objects.exclude(pk=timeline.pk)).distinct()
    holding = events.filter(sub_events__in=Event.objects.exclude(timelines=timeline)).distinct()
    problems = [
        ("timeline.slug", f"event “{slug}” is also in another timeline: remove it there first")
        for slug in shared.values_list("slug", flat=True)
    ] + [
        ("timeline.slug", f"event “{slug}” has parts outside this timeline: detach them first")
        for slug in holding.values_list("slug", flat=True)
    ]
    if problems:
        raise DocumentError(problems)
    doomed = {event.pk: event for event in events}

    def depth(event: Event) -> int:
        levels = 0
        while event.super_event_id in doomed:
            event, levels = doomed[event.super_event_id], levels + 1
        return levels

    # Parts before the events they are part of (PROTECT), the timeline last.
    for event in sorted(doomed.values(), key=depth, reverse=True):
        event.delete()
    timeline.delete()
    report.replaced = len(doomed)


def import_timeline(
    document, *, report: ImportReport | None = None, replace: bool = False
) -> Timeline:
    """Validate the document, then write it in one transaction and return the new timeline.

    Raises DocumentError, with nothing written, when the document is invalid or
    conflicts with what is here. ``report``, when given, is filled in. With
    ``replace``, the timeline here with the document's slug is deleted first
    (``_remove_copy``), in the same transaction.
    """
    validated = validate_document(document)
    report = report if report is not None else ImportReport()
    with transaction.atomic():
        if replace:
            _remove_copy(validated, report)
        plan = _plan(validated)
        _write_objects(validated, plan, report)
        # Derived from the quotes, as Citation.save() would (bulk inserts do not save).
        created = [
            new for old, new in plan.ids[Citation].items() if old not in plan.reused[Citation]
        ]
        DateMention.objects.refresh(
            Citation.objects.filter(pk__in=created).select_related("source")
        )
        _write_history(validated, plan, report)
        _advance_sequences()
        # Bulk inserts send no signals: cached reads must still see the import.
        generations.advance()
    return Timeline.objects.get(pk=next(iter(plan.ids[Timeline].values())))

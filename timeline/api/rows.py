"""Events' JSON built from ``.values()`` rows, for the reads that return many.

The serializers in ``serializers.py`` define the read shape and its OpenAPI
schema. Through them, a page of 100 events with 300 citations cost about
100 ms, nearly all of it model instances and DRF fields (pyinstrument, see
bench/README.md); built here from plain rows, the same dicts cost a few. The
events list and the timeline detail use this; the bytes are the
serializers' own, which ``tests/timeline/test_rows.py`` compares.

Whatever the number of events, it takes five queries beside the one that
selects the events: their actors, tags, citations, the cited sources, and
their claims (with the claims' properties and citations).

Even so, such queries cost the database about 5 ms for 100 events (five of
them, measured before claims), more than the whole budget of a list page. So
each event's JSON, once written, is kept in the ``events`` cache under the
content generation (``timeline.generations``), like the responses: a list
page or timeline asks for its events' ids, and builds only those not already
kept. Every write
moves the generation on, so a kept event is never older than the data.
"""

import datetime
import hashlib
from collections import defaultdict

from django.core.cache import caches
from django.urls import get_script_prefix
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings

from sources.models import Source
from timeline import disputes
from timeline.api.renderers import RawJSON, dumps
from timeline.models import Citation, Claim, ClaimProperty, Event, annotation_selectors

# The columns the caller selects with .values(*EVENT_COLUMNS).
EVENT_COLUMNS = (
    "id",
    "slug",
    "title",
    "summary",
    "date",
    "display_date",
    "start",
    "end",
    "precision",
    "status",
    "published_at",
    "version",
    "updated_at",
    "place__slug",
    "place__name",
    "place__latitude",
    "place__longitude",
    "place__wikidata_id",
)
SLUG_PLACEHOLDER = "__slug__"
EVENT_SECONDS = 3600


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField writes it: ISO 8601 in UTC, with a Z."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def url_template(request, view_name: str, fmt: str | None = None) -> str:
    """The absolute URL HyperlinkedIdentityField gives, with a placeholder for the slug.

    ``reverse`` costs more than the rest of an event: it runs once a scheme,
    host and format, and slugs (``[-a-zA-Z0-9_]``, nothing to quote) fill it in.
    """
    # reverse() keeps the request's ?format= (DRF's preserve_builtin_query_params).
    override = request.GET.get(api_settings.URL_FORMAT_OVERRIDE)
    key = (request.scheme, request.get_host(), get_script_prefix(), override, view_name, fmt)
    template = _URL_TEMPLATES.get(key)
    if template is None:
        if len(_URL_TEMPLATES) >= 256:  # hosts are few; bounded all the same
            _URL_TEMPLATES.clear()
        template = _URL_TEMPLATES[key] = reverse(
            view_name, kwargs={"slug": SLUG_PLACEHOLDER}, request=request, format=fmt
        )
    return template


_URL_TEMPLATES: dict[tuple, str] = {}


def _place(row: dict) -> dict | None:
    if row["place__slug"] is None:
        return None
    latitude, longitude = row["place__latitude"], row["place__longitude"]
    return {
        "slug": row["place__slug"],
        "name": row["place__name"],
        # Decimals, as DRF's DecimalField gives them; the renderer writes them as floats.
        "latitude": latitude,
        "longitude": longitude,
        "wikidata_id": row["place__wikidata_id"],
    }


def _actors(event_ids: list[int]) -> dict[int, list[dict]]:
    by_event = defaultdict(list)
    rows = (
        Event.actors.through.objects.filter(event_id__in=event_ids)
        .order_by("actor__name", "actor_id")
        .values_list("event_id", "actor__slug", "actor__name", "actor__kind", "actor__wikidata_id")
    )
    for event_id, slug, name, kind, wikidata_id in rows:
        by_event[event_id].append(
            {"slug": slug, "name": name, "kind": kind, "wikidata_id": wikidata_id}
        )
    return by_event


def _tags(event_ids: list[int]) -> dict[int, list[dict]]:
    by_event = defaultdict(list)
    rows = (
        Event.tags.through.objects.filter(event_id__in=event_ids)
        .order_by("tag__name", "tag_id")
        .values_list("event_id", "tag__slug", "tag__name", "tag__wikidata_id")
    )
    for event_id, slug, name, wikidata_id in rows:
        by_event[event_id].append({"slug": slug, "name": name, "wikidata_id": wikidata_id})
    return by_event


def _citations(event_ids: list[int]) -> tuple[dict[int, list[dict]], dict[int, dict]]:
    """The events' citations, and the embedded source of each citation by its id."""
    rows = list(
        Citation.objects.filter(event_id__in=event_ids)
        .order_by("pk")
        .values_list(
            "event_id",
            "id",
            "quote",
            "locator",
            "note",
            "exact",
            "prefix",
            "suffix",
            "position_start",
            "position_end",
            "source_id",
        )
    )
    # The sources on their own: a timeline cites the same few articles many times.
    sources = {
        row[0]: {
            "id": row[0],
            "slug": row[1],
            "title": row[2],
            "publisher": row[3],
            "url": row[4],
            "published_on": iso_date(row[5]),
            "language": row[6],
        }
        for row in Source.objects.filter(pk__in={row[-1] for row in rows}).values_list(
            "id", "slug", "title", "publisher", "url", "published_on", "language"
        )
    }
    by_event, source_of = defaultdict(list), {}
    for event_id, pk, quote, locator, note, exact, prefix, suffix, start, end, source in rows:
        source_of[pk] = sources[source]
        by_event[event_id].append(
            {
                "id": pk,
                "quote": quote,
                "locator": locator,
                "note": note,
                "selectors": annotation_selectors(exact, prefix, suffix, start, end),
                "source": sources[source],
            }
        )
    return by_event, source_of


class _ClaimRow:
    """A claim's columns, with the attributes ``timeline.disputes`` reads of a Claim."""

    __slots__ = ("citation_ids", "comparison_key", "pk", "property", "rank", "rank_note", "value")

    def __init__(self, pk, prop, value, comparison_key, rank, rank_note, citation_ids):
        self.pk, self.property, self.value = pk, prop, value
        self.comparison_key, self.rank, self.rank_note = comparison_key, rank, rank_note
        self.citation_ids = citation_ids


def _claims(event_ids: list[int], source_of: dict[int, dict]) -> dict[int, list[dict]]:
    rows = (
        Claim.objects.filter(event_id__in=event_ids)
        .for_reading()
        .values_list(
            "event_id",
            "id",
            "value",
            "comparison_key",
            "rank",
            "rank_note",
            "citation_ids",
            "property_id",
            "property__slug",
            "property__name",
            "property__kind",
        )
    )
    by_event, properties = defaultdict(list), {}
    for event_id, pk, value, key, rank, note, citation_ids, *prop in rows:
        prop_id, slug, name, kind = prop
        if prop_id not in properties:
            properties[prop_id] = ClaimProperty(id=prop_id, slug=slug, name=name, kind=kind)
        row = _ClaimRow(pk, properties[prop_id], value, key, rank, note, citation_ids)
        by_event[event_id].append(row)
    return {
        event_id: disputes.claims_document(disputes.group_claims(claims), source_of.get)
        for event_id, claims in by_event.items()
    }


def event_documents(rows: list[dict], url: str) -> list[dict]:
    """EventSerializer's output for each row of ``.values(*EVENT_COLUMNS)``, in order.

    ``url`` is the events' :func:`url_template`.
    """
    if not rows:
        return []
    event_ids = [row["id"] for row in rows]
    actors, tags = _actors(event_ids), _tags(event_ids)
    citations, source_of = _citations(event_ids)
    claims = _claims(event_ids, source_of)
    head, tail = url.split(SLUG_PLACEHOLDER)
    return [
        {
            "url": f"{head}{row['slug']}{tail}",
            "slug": row["slug"],
            "title": row["title"],
            "summary": row["summary"],
            "date": row["date"],
            "display_date": row["display_date"],
            "start": iso_date(row["start"]),
            "end": iso_date(row["end"]),
            "precision": row["precision"],
            "status": row["status"],
            "place": _place(row),
            "actors": actors.get(row["id"], []),
            "tags": tags.get(row["id"], []),
            "citations": citations.get(row["id"], []),
            "claims": claims.get(row["id"], []),
            "published_at": iso_datetime(row["published_at"]),
            "version": row["version"],
            "updated_at": iso_datetime(row["updated_at"]),
        }
        for row in rows
    ]


def _documents_by_id(event_ids: list[int], url: str) -> dict[int, dict]:
    rows = list(Event.objects.filter(pk__in=event_ids).values(*EVENT_COLUMNS))
    documents = event_documents(rows, url)
    return {row["id"]: document for row, document in zip(rows, documents, strict=True)}


def events_json(
    event_ids: list[int], request, fmt: str | None = None, *, generation: int | None
) -> list:
    """The events' JSON, in the order of ``event_ids``, from the cache where it is kept.

    ``generation`` is the content generation the response is built at
    (``timeline.api.caching.generation_of``); editors' reads, which have none,
    are built afresh and kept nowhere. Kept events come back as RawJSON.
    """
    url = url_template(request, "api:event-detail", fmt)
    if generation is None:
        built = _documents_by_id(event_ids, url)
        return [built[pk] for pk in event_ids]
    # The URL is in the key: the JSON holds absolute links (host, scheme, format).
    prefix = f"timeline:event:{generation}:{hashlib.sha256(url.encode()).hexdigest()[:16]}:"
    keys = {pk: f"{prefix}{pk}" for pk in event_ids}
    cache = caches["events"]
    kept = cache.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in kept]
    if missing:
        fresh = {
            keys[pk]: dumps(document) for pk, document in _documents_by_id(missing, url).items()
        }
        cache.set_many(fresh, EVENT_SECONDS)
        kept.update(fresh)
    return [RawJSON(kept[keys[pk]]) for pk in event_ids]

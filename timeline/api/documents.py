"""The JSON of events, citations and claims: built here alone, for lists and details alike.

The serializers in ``serializers.py`` only describe these shapes for the
OpenAPI schema; ``tests/test_fuzz.py`` checks real responses against it.

Why not DRF's serializers over model instances: one event with three
citations cost 18.7 ms of CPU that way, two thirds of it prefetching model
instances, and a page of 100 events 37 ms (../shared/PEER.md). Why SQL
written out rather than ``.values()``: the ORM spent 1 to 2 ms building each
of these queries on this 2-core host, where the same SQL runs in 0.3 to 0.8
(bench/profile_request.py). Built here, an event costs 5.9 million
instructions where it cost 29.6, and the page 29 million where it cost 113
(valgrind's callgrind, every cache off).

Queries, whatever the number of events: the events (with their place and the
event each is part of), their actors and tags, their citations (with their
sources), their claims (with their properties and citations) when one of them
states any, and their parts when one of them has any.
"""

from collections import defaultdict
from types import SimpleNamespace

from django.db import connections, router
from rest_framework.reverse import reverse

from timeline import evidence
from timeline.claims import disputes
from timeline.models import Event, annotation_selectors, quote_anchored

SLUG = "__slug__"

EVENTS = """
SELECT e.id, e.slug, e.title, e.summary, e.date, e.display_date,
       CAST(e.start AS TEXT), CAST(e."end" AS TEXT), e.precision, e.status, e.date_note,
       CAST(e.starts_by AS TEXT), CAST(e.ends_from AS TEXT),
       CAST(e.published_at AS TEXT), e.version, CAST(e.updated_at AS TEXT),
       e.day_order, sup.slug, sup.title,
       EXISTS (SELECT 1 FROM timeline_event sub WHERE sub.super_event_id = e.id{sub_visible}),
       p.slug, p.name, p.latitude, p.longitude, p.wikidata_id,
       EXISTS (SELECT 1 FROM timeline_claim cl WHERE cl.event_id = e.id)
FROM timeline_event e LEFT JOIN timeline_place p ON p.id = e.place_id
LEFT JOIN timeline_event sup ON sup.id = e.super_event_id{super_visible}
WHERE {where}
"""
# The events' parts (schema.org subEvent), in the events' chronological order.
PARTS = """
SELECT sub.super_event_id, sub.slug, sub.title FROM timeline_event sub
WHERE sub.super_event_id {ids}{visible}
ORDER BY sub.super_event_id, sub.start, sub."end", sub.day_order, sub.title, sub.id
"""
# Added to the super-event's join and the parts' queries for readers who see no drafts.
PUBLISHED_ONLY = " AND {table}.published_at IS NOT NULL"
# Actors and tags in one query (one round trip less for every read), each by name.
ACTORS_AND_TAGS = """
SELECT x.event_id, a.kind, a.slug, a.name, a.wikidata_id, a.id
FROM timeline_event_actors x JOIN timeline_actor a ON a.id = x.actor_id WHERE x.event_id {ids}
UNION ALL
SELECT x.event_id, NULL, t.slug, t.name, t.wikidata_id, t.id
FROM timeline_event_tags x JOIN timeline_tag t ON t.id = x.tag_id WHERE x.event_id {ids}
ORDER BY 4, 6
"""
# With the dates in each quote (a row each, in the same round trip), and the source's
# fingerprint rather than its long text: whether it has any (``quote_anchored``).
CITATIONS = """
SELECT c.event_id, c.id, c.quote, c.locator, c.note,
       c.exact, c.prefix, c.suffix, c.position_start, c.position_end,
       s.id, s.slug, s.title, s.publisher, s.url, CAST(s.published_on AS TEXT), s.language,
       c.version, s.text_sha256,
       m.text, m.value, CAST(m.lower AS TEXT), CAST(m.upper AS TEXT), m.explanation
FROM timeline_citation c JOIN sources_source s ON s.id = c.source_id
LEFT JOIN timeline_datemention m ON m.citation_id = c.id
WHERE {where} ORDER BY c.id, m.start
"""
CLAIMS = """
SELECT cl.event_id, cl.id, cl.value, cl.normalized_as, cl.comparison_key, cl.rank,
       cl.rank_note, cl.version, p.id, p.slug, p.name, p.kind, e.slug, link.citation_id
FROM timeline_claim cl
JOIN timeline_claimproperty p ON p.id = cl.property_id
JOIN timeline_event e ON e.id = cl.event_id
LEFT JOIN timeline_claimcitation link ON link.claim_id = cl.id
WHERE {where} ORDER BY cl.id, link.citation_id
"""


def _connection():
    # Where this request reads (a replica, config/replicas.py), as the ORM would.
    return connections[router.db_for_read(Event)]


def _fetch(sql: str, params) -> list[tuple]:
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in(ids: list[int]) -> tuple[str, list]:
    """``IN`` these ids; on PostgreSQL one parameter, an array literal.

    psycopg binds each ``%s`` of an ``IN`` list, or each item of a Python
    list, in Python: 1 ms of a page of 100 events, for every query.
    """
    if _connection().vendor == "postgresql":
        return "= ANY(CAST(%s AS bigint[]))", ["{" + ",".join(map(str, ids)) + "}"]
    return f"IN ({', '.join(['%s'] * len(ids))})", list(ids)


def utc_text(value: str | None) -> str | None:
    """A timestamp read as text, as DRF writes it: ISO 8601 in UTC with a ``Z``.

    Read as text because making datetimes of them and text again cost 1.5 ms
    of a page. PostgreSQL writes ``2025-10-30 12:00:00.5+00`` (Django's
    connections are in UTC), SQLite the same without the offset.
    """
    if value is None:
        return None
    value = value.replace(" ", "T", 1).removesuffix("+00")
    if "." in value:  # microseconds, all six digits as Python writes them
        whole, fraction = value.split(".")
        value = f"{whole}.{fraction:0<6}"
    return value + "Z"


def _number(value) -> float | None:
    return None if value is None else float(value)


def source_summary(row) -> dict:
    """A source as a citation embeds it, from (id, slug, title, publisher, url, published_on,
    language)."""
    pk, slug, title, publisher, url, published_on, language = row
    return {
        "id": pk,
        "slug": slug,
        "title": title,
        "publisher": publisher,
        "url": url,
        "published_on": published_on,
        "language": language,
    }


def _citations(where: str, params) -> list[tuple[int, dict, int, list]]:
    """(event id, the citation as an event embeds it, its version, the dates in its quote)
    each; the dates as ``timeline.evidence.assess`` reads them, days as ISO text."""
    sources: dict[int, dict] = {}
    found = []
    for row in _fetch(CITATIONS.format(where=where), params):
        anchored = quote_anchored(row[8], row[18])
        # A quote no longer found in its source's text states no date (timeline.evidence).
        dates = [] if row[19] is None or anchored is False else [(row[1], *row[19:])]
        if found and found[-1][1]["id"] == row[1]:  # the same citation's next date
            found[-1][3].extend(dates)
            continue
        source = sources.get(row[10])
        if source is None:
            source = sources[row[10]] = source_summary(row[10:17])
        document = {
            "id": row[1],
            "quote": row[2],
            "locator": row[3],
            "note": row[4],
            "selectors": annotation_selectors(*row[5:10]),
            "anchored": anchored,
            "source": source,
        }
        found.append((row[0], document, row[17], dates))
    return found


def _claims(where: str, params) -> list[SimpleNamespace]:
    """Claims with the attributes ``timeline.disputes`` reads, and their event's id and slug."""
    claims: dict[int, SimpleNamespace] = {}
    properties: dict[int, SimpleNamespace] = {}
    for row in _fetch(CLAIMS.format(where=where), params):
        event_id, pk, value, normalized_as, key, rank, note, version, *prop, event, cited = row
        claim = claims.get(pk)
        if claim is None:
            if prop[0] not in properties:
                keys = ("pk", "slug", "name", "kind")
                properties[prop[0]] = SimpleNamespace(**dict(zip(keys, prop, strict=True)))
            claim = claims[pk] = SimpleNamespace(
                pk=pk,
                event_id=event_id,
                event=event,
                property=properties[prop[0]],
                value=value,
                normalized_as=normalized_as,
                comparison_key=key,
                rank=rank,
                rank_note=note,
                version=version,
                citation_ids=[],
            )
        if cited is not None:
            claim.citation_ids.append(cited)
    return list(claims.values())


def _events(request, where: str, params, *, include_drafts: bool = False) -> dict[int, dict]:
    """The events' documents by id; the events they are part of, and their parts, published
    ones only unless drafts are asked for."""
    visible = "" if include_drafts else PUBLISHED_ONLY
    sql = EVENTS.format(
        where=where,
        super_visible=visible.format(table="sup"),
        sub_visible=visible.format(table="sub"),
    )
    rows = _fetch(sql, params)
    if not rows:
        return {}
    ids, params = _in([row[0] for row in rows])
    actors, tags, citations = defaultdict(list), defaultdict(list), defaultdict(list)
    for event_id, kind, slug, name, wikidata_id, _ in _fetch(
        ACTORS_AND_TAGS.format(ids=ids), params * 2
    ):
        if kind is None:
            tags[event_id].append({"slug": slug, "name": name, "wikidata_id": wikidata_id})
        else:
            actors[event_id].append(
                {"slug": slug, "name": name, "kind": kind, "wikidata_id": wikidata_id}
            )
    mentions = defaultdict(list)
    for event_id, citation, _, dates in _citations(f"c.event_id {ids}", params):
        citations[event_id].append(citation)
        mentions[event_id] += dates
    claims = defaultdict(list)
    stating = [row[0] for row in rows if row[-1]]
    if stating:
        ids, params = _in(stating)
        for claim in _claims(f"cl.event_id {ids}", params):
            claims[claim.event_id].append(claim)
    parts = defaultdict(list)
    having_parts = [row[0] for row in rows if row[19]]
    if having_parts:
        ids, params = _in(having_parts)
        sql = PARTS.format(ids=ids, visible=visible.format(table="sub"))
        for super_event_id, *part in _fetch(sql, params):
            parts[super_event_id].append(part)
    head, tail = reverse("api:event-detail", kwargs={"slug": SLUG}, request=request).split(SLUG)

    def summary_of(slug: str, title: str) -> dict:
        return {"slug": slug, "title": title, "url": f"{head}{slug}{tail}"}

    documents = {}
    for row in rows:
        pk, slug, title, summary, date, display_date, start, end, precision, status = row[:10]
        date_note, starts_by, ends_from, published_at, version, updated_at = row[10:16]
        day_order, super_slug, super_title, _, *place, _ = row[16:]
        documents[pk] = {
            "url": f"{head}{slug}{tail}",
            "slug": slug,
            "title": title,
            "summary": summary,
            "date": date,
            "display_date": display_date,
            "start": start,
            "end": end,
            "precision": precision,
            "day_order": day_order,
            "date_evidence": evidence.assess(
                start, end, mentions[pk], date_note, starts_by=starts_by, ends_from=ends_from
            ),
            "status": status,
            "super_event": None if super_slug is None else summary_of(super_slug, super_title),
            "sub_events": [summary_of(*part) for part in parts[pk]],
            "place": None
            if place[0] is None
            else {
                "slug": place[0],
                "name": place[1],
                "latitude": _number(place[2]),
                "longitude": _number(place[3]),
                "wikidata_id": place[4],
            },
            "actors": actors[pk],
            "tags": tags[pk],
            "citations": citations[pk],
            "claims": _claims_of(claims[pk], citations[pk]),
            "published_at": utc_text(published_at),
            "version": version,
            "updated_at": utc_text(updated_at),
        }
    return documents


def _claims_of(claims: list, citations: list[dict]) -> list[dict]:
    """An event's claims grouped by property, as ``disputes`` orders and compares them."""
    if not claims:
        return []
    sources = {citation["id"]: citation["source"] for citation in citations}
    return disputes.claims_document(disputes.group_claims(claims), sources.get)


def events(request, ids: list[int], *, include_drafts: bool = False) -> list[dict]:
    """The events with these ids, in this order; ``include_drafts``: name draft parts too."""
    if not ids:
        return []
    where, params = _in(ids)
    found = _events(request, f"e.id {where}", params, include_drafts=include_drafts)
    return [found[pk] for pk in ids if pk in found]


def event(request, slug: str, *, include_drafts: bool = False) -> dict | None:
    """The event with this slug, published unless drafts are asked for; None if none."""
    where = "e.slug = %s" if include_drafts else "e.slug = %s AND e.published_at IS NOT NULL"
    found = _events(request, where, [slug], include_drafts=include_drafts)
    return next(iter(found.values()), None)


def citations(ids: list[int]) -> list[dict]:
    """Citations on their own (``/citations/``): as an event embeds them, with its slug."""
    if not ids:
        return []
    where, params = _in(ids)
    found = _citations(f"c.id {where}", params)
    where, params = _in(sorted({event_id for event_id, *_ in found}))
    slugs = dict(_fetch(f"SELECT id, slug FROM timeline_event WHERE id {where}", params))
    documents = {
        citation["id"]: {**citation, "event": slugs[event_id], "version": version}
        for event_id, citation, version, _ in found
    }
    return [documents[pk] for pk in ids if pk in documents]


def claims(ids: list[int]) -> list[dict]:
    """Claims on their own (``/claims/``): with their event, reading and cited sources."""
    if not ids:
        return []
    where, params = _in(ids)
    found = _claims(f"cl.id {where}", params)
    cited = sorted({pk for claim in found for pk in claim.citation_ids})
    sources = {}
    if cited:
        where, params = _in(cited)
        sources = {c["id"]: c["source"] for _, c, _, _ in _citations(f"c.id {where}", params)}
    documents = {
        claim.pk: {
            "id": claim.pk,
            "event": claim.event,
            "property": {
                "slug": claim.property.slug,
                "name": claim.property.name,
                "kind": claim.property.kind,
            },
            "value": claim.value,
            "normalized_as": claim.normalized_as,
            "normalized": disputes.Reading.from_key(claim.comparison_key).as_dict(),
            "rank": claim.rank,
            "rank_note": claim.rank_note,
            "citations": claim.citation_ids,
            "sources": disputes.cited_sources(claim.citation_ids, sources.get),
            "version": claim.version,
        }
        for claim in found
    }
    return [documents[pk] for pk in ids if pk in documents]

"""Whether an event's date is backed by what its cited sources say.

An event's date is **stated** when a cited quote holds a date expression whose
resolved interval lies within the event's: "Thursday" in an article published on
Friday 31 October 2025 states a date of 2025-10-30 or 2025-10 (the day lies in
both); "October" states 2025-10 but not 2025-10-30, which is more precise than
the quote. Otherwise it is **inferred** when the editor wrote how the date was
derived, and **unsupported** when nothing backs it. The expressions are found and
resolved by ``timeline.textdates`` against each quote's source publication date.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from timeline.textdates import find_dates

STATED, INFERRED, UNSUPPORTED = "stated", "inferred", "unsupported"
STATES = (STATED, INFERRED, UNSUPPORTED)
INFERRED_PREFIX = "Date inferred:"

# (citation id, expression, EDTF value or "", earliest day, latest day, how it was read):
# a row of DateMention, or a mention found in a quote now.
Mention = tuple[int, str, str | None, dt.date | None, dt.date | None, str]


def assess(start: dt.date, end: dt.date, mentions: Iterable[Mention], note: str = "") -> dict:
    """The evidence for a date from ``start`` to ``end``, from its citations' date mentions.

    It lists every expression that states the date, and the others the quotes
    hold with how each was read, so that an editor sees why a date is unsupported.
    """
    stating, other = [], []
    for pk, text, value, lower, upper, explanation in mentions:
        found = {"id": pk, "expression": text, "resolved": value or None}
        if value and start <= lower and upper <= end:
            stating.append(found)
        else:
            other.append({**found, "explanation": explanation})
    note = note.strip()
    state = STATED if stating else INFERRED if note else UNSUPPORTED
    return {"state": state, "citations": stating, "note": note, "other": other}


def date_evidence(
    start: dt.date,
    end: dt.date,
    citations: Iterable[tuple[int, str, object]],
    note: str = "",
) -> dict:
    """The evidence for a date, reading the quotes now: ``citations`` are (id, quote,
    reference), the reference being the source's publication date (a date, an EDTF
    string when known roughly, or None)."""
    mentions = [
        (pk, m.text, m.value, m.lower, m.upper, m.explanation)
        for pk, quote, reference in citations
        for m in find_dates(quote, reference)
    ]
    return assess(start, end, mentions, note)


def describe(evidence: dict, numbers: dict[int, int] | None = None) -> str:
    """One line for readers: "Date stated in [1], [3]", "Date inferred: …", or a warning.

    ``numbers`` gives each citation's footnote number (default: its id).
    """
    if evidence["state"] == STATED:
        cited = []
        for found in evidence["citations"]:
            number = f"[{(numbers or {}).get(found['id'], found['id'])}]"
            if number not in cited:
                cited.append(number)
        return "Date stated in " + ", ".join(cited)
    if evidence["state"] == INFERRED:
        return f"{INFERRED_PREFIX} {evidence['note']}"
    return "Date not stated by any cited source"


def of_events(events) -> dict[int, dict]:
    """Each event's evidence by id, from its citations' stored date mentions (one query)."""
    from timeline.models import DateMention

    events = list(events)
    found = defaultdict(list)
    rows = DateMention.objects.filter(citation__event__in=[event.pk for event in events])
    for event_id, *mention in rows.order_by("citation_id", "start").values_list(
        "citation__event_id", "citation_id", "text", "value", "lower", "upper", "explanation"
    ):
        found[event_id].append(tuple(mention))
    return {
        event.pk: assess(event.start, event.end, found[event.pk], event.date_note)
        for event in events
    }


def of_prefetched(event) -> dict:
    """An event's evidence from its prefetched citations and their dates
    (``EventQuerySet.with_citations``): no query."""
    mentions = [
        (citation.pk, m.text, m.value, m.lower, m.upper, m.explanation)
        for citation in event.citations.all()
        for m in citation.dates.all()
    ]
    return assess(event.start, event.end, mentions, event.date_note)


def citation_numbers(event) -> dict[int, int]:
    """Each citation's footnote number on the page and in every format: its place, from 1."""
    return {citation.pk: number for number, citation in enumerate(event.citations.all(), 1)}


def line(event) -> str:
    """The one line every format gives, with the page's footnote numbers (prefetched event)."""
    return describe(of_prefetched(event), citation_numbers(event))

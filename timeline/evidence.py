"""Whether an event's date is backed by what its cited sources say.

An event's date is **stated** when a cited quote holds a date expression whose
resolved interval lies within the event's: "Thursday" in an article published on
Friday 31 October 2025 states a date of 2025-10-30 or 2025-10 (the day lies in
both); "October" states 2025-10 but not 2025-10-30, which is more precise than
the quote. Otherwise it is **inferred** when the editor wrote how the date was
derived, and **unsupported** when nothing backs it. The expressions are found and
resolved by ``timeline.textdates`` against each quote's source publication date.

A quote no longer found in its source's archived text (``Citation.anchored`` is
False: the text changed since it was cited) states nothing: its dates are left out.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

STATED, INFERRED, UNSUPPORTED = "stated", "inferred", "unsupported"
STATES = (STATED, INFERRED, UNSUPPORTED)
INFERRED_PREFIX = "Date inferred:"
UNANCHORED_NOTE = "quote not found in the archived source"

# (citation id, expression, EDTF value or "", earliest day, latest day, how it was read):
# a row of DateMention, or a mention found in a quote now.
Mention = tuple[int, str, str | None, dt.date | None, dt.date | None, str]


def assess(
    start: dt.date,
    end: dt.date,
    mentions: Iterable[Mention],
    note: str = "",
    *,
    starts_by: dt.date | None = None,
    ends_from: dt.date | None = None,
) -> dict:
    """The evidence for a date from ``start`` to ``end``, from its citations' date mentions.

    A range ("2025-09/2025-10") is stated only when the quotes within it also state
    when it starts (by ``starts_by``, the end of its first part) and when it ends
    (from ``ends_from``, the start of its last part): "last month", read as September,
    does not make "September to October" true. It lists every expression that states
    the date, and the others the quotes hold with how each was read, so that an editor
    sees why a date is unsupported.
    """
    starts_by = end if starts_by is None else starts_by
    ends_from = start if ends_from is None else ends_from
    mentions = list(mentions)
    within = [m for m in mentions if m[2] and start <= m[3] and m[4] <= end]
    starts = any(lower <= starts_by for *_, lower, _, _ in within)
    ends = any(upper >= ends_from for *_, upper, _ in within)
    stating, other = [], []
    for mention in mentions:
        pk, text, value, _, _, explanation = mention
        found = {"id": pk, "expression": text, "resolved": value or None}
        if mention in within and starts and ends:
            stating.append(found)
        elif mention in within:
            missing = "starts" if not starts else "ends"
            explanation += f"; within the date, but no quote says when its range {missing}"
            other.append({**found, "explanation": explanation})
        else:
            other.append({**found, "explanation": explanation})
    note = note.strip()
    state = STATED if stating else INFERRED if note else UNSUPPORTED
    return {"state": state, "citations": stating, "note": note, "other": other}


def quote_caveat(citation) -> str:
    """What every format adds after a quote no longer found in its source's archived
    text (``Citation.anchored`` is False), else ""."""
    return f" ({UNANCHORED_NOTE})" if citation.anchored is False else ""


def describe(evidence: dict, numbers: dict[int, int] | None = None) -> str:
    """One line for readers: "Date stated in [1], [3]", "Date inferred: …", or a warning.

    ``numbers`` gives each citation's footnote number (default: its id).
    """
    if evidence["state"] == STATED:
        cited = stating_numbers(evidence, numbers)
        return "Date stated in " + ", ".join(f"[{number}]" for number in cited)
    if evidence["state"] == INFERRED:
        return f"{INFERRED_PREFIX} {evidence['note']}"
    return "Date not stated by any cited source"


def stating_numbers(evidence: dict, numbers: dict[int, int] | None = None) -> list[int]:
    """The footnote numbers of the citations stating the date, each once, in order."""
    numbers = numbers or {}
    return sorted({numbers.get(found["id"], found["id"]) for found in evidence["citations"]})


def of_events(events) -> dict[int, dict]:
    """Each event's evidence by id, from its citations' stored date mentions (one query)."""
    from timeline.models import DateMention

    events = list(events)
    found = defaultdict(list)
    rows = DateMention.objects.trusted().filter(citation__event__in=[event.pk for event in events])
    for event_id, *mention in rows.order_by("citation_id", "start").values_list(
        "citation__event_id", "citation_id", "text", "value", "lower", "upper", "explanation"
    ):
        found[event_id].append(tuple(mention))
    return {event.pk: _assess(event, found[event.pk]) for event in events}


def _assess(event, mentions: list[Mention]) -> dict:
    return assess(
        event.start,
        event.end,
        mentions,
        event.date_note,
        starts_by=event.starts_by,
        ends_from=event.ends_from,
    )


def of_prefetched(event) -> dict:
    """An event's evidence from its prefetched citations and their dates
    (``EventQuerySet.with_citations``): no query."""
    mentions = [
        (citation.pk, m.text, m.value, m.lower, m.upper, m.explanation)
        for citation in event.citations.all()
        if citation.anchored is not False
        for m in citation.dates.all()
    ]
    return _assess(event, mentions)


def line(event) -> str:
    """The one line every format gives, with the page's footnote numbers (prefetched event)."""
    return describe(of_prefetched(event), event.citation_numbers())

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
from collections.abc import Iterable

from timeline.textdates import find_dates

STATED, INFERRED, UNSUPPORTED = "stated", "inferred", "unsupported"


def date_evidence(
    start: dt.date,
    end: dt.date,
    citations: Iterable[tuple[int, str, object]],
    note: str = "",
) -> dict:
    """The evidence for a date from ``start`` to ``end``.

    ``citations`` are (id, quote, reference): the reference is the source's publication
    date (a date, an EDTF string when known roughly, or None). The result lists every
    expression that states the date, and the others the quotes hold, with how each was
    resolved, so that an editor sees why a date is unsupported.
    """
    stating, other = [], []
    for pk, quote, reference in citations:
        for mention in find_dates(quote, reference):
            found = {"id": pk, "expression": mention.text, "resolved": mention.value}
            if mention.value and start <= mention.lower and mention.upper <= end:
                stating.append(found)
            else:
                other.append({**found, "explanation": mention.explanation})
    note = note.strip()
    state = STATED if stating else INFERRED if note else UNSUPPORTED
    return {"state": state, "citations": stating, "note": note, "other": other}

"""Dated quotes the tests share, and their date evidence read from the quotes themselves."""

import datetime as dt
from collections.abc import Iterable

from timeline.evidence import assess
from timeline.textdates import find_dates

# An article of Friday 31 October 2025: its "Thursday" is the 30th.
FRIDAY = dt.date(2025, 10, 31)
TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
THURSDAY_QUOTE = "The leaders met on Thursday in Busan."
DAY_QUOTE = "Trump and Xi met on 30 October 2025."
DATED_TEXT = f"{THURSDAY_QUOTE} {DAY_QUOTE} {TARIFF_QUOTE}"
# How an editor worked a date out, with what HTML must escape.
NOTE = 'Worked out from the <b>wire</b> & "desk" reports, filed on Friday.'
NOTE_HTML = (
    "Worked out from the &lt;b&gt;wire&lt;/b&gt; &amp; &quot;desk&quot; reports, filed on Friday."
)


def date_evidence(
    start: dt.date,
    end: dt.date,
    citations: Iterable[tuple[int, str, object]],
    note: str = "",
    **range_ends,
) -> dict:
    """``timeline.evidence.assess`` of the quotes read now, as ``Citation.save`` reads them:
    ``citations`` are (id, quote, the source's publication date or None)."""
    mentions = [
        (pk, m.text, m.value, m.lower, m.upper, m.explanation)
        for pk, quote, reference in citations
        for m in find_dates(quote, reference)
    ]
    return assess(start, end, mentions, note, **range_ends)

"""Date evidence (timeline.evidence): a date is stated only by a quote at least as precise."""

import datetime as dt

from tests.dated import FRIDAY, date_evidence
from timeline.dates import parse_event_date
from timeline.evidence import INFERRED, STATED, UNSUPPORTED

DAY = (dt.date(2025, 10, 30), dt.date(2025, 10, 30))
MONTH = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))


def test_a_weekday_states_a_day_and_the_month_it_falls_in():
    quote = [(7, "No deal came from Thursday's talks.", FRIDAY)]
    for start, end in (DAY, MONTH):
        evidence = date_evidence(start, end, quote)
        assert evidence["state"] == STATED
        assert evidence["citations"] == [
            {"id": 7, "expression": "Thursday", "resolved": "2025-10-30"}
        ]


def test_a_month_does_not_state_a_day_in_it():
    quote = [(7, "Tariffs were cut in October.", FRIDAY)]
    assert date_evidence(*MONTH, quote)["state"] == STATED
    evidence = date_evidence(*DAY, quote)
    assert evidence["state"] == UNSUPPORTED
    assert evidence["citations"] == []
    # The editor is shown what the quote does say, and how it was read.
    assert [(o["id"], o["expression"], o["resolved"]) for o in evidence["other"]] == [
        (7, "October", "2025-10")
    ]


def test_a_rough_publication_date_states_only_what_holds_on_every_day_of_it():
    quote = [(7, "Officials said yesterday that talks went well.", "2025-10-30/2025-11-02")]
    evidence = date_evidence(*DAY, quote)
    assert evidence["state"] == UNSUPPORTED
    assert evidence["other"][0]["resolved"] == "2025-10-29/2025-11-01"
    assert date_evidence(dt.date(2025, 10, 29), dt.date(2025, 11, 1), quote)["state"] == STATED


def test_without_a_publication_date_a_relative_quote_states_nothing():
    evidence = date_evidence(*DAY, [(7, "They met on Thursday.", None)])
    assert evidence["state"] == UNSUPPORTED
    assert evidence["other"][0]["explanation"].startswith("unresolved: ")
    # An absolute date still counts.
    evidence = date_evidence(*DAY, [(8, "They met on 30 October 2025.", None)])
    assert evidence["state"] == STATED


def test_a_note_makes_an_unstated_date_inferred():
    quote = [(7, "China responded with its own tariffs.", FRIDAY)]
    assert date_evidence(*MONTH, quote, note="  ")["state"] == UNSUPPORTED
    evidence = date_evidence(*MONTH, quote, note="Reported as the response to the 2 April tariffs.")
    assert (evidence["state"], evidence["note"]) == (
        INFERRED,
        "Reported as the response to the 2 April tariffs.",
    )
    # A quote that states the date wins over the note.
    stated = [(7, "Tariffs were cut in October.", FRIDAY)]
    assert date_evidence(*MONTH, stated, note="anything")["state"] == STATED


def _range(date: str) -> dict:
    parsed = parse_event_date(date)
    return {
        "start": parsed.start,
        "end": parsed.end,
        "starts_by": parsed.starts_by,
        "ends_from": parsed.ends_from,
    }


def test_a_range_is_stated_only_when_quotes_say_when_it_starts_and_ends():
    # "Last month" in an article of late October is September: it does not make the
    # measures run from September to October (the old seed's unsupported range end).
    last_month = (7, "Last month, China imposed higher import tariffs.", "2025-10-24")
    evidence = date_evidence(citations=[last_month], **_range("2025-09/2025-10"))
    assert evidence["state"] == UNSUPPORTED
    (other,) = evidence["other"]
    assert other["resolved"] == "2025-09"
    assert other["explanation"].endswith("no quote says when its range ends")
    assert date_evidence(citations=[last_month], **_range("2025-09"))["state"] == STATED

    # A tour from Sunday to Thursday: one quote for each end states it.
    sunday = (8, "Trump landed in Kuala Lumpur on Sunday.", "2025-10-31")
    thursday = (9, "He met Xi on Thursday.", "2025-10-31")
    tour = _range("2025-10-26/2025-10-30")
    assert date_evidence(citations=[thursday], **tour)["state"] == UNSUPPORTED
    evidence = date_evidence(citations=[sunday, thursday], **tour)
    assert evidence["state"] == STATED
    assert [c["resolved"] for c in evidence["citations"]] == ["2025-10-26", "2025-10-30"]

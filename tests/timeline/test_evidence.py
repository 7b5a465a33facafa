"""Date evidence (timeline.evidence): a date is stated only by a quote at least as precise."""

import datetime as dt

from timeline.evidence import INFERRED, STATED, UNSUPPORTED, date_evidence

FRIDAY = dt.date(2025, 10, 31)  # the day after the Busan meeting
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

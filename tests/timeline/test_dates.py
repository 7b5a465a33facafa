"""Tests for timeline.dates.parse_event_date: EDTF strings to indexed bounds and precision."""

import datetime

import pytest

from timeline.dates import InvalidEventDate, parse_event_date


def d(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def error_of(text: str | None) -> str:
    """The message parse_event_date refuses the text with; fails if it is accepted."""
    with pytest.raises(InvalidEventDate) as excinfo:
        parse_event_date(text)
    return str(excinfo.value)


# (text, start, end, precision)
BOUNDS = [
    ("2025-10-30", "2025-10-30", "2025-10-30", "day"),
    ("2025-03", "2025-03-01", "2025-03-31", "month"),
    ("2025-04", "2025-04-01", "2025-04-30", "month"),
    ("2025-05~", "2025-05-01", "2025-05-31", "month"),
    ("2025-10?", "2025-10-01", "2025-10-31", "month"),
    ("2025-21", "2025-03-01", "2025-05-31", "season"),
    ("2025-22", "2025-06-01", "2025-08-31", "season"),
    # Winter runs into the next year, through February (a leap day in 2024).
    ("2025-24", "2025-12-01", "2026-02-28", "season"),
    ("2023-24", "2023-12-01", "2024-02-29", "season"),
    ("2025-23/2025-24", "2025-09-01", "2026-02-28", "season"),
    ("2019", "2019-01-01", "2019-12-31", "year"),
    ("2025-10-25/2025-10-26", "2025-10-25", "2025-10-26", "day"),
    ("2025-10-30/2025-10-30", "2025-10-30", "2025-10-30", "day"),
    ("2025-09/2025-10-09", "2025-09-01", "2025-10-09", "month"),
    ("2025-10-09/2025-11", "2025-10-09", "2025-11-30", "month"),
    ("2025-21/2025-10-01", "2025-03-01", "2025-10-01", "season"),
    ("2024/2025-03", "2024-01-01", "2025-03-31", "year"),
    ("2024-02", "2024-02-01", "2024-02-29", "month"),
    ("2025-02", "2025-02-01", "2025-02-28", "month"),
    ("2024-02-29", "2024-02-29", "2024-02-29", "day"),
    ("2025-03-XX", "2025-03-01", "2025-03-31", "month"),
    ("2025-XX-XX", "2025-01-01", "2025-12-31", "year"),
]


def test_parse_event_date_bounds_and_precision():
    parsed = {text: parse_event_date(text) for text, *_ in BOUNDS}

    assert {text: (p.start, p.end, p.precision) for text, p in parsed.items()} == {
        text: (d(start), d(end), precision) for text, start, end, precision in BOUNDS
    }


# (text, the last day it can start on, the first day it can end on)
RANGE_ENDS = [
    ("2025-10-30", "2025-10-30", "2025-10-30"),
    ("2025-10", "2025-10-31", "2025-10-01"),  # one date: its end, its start
    ("2025-09/2025-10", "2025-09-30", "2025-10-01"),
    ("2025-10-25/2025-10-26", "2025-10-25", "2025-10-26"),
    ("2025-23/2025-24", "2025-11-30", "2025-12-01"),
    ("2024-24/2025-21", "2025-02-28", "2025-03-01"),  # winter ends in February
    ("2025-09/2025-10-09", "2025-09-30", "2025-10-09"),
]


def test_a_range_knows_its_first_and_last_parts():
    parsed = {text: parse_event_date(text) for text, *_ in RANGE_ENDS}

    assert {text: (p.starts_by, p.ends_from) for text, p in parsed.items()} == {
        text: (d(starts_by), d(ends_from)) for text, starts_by, ends_from in RANGE_ENDS
    }


def test_parse_event_date_trims_whitespace():
    for text in ["  2025-03  ", "\t2025-03\n", " 2025-03"]:
        assert parse_event_date(text) == parse_event_date("2025-03"), repr(text)


def test_parse_event_date_empty_asks_for_a_date():
    for text in ["", "   ", "\n\t", None]:
        assert "Enter a date" in error_of(text), repr(text)


NOT_EDTF = [
    "hello",
    "2025-13",
    "2025-00",
    "2025-10-32",
    "2025-04-31",
    "30/10/2025",
    "2025-1-5",
    "..",
]


def test_parse_event_date_rejects_non_edtf_and_shows_examples():
    for text in NOT_EDTF:
        message = error_of(text)
        assert f"“{text}” is not a valid EDTF date" in message
        assert "2025-10-30" in message, text  # an example of what to type instead


def test_parse_event_date_quotes_the_trimmed_input_in_its_error():
    assert "“nonsense” is not" in error_of("  nonsense  ")


def test_parse_event_date_february_29_outside_leap_years_names_the_bad_day():
    assert error_of("2025-02-29") == "“2025-02-29” is not a real day."
    assert error_of("2023-02-29/2023-03") == "“2023-02-29” is not a real day."


def test_parse_event_date_refuses_open_ranges():
    for text in ["2025-10/..", "../2025", "2025/..", "../2025-10-30"]:
        message = error_of(text)
        assert "Both ends" in message, text
        assert "open ranges are not allowed" in message, text


def test_parse_event_date_refuses_unknown_range_ends():
    for text in ["2025-10/", "/2025", "2025-10-30/"]:
        assert "Both ends" in error_of(text), text


def test_parse_event_date_refuses_sets():
    for text in ["[2025,2026]", "{2025,2026}", "[2025-10-30,2025-11-02]", "[2025..]"]:
        assert "not a set of dates" in error_of(text), text


def test_parse_event_date_refuses_a_range_that_ends_before_it_starts():
    for text in ["2025-10-26/2025-10-25", "2025-10/2025-09-30", "2026/2025"]:
        assert "ends before it starts" in error_of(text), text


def test_parse_event_date_refuses_years_python_cannot_store():
    for text in ["-0005", "Y20000"]:
        assert "outside the years 1 to 9999" in error_of(text), text


def test_parse_event_date_partly_unspecified_digits_are_an_invalid_event_date():
    # The edtf parser fails on these with internal errors, never a 500 for the editor.
    for text in ["2025-1X", "2025-10-3X", "2025-1X-XX", "2025-12-3X/2026"]:
        assert "is not a valid EDTF date" in error_of(text), text


def test_parse_event_date_keeps_the_parser_debugging_output_off_stdout(capsys):
    with pytest.raises(InvalidEventDate):
        parse_event_date("2025-1X")

    assert capsys.readouterr().out == ""


def test_invalid_event_date_is_a_value_error():
    # Callers that only know ValueError (forms, serializers) still catch it.
    assert issubclass(InvalidEventDate, ValueError)

"""The editors' audit of the first seed, found again by the checks alone.

The first seed (before issue 16) dated events more precisely than any article
and showed a "dispute" that was no conflict. These are its dates, quotes and
values as they were (the quotes are short extracts of the seed articles); the
date evidence and the dispute rule must flag each problem the audit found, and
pass what it found right.
"""

from types import SimpleNamespace

import pytest

from tests.dated import date_evidence
from timeline.claims import disputes
from timeline.dates import parse_event_date
from timeline.evidence import STATED, UNSUPPORTED
from timeline.seed_data import SOURCES

PUBLISHED = {source["slug"]: source["published_between"] for source in SOURCES}
PREVIEW = "trump-xi-meeting-preview-south-korea"  # 24 or 25 October 2025
SIX_YEARS = "trump-xi-meet-first-time-six-years"
REIGNITE = "trump-xi-reignite-trade-talks"
HOLD = "trump-xi-hold-first-talks-six-years"
SUMMIT = "trump-xi-summit-busan-symbolic-or-breakthrough"

# slug: (the old seed's date, [(source, quote)], what the audit found)
OLD_DATES = {
    "kuala-lumpur-talks": (
        "2025-10-25/2025-10-26",
        [
            (HOLD, "The summit in Busan followed two days of talks in Kuala Lumpur"),
            (PREVIEW, "The preparatory trade discussions are being led by Chinese Vice Premier"),
        ],
        "day dates where no article gives the month",
    ),
    "trump-asia-tour-2025": (
        "2025-10-26/2025-10-30",
        [
            (PREVIEW, "In the coming week, Trump will visit Malaysia, Japan, and South Korea"),
            (SIX_YEARS, "where Trump spent the past week driving his economic agenda"),
        ],
        "a first day no article gives",
    ),
    "china-retaliatory-tariffs": (
        "2025-04",
        [(PREVIEW, "In response, China implemented tariffs on American products.")],
        "a month for what the source only says came “in response”",
    ),
    "china-rare-earth-measures-autumn-2025": (
        "2025-09/2025-10",
        [
            (
                PREVIEW,
                "Last month, tensions escalated further as China introduced higher import "
                "tariffs on rare earth metals",
            )
        ],
        "a range end no source supports",
    ),
    "xi-visit-us-2026": (
        "2026",
        [(SUMMIT, "with Xi expected to make a reciprocal trip to the US later that year")],
        "a year-only date that sorts it before the visit it follows",
    ),
}
# What the audit found right: dates their quotes state.
STATED_DATES = {
    "busan-meeting": (
        "2025-10-30",
        [
            (
                SIX_YEARS,
                "No formal trade deal came from Thursday’s talks, but both leaders hinted at "
                "progress.",
            )
        ],
    ),
    "us-tariffs-march-2025": (
        "2025-03",
        [(PREVIEW, "In late March, the two nations became embroiled in a trade war")],
    ),
    "may-2025-truce": (
        "2025-05",
        [(SIX_YEARS, "A short-lived truce in May failed to end the confrontation.")],
    ),
}


def evidence_of(date: str, quotes: list[tuple[str, str]]) -> dict:
    parsed = parse_event_date(date)
    return date_evidence(
        parsed.start,
        parsed.end,
        [(n, quote, PUBLISHED[source]) for n, (source, quote) in enumerate(quotes, 1)],
        starts_by=parsed.starts_by,
        ends_from=parsed.ends_from,
    )


@pytest.mark.parametrize("slug", sorted(OLD_DATES))
def test_each_date_more_precise_than_its_sources_is_unsupported(slug):
    date, quotes, finding = OLD_DATES[slug]

    assert evidence_of(date, quotes)["state"] == UNSUPPORTED, finding


@pytest.mark.parametrize("slug", sorted(STATED_DATES))
def test_the_dates_the_audit_found_right_are_stated(slug):
    assert evidence_of(*STATED_DATES[slug])["state"] == STATED


def test_the_year_only_date_fixed_by_its_whole_sentence_is_stated_and_sorts_after_april():
    sentence = (
        "The Chinese Ministry of Commerce later confirmed that Trump will visit China in April "
        "2026, with Xi expected to make a reciprocal trip to the US later that year."
    )
    evidence = evidence_of("2026-05/2026-12", [(SUMMIT, sentence)])

    assert evidence["state"] == STATED
    assert parse_event_date("2026-05/2026-12").start > parse_event_date("2026-04").start


def claims(*values: str, kind: str = "quantity") -> list:
    return [
        SimpleNamespace(
            pk=n, rank="normal", comparison_key=disputes.read_value(value, kind=kind).key
        )
        for n, value in enumerate(values, 1)
    ]


def test_the_dispute_that_was_no_conflict_is_not_one():
    # 47% is over 40%: the old seed showed these as sources differing.
    assert not disputes.is_disputed(claims("over 40 percent", "over 40%", "47%"))
    # More than 90% is also over 70%.
    assert not disputes.is_disputed(claims("more than 90%", "over 70%"))


def test_about_100_minutes_is_an_interval_and_80_minutes_conflicts_with_it():
    reading = disputes.read_value("about 100 minutes")
    assert (reading.interval.lower, reading.interval.upper) == (90, 110)
    duration = claims("80 minutes", "just over an hour", "about 100 minutes", "one hour 40 minutes")
    conflicts = disputes.conflicting(duration)
    assert conflicts == {1: [3, 4], 2: [], 3: [1], 4: [1]}


def test_near_synonyms_agree_only_when_read_the_same_and_the_real_conflict_shows():
    # The old seed read "suspended" and "delayed" apart: a conflict between synonyms.
    assert disputes.is_disputed(claims("suspended", "delayed", kind="text"))
    # Read as editors read them, the conflict left is the real one.
    same = claims(
        "some suspended, others still restricted",
        "some suspended, others still restricted",
        kind="text",
    )
    assert not disputes.is_disputed(same)
    assert disputes.is_disputed(
        claims("all removed", "some suspended, others still restricted", kind="text")
    )

"""Date expressions found in text and resolved to EDTF (timeline.textdates).

The annotated set's scores are guarded in test_textdates_corpus.py; these pin
each form the service must read, the tense rule, rough references and bad input.
"""

import datetime as dt

from hypothesis import example, given, settings
from hypothesis import strategies as st

from timeline.textdates import find_dates

# Friday 31 October 2025, the day after the Busan meeting.
REFERENCE = "2025-10-31"

# (text, the expression, its value), each read against REFERENCE.
CASES = [
    ("They met on 30 October 2025 in Busan.", "30 October 2025", "2025-10-30"),
    ("They met on October 30, 2025.", "October 30, 2025", "2025-10-30"),
    ("Talks were held on Oct. 30 in Busan.", "Oct. 30", "2025-10-30"),
    ("The cuts will take effect on 1 December.", "1 December", "2025-12-01"),
    ("Trump will visit China in April 2026.", "April 2026", "2026-04"),
    ("Relations have soured since talks in 2019.", "2019", "2019"),
    ("The tariffs were imposed in late March.", "late March", "2025-03-21/2025-03-31"),
    ("Exports fell in the summer of 2024.", "summer of 2024", "2024-22"),
    ("The leaders met on Thursday.", "Thursday", "2025-10-30"),
    ("No deal came from Thursday's talks.", "Thursday", "2025-10-30"),
    ("Officials said yesterday that talks went well.", "yesterday", "2025-10-30"),
    ("The ministry said two days ago that it agreed.", "two days ago", "2025-10-29"),
    ("Soybean purchases resumed last month.", "last month", "2025-09"),
    ("Negotiators met last Friday in Geneva.", "last Friday", "2025-10-24"),
    ("Talks resume next week.", "next week", "2025-11-03/2025-11-09"),
    ("A decision is due next spring.", "next spring", "2026-21"),
    ("Officials expect a text in the coming week.", "in the coming week", "2025-11-01/2025-11-07"),
    ("Prices have been volatile this season.", "this season", "2025-23"),
    ("Tariffs have risen since January.", "since January", "2025-01-01/2025-10-31"),
    ("Beijing will publish rules later this year.", "later this year", "2025-11-01/2025-12-31"),
    ("Exports rose in the first quarter of 2025.", "first quarter of 2025", "2025-01/2025-03"),
]


def found(text: str, reference=REFERENCE) -> list[tuple[str, str | None]]:
    return [(mention.text, mention.value) for mention in find_dates(text, reference)]


def test_every_form_is_found_with_its_span_and_value():
    wrong = []
    for text, expression, value in CASES:
        mentions = find_dates(text, REFERENCE)
        got = [(text[m.start : m.end], m.value) for m in mentions]
        if got != [(expression, value)]:
            wrong.append((text, got, (expression, value)))
    assert wrong == []


def test_tense_decides_the_direction():
    # Said on Friday 31 October 2025: April and Thursday either way.
    assert found("Trump will visit China in April.") == [("April", "2026-04")]
    assert found("Trump visited China in April.") == [("April", "2025-04")]
    assert found("The meeting is scheduled to take place on Thursday.") == [
        ("Thursday", "2025-11-06")
    ]
    assert found("The leaders met on Thursday.") == [("Thursday", "2025-10-30")]
    # One sentence, two tenses: each expression takes the nearest.
    assert found("Trump, who met Xi on Thursday, will visit Beijing in April.") == [
        ("Thursday", "2025-10-30"),
        ("April", "2026-04"),
    ]


def test_a_rough_reference_gives_the_honest_interval():
    # Published between Thursday 30 October and Sunday 2 November 2025.
    rough = "2025-10-30/2025-11-02"
    assert found("No deal came from Thursday's talks.", rough) == [("Thursday", "2025-10-30")]
    assert found("Officials said yesterday that talks went well.", rough) == [
        ("yesterday", "2025-10-29/2025-11-01")
    ]
    assert found("Purchases resumed last month.", rough) == [("last month", "2025-09/2025-10")]


def test_each_mention_says_how_it_was_resolved():
    (mention,) = find_dates("No deal came from Thursday's talks.", REFERENCE)
    assert (mention.lower, mention.upper) == (dt.date(2025, 10, 30), dt.date(2025, 10, 30))
    assert mention.explanation.startswith("Thursday → 2025-10-30: ")
    assert "before publication" in mention.explanation


def test_without_a_publication_date_only_absolute_expressions_resolve():
    text = "Trump met Xi on Thursday, 30 October 2025, and will visit in April."
    mentions = find_dates(text, None)
    assert [(m.text, m.value) for m in mentions] == [
        ("Thursday", None),
        ("30 October 2025", "2025-10-30"),
        ("April", None),
    ]
    assert mentions[0].explanation == (
        "unresolved: it counts from the publication date, which is not known"
    )
    assert mentions[2].explanation == (
        "unresolved: it names no year, and the publication date is not known"
    )


def test_words_and_numbers_that_are_not_dates():
    text = (
        "Tariffs may rise. May the talks go well. Workers march in Seoul. Sun Yat-sen "
        "University hosted a second round. The hot spring is closed. Exports reached "
        "2,019 tonnes under Section 301 after COVID-19; G20 ministers pledged $2025 million "
        "for a 90-day pause lasting three years. Talks continue now and went well recently."
    )
    assert found(text) == []


# Expressions whose value depends on the day and the tense, leap days and year ends.
PHRASES = [
    "on Feb. 29",
    "on 29 February",
    "since Feb. 29",
    "in February",
    "in late February",
    "the middle of February",
    "on Thursday",
    "last Friday",
    "next Monday",
    "this winter",
    "last winter",
    "next spring",
    "this season",
    "later this week",
    "later this month",
    "earlier this month",
    "since January",
    "since Sunday",
    "12 weeks ago",
    "the next 12 months",
    "the past 3 days",
    "in the coming week",
    "the first half",
    "the fourth quarter",
    "yesterday",
]


@settings(max_examples=300, deadline=None, derandomize=True)
@example(phrase="earlier this month", tense="It happened", reference=dt.date(2000, 1, 1))
@example(phrase="later this week", tense="It will happen", reference=dt.date(2025, 11, 2))
@example(phrase="on Feb. 29", tense="It happened", reference=dt.date(2026, 1, 1))
@given(
    phrase=st.sampled_from(PHRASES),
    tense=st.sampled_from(["It happened", "It will happen", "It is"]),
    reference=st.one_of(
        st.none(), st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2098, 12, 31))
    ),
)
def test_on_any_day_an_expression_resolves_or_says_why(phrase, tense, reference):
    (mention,) = find_dates(f"{tense} {phrase}.", reference)
    if mention.value is None:
        assert mention.explanation.startswith("unresolved: ")
    else:
        assert mention.lower <= mention.upper
        assert mention.explanation.startswith(f"{mention.text} → {mention.value}: ")

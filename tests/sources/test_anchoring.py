"""Tests for sources.anchoring: tolerant, verbatim quote anchoring with W3C selectors."""

import itertools
import random

import pytest

from sources.anchoring import (
    CONTEXT_CHARS,
    Anchor,
    AnchorError,
    EmptyQuote,
    QuoteNotFound,
    anchor_quote,
    fold,
)

NBSP = "\u00a0"
THIN = "\u2009"

# Invented article text with typographic quotes, dashes, NBSP, tabs and newlines.
SAMPLE = (
    "The harbour commission of Lindenport met on Tuesday evening to discuss the\n"
    "proposed breakwater. \u201cWe cannot wait another decade,\u201d said chair\n"
    "Mira Oskarsdottir, adding that the council\u2019s budget \u2014 already stretched \u2014\n"
    "would need a\u00a0second look.\n"
    "\n"
    "Engineers presented three options\u2013two of them costly. The cheapest option,\tthey said,\n"
    "would take 18\u201324 months and cost \u22122% of the reserve fund\u2019s annual yield.\n"
    "\u201eNobody likes the cheapest option,\u201c one fisherman remarked.\n"
    "\u2018It\u2019s a patch,\n"
    "not a plan.\u2019 The commission will vote on 4 March; the vote is public.\n"
    "Residents may submit comments until 1 March. The vote is public, and the minutes\n"
    "will be archived at the town hall \u00abfor at least ten years\u00bb, officials said.\n"
)


def _check(text: str, anchor: Anchor) -> None:
    """Every anchor must satisfy the slicing invariants, whatever the quote looked like."""
    assert anchor.exact == text[anchor.start : anchor.end]
    assert anchor.prefix == text[max(0, anchor.start - CONTEXT_CHARS) : anchor.start]
    assert anchor.suffix == text[anchor.end : anchor.end + CONTEXT_CHARS]
    assert anchor.exact == anchor.exact.strip()


# --- exact and folded matches -------------------------------------------------------------


def test_exact_match_positions_and_context() -> None:
    text = "Alpha beta gamma delta epsilon."
    anchor = anchor_quote(text, "gamma delta")
    assert anchor.start == text.index("gamma")
    assert anchor.end == anchor.start + len("gamma delta")
    assert anchor.exact == "gamma delta"
    assert anchor.prefix == "Alpha beta "
    assert anchor.suffix == " epsilon."
    _check(text, anchor)


def test_context_is_capped_at_context_chars() -> None:
    text = "x" * 100 + "NEEDLE" + "y" * 100
    anchor = anchor_quote(text, "NEEDLE")
    assert CONTEXT_CHARS == 32
    assert anchor.prefix == "x" * CONTEXT_CHARS
    assert anchor.suffix == "y" * CONTEXT_CHARS
    assert (anchor.start, anchor.end) == (100, 106)


def test_straight_double_quotes_match_curly_source() -> None:
    text = "He said \u201cwe will build it\u201d and left."
    anchor = anchor_quote(text, '"we will build it"')
    assert anchor.exact == "\u201cwe will build it\u201d"
    assert anchor.start == text.index("\u201c")
    _check(text, anchor)


def test_curly_double_quotes_match_straight_source() -> None:
    text = 'He said "we will build it" and left.'
    anchor = anchor_quote(text, "\u201cwe will build it\u201d")
    assert anchor.exact == '"we will build it"'
    assert anchor.start == text.index('"')
    _check(text, anchor)


def test_other_double_quote_forms_fold() -> None:
    text = "\u201eone\u201f \u00abtwo\u00bb 5\u2033 end"
    anchor = anchor_quote(text, '"one" "two" 5"')
    assert anchor.exact == "\u201eone\u201f \u00abtwo\u00bb 5\u2033"
    assert anchor.start == 0
    _check(text, anchor)


def test_straight_apostrophe_matches_curly_source() -> None:
    text = "It\u2019s the council\u2019s \u2018final\u2019 offer."
    anchor = anchor_quote(text, "the council's 'final' offer")
    assert anchor.exact == "the council\u2019s \u2018final\u2019 offer"
    _check(text, anchor)


def test_curly_apostrophe_matches_straight_source() -> None:
    text = "It's the council's 'final' offer."
    anchor = anchor_quote(text, "It\u2019s the council\u2019s \u2018final\u2019")
    assert anchor.exact == "It's the council's 'final'"
    assert anchor.start == 0
    _check(text, anchor)


def test_other_single_quote_forms_fold() -> None:
    text = "a \u201aquoted\u201b 6\u2032 b"
    anchor = anchor_quote(text, "'quoted' 6'")
    assert anchor.exact == "\u201aquoted\u201b 6\u2032"
    _check(text, anchor)


def test_em_dash_in_source_matches_hyphen_in_quote() -> None:
    text = "The budget \u2014 already stretched \u2014 needs review."
    anchor = anchor_quote(text, "budget - already stretched - needs")
    assert anchor.exact == "budget \u2014 already stretched \u2014 needs"
    _check(text, anchor)


def test_hyphen_in_source_matches_en_dash_in_quote() -> None:
    text = "It will take 18-24 months."
    anchor = anchor_quote(text, "18\u201324 months")
    assert anchor.exact == "18-24 months"
    assert anchor.start == text.index("18")
    _check(text, anchor)


def test_every_dash_variant_folds_to_hyphen() -> None:
    for dash in ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"]:
        text = f"value{dash}added"
        anchor = anchor_quote(text, "value-added")
        assert anchor.exact == text, hex(ord(dash))
        assert (anchor.start, anchor.end) == (0, len(text)), hex(ord(dash))


def test_whitespace_runs_newlines_and_nbsp_collapse() -> None:
    text = f"need a{NBSP}second\n\n  look{THIN}at\tthe plan"
    anchor = anchor_quote(text, "a second look at the plan")
    assert anchor.exact == f"a{NBSP}second\n\n  look{THIN}at\tthe plan"
    assert anchor.start == text.index("a")
    assert anchor.end == len(text)
    _check(text, anchor)


def test_whitespace_in_quote_collapses_too() -> None:
    text = "need a second look at it"
    anchor = anchor_quote(text, "  second \n\t look\u00a0 ")
    assert anchor.exact == "second look"
    assert anchor.start == text.index("second")
    _check(text, anchor)


def test_match_excludes_surrounding_whitespace() -> None:
    text = "before  \n  the quote  \n  after"
    anchor = anchor_quote(text, "\n the quote \n")
    assert anchor.exact == "the quote"
    assert text[anchor.start - 1].isspace()
    assert text[anchor.end].isspace()
    _check(text, anchor)


# --- what is NOT folded --------------------------------------------------------------------


def test_case_difference_is_not_folded() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote("The Harbour Commission met.", "the harbour commission")


def test_missing_comma_is_not_folded() -> None:
    text = "The cheapest option, they said, would take months."
    with pytest.raises(QuoteNotFound):
        anchor_quote(text, "The cheapest option they said")


def test_hyphen_does_not_match_missing_hyphen() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote("a well\u2014known fact", "a wellknown fact")


def test_whitespace_is_not_invented_where_source_has_none() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote("breakwater", "break water")


def test_accents_are_not_folded() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote("Oskarsd\u00f3ttir spoke", "Oskarsdottir spoke")


def test_not_found_in_empty_text() -> None:
    with pytest.raises(QuoteNotFound):
        anchor_quote("", "anything")


# --- text boundaries ------------------------------------------------------------------------


def test_quote_at_very_start_has_empty_prefix() -> None:
    text = "Lindenport votes today on the breakwater."
    anchor = anchor_quote(text, "Lindenport votes")
    assert (anchor.start, anchor.end) == (0, len("Lindenport votes"))
    assert anchor.prefix == ""
    assert anchor.suffix == " today on the breakwater."
    _check(text, anchor)


def test_quote_at_very_end_has_empty_suffix() -> None:
    text = "Lindenport votes today on the breakwater."
    anchor = anchor_quote(text, "the breakwater.")
    assert anchor.end == len(text)
    assert anchor.suffix == ""
    assert anchor.prefix == "Lindenport votes today on "
    _check(text, anchor)


def test_whole_text_as_quote() -> None:
    text = "  \u201cShort.\u201d\n"
    anchor = anchor_quote(text, '"Short."')
    assert (anchor.start, anchor.end) == (2, 10)
    assert anchor.prefix == "  "
    assert anchor.suffix == "\n"


# --- disambiguation -------------------------------------------------------------------------

TWICE = "In 2019 the vote is public. Critics said in 2021 the vote is public again."


def test_first_occurrence_wins_without_hints() -> None:
    anchor = anchor_quote(TWICE, "the vote is public")
    assert anchor.start == TWICE.index("the vote is public")


def test_disambiguate_by_prefix() -> None:
    second = TWICE.rindex("the vote is public")
    anchor = anchor_quote(TWICE, "the vote is public", prefix="Critics said in 2021 ")
    assert anchor.start == second
    assert anchor.prefix == TWICE[second - CONTEXT_CHARS : second]
    _check(TWICE, anchor)


def test_disambiguate_by_prefix_tolerates_folding_and_junction_whitespace() -> None:
    text = "Critics\u2014wrote:\nthe vote. Critics\u2014said:  the vote. Critics-said the vote."
    second = text.index("the vote", text.index("said:"))
    # En dash for em dash, and no whitespace before the quote although the source has two.
    assert anchor_quote(text, "the vote", prefix="Critics\u2013said:").start == second
    # NBSP plus newline in the hint versus two plain spaces in the source.
    assert anchor_quote(text, "the vote", prefix="said:\u00a0\n").start == second


def test_disambiguate_by_suffix() -> None:
    second = TWICE.rindex("the vote is public")
    anchor = anchor_quote(TWICE, "the vote is public", suffix=" again.")
    assert anchor.start == second
    first = anchor_quote(TWICE, "the vote is public", suffix=". Critics")
    assert first.start == TWICE.index("the vote is public")


def test_disambiguate_by_start_hint() -> None:
    first = TWICE.index("the vote is public")
    second = TWICE.rindex("the vote is public")
    assert anchor_quote(TWICE, "the vote is public", start=second + 3).start == second
    assert anchor_quote(TWICE, "the vote is public", start=first + 3).start == first
    assert anchor_quote(TWICE, "the vote is public", start=len(TWICE)).start == second


def test_context_hints_outweigh_start_hint() -> None:
    first = TWICE.index("the vote is public")
    anchor = anchor_quote(TWICE, "the vote is public", prefix="In 2019 ", start=len(TWICE))
    assert anchor.start == first


def test_prefix_and_suffix_scores_add_up() -> None:
    text = "A: red x blue. B: red x green. C: pink x blue."
    # Occurrence B matches the prefix by 4 chars; occurrence C matches the suffix by 5.
    anchor = anchor_quote(text, "x", prefix="red ", suffix=" blue")
    assert anchor.start == text.index("red x blue") + len("red ")


def test_overlapping_occurrences_are_candidates() -> None:
    text = "aaaa"
    assert anchor_quote(text, "aaa").start == 0
    assert anchor_quote(text, "aaa", start=1).start == 1
    anchor = anchor_quote(text, "aaa", prefix="a")
    assert (anchor.start, anchor.end) == (1, 4)


# --- errors ---------------------------------------------------------------------------------


def test_blank_quote_raises_empty_quote() -> None:
    for quote in ["", "   ", "\n\t", NBSP + THIN]:
        with pytest.raises(EmptyQuote) as excinfo:
            anchor_quote("Some text here.", quote)
        assert str(excinfo.value) == "The quote is empty.", repr(quote)
        assert isinstance(excinfo.value, AnchorError)
        assert isinstance(excinfo.value, ValueError)


def test_not_found_message_names_the_quote() -> None:
    with pytest.raises(QuoteNotFound) as excinfo:
        anchor_quote("Some text here.", "  nowhere to be seen ")
    assert str(excinfo.value) == 'Quote not found in the source text: "nowhere to be seen"'
    assert isinstance(excinfo.value, AnchorError)
    assert isinstance(excinfo.value, ValueError)


def test_not_found_message_truncates_long_quotes() -> None:
    quote = "word " * 40
    with pytest.raises(QuoteNotFound) as excinfo:
        anchor_quote("Some text here.", quote)
    message = str(excinfo.value)
    assert message.startswith('Quote not found in the source text: "')
    assert quote.strip()[:60] in message
    assert quote.strip()[:61] not in message
    assert len(message) < 120


# --- selectors and fold ---------------------------------------------------------------------


def test_selectors_shape() -> None:
    anchor = Anchor(exact="the vote", prefix="In 2019 ", suffix=" is public", start=8, end=16)
    assert anchor.selectors() == [
        {
            "type": "TextQuoteSelector",
            "exact": "the vote",
            "prefix": "In 2019 ",
            "suffix": " is public",
        },
        {"type": "TextPositionSelector", "start": 8, "end": 16},
    ]


def test_selectors_from_anchor_quote() -> None:
    text = "On Tuesday \u201cthe vote\u201d passed."
    assert anchor_quote(text, '"the vote"').selectors() == [
        {
            "type": "TextQuoteSelector",
            "exact": "\u201cthe vote\u201d",
            "prefix": "On Tuesday ",
            "suffix": " passed.",
        },
        {"type": "TextPositionSelector", "start": 11, "end": 21},
    ]


def test_anchor_is_frozen() -> None:
    anchor = anchor_quote("abc def", "def")
    with pytest.raises(AttributeError):
        anchor.start = 0  # type: ignore[misc]


def test_fold_output() -> None:
    text = "  \u201cIt\u2019s\u00a0\u2014 ok\u201d,\n\tHe said\u2212 Yes! \u00abNo\u00bb  "
    folded, offsets = fold(text)
    assert folded == ' "It\'s - ok", He said- Yes! "No" '
    # Two leading spaces -> 0; ",\n\t" -> ",", " " at 14 (15 skipped); two trailing -> 34.
    assert offsets == [0, *range(2, 15), *range(16, 35), 36]
    assert len(text) == 36


def test_fold_offsets_invariant_on_tricky_string() -> None:
    text = (
        f"\n\n{NBSP}\u201eA\u201c \u2018b\u2019\u2003\u2003c\u2010d\u2011e\u2012f\u2013g\u2014h"
        f"\u2015i\u2212j \r\n k\u2032\u2033 l\u201b\u201fm\u00ab\u00bb{THIN}{NBSP}\t"
        "\u00e9\U0001f600 Z \u200bend\u3000"
    )
    folded, offsets = fold(text)
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(text)
    assert offsets[0] == 0
    assert all(a < b for a, b in itertools.pairwise(offsets))
    assert "  " not in folded
    for i, char in enumerate(folded):
        source = text[offsets[i] : offsets[i + 1]]
        if char == " ":
            assert source and all(c.isspace() for c in source)
        else:
            assert len(source) == 1
            assert char == source or char in "\"'-"
    # Nothing else is touched: case, accents, emoji and zero-width space survive.
    assert "Z" in folded and "\u00e9\U0001f600" in folded and "\u200bend" in folded
    for typographic in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2018\u2019\u201a\u201b\u2032":
        assert typographic not in folded
    for dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212":
        assert dash not in folded


def test_fold_empty_and_unchanged() -> None:
    assert fold("") == ("", [0])
    plain = "Plain ASCII, no changes."
    assert fold(plain) == (plain, list(range(len(plain) + 1)))


# --- property-style and performance ---------------------------------------------------------


def _unfold(quote: str) -> str:
    """Swap characters for folding-equivalent ones, as a person retyping a quote might."""
    return (
        " ".join(quote.split())
        .replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u2019", "'")
        .replace("\u2014", "-")
        .replace("-", "\u2013")
    )


def test_random_substrings_anchor_and_reanchor() -> None:
    rng = random.Random(0)
    checked = 0
    for _ in range(600):
        i = rng.randrange(len(SAMPLE))
        j = rng.randrange(i, min(len(SAMPLE), i + 80) + 1)
        quote = SAMPLE[i:j].strip()
        if not quote:
            continue
        checked += 1
        anchor = anchor_quote(SAMPLE, quote)
        _check(SAMPLE, anchor)
        assert fold(anchor.exact)[0] == fold(quote)[0]
        assert anchor.start <= i + (len(SAMPLE[i:j]) - len(SAMPLE[i:j].lstrip()))

        again = anchor_quote(SAMPLE, quote, prefix=anchor.prefix, suffix=anchor.suffix)
        assert (again.start, again.end) == (anchor.start, anchor.end)
        assert again == anchor

        # The true position is recovered from its own context, even if not the first.
        true_start = i + (len(SAMPLE[i:j]) - len(SAMPLE[i:j].lstrip()))
        located = anchor_quote(
            SAMPLE,
            quote,
            prefix=SAMPLE[max(0, true_start - CONTEXT_CHARS) : true_start],
            suffix=SAMPLE[true_start + len(quote) : true_start + len(quote) + CONTEXT_CHARS],
            start=true_start,
        )
        assert (located.start, located.end) == (true_start, true_start + len(quote))

        # A retyped quote (straight quotes, hyphens, collapsed spaces) lands in the same place.
        retyped = anchor_quote(SAMPLE, _unfold(quote))
        assert (retyped.start, retyped.end) == (anchor.start, anchor.end)
    assert checked > 500


def test_large_text_anchors_among_many_candidates() -> None:
    filler = (SAMPLE.replace("vote", "poll") + "\n") * 80  # ~100 KB without the target
    text = filler + "The final \u201cvote\u2014tally\u201d was 7 to 2." + filler
    assert len(text) > 100_000
    anchor = anchor_quote(text, 'final "vote-tally" was', prefix="zzz", suffix="yyy", start=5)
    assert anchor.exact == "final \u201cvote\u2014tally\u201d was"
    _check(text, anchor)
    # "the" occurs hundreds of times: the start hint picks the nearest one.
    middle = len(text) // 2
    nearest = anchor_quote(text, "the", start=middle)
    _check(text, nearest)
    occurrences = [i for i in range(len(text)) if text.startswith("the", i)]
    assert abs(nearest.start - middle) == min(abs(i - middle) for i in occurrences)

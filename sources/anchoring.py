"""Locate verbatim quotes in archived article text and describe them as W3C selectors.

A citation stores the quote plus a *quote anchor*: a TextQuoteSelector (exact, prefix,
suffix) and a TextPositionSelector (start, end) as defined by the W3C Web Annotation data
model (https://www.w3.org/TR/annotation-model/#text-quote-selector). Offsets are Python
``str`` indices (Unicode code points) into the original text, ``end`` exclusive.

Quotes are typed or pasted by people, so matching is tolerant of a small, fixed set of
typographic differences (whitespace runs, curly vs straight quotes, dash variants) and of
nothing else: case, other punctuation and spelling must match, because a citation has to
be verbatim. Everything here is pure and free of Django so it can be reused and tested
in isolation.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CONTEXT_CHARS",
    "Anchor",
    "AnchorError",
    "EmptyQuote",
    "QuoteNotFound",
    "anchor_quote",
    "fold",
]

CONTEXT_CHARS = 32
"""Length of the prefix/suffix context stored with an anchor (enough to disambiguate)."""

_MESSAGE_QUOTE_CHARS = 60

# One-to-one character replacements; whitespace is handled separately because runs collapse.
_FOLD_MAP: dict[str, str] = {
    # Typographic double quotes.
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u2033": '"',  # double prime
    "\u00ab": '"',  # left-pointing double angle quotation mark
    "\u00bb": '"',  # right-pointing double angle quotation mark
    # Typographic single quotes and apostrophes.
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    # Dashes and hyphens.
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
}
_FOLD_TABLE = str.maketrans(_FOLD_MAP)


class AnchorError(ValueError):
    """Base: the quote cannot be anchored."""


class QuoteNotFound(AnchorError):
    """The (folded) quote does not occur in the (folded) source text."""


class EmptyQuote(AnchorError):
    """The quote is blank once folded, so it would match everywhere."""


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in a source text, in both W3C selector flavours.

    ``exact`` is the source text itself (``text[start:end]``), which may differ from the
    submitted quote in folded characters; storing the source form keeps the selectors valid
    against the archived text.
    """

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int

    def selectors(self) -> list[dict[str, str | int]]:
        """Return the W3C TextQuoteSelector and TextPositionSelector for this anchor."""
        return [
            {
                "type": "TextQuoteSelector",
                "exact": self.exact,
                "prefix": self.prefix,
                "suffix": self.suffix,
            },
            {"type": "TextPositionSelector", "start": self.start, "end": self.end},
        ]


def fold(text: str) -> tuple[str, list[int]]:
    """Fold text for tolerant matching, keeping a map back to the original offsets.

    Returns ``(folded, offsets)`` where ``offsets[i]`` is the index in ``text`` of the first
    source character of ``folded[i]``; ``len(offsets) == len(folded) + 1`` and the last
    entry is ``len(text)``, so a folded half-open range maps to an original one. Every run of
    whitespace becomes one ASCII space; typographic quotes and dashes become their ASCII
    forms. Nothing else changes (no case folding, no normalisation), so that only
    typographic noise is forgiven.
    """
    # The table replacements are one-to-one, so they keep every offset unchanged.
    translated = text.translate(_FOLD_TABLE)
    chars: list[str] = []
    offsets: list[int] = []
    in_space = False
    for index, char in enumerate(translated):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                offsets.append(index)
                in_space = True
        else:
            chars.append(char)
            offsets.append(index)
            in_space = False
    offsets.append(len(text))
    return "".join(chars), offsets


def _common_suffix_length(a: str, b: str) -> int:
    """Length of the longest common suffix of ``a`` and ``b``."""
    length = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        length += 1
    return length


def _common_prefix_length(a: str, b: str) -> int:
    """Length of the longest common prefix of ``a`` and ``b``."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _find_all(haystack: str, needle: str) -> list[int]:
    """All start indices of ``needle`` in ``haystack``, overlapping ones included."""
    found: list[int] = []
    position = haystack.find(needle)
    while position != -1:
        found.append(position)
        position = haystack.find(needle, position + 1)
    return found


def _not_found_message(quote: str) -> str:
    """Error text that names the quote, truncated so messages stay readable."""
    shown = quote.strip()
    if len(shown) > _MESSAGE_QUOTE_CHARS:
        shown = shown[:_MESSAGE_QUOTE_CHARS] + "…"
    return f'Quote not found in the source text: "{shown}"'


def anchor_quote(
    text: str,
    quote: str,
    *,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
) -> Anchor:
    """Find ``quote`` in ``text`` (modulo folding) and return its anchor.

    When the quote occurs more than once, the candidates are ranked by how much of the
    ``prefix`` hint matches the text right before them plus how much of the ``suffix`` hint
    matches right after (both compared folded, ignoring whitespace at the junction); a
    ``start`` hint (e.g. a previously stored TextPositionSelector start) breaks ties by
    proximity. Without any hint, or if hints cannot separate the candidates, the first
    occurrence wins, which makes the result deterministic.

    Raises EmptyQuote if the quote is blank and QuoteNotFound if it does not occur.
    """
    # Folding turns every whitespace run into one space, so stripping spaces afterwards
    # removes all leading/trailing whitespace: a match never starts or ends on a space.
    folded_quote = fold(quote)[0].strip(" ")
    if not folded_quote:
        raise EmptyQuote("The quote is empty.")

    folded_text, offsets = fold(text)
    candidates = _find_all(folded_text, folded_quote)
    if not candidates:
        raise QuoteNotFound(_not_found_message(quote))

    if len(candidates) == 1:
        best = candidates[0]
    else:
        folded_prefix = fold(prefix)[0].rstrip(" ")
        folded_suffix = fold(suffix)[0].lstrip(" ")
        quote_length = len(folded_quote)

        def rank(candidate: int) -> tuple[int, int, int]:
            score = 0
            if folded_prefix:
                # +1 leaves room for a single folded space at the junction.
                window_start = max(0, candidate - len(folded_prefix) - 1)
                before = folded_text[window_start:candidate].rstrip(" ")
                score += _common_suffix_length(before, folded_prefix)
            if folded_suffix:
                after_start = candidate + quote_length
                after = folded_text[after_start : after_start + len(folded_suffix) + 1]
                score += _common_prefix_length(after.lstrip(" "), folded_suffix)
            distance = abs(offsets[candidate] - start) if start is not None else 0
            return (-score, distance, candidate)

        best = min(candidates, key=rank)

    match_start = offsets[best]
    # The folded quote never ends on a space, so its last folded char is exactly one source
    # char and the next offset is the original end (exclusive).
    match_end = offsets[best + len(folded_quote) - 1] + 1
    return Anchor(
        exact=text[match_start:match_end],
        prefix=text[max(0, match_start - CONTEXT_CHARS) : match_start],
        suffix=text[match_end : match_end + CONTEXT_CHARS],
        start=match_start,
        end=match_end,
    )

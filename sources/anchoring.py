"""Locate verbatim quotes in archived article text and describe them as W3C selectors.

A citation stores the quote plus a *quote anchor*: a TextQuoteSelector (exact, prefix,
suffix) and a TextPositionSelector (start, end) as defined by the W3C Web Annotation data
model (https://www.w3.org/TR/annotation-model/#text-quote-selector). Offsets are Python
``str`` indices (Unicode code points) into the original text, ``end`` exclusive.

Quotes are typed or pasted by people, so matching forgives whitespace runs, curly vs
straight quotes and dash variants, and nothing else: a citation has to be verbatim.
Everything here is pure and free of Django.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_CHARS = 32
"""Length of the prefix/suffix context stored with an anchor (enough to disambiguate)."""

QUOTE_CHARS = 60
"""Length of a quote shown in a message before it is cut short."""

# One-to-one replacements (so offsets stay put): typographic double quotes, double prime
# and guillemets; single quotes and prime; hyphens, dashes and minus sign.
_FOLD_TABLE = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


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
    submitted quote in folded characters, so the selectors stay valid against the text.
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


def shorten(quote: str) -> str:
    """The quote cut to ``QUOTE_CHARS`` characters for a message, with "…" when cut."""
    return quote if len(quote) <= QUOTE_CHARS else quote[:QUOTE_CHARS] + "…"


def fold(text: str) -> tuple[str, list[int]]:
    """Fold text for tolerant matching, keeping a map back to the original offsets.

    Returns ``(folded, offsets)``: ``offsets[i]`` is the index in ``text`` of the first
    character behind ``folded[i]``, and a last entry ``len(text)``. Every whitespace run
    becomes one space; typographic quotes and dashes become ASCII. Nothing else changes.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text.translate(_FOLD_TABLE)):
        if not char.isspace():
            chars.append(char)
            offsets.append(index)
        elif not chars or chars[-1] != " ":
            chars.append(" ")
            offsets.append(index)
    offsets.append(len(text))
    return "".join(chars), offsets


def _common_prefix_length(a: str, b: str) -> int:
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


def anchor_quote(
    text: str,
    quote: str,
    *,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
) -> Anchor:
    """Find ``quote`` in ``text`` (modulo folding) and return its anchor.

    Of several occurrences, the one whose surroundings best match the ``prefix`` and
    ``suffix`` hints wins, then the one nearest the ``start`` hint, then the first.
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
        raise QuoteNotFound(f'Quote not found in the source text: "{shorten(quote.strip())}"')

    folded_prefix = fold(prefix)[0].rstrip(" ")
    folded_suffix = fold(suffix)[0].lstrip(" ")

    def rank(candidate: int) -> tuple[int, int, int]:
        # Each window has room for a single folded space at the junction.
        before = folded_text[max(0, candidate - len(folded_prefix) - 1) : candidate]
        after_start = candidate + len(folded_quote)
        after = folded_text[after_start : after_start + len(folded_suffix) + 1]
        score = _common_prefix_length(before.rstrip(" ")[::-1], folded_prefix[::-1])
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

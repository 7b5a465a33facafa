"""Claims compared: how a value is read, which values agree, and where sources differ.

Pure functions over claims the caller has loaded (model instances, or rows
with the same attributes: ``pk``, ``property``, ``value``, ``rank``,
``rank_note``, ``comparison_key`` and ``citation_ids``); no queries.

A value is *read* as a quantity when it states one ("one hour and 40 minutes"
is 100 minutes, "over 40 percent" is more than 40%; ``timeline.quantities``),
else as its words, ignoring case, spacing and typographic quotes. Two claims
agree when their readings are equal. A property is *disputed* when its
claims that are not deprecated give two or more readings: each output then
says "Sources differ" and shows every value with its sources.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from timeline.quantities import DIMENSIONS, Quantity, parse_quantity, quantity_from_key

TEXT_KEY = "text|"
PREFERRED, NORMAL, DEPRECATED = "preferred", "normal", "deprecated"
RANK_ORDER = {PREFERRED: 0, NORMAL: 1, DEPRECATED: 2}

# What a value of each kind looks like, for error messages.
EXAMPLES = {
    "duration": "“100 minutes” or “more than 1 hour”",
    "percentage": "“47%” or “over 40 percent”",
    "money": "“US$1.2 billion”",
    "mass": "“12 million tonnes”",
    "count": "“five” or “12 million”",
    "quantity": "“100 minutes”, “over 40%” or “12 million tonnes”",
}
KIND_NAMES = {
    "duration": "a duration",
    "percentage": "a percentage",
    "money": "an amount of money",
    "mass": "a mass",
    "count": "a count",
    "quantity": "a quantity",
}
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class UnreadableValue(ValueError):
    """A value or its "compare as" that the property's kind cannot take; names the field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Reading:
    """What a value is compared by: ``key``; ``text`` says it for readers."""

    key: str
    text: str
    quantity: Quantity | None = None

    @classmethod
    @functools.lru_cache(maxsize=4096)
    def from_key(cls, key: str) -> "Reading":
        # Remembered: every build of an event's JSON reads its claims' keys again.
        if key.startswith(TEXT_KEY):
            return cls(key=key, text=key.removeprefix(TEXT_KEY))
        quantity = quantity_from_key(key)
        return cls(key=key, text=quantity.text(), quantity=quantity)

    def as_dict(self) -> dict:
        """The API's ``normalized`` object: the quantity's parts, or only the text."""
        if self.quantity is not None:
            return self.quantity.as_dict()
        return {"text": self.text, "qualifier": None, "amount": None, "upper": None, "unit": None}


def fold_text(value: str) -> str:
    """Words as compared: case, spacing, typographic quotes and end punctuation ignored."""
    folded = unicodedata.normalize("NFKC", value).translate(_TYPOGRAPHIC).casefold()
    return " ".join(folded.split()).strip(" .,;:")


def read_value(value: str, normalized_as: str = "", *, kind: str = "quantity") -> Reading:
    """How a claim's value is compared, given its property's kind.

    ``normalized_as``, when given, is read instead of the value. A value that
    is not a quantity is compared as words; a "compare as" that is not one,
    for a property of quantities, is refused, and so is a quantity of another
    kind than the property's (“47%” as a duration). Raises UnreadableValue.
    """
    field, written = ("normalized_as", normalized_as) if normalized_as.strip() else ("value", value)
    if kind == "text":
        return _words(written)
    quantity = parse_quantity(written)
    if quantity is None:
        if field == "normalized_as":
            raise UnreadableValue(
                field,
                f"“{written}” cannot be read as {KIND_NAMES.get(kind, 'a quantity')}: "
                f"write it like {EXAMPLES.get(kind, EXAMPLES['quantity'])}.",
            )
        return _words(written)
    if kind in DIMENSIONS and quantity.dimension != kind:
        raise UnreadableValue(
            field,
            f"“{written}” reads as {KIND_NAMES[quantity.dimension]} ({quantity.text()}), but "
            f"this property takes {KIND_NAMES[kind]}, like {EXAMPLES[kind]}.",
        )
    # The reading is the identity: "about 100 minutes" reads as 100 minutes.
    return Reading.from_key(quantity.key)


def _words(written: str) -> Reading:
    folded = fold_text(written)
    return Reading(key=TEXT_KEY + folded, text=folded)


def is_disputed(claims: Iterable) -> bool:
    """Whether the claims that are not deprecated give two or more different readings."""
    return len({c.comparison_key for c in claims if c.rank != DEPRECATED}) > 1


@dataclass
class PropertyClaims:
    """The claims of one property of one event, best rank first."""

    prop: object  # the ClaimProperty
    claims: list = field(default_factory=list)

    @property
    def disputed(self) -> bool:
        return is_disputed(self.claims)


def claim_order(claim) -> tuple:
    """Best rank first, then in the order of the citations that state them."""
    first_citation = min(claim.citation_ids, default=0)
    return (RANK_ORDER.get(claim.rank, len(RANK_ORDER)), first_citation, claim.pk)


def group_claims(claims: Iterable) -> list[PropertyClaims]:
    """The claims by property (properties by name), each property's best rank first."""
    groups: dict[int, PropertyClaims] = {}
    for claim in claims:
        prop = claim.property
        groups.setdefault(prop.pk, PropertyClaims(prop)).claims.append(claim)
    for group in groups.values():
        group.claims.sort(key=claim_order)
    return sorted(groups.values(), key=lambda g: (g.prop.name.casefold(), g.prop.slug))


def cited_sources(citation_ids, source_of: Callable[[int], dict | None]) -> list[dict]:
    """The embedded sources of a claim's citations, each once, in the citations' order."""
    sources = {}
    for citation_id in citation_ids:
        source = source_of(citation_id)
        if source is not None:
            sources.setdefault(source["id"], source)
    return list(sources.values())


def claims_document(
    groups: list[PropertyClaims], source_of: Callable[[int], dict | None]
) -> list[dict]:
    """The API's ``claims`` of an event.

    ``source_of(citation_id)`` is the embedded source of one of the event's
    citations (None for any other: never shown, as the claim may not cite it).
    """
    document = []
    for group in groups:
        values = []
        for claim in group.claims:
            values.append(
                {
                    "id": claim.pk,
                    "value": claim.value,
                    "normalized": Reading.from_key(claim.comparison_key).as_dict(),
                    "rank": claim.rank,
                    "rank_note": claim.rank_note,
                    "citations": list(claim.citation_ids),
                    "sources": cited_sources(claim.citation_ids, source_of),
                }
            )
        prop = group.prop
        document.append(
            {
                "property": {"slug": prop.slug, "name": prop.name, "kind": prop.kind},
                "disputed": group.disputed,
                "values": values,
            }
        )
    return document


# For readers: the same claims, with the numbers of the event's citations.
#
# Every output says the same things in the same words: "Sources differ:"
# before the values of a disputed property, each value with the numbers of
# the citations that state it, wordings that agree together under their
# shared reading, the editors' reason beside a preferred value, and the
# deprecated values apart, "Set aside by the editors", each with its reason.

SOURCES_DIFFER = "Sources differ:"
PREFERRED_BY_EDITORS = "Preferred by the editors:"
SET_ASIDE_BY_EDITORS = "Set aside by the editors:"


def _one_line(text: str) -> str:
    # A rank note is free text: a line break in it would split a line of plain text.
    return " ".join(text.split())


@dataclass(frozen=True)
class Wording:
    """One claim as readers see it: the value as written and the sources' numbers."""

    value: str
    numbers: tuple[int, ...]
    rank: str
    note: str

    def refs(self) -> str:
        """The sources' numbers as a text shows them: “[2, 3]”, or "" for none."""
        return f"[{', '.join(map(str, self.numbers))}]" if self.numbers else ""


@dataclass(frozen=True)
class Value:
    """Wordings that agree; shown by the one wording, or by their shared reading."""

    reading: str
    wordings: tuple[Wording, ...]

    @property
    def label(self) -> str:
        return self.wordings[0].value if len(self.wordings) == 1 else self.reading

    @property
    def preferred(self) -> tuple[Wording, ...]:
        return tuple(w for w in self.wordings if w.rank == PREFERRED)

    @property
    def notes(self) -> tuple[str, ...]:
        """Why editors prefer this value: each preferred wording's note, without repeats."""
        return tuple(dict.fromkeys(w.note for w in self.preferred if w.note))


@dataclass(frozen=True)
class PropertyView:
    """A property of an event for readers: its values that count, and those set aside.

    ``values`` holds one value unless the property is disputed (none when
    every claim is deprecated).
    """

    name: str
    slug: str
    disputed: bool
    values: tuple[Value, ...]
    set_aside: tuple[Wording, ...]


def views(groups: list[PropertyClaims], numbers: dict[int, int]) -> list[PropertyView]:
    """Each property's values for readers; ``numbers`` maps citation ids to their numbers."""
    result = []
    for group in groups:
        agreeing: dict[str, list[Wording]] = {}
        set_aside = []
        for claim in group.claims:
            wording = Wording(
                value=claim.value,
                numbers=tuple(sorted(numbers[c] for c in claim.citation_ids if c in numbers)),
                rank=claim.rank,
                note=claim.rank_note if claim.rank != NORMAL else "",
            )
            if claim.rank == DEPRECATED:
                set_aside.append(wording)
            else:
                agreeing.setdefault(claim.comparison_key, []).append(wording)
        values = tuple(
            Value(reading=Reading.from_key(key).text, wordings=tuple(wordings))
            for key, wordings in agreeing.items()
        )
        prop = group.prop
        result.append(PropertyView(prop.name, prop.slug, group.disputed, values, tuple(set_aside)))
    return result


def event_views(event) -> list[PropertyView]:
    """An event's properties for readers, numbering its citations as every output does.

    Citation N is the Nth of ``event.citations.all()``: the page's note N,
    and item N of the citations list in TimelineJS, the feed and the
    calendar. Reads the claims and citations that
    ``Event.objects.with_citations()`` prefetched.
    """
    numbers = {citation.pk: n for n, citation in enumerate(event.citations.all(), start=1)}
    return views(group_claims(event.claims.all()), numbers)


# Plain text (the calendar): a line for an undisputed property, a line per value for a
# disputed one, e.g.
#
#   Duration — sources differ:
#   • 80 minutes [5]
#   • 100 minutes (“about 100 minutes” [7]; “one hour and 40 minutes” [8])


def _with_refs(text: str, wording: Wording) -> str:
    return f"{text} {wording.refs()}".rstrip()


def _value_text(value: Value) -> str:
    if len(value.wordings) == 1:
        text = _with_refs(_one_line(value.label), value.wordings[0])
    else:
        each = "; ".join(_with_refs(f"“{_one_line(w.value)}”", w) for w in value.wordings)
        text = f"{value.reading} ({each})"
    if value.notes:
        text += f" — {PREFERRED_BY_EDITORS.lower()} {_one_line(' '.join(value.notes))}"
    return text


def _set_aside_text(wording: Wording) -> str:
    return f"{_with_refs(_one_line(wording.value), wording)} — {_one_line(wording.note)}"


def view_text(view: PropertyView) -> str:
    """One property as plain text: “Duration: six years [1]”, or a list when sources differ."""
    name = _one_line(view.name)
    if view.disputed:
        lines = [f"{name} — {SOURCES_DIFFER.lower()}"]
        lines += [f"• {_value_text(value)}" for value in view.values]
    elif view.values:
        lines = [f"{name}: {_value_text(view.values[0])}"]
    else:
        lines = [f"{name}:"]
    if view.set_aside:
        lines.append(SET_ASIDE_BY_EDITORS)
        lines += [f"• {_set_aside_text(wording)}" for wording in view.set_aside]
    return "\n".join(lines)


# HTML (TimelineJS, the feed): paragraphs and lists, which every reader styles.


def _value_html(value: Value) -> SafeString:
    if len(value.wordings) == 1:
        html = format_html("{}", _with_refs(value.label, value.wordings[0]))
    else:
        each = format_html_join(
            "; ", "{}", ((_with_refs(f"“{w.value}”", w),) for w in value.wordings)
        )
        html = format_html("{} ({})", value.reading, each)
    if value.notes:
        html = format_html(
            "{} — <em>{}</em> {}", html, PREFERRED_BY_EDITORS.lower(), " ".join(value.notes)
        )
    return html


def view_html(view: PropertyView) -> SafeString:
    """One property as escaped HTML: a paragraph, with a list of values when sources differ."""
    if view.disputed:
        html = format_html(
            "<p><strong>{}</strong> — {}</p><ul>{}</ul>",
            view.name,
            SOURCES_DIFFER.lower(),
            format_html_join("", "<li>{}</li>", ((_value_html(v),) for v in view.values)),
        )
    else:
        value = format_html(" {}", _value_html(view.values[0])) if view.values else ""
        html = format_html("<p><strong>{}:</strong>{}</p>", view.name, value)
    if view.set_aside:
        html += format_html(
            "<p><em>{}</em></p><ul>{}</ul>",
            SET_ASIDE_BY_EDITORS,
            format_html_join(
                "",
                "<li>{} — {}</li>",
                ((_with_refs(w.value, w), w.note) for w in view.set_aside),
            ),
        )
    return html

"""Claims compared: how a value is read, which values agree, and where sources differ.

Pure functions over loaded claims (instances, or rows with their attributes): no queries.
"""

import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from timeline.claims.quantities import (
    DIMENSIONS,
    Interval,
    Quantity,
    parse_quantity,
    quantity_from_key,
)

TEXT_KEY = "text|"
# The ``unit`` column of a claim compared as words (no quantity unit is spelled so).
TEXT_UNIT = "text"
PREFERRED, NORMAL, DEPRECATED = "preferred", "normal", "deprecated"
RANK_ORDER = {PREFERRED: 0, NORMAL: 1, DEPRECATED: 2}

# Each kind's name and what its values look like, for error messages.
KINDS = {
    "duration": ("a duration", "“100 minutes” or “more than 1 hour”"),
    "percentage": ("a percentage", "“47%” or “over 40 percent”"),
    "money": ("an amount of money", "“US$1.2 billion”"),
    "mass": ("a mass", "“12 million tonnes”"),
    "count": ("a count", "“five” or “12 million”"),
    "quantity": ("a quantity", "“100 minutes”, “over 40%” or “12 million tonnes”"),
}
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


class UnreadableValue(ValueError):
    """A value or its "compare as" that the property's kind cannot take; names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


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

    @property
    def interval(self) -> Interval | None:
        return None if self.quantity is None else self.quantity.interval

    def conflicts_with(self, other: "Reading") -> bool:
        """Whether no value could be both: words that differ, quantities of different
        units, or intervals that do not meet ("80 minutes", "about 100 minutes")."""
        if self.key == other.key:
            return False
        if self.quantity is None or other.quantity is None:
            return True
        return self.quantity.unit != other.quantity.unit or not self.interval.meets(other.interval)

    def columns(self) -> dict:
        """What a claim stores of it (``Claim.save``, migrations): the key, the unit and the
        interval, which the database compares (``ClaimQuerySet.disputed_event_ids``)."""
        interval = self.interval or Interval(None, None)
        return {
            "comparison_key": self.key,
            "unit": TEXT_UNIT if self.quantity is None else self.quantity.unit,
            "lower": interval.lower,
            "upper": interval.upper,
            "lower_open": interval.lower_open,
            "upper_open": interval.upper_open,
        }

    def narrowness(self) -> tuple:
        """Sorts the narrowest reading first: exact, then bounded ranges, then open ones."""
        width = None if self.interval is None else self.interval.width
        return (0, 0) if self.interval is None else (width is None, width or 0)

    def as_dict(self) -> dict:
        """The API's ``normalized`` object."""
        if self.quantity is not None:
            return self.quantity.as_dict()
        return {
            "text": self.text,
            "qualifier": None,
            "approximate": False,
            "amount": None,
            "upper": None,
            "unit": None,
            "interval": None,
        }


def fold_text(value: str) -> str:
    """Words as compared: case, spacing, typographic quotes and end punctuation ignored."""
    folded = unicodedata.normalize("NFKC", value).translate(_TYPOGRAPHIC).casefold()
    return " ".join(folded.split()).strip(" .,;:")


def read_value(value: str, normalized_as: str = "", *, kind: str = "quantity") -> Reading:
    """How a claim's value (or, when given, its "compare as") is compared, given its kind.

    Words that are no quantity are compared as words; UnreadableValue for such a "compare
    as" of a property of quantities, and for a quantity of another kind (“47%” as a duration).
    """
    field, written = ("normalized_as", normalized_as) if normalized_as.strip() else ("value", value)
    quantity = None if kind == "text" else parse_quantity(written)
    if quantity is None:
        if field == "normalized_as" and kind != "text":
            name, example = KINDS.get(kind, KINDS["quantity"])
            raise UnreadableValue(
                field, f"“{written}” cannot be read as {name}: write it like {example}."
            )
        folded = fold_text(written)
        return Reading(key=TEXT_KEY + folded, text=folded)
    if kind in DIMENSIONS and quantity.dimension != kind:
        raise UnreadableValue(
            field,
            f"“{written}” reads as {KINDS[quantity.dimension][0]} ({quantity.text()}), but "
            f"this property takes {KINDS[kind][0]}, like {KINDS[kind][1]}.",
        )
    # "One hour and 40 minutes" reads as 100 minutes, "about 100 minutes" as 90 to 110.
    return Reading.from_key(quantity.key)


def conflicting(claims: Iterable) -> dict[int, list[int]]:
    """Each claim's id → the ids of the claims that are not deprecated and that it
    conflicts with (its reading and theirs cannot both be true)."""
    claims = list(claims)
    counted = [c for c in claims if c.rank != DEPRECATED]
    readings = {c.pk: Reading.from_key(c.comparison_key) for c in claims}
    return {
        claim.pk: [
            other.pk
            for other in counted
            if other.pk != claim.pk and readings[claim.pk].conflicts_with(readings[other.pk])
        ]
        for claim in claims
    }


def read_or_words(value: str, normalized_as: str, *, kind: str) -> Reading:
    """``read_value``, or, for a value its property's kind refuses (a restore or a changed
    kind can bring one past validation), the value compared as words: never lost."""
    try:
        return read_value(value, normalized_as, kind=kind)
    except UnreadableValue:
        return read_value(value, kind="text")


def is_disputed(claims: Iterable) -> bool:
    """Whether two claims that are not deprecated conflict: overlapping readings agree."""
    counted = [c for c in claims if c.rank != DEPRECATED]
    return any(conflicting(counted).values())


@dataclass
class PropertyClaims:
    """The claims of one property of one event, best rank first."""

    prop: object  # the ClaimProperty
    claims: list = field(default_factory=list)

    @property
    def disputed(self) -> bool:
        return is_disputed(self.claims)


def claim_order(claim) -> tuple:
    """Best rank first, then the narrowest reading, then in the order of the citations
    that state them."""
    narrowness = Reading.from_key(claim.comparison_key).narrowness()
    return (RANK_ORDER[claim.rank], narrowness, min(claim.citation_ids, default=0), claim.pk)


def group_claims(claims: Iterable) -> list[PropertyClaims]:
    """The claims by property (properties by name), each property's best rank first."""
    groups: dict[int, PropertyClaims] = {}
    for claim in claims:
        groups.setdefault(claim.property.pk, PropertyClaims(claim.property)).claims.append(claim)
    for group in groups.values():
        group.claims.sort(key=claim_order)
    return sorted(groups.values(), key=lambda g: (g.prop.name.casefold(), g.prop.slug))


def cited_sources(citation_ids, source_of: Callable[[int], dict | None]) -> list[dict]:
    """The embedded sources of a claim's citations, each once, in the citations' order."""
    sources = {}
    for citation_id in citation_ids:
        if (source := source_of(citation_id)) is not None:
            sources.setdefault(source["id"], source)
    return list(sources.values())


def claims_document(
    groups: list[PropertyClaims], source_of: Callable[[int], dict | None]
) -> list[dict]:
    """The API's ``claims`` of an event; ``source_of(citation_id)`` embeds the source of
    one of the event's citations (None for any other, which the claim may not cite)."""
    documents = []
    for group in groups:
        conflicts = conflicting(group.claims)
        documents.append(
            {
                "property": {
                    "slug": group.prop.slug,
                    "name": group.prop.name,
                    "kind": group.prop.kind,
                },
                "disputed": any(conflicts[c.pk] for c in group.claims if c.rank != DEPRECATED),
                "values": [_claim_document(claim, conflicts, source_of) for claim in group.claims],
            }
        )
    return documents


def _claim_document(claim, conflicts: dict, source_of) -> dict:
    return {
        "id": claim.pk,
        "value": claim.value,
        "normalized": Reading.from_key(claim.comparison_key).as_dict(),
        "conflicts_with": conflicts[claim.pk],
        "rank": claim.rank,
        "rank_note": claim.rank_note,
        "citations": list(claim.citation_ids),
        "sources": cited_sources(claim.citation_ids, source_of),
    }


# For readers: every output (page, TimelineJS, feed, calendar) says the same
# things in the same words, numbering the sources as the event's citations.

SOURCES_DIFFER = "Sources differ:"
PREFERRED_BY_EDITORS = "Preferred by the editors:"
SET_ASIDE_BY_EDITORS = "Set aside by the editors:"
CONFLICTS_WITH = "conflicts with"


def _one_line(text: str) -> str:
    # A rank note is free text: a line break in it would split a line of plain text.
    return " ".join(text.split())


@dataclass(frozen=True)
class Wording:
    """One claim as readers see it: the value as written and the sources' numbers."""

    value: str
    numbers: tuple[int, ...]
    note: str  # why the editors prefer or set aside this value

    def with_refs(self, text: str) -> str:
        """The text followed by the sources' numbers: “80 minutes [2, 3]”."""
        refs = f"[{', '.join(map(str, self.numbers))}]" if self.numbers else ""
        return f"{text} {refs}".rstrip()


@dataclass(frozen=True)
class Value:
    """Wordings that read the same; shown by the one wording, or by their shared reading."""

    reading: str
    wordings: tuple[Wording, ...]
    conflicts_with: tuple[str, ...] = ()  # the labels of the values it cannot agree with

    @property
    def label(self) -> str:
        return self.wordings[0].value if len(self.wordings) == 1 else self.reading

    @property
    def notes(self) -> tuple[str, ...]:
        """Why editors prefer this value: each preferred wording's note, without repeats."""
        return tuple(dict.fromkeys(w.note for w in self.wordings if w.note))


@dataclass(frozen=True)
class PropertyView:
    """A property of an event for readers: its values that count, and those set aside."""

    name: str
    slug: str
    disputed: bool
    # Narrowest first when they agree (their readings overlap); none when every claim is
    # deprecated.
    values: tuple[Value, ...]
    set_aside: tuple[Wording, ...]


def event_views(event) -> list[PropertyView]:
    """An event's properties for readers; citation N is the Nth of its prefetched citations."""
    numbers = event.citation_numbers()
    result = []
    for group in group_claims(event.claims.all()):
        agreeing: dict[str, list[Wording]] = {}
        set_aside = []
        for claim in group.claims:
            wording = Wording(
                value=claim.value,
                numbers=tuple(sorted(numbers[c] for c in claim.citation_ids if c in numbers)),
                note=claim.rank_note if claim.rank != NORMAL else "",
            )
            if claim.rank == DEPRECATED:
                set_aside.append(wording)
            else:
                agreeing.setdefault(claim.comparison_key, []).append(wording)
        readings = {key: Reading.from_key(key) for key in agreeing}
        labels = {
            key: Value(readings[key].text, tuple(wordings)).label
            for key, wordings in agreeing.items()
        }
        values = tuple(
            Value(
                reading=readings[key].text,
                wordings=tuple(wordings),
                conflicts_with=tuple(
                    labels[other]
                    for other in agreeing
                    if readings[key].conflicts_with(readings[other])
                ),
            )
            for key, wordings in agreeing.items()
        )
        prop = group.prop
        result.append(PropertyView(prop.name, prop.slug, group.disputed, values, tuple(set_aside)))
    return result


# Plain text (the calendar): “Duration: 80 minutes [5]”, or when sources differ a line
# per value: “• 100 minutes (“about 100 minutes” [7]; “one hour and 40 minutes” [8])”.


def _value_text(value: Value) -> str:
    if len(value.wordings) == 1:
        text = value.wordings[0].with_refs(_one_line(value.label))
    else:
        each = "; ".join(w.with_refs(f"“{_one_line(w.value)}”") for w in value.wordings)
        text = f"{value.reading} ({each})"
    if value.notes:
        text += f" — {PREFERRED_BY_EDITORS.lower()} {_one_line(' '.join(value.notes))}"
    if value.conflicts_with:
        text += f" — {CONFLICTS_WITH} {'; '.join(map(_one_line, value.conflicts_with))}"
    return text


def view_text(view: PropertyView) -> str:
    """One property as plain text: “Duration: six years [1]”, or a list when sources differ."""
    name = _one_line(view.name)
    if view.disputed:
        lines = [f"{name} — {SOURCES_DIFFER.lower()}"]
        lines += [f"• {_value_text(value)}" for value in view.values]
    else:
        # Readings that overlap agree: all of them, the narrowest first.
        lines = [f"{name}: {'; '.join(map(_value_text, view.values))}".rstrip()]
    if view.set_aside:
        lines.append(SET_ASIDE_BY_EDITORS)
        lines += [
            f"• {w.with_refs(_one_line(w.value))} — {_one_line(w.note)}" for w in view.set_aside
        ]
    return "\n".join(lines)


# HTML (TimelineJS, the feed): paragraphs and lists, which every reader styles.


def _value_html(value: Value) -> SafeString:
    if len(value.wordings) == 1:
        html = format_html("{}", value.wordings[0].with_refs(value.label))
    else:
        each = format_html_join(
            "; ", "{}", ((w.with_refs(f"“{w.value}”"),) for w in value.wordings)
        )
        html = format_html("{} ({})", value.reading, each)
    if value.notes:
        html = format_html(
            "{} — <em>{}</em> {}", html, PREFERRED_BY_EDITORS.lower(), " ".join(value.notes)
        )
    if value.conflicts_with:
        html = format_html("{} — {} {}", html, CONFLICTS_WITH, "; ".join(value.conflicts_with))
    return html


def view_html(view: PropertyView) -> SafeString:
    """One property as escaped HTML: a paragraph, with a list of values when sources differ."""
    if view.disputed:
        items = format_html_join("", "<li>{}</li>", ((_value_html(v),) for v in view.values))
        differ = format_html("<p><strong>{}</strong> — {}</p>", view.name, SOURCES_DIFFER.lower())
        html = format_html("{}<ul>{}</ul>", differ, items)
    else:
        agreeing = format_html_join("; ", "{}", ((_value_html(v),) for v in view.values))
        value = format_html(" {}", agreeing) if view.values else ""
        html = format_html("<p><strong>{}:</strong>{}</p>", view.name, value)
    if view.set_aside:
        items = ((w.with_refs(w.value), w.note) for w in view.set_aside)
        html += format_html(
            "<p><em>{}</em></p><ul>{}</ul>",
            SET_ASIDE_BY_EDITORS,
            format_html_join("", "<li>{} — {}</li>", items),
        )
    return html

"""Quantities as news articles state them, read so that disagreeing claims can be compared.

``parse_quantity`` reads a whole phrase ("one hour and 40 minutes", "just over an hour",
"40-50%", "$1-2bn") into a ``Quantity`` whose amount is in one canonical unit per dimension,
rounded to a millionth; anything else (extra words, a change "from 57% to 47%", an ambiguous
"¥", more than 15 significant digits, more than 10**18) gives None, never an exception.
Its ``key`` is its identity, bounds ("more than") and hedges ("about") included; its
``interval`` is every amount it allows, so that two claims conflict only when theirs do not
meet: "47%" and "over 40%" agree, "80 minutes" and "about 100 minutes" do not.
"""

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import TypeVar

DIMENSIONS = ("duration", "percentage", "money", "mass", "count")
QUALIFIERS = ("exactly", "more than", "at least", "less than", "at most", "between")

_DIMENSION_OF_UNIT = {
    **dict.fromkeys(("minute", "month"), "duration"),
    **dict.fromkeys(("percent", "percentage point"), "percentage"),
    **dict.fromkeys(("USD", "EUR", "GBP", "CNY", "JPY"), "money"),
    **dict.fromkeys(("tonne", "ton"), "mass"),
    "": "count",
}
_MAX_AMOUNT = 10**18
_MAX_SIGNIFICANT_DIGITS = 15
_PLACES = Decimal("0.000001")
# "About 100 minutes" allows 90 to 110: a tenth either way (docs/editors.md).
ABOUT_TOLERANCE = Decimal("0.1")


@dataclass(frozen=True)
class Interval:
    """The amounts a quantity allows: None is unbounded; an open end excludes its amount."""

    lower: Decimal | None
    upper: Decimal | None
    lower_open: bool = False
    upper_open: bool = False

    def meets(self, other: "Interval") -> bool:
        """Whether some amount lies in both."""
        return not (_before(self, other) or _before(other, self))

    @property
    def width(self) -> Decimal | None:
        """How much it allows (None: no bound), to show the narrowest reading first."""
        return None if self.lower is None or self.upper is None else self.upper - self.lower

    def as_dict(self) -> dict:
        return {
            "lower": None if self.lower is None else _json_number(self.lower),
            "upper": None if self.upper is None else _json_number(self.upper),
            "lower_open": self.lower_open,
            "upper_open": self.upper_open,
        }


def _before(first: Interval, second: Interval) -> bool:
    """Whether ``first`` ends before ``second`` starts."""
    if first.upper is None or second.lower is None:
        return False
    if first.upper == second.lower:
        return first.upper_open or second.lower_open
    return first.upper < second.lower


@dataclass(frozen=True)
class Quantity:
    """An amount as a claim states it, in canonical units; ``key`` is its identity."""

    unit: str  # canonical unit code ("" for a plain count)
    qualifier: str  # one of QUALIFIERS
    amount: Decimal  # in the canonical unit; the lower end for "between"
    upper: Decimal | None = None  # only for "between"
    approximate: bool = False  # "about", "nearly"…: widens the interval by a tenth

    @property
    def dimension(self) -> str:
        return _DIMENSION_OF_UNIT[self.unit]

    @property
    def key(self) -> str:
        amounts = [self.amount] if self.upper is None else [self.amount, self.upper]
        qualifier = self.qualifier + ("~" if self.approximate else "")
        return "|".join([self.unit, qualifier, *map(_plain, amounts)])

    @property
    def interval(self) -> Interval:
        """The amounts it allows: "about" widens by ABOUT_TOLERANCE, a bound opens a side."""
        low = self.amount
        high = self.amount if self.upper is None else self.upper
        if self.approximate:
            low, high = low * (1 - ABOUT_TOLERANCE), high * (1 + ABOUT_TOLERANCE)
        match self.qualifier:
            case "more than" | "at least":
                return Interval(low, None, lower_open=self.qualifier == "more than")
            case "less than" | "at most":
                return Interval(None, high, upper_open=self.qualifier == "less than")
        return Interval(low, high)

    def text(self) -> str:
        described = _describe(self.amount, self.unit)
        about = "about " if self.approximate else ""
        if self.upper is not None and self.approximate:
            return f"about {described} to {_describe(self.upper, self.unit)}"
        if self.upper is not None:
            return f"between {described} and {_describe(self.upper, self.unit)}"
        if self.qualifier != "exactly":
            return f"{about}{self.qualifier} {described}"
        return f"{about}{described}"

    def as_dict(self) -> dict:
        return {
            "text": self.text(),
            "qualifier": self.qualifier,
            "approximate": self.approximate,
            "amount": _json_number(self.amount),
            "upper": None if self.upper is None else _json_number(self.upper),
            "unit": self.unit,
            "interval": self.interval.as_dict(),
        }


def parse_quantity(text: str) -> Quantity | None:
    """The quantity the whole text states, or None when the text is not (only) a quantity."""
    cleaned = text.translate(_TYPOGRAPHY).lower().strip()
    tokens = _tokens(cleaned.removesuffix(".").rstrip())
    return _Parser(tokens).quantity() if tokens else None


_AMOUNT_IN_KEY = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?")


def quantity_from_key(key: str) -> Quantity:
    """Inverse of Quantity.key. ValueError on a malformed key."""
    unit, _, rest = key.partition("|")
    qualifier, _, rest = rest.partition("|")
    approximate = qualifier.endswith("~")
    qualifier = qualifier.removesuffix("~")
    amounts = rest.split("|")
    # Only the canonical spelling is a key: "100.0" or an upside-down range would never match.
    if (
        unit not in _DIMENSION_OF_UNIT
        or qualifier not in QUALIFIERS
        or len(amounts) != (2 if qualifier == "between" else 1)
        or not all(_AMOUNT_IN_KEY.fullmatch(amount) for amount in amounts)
        or (len(amounts) == 2 and Decimal(amounts[0]) >= Decimal(amounts[1]))
    ):
        raise ValueError(f"Not a quantity key: {key!r}")
    amount, *upper = map(Decimal, amounts)
    return Quantity(unit, qualifier, amount, upper[0] if upper else None, approximate)


# --- Reading -------------------------------------------------------------------------------

_TYPOGRAPHY = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "％": "%"})
_TOKEN = re.compile(
    r"\s*("
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"  # commas only group by three
    r"|[a-z]+"
    r"|>=|<=|[-$€£%~<>≥≤+,.]"  # no "¥": it is both yen and yuan
    r")"
)


def _tokens(text: str) -> tuple[str, ...] | None:
    """Numbers, words and symbols, or None when some character is none of them."""
    return None if _TOKEN.sub("", text) else tuple(_TOKEN.findall(text))


_Value = TypeVar("_Value")


def _phrases(spellings_by_value: dict[_Value, str]) -> dict[tuple[str, ...], _Value]:
    """Index each "|"-separated spelling by its tokens, so "per cent" matches two words."""
    return {
        _tokens(spelling) or (): value
        for value, spellings in spellings_by_value.items()
        for spelling in spellings.split("|")
    }


@dataclass(frozen=True)
class _Unit:
    code: str
    factor: Fraction  # canonical units in one of these


_MINUTE = _Unit("minute", Fraction(1))
_HOUR = _Unit("minute", Fraction(60))
_UNITS = _phrases(
    {
        _Unit("minute", Fraction(1, 60)): "second|seconds|sec|secs|s",
        _MINUTE: "minute|minutes|min|mins",
        _HOUR: "hour|hours|hr|hrs|h",
        _Unit("minute", Fraction(1440)): "day|days",
        _Unit("minute", Fraction(10080)): "week|weeks",
        _Unit("month", Fraction(1)): "month|months|mo",
        _Unit("month", Fraction(12)): "year|years|yr|yrs",
        _Unit("month", Fraction(120)): "decade|decades",
        _Unit("percent", Fraction(1)): "%|percent|per cent|pct",
        _Unit("percentage point", Fraction(1)): "percentage point|percentage points|pp",
        _Unit("USD", Fraction(1)): "dollar|dollars|us dollar|us dollars|usd",
        _Unit("EUR", Fraction(1)): "euro|euros|eur",
        _Unit("GBP", Fraction(1)): "gbp|pounds sterling",
        _Unit("CNY", Fraction(1)): "yuan|renminbi|rmb|cny",
        _Unit("JPY", Fraction(1)): "yen|jpy",
        _Unit("tonne", Fraction(1)): "tonne|tonnes|t|metric ton|metric tons|metric tonne"
        "|metric tonnes",
        _Unit("tonne", Fraction(1, 1000)): "kilogram|kilograms|kg|kgs",
        _Unit("ton", Fraction(1)): "ton|tons",
    }
)
# "1h 40m": after hours, "m" can only be minutes (elsewhere it is money's million).
_COMPOUND_UNITS = {**_UNITS, ("m",): _MINUTE}
_PREFIX_CURRENCIES = _phrases(
    {
        _Unit("USD", Fraction(1)): "$|us$|usd",
        _Unit("EUR", Fraction(1)): "€|eur",
        _Unit("GBP", Fraction(1)): "£|gbp",
        _Unit("CNY", Fraction(1)): "cny|rmb",
        _Unit("JPY", Fraction(1)): "jpy",
    }
)
_SCALE_WORDS = dict(dozen=12, thousand=10**3, million=10**6, billion=10**9, trillion=10**12)
_SCALE_ABBREVIATIONS = dict(k=10**3, m=10**6, mn=10**6, bn=10**9, tn=10**12)
# (size, abbreviated)
_SCALES = {(word,): (size, False) for word, size in _SCALE_WORDS.items()} | {
    (word,): (size, True) for word, size in _SCALE_ABBREVIATIONS.items()
}
_FRACTIONS = _phrases(
    {
        Fraction(1, 2): "half a|half an",
        Fraction(1, 4): "a quarter of a|a quarter of an|quarter of a|quarter of an",
        Fraction(3, 4): "three quarters of a|three quarters of an",
    }
)
_ONE_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen \
fourteen fifteen sixteen seventeen eighteen nineteen"
_ONES = _ONE_WORDS.split()
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# "forty-seven" and "forty seven"; but "forty-fifty" is a range.
_BELOW_HUNDRED = _phrases(
    dict(enumerate(_ONES))
    | {10 * tens: word for tens, word in enumerate(_TENS, 2)}
    | {
        10 * tens + ones: f"{word}-{_ONES[ones]}|{word} {_ONES[ones]}"
        for tens, word in enumerate(_TENS, 2)
        for ones in range(1, 10)
    }
)

_Qualifier = tuple[str, bool]  # (qualifier, approximate)
_EXACTLY: _Qualifier = ("exactly", False)
_ABOUT: _Qualifier = ("exactly", True)
_AT_LEAST: _Qualifier = ("at least", False)
_PREFIX_QUALIFIERS = _phrases(
    {
        _EXACTLY: "exactly|precisely|just|only|a full",
        _ABOUT: "about|around|approximately|approx|approx.|roughly|some|circa|c.|~|nearly|almost"
        "|close to|an estimated|estimated|give or take",
        ("more than", False): "over|more than|above|in excess of|upwards of|upward of|exceeding"
        "|greater than|just over|just above|slightly more than|a little over|well over"
        "|well above|>",
        _AT_LEAST: "at least|no less than|no fewer than|a minimum of|not less than|≥|>=",
        ("less than", False): "under|less than|below|fewer than|just under|just below|<",
        ("at most", False): "at most|no more than|up to|a maximum of|not more than|≤|<=",
    }
)
_INNER_QUALIFIERS = _phrases({_AT_LEAST: "+|plus|-plus"})  # "40+ years", "40-plus years"
_SUFFIX_QUALIFIERS = _phrases(
    {
        _ABOUT: "or so|give or take",
        _AT_LEAST: "+|plus|-plus|or more",
        ("at most", False): "or less|or fewer",
    }
)
# How many tokens ``longest`` looks ahead.
_PHRASES = [*_UNITS, *_PREFIX_CURRENCIES, *_FRACTIONS, *_BELOW_HUNDRED, *_PREFIX_QUALIFIERS]
_LONGEST_PHRASE = max(map(len, [*_PHRASES, *_INNER_QUALIFIERS, *_SUFFIX_QUALIFIERS]))


@dataclass(frozen=True)
class _Number:
    value: Fraction
    needs_unit: bool = False  # "an", "half a": only with a unit or scale after them


@dataclass(frozen=True)
class _Measure:
    """One amount as written, before a range shares its unit or scale with the other end."""

    number: Fraction
    scale: int = 1
    abbreviated: bool = False  # the scale was "m", "bn"…
    unit: _Unit | None = None
    qualifier: _Qualifier | None = None  # "40+ years"
    extra: Fraction = Fraction(0)  # the later parts of a compound duration, canonical units

    @property
    def amount(self) -> Fraction:
        factor = self.unit.factor if self.unit else 1
        return self.number * self.scale * factor + self.extra


class _Parser:
    """Recursive descent over the tokens; a method that fails consumes nothing."""

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else ""

    def accept(self, *phrase: str) -> bool:
        if self.tokens[self.pos : self.pos + len(phrase)] != phrase:
            return False
        self.pos += len(phrase)
        return True

    def longest(self, table: dict[tuple[str, ...], _Value]) -> _Value | None:
        for length in range(_LONGEST_PHRASE, 0, -1):
            phrase = self.tokens[self.pos : self.pos + length]
            if phrase in table:
                self.pos += len(phrase)
                return table[phrase]
        return None

    def at_end(self) -> bool:
        return self.pos == len(self.tokens)

    def quantity(self) -> Quantity | None:
        if self.accept("between"):
            lower = self.measure(in_between=True)
            upper = self.measure() if lower and self.accept("and") else None
            return _range(lower, upper, approximate=False) if upper and self.at_end() else None
        start = self.pos
        prefix = self.longest(_PREFIX_QUALIFIERS)
        # "a full hour": the article went to the qualifier.
        lower = self.measure(number_optional=self.tokens[start : self.pos] == ("a", "full"))
        if lower is None:
            return None
        if self.accept("to") or self.accept("-"):
            upper = self.measure()
            if upper is None or not self.at_end() or prefix not in (None, _ABOUT):
                return None
            return _range(lower, upper, approximate=prefix == _ABOUT)
        comma = self.accept(",")  # "40 minutes, give or take"
        suffix = self.longest(_SUFFIX_QUALIFIERS)
        qualifier = _combine(prefix, lower.qualifier, suffix)
        if (comma and suffix is None) or not self.at_end() or qualifier is None:
            return None
        return _single(lower, *qualifier)

    def measure(self, number_optional: bool = False, in_between: bool = False) -> _Measure | None:
        currency = self.longest(_PREFIX_CURRENCIES)
        number = self.number()
        if number is None and (currency or not number_optional):
            return None
        number = number or _Number(Fraction(1), needs_unit=True)
        scale, abbreviated = self.longest(_SCALES) or (1, False)
        qualifier = self.longest(_INNER_QUALIFIERS)
        unit = currency or self.unit()
        if number.needs_unit and unit is None and scale == 1:
            return None
        extra = Fraction(0)
        if unit and _DIMENSION_OF_UNIT[unit.code] == "duration":
            # Within "between … and …" an "and" ends the lower end, not a compound.
            extra = self.compound_rest(unit, allow_and=not in_between)
        return _Measure(number.value, scale, abbreviated, unit, qualifier, extra)

    def number(self) -> _Number | None:
        fraction = self.longest(_FRACTIONS)
        if fraction is not None:
            return _Number(fraction, needs_unit=True)
        if self.peek() in ("a", "an") and self.peek(1) != "hundred":
            self.pos += 1
            return _Number(Fraction(1), needs_unit=True)
        value = _digits_value(self.peek())
        if value is not None:
            self.pos += 1
        elif (whole := self.word_integer()) is not None:
            value = Fraction(whole)
        else:
            return None
        if self.accept("and", "a", "half"):
            value += Fraction(1, 2)
        return _Number(value)

    def word_integer(self) -> int | None:
        if self.peek() in ("a", "an"):  # only ever before "hundred", see number()
            self.pos += 1
            value = 1
        else:
            value = self.longest(_BELOW_HUNDRED)
            if value is None:
                return None
        if not self.accept("hundred"):
            return value
        after_hundred = self.pos
        self.accept("and")
        rest = self.longest(_BELOW_HUNDRED)
        # In "between one hundred and two hundred" that "and" belongs to the range.
        if rest is None or self.peek() == "hundred":
            self.pos = after_hundred
            return value * 100
        return value * 100 + rest

    def unit(self) -> _Unit | None:
        start = self.pos
        # "80-minute", "one-year"; but "40-50%" is a range.
        hyphen_ok = not self.accept("-") or self.peek().isalpha()
        unit = self.longest(_UNITS) if hyphen_ok else None
        if unit is None:
            self.pos = start
        return unit

    def compound_rest(self, unit: _Unit, allow_and: bool) -> Fraction:
        """The later parts of "one hour and 40 minutes", "1h40", "an hour and a half"."""
        extra, last = Fraction(0), unit
        while True:
            start = self.pos
            if allow_and and self.accept("and", "a", "half"):
                return extra + last.factor / 2
            joined = self.accept(",")
            joined = (allow_and and self.accept("and")) or joined
            number = self.number()
            part = self.longest(_COMPOUND_UNITS) if number else None
            if number and part is None and not joined and last == _HOUR:
                part = _MINUTE  # "1h40"
            # Parts come largest first and in one family: "1 hour 2 hours" is not a compound.
            follows = part is not None and part.code == unit.code and part.factor < last.factor
            if number is None or not follows:
                self.pos = start
                return extra
            extra += number.value * part.factor
            last = part


def _digits_value(token: str) -> Fraction | None:
    if not token[:1].isdigit():
        return None
    plain = token.replace(",", "")
    whole_digits = plain.partition(".")[0].lstrip("0")
    significant = plain.replace(".", "").strip("0")
    # Checked on the string first, so that a thousand-digit number costs nothing.
    if len(whole_digits) > 19 or len(significant) > _MAX_SIGNIFICANT_DIGITS:
        return None
    value = Fraction(plain)
    return value if value <= _MAX_AMOUNT else None


def _combine(*qualifiers: _Qualifier | None) -> _Qualifier | None:
    """One qualifier from those written, or None when they conflict ("over about 40")."""
    written = [qualifier for qualifier in qualifiers if qualifier is not None]
    if len(written) <= 1:
        return written[0] if written else _EXACTLY
    return _ABOUT if all(qualifier == _ABOUT for qualifier in written) else None


def _single(measure: _Measure, qualifier: str, approximate: bool) -> Quantity | None:
    code = measure.unit.code if measure.unit else ""
    if measure.abbreviated and _DIMENSION_OF_UNIT[code] != "money":
        return None  # "5m" could be metres or minutes; only money may abbreviate
    amount = _canonical(measure.amount)
    return None if amount is None else Quantity(code, qualifier, amount, None, approximate)


def _range(lower: _Measure, upper: _Measure, approximate: bool) -> Quantity | None:
    if lower.qualifier or upper.qualifier:
        return None
    # The unit may be written once, on either end: "40-50%", "$1-2bn".
    lower, upper = (
        replace(lower, unit=lower.unit or upper.unit),
        replace(upper, unit=upper.unit or lower.unit),
    )
    # "1-2 billion" is 1 to 2 billion, but "between 500 and 2 million" starts at 500.
    if lower.scale == 1 and lower.number < upper.number:
        lower = replace(lower, scale=upper.scale, abbreviated=upper.abbreviated)
    low, high = _single(lower, "exactly", approximate), _single(upper, "exactly", approximate)
    if low is None or high is None or low.unit != high.unit or low.amount > high.amount:
        return None
    if low.amount == high.amount:
        return low
    return Quantity(low.unit, "between", low.amount, high.amount, approximate)


def _canonical(value: Fraction) -> Decimal | None:
    if not 0 <= value <= _MAX_AMOUNT:
        return None
    with localcontext() as context:
        context.prec = 40  # 10**18 to a millionth needs 25 digits
        amount = (Decimal(value.numerator) / value.denominator).quantize(_PLACES, ROUND_HALF_EVEN)
    if amount == 0 and value != 0:
        return None  # too small to state in the canonical unit
    return Decimal(_plain(amount))


# --- Writing -------------------------------------------------------------------------------

_DURATION_SIZES = {
    "minute": ((10080, "week"), (1440, "day"), (60, "hour"), (1, "minute")),
    "month": ((12, "year"), (1, "month")),
}
_CURRENCY_PREFIXES = {"USD": "US$", "EUR": "€", "GBP": "£", "CNY": "CNY ", "JPY": "JPY "}
_SCALE_NAMES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"))


def _plain(amount: Decimal) -> str:
    """Digits without exponent or trailing zeros: Decimal("1.50") -> "1.5"."""
    return format(amount.normalize(), "f")


def _json_number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _describe(amount: Decimal, unit: str) -> str:
    if unit in _CURRENCY_PREFIXES:
        # Money is grouped from 1,000 ("JPY 1,000"), as in financial writing.
        return _CURRENCY_PREFIXES[unit] + _format_number(amount, grouped_from=1000)
    if unit == "percent":
        return _format_number(amount) + "%"
    if unit == "":
        return _format_number(amount)
    name = unit
    for size, size_name in _DURATION_SIZES.get(unit, ()):
        if amount and amount % size == 0:
            amount, name = amount / size, size_name
            break
    return f"{_format_number(amount)} {name}{'' if amount == 1 else 's'}"


def _format_number(amount: Decimal, grouped_from: int = 10_000) -> str:
    scale_name = ""
    for size, name in _SCALE_NAMES:
        if amount >= size and amount % (size // 1000) == 0:
            amount, scale_name = amount / size, f" {name}"
            break
    return format(amount.normalize(), ",f" if amount >= grouped_from else "f") + scale_name

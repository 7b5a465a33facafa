"""Tests for timeline.quantities: news-style quantities to comparable keys and canonical text."""

import json
import random
from decimal import Decimal

from timeline.claims.quantities import (
    DIMENSIONS,
    QUALIFIERS,
    Quantity,
    parse_quantity,
    quantity_from_key,
)

# (text, key, approximate, canonical text): the examples the claims feature was specified with.
REQUIRED_EXAMPLES = [
    ("80 minutes", "minute|exactly|80", False, "80 minutes"),
    ("about 100 minutes", "minute|exactly~|100", True, "about 100 minutes"),
    ("one hour and 40 minutes", "minute|exactly|100", False, "100 minutes"),
    ("just one hour and 40 minutes", "minute|exactly|100", False, "100 minutes"),
    ("1h40", "minute|exactly|100", False, "100 minutes"),
    ("just over an hour", "minute|more than|60", False, "more than 1 hour"),
    ("an hour and a half", "minute|exactly|90", False, "90 minutes"),
    ("over 70%", "percent|more than|70", False, "more than 70%"),
    ("more than 90%", "percent|more than|90", False, "more than 90%"),
    ("over 40 percent", "percent|more than|40", False, "more than 40%"),
    ("over 40%", "percent|more than|40", False, "more than 40%"),
    ("47%", "percent|exactly|47", False, "47%"),
    ("forty-seven per cent", "percent|exactly|47", False, "47%"),
    ("40–50%", "percent|between|40|50", False, "between 40% and 50%"),
    ("between 40 and 50 percent", "percent|between|40|50", False, "between 40% and 50%"),
    ("12 million metric tonnes", "tonne|exactly|12000000", False, "12 million tonnes"),
    ("at least 25 million tonnes", "tonne|at least|25000000", False, "at least 25 million tonnes"),
    ("$1.2 billion", "USD|exactly|1200000000", False, "US$1.2 billion"),
    ("one-year", "month|exactly|12", False, "1 year"),
    ("six years", "month|exactly|72", False, "6 years"),
    ("five", "|exactly|5", False, "5"),
]
REQUIRED_REJECTIONS = [
    "from 57% to 47%",
    "export restrictions",
    "the 80-minute conversation",
    "",
    "over",
    "50–40%",
    "¥100",
]

# (text, key): the other forms the module reads.
ACCEPTED_FORMS = [
    # Numbers in digits.
    ("1,200", "|exactly|1200"),
    ("12,000,000", "|exactly|12000000"),
    ("1.5", "|exactly|1.5"),
    ("0.5 hours", "minute|exactly|30"),
    ("007", "|exactly|7"),
    ("123,456,789,012,345", "|exactly|123456789012345"),
    ("1000000000000000000", "|exactly|1000000000000000000"),
    # Numbers in words.
    ("zero", "|exactly|0"),
    ("nineteen", "|exactly|19"),
    ("forty seven per cent", "percent|exactly|47"),
    ("ninety-nine", "|exactly|99"),
    ("a hundred", "|exactly|100"),
    ("one hundred and twenty", "|exactly|120"),
    ("two hundred five", "|exactly|205"),
    ("a dozen", "|exactly|12"),
    ("two dozen", "|exactly|24"),
    ("half a dozen", "|exactly|6"),
    ("twelve million", "|exactly|12000000"),
    ("a million", "|exactly|1000000"),
    ("half a million", "|exactly|500000"),
    ("12 thousand", "|exactly|12000"),
    ("1.5 trillion", "|exactly|1500000000000"),
    ("one hundred and twenty thousand", "|exactly|120000"),
    ("an hour", "minute|exactly|60"),
    ("a day", "minute|exactly|1440"),
    ("half an hour", "minute|exactly|30"),
    ("two and a half hours", "minute|exactly|150"),
    ("one and a half hours", "minute|exactly|90"),
    ("2 and a half years", "month|exactly|30"),
    ("a quarter of an hour", "minute|exactly|15"),
    ("three quarters of an hour", "minute|exactly|45"),
    ("a year and a half", "month|exactly|18"),
    # Durations.
    ("90 seconds", "minute|exactly|1.5"),
    ("30 secs", "minute|exactly|0.5"),
    ("45s", "minute|exactly|0.75"),
    ("1 second", "minute|exactly|0.016667"),
    ("100 seconds", "minute|exactly|1.666667"),
    ("1 minute 40 seconds", "minute|exactly|1.666667"),
    ("1 min", "minute|exactly|1"),
    ("5 mins", "minute|exactly|5"),
    ("2 hrs", "minute|exactly|120"),
    ("3h", "minute|exactly|180"),
    ("3 days", "minute|exactly|4320"),
    ("2 weeks", "minute|exactly|20160"),
    ("1 week 2 days", "minute|exactly|12960"),
    ("1 hour 40 minutes", "minute|exactly|100"),
    ("1 hr 40 min", "minute|exactly|100"),
    ("1h 40m", "minute|exactly|100"),
    ("1 hour 40", "minute|exactly|100"),
    ("an hour and 40 minutes", "minute|exactly|100"),
    ("2 hours, 15 minutes", "minute|exactly|135"),
    ("2 hours, and 15 minutes", "minute|exactly|135"),
    ("1h40m30s", "minute|exactly|100.5"),
    ("one hour and a half", "minute|exactly|90"),
    ("80-minute", "minute|exactly|80"),
    ("six-year", "month|exactly|72"),
    ("twenty-one-year", "month|exactly|252"),
    ("18 months", "month|exactly|18"),
    ("6 mo", "month|exactly|6"),
    ("3 yrs", "month|exactly|36"),
    ("1 yr", "month|exactly|12"),
    ("a decade", "month|exactly|120"),
    ("two decades", "month|exactly|240"),
    ("1 year and 6 months", "month|exactly|18"),
    # Percentages.
    ("40 pct", "percent|exactly|40"),
    ("40 %", "percent|exactly|40"),
    ("12.5%", "percent|exactly|12.5"),
    ("3 percentage points", "percentage point|exactly|3"),
    ("1 percentage point", "percentage point|exactly|1"),
    ("3pp", "percentage point|exactly|3"),
    ("0.25 pp", "percentage point|exactly|0.25"),
    # Money.
    ("$5bn", "USD|exactly|5000000000"),
    ("$1.2 bn", "USD|exactly|1200000000"),
    ("US$ 3 bn", "USD|exactly|3000000000"),
    ("US$3bn", "USD|exactly|3000000000"),
    ("$5mn", "USD|exactly|5000000"),
    ("$2tn", "USD|exactly|2000000000000"),
    ("€300m", "EUR|exactly|300000000"),
    ("$40k", "USD|exactly|40000"),
    ("1.2 billion dollars", "USD|exactly|1200000000"),
    ("5 US dollars", "USD|exactly|5"),
    ("one dollar", "USD|exactly|1"),
    ("5 USD", "USD|exactly|5"),
    ("USD 5", "USD|exactly|5"),
    ("300 million euros", "EUR|exactly|300000000"),
    ("20 EUR", "EUR|exactly|20"),
    ("£5", "GBP|exactly|5"),
    ("5 GBP", "GBP|exactly|5"),
    ("5 pounds sterling", "GBP|exactly|5"),
    ("300 million yuan", "CNY|exactly|300000000"),
    ("300m yuan", "CNY|exactly|300000000"),
    ("2 billion renminbi", "CNY|exactly|2000000000"),
    ("5 RMB", "CNY|exactly|5"),
    ("CNY 300 million", "CNY|exactly|300000000"),
    ("1,000 yen", "JPY|exactly|1000"),
    ("JPY 1,000", "JPY|exactly|1000"),
    # Mass.
    ("1 tonne", "tonne|exactly|1"),
    ("5t", "tonne|exactly|5"),
    ("2 metric tons", "tonne|exactly|2"),
    ("1 metric ton", "tonne|exactly|1"),
    ("500 kg", "tonne|exactly|0.5"),
    ("1,500 kilograms", "tonne|exactly|1.5"),
    ("500 tons", "ton|exactly|500"),
    ("1 ton", "ton|exactly|1"),
    # Qualifiers before the number.
    ("exactly 80 minutes", "minute|exactly|80"),
    ("precisely 80 minutes", "minute|exactly|80"),
    ("just 80 minutes", "minute|exactly|80"),
    ("only 80 minutes", "minute|exactly|80"),
    ("a full hour", "minute|exactly|60"),
    ("a full 90 minutes", "minute|exactly|90"),
    ("more than 40", "|more than|40"),
    ("above 40%", "percent|more than|40"),
    ("in excess of $5bn", "USD|more than|5000000000"),
    ("upwards of 40", "|more than|40"),
    ("exceeding 40%", "percent|more than|40"),
    ("greater than 40", "|more than|40"),
    ("just above 40%", "percent|more than|40"),
    ("slightly more than 40%", "percent|more than|40"),
    ("a little over an hour", "minute|more than|60"),
    ("well over 40%", "percent|more than|40"),
    ("well above 40%", "percent|more than|40"),
    ("> 40%", "percent|more than|40"),
    ("at least 40", "|at least|40"),
    ("no less than 40", "|at least|40"),
    ("no fewer than 40", "|at least|40"),
    ("a minimum of 40", "|at least|40"),
    ("not less than 40", "|at least|40"),
    ("≥40%", "percent|at least|40"),
    (">= 40%", "percent|at least|40"),
    ("under 5%", "percent|less than|5"),
    ("less than 5%", "percent|less than|5"),
    ("below 5%", "percent|less than|5"),
    ("fewer than 40", "|less than|40"),
    ("just under an hour", "minute|less than|60"),
    ("just below 5%", "percent|less than|5"),
    ("<5%", "percent|less than|5"),
    ("at most 3 days", "minute|at most|4320"),
    ("no more than 3 days", "minute|at most|4320"),
    ("up to 40%", "percent|at most|40"),
    ("a maximum of 40", "|at most|40"),
    ("not more than 40", "|at most|40"),
    ("≤ 40", "|at most|40"),
    ("<=40", "|at most|40"),
    # Qualifiers after the number.
    ("40+", "|at least|40"),
    ("40%+", "percent|at least|40"),
    ("40+ years", "month|at least|480"),
    ("40-plus years", "month|at least|480"),
    ("40 plus", "|at least|40"),
    ("40 or more", "|at least|40"),
    ("40 years or more", "month|at least|480"),
    ("40 or less", "|at most|40"),
    ("40 or fewer", "|at most|40"),
    # Ranges.
    ("40-50%", "percent|between|40|50"),
    ("40 — 50%", "percent|between|40|50"),
    ("40% to 50%", "percent|between|40|50"),
    ("40 to 50%", "percent|between|40|50"),
    ("40%-50%", "percent|between|40|50"),
    ("between 40% and 50%", "percent|between|40|50"),
    ("between one and two hours", "minute|between|60|120"),
    ("between 1 hour and 2 hours", "minute|between|60|120"),
    ("between 1 day and 1530 minutes", "minute|between|1440|1530"),
    ("between one and a half and two hours", "minute|between|90|120"),
    ("1h40-2h", "minute|between|100|120"),
    ("an hour to 90 minutes", "minute|between|60|90"),
    ("five to six", "|between|5|6"),
    ("five-six", "|between|5|6"),
    ("forty-fifty", "|between|40|50"),
    ("$1bn-$2bn", "USD|between|1000000000|2000000000"),
    ("$1-2bn", "USD|between|1000000000|2000000000"),
    ("1-2 billion", "|between|1000000000|2000000000"),
    ("between 1 and 2 million", "|between|1000000|2000000"),
    ("between 500 and 2 million", "|between|500|2000000"),
    ("between one hundred and two hundred", "|between|100|200"),
    ("between a hundred and a thousand", "|between|100|1000"),
    ("€300m-€1bn", "EUR|between|300000000|1000000000"),
    ("40-40%", "percent|exactly|40"),
    ("60 minutes to an hour", "minute|exactly|60"),
    # Typography, case and surrounding space.
    ("  80 minutes.  ", "minute|exactly|80"),
    ("80 MINUTES", "minute|exactly|80"),
    ("Over 40 Percent", "percent|more than|40"),
    ("40\u00a0%", "percent|exactly|40"),
    ("40\u2009%", "percent|exactly|40"),
    ("40\u202f%", "percent|exactly|40"),
    ("40％", "percent|exactly|40"),
    ("40\u00a0–\u00a050%", "percent|between|40|50"),
    ("forty‑seven per cent", "percent|exactly|47"),
]

# (text, key): hedges mark the quantity approximate, and "~" in its key says so: "about 40%"
# is another claim than "40%" (it allows 36% to 44%, see test_claim_intervals).
APPROXIMATE_FORMS = [
    ("about 40%", "percent|exactly~|40"),
    ("around 40%", "percent|exactly~|40"),
    ("approximately 40%", "percent|exactly~|40"),
    ("approx. 40%", "percent|exactly~|40"),
    ("approx 40%", "percent|exactly~|40"),
    ("roughly 40%", "percent|exactly~|40"),
    ("some 40 minutes", "minute|exactly~|40"),
    ("circa 40", "|exactly~|40"),
    ("c. 40", "|exactly~|40"),
    ("~40%", "percent|exactly~|40"),
    ("nearly two hours", "minute|exactly~|120"),
    ("almost 40%", "percent|exactly~|40"),
    ("close to 40%", "percent|exactly~|40"),
    ("an estimated 40 million tonnes", "tonne|exactly~|40000000"),
    ("estimated 40 million tonnes", "tonne|exactly~|40000000"),
    ("40 minutes or so", "minute|exactly~|40"),
    ("40 minutes, give or take", "minute|exactly~|40"),
    ("give or take 40 minutes", "minute|exactly~|40"),
    ("about 40 minutes or so", "minute|exactly~|40"),
    ("about 40-50%", "percent|between~|40|50"),
    ("roughly 40 to 50 percent", "percent|between~|40|50"),
]

REJECTED = [
    # Not only a quantity.
    "a one-year truce",
    "five rare earth metals",
    "80 minutes long",
    "the meeting lasted 80 minutes",
    "40 points",
    "5 pounds",
    "¥5 billion",
    "5m",
    "40m tonnes",
    "5bn",
    "hour",
    "a",
    "an",
    "half",
    "dozen",
    "and",
    "between 40",
    "between 40 and",
    "40 to",
    "- 40",
    "-5%",
    "minus 5",
    "40 minutes,",
    ",40",
    # Numbers written wrongly.
    ".5",
    "1,20",
    "1,2000",
    "1234,567",
    "1.2.3",
    "12, 000",
    "twenty-zero",
    # Conflicting or misplaced qualifiers.
    "over about 40",
    "about over 40",
    "just 40 or more",
    "over 40 or less",
    "at least 40+",
    "over 40-50%",
    "up to 40 to 50",
    "between about 40 and 50",
    "about between 40 and 50",
    "40-50% or more",
    "40+-50",
    "from 40% to 50%",
    # Ranges that are not ranges.
    "5% to 10 minutes",
    "$5 to 10 euros",
    "2 hours to 1 hour",
    "1 year to 6 months",
    # Units not both ends or written twice.
    "$5 million dollars",
    "5 percent percent",
    # Limits.
    "1234567890123456",
    "1.234567890123456",
    "1000000000000000001",
    "2 million trillion",
    "10000000000000000000 kg",
    "0.0000001%",
]


def parse(text: str) -> Quantity:
    quantity = parse_quantity(text)
    assert quantity is not None, text
    return quantity


ALL_PARSED = (
    [text for text, *_ in REQUIRED_EXAMPLES]
    + [text for text, _ in ACCEPTED_FORMS]
    + [text for text, _ in APPROXIMATE_FORMS]
)


def test_required_examples() -> None:
    for text, key, approximate, canonical in REQUIRED_EXAMPLES:
        quantity = parse(text)
        assert (quantity.key, quantity.approximate, quantity.text()) == (
            key,
            approximate,
            canonical,
        ), text


def test_rejects_what_is_not_only_a_quantity() -> None:
    parsed = {text: parse_quantity(text) for text in REQUIRED_REJECTIONS + REJECTED}

    assert {text: quantity for text, quantity in parsed.items() if quantity is not None} == {}


def test_accepted_forms() -> None:
    for text, key in ACCEPTED_FORMS:
        quantity = parse(text)
        assert (quantity.key, quantity.approximate) == (key, False), text


def test_hedges_are_approximate_and_part_of_the_key() -> None:
    for text, key in APPROXIMATE_FORMS:
        quantity = parse(text)
        assert (quantity.key, quantity.approximate) == (key, True), text


def test_the_fields_of_a_range() -> None:
    assert parse("between one and two hours") == Quantity(
        "minute", "between", Decimal(60), Decimal(120)
    )
    assert parse("40-50%").upper == Decimal(50)
    assert parse("40%").upper is None


def test_the_key_round_trips() -> None:
    for text in ALL_PARSED:
        quantity = parse(text)
        assert quantity_from_key(quantity.key) == quantity, text


def test_the_canonical_text_reads_back_as_the_same_claim() -> None:
    for text in ALL_PARSED:
        quantity = parse(text)
        reread = parse(quantity.text())
        assert reread.key == quantity.key, (text, quantity.text())
        # The text says "about" for an approximate amount and an approximate range alike.
        assert reread.approximate is quantity.approximate, text


SAME_CLAIMS = [
    ["80 minutes", "eighty minutes", "1 hour 20 minutes", "an hour and 20 minutes", "1h20"],
    [
        "100 minutes",
        "one hour and 40 minutes",
        "just one hour and 40 minutes",
        "1h40",
        "1 hr 40 min",
        "6000 seconds",
    ],
    ["just over an hour", "more than 60 minutes", "over 1 hour", "above one hour"],
    ["an hour and a half", "90 minutes", "1.5 hours", "one and a half hours"],
    ["over 40 percent", "over 40%", "more than forty per cent", "in excess of 40 pct"],
    ["47%", "forty-seven per cent", "47 percent"],
    ["about 47%", "around 47 per cent", "roughly forty-seven percent"],
    ["40–50%", "between 40 and 50 percent", "40% to 50%", "between forty and fifty per cent"],
    ["12 million metric tonnes", "12,000,000 tonnes", "twelve million tonnes", "12 million t"],
    ["$1.2 billion", "US$1.2bn", "1.2 billion dollars", "1,200 million US dollars", "USD 1.2 bn"],
    ["one-year", "1 year", "12 months", "a year"],
    ["five", "5", "5.0"],
]


def test_keys_are_equal_exactly_for_the_same_claim() -> None:
    keys_by_group = [{parse(text).key for text in group} for group in SAME_CLAIMS]
    assert all(len(keys) == 1 for keys in keys_by_group), keys_by_group
    assert len(set.union(*keys_by_group)) == len(SAME_CLAIMS)


DIFFERENT_CLAIMS = [
    ("over 70%", "more than 90%"),
    ("over 40%", "at least 40%"),
    ("over 40%", "40%"),
    ("47%", "47 percentage points"),
    ("500 tons", "500 tonnes"),
    ("$5", "€5"),
    ("5 months", "5 minutes"),
    ("5", "5%"),
    ("40-50%", "40%"),
    ("less than 5%", "at most 5%"),
    # A hedge is part of the claim: "about 100 minutes" allows 90 to 110.
    ("about 100 minutes", "100 minutes"),
    ("about 47%", "47%"),
    ("about 40-50%", "40-50%"),
]


def test_keys_differ_for_different_claims() -> None:
    for first, second in DIFFERENT_CLAIMS:
        assert parse(first).key != parse(second).key, (first, second)


CANONICAL_TEXTS = [
    ("minute|exactly|100", "100 minutes"),
    ("minute|exactly|60", "1 hour"),
    ("minute|exactly|120", "2 hours"),
    ("minute|exactly|90", "90 minutes"),
    ("minute|exactly|1", "1 minute"),
    ("minute|exactly|1440", "1 day"),
    ("minute|exactly|2880", "2 days"),
    ("minute|exactly|10080", "1 week"),
    ("minute|exactly|1.5", "1.5 minutes"),
    ("minute|exactly|0", "0 minutes"),
    ("minute|more than|60", "more than 1 hour"),
    ("minute|at most|4320", "at most 3 days"),
    ("minute|between|60|120", "between 1 hour and 2 hours"),
    ("minute|between|60|90", "between 1 hour and 90 minutes"),
    ("month|exactly|12", "1 year"),
    ("month|exactly|18", "18 months"),
    ("month|exactly|1", "1 month"),
    ("month|exactly|120", "10 years"),
    ("percent|exactly|47", "47%"),
    ("percent|exactly|12.5", "12.5%"),
    ("percent|less than|5", "less than 5%"),
    ("percent|between|40|50", "between 40% and 50%"),
    ("percentage point|exactly|3", "3 percentage points"),
    ("percentage point|exactly|1", "1 percentage point"),
    ("USD|exactly|1200000000", "US$1.2 billion"),
    ("USD|exactly|1234567", "US$1,234,567"),
    ("USD|exactly|1500", "US$1,500"),
    ("EUR|exactly|300000000", "€300 million"),
    ("GBP|exactly|5", "£5"),
    ("CNY|exactly|300000000", "CNY 300 million"),
    ("JPY|exactly|1000", "JPY 1,000"),
    ("USD|between|1000000000|2000000000", "between US$1 billion and US$2 billion"),
    ("tonne|exactly|12000000", "12 million tonnes"),
    ("tonne|at least|25000000", "at least 25 million tonnes"),
    ("tonne|exactly|1", "1 tonne"),
    ("tonne|exactly|0.5", "0.5 tonnes"),
    ("ton|exactly|500", "500 tons"),
    ("|exactly|12", "12"),
    ("|exactly|1000", "1000"),
    ("|exactly|12000", "12,000"),
    ("|exactly|12000000", "12 million"),
    ("|exactly|12345000", "12.345 million"),
    ("|exactly|12345678", "12,345,678"),
    ("|exactly|1500000000000", "1.5 trillion"),
    ("|exactly|1000000000000000000", "1,000,000 trillion"),
    ("|exactly|0.016667", "0.016667"),
    ("minute|exactly~|100", "about 100 minutes"),
    ("percent|exactly~|47", "about 47%"),
    ("percent|between~|40|50", "about 40% to 50%"),
    ("USD|between~|1000000000|2000000000", "about US$1 billion to US$2 billion"),
]


def test_canonical_text() -> None:
    texts = {key: quantity_from_key(key).text() for key, _ in CANONICAL_TEXTS}

    assert texts == dict(CANONICAL_TEXTS)


def test_the_text_of_an_approximate_quantity_says_so() -> None:
    assert parse("nearly two hours").text() == "about 2 hours"
    assert parse("about 40-50%").text() == "about 40% to 50%"
    assert parse("roughly 40 to 50 percent").text() == "about 40% to 50%"
    assert parse("about 40% to 50%").key == "percent|between~|40|50"


def test_key_writes_decimals_plainly() -> None:
    assert Quantity("minute", "exactly", Decimal("100.0")).key == "minute|exactly|100"
    assert Quantity("percent", "exactly", Decimal("1.50")).key == "percent|exactly|1.5"
    assert Quantity("", "exactly", Decimal("1E+3")).key == "|exactly|1000"
    assert Quantity("", "exactly", Decimal("0.00")).key == "|exactly|0"
    assert Quantity("", "exactly", Decimal(5), approximate=True).key == "|exactly~|5"


DIMENSION_EXAMPLES = [
    ("80 minutes", "duration"),
    ("six years", "duration"),
    ("47%", "percentage"),
    ("3 percentage points", "percentage"),
    ("$1.2 billion", "money"),
    ("CNY 5", "money"),
    ("12 million tonnes", "mass"),
    ("500 tons", "mass"),
    ("five", "count"),
]


def test_dimension() -> None:
    dimensions = {text: parse(text).dimension for text, _ in DIMENSION_EXAMPLES}

    assert dimensions == dict(DIMENSION_EXAMPLES)
    assert set(dimensions.values()) <= set(DIMENSIONS)


def test_as_dict_is_json() -> None:
    for text in ALL_PARSED:
        as_dict = parse(text).as_dict()
        assert json.loads(json.dumps(as_dict)) == as_dict, text
        assert set(as_dict) == {
            "text",
            "qualifier",
            "approximate",
            "amount",
            "upper",
            "unit",
            "interval",
        }, text
        assert as_dict["qualifier"] in QUALIFIERS, text
        assert set(as_dict["interval"]) == {"lower", "upper", "lower_open", "upper_open"}, text


def test_as_dict_values() -> None:
    assert parse("40–50%").as_dict() == {
        "text": "between 40% and 50%",
        "qualifier": "between",
        "approximate": False,
        "amount": 40,
        "upper": 50,
        "unit": "percent",
        "interval": {"lower": 40, "upper": 50, "lower_open": False, "upper_open": False},
    }
    assert parse("about 100 minutes").as_dict() == {
        "text": "about 100 minutes",
        "qualifier": "exactly",
        "approximate": True,
        "amount": 100,
        "upper": None,
        "unit": "minute",
        "interval": {"lower": 90, "upper": 110, "lower_open": False, "upper_open": False},
    }
    assert parse("over 40%").as_dict()["interval"] == {
        "lower": 40,
        "upper": None,
        "lower_open": True,
        "upper_open": False,
    }
    as_dict = parse("90 seconds").as_dict()
    assert as_dict["amount"] == 1.5 and isinstance(as_dict["amount"], float)
    assert as_dict["upper"] is None
    assert isinstance(parse("100.0 minutes").as_dict()["amount"], int)


MALFORMED_KEYS = [
    "",
    "minute",
    "minute|exactly",
    "minute|exactly|",
    "minute|exactly|80|90",
    "minute|between|80",
    "minute|between|90|80",
    "minute|between|80|80",
    "minutes|exactly|80",
    "minute|roughly|80",
    "minute|~|80",
    "minute|~exactly|80",
    "minute|exactly~~|80",
    "minute|exactly ~|80",
    "minute|exactly|80.0",
    "minute|exactly|080",
    "minute|exactly|8e1",
    "minute|exactly|-80",
    "minute|exactly| 80",
    "minute|exactly|80\n",
    "minute|exactly|٨٠",
    "minute|exactly|NaN",
    "|exactly|Infinity",
]


def test_quantity_from_key_rejects_malformed_keys() -> None:
    def read(key: str) -> Quantity | None:
        try:
            return quantity_from_key(key)
        except ValueError:
            return None

    assert {key: read(key) for key in MALFORMED_KEYS if read(key) is not None} == {}


def test_limits() -> None:
    assert parse("123456789012345").amount == Decimal(123456789012345)
    assert parse("1.23456789012345").amount == Decimal("1.234568")
    assert parse("1000000 trillion").amount == Decimal(10**18)
    assert parse_quantity("1000001 trillion") is None
    assert parse_quantity("1 000") is None


ODD_STRINGS = [
    "9" * 5000,
    "1," + "000," * 2000 + "0001",
    "1e999",
    "1E+999",
    "NaN",
    "nan%",
    "Infinity",
    "-Infinity",
    "%",
    "％",
    "over",
    "between",
    "and",
    "to",
    "-",
    "–",
    ".",
    "..",
    ",",
    "$",
    "US$",
    "\x00",
    "40\x00%",
    "\x00 40%",
    "🙂",
    "40 🙂",
    "٤٠%",
    "４０%",
    "40²",
    "½ hour",
    "\u200b40%",
    "40%\u200b",
    "İ",
    "\ud800",
    "over over over 40",
    "between between 1 and 2 and 3",
    "1h40h40h40",
    "a a a a hour",
    "and a half",
    "40 " * 1000,
    "forty-" * 1000,
    "one hour and " * 500 + "one minute",
    "\n\t ",
]


def test_odd_strings_are_refused_without_raising() -> None:
    parsed = [(text[:40], parse_quantity(text)) for text in ODD_STRINGS]

    assert [(text, quantity) for text, quantity in parsed if quantity is not None] == []


FUZZ_VOCABULARY = [
    "0", "1", "40", "1,200", "1.5", "12345678901234", "a", "an", "one", "forty", "-", "seven",
    "hundred", "and", "half", "quarter", "of", "dozen", "million", "bn", "m", "k", "$", "US$",
    "€", "£", "¥", "%", "percent", "per", "cent", "pp", "percentage", "points", "hour", "h",
    "minutes", "seconds", "years", "days", "tonnes", "kg", "tons", "dollars", "yuan", "over",
    "about", "just", "at", "least", "most", "up", "to", "between", "or", "more", "so", "+",
    ",", ".", "~", "<", ">=", "–", "—", "a full", "plus", "-plus", " ", "",
]  # fmt: skip


def test_fuzzed_phrases_never_raise_and_parse_consistently() -> None:
    rng = random.Random(20251030)
    parsed = 0
    for _ in range(20000):
        words = rng.choices(FUZZ_VOCABULARY, k=rng.randint(1, 7))
        text = rng.choice([" ", ""]).join(words)
        quantity = parse_quantity(text)
        if quantity is None:
            continue
        parsed += 1
        assert quantity.qualifier in QUALIFIERS and quantity.dimension in DIMENSIONS, text
        assert quantity.amount >= 0, text
        assert (quantity.upper is None) is (quantity.qualifier != "between"), text
        assert quantity.upper is None or quantity.amount < quantity.upper, text
        assert quantity_from_key(quantity.key) == quantity, text
        json.dumps(quantity.as_dict())
        reread = parse_quantity(quantity.text())
        # The text reads back unless conversion gave the amount more digits than one may write.
        if reread is None:
            digits = len(quantity.key.rpartition("|")[2].replace(".", "").strip("0"))
            assert digits > 15, (text, quantity.text())
        else:
            assert reread.key == quantity.key, (text, quantity.text())
    assert parsed > 500  # the vocabulary still produces quantities to check

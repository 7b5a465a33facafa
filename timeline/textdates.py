"""Date expressions in a text, found and resolved to EDTF against the text's publication date.

``find_dates(text, reference)`` gives each expression with its character span,
its EDTF value and how that value was reached ("Thursday → 2025-10-30: the
Thursday on or before publication, past tense"). Absolute expressions
("30 October 2025", "April 2026", "summer of 2024") need no reference; relative
ones ("Thursday", "last month", "since January") and dates without a year
("1 December") are resolved against the reference, in the direction the
sentence's tense gives ("will visit … in April": the next April). A reference
known only roughly (an EDTF interval) gives the honest interval: everything the
expression could mean on any day of it. Without a reference, those are reported
unresolved with the reason, never guessed.

Rules, not a parser from PyPI: docs/dates-in-text.md compares them with
dateparser's ``search_dates`` on the annotated set, and gives the conventions.
"""

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from timeline.dates import parse_event_date

MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}
MONTHS |= {name[:3]: number for name, number in MONTHS.items()} | {"Sept": 9}
WEEKDAYS = {name: number for number, name in enumerate(calendar.day_name)}  # Monday is 0
# EDTF's season codes; their months are timeline.dates' (meteorological, winter to February).
SEASONS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
COUNTS |= {"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
PARTS |= {"beginning": PARTS["early"], "middle": PARTS["mid"], "end": PARTS["late"]}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4}

MONTH = (
    r"(?P<month>(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
DAY = r"(?P<day>3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?"
YEAR = r"(?P<year>1[89][0-9]{2}|20[0-9]{2})"
WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
SEASON = r"(?P<season>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter)"
UNIT = r"(?P<unit>day|week|month|year|season|spring|summer|autumn|fall|winter)s?"
COUNT = r"(?P<count>[0-9]{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"

# The nearest of these words before an expression (else after it, in its sentence)
# sets the tense; a present-tense verb nearer says nothing either way.
FUTURE_WORDS = re.compile(
    r"will|won't|shall|'ll|would|plan(?:s|ned|ning)?|expect(?:s|ed)?|scheduled|set|due"
    r"|upcoming|aims?|intends?|could|might|may"
)
PAST_WORDS = re.compile(
    r"said|met|held|took|made|was|were|had|did|began|came|went|saw|told|spoke|struck|won"
    r"|lost|left|drove|rose|fell|grew|hit|led|paid|sold|bought|brought|sent|spent|built|kept"
    r"|felt|gave|got|ran|wrote|chose|broke|stood|became|beat|flew|froze|shook|swept|threw"
    r"|(?!(?:need|speed|bas|unit|r|b|fe|se|proce|exce|hundr)ed$)\w+ed"
)
ARTICLES = {"the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "record"}
PASSIVE = {"be", "been", "being", "is", "are", "am"}
PRESENT = {"has", "have", "is", "are", "am"}  # no way to tell: the nearest date
SENTENCE_END = re.compile(r"[.!?][”\"]?\s+(?=[A-Z“\"])|\n")
# A season without a year is a date after one of these ("through the autumn").
SEASON_CONTEXT = re.compile(r"\b(?:in|by|through|during|until|over|for|into|before|after) the $")
# "May" is a month only after one of these (else "may", the verb, opening a sentence).
MAY_CONTEXT = re.compile(r"\b(in|of|since|until|by|from|to|early|late|mid|last|next|this)[ -]$")


class Unresolved(Exception):
    """The expression cannot be given a value: the message says why."""


@dataclass(frozen=True)
class Value:
    """A calendar value: the EDTF of its first and last parts, and its bounds."""

    first: str
    last: str
    lower: dt.date
    upper: dt.date

    @property
    def edtf(self) -> str:
        return self.first if self.first == self.last else f"{self.first}/{self.last}"

    def to(self, other: "Value") -> "Value":
        """From this value's start to the other's end."""
        return self if self == other else Value(self.first, other.last, self.lower, other.upper)


def day(date: dt.date) -> Value:
    return Value(date.isoformat(), date.isoformat(), date, date)


def days(lower: dt.date, upper: dt.date) -> Value:
    return day(lower).to(day(upper))


def month(year: int, number: int) -> Value:
    """A month; ``number`` may run past 12 or below 1 into the next or last years."""
    year, number = year + (number - 1) // 12, (number - 1) % 12 + 1
    last = dt.date(year, number, calendar.monthrange(year, number)[1])
    return Value(f"{year:04d}-{number:02d}", f"{year:04d}-{number:02d}", last.replace(day=1), last)


def year(number: int) -> Value:
    return Value(f"{number:04d}", f"{number:04d}", dt.date(number, 1, 1), dt.date(number, 12, 31))


def season(number: int, code: int) -> Value:
    edtf = f"{number:04d}-{code}"
    bounds = parse_event_date(edtf)
    return Value(edtf, edtf, bounds.start, bounds.end)


def season_of(date: dt.date) -> Value:
    """The season a day falls in (January and February: the last winter's)."""
    seasons = (season(y, c) for y in (date.year - 1, date.year) for c in set(SEASONS.values()))
    return next(s for s in seasons if s.lower <= date <= s.upper)


def week(date: dt.date) -> Value:
    """Monday to Sunday."""
    monday = date - dt.timedelta(days=date.weekday())
    return days(monday, monday + dt.timedelta(days=6))


def nearest(candidates: list[Value], reference: dt.date, tense: str, *, strict=False) -> Value:
    """The latest candidate that starts on or before the reference (past), the earliest
    that ends on or after it (future), else the closest; ``strict``: not on it."""
    if tense is None:
        return min(
            candidates, key=lambda c: min(abs(c.lower - reference), abs(c.upper - reference))
        )
    if tense == "past":
        fits = [
            c for c in candidates if c.upper < reference or (not strict and c.lower <= reference)
        ]
    else:
        fits = [
            c for c in candidates if c.lower > reference or (not strict and c.upper >= reference)
        ]
    if not fits:
        raise Unresolved("no such date lies that way from publication")
    return max(fits, key=lambda c: c.lower) if tense == "past" else min(fits, key=lambda c: c.lower)


WHERE = {
    "past": "on or before publication (past tense)",
    "future": "on or after publication (future tense)",
    None: "to publication (no tense said which way)",
}


@dataclass(frozen=True)
class Reference:
    """The day a text was published, or the interval it was published in."""

    lower: dt.date
    upper: dt.date

    @classmethod
    def of(cls, value) -> "Reference | None":
        """From a date, an EDTF string ("2025-10-30", "2025-10-30/2025-11-02") or None."""
        if value is None or value == "":
            return None
        if isinstance(value, dt.date):
            return cls(value, value)
        parsed = parse_event_date(str(value))
        return cls(parsed.start, parsed.end)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    text: str
    value: str | None  # EDTF; None when unresolved
    lower: dt.date | None
    upper: dt.date | None
    explanation: str


Resolver = Callable[[re.Match, "dt.date | None", str | None, Value | None], tuple[Value, str]]
RULES: list[tuple[re.Pattern, Resolver]] = []


def rule(*patterns: str, flags=0):
    """Register a resolver for the patterns: (match, reference day or None, tense or None,
    the previous expression's value) → (value, how). It raises Unresolved to report,
    LookupError when it is no date after all."""

    def register(resolver: Resolver) -> Resolver:
        for pattern in patterns:
            RULES.append((re.compile(rf"(?<![\w$€£¥.,-]){pattern}(?![\w-])", flags), resolver))
        return resolver

    return register


def _needs(reference: dt.date | None) -> dt.date:
    if reference is None:
        raise Unresolved("it counts from the publication date, which is not known")
    return reference


def _in_year(
    match: re.Match, reference, tense, make: Callable[[int], Value], strict=False
) -> Value:
    """``make(year)`` for the year the expression names, else the nearest in its tense
    (``strict``: a future one that starts after the reference, not one holding it)."""
    if match.groupdict().get("year"):
        return make(int(match["year"]))
    if reference is None:
        raise Unresolved("it names no year, and the publication date is not known")
    candidates = []
    for offset in range(-4, 5):  # a 29 February may be four years away
        try:
            candidates.append(make(reference.year + offset))
        except ValueError:  # 29 February, outside leap years
            continue
    return nearest(candidates, reference, tense, strict=strict and tense == "future")


def _month(match: re.Match) -> int:
    return MONTHS[match["month"].rstrip(".")]


@rule(rf"{DAY} {MONTH},? {YEAR}", rf"{MONTH} {DAY},? {YEAR}", rf"{DAY} {MONTH}", rf"{MONTH} {DAY}")
def _day_of_month(match, reference, tense, previous):
    number, count = _month(match), int(match["day"])
    if count > calendar.monthrange(2024, number)[1]:
        raise LookupError  # "May 31" fine, "June 31" no date (a leap year allows 29 February)
    value = _in_year(match, reference, tense, lambda y: day(dt.date(y, number, count)))
    return value, "a date" if match.groupdict().get("year") else f"the nearest {WHERE[tense]}"


@rule(
    rf"(?P<part>early|mid|late)[- ]{MONTH}(?:,? {YEAR})?",
    rf"(?P<part>beginning|middle|end) of {MONTH}(?:,? {YEAR})?",
    flags=re.IGNORECASE,
)
def _part_of_month(match, reference, tense, previous):
    low, high = PARTS[match["part"].lower()]
    number = MONTHS[match["month"].rstrip(".").capitalize()]
    whole = _in_year(match, reference, tense, lambda y: month(y, number))
    value = days(whole.lower.replace(day=low), whole.lower.replace(day=min(high, whole.upper.day)))
    return value, f"days {low} to {min(high, whole.upper.day)} of the month"


@rule(rf"{MONTH},? {YEAR}", rf"{MONTH}(?! [0-9])")
def _whole_month(match, reference, tense, previous):
    if match["month"] == "May" and not MAY_CONTEXT.search(match.string, 0, match.start()):
        raise LookupError
    # "will meet in October", said in October: next October ("later this month" says this one).
    value = _in_year(match, reference, tense, lambda y: month(y, _month(match)), strict=True)
    return value, "a month" if match.groupdict().get("year") else f"the nearest {WHERE[tense]}"


@rule(rf"{SEASON}(?: of)? {YEAR}")
def _season(match, reference, tense, previous):
    return season(int(match["year"]), SEASONS[match["season"].lower()]), "a season"


@rule(rf"(?P<ordinal>first|second|third|fourth) (?P<part>quarter|half)(?: of {YEAR})?")
def _quarter(match, reference, tense, previous):
    size = 3 if match["part"] == "quarter" else 6
    first = (ORDINALS[match["ordinal"]] - 1) * size + 1
    if first > 12:
        raise LookupError  # "the fourth half"
    value = _in_year(
        match, reference, tense, lambda y: month(y, first).to(month(y, first + size - 1))
    )
    return value, f"months {first} to {first + size - 1}"


@rule(rf"Q(?P<quarter>[1-4]) {YEAR}")
def _q(match, reference, tense, previous):
    first = int(match["quarter"]) * 3 - 2
    return month(int(match["year"]), first).to(month(int(match["year"]), first + 2)), "a quarter"


@rule(rf"[Ss]ince {MONTH}(?:,? {YEAR})?", rf"[Ss]ince {YEAR}", rf"[Ss]ince {WEEKDAY}")
def _since(match, reference, tense, previous):
    reference = _needs(reference)
    if "weekday" in match.groupdict():
        start = _weekday(match, reference, "past", previous)[0]
        return days(start.lower, reference), "from then up to publication"
    if "month" not in match.groupdict():
        return days(dt.date(int(match["year"]), 1, 1), reference), "from then up to publication"
    start = _in_year(match, reference, "past", lambda y: month(y, _month(match)))
    return days(start.lower, reference), "from then up to publication"


@rule(rf"{YEAR}(?![.,]?[0-9%])")
def _year(match, reference, tense, previous):
    return year(int(match["year"])), "a year"


@rule(r"(?P<word>[Yy]esterday|[Tt]oday|[Tt]omorrow)")
def _yesterday(match, reference, tense, previous):
    offset = {"yesterday": -1, "today": 0, "tomorrow": 1}[match["word"].lower()]
    return day(_needs(reference) + dt.timedelta(days=offset)), "counted from publication"


@rule(rf"{COUNT} {UNIT} (?P<direction>ago|from now)", flags=re.IGNORECASE)
def _ago(match, reference, tense, previous):
    reference = _needs(reference)
    count = int(match["count"]) if match["count"].isdigit() else COUNTS[match["count"].lower()]
    count *= -1 if match["direction"].lower() == "ago" else 1
    unit = match["unit"].lower()
    if unit == "day":
        value = day(reference + dt.timedelta(days=count))
    elif unit == "week":
        value = day(reference + dt.timedelta(weeks=count))
    elif unit == "month":
        value = month(reference.year, reference.month + count)
    elif unit == "year":
        value = year(reference.year + count)
    else:
        raise LookupError
    return value, f"{unit}s counted from publication"


@rule(rf"(?P<which>next|past|last) {COUNT} (?P<unit>day|week|month|year)s", flags=re.IGNORECASE)
def _span(match, reference, tense, previous):
    reference = _needs(reference)
    count = int(match["count"]) if match["count"].isdigit() else COUNTS[match["count"].lower()]
    unit, ahead = match["unit"].lower(), match["which"].lower() == "next"
    if unit == "year" and ahead:
        return year(reference.year + 1).to(year(reference.year + count)), "whole years ahead"
    length = {"day": 1, "week": 7}.get(unit)
    if length:
        step = dt.timedelta(days=length * count)
        far = reference + step if ahead else reference - step
    else:
        months = count * (12 if unit == "year" else 1) * (1 if ahead else -1)
        far = month(reference.year, reference.month + months).lower.replace(
            day=min(reference.day, month(reference.year, reference.month + months).upper.day)
        )
    one = dt.timedelta(days=1)
    value = days(reference + one, far) if ahead else days(far, reference - one)
    return value, f"{unit}s counted from publication"


@rule(rf"(?P<which>first|last) {COUNT} months of {YEAR}")
def _months_of_year(match, reference, tense, previous):
    count = int(match["count"]) if match["count"].isdigit() else COUNTS[match["count"].lower()]
    number = int(match["year"])
    first = 1 if match["which"] == "first" else 13 - count
    return month(number, first).to(month(number, first + count - 1)), "months of the year"


@rule(r"(?P<which>earlier|later) that (?P<unit>year|month)", flags=re.IGNORECASE)
def _that_year(match, reference, tense, previous):
    if previous is None:
        raise Unresolved("it refers to a date the text has not given before")
    if match["unit"].lower() == "year":
        whole = year(previous.lower.year)
    else:
        whole = month(previous.lower.year, previous.lower.month)
    if match["which"].lower() == "later":
        after = month(previous.upper.year, previous.upper.month + 1)
        return after.to(month(whole.upper.year, whole.upper.month)), "after the date before it"
    return month(whole.lower.year, whole.lower.month).to(
        month(previous.lower.year, previous.lower.month - 1)
    ), "before the date before it"


@rule(rf"(?<=the ){SEASON}(?! of| [0-9])")
def _bare_season(match, reference, tense, previous):
    if not SEASON_CONTEXT.search(match.string, 0, match.start()):
        raise LookupError  # "the autumn leaves"
    code = SEASONS[match["season"].lower()]
    value = _in_year(match, reference, tense, lambda y: season(y, code))
    return value, f"the nearest {WHERE[tense]}"


def _periods(unit: str, reference: dt.date) -> tuple[Value, Callable[[int], Value]]:
    """The period of ``unit`` holding the reference, and the one ``step`` periods away."""
    if unit == "week":
        return week(reference), lambda step: week(reference + dt.timedelta(weeks=step))
    if unit == "month":
        return month(reference.year, reference.month), lambda step: month(
            reference.year, reference.month + step
        )
    if unit == "year":
        return year(reference.year), lambda step: year(reference.year + step)
    current = season_of(reference)
    if unit == "season":
        return current, lambda step: season_of(current.lower + dt.timedelta(days=92 * step))
    code = SEASONS[unit]
    named = [season(reference.year + offset, code) for offset in (-2, -1, 0, 1, 2)]
    return nearest(named, reference, "past"), lambda step: nearest(
        named,
        current.upper if step > 0 else current.lower,
        "future" if step > 0 else "past",
        strict=True,
    )


@rule(
    rf"(?P<which>last|next|this|coming|past|in the coming) {UNIT}",
    flags=re.IGNORECASE,
)
@rule(r"(?P<which>earlier this|later this) (?P<unit>week|month|year)", flags=re.IGNORECASE)
def _relative(match, reference, tense, previous):
    reference = _needs(reference)
    which, unit = match["which"].lower(), match["unit"].lower()
    if unit == "day":
        raise LookupError
    if which in ("past", "coming", "in the coming") and unit in ("week", "month"):
        length = dt.timedelta(days=7 if unit == "week" else 30)
        one = dt.timedelta(days=1)
        if which == "past":
            return days(reference - length, reference - one), "the days before publication"
        return days(reference + one, reference + length), "the days after publication"
    current, away = _periods(unit, reference)
    if which == "earlier this":
        if current.lower >= reference:
            raise Unresolved(f"nothing of the {unit} came before publication")
        return days(
            current.lower, reference - dt.timedelta(days=1)
        ), "this period, before publication"
    if which == "later this":
        if current.upper <= reference:
            raise Unresolved(f"nothing of the {unit} is left after publication")
        return days(
            reference + dt.timedelta(days=1), current.upper
        ), "this period, after publication"
    if which == "this":
        return current, f"the {unit} of publication"
    step = -1 if which in ("last", "past") else 1
    return away(step), f"the {unit} {'before' if step < 0 else 'after'} publication's"


@rule(rf"(?:(?P<which>last|next|this) )?{WEEKDAY}", flags=0)
def _weekday(match, reference, tense, previous):
    reference = _needs(reference)
    number, which = WEEKDAYS[match["weekday"]], (match.groupdict().get("which") or "").lower()
    if which == "this":
        return day(week(reference).lower + dt.timedelta(days=number)), "in publication's week"
    candidates = [reference + dt.timedelta(days=offset) for offset in range(-14, 15)]
    candidates = [day(c) for c in candidates if c.weekday() == number]
    if which:
        tense = "past" if which == "last" else "future"
        where = "before" if which == "last" else "after"
        return nearest(candidates, reference, tense, strict=True), f"the one {where} publication"
    tense = tense or "past"  # a bare weekday in news is most often one just gone
    return nearest(candidates, reference, tense), f"the one {WHERE[tense]}"


def tense_at(text: str, start: int, end: int) -> str | None:
    """``future``, ``past`` or None, from the nearest tense word in the expression's sentence
    (before it, else after it). A participle after "be" ("will be closed") is no past; "to"
    before a verb ("to take effect on") looks ahead."""
    begins = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    ends = SENTENCE_END.search(text, end)
    before = re.findall(r"[\w']+", text[begins:start])
    after = re.findall(r"[\w']+", text[end : ends.start() if ends else len(text)])
    # The words before it, nearest first, each with its neighbours in the text; then after.
    scan = [
        (before[i], before[i - 1] if i else "", before[i + 1] if i + 1 < len(before) else "")
        for i in reversed(range(len(before)))
    ] + [(word, "", "") for word in after]
    for word, previous, following in scan:
        if word == "to" and following.islower() and following not in ARTICLES:
            return "future"
        if FUTURE_WORDS.fullmatch(word.lower()):
            return "future"
        if PAST_WORDS.fullmatch(word.lower()) and previous.lower() not in PASSIVE:
            return "past"
        if word.lower() in PRESENT:
            return None
    return None


def find_dates(text: str, reference=None) -> list[DateMention]:
    """The date expressions of ``text`` in order, each resolved against ``reference``
    (a date, an EDTF string such as "2025-10-30/2025-11-02", or None: unknown)."""
    bounds = Reference.of(reference)
    matches = [
        (match.start(), match.start() - match.end(), priority, match, resolver)
        for priority, (pattern, resolver) in enumerate(RULES)
        for match in pattern.finditer(text)
    ]
    found, taken, previous = [], 0, None
    for start, _, _, match, resolver in sorted(matches, key=lambda m: m[:3]):
        if start < taken:
            continue  # inside a longer expression already found
        tense = tense_at(text, start, match.end())
        try:
            if bounds is None:
                value, how = resolver(match, None, tense, previous)
            else:
                value, how = resolver(match, bounds.lower, tense, previous)
                value = value.to(resolver(match, bounds.upper, tense, previous)[0])
        except LookupError:
            continue  # no date after all ("May" the verb, "June 31")
        except Unresolved as reason:
            value, how = None, f"unresolved: {reason}"
        explanation = how if value is None else f"{match[0]} → {value.edtf}: {how}"
        found.append(
            DateMention(
                start,
                match.end(),
                match[0],
                value and value.edtf,
                value and value.lower,
                value and value.upper,
                explanation,
            )
        )
        taken, previous = match.end(), value or previous
    return found


# Words that say nothing about how a date was worked out ("It was on 30 October").
FILLER_WORDS = (
    "the a an on in of at by to from and or around about approximately roughly circa c ca "
    "between before after early mid late date dated dates day days month year it this that "
    "is was were be event events happened took place occurred held"
)
FILLER = frozenset(FILLER_WORDS.split())
EDTF_LIKE = re.compile(r"[0-9]{4}(?:-[0-9]{2}){0,2}[~?%]?(?:/[0-9]{4}(?:-[0-9]{2}){0,2}[~?%]?)?")


def only_repeats_date(note: str) -> bool:
    """Whether a note says no more than a date ("30 October 2025", "On 2025-10-30."):
    fewer than two words remain once its dates and filler words are taken out."""
    kept, taken = [], 0
    for mention in find_dates(note):
        kept.append(note[taken : mention.start])
        taken = mention.end
    rest = EDTF_LIKE.sub(" ", "".join(kept) + note[taken:])
    words = [word for word in re.findall(r"[^\W\d_]+", rest.lower()) if word not in FILLER]
    return len(words) < 2

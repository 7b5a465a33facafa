"""EDTF event dates ("2025-03", "2025-05~", "2025-10-25/2025-10-26"): an editor's date
string, parsed with the ``edtf`` package, as the bounds and precision that are indexed."""

import calendar
import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from edtf import parse_edtf
from edtf.parser import parser_classes
from edtf.parser.edtf_exceptions import EDTFParseException
from edtf.parser.parser_classes import (
    EDTFObject,
    Interval,
    Level1Interval,
    Level2Interval,
    MultipleDates,
    OneOfASet,
    Season,
    UnspecifiedIntervalSection,
)

PRECISION_ORDER = ("day", "month", "season", "year")
WINTER = 24

# edtf prints a debugging line to stdout when a grammar corner fails ("2025-1X");
# silence it in that module only (redirecting sys.stdout would not be thread-safe).
parser_classes.print = lambda *args, **kwargs: None


class InvalidEventDate(ValueError):
    """The string is not an EDTF date this service can place on a timeline."""


@dataclass(frozen=True)
class EventDate:
    start: datetime.date
    end: datetime.date
    precision: str  # one of PRECISION_ORDER
    # The last day it can start on and the first it can end on: for a range, the ends of
    # its first and the starts of its last part ("2025-09/2025-10": 30 Sep, 1 Oct); for
    # one date, its end and its start.
    starts_by: datetime.date
    ends_from: datetime.date


def _to_date(value) -> datetime.date:
    if not hasattr(value, "tm_year"):
        raise InvalidEventDate("Both ends of the date must be known; open ranges are not allowed.")
    if not datetime.MINYEAR <= value.tm_year <= datetime.MAXYEAR:
        raise InvalidEventDate("The date is outside the years 1 to 9999.")
    try:
        return datetime.date(value.tm_year, value.tm_mon, value.tm_mday)
    except ValueError:
        day = f"{value.tm_year:04d}-{value.tm_mon:02d}-{value.tm_mday:02d}"
        raise InvalidEventDate(f"“{day}” is not a real day.") from None


def _winter_end(obj: EDTFObject) -> datetime.date | None:
    """The last day of a winter (``2025-24``): February's, as every season runs three months;
    edtf ends it with December, its seasons being months of one year. None for other dates."""
    obj = getattr(obj, "date", obj)  # an interval's end wraps its date
    if not (isinstance(obj, Season) and int(obj.season) == WINTER):
        return None
    year = int(obj.year) + 1
    return datetime.date(year, 2, calendar.monthrange(year, 2)[1])


def _precision_of(obj: EDTFObject) -> str:
    """Derive precision from the span a single (non-interval) date covers."""
    if isinstance(obj, Season):
        return "season"
    lower, upper = _to_date(obj.lower_strict()), _to_date(obj.upper_strict())
    if lower == upper:
        return "day"
    if (
        lower.year == upper.year
        and lower.month == upper.month
        and lower.day == 1
        and upper.day == calendar.monthrange(upper.year, upper.month)[1]
    ):
        return "month"
    if (lower.month, lower.day, upper.month, upper.day) == (1, 1, 12, 31):
        return "year"
    return "season" if (upper - lower).days < 120 else "year"


# Parsing with pyparsing costs ~10 ms; the same few strings recur (clean, then save).
@functools.lru_cache(maxsize=4096)
def parse_event_date(value: str) -> EventDate:
    """Parse an EDTF string into its strict lower/upper bounds and precision.

    Sets ("[2025,2026]"), open or unknown ends ("2025-10/..") and a range that ends before
    it starts have no place on a timeline.
    """
    text = (value or "").strip()
    if not text:
        raise InvalidEventDate("Enter a date.")
    try:
        return _parse(text)
    except InvalidEventDate:
        raise
    except (
        EDTFParseException,
        ArithmeticError,
        AttributeError,
        LookupError,
        TypeError,
        ValueError,
    ):
        # The parser fails on some grammar corners (e.g. "2025-1X") with
        # internal errors: to an editor they are all the same invalid date.
        raise InvalidEventDate(
            f"“{text}” is not a valid EDTF date. Use e.g. 2025-10-30, 2025-03, "
            "2025-05~ or 2025-10-25/2025-10-26."
        ) from None


def edtf_date_validator(value: str) -> None:
    """A model field's validator: an EDTF date this service can place (as parse_event_date)."""
    try:
        parse_event_date(value)
    except InvalidEventDate as exc:
        raise ValidationError(str(exc), code="invalid") from None


def _parse(text: str) -> EventDate:
    parsed = parse_edtf(text)
    if isinstance(parsed, Interval | Level1Interval | Level2Interval):
        ends = [parsed.lower, parsed.upper]
        if not all(
            isinstance(end, EDTFObject) and not isinstance(end, UnspecifiedIntervalSection)
            for end in ends
        ):
            raise InvalidEventDate(
                "Both ends of the date must be known; open ranges are not allowed."
            )
        # The coarser of its two ends.
        precision = max((_precision_of(end) for end in ends), key=PRECISION_ORDER.index)
        last = parsed.upper
        first = parsed.lower
        starts_by = _winter_end(first) or _to_date(first.upper_strict())
        ends_from = _to_date(last.lower_strict())
    elif isinstance(parsed, OneOfASet | MultipleDates):
        raise InvalidEventDate("Give one date or one range, not a set of dates.")
    else:
        precision, last = _precision_of(parsed), parsed
        starts_by = ends_from = None
    start = _to_date(parsed.lower_strict())
    end = _winter_end(last) or _to_date(parsed.upper_strict())
    if start > end:
        raise InvalidEventDate("The range ends before it starts.")
    return EventDate(
        start=start,
        end=end,
        precision=precision,
        starts_by=min(starts_by or end, end),
        ends_from=max(ends_from or start, start),
    )

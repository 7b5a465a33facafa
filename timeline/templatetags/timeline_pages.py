"""Template helpers for the public pages: dates as ``<time>`` and their evidence, links,
heading levels, and claims."""

import calendar
import datetime

from django import template
from django.utils.html import format_html, format_html_join

from sources.validators import is_http_url
from timeline import evidence
from timeline.claims import disputes

register = template.Library()

MONTHS = list(calendar.month_name)


def _at_precision(day: datetime.date, precision: str) -> tuple[str, str]:
    """One end of a date as (HTML datetime value, text); a season's as a month (HTML has none)."""
    if precision == "day":
        return day.isoformat(), f"{day.day} {MONTHS[day.month]} {day.year}"
    if precision in ("month", "season"):
        return f"{day.year:04d}-{day.month:02d}", f"{MONTHS[day.month]} {day.year}"
    return f"{day.year:04d}", str(day.year)


def date_parts(event) -> list[tuple[str, str]]:
    """An event's date as (datetime value, visible text) pairs: one, or a start and an end.

    A whole day, month or year is one: its ends read the same at its precision.
    An editor's ``display_date`` replaces the text, carrying the start's value.
    """
    parts = [_at_precision(day, event.precision) for day in (event.start, event.end)]
    if parts[0] == parts[1]:
        parts = parts[:1]
    if event.display_date:
        return [(parts[0][0], event.display_date)]
    # EDTF qualifiers: "~" approximate, "?" uncertain, "%" both.
    if "~" in event.date or "%" in event.date:
        parts[0] = (parts[0][0], f"about {parts[0][1]}")
    if "?" in event.date or "%" in event.date:
        parts[-1] = (parts[-1][0], f"{parts[-1][1]} (uncertain)")
    return parts


@register.simple_tag
def event_date(event) -> str:
    """``<time>`` elements for an event's date; a range is two, joined by a dash."""
    return format_html_join(" – ", '<time datetime="{}">{}</time>', date_parts(event))


@register.filter
def deeper(level) -> int:
    """The heading level one below ``level``, for a part listed under its event; HTML has six."""
    return min(int(level) + 1, 6)


@register.filter
def http_url(value: str) -> str:
    """The address if it may be linked (a valid http or https URL), else "": no link."""
    return value if is_http_url(value) else ""


# The event's properties for readers, its sources numbered as the page's notes.
register.simple_tag(disputes.event_views, name="event_claims")


@register.simple_tag
def source_refs(event, numbers) -> str:
    """Links to an event's source notes, “[2][3]”; not ``.ref``, which the notes link back to."""
    return format_html_join(
        "",
        '<sup class="claim-ref"><a href="#note-{}-{}" aria-label="Source {}">[{}]</a></sup>',
        ((event.slug, number, number, number) for number in numbers),
    )


@register.simple_tag
def date_evidence(event) -> str:
    """Where the date comes from: “Date stated in [1]”, “Date inferred: …”, or a warning."""
    found = evidence.of_prefetched(event)
    if found["state"] == evidence.STATED:
        cited = evidence.stating_numbers(found, event.citation_numbers())
        return format_html(
            '<span class="date-evidence date-evidence--stated">Date stated in {}</span>',
            source_refs(event, cited),
        )
    if found["state"] == evidence.INFERRED:
        return format_html(
            '<span class="date-evidence date-evidence--inferred">Date inferred: {}</span>',
            found["note"],
        )
    return format_html(
        '<span class="date-evidence date-evidence--unsupported">{}</span>',
        evidence.describe(found),
    )

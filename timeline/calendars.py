"""A timeline as an iCalendar file (RFC 5545), and the plain text its events share with feeds.

Exactly dated events (day precision, no EDTF qualifier) are all-day events
spanning their days. An event whose date is coarser or qualified (“2025-03”,
“2025-21”, “2019”, “2025-05~”, “2025-10-30?”) is a one-day marker on the
first day of its period, its SUMMARY led by the date in brackets
(“[March 2025] …”) and its DESCRIPTION led by what is known (“Date known only
to the month: March 2025.”). Spanning the whole period instead would show a
month, a season or a year of banners in every calendar view, read as
“lasting all month”; a marker on the first day, labelled with the real date,
cannot be taken for a duration.

The output depends only on the data: every timestamp comes from the rows
(DTSTAMP is the event's last change), properties are sorted by the library
and events come in the caller's order, so unchanged data gives the same bytes.
"""

import datetime
from collections.abc import Iterable
from urllib.parse import urljoin

from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from sources.validators import is_http_url
from timeline import disputes
from timeline.models import Event, EventStatus, Precision, Timeline

PRODID = "-//Timeline service//Timeline calendar//EN"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

ICALENDAR_STATUS = {
    EventStatus.OCCURRED: "CONFIRMED",
    EventStatus.RESCHEDULED: "CONFIRMED",
    EventStatus.SCHEDULED: "TENTATIVE",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}

# EDTF qualifiers: “~” approximate, “?” uncertain, “%” both.
APPROXIMATE, UNCERTAIN = "~%", "?%"


def _day(value: datetime.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _is_month_start(value: datetime.date) -> bool:
    return value.day == 1


def _is_month_end(value: datetime.date) -> bool:
    return (value + datetime.timedelta(days=1)).day == 1


def period_label(start: datetime.date, end: datetime.date) -> str:
    """The days from start to end (inclusive) as people write them.

    Whole years read “2019”, whole months “March 2025”, anything else as
    days, “30 October 2025”; a span joins its ends with an en dash.
    """
    if start == end:
        return _day(start)
    if _is_month_start(start) and _is_month_end(end):
        if (start.month, end.month) == (1, 12):
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
        if start.year != end.year:
            return f"{first} {start.year} – {last} {end.year}"
        return f"{first} {end.year}" if first == last else f"{first}–{last} {end.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


def is_approximate(event: Event) -> bool:
    return any(mark in event.date for mark in APPROXIMATE)


def is_uncertain(event: Event) -> bool:
    return any(mark in event.date for mark in UNCERTAIN)


def is_exactly_dated(event: Event) -> bool:
    """Known to the day, with no EDTF qualifier: it can be put on its days as is."""
    return (
        event.precision == Precision.DAY and not is_approximate(event) and not is_uncertain(event)
    )


def event_date_label(event: Event) -> str:
    """The event's date for readers: the editor's display date, else the period, qualified."""
    if event.display_date:
        return event.display_date
    label = period_label(event.start, event.end)
    if is_approximate(event):
        label = f"about {label}"
    if is_uncertain(event):
        label = f"{label}?"
    return label


def date_caveat(event: Event) -> str:
    """What a reader must know about an inexact date ("" when it is exact)."""
    if is_exactly_dated(event):
        return ""
    known = []
    if is_approximate(event):
        known.append("approximate")
    if is_uncertain(event):
        known.append("uncertain")
    if event.precision != Precision.DAY:
        known.append(f"known only to the {event.precision}")
    return f"Date {', '.join(known)}: {event_date_label(event)}."


def event_heading(event: Event) -> str:
    """The title, with the status where it is not plain history: “Visit (scheduled)”."""
    if event.status == EventStatus.OCCURRED:
        return event.title
    return f"{event.title} ({event.get_status_display()})"


def citation_lines(event: Event) -> list[str]:
    """“1. “quote” — Title, Publisher, locator <url>” for each citation, in order."""
    lines = []
    for number, citation in enumerate(event.citations.all(), start=1):
        source = citation.source
        credit = ", ".join(
            part for part in (source.title, source.publisher, citation.locator) if part
        )
        # Calendar apps turn addresses in a description into links: web addresses only.
        link = f" <{source.url}>" if is_http_url(source.url) else ""
        lines.append(f"{number}. “{citation.quote}” — {credit}{link}")
    return lines


def sorted_names(items) -> list[str]:
    """Actors' or tags' names, sorted, without repeats."""
    return sorted({item.name for item in items})


def event_description(event: Event, *, url: str) -> str:
    """The plain text of an event: date caveat, summary, actors, claims, sources, page.

    Each claim's [n] is the number of its source in the “Sources:” list.
    """
    actors, sources = sorted_names(event.actors.all()), citation_lines(event)
    blocks = [
        date_caveat(event),
        event.summary.strip(),
        f"Actors: {', '.join(actors)}" if actors else "",
        *(disputes.view_text(view) for view in disputes.event_views(event)),
        "\n".join(["Sources:", *sources]) if sources else "",
        f"Event page: {url}",
    ]
    return "\n\n".join(block for block in blocks if block)


def event_uid(event: Event, uid_domain: str) -> str:
    """A UID that outlives edits and slug changes, so calendar apps update, not duplicate."""
    return f"event-{event.pk}@{uid_domain}"


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def event_to_vevent(event: Event, *, base_url: str, uid_domain: str) -> CalendarEvent:
    url = urljoin(base_url, event.get_absolute_url())
    summary = event_heading(event)
    if is_exactly_dated(event):
        start, end = event.start, event.end
    else:
        # A marker on the period's first day, labelled with the real date.
        start = end = event.start
        summary = f"[{event_date_label(event)}] {summary}"

    vevent = CalendarEvent()
    vevent.add("uid", event_uid(event, uid_domain))
    vevent.add("sequence", event.version)
    # The event's last change, not the time of the request: same data, same bytes.
    vevent.add("dtstamp", _utc(event.updated_at))
    vevent.add("last-modified", _utc(event.updated_at))
    vevent.add("created", _utc(event.created_at))
    vevent.add("dtstart", start)
    # All-day DTEND is exclusive (RFC 5545 §3.6.1): the day after the last day.
    vevent.add("dtend", end + datetime.timedelta(days=1))
    vevent.add("summary", summary)
    vevent.add("description", event_description(event, url=url))
    vevent.add("status", ICALENDAR_STATUS[event.status])
    # Things that happened in the world: they never make a subscriber busy.
    vevent.add("transp", "TRANSPARENT")
    vevent.add("url", url)
    if event.place is not None:
        vevent.add("location", event.place.name)
        if event.place.latitude is not None and event.place.longitude is not None:
            vevent.add("geo", (float(event.place.latitude), float(event.place.longitude)))
    if tags := sorted_names(event.tags.all()):
        vevent.add("categories", tags)
    return vevent


def timeline_to_ical(
    timeline: Timeline, events: Iterable[Event], *, base_url: str, uid_domain: str
) -> bytes:
    """The timeline as an iCalendar file: one VEVENT per event given, in that order.

    ``events`` should be the published events with their citations
    (``Event.objects.published().with_citations().chronological()``);
    ``base_url`` makes the public pages' links absolute; ``uid_domain`` is
    the right-hand side of every UID, and must stay the same for good.
    """
    if not uid_domain:
        raise ValueError("uid_domain is required: UIDs must stay the same for good.")
    title = timeline.title
    description = timeline.description.strip() or f"Dated events of “{title}”, with their sources."
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # The de facto names (Apple, Google, Outlook) and RFC 7986's; the library
    # leaves these untyped, so escape them as TEXT explicitly.
    calendar.add("x-wr-calname", vText(title))
    calendar.add("x-wr-caldesc", vText(description))
    calendar.add("name", vText(title))
    calendar.add("description", vText(description))
    calendar.add("url", urljoin(base_url, timeline.get_absolute_url()))
    for event in events:
        calendar.add_component(event_to_vevent(event, base_url=base_url, uid_domain=uid_domain))
    return calendar.to_ical()

"""A timeline as an iCalendar file (RFC 5545), and the plain text its events share with feeds.

The output depends only on the data (DTSTAMP is the event's last change; the
library sorts properties): unchanged data gives the same bytes, and ETag.
"""

import datetime
from calendar import month_name
from collections.abc import Iterable
from urllib.parse import urljoin

from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from sources.validators import is_http_url
from timeline import evidence
from timeline.claims import disputes
from timeline.models import Event, EventStatus, Precision, Timeline

PRODID = "-//Timeline service//Timeline calendar//EN"
MONTHS = month_name[1:]

ICALENDAR_STATUS = {
    EventStatus.OCCURRED: "CONFIRMED",
    EventStatus.RESCHEDULED: "CONFIRMED",
    EventStatus.SCHEDULED: "TENTATIVE",
    EventStatus.POSTPONED: "TENTATIVE",
    EventStatus.CANCELLED: "CANCELLED",
}


def _month(value: datetime.date) -> str:
    return f"{MONTHS[value.month - 1]} {value.year}"


def _day(value: datetime.date) -> str:
    return f"{value.day} {_month(value)}"


def month_span(start: datetime.date, end: datetime.date) -> str:
    """The whole months from start's to end's: “March 2025”, “March to May 2025” with a dash."""
    if start.year != end.year:
        return f"{_month(start)} – {_month(end)}"
    if start.month == end.month:
        return _month(end)
    return f"{MONTHS[start.month - 1]}–{_month(end)}"


def period_label(start: datetime.date, end: datetime.date) -> str:
    """The days from start to end (inclusive) as people write them: “2019”, “March 2025”,
    “30 October 2025”, a span with its ends joined by an en dash."""
    if start == end:
        return _day(start)
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1:  # whole months
        if (start.month, end.month) == (1, 12):
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        return month_span(start, end)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{_day(end)}"
    if start.year == end.year:
        return f"{start.day} {MONTHS[start.month - 1]} – {_day(end)}"
    return f"{_day(start)} – {_day(end)}"


def qualifiers(event: Event) -> list[str]:
    """What the date's EDTF qualifiers say: “~” approximate, “?” uncertain, “%” both."""
    marks = {"approximate": "~%", "uncertain": "?%"}
    return [word for word, signs in marks.items() if any(sign in event.date for sign in signs)]


def is_exactly_dated(event: Event) -> bool:
    """Known to the day, with no EDTF qualifier: it can be put on its days as is."""
    return event.precision == Precision.DAY and not qualifiers(event)


def event_date_label(event: Event) -> str:
    """The event's date for readers: the editor's display date, else the period, qualified."""
    if event.display_date:
        return event.display_date
    label = period_label(event.start, event.end)
    if "approximate" in qualifiers(event):
        label = f"about {label}"
    return f"{label}?" if "uncertain" in qualifiers(event) else label


def date_caveat(event: Event) -> str:
    """What a reader must know about an inexact date ("" when it is exact)."""
    if is_exactly_dated(event):
        return ""
    known = qualifiers(event)
    if event.precision != Precision.DAY:
        known.append(f"known only to the {event.precision}")
    return f"Date {', '.join(known)}: {event_date_label(event)}."


def event_heading(event: Event) -> str:
    """The title, with the status where it is not plain history: “Visit (scheduled)”."""
    if event.status == EventStatus.OCCURRED:
        return event.title
    return f"{event.title} ({event.get_status_display()})"


def citation_lines(event: Event) -> list[str]:
    """“1. “quote” — Title, Publisher, locator <url>” for each citation, in order; a quote
    no longer found in its source flagged after it (``evidence.quote_caveat``)."""
    lines = []
    for number, citation in enumerate(event.citations.all(), start=1):
        source = citation.source
        credit = ", ".join(
            part for part in (source.title, source.publisher, citation.locator) if part
        )
        # Calendar apps turn addresses in a description into links: web addresses only.
        link = f" <{source.url}>" if is_http_url(source.url) else ""
        caveat = evidence.quote_caveat(citation)
        lines.append(f"{number}. “{citation.quote}”{caveat} — {credit}{link}")
    return lines


def sorted_names(items) -> list[str]:
    """Actors' or tags' names, sorted, without repeats."""
    return sorted({item.name for item in items})


def part_of_line(event: Event) -> str:
    """“Part of: <title>” for a part of a published event (schema.org superEvent), else ""."""
    super_event = event.published_super_event
    return "" if super_event is None else f"Part of: {super_event.title}"


def event_description(event: Event, *, url: str) -> str:
    """The plain text of an event: date caveat and evidence, the event it is part of,
    summary, actors, claims, sources, page."""
    actors, sources = sorted_names(event.actors.all()), citation_lines(event)
    blocks = [
        date_caveat(event),
        evidence.line(event),
        part_of_line(event),
        event.summary.strip(),
        f"Actors: {', '.join(actors)}" if actors else "",
        *(disputes.view_text(view) for view in disputes.event_views(event)),
        "\n".join(["Sources:", *sources]) if sources else "",
        f"Event page: {url}",
    ]
    return "\n\n".join(block for block in blocks if block)


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def event_uid(event: Event, uid_domain: str) -> str:
    """A UID that outlives edits and slug changes, so calendar apps update, not duplicate."""
    return f"event-{event.pk}@{uid_domain}"


def event_to_vevent(event: Event, *, base_url: str, uid_domain: str) -> CalendarEvent:
    url = urljoin(base_url, event.get_absolute_url())
    summary = event_heading(event)
    if is_exactly_dated(event):
        start, end = event.start, event.end
    else:
        # Spanning its whole period would read as “lasting all month”: a marker on its first day.
        start = end = event.start
        summary = f"[{event_date_label(event)}] {summary}"
    place = event.place
    vevent = CalendarEvent.new(
        uid=event_uid(event, uid_domain),
        sequence=event.version,
        # The event's last change, not the time of the request: same data, same bytes.
        stamp=_utc(event.updated_at),
        last_modified=_utc(event.updated_at),
        created=_utc(event.created_at),
        start=start,
        # All-day DTEND is exclusive (RFC 5545 §3.6.1): the day after the last day.
        end=end + datetime.timedelta(days=1),
        summary=summary,
        description=event_description(event, url=url),
        status=ICALENDAR_STATUS[event.status],
        # Things that happened in the world: they never make a subscriber busy.
        transparency="TRANSPARENT",
        url=url,
        location=place.name if place is not None else None,
        # A tuple: an empty list would be written as an empty CATEGORIES.
        categories=tuple(sorted_names(event.tags.all())),
    )
    if place is not None and place.latitude is not None and place.longitude is not None:
        vevent.add("geo", (float(place.latitude), float(place.longitude)))
    if (super_event := event.published_super_event) is not None:
        # RFC 5545 §3.8.4.5: the UID of the event this one is part of.
        vevent.add(
            "related-to", event_uid(super_event, uid_domain), parameters={"RELTYPE": "PARENT"}
        )
    return vevent


def timeline_to_ical(
    timeline: Timeline, events: Iterable[Event], *, base_url: str, uid_domain: str
) -> bytes:
    """The timeline as an iCalendar file: one VEVENT per event given, in that order.

    ``base_url`` makes the public pages' links absolute; ``uid_domain`` is the
    right-hand side of every UID, and must stay the same for good.
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

"""A timeline's published events as an Atom 1.0 feed (RFC 4287), newest change first."""

import re

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join, linebreaks

from sources.validators import is_http_url
from timeline import evidence
from timeline.claims import disputes
from timeline.formats.calendars import (
    date_caveat,
    event_date_label,
    event_heading,
    part_of_line,
    sorted_names,
)
from timeline.models import Event, Timeline

FEED_SIZE = 50

# Characters XML 1.0 cannot carry: C0 controls other than tab and line breaks,
# and the two non-characters U+FFFE and U+FFFF.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    """A value (or a list of them) with what XML cannot carry replaced by U+FFFD."""
    if isinstance(value, str):
        return NOT_XML.sub("\ufffd", value)
    return [xml_text(item) for item in value] if isinstance(value, list | tuple) else value


class TimelineAtom1Feed(Atom1Feed):
    # An editor can type a control character: the feed must still render as XML readers accept.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.feed = {name: xml_text(value) for name, value in self.feed.items()}

    def add_item(self, *args, **kwargs):
        super().add_item(*args, **kwargs)
        self.items[-1] = {name: xml_text(value) for name, value in self.items[-1].items()}

    def latest_post_date(self):
        # An empty feed dates from its timeline, not from the time of the
        # request: the same data gives the same bytes (and the same ETag).
        if not self.items:
            return self.feed["timeline_updated_at"]
        return super().latest_post_date()


def tag_uri(uid_domain: str, created_at, specific: str) -> str:
    """An RFC 4151 tag: URI, stable for as long as the domain stays the same."""
    return f"tag:{uid_domain},{created_at:%Y-%m-%d}:{specific}"


def _source_html(citation) -> str:
    source = citation.source
    title = source.title
    if is_http_url(source.url):
        title = format_html('<a href="{}">{}</a>', source.url, title)
    credit = [title, source.publisher, citation.locator]
    return format_html(
        "“{}”{} — {}",
        citation.quote,
        evidence.quote_caveat(citation),
        format_html_join(", ", "{}", ((part,) for part in credit if part)),
    )


def event_html(event: Event) -> str:
    """An entry's summary as escaped HTML: the date, the event it is part of, what happened,
    who, claims, sources."""
    part_of = part_of_line(event)
    parts = [
        format_html("<p>{}</p>", date_caveat(event) or f"Date: {event_date_label(event)}"),
        format_html('<p class="date-evidence">{}</p>', evidence.line(event)),
        format_html('<p class="part-of">{}</p>', part_of) if part_of else "",
        linebreaks(event.summary.strip(), autoescape=True) if event.summary.strip() else "",
    ]
    if actors := sorted_names(event.actors.all()):
        parts.append(format_html("<p>Actors: {}</p>", ", ".join(actors)))
    parts.extend(disputes.view_html(view) for view in disputes.event_views(event))
    if citations := list(event.citations.all()):
        items = format_html_join("", "<li>{}</li>", ((_source_html(c),) for c in citations))
        parts.append(format_html("<p>Sources:</p><ol>{}</ol>", items))
    return "".join(parts)


class TimelineFeed(Feed):
    """Built by the API view with ``get_feed(timeline, request)``; ``uid_domain`` makes ids."""

    feed_type = TimelineAtom1Feed
    # Atom requires an author for every entry; the feed's covers them all.
    author_name = "Timeline editors"

    def __init__(self, *, uid_domain: str):
        self.uid_domain = uid_domain

    def title(self, timeline: Timeline) -> str:
        return timeline.title

    def subtitle(self, timeline: Timeline) -> str | None:
        return timeline.description.strip() or None

    def link(self, timeline: Timeline) -> str:
        return timeline.get_absolute_url()

    def feed_guid(self, timeline: Timeline) -> str:
        return tag_uri(self.uid_domain, timeline.created_at, f"timeline-{timeline.pk}")

    def feed_extra_kwargs(self, timeline: Timeline) -> dict:
        return {"timeline_updated_at": timeline.updated_at}

    def items(self, timeline: Timeline):
        return (
            Event.objects.published()
            .filter(timelines=timeline)
            .with_citations()
            .order_by("-updated_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, event: Event) -> str:
        return event_heading(event)

    def item_guid(self, event: Event) -> str:
        return tag_uri(self.uid_domain, event.created_at, f"event-{event.pk}")

    item_guid_is_permalink = False

    def item_description(self, event: Event) -> str:
        return event_html(event)

    def item_pubdate(self, event: Event):
        return event.published_at

    def item_updateddate(self, event: Event):
        return event.updated_at

    def item_categories(self, event: Event) -> list[str]:
        return sorted_names(event.tags.all())

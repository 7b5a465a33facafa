"""Tests for a timeline's Atom feed: timeline/feeds.py and its API view.

Every feed is read back with feedparser, as a feed reader would.
"""

import datetime
import xml.etree.ElementTree as ElementTree

import feedparser
import lxml.html
import pytest
from django.urls import reverse
from django.utils.http import http_date

from tests.dated import DATED_TEXT, DAY_QUOTE, FRIDAY, NOTE, NOTE_HTML, TARIFF_QUOTE, THURSDAY_QUOTE
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.formats.feeds import FEED_SIZE
from timeline.models import Event, Timeline

pytestmark = pytest.mark.django_db

SEEDED_SLUG = "us-china-trade-2025"
ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(slug: str) -> str:
    return reverse("api:timeline-feed", kwargs={"slug": slug})


def get_feed(client, slug: str, **headers):
    return client.get(feed_url(slug), headers=headers)


def parse(response):
    assert response.status_code == 200, response.content
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def at(day: int, hour: int = 12) -> datetime.datetime:
    """A moment in January 2020: before any edit a test makes now."""
    return datetime.datetime(2020, 1, day, hour, tzinfo=datetime.UTC)


def set_changed_at(event: Event, moment: datetime.datetime) -> None:
    """Publish and last change the event at that moment."""
    Event.objects.filter(pk=event.pk).update(published_at=moment, updated_at=moment)


def slugs(feed) -> list[str]:
    return [entry.link.rsplit("/", 2)[-2] for entry in feed.entries]


def assert_json_404(response) -> None:
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code"}
    assert response.json()["code"] == "not_found"


def test_seeded_feed_is_valid_atom(client, seeded):
    response = get_feed(client, SEEDED_SLUG)

    feed = parse(response)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    timeline = Timeline.objects.get(slug=SEEDED_SLUG)
    published = Event.objects.published().filter(timelines=timeline)
    assert len(feed.entries) == published.count()
    assert feed.feed.title == timeline.title
    assert feed.feed.subtitle == timeline.description
    assert feed.feed.link == f"http://testserver/timelines/{SEEDED_SLUG}/"
    assert feed.feed.id == f"tag:localhost,{timeline.created_at:%Y-%m-%d}:timeline-{timeline.pk}"
    # Atom needs an author for every entry: the feed's stands for all of them.
    assert feed.feed.author == "Timeline editors"
    newest = max(published.values_list("updated_at", flat=True))
    assert feed.feed.updated_parsed[:6] == newest.utctimetuple()[:6]
    for entry in feed.entries:
        assert entry.id.startswith("tag:localhost,")
        assert entry.link.startswith("http://testserver/events/")
        assert entry.updated
        assert entry.published
        assert entry.summary
    busan = next(entry for entry in feed.entries if entry.link.endswith("/busan-meeting/"))
    assert busan.title == "Trump and Xi meet in Busan"
    assert "Date: Thursday 30 October 2025" in busan.summary
    assert {tag.term for tag in busan.tags} == {"Diplomacy", "Trade talks"}


def test_entries_are_newest_change_first(client):
    old, new, newest = (
        EventFactory(slug="old"),
        EventFactory(slug="new"),
        EventFactory(slug="newest"),
    )
    timeline = TimelineFactory(events=[old, new, newest])
    set_changed_at(old, at(1))
    set_changed_at(new, at(2))
    set_changed_at(newest, at(3))

    feed = parse(get_feed(client, timeline.slug))

    assert slugs(feed) == ["newest", "new", "old"]
    assert feed.feed.updated_parsed[:6] == at(3).utctimetuple()[:6]


def test_same_time_orders_by_newest_event_first(client):
    first, second = EventFactory(slug="first"), EventFactory(slug="second")
    timeline = TimelineFactory(events=[first, second])
    set_changed_at(first, at(1))
    set_changed_at(second, at(1))

    assert slugs(parse(get_feed(client, timeline.slug))) == ["second", "first"]


def test_editing_an_event_moves_it_to_the_top_with_a_new_updated(client, commit):
    edited, other = EventFactory(slug="edited"), EventFactory(slug="other")
    timeline = TimelineFactory(events=[edited, other])
    set_changed_at(edited, at(1))
    set_changed_at(other, at(2))
    before = parse(get_feed(client, timeline.slug))
    assert slugs(before) == ["other", "edited"]

    edited.title = "Edited title"
    with commit():
        edited.save()
    after = parse(get_feed(client, timeline.slug))

    assert slugs(after) == ["edited", "other"]
    assert after.entries[0].title == "Edited title"
    assert after.entries[0].id == before.entries[1].id
    assert after.entries[0].updated_parsed > before.entries[1].updated_parsed
    assert after.feed.updated_parsed > before.feed.updated_parsed


def test_entry_id_is_stable_across_slug_changes(client, commit):
    event = EventFactory(slug="before")
    timeline = TimelineFactory(events=[event])
    before = parse(get_feed(client, timeline.slug)).entries[0]

    event.slug = "after"
    with commit():
        event.save()
    after = parse(get_feed(client, timeline.slug)).entries[0]

    assert after.id == before.id == (f"tag:localhost,{event.created_at:%Y-%m-%d}:event-{event.pk}")
    assert after.link == "http://testserver/events/after/"


def test_drafts_are_absent(client):
    published = EventFactory(slug="published")
    timeline = TimelineFactory(events=[published, EventFactory(published_at=None)])

    assert slugs(parse(get_feed(client, timeline.slug))) == ["published"]


def test_other_timelines_events_are_absent(client):
    timeline = TimelineFactory(events=[EventFactory(slug="mine")])
    TimelineFactory(events=[EventFactory(slug="theirs")])

    assert slugs(parse(get_feed(client, timeline.slug))) == ["mine"]


def test_entry_content(client):
    event = EventFactory(
        title="Visit <to> China & more",
        summary="Planned for April.\nNo date yet.",
        date="2026-04",
        status="scheduled",
        tags=[TagFactory(name="Diplomacy"), TagFactory(name="Trade talks")],
        actors=[ActorFactory(name="Xi Jinping"), ActorFactory(name="Donald Trump")],
        place=PlaceFactory(),
    )
    source = SourceFactory(
        title="Report <b>one</b>",
        publisher="Example Wire",
        url="https://news.example.org/a?x=1&y=2",
    )
    CitationFactory(event=event, source=source, quote="Tariffs will fall from 57% to 47%.")
    timeline = TimelineFactory(events=[event])
    Event.objects.filter(pk=event.pk).update(published_at=at(1), updated_at=at(2))

    response = get_feed(client, timeline.slug)
    (entry,) = parse(response).entries

    assert entry.title == "Visit <to> China & more (scheduled)"
    assert entry.published_parsed[:6] == at(1).utctimetuple()[:6]
    assert entry.updated_parsed[:6] == at(2).utctimetuple()[:6]
    assert [tag.term for tag in entry.tags] == ["Diplomacy", "Trade talks"]
    assert entry.summary_detail.type == "text/html"
    assert entry.summary == (
        "<p>Date known only to the month: April 2026.</p>"
        '<p class="date-evidence">Date not stated by any cited source</p>'
        "<p>Planned for April.<br />No date yet.</p>"
        "<p>Actors: Donald Trump, Xi Jinping</p>"
        "<p>Sources:</p><ol><li>“Tariffs will fall from 57% to 47%.” — "
        '<a href="https://news.example.org/a?x=1&amp;y=2">Report &lt;b&gt;one&lt;/b&gt;</a>, '
        "Example Wire</li></ol>"
    )
    # The markup is escaped once in the XML, never passed through raw.
    assert b"<b>one</b>" not in response.content


def cited(slug: str, *quotes: str, **fields) -> Event:
    """A new event on 30 October 2025 (unless ``fields`` say otherwise) citing ``quotes`` of one
    article, published on Friday 31 October 2025."""
    source = SourceFactory(text=DATED_TEXT, published_on=FRIDAY)
    event = EventFactory(**{"slug": slug, "date": "2025-10-30", "summary": "They met."} | fields)
    for quote in quotes:
        CitationFactory(event=event, source=source, quote=quote)
    return event


def evidence_shown(summary: str) -> str:
    """The text of an entry's date evidence paragraph."""
    fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    (paragraph,) = fragment.find_class("date-evidence")
    return paragraph.text_content()


def test_each_entry_says_where_its_date_comes_from_after_the_date(client):
    timeline = TimelineFactory(
        events=[
            cited("stated", TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE),
            cited("inferred", TARIFF_QUOTE, date_note=NOTE),
            # “Thursday” was the 30th, not the 29th.
            cited("unsupported", THURSDAY_QUOTE, date="2025-10-29"),
        ]
    )

    response = get_feed(client, timeline.slug)

    feed = parse(response)
    root = ElementTree.fromstring(response.content)
    served = {
        e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}summary") for e in root.iter(f"{ATOM}entry")
    }
    # Each entry's HTML as served, and as feedparser reads it, by its event's slug.
    html = {entry.link.rsplit("/", 2)[-2]: served[entry.id] for entry in feed.entries}
    read = {entry.link.rsplit("/", 2)[-2]: entry.summary for entry in feed.entries}
    assert {slug: evidence_shown(summary) for slug, summary in read.items()} == {
        "stated": "Date stated in [2], [3]",
        "inferred": f"Date inferred: {NOTE}",
        "unsupported": "Date not stated by any cited source",
    }
    assert html["stated"].startswith(
        '<p>Date: 30 October 2025</p><p class="date-evidence">Date stated in [2], [3]</p>'
        f"<p>They met.</p><p>Sources:</p><ol><li>“{TARIFF_QUOTE}” — "
    )
    # [n] is the nth source listed.
    sources = lxml.html.fragment_fromstring(read["stated"], create_parent="div").xpath("//ol/li")
    assert [item.text_content().split(" — ")[0] for item in sources] == [
        f"“{quote}”" for quote in (TARIFF_QUOTE, THURSDAY_QUOTE, DAY_QUOTE)
    ]
    assert html["inferred"].startswith(
        "<p>Date: 30 October 2025</p>"
        f'<p class="date-evidence">Date inferred: {NOTE_HTML}</p><p>They met.</p>'
    )
    assert html["unsupported"].startswith(
        "<p>Date: 29 October 2025</p>"
        '<p class="date-evidence">Date not stated by any cited source</p><p>They met.</p>'
    )
    # The note's markup is escaped once in the XML, never passed through raw.
    assert b"<b>wire</b>" not in response.content
    assert "<b>" not in read["inferred"]


def test_a_timeline_without_events_is_a_valid_empty_feed(client):
    timeline = TimelineFactory(description="")
    Timeline.objects.filter(pk=timeline.pk).update(updated_at=at(5))

    first = get_feed(client, timeline.slug)
    feed = parse(first)

    assert feed.entries == []
    assert "subtitle" not in feed.feed
    # Dated from the timeline, not from now: the same bytes every time.
    assert feed.feed.updated_parsed[:6] == at(5).utctimetuple()[:6]
    assert get_feed(client, timeline.slug).content == first.content


def test_at_most_fifty_entries(client):
    timeline = TimelineFactory()
    timeline.events.set(EventFactory.create_batch(FEED_SIZE + 2))

    assert len(parse(get_feed(client, timeline.slug)).entries) == FEED_SIZE == 50


def test_unknown_timeline_is_a_json_404(client):
    assert_json_404(get_feed(client, "no-such-timeline"))


def test_draft_timeline_is_a_json_404(client):
    timeline = TimelineFactory(published_at=None, events=[EventFactory()])

    assert_json_404(get_feed(client, timeline.slug))


def test_a_feed_readers_accept_header_is_served(client):
    timeline = TimelineFactory(events=[EventFactory()])

    response = get_feed(client, timeline.slug, Accept="application/atom+xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_query_count_is_constant(client, django_assert_num_queries, commit):
    timeline = TimelineFactory(events=[EventFactory()])
    # The content generation (a cached read), then the five below without events.
    with django_assert_num_queries(7):
        get_feed(client, timeline.slug)

    with commit():  # a new content generation: not the copy cached above
        for _ in range(5):
            event = EventFactory(place=PlaceFactory(), tags=[TagFactory()], actors=[ActorFactory()])
            CitationFactory(event=event)
            CitationFactory(event=event, source=SourceFactory())
            timeline.events.add(event)
    # 0. the content generation (a cached read)
    # 1. the timeline, with the newest change to it, its events, their sources
    #    and the lookups (Last-Modified)
    # 2. its newest-changed published events, with their places
    # 3. their actors
    # 4. their tags
    # 5. their citations, with their sources
    # 6. the dates in their quotes
    # 7. their claims, with their properties and citations' ids
    with django_assert_num_queries(8):
        response = get_feed(client, timeline.slug)
    assert len(parse(response).entries) == 6


def test_conditional_get(client, commit):
    event = EventFactory()
    timeline = TimelineFactory(events=[event])
    Timeline.objects.filter(pk=timeline.pk).update(updated_at=at(1))
    set_changed_at(event, at(1))
    first = get_feed(client, timeline.slug)
    assert first["Last-Modified"] == http_date(at(1).timestamp())

    assert (
        get_feed(client, timeline.slug, If_Modified_Since=first["Last-Modified"]).status_code == 304
    )
    assert get_feed(client, timeline.slug, If_None_Match=first["ETag"]).status_code == 304

    event.title = "Changed"
    with commit():
        event.save()
    set_changed_at(event, at(2))
    changed = get_feed(client, timeline.slug, If_Modified_Since=first["Last-Modified"])
    assert changed.status_code == 200
    assert parse(changed).entries[0].title == "Changed"
    assert changed["ETag"] != first["ETag"]

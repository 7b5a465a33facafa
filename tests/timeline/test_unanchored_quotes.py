"""A quote its source's archived text no longer holds: flagged wherever it is read, and
never evidence for a date (``Citation.anchored``)."""

import csv
import io

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from tests.dated import DATED_TEXT, FRIDAY, TARIFF_QUOTE, THURSDAY_QUOTE
from tests.factories import CitationFactory, EventFactory, SourceFactory, TimelineFactory
from timeline import evidence, services
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

NOT_FOUND = "quote not found in the archived source"
REWRITTEN = "The article was rewritten after the talks, and now says something else."


def unanchor(source) -> None:
    """Re-import a source's text without its quotes, as an editor would."""
    source.text = REWRITTEN
    report = services.source_save(source=source)
    assert report is not None and report.unanchored


def cited(quote: str = TARIFF_QUOTE, *, date: str = "2025-10-30", **source) -> Citation:
    source = SourceFactory(text=DATED_TEXT, published_on=FRIDAY, **source)
    return CitationFactory(event=EventFactory(date=date), source=source, quote=quote)


def unanchored_citation(quote: str = TARIFF_QUOTE, **source) -> Citation:
    citation = cited(quote, **source)
    unanchor(citation.source)
    return Citation.objects.select_related("source").get(pk=citation.pk)


# The model


def test_anchored_is_true_false_or_unknown_without_text():
    citation = cited()
    assert citation.anchored is True

    unanchor(citation.source)
    citation.refresh_from_db()
    assert citation.anchored is False

    # A source without archived text cannot be checked: unknown, not flagged.
    untexted = CitationFactory(source=SourceFactory(text=""))
    assert untexted.anchored is None


# The API


def test_the_api_says_whether_each_citation_is_anchored(api_client):
    citation = unanchored_citation()
    kept = CitationFactory(event=citation.event)
    untexted = CitationFactory(event=citation.event, source=SourceFactory(text=""))

    event = api_client.get(f"/api/v1/events/{citation.event.slug}/").json()
    assert {c["id"]: c["anchored"] for c in event["citations"]} == {
        citation.pk: False,
        kept.pk: True,
        untexted.pk: None,
    }
    listed = api_client.get("/api/v1/citations/").json()["results"]
    assert {c["id"]: c["anchored"] for c in listed} == {
        citation.pk: False,
        kept.pk: True,
        untexted.pk: None,
    }
    alone = api_client.get(f"/api/v1/citations/{citation.pk}/").json()
    assert alone["anchored"] is False


def test_the_schema_declares_anchored_as_a_nullable_boolean(openapi_schema):
    components = openapi_schema["components"]["schemas"]
    for name in ("Citation", "CitationDetail"):
        anchored = components[name]["properties"]["anchored"]
        assert anchored["type"] == "boolean"
        assert anchored["nullable"] is True
        assert anchored["readOnly"] is True


# Date evidence


def test_an_event_whose_only_dating_quote_became_unanchored_is_unsupported(api_client, commit):
    citation = cited(THURSDAY_QUOTE)
    event = citation.event
    stated = api_client.get(f"/api/v1/events/{event.slug}/").json()["date_evidence"]
    assert stated["state"] == "stated"
    assert Event.objects.with_date_evidence().get(pk=event.pk).date_evidence == "stated"

    with commit():  # which drops the cached answer
        unanchor(citation.source)

    read = api_client.get(f"/api/v1/events/{event.slug}/").json()["date_evidence"]
    assert read["state"] == "unsupported"
    assert read["citations"] == []
    assert Event.objects.with_date_evidence().get(pk=event.pk).date_evidence == "unsupported"
    assert evidence.of_events([event])[event.pk]["state"] == "unsupported"
    prefetched = Event.objects.with_citations().get(pk=event.pk)
    assert evidence.of_prefetched(prefetched)["state"] == "unsupported"
    assert evidence.line(prefetched) == "Date not stated by any cited source"


def test_a_quote_of_a_source_without_text_still_states_a_date():
    citation = CitationFactory(
        event=EventFactory(date="2025-10-30"),
        source=SourceFactory(text="", published_on=FRIDAY),
        quote=THURSDAY_QUOTE,
    )
    event = citation.event
    assert Event.objects.with_date_evidence().get(pk=event.pk).date_evidence == "stated"
    assert evidence.of_events([event])[event.pk]["state"] == "stated"


# Pages


def test_the_pages_flag_an_unanchored_quote_and_escape_it(client):
    citation = unanchored_citation(title="Report <b>one</b>")
    kept = CitationFactory(event=citation.event, quote=TARIFF_QUOTE)
    timeline = TimelineFactory(events=[citation.event])

    for url in (citation.event.get_absolute_url(), timeline.get_absolute_url()):
        page = client.get(url).content.decode()
        assert page.count('class="note-unanchored"') == 1
        assert "Quote not found in the archived source:" in page
        assert "Report &lt;b&gt;one&lt;/b&gt;" in page
        assert "<script" not in page and "style=" not in page
    assert kept.anchored is True


# Formats


def test_timelinejs_json_and_csv_flag_an_unanchored_quote(api_client):
    citation = unanchored_citation()
    CitationFactory(event=citation.event)
    timeline = TimelineFactory(slug="trade", events=[citation.event])

    document = api_client.get(f"/api/v1/timelines/{timeline.slug}/timelinejs/").json()
    (slide,) = document["events"]
    assert slide["text"]["text"].count(f"</q> ({NOT_FOUND}) — ") == 1

    rows = api_client.get(f"/api/v1/timelines/{timeline.slug}/timelinejs.csv").content
    (row,) = [r for r in csv.DictReader(io.StringIO(rows.decode())) if r["Year"] == "2025"]
    assert row["Text"].count(f"</q> ({NOT_FOUND}) — ") == 1


def test_the_calendar_flags_an_unanchored_quote(client):
    citation = unanchored_citation()
    CitationFactory(event=citation.event)
    timeline = TimelineFactory(events=[citation.event])

    content = client.get(reverse("api:timeline-calendar", kwargs={"slug": timeline.slug}))
    (vevent,) = Calendar.from_ical(content.content).walk("VEVENT")
    description = str(vevent["DESCRIPTION"])
    assert f"1. “{TARIFF_QUOTE}” ({NOT_FOUND}) — " in description
    assert f"2. “{TARIFF_QUOTE}” — " in description


def test_the_feed_flags_an_unanchored_quote(client):
    citation = unanchored_citation()
    CitationFactory(event=citation.event)
    timeline = TimelineFactory(events=[citation.event])

    response = client.get(reverse("api:timeline-feed", kwargs={"slug": timeline.slug}))
    (entry,) = feedparser.parse(response.content).entries
    assert entry.summary.count(f"” ({NOT_FOUND}) — ") == 1


# Query counts: flagging reads nothing more


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def _timeline(*, unanchored: bool):
    events = []
    for _ in range(3):
        citation = cited()
        CitationFactory(event=citation.event, source=SourceFactory(text=""))
        if unanchored:
            unanchor(citation.source)
        events.append(citation.event)
    return TimelineFactory(events=events)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/",
        "/api/v1/citations/",
        "/api/v1/timelines/{slug}/",
        "/api/v1/timelines/{slug}/timelinejs/",
        "/api/v1/timelines/{slug}/timelinejs.csv",
        "/api/v1/timelines/{slug}/feed.atom",
        "/api/v1/timelines/{slug}/calendar.ics",
        "page",
    ],
)
def test_unanchored_quotes_cost_no_query(client, url):
    warm, anchored, unanchored = (_timeline(unanchored=flag) for flag in (False, False, True))

    def counted(timeline) -> int:
        if url == "page":
            return _queries(client, timeline.get_absolute_url())
        return _queries(client, url.format(slug=timeline.slug))

    counted(warm)  # anything a first request reads once; each timeline is read once (caches)
    assert counted(unanchored) == counted(anchored)

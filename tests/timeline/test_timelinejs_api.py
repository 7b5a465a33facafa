"""Tests for /api/v1/timelines/{slug}/timelinejs/ and /api/v1/timelines/{slug}/timelinejs.csv."""

import csv
import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import checking
from tests.factories import (
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline import seed_data
from timeline.formats.spreadsheet import COLUMNS

pytestmark = pytest.mark.django_db

SEEDED = seed_data.TIMELINE["slug"]
# The date evidence of a factory event: no quote states its date, no note explains it.
UNSUPPORTED_HTML = '<p class="timeline-date-evidence">Date not stated by any cited source</p>'


def json_url(slug: str) -> str:
    return f"/api/v1/timelines/{slug}/timelinejs/"


def csv_url(slug: str) -> str:
    return f"/api/v1/timelines/{slug}/timelinejs.csv"


def read_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def small_timeline():
    """A published timeline with two published events, a draft, and an event elsewhere."""
    source = SourceFactory(title="Wire", publisher="Example Wire", url="https://example.org/a")
    talks = EventFactory(
        slug="talks",
        title="Talks",
        summary="They met.",
        date="2025-10-25/2025-10-26",
        display_date="25–26 October 2025",
        tags=[TagFactory(name="Trade talks")],
    )
    CitationFactory(event=talks, source=source, quote="Tariffs will fall from 57% to 47%.")
    visit = EventFactory(
        slug="visit", title="Visit", summary="", date="2026-04", status="scheduled"
    )
    draft = EventFactory(slug="draft", title="Draft", date="2025-01", published_at=None)
    EventFactory(slug="elsewhere", date="2025-02")
    return TimelineFactory(
        slug="trade", title="Trade", description="About trade.", events=[visit, talks, draft]
    )


# JSON


def test_the_json_is_the_timelinejs_document_of_the_published_events_in_date_order(api_client):
    small_timeline()

    response = api_client.get(json_url("trade"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "title": {"text": {"headline": "Trade", "text": "<p>About trade.</p>"}},
        "events": [
            {
                "unique_id": "talks",
                "start_date": {"year": 2025, "month": 10, "day": 25},
                "end_date": {"year": 2025, "month": 10, "day": 26},
                "display_date": "25–26 October 2025",
                "text": {
                    "headline": "Talks",
                    "text": (
                        f"{UNSUPPORTED_HTML}<p>They met.</p>"
                        '<ol class="timeline-citations"><li><q>Tariffs will fall from 57% to '
                        '47%.</q> — <a href="https://example.org/a"><cite>Wire</cite></a>, '
                        "Example Wire</li></ol>"
                        '<p class="timeline-permalink"><a href="http://testserver/events/talks/">'
                        "The event’s page, with all its sources</a></p>"
                    ),
                },
                "group": "Trade talks",
            },
            {
                "unique_id": "visit",
                "start_date": {"year": 2026, "month": 4},
                "text": {
                    "headline": "Visit",
                    "text": (
                        '<p class="timeline-status" data-status="scheduled">'
                        "<strong>Scheduled:</strong> announced; it has not happened yet.</p>"
                        f"{UNSUPPORTED_HTML}"
                        '<p class="timeline-permalink"><a href="http://testserver/events/visit/">'
                        "The event’s page, with all its sources</a></p>"
                    ),
                },
            },
        ],
    }


def test_the_json_leaves_out_drafts_and_other_timelines_events(api_client):
    small_timeline()

    slugs = [e["unique_id"] for e in api_client.get(json_url("trade")).json()["events"]]

    assert slugs == ["talks", "visit"]


def test_the_json_ignores_the_accept_header_and_credentials(api_client):
    small_timeline()

    response = api_client.get(
        json_url("trade"), HTTP_ACCEPT="text/html", HTTP_AUTHORIZATION="Token not-a-token"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def assert_not_found(response):
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No published timeline has this slug.",
        "code": "not_found",
    }


def test_an_unknown_timeline_is_a_json_404(api_client):
    for url in (json_url("nowhere"), csv_url("nowhere")):
        with checking(url):
            assert_not_found(api_client.get(url, HTTP_ACCEPT="text/csv"))


def test_a_draft_timeline_is_a_json_404(api_client, editor):
    TimelineFactory(slug="secret", published_at=None, events=[EventFactory()])
    api_client.force_login(editor)

    for url in (json_url("secret"), csv_url("secret")):
        with checking(url):
            assert_not_found(api_client.get(url))


def test_only_get_is_allowed(api_client):
    small_timeline()

    for url in (json_url("trade"), csv_url("trade")):
        response = api_client.post(url, {}, format="json")

        assert response.status_code == 405, url
        assert response.json()["code"] == "method_not_allowed", url


# CSV


def test_the_csv_is_an_attachment_in_the_templates_columns(api_client):
    small_timeline()

    response = api_client.get(csv_url("trade"), HTTP_ACCEPT="text/csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="trade.csv"'
    content = response.content.decode("utf-8")
    assert not content.startswith("\ufeff")
    assert content.split("\r\n", 1)[0] == ",".join(COLUMNS)
    rows = read_rows(response)
    assert [(row["Type"], row["Headline"]) for row in rows] == [
        ("title", "Trade"),
        ("", "Talks"),
        ("", "Visit"),
    ]
    assert rows[1] | {"Text": ""} == dict.fromkeys(COLUMNS, "") | {
        "Year": "2025",
        "Month": "10",
        "Day": "25",
        "End Year": "2025",
        "End Month": "10",
        "End Day": "26",
        "Display Date": "25–26 October 2025",
        "Headline": "Talks",
        "Group": "Trade talks",
        "Unique ID": "talks",
    }
    # The sheet links no event page: it is the same file wherever it is made.
    assert "timeline-permalink" not in content
    assert '<ol class="timeline-citations">' in rows[1]["Text"]


def test_the_export_command_writes_the_same_csv_as_the_endpoint(api_client, tmp_path):
    small_timeline()
    served = api_client.get(csv_url("trade")).content

    out = StringIO()
    call_command("export_timelinejs_csv", "trade", stdout=out)
    call_command(
        "export_timelinejs_csv", "trade", "-o", str(tmp_path / "trade.csv"), stderr=StringIO()
    )

    assert out.getvalue().encode("utf-8") == served
    assert (tmp_path / "trade.csv").read_bytes() == served


def test_the_export_command_refuses_a_draft_or_unknown_timeline():
    TimelineFactory(slug="secret", published_at=None)

    for slug in ("secret", "nowhere"):
        with pytest.raises(CommandError, match=f"No published timeline has the slug “{slug}”"):
            call_command("export_timelinejs_csv", slug, stdout=StringIO())


# Queries


def many_events(count: int, slug: str = "many"):
    tags = [TagFactory(), TagFactory()]
    source = SourceFactory()
    events = []
    for _ in range(count):
        event = EventFactory(tags=tags)
        CitationFactory(event=event, source=source)
        events.append(event)
    return TimelineFactory(slug=slug, events=events)


def test_a_timeline_is_read_in_seven_queries_however_many_events(
    api_client, django_assert_num_queries, commit
):
    for count in (1, 12):
        with commit():
            many_events(count, slug=f"many-{count}")

        for url in (json_url(f"many-{count}"), csv_url(f"many-{count}")):
            # 1. the content generation (a cached read); 2. the timeline; 3. its
            # published events, with their places; 4. their actors; 5. their tags;
            # 6. their citations, with their sources; 7. the dates in their quotes;
            # 8. their claims, with their properties and citations' ids.
            with django_assert_num_queries(8):
                response = api_client.get(url)

            assert response.status_code == 200, url


def test_a_timeline_without_events_is_read_in_two_queries(api_client, django_assert_num_queries):
    TimelineFactory(slug="empty")

    for url in (json_url("empty"), csv_url("empty")):
        # 1. the content generation (a cached read); 2. the timeline; 3. its
        # published events (none: nothing more to fetch).
        with django_assert_num_queries(3):
            response = api_client.get(url)

        assert response.status_code == 200, url


def test_the_seeded_timeline_has_one_slide_per_published_event(api_client, seeded):
    document = api_client.get(json_url(SEEDED)).json()

    assert document["title"]["text"]["headline"] == seed_data.TIMELINE["title"]
    assert len(document["events"]) == len(seed_data.EVENTS)
    assert len(read_rows(api_client.get(csv_url(SEEDED)))) == len(seed_data.EVENTS) + 1


# Schema


def test_the_schema_documents_both_paths(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)

    document = schema["paths"]["/api/v1/timelines/{slug}/timelinejs/"]
    sheet = schema["paths"]["/api/v1/timelines/{slug}/timelinejs.csv"]

    assert set(document) == set(sheet) == {"get"}
    assert document["get"]["operationId"] == "v1_timelines_timelinejs_retrieve"
    assert sheet["get"]["operationId"] == "v1_timelines_timelinejs_csv_retrieve"
    # 200 and 404 are the view's; the errors of the layers around every view
    # (tests/test_openapi.py) are added to both alike.
    assert set(document["get"]["responses"]) == set(sheet["get"]["responses"])
    assert {"200", "404", "429", "500", "503"} <= set(document["get"]["responses"])
    assert list(document["get"]["responses"]["200"]["content"]) == ["application/json"]
    assert document["get"]["responses"]["200"]["description"] == "The TimelineJS3 JSON document."
    assert list(sheet["get"]["responses"]["200"]["content"]) == ["text/csv"]
    assert "attachment" in sheet["get"]["responses"]["200"]["description"]
    for operation in (document["get"], sheet["get"]):
        assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        # Public: no sign-in is read or needed.
        assert operation["security"] == [{}]

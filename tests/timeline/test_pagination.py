"""Pages by cursor: the same events as pages by number, read from where the last page ended."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"


@pytest.fixture
def events():
    # Ties on every sort key but the last: two events share a start, end and title.
    days = [datetime.date(2025, 1, 1) + datetime.timedelta(days=n // 2) for n in range(11)]
    created = [
        EventFactory(slug=f"event-{n:02d}", title="Talks" if n < 2 else f"Talks {n}", date=str(day))
        for n, day in enumerate(days)
    ]
    EventFactory(slug="draft", published_at=None, date="2025-01-02")
    return created


def walk(api_client, url: str, params: dict) -> tuple[list[str], list[dict]]:
    slugs, bodies = [], []
    response = api_client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        slugs += [event["slug"] for event in body["results"]]
        if not body["next"]:
            return slugs, bodies
        response = api_client.get(body["next"])


def test_cursor_pages_hold_the_events_numbered_pages_hold(api_client, events):
    for ordering in [None, "-start", "title", "-updated", "end,-title"]:
        params = {"page_size": 3} | ({"ordering": ordering} if ordering else {})

        by_number, _ = walk(api_client, EVENTS_URL, params)
        by_cursor, bodies = walk(api_client, EVENTS_URL, params | {"cursor": ""})

        assert by_cursor == by_number, ordering
        assert len(by_cursor) == 11 and "draft" not in by_cursor
        assert {body["count"] for body in bodies} == {11}
        assert bodies[0]["previous"] is None
        assert bodies[-1]["next"] is None
        assert all(
            "cursor=" in body["next"] and "page=" not in body["next"] for body in bodies[:-1]
        )


def test_previous_goes_back_page_by_page(api_client, events):
    _, bodies = walk(api_client, EVENTS_URL, {"page_size": 4, "cursor": ""})

    back = api_client.get(bodies[-1]["previous"]).json()
    first = api_client.get(back["previous"]).json()

    assert back["results"] == bodies[1]["results"]
    assert first["results"] == bodies[0]["results"]
    assert first["previous"] is None
    assert api_client.get(first["next"]).json()["results"] == bodies[1]["results"]


def test_a_deep_cursor_page_starts_its_scan_at_the_cursor(api_client, events):
    _, bodies = walk(api_client, EVENTS_URL, {"page_size": 4, "cursor": ""})

    with CaptureQueriesContext(connection) as captured:
        api_client.get(bodies[1]["next"] + "&uncached=1")  # a parameter the API ignores

    page_query = next(q["sql"] for q in captured if "LIMIT" in q["sql"])
    # The first sort key's bound, where an index scan can start.
    assert '"timeline_event"."start" > ' in page_query


def test_a_cursor_that_is_not_one_is_a_400_naming_it(api_client, events):
    for cursor in ["not-base64!", "bm90IGpzb24", "bz0tMQ", "cj14"]:
        response = api_client.get(EVENTS_URL, {"cursor": cursor})

        assert response.status_code == 400, cursor
        assert list(response.json()["errors"]) == ["cursor"]


def test_cursor_pages_cost_the_same_queries_at_any_depth(
    api_client, events, django_assert_num_queries
):
    _, bodies = walk(api_client, EVENTS_URL, {"page_size": 2, "cursor": ""})

    # 1. the content generation; 2. the page's ids and sort keys, after the
    # cursor; 3. to 5. the events, their actors and tags, citations. The count
    # is kept from the walk's first page.
    for body in bodies[:-1]:
        with django_assert_num_queries(5):
            response = api_client.get(body["next"] + "&uncached=1")
        assert response.json()["results"]


def counts(client, url: str) -> int:
    """How many COUNT queries a GET of ``url`` makes."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum("COUNT(" in query["sql"] for query in queries)


def test_a_public_lists_count_is_kept_for_its_filter_and_editors_count_every_time(
    api_client, editor_api, events
):
    assert counts(api_client, f"{EVENTS_URL}?q=talks") == 1
    # Another page, page size or unknown parameter: the same filter, counted once.
    assert counts(api_client, f"{EVENTS_URL}?q=talks&page=2&page_size=3&x=1") == 0
    assert counts(api_client, f"{EVENTS_URL}?q=talks&cursor=") == 0
    assert counts(api_client, f"{EVENTS_URL}?q=talks&from=2025-01-03") == 1
    assert counts(editor_api, f"{EVENTS_URL}?q=talks") == 1
    assert counts(editor_api, f"{EVENTS_URL}?q=talks") == 1


def test_a_write_shows_in_the_count(api_client, editor_api, events):
    assert api_client.get(EVENTS_URL).json()["count"] == 11

    editor_api.post(f"{EVENTS_URL}event-00/unpublish/")

    assert api_client.get(EVENTS_URL).json()["count"] == 10

"""The read queries use their indexes (PostgreSQL's plans), and search falls back elsewhere.

bench/RESULTS.md measures what the indexes buy at a million events; these
tests pin down that the queries the API runs can use them at all. The
tables here are small, where a sequential scan is the cheaper plan, so
each plan is asked for with sequential scans discouraged: a query that
cannot use an index still gets one, and the test fails.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict

from tests.factories import EventFactory
from timeline.filters import EventFilter
from timeline.models import Event

pytestmark = pytest.mark.django_db

# Query plans and full-text search are PostgreSQL's.
postgresql_only = pytest.mark.postgresql


@pytest.fixture
def events():
    from bench.generate import Command

    call_command(
        Command(),
        *("--events", "3000", "--sources", "60", "--timelines", "3", "--no-progress"),
        stdout=StringIO(),
    )


def listed(params: str):
    """The page of ids the events list asks for, as the API builds it."""
    queryset = EventFilter(QueryDict(params), Event.objects.published().chronological()).qs
    return queryset.values_list("pk", flat=True)[:50]


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
def test_a_page_of_published_events_is_read_from_the_public_order_index(events):
    explained = plan(listed(""))

    assert "Index Only Scan using timeline_event_published_order" in explained
    assert "Sort" not in explained  # the index gives the order: no sort of all events


@postgresql_only
def test_a_date_range_scans_the_window_not_the_past(events):
    explained = plan(listed("from=2025-10&to=2025-10"))

    # Either index on start serves it (a small table's statistics pick one);
    # what matters is that the scan is bounded on start, from below too.
    index_scan = r"(Index (Only )?Scan using|Bitmap Index Scan on) timeline_event_"
    assert re.search(index_scan + "(published_order|start_end)", explained)
    assert "Seq Scan" not in explained
    # The longest span bounds the scan from below, as an index condition.
    longest = Event.objects.order_by("-span_days").values_list("span_days", flat=True).first()
    earliest = datetime.date(2025, 10, 1) - datetime.timedelta(days=longest)
    assert f"(start >= '{earliest.isoformat()}'::date)" in explained
    assert "Index Cond" in explained


def test_the_span_bound_keeps_every_overlapping_event():
    long = EventFactory(slug="long", date="2024-01/2025-12")  # 730 days
    EventFactory(slug="short", date="2025-10-02")
    EventFactory(slug="before", date="2024-06")

    found = Event.objects.overlapping(datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))

    assert sorted(found.values_list("slug", flat=True)) == ["long", "short"]
    assert long.span_days == 730


@postgresql_only
def test_a_rare_word_is_looked_up_in_the_search_index(events):
    EventFactory(title="Negotiators meet in Quixotic Bay")

    explained = plan(listed("q=quixotic"))

    assert "timeline_event_search" in explained
    assert listed("q=quixo").count() == 1


@postgresql_only
def test_the_search_vector_follows_every_write_path():
    event = EventFactory(title="Talks in Geneva", summary="", display_date="")
    assert list(Event.objects.search("geneva")) == [event]

    # A bulk update sends no signal and runs no save(): the trigger still sees it.
    Event.objects.filter(pk=event.pk).update(title="Talks in Busan")

    assert list(Event.objects.search("busan")) == [event]
    assert not Event.objects.search("geneva").exists()


@postgresql_only
def test_search_matches_words_from_their_start_with_any_punctuation():
    event = EventFactory(title="U.S.-China talks", summary="Xi's visit", display_date="")

    assert list(Event.objects.search("china")) == [event]
    assert list(Event.objects.search("xi's")) == [event]
    assert list(Event.objects.search("u.s. tal")) == [event]
    # Inside a word is not a word's start (the substring fallback would match).
    assert not Event.objects.search("hina").exists()
    assert not Event.objects.search("'&|!():*").exists()

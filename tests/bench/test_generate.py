"""Tests for the synthetic bench data (bench/generate.py): its rows, its options and the
script itself."""

import hashlib
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from bench.generate import (
    FIRST_YEAR,
    LAST_YEAR,
    PREFIX,
    REFERENCE_DAY,
    BenchOptions,
    Command,
    generate_bench_data,
    insert_rows,
    sentence_pool,
)
from sources.anchoring import CONTEXT_CHARS, fold
from sources.models import Source
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.models import ANCHOR_FIELDS, Actor, Citation, Event, Place, Tag, Timeline

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "generate.py"
SMALL = {
    "events": 300,
    "sources": 40,
    "citations_per_event": 3,
    "timelines": 4,
    "actors": 30,
    "tags": 12,
    "places": 20,
}
MODELS = [Event, Citation, Timeline, Source, Actor, Place, Tag]
THROUGH = [Event.actors.through, Event.tags.through, Timeline.events.through]


def generate(*args: str, **options) -> str:
    out = StringIO()
    if not args:
        options = SMALL | options
    call_command(Command(), *args, no_progress=True, stdout=out, **options)
    return out.getvalue()


def bench_events():
    return Event.objects.filter(slug__startswith=PREFIX)


def bench_dump() -> dict[str, list[tuple]]:
    """Every bench row in insertion order, with relations named by slug, not id.

    Ids and the created/updated timestamps are left out: they say when and
    where a run happened, not what it generated.
    """

    def rows(queryset, *related: str) -> list[tuple]:
        model = queryset.model
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if not field.is_relation and field.name not in {"id", "created_at", "updated_at"}
        ]
        return list(queryset.order_by("pk").values_list(*columns, *related))

    return {
        "events": rows(bench_events(), "place__slug"),
        "citations": rows(
            Citation.objects.filter(event__slug__startswith=PREFIX), "event__slug", "source__slug"
        ),
        "sources": rows(Source.objects.filter(slug__startswith=PREFIX)),
        "timelines": rows(Timeline.objects.filter(slug__startswith=PREFIX)),
        "actors": rows(Actor.objects.filter(slug__startswith=PREFIX)),
        "places": rows(Place.objects.filter(slug__startswith=PREFIX)),
        "tags": rows(Tag.objects.filter(slug__startswith=PREFIX)),
        "event actors": rows(
            Event.actors.through.objects.filter(event__slug__startswith=PREFIX),
            "event__slug",
            "actor__slug",
        ),
        "event tags": rows(
            Event.tags.through.objects.filter(event__slug__startswith=PREFIX),
            "event__slug",
            "tag__slug",
        ),
        "memberships": rows(
            Timeline.events.through.objects.filter(timeline__slug__startswith=PREFIX),
            "timeline__slug",
            "event__slug",
        ),
    }


def other_rows() -> dict:
    """Every row that is not bench data, and the size of every history."""
    state = {}
    for model in MODELS:
        queryset = model.objects.order_by("pk")
        if model is Citation:
            queryset = queryset.exclude(event__slug__startswith=PREFIX)
        else:
            queryset = queryset.exclude(slug__startswith=PREFIX)
        state[model._meta.label] = list(queryset.values())
    for through in THROUGH:
        owner = "timeline" if through is Timeline.events.through else "event"
        queryset = through.objects.exclude(**{f"{owner}__slug__startswith": PREFIX})
        state[through._meta.label] = list(queryset.order_by("pk").values())
    state["history"] = {model._meta.label: model.history.count() for model in MODELS}
    return state


def editors_rows() -> None:
    """An editor's event, with actors, tags, a citation and a timeline, beside the bench data."""
    event = EventFactory(slug="editors-event", actors=[ActorFactory()], tags=[TagFactory()])
    CitationFactory(event=event, source=SourceFactory())
    TimelineFactory(events=[event])


def test_counts_match_the_options_and_rows_are_valid_without_history():
    output = generate()

    assert bench_events().count() == 300
    assert Source.objects.filter(slug__startswith=PREFIX).count() == 40
    assert Timeline.objects.filter(slug__startswith=PREFIX).count() == 4
    assert Actor.objects.filter(slug__startswith=PREFIX).count() == 30
    assert Tag.objects.filter(slug__startswith=PREFIX).count() == 12
    assert Place.objects.filter(slug__startswith=PREFIX).count() == 20
    # Exactly three citations an event, each from a different source.
    per_event = [
        (event.citations.count(), event.citations.values("source").distinct().count())
        for event in bench_events()
    ]
    assert set(per_event) == {(3, 3)}
    assert Citation.objects.count() == 900
    assert {e.actors.count() for e in bench_events()} <= set(range(5))
    assert {e.tags.count() for e in bench_events()} <= set(range(4))
    # The summary reports what was written.
    assert "events" in output and "citations" in output and " 900" in output
    assert f"{Event.actors.through.objects.count():,}" in output
    assert "Generated bench data (seed 0)" in output

    for model in MODELS:
        bench = (
            model.objects.all()
            if model is Citation
            else model.objects.filter(slug__startswith=PREFIX)
        )
        assert set(bench.values_list("version", flat=True)) == {1}
        assert model.history.count() == 0
        for obj in bench.order_by("pk")[:25]:
            obj.full_clean()


def test_same_seed_gives_the_same_rows_and_another_seed_others():
    def titles() -> list[str]:
        return list(bench_events().order_by("pk").values_list("title", flat=True))

    generate(seed=7)
    first, first_titles = bench_dump(), titles()
    # Rows that are not bench data move the ids on; the rows must not change with them.
    editors_rows()
    generate(seed=7, replace=True)
    again = bench_dump()
    generate(seed=8, replace=True)
    other, other_titles = bench_dump(), titles()

    assert first == again
    assert len(first["events"]) == 300 and len(first["memberships"]) > 0
    assert other["events"] != first["events"]
    assert other["citations"] != first["citations"]
    assert other_titles != first_titles


def test_citations_and_sources_hold_what_anchoring_and_save_store():
    generate()

    citations = Citation.objects.select_related("source").order_by("pk")
    assert citations.count() == 900
    for citation in citations[::7]:
        stored = [getattr(citation, name) for name in ANCHOR_FIELDS]
        text = citation.source.text
        assert text[citation.position_start : citation.position_end] == citation.quote
        assert citation.exact == citation.quote
        # Anchored afresh, as a new citation's save() anchors it...
        citation.clear_anchor()
        citation.anchor()
        assert [getattr(citation, name) for name in ANCHOR_FIELDS] == stored
        # ...and again with the stored selectors as hints, as re-anchoring does.
        citation.anchor()
        assert [getattr(citation, name) for name in ANCHOR_FIELDS] == stored
    prefixes = {len(c.prefix) for c in citations}
    assert CONTEXT_CHARS in prefixes and 0 in prefixes  # a quote that opens its text
    assert "\n\n" in "".join(c.prefix + c.suffix for c in citations)

    # Sources: texts of 2 to 6 KB, with the fingerprint save() computes.
    sources = Source.objects.filter(slug__startswith=PREFIX).order_by("pk")
    for source in sources:
        assert 2000 <= len(source.text.encode()) <= 6500
        assert source.text_sha256 == hashlib.sha256(source.text.encode()).hexdigest()
    source = sources.first()
    fingerprint = source.text_sha256
    source.save()
    source.refresh_from_db()
    assert source.text_sha256 == fingerprint


def test_sentence_pool_sentences_anchor_as_they_are():
    sentences = sentence_pool(0)

    assert len(sentences) == len(set(sentences)) > 15_000
    for sentence in sentences:
        assert fold(sentence)[0] == sentence  # nothing for matching to fold
        assert sentence.count(".") == 1 and sentence.endswith(".")
        assert sentence[0].isupper() and len(sentence) >= CONTEXT_CHARS


def test_a_thousand_events_have_realistic_dates_statuses_places_actors_and_tags():
    generate(events=1000)

    # Each event's bounds are what save() derives from its date.
    bench = list(bench_events().values_list("date", "start", "end", "precision"))
    distinct = sorted({row[0] for row in bench})
    saved = {}
    for number, date in enumerate(distinct):
        event = Event(slug=f"check-{number}", title="Check", date=date)
        event.save()
        event.refresh_from_db()
        saved[date] = (event.start, event.end, event.precision)
    assert all(saved[date] == (start, end, precision) for date, start, end, precision in bench)

    # The spread: mostly days, recent years, some ranges and approximate dates.
    precisions = [row[3] for row in bench]
    assert max(set(precisions), key=precisions.count) == "day"
    assert {"day", "month", "year"} <= set(precisions)
    assert any("/" in date for date in distinct) and any("~" in date for date in distinct)
    assert all(row[1].year >= FIRST_YEAR and row[2].year <= LAST_YEAR for row in bench)
    recent = sum(2015 <= row[1].year <= 2030 for row in bench)
    assert recent > len(bench) / 2

    events = list(bench_events().prefetch_related("actors", "tags"))
    published = sum(event.published_at is not None for event in events) / len(events)
    placed = sum(event.place_id is not None for event in events) / len(events)
    assert 0.75 <= published <= 0.85
    assert 0.55 <= placed <= 0.65
    past = [event.status for event in events if event.start < REFERENCE_DAY]
    planned = [event.status for event in events if event.start >= REFERENCE_DAY]
    assert max(set(past), key=past.count) == "occurred"
    assert planned and max(set(planned), key=planned.count) == "scheduled"
    # Zipf-like popularity: the most used actor is in far more events than the median one.
    uses = sorted(
        (actor.events.count() for actor in Actor.objects.filter(slug__startswith=PREFIX)),
        reverse=True,
    )
    assert uses[0] > 5 * uses[len(uses) // 2]
    assert {len(event.tags.all()) for event in events} == {0, 1, 2, 3}
    assert {len(event.actors.all()) for event in events} == {0, 1, 2, 3, 4}


def test_the_first_timelines_are_large_and_the_api_serves_bench_rows(api_client, editor_api):
    generate(events=1200, timelines=3)

    timelines = Timeline.objects.filter(slug__startswith=PREFIX).order_by("slug")
    assert [timeline.events.count() for timeline in timelines] == [1000, 1200, 1200]
    assert all(timeline.published_at is not None for timeline in timelines)

    normal = api_client.get(f"/api/v1/events/{EventFactory().slug}/").json()
    listed = api_client.get("/api/v1/events/")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == bench_events().filter(published_at__isnull=False).count() + 1
    assert all(set(event) == set(normal) for event in body["results"])

    event = bench_events().filter(published_at__isnull=False).order_by("pk").first()
    detail = api_client.get(f"/api/v1/events/{event.slug}/")
    assert detail.status_code == 200
    citations = detail.json()["citations"]
    assert len(citations) == 3
    assert all(c["selectors"][0]["exact"] == c["quote"] for c in citations)

    timeline = timelines[0]
    response = api_client.get(f"/api/v1/timelines/{timeline.slug}/")
    assert response.status_code == 200
    published = timeline.events.filter(published_at__isnull=False).count()
    assert response.json()["event_count"] == len(response.json()["events"]) == published

    # No history rows: the history of a bench event is empty, not an error.
    history = editor_api.get(f"/api/v1/events/{event.slug}/history/")
    assert history.status_code == 200
    assert history.json()["results"] == []


def test_replace_deletes_only_bench_rows_and_is_refused_otherwise():
    editors_rows()
    generate(events=200)
    before, dump = other_rows(), bench_dump()

    # A second run without --replace changes nothing.
    with pytest.raises(CommandError, match="--replace"):
        generate(seed=1)
    assert bench_dump() == dump

    generate(events=100, sources=10, timelines=2, replace=True)
    assert other_rows() == before
    assert bench_events().count() == 100
    assert Source.objects.filter(slug__startswith=PREFIX).count() == 10
    assert Timeline.objects.filter(slug__startswith=PREFIX).count() == 2
    assert Citation.objects.filter(event__slug__startswith=PREFIX).count() == 300

    # An editor's citation of a bench source: replacing would delete it, so it is refused.
    source = Source.objects.filter(slug__startswith=PREFIX).first()
    CitationFactory(event=EventFactory(), source=source, quote=source.text[:40])
    dump = bench_dump()
    with pytest.raises(CommandError, match="citations of bench sources: 1\\)"):
        generate(replace=True)
    assert bench_dump() == dump


def test_replace_leaves_the_seeded_timeline_alone(seeded):
    generate(events=100)
    before = other_rows()
    assert Timeline.objects.filter(slug="us-china-trade-2025").exists()

    generate(events=100, replace=True)

    assert other_rows() == before


@pytest.mark.postgresql
def test_a_batch_of_events_over_postgresqls_parameter_limit_is_split():
    # 5,000 events in one INSERT would be over 100,000 parameters; server-side
    # binding takes 65,535 at most.
    inserted = [field for field in Event._meta.concrete_fields if not field.primary_key]
    events = 65_535 // len(inserted) + 1
    generate(events=events, sources=10, citations_per_event=1, timelines=0)
    assert bench_events().count() == events


def test_insert_rows_gives_the_columns_left_out_their_defaults():
    event, source = EventFactory(), SourceFactory()

    insert_rows(Citation, ("event_id", "source_id", "quote"), [(event.pk, source.pk, "A quote.")])

    citation = Citation.objects.get()
    assert (citation.event, citation.source, citation.quote) == (event, source, "A quote.")
    assert (citation.locator, citation.note, citation.exact, citation.version) == ("", "", "", 1)
    assert citation.position_start is None and citation.position_end is None


def test_options_out_of_reach_are_refused_and_empty_or_separated_ones_are_not():
    with pytest.raises(CommandError, match="at least as many sources"):
        generate(citations_per_event=5, sources=4)
    with pytest.raises(CommandError, match="negative"):
        generate(events=-1)
    assert not Event.objects.exists()

    generate(events=0, sources=0, citations_per_event=0, timelines=2, actors=0, tags=0, places=0)
    assert Timeline.objects.filter(events__isnull=True).count() == 2

    generate(events=20, sources=0, citations_per_event=0, timelines=0, actors=0, replace=True)
    assert bench_events().count() == 20 and not Citation.objects.exists()
    assert not Timeline.objects.exists() and not Event.actors.through.objects.exists()

    # Counts may be written with separators.
    generate("--events=1,000", "--sources=1_000", "--timelines=1", "--replace")
    assert bench_events().count() == 1000
    assert Source.objects.filter(slug__startswith=PREFIX).count() == 1000


def test_generate_reports_counts_times_and_progress():
    updates: dict[str, list[int]] = {}
    totals: dict[str, int] = {}

    class Recorder:
        def __init__(self, description: str, total: int):
            self.description = description
            totals[description] = total
            updates[description] = []

        def update(self, n: int) -> None:
            updates[self.description].append(n)

        def close(self) -> None:
            pass

    report = generate_bench_data(BenchOptions(**SMALL, batch_size=128), progress=Recorder)

    assert report.counts["events"] == 300
    assert report.counts["citations"] == 900
    assert report.counts["timeline memberships"] == Timeline.events.through.objects.count()
    assert {"sources", "events", "timelines", "analyze", "total"} <= set(report.seconds)
    # Progress for every source, event and timeline.
    assert totals == {"sources": 40, "events": 300, "timelines": 4}
    assert updates["events"] == [128, 128, 44]
    assert {name: sum(counts) for name, counts in updates.items()} == totals


def run_script(*args: str, database_url: str) -> subprocess.CompletedProcess:
    """bench/generate.py as an operator runs it: its own process, the app's settings."""
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_script_sets_django_up_itself_and_reports_errors_as_manage_py_does(tmp_path):
    usage = run_script("--help", database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    assert usage.returncode == 0
    assert "usage: python bench/generate.py" in usage.stdout
    assert "--citations-per-event N" in usage.stdout

    refused = run_script(
        "--citations-per-event", "5", "--sources", "4",
        database_url=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "CommandError: 5 citations per event need at least as many sources" in refused.stderr


def database_url() -> str:
    """The test database's URL, for another process."""
    settings = connection.settings_dict
    user = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    host = settings["HOST"] + (f":{settings['PORT']}" if settings["PORT"] else "")
    return f"postgres://{user}@{host}/{settings['NAME']}"


@pytest.mark.postgresql  # VACUUM and its statistics
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_script_writes_to_database_url_and_vacuums_for_index_only_scans():
    done = run_script(
        "--events", "300", "--sources", "10", "--timelines", "2", "--no-progress",
        database_url=database_url(),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "Generated bench data (seed 0)" in done.stdout
    assert bench_events().count() == 300
    # Outside a transaction (a test's), the tables are vacuumed, not only analyzed.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_vacuum IS NOT NULL "
            "AND relname IN ('timeline_event', 'timeline_citation')"
        )
        assert sorted(row[0] for row in cursor.fetchall()) == [
            "timeline_citation",
            "timeline_event",
        ]

#!/usr/bin/env python3
"""Synthetic benchmark data: a deterministic, realistic dataset of any size.

Fills the database of ``DATABASE_URL`` (the app's settings, ``config.settings``)
with events, citations, sources, timelines, actors, places and tags, so that
benchmarks and query plans can be tried at a million events. The same options
and seed give the same rows, on SQLite and on PostgreSQL. From the checkout,
on a migrated database:

    .venv/bin/python bench/generate.py --events 1000 --sources 300 --citations-per-event 3
    .venv/bin/python bench/generate.py --help

Every generated row is recognisable: its slug starts with ``bench-`` (citations
and relation rows belong to bench events and timelines), so ``--replace``
can delete the previous bench data and nothing else. Bench rows are bulk
inserted, which sends no signals, so they have no history: an event's history
starts at its first edit, and a bench event deleted and then restored comes
back without its actors and tags (there is no earlier revision to take them
from). Nor do they reach the app's caches: a server that already cached
reads must be restarted (the benches start theirs after generating).

Derived fields hold what ``save()`` would store:

- An event's ``start``, ``end`` and ``precision`` come from ``parse_event_date``,
  the helper ``Event.derive_dates`` calls. Parsing costs 5 to 10 ms a string,
  so events draw their dates from a pool of EDTF strings spread like real
  dates (one for every ``EVENTS_PER_DATE`` events, from ``DATE_POOL_MIN`` to
  ``DATE_POOL_MAX``), and each string is parsed once.
- A citation's selectors are those ``anchor_quote`` finds for its quote. Source
  texts are built from a pool of sentences in which no sentence contains
  another, so a quote (one sentence) occurs once in its text, where it was put:
  its offsets and context are known without searching the text.
- A source's ``text_sha256`` is the SHA-256 of its text, as ``Source.save`` computes it.
"""

import bisect
import calendar
import dataclasses
import datetime
import functools
import hashlib
import itertools
import math
import os
import random
import sys
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

import django

if __name__ == "__main__":
    # Run as a script: Django is set up before the models are imported.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.test.utils import override_settings
from tqdm import tqdm

from sources.anchoring import CONTEXT_CHARS
from sources.models import Source
from timeline.dates import EventDate, parse_event_date
from timeline.formats.calendars import MONTHS as MONTH_NAMES
from timeline.models import (
    Actor,
    ActorKind,
    Citation,
    Event,
    EventStatus,
    Place,
    Tag,
    Timeline,
)

PREFIX = "bench-"
SLUGGED_MODELS = (Event, Timeline, Source, Actor, Place, Tag)
EventActor = Event.actors.through
EventTag = Event.tags.through
TimelineEvent = Timeline.events.through

# Events after this day are planned; a constant, so that a run does not depend on today.
REFERENCE_DAY = datetime.date(2026, 1, 1)
FIRST_YEAR, LAST_YEAR = 1990, 2030
# Most events are recent: a year's weight falls off like a Cauchy curve around the peak,
# slowly into the past and fast into the future (fewer events are planned years ahead).
PEAK_YEAR, SPREAD_BEFORE, SPREAD_AFTER = 2024.5, 5.0, 1.5
DATE_POOL_MIN, DATE_POOL_MAX, EVENTS_PER_DATE = 50, 1500, 200
SENTENCE_POOL_SIZE = 20_000
TEXT_CHARS = (2000, 6000)
# The largest timelines, when there are enough events; the others hold 5 to 300.
LARGE_TIMELINES = (1000, 2000, 5000)
SMALL_TIMELINE = (5, 300)
PUBLISHED_SHARE = 0.8
PLACE_SHARE = 0.6
ACTORS_PER_EVENT = {0: 12, 1: 30, 2: 28, 3: 18, 4: 12}
TAGS_PER_EVENT = {0: 15, 1: 40, 2: 30, 3: 15}
# How sharply popularity falls with rank (Zipf's exponent); sources are cited more evenly.
ZIPF_LOOKUPS, ZIPF_SOURCES = 1.0, 0.5

# EDTF shapes, with their share of events. "~" is approximate, "?" uncertain.
DATE_KINDS = {
    "day": 60,
    "day~": 3,
    "day?": 2,
    "month": 13,
    "month~": 3,
    "month-XX": 1,
    "season": 2,
    "year": 5,
    "year~": 1,
    "days": 8,
    "months": 2,
}
PAST_STATUSES = {
    EventStatus.OCCURRED: 93,
    EventStatus.CANCELLED: 4,
    EventStatus.POSTPONED: 2,
    EventStatus.RESCHEDULED: 1,
}
FUTURE_STATUSES = {
    EventStatus.SCHEDULED: 80,
    EventStatus.POSTPONED: 8,
    EventStatus.RESCHEDULED: 7,
    EventStatus.CANCELLED: 5,
}

SUBJECTS = (  # as they read inside a sentence; capitalised at its start
    "the trade ministry",
    "negotiators",
    "the central bank",
    "customs officials",
    "the European Commission",
    "port authorities",
    "farm groups",
    "the finance minister",
    "analysts",
    "shipping companies",
    "chip makers",
    "the delegation",
    "lawmakers",
    "the prime minister",
    "regulators",
    "exporters",
    "the foreign ministry",
    "union leaders",
    "investors",
    "the government",
    "the commerce secretary",
    "carmakers",
    "the steel industry",
    "economists",
)
VERBS = (
    "announced",
    "rejected",
    "welcomed",
    "postponed",
    "confirmed",
    "criticised",
    "approved",
    "proposed",
    "suspended",
    "extended",
    "delayed",
    "reviewed",
    "questioned",
    "defended",
)
OBJECTS = (
    "new tariffs on steel",
    "a pause in the talks",
    "export controls on rare earths",
    "a review of shipping fees",
    "the draft agreement",
    "quotas for soybeans",
    "a ban on chip exports",
    "the customs deal",
    "a cut in interest rates",
    "emergency subsidies for farmers",
    "duties on electric cars",
    "limits on foreign investment",
    "the framework for future talks",
    "sanctions on two shipping firms",
    "a cap on fertiliser prices",
    "licences for aircraft parts",
    "checks on imported medicines",
    "the truce on port fees",
    "a study of supply chains",
    "relief for small exporters",
)
TAILS = (
    "on Monday",
    "late on Friday",
    "after two days of talks",
    "ahead of the summit",
    "for the third time this year",
    "without giving a date",
    "at a press conference",
    "in a joint statement",
    "despite objections from the opposition",
    "before markets opened",
    "in a letter to parliament",
    "after a phone call between the leaders",
    "during a visit to {place}",
    "at a meeting in {place}",
    "by {n} percent",
    "worth {n} billion dollars",
)
FIRST_NAMES = (
    "Ana",
    "Björn",
    "Chen",
    "Dmitri",
    "Elif",
    "François",
    "Grace",
    "Hiroshi",
    "Ines",
    "José",
    "Kwame",
    "Lena",
    "Mei",
    "Nikolai",
    "Olusegun",
    "Priya",
    "Rafael",
    "Søren",
    "Thandiwe",
    "Wei",
)
LAST_NAMES = (
    "Álvarez",
    "Brandt",
    "Carvalho",
    "Dubois",
    "Eriksen",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Li",
    "Müller",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Sato",
    "Tanaka",
    "Wang",
)
ORGANISATIONS = (
    "World Trade Organization",
    "Ministry of Commerce",
    "Office of the Trade Representative",
    "Federal Reserve",
    "European Central Bank",
    "Chamber of Commerce",
    "Port Authority",
    "Farmers' Union",
    "Semiconductor Industry Association",
    "Shipping Council",
    "Customs Agency",
    "Steel Producers' Association",
)
COUNTRIES = (
    "China",
    "United States",
    "Japan",
    "Germany",
    "France",
    "Brazil",
    "India",
    "South Korea",
    "Mexico",
    "Canada",
    "Vietnam",
    "Malaysia",
    "Türkiye",
    "Côte d'Ivoire",
)
CITIES = (
    ("Geneva", "Switzerland", 46.20, 6.14),
    ("Busan", "South Korea", 35.18, 129.08),
    ("Kuala Lumpur", "Malaysia", 3.14, 101.69),
    ("São Paulo", "Brazil", -23.55, -46.63),
    ("Zürich", "Switzerland", 47.37, 8.54),
    ("Kraków", "Poland", 50.06, 19.94),
    ("Malmö", "Sweden", 55.60, 13.00),
    ("Hà Nội", "Vietnam", 21.03, 105.85),
    ("Düsseldorf", "Germany", 51.23, 6.77),
    ("Bogotá", "Colombia", 4.71, -74.07),
    ("Reykjavík", "Iceland", 64.15, -21.94),
    ("Washington", "United States", 38.90, -77.04),
    ("Beijing", "China", 39.90, 116.41),
    ("Brussels", "Belgium", 50.85, 4.35),
    ("Tokyo", "Japan", 35.68, 139.69),
    ("Nairobi", "Kenya", -1.29, 36.82),
    ("Lagos", "Nigeria", 6.52, 3.38),
    ("Mumbai", "India", 19.08, 72.88),
)
THEMES = (
    "Tariffs",
    "Rare earths",
    "Semiconductors",
    "Shipping",
    "Agriculture",
    "Sanctions",
    "Currency",
    "Steel",
    "Energy",
    "Investment",
    "Summits",
    "Export controls",
    "Fertiliser",
    "Electric cars",
    "Medicines",
    "Aviation",
)
PUBLISHERS = (
    "Bench Wire",
    "The Daily Ledger",
    "Harbour Times",
    "Global Trade Review",
    "Morning Courier",
    "Le Quotidien Économique",
    "Nordic Business Post",
    "Pacific Observer",
)
PARAGRAPH_BREAK = "\n\n"


class BenchDataError(Exception):
    """Bench data cannot be generated or replaced; the message says why."""


class ProgressBar(Protocol):
    def update(self, n: int) -> None: ...

    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


ProgressFactory = Callable[[str, int], ProgressBar]


@dataclass(frozen=True)
class BenchOptions:
    """What to generate: how many of each, the seed, and the rows per batch."""

    events: int = 100_000
    sources: int = 5_000
    citations_per_event: int = 3
    timelines: int = 50
    actors: int = 500
    tags: int = 100
    places: int = 300
    seed: int = 0
    batch_size: int = 5_000

    def validate(self) -> None:
        counts = {
            "events": self.events,
            "sources": self.sources,
            "citations per event": self.citations_per_event,
            "timelines": self.timelines,
            "actors": self.actors,
            "tags": self.tags,
            "places": self.places,
        }
        negative = [name for name, value in counts.items() if value < 0]
        if negative:
            raise BenchDataError(f"These cannot be negative: {', '.join(negative)}.")
        if self.batch_size < 1:
            raise BenchDataError("The batch size must be at least 1.")
        if self.events and self.citations_per_event > self.sources:
            # An event cites each source once, so it needs as many sources as citations.
            raise BenchDataError(
                f"{self.citations_per_event} citations per event need at least as many "
                f"sources; {self.sources} were asked for."
            )


@dataclass
class BenchReport:
    """Rows written and deleted, by kind, and the seconds each step took."""

    counts: Counter[str] = field(default_factory=Counter)
    replaced: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)


def is_bench() -> models.Q:
    """Rows whose slug marks them as bench data."""
    return models.Q(slug__startswith=PREFIX)


def bench_data_exists() -> bool:
    return any(model.objects.filter(is_bench()).exists() for model in SLUGGED_MODELS)


def _bench_ids(model: type[models.Model]) -> models.QuerySet:
    return model.objects.filter(is_bench()).values("pk")


def _editor_references() -> dict[str, int]:
    """Other rows that point at bench rows, which deleting bench data would change."""
    events, sources = _bench_ids(Event), _bench_ids(Source)
    references = {
        "citations of bench sources": Citation.objects.filter(source__in=sources).exclude(
            event__in=events
        ),
        "events at bench places": Event.objects.exclude(is_bench()).filter(
            place__in=_bench_ids(Place)
        ),
        "links of events to bench actors": EventActor.objects.filter(
            actor__in=_bench_ids(Actor)
        ).exclude(event__in=events),
        "links of events to bench tags": EventTag.objects.filter(tag__in=_bench_ids(Tag)).exclude(
            event__in=events
        ),
        "bench events in timelines": TimelineEvent.objects.filter(event__in=events).exclude(
            timeline__in=_bench_ids(Timeline)
        ),
    }
    found = {}
    for name, queryset in references.items():
        # Existence first: counting a few million rows to report nothing is slow.
        if queryset.exists():
            found[name] = queryset.count()
    return found


def delete_bench_data() -> Counter[str]:
    """Delete every bench row, and nothing else; refuse if other rows point at them.

    Citations and relation rows belong to their event or timeline and go with
    it, even where an editor added them to bench data. The rows go with plain
    DELETE statements: ``QuerySet.delete()`` would load every row to send its
    signals and record a history entry for each.
    """
    referencing = _editor_references()
    if referencing:
        listed = "; ".join(f"{name}: {count:,}" for name, count in referencing.items())
        raise BenchDataError(
            f"Rows that are not bench data refer to bench data ({listed}); remove those "
            "references first, so that replacing the bench data changes nothing else."
        )
    events, timelines = _bench_ids(Event), _bench_ids(Timeline)
    # Children first, so that no foreign key points at a deleted row.
    steps = (
        ("timeline memberships", TimelineEvent.objects.filter(timeline__in=timelines)),
        ("event–actor links", EventActor.objects.filter(event__in=events)),
        ("event–tag links", EventTag.objects.filter(event__in=events)),
        ("citations", Citation.objects.filter(event__in=events)),
        *(
            (model._meta.verbose_name_plural, model.objects.filter(is_bench()))
            for model in SLUGGED_MODELS
        ),
    )
    deleted: Counter[str] = Counter()
    for name, queryset in steps:
        deleted[str(name)] = _delete_rows(queryset)
    return deleted


def _delete_rows(queryset: models.QuerySet) -> int:
    """DELETE a queryset's rows in one statement, without loading them; how many went."""
    model = queryset.model
    select, params = queryset.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} IN ({select})",
            params,
        )
        return cursor.rowcount


def generate_bench_data(
    options: BenchOptions, *, replace: bool = False, progress: ProgressFactory | None = None
) -> BenchReport:
    """Generate the bench dataset in one transaction; refuse if one exists, unless ``replace``.

    One transaction for the whole run: a failed or interrupted run leaves
    nothing behind (nor, with ``replace``, loses the previous data), and the
    database commits once instead of once a batch. On SQLite that holds the
    write lock for the whole run: generate into a database of its own.
    """
    options.validate()
    report = BenchReport()
    started = time.perf_counter()
    # With DEBUG on, Django would keep (and, on SQLite, re-quote) the SQL of every
    # multi-megabyte INSERT in its query log: memory would grow with the dataset.
    with override_settings(DEBUG=False):
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check each row's foreign keys as it goes in rather than all on commit:
                # the work is the same, but the progress shows it and commit is instant.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if bench_data_exists():
                if not replace:
                    raise BenchDataError(
                        "Bench data already exists (rows with slugs starting “bench-”); "
                        "use --replace to delete it and generate it again."
                    )
                report.replaced = delete_bench_data()
                report.seconds["replace"] = time.perf_counter() - started
            _Generator(options, report, progress or (lambda _desc, _total: _NoProgress())).run()
            committing = time.perf_counter()
        report.seconds["commit"] = time.perf_counter() - committing
    analyzed = time.perf_counter()
    _analyze()
    report.seconds["analyze"] = time.perf_counter() - analyzed
    report.seconds["total"] = time.perf_counter() - started
    return report


CITATION_COLUMNS = (
    "event_id",
    "source_id",
    "quote",
    "locator",
    "note",
    "exact",
    "prefix",
    "suffix",
    "position_start",
    "position_end",
    "version",
)


def insert_rows(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows of plain values (in ``columns`` order, by attname) without model instances.

    For the rows whose ids nobody needs (citations, relation rows: most of the
    dataset), ``bulk_create`` spends ten times longer building instances and
    preparing each value than the database spends inserting them. The model's
    other columns get their defaults, as ``bulk_create`` would give them.
    PostgreSQL loads the rows with COPY, the other databases with executemany.
    """
    if not rows:
        return
    fields = {field.attname: field for field in model._meta.concrete_fields}
    others = [
        field for name, field in fields.items() if name not in columns and not field.primary_key
    ]
    names = [*columns, *(field.attname for field in others)]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    if defaults:
        rows = [row + defaults for row in rows]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    listed = ", ".join(quote(fields[name].column) for name in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The psycopg 3 cursor under Django's wrapper.
            with cursor.cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({listed}) VALUES ({placeholders})", rows)


def _analyze() -> None:
    """Leave the tables as autovacuum leaves them after bulk inserts in production.

    ANALYZE refreshes the planner's statistics; on PostgreSQL, VACUUM also
    sets the visibility map, without which an index-only scan still reads
    every row from the table (a page of 100 ids: 1.3 ms instead of 0.1).
    VACUUM cannot run in a transaction (a test's): then only ANALYZE.
    """
    tables = [model._meta.db_table for model in (*SLUGGED_MODELS, Citation)]
    tables += [through._meta.db_table for through in (EventActor, EventTag, TimelineEvent)]
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"VACUUM (ANALYZE) {quoted}" if vacuum else f"ANALYZE {quoted}")


class _Zipf:
    """Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1) ** exponent."""

    def __init__(self, n: int, exponent: float):
        self.n = n
        self.cumulative = list(
            itertools.accumulate(1 / (rank**exponent) for rank in range(1, n + 1))
        )
        self.total = self.cumulative[-1] if n else 0.0

    def draw(self, rng: random.Random) -> int:
        return min(bisect.bisect(self.cumulative, rng.random() * self.total), self.n - 1)

    def distinct(self, rng: random.Random, k: int) -> list[int]:
        chosen: dict[int, None] = {}
        while len(chosen) < min(k, self.n):
            chosen[self.draw(rng)] = None
        return list(chosen)


class _Weighted:
    """Draws keys of a {key: weight} mapping."""

    def __init__(self, weights: dict):
        self.keys = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def draw(self, rng: random.Random):
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


YEARS = _Weighted(
    {
        year: 1
        / (1 + ((year - PEAK_YEAR) / (SPREAD_BEFORE if year < PEAK_YEAR else SPREAD_AFTER)) ** 2)
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    }
)


def _random_day(rng: random.Random) -> datetime.date:
    year, month = YEARS.draw(rng), rng.randint(1, 12)
    return datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _random_edtf(rng: random.Random, kind: str) -> str:
    day = _random_day(rng)
    if kind == "day":
        return day.isoformat()
    if kind in ("day~", "day?"):
        return day.isoformat() + kind[-1]
    month = f"{day.year:04d}-{day.month:02d}"
    if kind == "month":
        return month
    if kind == "month~":
        return month + "~"
    if kind == "month-XX":
        return month + "-XX"
    if kind == "season":
        return f"{day.year:04d}-{rng.randint(21, 24)}"
    if kind == "year":
        return str(day.year)
    if kind == "year~":
        return f"{day.year}~"
    if kind == "days":
        last = day + datetime.timedelta(days=rng.choice((1, 1, 2, 2, 3, 4, 7, 10, 14)))
        # A range past the last year would leave the span: it becomes its first day.
        return f"{day.isoformat()}/{last.isoformat()}" if last.year <= LAST_YEAR else str(day)
    if kind == "months":
        months = day.month - 1 + rng.randint(1, 5)
        year = day.year + months // 12
        return f"{month}/{year:04d}-{months % 12 + 1:02d}" if year <= LAST_YEAR else month
    raise ValueError(kind)


def date_pool(seed: int, size: int) -> list[tuple[str, EventDate]]:
    """``size`` EDTF dates spread like real ones, each with what ``Event.derive_dates`` derives.

    Repeated strings stay in the pool (a popular year is drawn more often) but
    are parsed once.
    """
    rng = random.Random(f"{seed}:dates")
    kinds = _Weighted(DATE_KINDS)
    parsed: dict[str, EventDate] = {}
    pool = []
    for _ in range(size):
        text = _random_edtf(rng, kinds.draw(rng))
        if text not in parsed:
            parsed[text] = parse_event_date(text)
        pool.append((text, parsed[text]))
    return pool


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        place=rng.choice(CITIES)[0], n=rng.randint(2, 95), country=rng.choice(COUNTRIES)
    )


def _raw_sentence(rng: random.Random) -> str:
    subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    tail = _fill(rng.choice(TAILS), rng)
    shape = rng.randrange(4)
    if shape == 0:
        return f"{_capitalised(subject)} {verb} {obj} {tail}."
    if shape == 1:
        speaker = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return f"{speaker} said {subject} had {verb} {obj} {tail}."
    if shape == 2:
        return f"According to {rng.choice(PUBLISHERS)}, {subject} {verb} {obj}."
    return f"In {rng.choice(COUNTRIES)}, {subject} {verb} {obj} {tail}."


def _capitalised(words: str) -> str:
    return words[0].upper() + words[1:]


def _headline(rng: random.Random) -> str:
    return f"{_capitalised(rng.choice(SUBJECTS))} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"


# Building the pool takes a second; tests and repeated runs in one process reuse it.
@functools.lru_cache(maxsize=2)
def sentence_pool(seed: int, size: int = SENTENCE_POOL_SIZE) -> tuple[str, ...]:
    """Distinct sentences of which none occurs inside another, each one sentence long.

    Each has a single full stop, at its end, no run of spaces, no character that
    quote matching folds, and at least ``CONTEXT_CHARS`` characters. So a
    sentence found in a text made of distinct pool sentences is the one put
    there, and a quote's prefix or suffix never reaches past its neighbour.
    """
    rng = random.Random(f"{seed}:sentences")
    chosen: dict[str, None] = {}
    attempts = 0
    while len(chosen) < size:
        attempts += 1
        if attempts > size * 20:
            raise BenchDataError("The vocabulary is too small for the sentence pool.")
        sentence = _raw_sentence(rng)
        if len(sentence) >= CONTEXT_CHARS:
            chosen[sentence] = None
    sentences = list(chosen)
    known = set(sentences)
    # A sentence inside another would end where the other ends (each has one
    # full stop, at its end) and begin with a capital: test those tails only.
    inside = {
        sentence[start:]
        for sentence in sentences
        for start in range(1, len(sentence))
        if sentence[start].isupper() and sentence[start:] in known
    }
    return tuple(sentence for sentence in sentences if sentence not in inside)


def _slug(kind: str, number: int, width: int) -> str:
    return f"{PREFIX}{kind}-{number:0{width}d}"


def _width(count: int) -> int:
    return max(4, len(str(count)))


def _moment(day: datetime.date, minutes: int) -> datetime.datetime:
    """A time on the day: 09:00 UTC and ``minutes`` more."""
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC) + (
        datetime.timedelta(minutes=minutes)
    )


def _wikidata(rng: random.Random, share: float) -> str:
    return f"Q{rng.randint(1, 99_999_999)}" if rng.random() < share else ""


class _Generator:
    """Writes one dataset: lookups, sources, events with their citations, timelines."""

    def __init__(self, options: BenchOptions, report: BenchReport, progress: ProgressFactory):
        self.options = options
        self.report = report
        self.progress = progress
        self.seed = options.seed
        self.sentences = sentence_pool(options.seed)
        # Per source (flat, sliced by source_offsets): its sentences' pool indices,
        # their offsets in its text and their paragraph numbers. Arrays keep a
        # million citations' worth of lookups in a few megabytes.
        self.source_sentences = array("I")
        self.source_starts = array("I")
        self.source_paragraphs = array("H")
        self.source_offsets = array("I", [0])
        self.source_ids = array("q")
        self.event_ids = array("q")
        self.actor_ids: list[int] = []
        self.place_ids: list[int] = []
        self.tag_ids: list[int] = []

    def run(self) -> None:
        self.timed("lookups", self.insert_lookups)
        self.timed("sources", self.insert_sources)
        self.timed("events", self.insert_events)
        self.timed("timelines", self.insert_timelines)

    def timed(self, name: str, step: Callable[[], None]) -> None:
        started = time.perf_counter()
        step()
        self.report.seconds[name] = time.perf_counter() - started

    def bulk_create(self, model: type[models.Model], objects: list) -> None:
        """Insert rows whose ids are needed next (``bulk_create`` sets them)."""
        model.objects.bulk_create(objects, batch_size=self.options.batch_size)
        self.report.counts[str(model._meta.verbose_name_plural)] += len(objects)

    def insert(
        self, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple], name: str
    ) -> None:
        batch_size = self.options.batch_size
        for first in range(0, len(rows), batch_size):
            insert_rows(model, columns, rows[first : first + batch_size])
        self.report.counts[name] += len(rows)

    @contextmanager
    def bar(self, description: str, total: int) -> Iterator[ProgressBar]:
        progress = self.progress(description, total)
        try:
            yield progress
        finally:
            progress.close()

    # Actors, places and tags: a few hundred rows each, one insert each.

    def insert_lookups(self) -> None:
        rng = random.Random(f"{self.seed}:lookups")
        options = self.options
        kinds = _Weighted({ActorKind.PERSON: 60, ActorKind.ORGANISATION: 30, ActorKind.COUNTRY: 10})
        actors = []
        for number in range(1, options.actors + 1):
            kind = kinds.draw(rng)
            if kind == ActorKind.PERSON:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            elif kind == ActorKind.ORGANISATION:
                name = f"{rng.choice(ORGANISATIONS)} of {rng.choice(COUNTRIES)}"
            else:
                name = rng.choice(COUNTRIES)
            actors.append(
                Actor(
                    name=name,
                    slug=_slug("actor", number, _width(options.actors)),
                    kind=kind,
                    wikidata_id=_wikidata(rng, 0.4),
                )
            )
        self.bulk_create(Actor, actors)
        self.actor_ids = [actor.pk for actor in actors]

        places = []
        for number in range(1, options.places + 1):
            city, country, latitude, longitude = rng.choice(CITIES)
            district = rng.choice(("", "North ", "Old Town, ", "Port of ", "East "))
            located = rng.random() < 0.85
            places.append(
                Place(
                    name=f"{district}{city}, {country}",
                    slug=_slug("place", number, _width(options.places)),
                    latitude=Decimal(f"{latitude + rng.uniform(-0.2, 0.2):.5f}")
                    if located
                    else None,
                    longitude=Decimal(f"{longitude + rng.uniform(-0.2, 0.2):.5f}")
                    if located
                    else None,
                    wikidata_id=_wikidata(rng, 0.3),
                )
            )
        self.bulk_create(Place, places)
        self.place_ids = [place.pk for place in places]

        tags = []
        for number in range(1, options.tags + 1):
            theme = THEMES[(number - 1) % len(THEMES)]
            round_ = (number - 1) // len(THEMES)
            tags.append(
                Tag(
                    name=theme if round_ == 0 else f"{theme} {round_ + 1}",
                    slug=_slug("tag", number, _width(options.tags)),
                    wikidata_id=_wikidata(rng, 0.5),
                )
            )
        self.bulk_create(Tag, tags)
        self.tag_ids = [tag.pk for tag in tags]

    # Sources: texts of 2 to 6 KB made of pool sentences, in paragraphs.

    def insert_sources(self) -> None:
        rng = random.Random(f"{self.seed}:sources")
        options = self.options
        width = _width(options.sources)
        with self.bar("sources", options.sources) as progress:
            for first in range(0, options.sources, options.batch_size):
                count = min(options.batch_size, options.sources - first)
                sources = [self.source(rng, first + index + 1, width) for index in range(count)]
                self.bulk_create(Source, sources)
                self.source_ids.extend(source.pk for source in sources)
                progress.update(count)

    def source(self, rng: random.Random, number: int, width: int) -> Source:
        sentences, pool_size = self.sentences, len(self.sentences)
        target = rng.randint(*TEXT_CHARS)
        used: set[int] = set()
        parts: list[str] = []
        length = paragraph = in_paragraph = 0
        paragraph_size = rng.randint(2, 5)
        while length < target:
            index = rng.randrange(pool_size)
            if index in used:
                continue
            used.add(index)
            if parts:
                if in_paragraph == paragraph_size:
                    separator, in_paragraph = PARAGRAPH_BREAK, 0
                    paragraph += 1
                    paragraph_size = rng.randint(2, 5)
                else:
                    separator = " "
                parts.append(separator)
                length += len(separator)
            self.source_sentences.append(index)
            self.source_starts.append(length)
            self.source_paragraphs.append(paragraph + 1)
            parts.append(sentences[index])
            length += len(sentences[index])
            in_paragraph += 1
        self.source_offsets.append(len(self.source_sentences))
        text = "".join(parts)
        published_on = _random_day(rng)
        publisher = rng.choice(PUBLISHERS)
        slug = _slug("source", number, width)
        return Source(
            slug=slug,
            title=_headline(rng),
            publisher=publisher,
            url=f"https://news.example.org/{published_on:%Y/%m}/{slug}",
            published_on=published_on,
            language=rng.choice(("en", "en", "en", "en", "en-GB", "en-US")),
            text=text,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            retrieved_at=_moment(published_on + datetime.timedelta(days=1), rng.randrange(600)),
            version=1,
        )

    # Events, with their citations, actors and tags, a batch at a time.

    def insert_events(self) -> None:
        options = self.options
        rng = random.Random(f"{self.seed}:events")
        pool_size = min(DATE_POOL_MAX, max(DATE_POOL_MIN, options.events // EVENTS_PER_DATE))
        self.dates = date_pool(self.seed, pool_size)
        self.place_ranks = _Zipf(options.places, ZIPF_LOOKUPS)
        self.actor_ranks = _Zipf(options.actors, ZIPF_LOOKUPS)
        self.tag_ranks = _Zipf(options.tags, ZIPF_LOOKUPS)
        self.source_ranks = _Zipf(options.sources, ZIPF_SOURCES)
        self.actor_counts = _Weighted(ACTORS_PER_EVENT)
        self.tag_counts = _Weighted(TAGS_PER_EVENT)
        self.past_statuses = _Weighted(PAST_STATUSES)
        self.future_statuses = _Weighted(FUTURE_STATUSES)
        width = max(7, len(str(options.events)))
        with self.bar("events", options.events) as progress:
            for first in range(0, options.events, options.batch_size):
                count = min(options.batch_size, options.events - first)
                self.insert_event_batch(rng, first, count, width)
                progress.update(count)

    def insert_event_batch(self, rng: random.Random, first: int, count: int, width: int) -> None:
        events, actors, tags, cited = [], [], [], []
        for number in range(first + 1, first + count + 1):
            events.append(self.event(rng, _slug("event", number, width)))
            actors.append(self.actor_ranks.distinct(rng, self.actor_counts.draw(rng)))
            tags.append(self.tag_ranks.distinct(rng, self.tag_counts.draw(rng)))
            cited.append(self.source_ranks.distinct(rng, self.options.citations_per_event))
        self.bulk_create(Event, events)
        self.event_ids.extend(event.pk for event in events)
        citations, actor_links, tag_links = [], [], []
        for event, event_actors, event_tags, sources in zip(
            events, actors, tags, cited, strict=True
        ):
            actor_links += [(event.pk, self.actor_ids[rank]) for rank in event_actors]
            tag_links += [(event.pk, self.tag_ids[rank]) for rank in event_tags]
            citations += [self.citation(rng, event.pk, source) for source in sources]
        self.insert(Citation, CITATION_COLUMNS, citations, "citations")
        self.insert(EventActor, ("event_id", "actor_id"), actor_links, "event–actor links")
        self.insert(EventTag, ("event_id", "tag_id"), tag_links, "event–tag links")

    def event(self, rng: random.Random, slug: str) -> Event:
        date, bounds = rng.choice(self.dates)
        start = bounds.start
        future = start >= REFERENCE_DAY
        status = (self.future_statuses if future else self.past_statuses).draw(rng)
        published_at = None
        if rng.random() < PUBLISHED_SHARE:
            # Reported on the day, or announced ahead of a planned event.
            day = REFERENCE_DAY - datetime.timedelta(days=rng.randint(1, 60)) if future else start
            published_at = _moment(day, rng.randrange(600))
        display_date = ""
        if bounds.precision == "month" and rng.random() < 0.1:
            display_date = (
                f"{rng.choice(('Early', 'Mid', 'Late'))} {MONTH_NAMES[start.month - 1]} "
                f"{start.year}"
            )
        summary = self.sentences[rng.randrange(len(self.sentences))]
        if rng.random() < 0.5:
            summary += " " + self.sentences[rng.randrange(len(self.sentences))]
        place = None
        if self.place_ids and rng.random() < PLACE_SHARE:
            place = self.place_ranks.draw(rng)
        return Event(
            slug=slug,
            title=_headline(rng),
            summary=summary,
            date=date,
            start=bounds.start,
            end=bounds.end,
            precision=bounds.precision,
            span_days=(bounds.end - bounds.start).days,
            starts_by=bounds.starts_by,
            ends_from=bounds.ends_from,
            display_date=display_date,
            status=status,
            place_id=self.place_ids[place] if place is not None else None,
            published_at=published_at,
            version=1,
        )

    def citation(self, rng: random.Random, event_id: int, source: int) -> tuple:
        """Quote one sentence of the source, with the selectors ``anchor_quote`` finds.

        The values are in ``CITATION_COLUMNS`` order.
        """
        first, last = self.source_offsets[source], self.source_offsets[source + 1]
        at = rng.randrange(first, last)
        quote = self.sentences[self.source_sentences[at]]
        start = self.source_starts[at]
        end = start + len(quote)
        prefix = suffix = ""
        if at > first:
            before = self.sentences[self.source_sentences[at - 1]]
            gap = start - self.source_starts[at - 1] - len(before)
            prefix = (before + self.separator(gap))[-CONTEXT_CHARS:]
        if at + 1 < last:
            gap = self.source_starts[at + 1] - end
            after = self.sentences[self.source_sentences[at + 1]]
            suffix = (self.separator(gap) + after)[:CONTEXT_CHARS]
        roll = rng.random()
        locator = f"para. {self.source_paragraphs[at]}" if roll < 0.3 else ""
        note = "Cited as background." if roll > 0.95 else ""
        source_id = self.source_ids[source]
        return (event_id, source_id, quote, locator, note, quote, prefix, suffix, start, end, 1)

    @staticmethod
    def separator(length: int) -> str:
        return PARAGRAPH_BREAK if length == len(PARAGRAPH_BREAK) else " "

    # Timelines: a few large ones (when there are enough events), the rest small.

    def insert_timelines(self) -> None:
        options = self.options
        rng = random.Random(f"{self.seed}:timelines")
        total = len(self.event_ids)
        width = _width(options.timelines)
        sizes = []
        for number in range(options.timelines):
            if number < len(LARGE_TIMELINES):
                size = LARGE_TIMELINES[number]
            else:
                low, high = SMALL_TIMELINE
                size = round(math.exp(rng.uniform(math.log(low), math.log(high))))
            sizes.append(min(size, total))
        timelines = [
            Timeline(
                slug=_slug("timeline", number, width),
                title=f"{rng.choice(THEMES)}: bench timeline {number}",
                description=self.sentences[rng.randrange(len(self.sentences))],
                published_at=_moment(REFERENCE_DAY, rng.randrange(600)),
                version=1,
            )
            for number in range(1, options.timelines + 1)
        ]
        self.bulk_create(Timeline, timelines)
        with self.bar("timelines", options.timelines) as progress:
            for timeline, size in zip(timelines, sizes, strict=True):
                members = sorted(rng.sample(range(total), size))
                self.insert(
                    TimelineEvent,
                    ("timeline_id", "event_id"),
                    [(timeline.pk, self.event_ids[index]) for index in members],
                    "timeline memberships",
                )
                progress.update(1)


# The command line


def whole_number(value: str) -> int:
    """An integer, written plainly or with separators: 1000000, 1_000_000, 1,000,000."""
    return int(value.replace("_", "").replace(",", ""))


class Command(BaseCommand):
    """Django's command machinery, for manage.py's options, output and errors."""

    # The rows need the models only: checking the URLs would import the whole API.
    requires_system_checks = []

    help = (
        "Generate a deterministic synthetic dataset for benchmarks: events with citations, "
        "sources with archived texts, timelines, actors, places and tags. Every row's slug "
        "starts with “bench-”; bench rows have no history. Refuses to run when bench data "
        "exists, unless --replace is given."
    )

    def add_arguments(self, parser):
        defaults = BenchOptions()

        def number(name: str, text: str) -> None:
            default = getattr(defaults, name.replace("-", "_"))
            parser.add_argument(
                f"--{name}",
                type=whole_number,
                default=default,
                metavar="N",
                help=f"{text} (default {default:,}).",
            )

        number("events", "Events to generate")
        number("sources", "Sources (archived articles, 2–6 KB of text each)")
        number("citations-per-event", "Citations of each event, each from a different source")
        number("timelines", "Timelines; the first three hold 1,000, 2,000 and 5,000 events")
        number("actors", "Actors (people, organisations, countries)")
        number("tags", "Tags")
        number("places", "Places")
        number("seed", "Random seed: the same seed and options give the same rows")
        number("batch-size", "Events per batch, and rows per INSERT or COPY")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the existing bench data first (only rows whose slug starts “bench-”).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")

    def handle(self, *args, replace, no_progress, **options):
        bench_options = BenchOptions(
            **{field.name: options[field.name] for field in dataclasses.fields(BenchOptions)}
        )

        def progress(description: str, total: int):
            # Straight to the terminal: the command's stderr wrapper ends every
            # write with a newline, which would break the redrawing.
            return tqdm(
                total=total,
                desc=description,
                unit=description.removesuffix("s"),
                unit_scale=True,
                file=sys.stderr,
                disable=True if no_progress else None,
                leave=False,
                dynamic_ncols=True,
            )

        try:
            report = generate_bench_data(bench_options, replace=replace, progress=progress)
        except BenchDataError as exc:
            raise CommandError(str(exc)) from None
        if report.replaced:
            deleted = ", ".join(f"{n:,} {name}" for name, n in report.replaced.items() if n)
            self.stdout.write(f"Deleted the previous bench data: {deleted or 'nothing'}.")
        width = max(len(name) for name in report.counts) if report.counts else 0
        for name, n in report.counts.items():
            self.stdout.write(f"  {name:<{width}}  {n:>12,}")
        steps = ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in report.seconds.items() if name != "total"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated bench data (seed {bench_options.seed}) in "
                f"{report.seconds['total']:.1f} s ({steps})."
            )
        )


if __name__ == "__main__":
    # Usage lines read "python bench/generate.py [-h] …".
    Command().run_from_argv(["python", "bench/generate.py", *sys.argv[1:]])

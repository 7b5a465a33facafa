"""bench/run.py's data: a PostgreSQL cluster kept between runs, with one
database per dataset size, so that a second run reuses the million events
the first one generated.

The cluster's files are under ``--data-dir`` (``bench/.data/``, ignored by
git): ``postgresql-<major>/data`` (owned by the postgres user when run as
root), and ``datasets.json``, which records for each database the options
``bench/generate.py`` was given, the SHA-256 of the generator that
generated it, and the SHA-256 of each of the app's migrations applied to
it. A database is generated again (dropped, created, migrated, seeded and
filled) when it was made with other options, or when a migration applied to
it changed or is gone (its schema could differ from the code's). A new
migration alone is applied to the kept data, as in production. A changed
generator does not regenerate it (a million events take minutes, and most
edits of the generator change no row): the report says that the data came
from an earlier generator, and ``--fresh-data`` regenerates. Each run starts
the cluster on a free port and stops it on exit; its socket and server log
are in the run's temporary directory.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH,
    ROOT,
    BenchError,
    Cluster,
    Tools,
    app_environment,
    manage,
    postgres_dir,
)

GENERATOR = BENCH / "generate.py"
LOCAL_APPS = ("sources", "timeline")
MARKER = "datasets.json"
# bench/generate.py's defaults at 100,000 events, scaled with the events:
# one source (archived article) per 20 events, three citations per event.
EVENTS_PER_SOURCE = 20
CITATIONS_PER_EVENT = 3
TIMELINES = 50
SEED = 0


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def short_count(number: int) -> str:
    """10000 → 10k, 1000000 → 1M."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if number >= size and number % size == 0:
            return f"{number // size}{suffix}"
    return f"{number:,}"


@dataclass(frozen=True)
class Dataset:
    events: int

    @property
    def database(self) -> str:
        return f"timeline_events_{self.events}"

    @property
    def label(self) -> str:
        return short_count(self.events)

    def options(self) -> dict[str, int]:
        """bench/generate.py's options for this dataset."""
        return {
            "events": self.events,
            "sources": max(CITATIONS_PER_EVENT, self.events // EVENTS_PER_SOURCE),
            "citations-per-event": CITATIONS_PER_EVENT,
            "timelines": TIMELINES,
            "seed": SEED,
        }


@dataclass
class Prepared:
    dataset: Dataset
    env: dict[str, str]
    generated: bool  # False: reused from an earlier run
    reason: str  # why it was generated, or when the reused data was
    seconds: float  # generation time (this run's, or the recorded one)
    caveat: str = ""  # what the reader should know about reused data


def postgres_can_reach(path: Path) -> bool:
    """Whether the postgres user can enter ``path`` (as root, the server runs as postgres)."""
    if os.geteuid() != 0:
        return os.access(path, os.X_OK)
    result = subprocess.run(
        ["runuser", "-u", "postgres", "--", "test", "-x", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
    )
    return result.returncode == 0


class DataStore:
    """The kept cluster and its record of what each database holds."""

    def __init__(self, tools: Tools, root: Path, workdir: Path):
        self.tools = tools
        self.root = root
        self.workdir = workdir
        self.marker = root / MARKER
        root.mkdir(parents=True, exist_ok=True)
        if not postgres_can_reach(root):
            raise BenchError(
                f"The postgres user cannot reach {root} (PostgreSQL runs as postgres when "
                "bench/run.py runs as root): give --data-dir a directory it can reach, "
                "e.g. --data-dir /var/tmp/timeline-bench."
            )
        major = tools.pg_bin.parent.name if tools.pg_bin.parent.name.isdigit() else "pg"
        home = postgres_dir(root / f"postgresql-{major}")
        self.cluster = Cluster(
            tools.pg_bin,
            home / "data",
            postgres_dir(workdir / "postgresql"),
            workdir / "pg_ctl.log",
        )

    def open(self) -> None:
        """Start the cluster, creating it when there is none (or a broken one)."""
        data = self.cluster.data
        if not (data / "PG_VERSION").exists():
            if data.exists():
                shutil.rmtree(data)
            self._save({})
            self.cluster.initdb()
        elif self.cluster.running():
            # Left running by a run that was killed outright: it is ours, stop it.
            self.cluster.stop("fast")
        self.cluster.start()

    def close(self) -> None:
        try:
            self.cluster.stop("fast")
        except BenchError:
            self.cluster.destroy()

    def _load(self) -> dict:
        try:
            return json.loads(self.marker.read_text())["databases"]
        except (OSError, ValueError, KeyError):
            return {}

    def _save(self, databases: dict) -> None:
        self.marker.write_text(json.dumps({"databases": databases}, indent=2, sort_keys=True))

    def _record(self, database: str, entry: dict | None) -> None:
        databases = self._load()
        if entry is None:
            databases.pop(database, None)
        else:
            databases[database] = entry
        self._save(databases)

    def applied_migrations(self, database: str) -> dict[str, str | None]:
        """The app's migrations applied to a database, each with its file's SHA-256
        (None when the file is gone)."""
        apps = ", ".join(f"'{app}'" for app in LOCAL_APPS)
        rows = self.cluster.query(
            database, f"SELECT app, name FROM django_migrations WHERE app IN ({apps})"
        )
        applied = {}
        for app, name in rows:
            path = ROOT / app / "migrations" / f"{name}.py"
            applied[f"{app}.{name}"] = sha256(path) if path.exists() else None
        return applied

    def stale_reason(self, dataset: Dataset, entry: dict | None) -> str | None:
        """Why a database cannot be reused as it is; None when it can."""
        if dataset.database not in self.cluster.databases():
            return "not generated yet"
        if entry is None:
            return "no record of how it was generated"
        if entry.get("options") != dataset.options():
            return "generated with other options"
        recorded = entry.get("migrations", {})
        for name, digest in self.applied_migrations(dataset.database).items():
            if digest is None:
                return f"migration {name}, applied to it, is gone"
            if recorded.get(name) != digest:
                return f"migration {name} changed since it was applied"
        return None

    def prepare(self, dataset: Dataset, *, fresh: bool) -> Prepared:
        database = dataset.database
        env = app_environment(self.workdir, self.cluster.url(database))
        entry = self._load().get(database)
        reason = "--fresh-data" if fresh else self.stale_reason(dataset, entry)
        if reason is None:
            print(
                f"{database}: reusing {dataset.label} events from {entry['generated_at']}; "
                "migrate, seed…",
                file=sys.stderr,
            )
            manage(self.tools, env, "migrate", "--no-input")
            manage(self.tools, env, "seed")
            # As autovacuum leaves a production database: statistics fresh and
            # the visibility map set (index-only scans), whatever made the data.
            self.cluster.query(database, "VACUUM (ANALYZE)", timeout=1800)
            entry["migrations"] = self.applied_migrations(database)
            self._record(database, entry)
            caveat = ""
            if entry.get("generator") != sha256(GENERATOR):
                caveat = (
                    "by an earlier bench/generate.py than the checkout's "
                    "(--fresh-data generates it again)"
                )
            return Prepared(
                dataset, env, False, f"generated {entry['generated_at']}", entry["seconds"], caveat
            )

        print(f"{database}: generating {dataset.label} events ({reason})…", file=sys.stderr)
        # Forget it first: an interrupted generation must not look complete next time.
        self._record(database, None)
        self.cluster.dropdb(database)
        self.cluster.createdb(database)
        manage(self.tools, env, "migrate", "--no-input")
        manage(self.tools, env, "seed")
        started = time.monotonic()
        command = [str(GENERATOR)]
        for name, value in dataset.options().items():
            command += [f"--{name}", str(value)]
        if not sys.stderr.isatty():
            command.append("--no-progress")
        # Its progress goes straight to the terminal: a million events take minutes.
        result = subprocess.run(
            [str(self.tools.python), *command],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr,
            stderr=sys.stderr,
        )
        if result.returncode != 0:
            raise BenchError(f"{' '.join(command)} failed ({result.returncode})")
        seconds = time.monotonic() - started
        self._record(
            database,
            {
                "options": dataset.options(),
                "generator": sha256(GENERATOR),
                "generated_at": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
                "seconds": round(seconds, 1),
                "migrations": self.applied_migrations(database),
            },
        )
        return Prepared(dataset, env, True, reason, seconds)

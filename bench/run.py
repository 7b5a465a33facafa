#!/usr/bin/env python3
"""`make bench`: the read and write paths under wrk, against a floor and a ceiling.

Serves the app with gunicorn as the Dockerfile does (production settings) on
a PostgreSQL cluster of the bench's own, drives it with wrk on loopback and
prints one table of requests/s and latency p50/p99 for:

- A  the seeded timeline's detail (JSON), warm;
- B  the same with If-None-Match: its ETag (every answer should be a 304);
- C  a bench timeline of about 1,000 published events, warm, and cold: the
     first GET after a write to one of its events;
- D  the events list, 100 a page with citations, uncached, at the small size;
- E  a date range (from/to) and a q search, at the small and the large size;
- F  an authenticated PATCH of one event, with If-Match;

with two references measured in the same run, in turns with the scenarios:
the ceiling, nginx serving A's bytes from a file, and the floor, a Django
view answering A's bytes from memory through the same middleware and
gunicorn. Each measurement is repeated and its median reported; the targets
are ratios within the run. Writes the report to bench/RESULTS.md. Exits 0
when the run completes, whatever the targets say (it prints the missed
ones), 2 when it could not be set up or carried out.

    python3 bench/run.py --quick          # 10k and 50k events, short runs
    python3 bench/run.py                  # 100k and 1M events, 3 runs of 10 s each
"""

import argparse
import contextlib
import http.client
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH,
    DOCKERFILE_WORKERS,
    MEMORY_GROWTH_LIMIT_PERCENT,
    MIX_LUA,
    ROOT,
    BenchError,
    Gunicorn,
    Interrupted,
    RssSampler,
    Tools,
    Wrk,
    WrkResult,
    apt_install,
    catch_interruptions,
    code_state,
    command_output,
    cpu_count,
    django_and_python_versions,
    find_tools,
    free_port,
    git_commit,
    gunicorn_version,
    http_request,
    load_average,
    machine,
    manage,
    mib,
    restarted_workers,
    stop_process_group,
    tail,
    write_report,
    wrk_version,
)
from datasets import Dataset, DataStore, Prepared

DEFAULT_OUTPUT = BENCH / "RESULTS.md"
DEFAULT_DATA_DIR = BENCH / ".data"
PATCH_LUA = BENCH / "patch.lua"
DJANGO_SIDE = BENCH / "django_side.py"
PROFILER = BENCH / "profile_request.py"
# Lines of pyinstrument's call tree kept in the report for a missed target.
PROFILE_LINES = 60

A_PATH = "/api/v1/timelines/us-china-trade-2025/"
FLOOR_PATH = "/__floor__/"
# "{n}" is a value no other request sends (bench/mix.lua), which the API
# ignores: no response cache can answer D and E, they measure the queries.
NONCE = "_bench={n}"
D_PATH = f"/api/v1/events/?page_size=100&{NONCE}"
E_RANGE_PATH = f"/api/v1/events/?from=2025-10&to=2025-10&{NONCE}"
E_SEARCH_PATH = f"/api/v1/events/?q=soybeans&{NONCE}"
# D's SQL queries are counted on page 1 and page 50, and at 10 a page: a count
# that grows with the page size would be a query per event.
D_QUERY_PATHS = (
    D_PATH.replace("page_size=100", "page_size=100&page=1"),
    D_PATH.replace("page_size=100", "page_size=100&page=50"),
    D_PATH.replace("page_size=100", "page_size=10"),
)
C_TIMELINE_EVENTS = 1000
# Appended to an event's summary by every other write, and taken off again at the end.
EDIT_SUFFIX = " (edited by the bench)"

A_FLOOR_TARGET = 0.70
B_FLOOR_TARGET = 0.80
D_FLOOR_TARGET = 0.25
E_GROWTH_TARGET = 1.5

PRESETS = {
    "full": {
        "events_small": 100_000,
        "events_large": 1_000_000,
        "duration": 10,
        "repeat": 3,
        "warmup": 3,
        "memory_duration": 60,
        "cold_samples": 50,
    },
    "quick": {
        "events_small": 10_000,
        "events_large": 50_000,
        "duration": 3,
        "repeat": 3,
        "warmup": 1,
        "memory_duration": 10,
        "cold_samples": 10,
    },
}
NGINX_HINT = "apt-get update && apt-get install -y nginx"
CONTENT_TYPE = re.compile(r"[\w!#$&^.+/-]+(; ?[\w-]+=[\w.-]+)*")


# The servers


class Nginx:
    """The ceiling: nginx serving one file's bytes at A's path, with A's Content-Type."""

    def __init__(self, binary: str, workdir: Path, body: bytes, content_type: str):
        if not CONTENT_TYPE.fullmatch(content_type):
            raise BenchError(f"Unexpected Content-Type for nginx's config: {content_type!r}")
        self.binary = binary
        self.home = workdir / "nginx"
        (self.home / "root").mkdir(parents=True)
        (self.home / "root" / "a.json").write_bytes(body)
        self.content_type = content_type
        self.port = free_port()
        self.access_log: Path | None = None
        self.log = self.home / "nginx.log"
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        home = self.home
        temp_paths = "\n".join(
            f"    {kind}_temp_path {home / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return f"""daemon off;
worker_processes auto;
pid {home / "nginx.pid"};
error_log {home / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {home / "access.log"};
{temp_paths}
    server {{
        listen 127.0.0.1:{self.port};
        location = {A_PATH} {{
            types {{ }}
            default_type "{self.content_type}";
            root {home / "root"};
            try_files /a.json =404;
        }}
    }}
}}
"""

    def start(self) -> None:
        conf = self.home / "nginx.conf"
        conf.write_text(self.config())
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.binary, "-p", f"{self.home}/", "-c", str(conf), "-e", str(self.log)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"nginx exited ({self.process.returncode}):\n{tail(self.log)}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_request(self.port, "GET", A_PATH, timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"nginx did not answer in 20 s:\n{tail(self.log)}")

    def stop(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace=5)

    def drain(self) -> None:
        """nginx answers what it is sent at once: nothing waits in its queue."""


def find_nginx() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    if apt_install("nginx"):
        print(f"nginx is missing; installed it: {NGINX_HINT}", file=sys.stderr)
        if Path("/usr/sbin/nginx").exists():
            return "/usr/sbin/nginx"
    print(
        f"nginx is not installed, so the ceiling is not measured ({NGINX_HINT}).",
        file=sys.stderr,
    )
    return None


class AppServer(Gunicorn):
    def drain(self) -> None:
        """Wait out the requests wrk left in the listen queue when it stopped: the
        workers finish them even though nobody reads the answers."""
        http_request(self.port, "GET", "/healthz", timeout=600)
        time.sleep(0.5)


def floor_environment(
    env: dict[str, str], workdir: Path, body: bytes, content_type: str
) -> dict[str, str]:
    """The app's environment, with a settings module whose URLconf adds the floor."""
    settings = workdir / "bench_floor_settings.py"
    settings.write_text(
        '"""Production settings, with the floor view of bench/floor_urls.py."""\n\n'
        "from config.settings import *  # noqa: F403\n\n"
        'ROOT_URLCONF = "floor_urls"\n'
    )
    body_file = workdir / "floor-body"
    body_file.write_bytes(body)
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench_floor_settings",
        "PYTHONPATH": f"{workdir}{os.pathsep}{BENCH}",
        "BENCH_FLOOR_BODY": str(body_file),
        "BENCH_FLOOR_CONTENT_TYPE": content_type,
    }


# Measurements


@dataclass
class Measurement:
    wrk: WrkResult
    load_before: str
    worker_ms: list[float]  # gunicorn's time per response, from its access log
    unexpected: int  # responses with another status than the scenario expects
    connections: int

    @property
    def errors(self) -> int:
        return self.unexpected + self.wrk.socket_errors


@dataclass
class Scenario:
    key: str
    label: str
    server: str
    paths: tuple[str, ...] = ()
    expected: tuple[int, ...] = (200,)
    headers: dict[str, str] = field(default_factory=dict)
    script: Path = MIX_LUA
    connections: int | None = None  # None: --connections
    threads: int | None = None  # None: --threads
    # Built anew before each run (F: the current ETags).
    script_args: Callable[[], list[str]] | None = None
    # Called before each run (B: A's current ETag into If-None-Match).
    refresh: Callable[["Scenario"], None] | None = None
    size: int | None = None  # bytes of one response body
    note: str = ""
    skipped: str = ""  # why it is not measured
    runs: list[Measurement] = field(default_factory=list)

    def median(self, value: Callable[[Measurement], float]) -> float:
        values = [value(run) for run in self.runs]
        return statistics.median(values) if values else math.nan

    @property
    def rate(self) -> float:
        return self.median(lambda run: run.wrk.rate)

    @property
    def p50(self) -> float:
        return self.median(lambda run: run.wrk.latency_ms["p50"])

    @property
    def p99(self) -> float:
        return self.median(lambda run: run.wrk.latency_ms["p99"])

    @property
    def steady(self) -> bool:
        """Whether every run saw at least two responses a connection.

        wrk's connections all send at once: the first response of each waited
        behind up to all the others, and so did every later one. With fewer than
        two a connection, the queue never settled and the slowest waits were cut
        off by the end of the run: p50 and p99 then mostly tell the run's length.
        """
        return all(run.wrk.requests >= 2 * run.connections for run in self.runs)

    @property
    def worker_p50(self) -> float:
        return self.median(lambda run: percentile(run.worker_ms, 50))

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)

    @property
    def requests(self) -> int:
        return sum(run.wrk.requests for run in self.runs)


def percentile(values: list[float], percent: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


ACCESS_LINE = re.compile(r'"[A-Z]+ (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .* (?P<us>\d+)$')


def worker_times(log: Path | None, offset: int) -> list[float]:
    """Milliseconds each response took in a gunicorn worker (not counting the
    wait in the listen queue), from the access log past ``offset``; probes left out."""
    if log is None:
        return []
    times = []
    with log.open("rb") as raw:
        raw.seek(offset)
        for line in raw.read().decode(errors="replace").splitlines():
            match = ACCESS_LINE.search(line)
            if match and match["path"] != "/healthz":
                times.append(int(match["us"]) / 1000)
    return times


class Runner:
    def __init__(self, tools: Tools, workdir: Path, servers: dict, args: argparse.Namespace):
        self.tools = tools
        self.workdir = workdir
        self.servers = servers
        self.args = args
        self.count = 0

    def wrk(self, scenario: Scenario, duration: int) -> tuple[WrkResult, list[float], str]:
        server = self.servers[scenario.server]
        self.count += 1
        if scenario.refresh:
            scenario.refresh(scenario)
        name = f"{self.count:03d}-{scenario.key.replace(' ', '-')}"
        script_args = scenario.script_args() if scenario.script_args else list(scenario.paths)
        wrk = Wrk(
            self.tools,
            self.workdir,
            name,
            url=f"http://127.0.0.1:{server.port}",
            script=scenario.script,
            script_args=script_args,
            threads=scenario.threads or self.args.threads,
            connections=scenario.connections or self.args.connections,
            timeout=self.args.timeout,
            headers=scenario.headers,
            env={"BENCH_WRK_RUN": f"{os.getpid()}-{self.count}"},
        )
        log = getattr(server, "access_log", None)
        offset = log.stat().st_size if log else 0
        load = load_average()
        result = wrk.run(duration)
        server.drain()
        return result, worker_times(log, offset), load

    def warm(self, scenario: Scenario) -> None:
        if self.args.warmup:
            self.wrk(scenario, self.args.warmup)

    def measure(self, scenario: Scenario) -> None:
        result, worker_ms, load = self.wrk(scenario, self.args.duration)
        unexpected = sum(
            n for status, n in result.statuses.items() if status not in scenario.expected
        )
        connections = scenario.connections or self.args.connections
        scenario.runs.append(Measurement(result, load, worker_ms, unexpected, connections))


# Writes: the editor's requests, and C's cold reads


class Editor:
    """Authenticated PATCHes of events' summaries, each with the ETag last seen."""

    def __init__(self, port: int, token: str):
        self.port = port
        self.token = token

    def read(self, slug: str) -> tuple[str, dict]:
        """The event as the editor sees it, with the version ETag that If-Match takes
        (an anonymous read may carry a cache's ETag instead)."""
        status, headers, body = http_request(
            self.port,
            "GET",
            f"/api/v1/events/{slug}/",
            headers={"Authorization": f"Token {self.token}"},
        )
        if status != 200:
            raise BenchError(f"GET /api/v1/events/{slug}/ answered {status}: {body[:300]!r}")
        return headers.get("ETag", ""), json.loads(body)

    def patch_summary(self, slug: str, etag: str, summary: str) -> tuple[int, str, bytes]:
        status, headers, body = http_request(
            self.port,
            "PATCH",
            f"/api/v1/events/{slug}/",
            headers={
                "Authorization": f"Token {self.token}",
                "Content-Type": "application/json",
                "If-Match": etag,
            },
            body=json.dumps({"summary": summary}).encode(),
            timeout=60,
        )
        return status, headers.get("ETag", ""), body

    def restore(self, slug: str, summary: str) -> None:
        """Put the summary back as it was before the bench wrote it."""
        etag, event = self.read(slug)
        if event.get("summary") != summary:
            status, _, body = self.patch_summary(slug, etag, summary)
            if status != 200:
                raise BenchError(f"Restoring {slug}'s summary answered {status}: {body[:300]!r}")


@dataclass
class ColdReads:
    cold_ms: list[float] = field(default_factory=list)  # first GET after each write
    warm_ms: list[float] = field(default_factory=list)  # the GET after that
    list_ms: list[float] = field(default_factory=list)  # then D's list, never seen before
    stale: int = 0  # GETs that did not show the write before them
    failed_writes: list[str] = field(default_factory=list)
    load_before: str = ""


def find_event(document, slug: str) -> dict | None:
    if isinstance(document, dict):
        if document.get("slug") == slug and "summary" in document:
            return document
        children = document.values()
    elif isinstance(document, list):
        children = document
    else:
        return None
    for child in children:
        found = find_event(child, slug)
        if found is not None:
            return found
    return None


def cold_reads(editor: Editor, timeline_path: str, slug: str, original: str, samples: int):
    """Write one of the timeline's events, then GET the timeline (cold) and GET it
    again (warm), then D's list with a new nonce (its events and count cold too:
    the write moved the generation), one request at a time; the writes
    alternate between two summaries."""
    reads = ColdReads(load_before=load_average())
    etag, _ = editor.read(slug)
    for number in range(samples):
        summary = original + EDIT_SUFFIX if number % 2 == 0 else original
        status, new_etag, body = editor.patch_summary(slug, etag, summary)
        if status != 200:
            reads.failed_writes.append(f"{status} {body[:200]!r}")
            etag, _ = editor.read(slug)
            continue
        etag = new_etag
        for times in (reads.cold_ms, reads.warm_ms):
            started = time.perf_counter()
            status, _, body = http_request(editor.port, "GET", timeline_path, timeout=120)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise BenchError(f"GET {timeline_path} answered {status} after a write")
            event = find_event(json.loads(body), slug)
            if event is None or event.get("summary") != summary:
                reads.stale += 1
        started = time.perf_counter()
        status, _, body = http_request(
            editor.port, "GET", D_PATH.replace("{n}", f"cold{number}"), timeout=120
        )
        reads.list_ms.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise BenchError(f"GET {D_PATH} answered {status} after a write")
    editor.restore(slug, original)
    return reads


# The run


@dataclass
class Setup:
    small: Prepared
    large: Prepared
    a_etag: str | None
    a_content_type: str
    c_timeline: dict
    queries: dict[str, dict]
    memory: dict = field(default_factory=dict)
    nginx_version: str = ""
    workers: int = DOCKERFILE_WORKERS
    code: str = ""  # the commit and the app's uncommitted changes when the run began
    profiles: dict[str, str] = field(default_factory=dict)  # a missed target's, by name


def probe(port: int, path: str, headers: dict[str, str] | None = None):
    return http_request(port, "GET", path.replace("{n}", "probe"), headers=headers, timeout=300)


def current_etag(port: int) -> str | None:
    """A's ETag now, as an anonymous reader gets it."""
    return http_request(port, "GET", A_PATH)[1].get("ETag")


def build_scenarios(
    setup: Setup, editor_setup: dict, ports: dict[str, int], editor: Editor
) -> list[Scenario]:
    small, large = setup.small.dataset.label, setup.large.dataset.label
    c_slug = setup.c_timeline["slug"]
    c_path = f"/api/v1/timelines/{c_slug}/"
    writers = editor_setup["writer_events"]

    def patch_args() -> list[str]:
        script_args = [editor_setup["token"]]
        for event in writers:
            etag, _ = editor.read(event["slug"])
            original = event["summary"]
            script_args += [
                event["slug"],
                etag,
                json.dumps({"summary": original + EDIT_SUFFIX}),
                json.dumps({"summary": original}),
            ]
        return script_args

    scenarios = [
        Scenario("ceiling", "nginx: A's bytes from a file", "nginx", (A_PATH,)),
        Scenario(
            "floor", "Django view: A's bytes from memory, same middleware", "floor", (FLOOR_PATH,)
        ),
        Scenario("A", "seeded timeline detail (JSON), warm", "app", (A_PATH,)),
        Scenario(
            "B",
            "A with If-None-Match: its ETag (304 expected)",
            "app",
            (A_PATH,),
            expected=(304,),
            headers={"If-None-Match": setup.a_etag or ""},
            refresh=lambda scenario: scenario.headers.update(
                {"If-None-Match": current_etag(ports["app"]) or ""}
            ),
        ),
        Scenario(
            "C warm",
            f"`{c_slug}` detail ({setup.c_timeline['published_events']:,} published events), warm",
            "app",
            (c_path,),
        ),
        Scenario(
            "D", f"events list, 100 a page with citations, uncached, {small}", "app", (D_PATH,)
        ),
        Scenario(f"E range {small}", "events `from=2025-10&to=2025-10`", "app", (E_RANGE_PATH,)),
        Scenario(f"E q {small}", "events `q=soybeans`", "app", (E_SEARCH_PATH,)),
        Scenario(f"E range {large}", "events `from=2025-10&to=2025-10`", "large", (E_RANGE_PATH,)),
        Scenario(f"E q {large}", "events `q=soybeans`", "large", (E_SEARCH_PATH,)),
        Scenario(
            "F",
            f"PATCH an event with If-Match, {len(writers)} writers (1 connection and event each)",
            "app",
            script=PATCH_LUA,
            connections=len(writers),
            threads=len(writers),
            script_args=patch_args,
        ),
    ]
    if "nginx" not in ports:
        scenarios[0].skipped = f"nginx is not installed ({NGINX_HINT})"
    if not setup.a_etag:
        scenarios[3].skipped = "A sends no ETag, so there is nothing to send in If-None-Match"

    # One GET of each before anything is measured: the right status, and the size.
    for scenario in scenarios:
        if scenario.skipped or scenario.key == "F":
            continue
        status, _, body = probe(ports[scenario.server], scenario.paths[0], scenario.headers)
        scenario.size = len(body)
        if status not in scenario.expected:
            if scenario.key == "B" and status == 200:
                scenario.note = "the app answers 200 with the whole body, not 304"
                continue
            raise BenchError(
                f"{scenario.key}: GET {scenario.paths[0]} answered {status} before the run:\n"
                f"{body[:500]!r}"
            )
    return scenarios


def run(args: argparse.Namespace, tools: Tools, stack: contextlib.ExitStack):
    workdir = Path(tempfile.mkdtemp(prefix="timeline-bench-run-"))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    # The postgres and nginx users must reach their files inside.
    workdir.chmod(0o755)
    nginx_binary = find_nginx()

    store = DataStore(tools, args.data_dir, workdir)
    stack.callback(store.close)
    store.open()
    print(
        f"PostgreSQL on 127.0.0.1:{store.cluster.port}, data in {store.cluster.data}",
        file=sys.stderr,
    )
    small = store.prepare(Dataset(args.events_small), fresh=args.fresh_data)
    large = store.prepare(Dataset(args.events_large), fresh=args.fresh_data)
    manage(tools, small.env, "collectstatic", "--no-input")

    editor_setup = json.loads(
        django_side(tools, small.env, "prepare", "--writers", str(args.writers),
                    "--timeline-events", str(C_TIMELINE_EVENTS))
    )  # fmt: skip
    for event in (editor_setup["cold_event"], *editor_setup["writer_events"]):
        # A run that was stopped mid-write may have left the bench's edit behind.
        event["summary"] = event["summary"].removesuffix(EDIT_SUFFIX)

    print("Starting gunicorn (app, floor, large dataset) and nginx…", file=sys.stderr)
    app = AppServer(tools, small.env, workdir, "app", args.workers)
    stack.callback(app.stop)
    app.start()
    sampler = RssSampler(app)
    stack.callback(sampler.stop)
    sampler.start()

    status, headers, a_body = http_request(app.port, "GET", A_PATH)
    if status != 200:
        raise BenchError(f"GET {A_PATH} answered {status}:\n{a_body[:500]!r}")
    content_type = headers.get("Content-Type", "")
    a_etag = headers.get("ETag")
    floor = AppServer(
        tools, floor_environment(small.env, workdir, a_body, content_type), workdir, "floor",
        args.workers,
    )  # fmt: skip
    stack.callback(floor.stop)
    floor.start()
    large_server = AppServer(tools, large.env, workdir, "large", args.workers)
    stack.callback(large_server.stop)
    large_server.start()
    servers: dict = {"app": app, "floor": floor, "large": large_server}
    if nginx_binary:
        nginx = Nginx(nginx_binary, workdir, a_body, content_type)
        stack.callback(nginx.stop)
        nginx.start()
        servers["nginx"] = nginx
    for name, path in (("floor", FLOOR_PATH), ("nginx", A_PATH)):
        if name in servers:
            status, headers, body = http_request(servers[name].port, "GET", path)
            if (status, body, headers.get("Content-Type")) != (200, a_body, content_type):
                raise BenchError(f"The {name} does not answer A's exact bytes and Content-Type.")

    c_timeline = editor_setup["timeline"]
    c_path = f"/api/v1/timelines/{c_timeline['slug']}/"
    queries = json.loads(
        django_side(
            tools, small.env, "count-queries", A_PATH, c_path, *D_QUERY_PATHS, E_RANGE_PATH,
            E_SEARCH_PATH,
        )
    )  # fmt: skip
    setup = Setup(
        small=small,
        large=large,
        a_etag=a_etag,
        a_content_type=content_type,
        c_timeline=c_timeline,
        queries=queries,
        nginx_version=command_output(nginx_binary, "-v").removeprefix("nginx version: ")
        if nginx_binary
        else "",
        workers=args.workers,
    )
    editor = Editor(app.port, editor_setup["token"])
    ports = {name: server.port for name, server in servers.items()}
    scenarios = build_scenarios(setup, editor_setup, ports, editor)
    measured = [scenario for scenario in scenarios if not scenario.skipped]
    # Every write may invalidate what the reads cached: the reads take their
    # turns first, then the writes.
    reads = [scenario for scenario in measured if scenario.script is not PATCH_LUA]
    writes = [scenario for scenario in measured if scenario.script is PATCH_LUA]

    runner = Runner(tools, workdir, servers, args)
    try:
        for group in (reads, writes):
            print(f"Warming up: {args.warmup} s each…", file=sys.stderr)
            for scenario in group:
                runner.warm(scenario)
            for repeat in range(1, args.repeat + 1):
                for scenario in group:
                    print(
                        f"repeat {repeat}/{args.repeat}: {scenario.key} ({args.duration} s)…",
                        file=sys.stderr,
                    )
                    runner.measure(scenario)

        print(f"C cold: {args.cold_samples} writes, each followed by two GETs…", file=sys.stderr)
        cold = cold_reads(
            editor,
            c_path,
            editor_setup["cold_event"]["slug"],
            editor_setup["cold_event"]["summary"],
            args.cold_samples,
        )
    finally:
        for event in (editor_setup["cold_event"], *editor_setup["writer_events"]):
            with contextlib.suppress(BenchError, OSError, http.client.HTTPException):
                editor.restore(event["slug"], event["summary"])

    print(f"Memory: {args.memory_duration} s of mixed reads…", file=sys.stderr)
    setup.memory = memory_run(runner, scenarios, sampler, args)
    setup.memory["duration"] = args.memory_duration
    sampler.stop()
    for name, server in (("app", app), ("floor", floor), ("large", large_server)):
        if server.worker_class() != "sync":
            print(f"note: {name} ran {server.worker_class()} workers", file=sys.stderr)
    setup.memory["log_lines"] = notable_lines(app.error_log)
    setup.profiles = profile_missed(tools, setup, scenarios)
    return setup, scenarios, cold, store.cluster.version()


def profile_missed(tools: Tools, setup: Setup, scenarios: list[Scenario]) -> dict[str, str]:
    """pyinstrument's call tree of each missed target's request (bench/profile_request.py),
    in-process on the same database while the cluster still runs: where its time goes."""
    profiles = {}
    by_key = {scenario.key: scenario for scenario in scenarios}
    for target in targets(by_key, setup):
        scenario = by_key.get(target.row)
        if target.passed or scenario is None or scenario.server not in ("app", "large"):
            continue
        print(f"Profiling the missed target: {target.name}…", file=sys.stderr)
        env = (setup.small if scenario.server == "app" else setup.large).env
        command = [str(tools.python), str(PROFILER), scenario.paths[0], "--requests", "300"]
        for name, value in scenario.headers.items():
            # An ETag names the host it was served to: the profiler asks for its own.
            value = "{etag}" if name == "If-None-Match" else value
            command += ["--header", f"{name}={value}"]
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        text = result.stdout if result.returncode == 0 else result.stderr[-3000:]
        profiles[target.name] = "\n".join(text.strip().splitlines()[:PROFILE_LINES])
    return profiles


def django_side(tools: Tools, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(tools.python), str(DJANGO_SIDE), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise BenchError(
            f"bench/django_side.py {args[0]} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def memory_run(runner: Runner, scenarios: list[Scenario], sampler: RssSampler, args) -> dict:
    """The app's read scenarios in rotation for --memory-duration seconds; each
    worker's RSS at its start and at its end."""
    paths = tuple(s.paths[0] for s in scenarios if s.server == "app" and s.paths and s.key != "B")
    mix = Scenario("memory", "mixed reads", "app", paths)
    started = time.time()
    result, _, load = runner.wrk(mix, args.memory_duration)
    ended = time.time()
    samples = list(sampler.samples)
    window = [(at, sample) for at, sample in samples if started <= at <= ended]
    return {
        "first": samples[0][1] if samples else {},
        "window": window,
        "requests": result.requests,
        "rate": result.rate,
        "errors": result.socket_errors
        + sum(n for status, n in result.statuses.items() if status != 200),
        "load_before": load,
        "replaced": sorted(restarted_workers(samples)),
        "paths": paths,
    }


def notable_lines(log: Path) -> list[str]:
    pattern = re.compile(r"Traceback|CRITICAL|WORKER TIMEOUT|SIGKILL|exited|Booting worker")
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if pattern.search(line)]


# The report


def number(value: float, digits: int = 1) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def ratio(part: float, whole: float) -> float:
    return part / whole if whole and not math.isnan(whole) and not math.isnan(part) else math.nan


def paired(
    scenario: Scenario, reference: Scenario, value: Callable[[Measurement], float]
) -> list[float]:
    """``value`` of each of the scenario's runs over that of the reference's run of
    the same turn: the two were measured minutes apart, under the same load."""
    return [
        ratio(value(run), value(other))
        for run, other in zip(scenario.runs, reference.runs, strict=False)
    ]


def rate_of(run: Measurement) -> float:
    return run.wrk.rate


def worker_p50_of(run: Measurement) -> float:
    return percentile(run.worker_ms, 50)


def median_ratio(
    scenario: Scenario, reference: Scenario, value: Callable[[Measurement], float] = rate_of
) -> float:
    ratios = [r for r in paired(scenario, reference, value) if not math.isnan(r)]
    return statistics.median(ratios) if ratios else math.nan


def ratios_text(scenario: Scenario, reference: Scenario, value=rate_of, as_percent=True) -> str:
    ratios = paired(scenario, reference, value)
    shown = [percent(r) if as_percent else f"{number(r, 2)}×" for r in ratios]
    return f"runs: {', '.join(shown)}"


def percent(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{100 * value:.1f}%" if value < 0.1 else f"{100 * value:.0f}%"


@dataclass
class Target:
    name: str
    passed: bool
    measured: str
    row: str = ""  # the main table's row that shows it
    short: str = ""  # as that row says it

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "**FAIL**"


def targets(scenarios: dict[str, Scenario], setup: Setup) -> list[Target]:
    floor = scenarios["floor"]
    small, large = setup.small.dataset.label, setup.large.dataset.label
    result = []

    a = scenarios["A"]
    a_ratio = median_ratio(a, floor)
    result.append(
        Target(
            f"A ≥ {A_FLOOR_TARGET:.0%} of the floor's requests/s",
            a_ratio >= A_FLOOR_TARGET and a.errors == 0,
            f"{percent(a_ratio)} ({ratios_text(a, floor)}; medians {number(a.rate)} vs "
            f"{number(floor.rate)}/s)" + (f"; {a.errors} errors" if a.errors else ""),
            "A",
            f"≥ {A_FLOOR_TARGET:.0%} of the floor",
        )
    )

    b = scenarios["B"]
    if b.skipped:
        result.append(
            Target(
                f"B ≥ {B_FLOOR_TARGET:.0%} of the floor",
                False,
                b.skipped,
                "B",
                f"≥ {B_FLOOR_TARGET:.0%} of the floor",
            )
        )
    else:
        b_ratio = median_ratio(b, floor)
        not_304 = b.errors
        result.append(
            Target(
                f"B ≥ {B_FLOOR_TARGET:.0%} of the floor, every answer a 304",
                b_ratio >= B_FLOOR_TARGET and not_304 == 0,
                f"{percent(b_ratio)} ({ratios_text(b, floor)}; median {number(b.rate)}/s); "
                f"{not_304:,} of {b.requests:,} answers were not 304"
                + (f" ({b.note})" if b.note else ""),
                "B",
                f"≥ {B_FLOOR_TARGET:.0%} of the floor, all 304",
            )
        )

    d = scenarios["D"]
    d_ratio = median_ratio(d, floor)
    counts = sorted({setup.queries[path]["queries"] for path in D_QUERY_PATHS})
    result.append(
        Target(
            f"D ≥ {D_FLOOR_TARGET:.0%} of the floor, constant SQL queries a request",
            d_ratio >= D_FLOOR_TARGET and len(counts) == 1 and d.errors == 0,
            f"{percent(d_ratio)} ({ratios_text(d, floor)}; median {number(d.rate)}/s); "
            "SQL queries "
            + ", ".join(str(count) for count in counts)
            + (" (equal)" if len(counts) == 1 else " (they differ: see below)"),
            "D",
            f"≥ {D_FLOOR_TARGET:.0%} of the floor, constant queries",
        )
    )

    for kind in ("range", "q"):
        at_small, at_large = scenarios[f"E {kind} {small}"], scenarios[f"E {kind} {large}"]
        # gunicorn's time per response: wrk's p50 is mostly the wait in the
        # queue, and is capped by the run's length when responses are slow.
        growth = median_ratio(at_large, at_small, worker_p50_of)
        result.append(
            Target(
                f"E {kind}: p50 at {large} ≤ {E_GROWTH_TARGET}× p50 at {small} (worker p50)",
                growth <= E_GROWTH_TARGET,
                f"{number(growth, 2)}× "
                f"({ratios_text(at_large, at_small, worker_p50_of, as_percent=False)}; "
                f"medians {number(at_large.worker_p50)} vs {number(at_small.worker_p50)} ms; "
                f"wrk's p50 {number(at_large.p50)} vs {number(at_small.p50)} ms)",
                at_large.key,
                f"worker p50 ≤ {E_GROWTH_TARGET}× {small}'s",
            )
        )

    memory = setup.memory
    growths = memory_growths(memory)
    worst = max((growth for *_, growth in growths), default=math.nan)
    result.append(
        Target(
            f"worker RSS growth < {MEMORY_GROWTH_LIMIT_PERCENT:.0f}% over "
            f"{memory['duration']} s of load",
            bool(growths) and worst < MEMORY_GROWTH_LIMIT_PERCENT and not memory["replaced"],
            f"largest {worst:+.1f}%"
            + (f"; workers replaced: {memory['replaced']}" if memory["replaced"] else ""),
        )
    )
    return result


def memory_growths(memory: dict) -> list[tuple[int, int, int, int, float]]:
    """(pid, KiB after start-up, KiB when the load began, KiB when it ended, growth %)."""
    window = memory["window"]
    if not window:
        return []
    first, last = window[0][1], window[-1][1]
    return [
        (pid, memory["first"].get(pid, 0), first[pid], last[pid],
         100.0 * (last[pid] - first[pid]) / first[pid])
        for pid in sorted(first)
        if pid in last
    ]  # fmt: skip


def render(
    scenarios: list[Scenario],
    setup: Setup,
    cold: ColdReads,
    tools: Tools,
    args: argparse.Namespace,
    started: datetime,
    pg_version: str,
) -> str:
    by_key = {scenario.key: scenario for scenario in scenarios}
    floor, ceiling = by_key["floor"], by_key["ceiling"]
    django, python = django_and_python_versions(tools)
    small, large = setup.small, setup.large
    lines = [
        "# Benchmarks: read and write paths against a floor and a ceiling",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; {setup.code}",
        f"- host: `uname -m` {machine()}, nproc {cpu_count()}; load average before the run "
        f"{setup.memory.get('load_at_start', '')}",
        f"- app: Django {django} on Python {python}; gunicorn {gunicorn_version(tools)}, "
        f"{setup.workers} sync workers (as the Dockerfile's CMD), production settings "
        "(DJANGO_ENV=production), throttling off, no REDIS_URL (local-memory cache per "
        "worker), header `X-Forwarded-Proto: https`",
        f"- {pg_version} (a cluster of the bench's own, default settings but fsync off); "
        f"{setup.nginx_version or 'nginx not installed'}; {wrk_version(tools)}",
        f"- data: {describe(small)}; {describe(large)}",
        f"- wrk: {args.connections} connections, {args.threads} threads, {args.duration} s a "
        f"run, {args.repeat} runs of each after a {args.warmup} s warm-up, the reads in "
        "turns, then F (writes invalidate cached reads); the medians of the runs; "
        f"--timeout {args.timeout} s",
        f"- command: `{' '.join(['python3', 'bench/run.py', *sys.argv[1:]])}`",
        "",
    ]
    if args.quick:
        lines += [
            "> **Quick run** (`--quick`): smaller data and shorter runs than the issue's; "
            "for trying the harness, not for the record.",
            "",
        ]
    lines += [
        "| | scenario | requests/s | p50 ms | p99 ms | worker p50 ms | errors | "
        "of the floor | of the ceiling | target | response bytes | load before (1 min) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    results = targets(by_key, setup)
    by_row = {target.row: target for target in results if target.row}
    for scenario in scenarios:
        if scenario.skipped:
            lines.append(
                f"| {scenario.key} | {scenario.label} | not measured: {scenario.skipped} "
                "| | | | | | | | | |"
            )
            continue
        errors = f"{scenario.errors:,}"
        if scenario.errors:
            errors = f"**{errors}**"
        capped = "" if scenario.steady else " †"
        # F's runs follow all the reads: no run of the floor shares their turn.
        of_floor, of_ceiling = (
            ("–", "–")
            if scenario.script is PATCH_LUA
            else (percent(median_ratio(scenario, floor)), percent(median_ratio(scenario, ceiling)))
        )
        target = by_row.get(scenario.key)
        lines.append(
            f"| {scenario.key} | {scenario.label} | {number(scenario.rate)} | "
            f"{number(scenario.p50)}{capped} | {number(scenario.p99)}{capped} | "
            f"{number(scenario.worker_p50)} | "
            f"{errors} | {of_floor} | {of_ceiling} | "
            f"{f'{target.short}: {target.verdict}' if target else ''} | "
            f"{'' if scenario.size is None else f'{scenario.size:,}'} | "
            f"{', '.join(run.load_before.split()[0] for run in scenario.runs)} |"
        )
        if scenario.key == "C warm":
            lines.append(cold_row(cold, scenario))
        if scenario.key == "D":
            lines.append(list_cold_row(cold, scenario))
    lines += [
        "",
        "Errors: socket errors and timeouts, plus every response with another status than "
        "the scenario expects (200; 304 for B; 200 for F)."
        + "".join(f" {s.key}: {s.note}." for s in scenarios if s.note),
        "",
        "† Fewer than two responses a connection in a run: every connection sent at once "
        "and the queue never settled, so wrk's p50 and p99 mostly tell the run's length; "
        "*worker p50* (gunicorn's time per response, without the queue) is the one to read.",
        "",
        "## Targets",
        "",
        "| target | measured | result |",
        "|---|---|---|",
    ]
    for target in results:
        lines.append(f"| {target.name} | {target.measured} | {target.verdict} |")
    missed = [target.name for target in results if not target.passed]
    lines += [
        "",
        f"**Missed targets: {len(missed)} of {len(results)}**"
        + ("" if not missed else " — " + "; ".join(missed)),
        "",
    ]
    lines += render_profiles(setup)
    lines += render_validity(by_key, cold)
    lines += render_queries(setup)
    lines += render_memory(setup)
    lines += render_runs(scenarios)
    lines += render_method(setup, args)
    return "\n".join(lines) + "\n"


def describe(prepared: Prepared) -> str:
    options = prepared.dataset.options()
    how = (
        f"generated this run in {prepared.seconds:.0f} s ({prepared.reason})"
        if prepared.generated
        else f"reused, {prepared.reason} in {prepared.seconds:.0f} s"
    )
    if prepared.caveat:
        how += f" **{prepared.caveat}**"
    return (
        f"{prepared.dataset.label} events ({options['sources']:,} sources, "
        f"{options['citations-per-event']} citations an event, {options['timelines']} timelines; "
        f"80% published) {how}"
    )


def cold_row(cold: ColdReads, warm: Scenario) -> str:
    return _one_at_a_time_row(
        "C cold",
        f"the same, first GET after each write ({len(cold.cold_ms)} writes, one request at a "
        f"time; the GET after it: p50 {number(percentile(cold.warm_ms, 50))} ms)",
        cold.cold_ms,
        cold.stale + len(cold.failed_writes),
        cold,
        warm,
    )


def list_cold_row(cold: ColdReads, warm: Scenario) -> str:
    return _one_at_a_time_row(
        "D cold",
        f"the same, right after each of C cold's writes ({len(cold.list_ms)} GETs, one at a time)",
        cold.list_ms,
        0,
        cold,
        warm,
    )


def _one_at_a_time_row(
    key: str, label: str, ms: list[float], errors: int, cold: ColdReads, warm: Scenario
) -> str:
    """A row of the main table for requests timed one at a time, beside ``warm``'s."""
    return (
        f"| {key} | {label} | – | {number(percentile(ms, 50))} | {number(percentile(ms, 99))} "
        f"| | {f'**{errors}**' if errors else 0} | | | | "
        f"{'' if warm.size is None else f'{warm.size:,}'} "
        f"| {cold.load_before.split()[0] if cold.load_before else ''} |"
    )


def render_profiles(setup: Setup) -> list[str]:
    if not setup.profiles:
        return []
    lines = [
        "## Profiles of the missed targets",
        "",
        "Each missed target's request, sent in-process through the WSGI handler with the "
        "same settings and database (`bench/profile_request.py`, no socket, no queue): "
        "its mean time, then where the time goes (pyinstrument; the first "
        f"{PROFILE_LINES} lines).",
        "",
    ]
    for name, text in setup.profiles.items():
        lines += [f"### {name}", "", "```", text, "```", ""]
    return lines


def render_validity(by_key: dict[str, Scenario], cold: ColdReads) -> list[str]:
    f = by_key["F"]
    statuses: dict[int, int] = {}
    for run in f.runs:
        for status, n in run.wrk.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    f_line = f"- F: {f.requests:,} PATCHes, statuses " + ", ".join(
        f"{status}: {n:,}" for status, n in sorted(statuses.items())
    )
    if f.errors:
        f_line += (
            f" — **{f.errors} were not 2xx: the F numbers are not valid** "
            "(a 412 means a write went out with a stale If-Match)"
        )
    cold_line = f"- C cold: {len(cold.cold_ms)} writes answered 200"
    if cold.failed_writes:
        cold_line += f", {len(cold.failed_writes)} failed: {cold.failed_writes[:3]}"
    cold_line += (
        f"; {cold.stale} of the {2 * len(cold.cold_ms)} GETs after them did not show the write"
    )
    if cold.stale:
        cold_line += " — **stale reads: those GETs were answered from a cache the write missed**"
    return ["## Checks of the measurements", "", f_line, cold_line, ""]


def render_queries(setup: Setup) -> list[str]:
    lines = [
        "## SQL queries a request",
        "",
        "Django's test client in a separate process, on the small dataset with the same "
        "settings; the second of two GETs of each path is counted.",
        "",
        "| path | status | queries |",
        "|---|---|---|",
    ]
    for path, entry in setup.queries.items():
        lines.append(f"| `{path.replace('{n}', '…')}` | {entry['status']} | {entry['queries']} |")
    lines += [
        "",
        "D's count must not depend on the page (1 or 50) nor on the page size (10 or 100): "
        "a count that grows with the page size is a query per event.",
        "",
    ]
    return lines


def render_memory(setup: Setup) -> list[str]:
    memory = setup.memory
    growths = memory_growths(memory)
    lines = [
        "## Worker memory",
        "",
        f"{memory['duration']} s of wrk ({memory['requests']:,} requests, "
        f"{number(memory['rate'])}/s, {memory['errors']} errors; load average before: "
        f"{memory['load_before']}) rotating over "
        + ", ".join(f"`{path}`" for path in memory["paths"])
        + ", after every scenario above had run on the same workers. VmRSS in MiB:",
        "",
        "| worker pid | after start-up | load begins | load ends | growth over the load |",
        "|---|---|---|---|---|",
        *(
            f"| {pid} | {mib(boot) if boot else '–'} | {mib(first)} | {mib(last)} | "
            f"{growth:+.1f}% |"
            for pid, boot, first, last, growth in growths
        ),
        "",
    ]
    if memory["replaced"]:
        lines += [f"Workers that came or went during the run: {memory['replaced']}.", ""]
    if memory.get("log_lines"):
        booted = [line for line in memory["log_lines"] if "Booting worker" in line]
        other = [line for line in memory["log_lines"] if "Booting worker" not in line]
        lines += [f"gunicorn booted {len(booted)} workers in all."]
        if other:
            lines += ["", "```", *other[:15], "```"]
        lines.append("")
    return lines


def render_runs(scenarios: list[Scenario]) -> list[str]:
    lines = [
        "## Each run",
        "",
        "| | requests/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|",
    ]
    for scenario in scenarios:
        if not scenario.runs:
            continue
        lines.append(
            f"| {scenario.key} | "
            + " | ".join(
                ", ".join(values)
                for values in (
                    [number(run.wrk.rate) for run in scenario.runs],
                    [number(run.wrk.latency_ms["p50"]) for run in scenario.runs],
                    [number(run.wrk.latency_ms["p99"]) for run in scenario.runs],
                    [str(run.errors) for run in scenario.runs],
                )
            )
            + " |"
        )
    lines.append("")
    return lines


def render_method(setup: Setup, args: argparse.Namespace) -> list[str]:
    return [
        "## How it was measured",
        "",
        "- The latency is wrk's, from sending a request to its response: with sync workers "
        f"it includes the wait in gunicorn's listen queue ({args.connections} connections "
        f"share {setup.workers} workers), so p50 is roughly connections ÷ requests/s. "
        "*worker p50* is gunicorn's own time per response (its access log), without that wait.",
        "- gunicorn's sync workers close the connection after each response; nginx keeps it "
        "open (its defaults). The floor and the ceiling answer A's exact bytes with A's "
        f"Content-Type (`{setup.a_content_type}`).",
        "- D and E carry `_bench=<unique>`, a parameter the API ignores, so that no response "
        "cache can answer them; A, B and C repeat one URL and may be served from one.",
        "- C cold: a PATCH of one of the timeline's events (as an editor, with If-Match), "
        "then a GET of the timeline, timed, then another; one request at a time, so its "
        "latency is the time to build the timeline after a write, with no queue. Both GETs "
        "must show the write. Without REDIS_URL each worker caches for itself: the second "
        "GET is fast only when it reaches a worker that has built the new version already.",
        "- F: each wrk thread PATCHes its own event over one connection, sending as If-Match "
        "the ETag of its last response; the summaries alternate, so every PATCH changes the "
        "event. The summaries are restored at the end.",
        "- *of the floor* and *of the ceiling*, and the targets, are medians of ratios: each "
        "run of a scenario over the reference's run of the same turn, minutes apart, so that "
        "a busy spell of the host weighs on both sides.",
        "- E compares *worker p50* at "
        f"{setup.large.dataset.label} with that at {setup.small.dataset.label} (same load, "
        "separate gunicorns on separate databases of one cluster): under 64 connections "
        "wrk's p50 is mostly the queue, and for responses slower than about "
        f"{args.duration * 1000 // (2 * args.connections) * setup.workers:,} ms it is "
        "capped by the run's length, so it would hide any growth. The worker time still "
        f"includes waiting for a CPU: {setup.workers} workers, PostgreSQL and wrk share the "
        "host's CPUs.",
        "",
    ]


# Entry point


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    full = PRESETS["full"]
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smaller data and shorter runs, for trying the harness: "
        + ", ".join(f"{name}={value}" for name, value in PRESETS["quick"].items()),
    )
    parser.add_argument("--events-small", type=int, help=f"D, E small ({full['events_small']:,})")
    parser.add_argument("--events-large", type=int, help=f"E large ({full['events_large']:,})")
    parser.add_argument("--duration", type=int, help=f"seconds a wrk run ({full['duration']})")
    parser.add_argument("--repeat", type=int, help=f"runs of each scenario ({full['repeat']})")
    parser.add_argument("--warmup", type=int, help=f"warm-up seconds each ({full['warmup']})")
    parser.add_argument(
        "--memory-duration", type=int, help=f"seconds of the memory run ({full['memory_duration']})"
    )
    parser.add_argument(
        "--cold-samples", type=int, help=f"writes for C cold ({full['cold_samples']})"
    )
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--writers", type=int, default=2, help="F: events written at once, one connection each (2)"
    )
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
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="where the PostgreSQL cluster and its datasets are kept between runs (bench/.data)",
    )
    parser.add_argument(
        "--fresh-data", action="store_true", help="generate the datasets again even if kept"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    args = parser.parse_args(argv)
    for name, value in PRESETS["quick" if args.quick else "full"].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.events_small >= args.events_large:
        parser.error("--events-small must be smaller than --events-large")
    if args.events_small < 5000:
        parser.error("--events-small must be at least 5,000 (D reads page 50 of 100 events)")
    if min(args.duration, args.repeat, args.memory_duration, args.cold_samples, args.writers) < 1:
        parser.error("durations, repeats, samples and writers must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    args.data_dir = args.data_dir.resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catch_interruptions()
    started = datetime.now(UTC)
    load_at_start = load_average()
    code = code_state()
    try:
        tools = find_tools()
        with contextlib.ExitStack() as stack:
            setup, scenarios, cold, pg_version = run(args, tools, stack)
    except (BenchError, OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
        print(f"bench/run.py: {error}", file=sys.stderr)
        return 2
    except Interrupted as interruption:
        print(f"bench/run.py: {interruption}; everything it started is stopped.", file=sys.stderr)
        return 128 + interruption.signum

    setup.memory["load_at_start"] = load_at_start
    setup.code = code
    if git_commit() not in code:
        setup.code += f"; HEAD moved to {git_commit()} during the run"
    report = render(scenarios, setup, cold, tools, args, started, pg_version)
    print(report)
    write_report(args.output, report)
    print(f"Written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

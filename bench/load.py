#!/usr/bin/env python3
"""Load and fault runs against the production configuration, driven by wrk.

Starts a PostgreSQL cluster of its own on a free port, migrates and seeds it,
serves the app with gunicorn as the Dockerfile does (production settings),
then runs:

- steady: wrk over a mix of read URLs; requests/s, latency, errors, and each
  gunicorn worker's memory (RSS) from after the warm-up to the end;
- fault: the same load while the cluster is stopped (``pg_ctl stop -m fast``)
  and started again; every failure must be a 503, and every response a 2xx
  again shortly after the cluster accepts connections.

Prints a Markdown report, writes it to bench/RESULTS-load.md, and exits 1
when a target is missed (2 when the runs could not be set up). Everything it
starts (gunicorn, the cluster, wrk) and its temporary directory go away on
exit, Ctrl-C included. Plain standard library: run it with any Python 3.11+;
the app itself runs from .venv (``make install``).

    python3 bench/load.py                       # both runs, 60 s each
    python3 bench/load.py --duration 15 --runs fault
"""

import argparse
import contextlib
import http.client
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from common import (
    BENCH,
    DOCKERFILE_WORKERS,
    MEMORY_GROWTH_LIMIT_PERCENT,
    BenchError,
    Cluster,
    Gunicorn,
    Interrupted,
    RssSampler,
    Tools,
    Wrk,
    WrkResult,
    app_environment,
    catch_interruptions,
    cpu_count,
    django_and_python_versions,
    find_tools,
    git_commit,
    gunicorn_version,
    http_get,
    is_success,
    load_average,
    machine,
    machine_cpu,
    memory_growth,
    mib,
    prepare_app,
    restarted_workers,
    worker_cpu_seconds,
    wrk_version,
)

DEFAULT_OUTPUT = BENCH / "RESULTS-load.md"

TIMELINE = "us-china-trade-2025"
EVENT = "busan-meeting"
# The read mix: the API's timeline, list and detail, the public page, and two
# of the timeline's other formats.
MIX_PATHS = (
    f"/api/v1/timelines/{TIMELINE}/",
    "/api/v1/events/",
    f"/api/v1/events/{EVENT}/",
    f"/timelines/{TIMELINE}/",
    f"/api/v1/timelines/{TIMELINE}/timelinejs/",
    f"/api/v1/timelines/{TIMELINE}/calendar.ics",
)


# Measurement


@dataclass
class Probe:
    second: int
    path: str
    started: float
    ended: float
    status: int | None
    error: str = ""

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else f"error ({self.error})"

    @property
    def timed_label(self) -> str:
        """The label, with the time the answer took when that was a second or more."""
        took = self.ended - self.started
        return self.label if took < 1 else f"{self.label} ({took:.1f} s)"


class Prober:
    """GET /healthz and /readyz once a second, each in its own thread, so a
    slow answer never delays the next probe."""

    PATHS = ("/healthz", "/readyz")

    def __init__(self, port: int, origin: int, seconds: int):
        self.port = port
        self.origin = origin
        self.seconds = seconds
        self.probes: list[Probe] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scheduler = threading.Thread(target=self._schedule, daemon=True)

    def start(self) -> None:
        self._scheduler.start()

    def _schedule(self) -> None:
        for second in range(self.seconds):
            delay = self.origin + second + 0.5 - time.time()
            if delay > 0 and self._stop.wait(delay):
                return
            for path in self.PATHS:
                thread = threading.Thread(target=self._probe, args=(second, path), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _probe(self, second: int, path: str) -> None:
        started = time.time()
        try:
            status, error = http_get(self.port, path)[0], ""
        except (OSError, http.client.HTTPException) as exc:
            status, error = None, type(exc).__name__
        with self._lock:
            self.probes.append(Probe(second, path, started, time.time(), status, error))

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler.ident is not None:
            self._scheduler.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=15)

    def by_path(self, path: str) -> list[Probe]:
        return sorted((p for p in self.probes if p.path == path), key=lambda p: p.second)


ACCESS_LINE = re.compile(
    r'"[A-Z]+ (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .* (?P<microseconds>\d+)$'
)
NOTABLE = re.compile(r"Traceback|ERROR|CRITICAL|WORKER TIMEOUT|SIGKILL|Exception|exited")


@dataclass
class PathStats:
    statuses: Counter = field(default_factory=Counter)
    service_ms: list[float] = field(default_factory=list)  # of the 2xx responses

    def percentile(self, percent: float) -> float:
        if not self.service_ms:
            return math.nan
        ordered = sorted(self.service_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))]


def access_stats(log: Path, offset: int) -> dict[str, PathStats]:
    """Responses per path: statuses, and the time gunicorn's worker took
    (without the time waiting in the listen queue), from the access log."""
    stats: dict[str, PathStats] = {}
    with log.open("rb") as raw:
        raw.seek(offset)
        for line in raw.read().decode(errors="replace").splitlines():
            match = ACCESS_LINE.search(line)
            if match:
                path, status = stats.setdefault(match["path"], PathStats()), int(match["status"])
                path.statuses[status] += 1
                if is_success(status):
                    path.service_ms.append(int(match["microseconds"]) / 1000)
    return stats


def notable_log_lines(log: Path) -> tuple[list[str], int]:
    """Error-log lines worth a look, and the count of the expected
    "Service Unavailable" lines that Django logs for each 503."""
    notable, unavailable = [], 0
    with log.open(errors="replace") as lines:
        for line in lines:
            line = line.rstrip()
            if "Service Unavailable" in line:
                unavailable += 1
            elif NOTABLE.search(line):
                notable.append(line)
    return notable, unavailable


# The runs


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class RunResult:
    name: str
    title: str
    origin: int
    wrk: WrkResult
    rss: list[tuple[float, dict[int, int]]]
    prober: Prober
    paths: dict[str, PathStats]
    worker_cpu_s: float
    machine_busy_percent: float
    load_average: str
    log_lines: list[str]
    unavailable_log_lines: int
    worker_class: str
    events: dict[str, float] = field(default_factory=dict)  # seconds after origin
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)


def mix_wrk(tools: Tools, port: int, args: argparse.Namespace, workdir: Path, name: str) -> Wrk:
    """wrk over the read mix (bench/mix.lua), as the arguments ask."""
    return Wrk(
        tools,
        workdir,
        name,
        url=f"http://127.0.0.1:{port}",
        script_args=MIX_PATHS,
        threads=args.threads,
        connections=args.connections,
        timeout=args.timeout,
    )


def run(
    name: str,
    tools: Tools,
    env: dict[str, str],
    workdir: Path,
    cluster: Cluster,
    args: argparse.Namespace,
) -> RunResult:
    fault = name == "fault"
    server = Gunicorn(tools, env, workdir, name, args.workers)
    with contextlib.ExitStack() as stack:
        stack.callback(server.stop)
        server.start()
        for path in MIX_PATHS:
            status, _, body = http_get(server.port, path)
            if status != 200:
                raise BenchError(f"GET {path} answered {status} before the run:\n{body[:500]!r}")

        if args.warmup:
            warmup = mix_wrk(tools, server.port, args, workdir, f"{name}-warmup")
            stack.callback(warmup.kill)
            warmup.start(args.warmup)
            warmup.wait(timeout=args.warmup + 60)
            # wrk leaves requests queued in the listen backlog when it stops; a
            # probe answered after them means the workers are idle again.
            http_get(server.port, "/healthz", timeout=120)
            time.sleep(1)

        sampler = RssSampler(server)
        load = mix_wrk(tools, server.port, args, workdir, name)
        access_offset = server.access_log.stat().st_size
        load_before = load_average()
        cpu_before = machine_cpu()
        started = time.time()
        origin = math.floor(started)
        prober = Prober(server.port, origin, args.duration)
        # Undone in reverse: wrk first, so the probes are not left queued behind its load.
        stack.callback(prober.stop)
        stack.callback(sampler.stop)
        stack.callback(load.kill)
        load.start(args.duration)
        sampler.start()
        prober.start()

        events: dict[str, float] = {}
        if fault:
            for action, at in (("stop", args.stop_at), ("start", args.start_at)):
                delay = started + at - time.time()
                if delay > 0:
                    time.sleep(delay)
                events[f"{action} begins"] = time.time() - origin
                if action == "stop":
                    cluster.stop("fast")
                    events["stopped"] = time.time() - origin
                else:
                    cluster.start()
                    events["accepting"] = time.time() - origin

        result = load.wait(timeout=args.duration + 60)
        cpu_after = machine_cpu()
        sampler.stop()
        prober.stop()

    notable, unavailable = notable_log_lines(server.error_log)
    outcome = RunResult(
        name=name,
        title="Run B — database outage" if fault else "Run A — steady load",
        origin=origin,
        wrk=result,
        rss=[(at - origin, sample) for at, sample in sampler.samples],
        prober=prober,
        paths=access_stats(server.access_log, access_offset),
        worker_cpu_s=worker_cpu_seconds(sampler.cpu_samples),
        machine_busy_percent=100.0
        * (cpu_after[0] - cpu_before[0])
        / max(1, cpu_after[1] - cpu_before[1]),
        load_average=load_before,
        log_lines=notable,
        unavailable_log_lines=unavailable,
        worker_class=server.worker_class(),
        events=events,
    )
    outcome.checks = fault_checks(outcome, args) if fault else steady_checks(outcome)
    return outcome


def socket_error_detail(wrk: WrkResult) -> str:
    kinds = ", ".join(f"{kind} {wrk.errors[kind]}" for kind in ("connect", "read", "write"))
    timeouts = f"timeout (slower than {wrk.timeout_s} s) {wrk.errors['timeout']}"
    return f"{wrk.socket_errors} ({kinds}, {timeouts})"


def steady_checks(result: RunResult) -> list[Check]:
    wrk = result.wrk
    failures = sum(n for status, n in wrk.statuses.items() if status >= 400)
    growth = memory_growth(result.rss)
    worst = max((percent for *_, percent in growth), default=math.nan)
    restarted = restarted_workers(result.rss)
    return [
        Check("no socket errors", wrk.socket_errors == 0, socket_error_detail(wrk)),
        Check(
            "no non-2xx/3xx responses",
            failures == 0,
            f"{failures} of {wrk.requests}",
        ),
        Check(
            f"worker RSS growth < {MEMORY_GROWTH_LIMIT_PERCENT:.0f}%",
            bool(growth) and worst < MEMORY_GROWTH_LIMIT_PERCENT and not restarted,
            f"largest {worst:+.1f}%"
            + (f"; workers replaced during the run: {sorted(restarted)}" if restarted else ""),
        ),
    ]


def fault_checks(result: RunResult, args: argparse.Namespace) -> list[Check]:
    wrk, events = result.wrk, result.events
    statuses = wrk.statuses
    others = {
        status: n for status, n in statuses.items() if not is_success(status) and status != 503
    }
    server_errors = {status: n for status, n in others.items() if status >= 500}
    unavailable = statuses.get(503, 0)

    recovered_from = math.ceil(events["accepting"] + args.grace)
    after = {
        second - result.origin: counts
        for second, counts in wrk.seconds.items()
        if second - result.origin >= recovered_from
    }
    late_failures = {
        second: {status: n for status, n in counts.items() if not is_success(status)}
        for second, counts in sorted(after.items())
        if any(not is_success(status) for status in counts)
    }
    served_after = sum(sum(counts.values()) for counts in after.values())

    healthz = result.prober.by_path("/healthz")
    bad_healthz = [p for p in healthz if p.status != 200]
    readyz = result.prober.by_path("/readyz")
    down = [
        p for p in readyz
        if p.started - result.origin >= events["stopped"]
        and p.ended - result.origin <= events["start begins"]
    ]  # fmt: skip
    up = [
        p for p in readyz
        if p.ended - result.origin < events["stop begins"]
        or p.started - result.origin >= events["accepting"] + args.grace
    ]  # fmt: skip
    bad_readyz = [p for p in down if p.status != 503] + [p for p in up if p.status != 200]

    without_retry_after = wrk.no_retry_after.get(503, 0)
    return [
        Check("the outage showed (503s)", unavailable > 0, f"{unavailable} responses were 503"),
        Check(
            "every 503 carries Retry-After",
            without_retry_after == 0,
            f"{unavailable - without_retry_after} of {unavailable}",
        ),
        Check(
            "every non-2xx response is a 503",
            not others,
            "none other"
            if not others
            else ", ".join(f"{s}: {n}" for s, n in sorted(others.items())),
        ),
        Check(
            "no 5xx other than 503",
            not server_errors,
            "none"
            if not server_errors
            else ", ".join(f"{s}: {n}" for s, n in sorted(server_errors.items())),
        ),
        Check(
            "no socket errors",
            wrk.socket_errors == 0,
            socket_error_detail(wrk)
            + (
                ""
                if wrk.socket_errors == 0
                else "; wrk does not time them: see the log lines below"
            ),
        ),
        Check(
            f"only 2xx from {args.grace:g} s after the cluster accepts connections",
            not late_failures and served_after > 0,
            f"{served_after} responses from t={recovered_from} s"
            + (
                ""
                if not late_failures
                else "; failures: " + "; ".join(f"t={s}: {c}" for s, c in late_failures.items())
            ),
        ),
        Check(
            "/healthz 200 all along",
            bool(healthz) and not bad_healthz,
            f"{len(healthz) - len(bad_healthz)} of {len(healthz)} probes"
            + "".join(f"; t={p.second}: {p.label}" for p in bad_healthz[:5]),
        ),
        Check(
            "/readyz 503 while down, 200 otherwise",
            bool(down) and not bad_readyz,
            f"{len(down)} probes while down, {len(up)} while up"
            + "".join(f"; t={p.second}: {p.label}" for p in bad_readyz[:5]),
        ),
    ]


# The report


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_run(result: RunResult, args: argparse.Namespace) -> list[str]:
    wrk = result.wrk
    rate = wrk.requests / wrk.duration_s if wrk.duration_s else 0.0
    cpu_per_request = 1000 * result.worker_cpu_s / wrk.requests if wrk.requests else math.nan
    # Whole seconds only: the first and the last are cut by the start and the end.
    whole = sorted(sum(counts.values()) for counts in list(wrk.seconds.values())[1:-1])
    per_second = (
        f"min {whole[0]}, median {whole[len(whole) // 2]}, max {whole[-1]}" if whole else "-"
    )
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(wrk.statuses.items()))
    lines = [
        f"## {result.title}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| requests | {wrk.requests} in {wrk.duration_s:.1f} s |",
        f"| requests/s | {rate:.1f} (per second: {per_second}) |",
        "| latency p50 / p90 / p99 / max | "
        + " / ".join(f"{wrk.latency_ms[key]:.1f}" for key in ("p50", "p90", "p99", "max"))
        + " ms |",
        f"| socket errors | {socket_error_detail(wrk)} |",
        f"| responses by status | {statuses or 'none'} |",
        f"| worker CPU | {result.worker_cpu_s:.1f} s, {cpu_per_request:.1f} ms per response |",
        f"| all CPUs busy (every process on the host) | {result.machine_busy_percent:.0f}% "
        f"(load average before the run: {result.load_average}) |",
        "",
        *busy_host_note(result),
        "Per path, from gunicorn's access log (time in the worker, without the wait in the "
        "listen queue):",
        "",
        "| path | responses | 2xx | 503 | other | 2xx worker p50 / p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for path in MIX_PATHS:
        stats = result.paths.get(path, PathStats())
        counts = stats.statuses
        ok = sum(n for status, n in counts.items() if is_success(status))
        other = sum(counts.values()) - ok - counts.get(503, 0)
        lines.append(
            f"| `{path}` | {sum(counts.values())} | {ok} | {counts.get(503, 0)} | {other} "
            f"| {stats.percentile(50):.1f} / {stats.percentile(99):.1f} |"
        )
    lines.append("")

    growth = memory_growth(result.rss)
    lines += [
        f"Worker memory (VmRSS, MiB) from t={result.rss[0][0]:.0f} s (after the "
        f"{args.warmup} s warm-up) to t={result.rss[-1][0]:.0f} s:"
        if result.rss
        else "Worker memory: no samples.",
        "",
        "| worker pid | start | end | growth |",
        "|---|---|---|---|",
        *(
            f"| {pid} | {mib(first)} | {mib(last)} | {percent:+.1f}% |"
            for pid, first, last, percent in growth
        ),
    ]
    restarted = restarted_workers(result.rss)
    if restarted:
        lines.append(f"\nWorkers that came or went during the run: {sorted(restarted)}.")
    lines.append("")

    if result.name == "fault":
        lines += render_timeline(result)
        for kind, sample in sorted(wrk.samples.items()):
            status, _, content_type = kind.partition(" ")
            lines += [
                f"- first {status} as {content_type or 'no Content-Type'} "
                f"(t={int(sample['second']) - result.origin} s, "
                f"Retry-After: {sample['retry_after'] or 'none'}): "
                f"`{short(sample['body'], 200)}`"
            ]
        lines.append("")
    else:
        for path in Prober.PATHS:
            probes = result.prober.by_path(path)
            labels = Counter(p.label for p in probes)
            slowest = max((p.ended - p.started for p in probes), default=0.0)
            lines.append(
                f"- `{path}` probes: "
                + ", ".join(f"{label} × {n}" for label, n in sorted(labels.items()))
                + f"; slowest answer {slowest:.1f} s (queued behind the load)"
            )
        lines.append("")

    lines.append(
        f"gunicorn's error log: {len(result.log_lines)} notable lines, and "
        f"{result.unavailable_log_lines} `Service Unavailable` lines (Django logs one per 503)."
    )
    if result.log_lines:
        lines += ["", "```", *(short(line, 240) for line in result.log_lines[:15]), "```"]
    lines += ["", "| check | result | detail |", "|---|---|---|"]
    for check in result.checks:
        lines.append(
            f"| {check.name} | {'PASS' if check.passed else '**FAIL**'} | {check.detail} |"
        )
    lines += ["", f"**{result.title}: {'PASS' if result.passed else 'FAIL'}**", ""]
    return lines


def busy_host_note(result: RunResult) -> list[str]:
    cpus = cpu_count()
    if float(result.load_average.split()[0]) < cpus / 2:
        return []
    return [
        f"> **Busy host:** the load average was {result.load_average} on {cpus} CPUs before "
        "this run: other processes shared the CPUs, so requests/s and latency understate "
        "what a quiet host serves. The worker CPU per response does not depend on it.",
        "",
    ]


def render_timeline(result: RunResult) -> list[str]:
    events = result.events
    notes: dict[int, list[str]] = {}
    for name, at in events.items():
        notes.setdefault(math.floor(at), []).append(f"{name} ({at:.1f} s)")
    probes = {(p.second, p.path): p.timed_label for p in result.prober.probes}
    lines = [
        "PostgreSQL: " + ", ".join(f"{name} at t={at:.1f} s" for name, at in events.items()) + ".",
        "",
        "| t (s) | 2xx | 503 | other | /healthz | /readyz | cluster |",
        "|---|---|---|---|---|---|---|",
    ]
    for second in range(math.ceil(result.wrk.duration_s) + 1):
        counts = result.wrk.seconds.get(result.origin + second, Counter())
        ok = sum(n for status, n in counts.items() if is_success(status))
        other = {
            status: n for status, n in counts.items() if not is_success(status) and status != 503
        }
        other_text = ", ".join(f"{s}: {n}" for s, n in sorted(other.items())) or "0"
        if not counts and (second, "/healthz") not in probes:
            continue
        lines.append(
            f"| {second} | {ok} | {counts.get(503, 0)} | {other_text} | "
            f"{probes.get((second, '/healthz'), '')} | {probes.get((second, '/readyz'), '')} | "
            f"{'; '.join(notes.get(second, []))} |"
        )
    lines.append("")
    return lines


def render_report(
    results: list[RunResult],
    args: argparse.Namespace,
    tools: Tools,
    cluster_version: str,
    started: datetime,
) -> str:
    worker_class = results[0].worker_class if results else "unknown"
    workers_source = (
        "WEB_CONCURRENCY" if "WEB_CONCURRENCY" in os.environ else "the Dockerfile's default"
    )
    django, python = django_and_python_versions(tools)
    lines = [
        "# Load and fault runs",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; commit {git_commit()} "
        "(plus any uncommitted changes in the checkout)",
        f"- host: `uname -m` {machine()}, nproc {cpu_count()}",
        f"- app: Django {django} on Python {python}; "
        f"gunicorn {gunicorn_version(tools)}, "
        f"{args.workers} {worker_class} workers ({workers_source}, as the Dockerfile's CMD), "
        "production settings (DJANGO_ENV=production), throttling off",
        f"- {cluster_version}, a cluster of the bench's own on 127.0.0.1",
        f"- wrk: {wrk_version(tools)}; "
        f"{args.connections} connections, {args.threads} threads, {args.duration} s per run "
        f"after a {args.warmup} s warm-up, --timeout {args.timeout} s, "
        "header `X-Forwarded-Proto: https`",
        "- mix (rotated): " + ", ".join(f"`{path}`" for path in MIX_PATHS),
        f"- command: `{' '.join(['python3', 'bench/load.py', *sys.argv[1:]])}`",
        "",
    ]
    for result in results:
        lines += render_run(result, args)
    verdict = "PASS" if results and all(r.passed for r in results) else "FAIL"
    lines.append(f"**Overall: {verdict}**")
    return "\n".join(lines) + "\n"


# Entry point


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds per run (60)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    parser.add_argument(
        "--threads", type=int, default=None, help="wrk threads (the CPUs, at most 4)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", DOCKERFILE_WORKERS)),
        help="gunicorn workers (WEB_CONCURRENCY, else 3, as the Dockerfile)",
    )
    parser.add_argument("--warmup", type=int, default=10, help="warm-up seconds, not measured (10)")
    parser.add_argument(
        "--timeout",
        type=int,
        default=30,
        help="wrk's per-request timeout (30 s, gunicorn's worker timeout): slower "
        "responses count as timeout errors and are left out of the latency percentiles",
    )
    parser.add_argument(
        "--runs",
        default="steady,fault",
        help="which runs, comma-separated: steady, fault (both)",
    )
    parser.add_argument(
        "--stop-at", type=float, default=None, help="fault: stop PostgreSQL at (duration/3) s"
    )
    parser.add_argument(
        "--start-at", type=float, default=None, help="fault: start it again at (duration/2) s"
    )
    parser.add_argument(
        "--grace", type=float, default=2.0, help="fault: seconds allowed to recover (2)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="report file")
    args = parser.parse_args(argv)

    args.runs = [name.strip() for name in args.runs.split(",") if name.strip()]
    if not args.runs or set(args.runs) - {"steady", "fault"}:
        parser.error("--runs takes steady, fault or both")
    if args.threads is None:
        args.threads = max(1, min(4, cpu_count(), args.connections))
    args.stop_at = args.duration / 3 if args.stop_at is None else args.stop_at
    args.start_at = args.duration / 2 if args.start_at is None else args.start_at
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    if not 0 < args.stop_at < args.start_at < args.duration:
        parser.error("need 0 < --stop-at < --start-at < --duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    catch_interruptions()
    started = datetime.now(UTC)
    results: list[RunResult] = []
    try:
        tools = find_tools()
        with contextlib.ExitStack() as stack:
            workdir = Path(tempfile.mkdtemp(prefix="timeline-bench-"))
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
            # The postgres user must reach its directory inside.
            workdir.chmod(0o755)
            cluster = Cluster.temporary(tools.pg_bin, workdir)
            stack.callback(cluster.destroy)
            print(
                f"PostgreSQL on 127.0.0.1:{cluster.port}: initdb, migrate, seed…", file=sys.stderr
            )
            cluster.create()
            env = app_environment(workdir, cluster.url())
            prepare_app(tools, env, workdir)
            for name in ("steady", "fault"):
                if name in args.runs:
                    print(
                        f"{name} run: {args.warmup} s warm-up, {args.duration} s load…",
                        file=sys.stderr,
                    )
                    results.append(run(name, tools, env, workdir, cluster, args))
            cluster_version = cluster.version()
    except (BenchError, OSError, http.client.HTTPException, subprocess.SubprocessError) as error:
        print(f"bench/load.py: {error}", file=sys.stderr)
        return 2
    except Interrupted as interruption:
        print(f"bench/load.py: {interruption}; everything it started is stopped.", file=sys.stderr)
        return 128 + interruption.signum

    report = render_report(results, args, tools, cluster_version, started)
    print(report)
    args.output.write_text(report)
    print(f"Written to {args.output}", file=sys.stderr)
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())

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
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MIX_LUA = BENCH / "mix.lua"
VENV_BIN = ROOT / ".venv" / "bin"
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
# Production redirects plain HTTP to HTTPS; a TLS proxy would set this.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
DATABASE = "timeline"
# The Dockerfile's CMD: gunicorn's default (sync) workers, WEB_CONCURRENCY of them.
DOCKERFILE_WORKERS = 3
MEMORY_GROWTH_LIMIT_PERCENT = 10.0
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
WRK_INSTALL_HINT = "apt-get update && apt-get install -y wrk"


class BenchError(Exception):
    """The runs could not be set up or carried out (not a missed target)."""


# Processes and files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def command_output(*command: str) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (result.stdout or result.stderr).strip()


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers=PROXY_HEADERS)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def children_of(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == parent:
            children.append(int(entry.name))
    return sorted(children)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_ticks(pid: int) -> int | None:
    """User plus system CPU time of a process, in clock ticks."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs since boot."""
    # user nice system idle iowait irq softirq steal (guest time is already in user).
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def stop_process_group(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM the leader, then SIGKILL whatever is left of its process group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


# Tools


@dataclass
class Tools:
    wrk: str
    pg_bin: Path
    python: Path
    gunicorn: Path


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"wrk is missing; installing it: {WRK_INSTALL_HINT}", file=sys.stderr)
        quiet = {
            "stdout": subprocess.DEVNULL,
            "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        }
        subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)
        wrk = shutil.which("wrk")
        if wrk:
            return wrk
    sudo = "" if os.geteuid() == 0 else "sudo "
    raise BenchError(
        "wrk is not installed. On Debian or Ubuntu: "
        f"{sudo}apt-get update && {sudo}apt-get install -y wrk "
        "(elsewhere build it from https://github.com/wg/wrk)."
    )


def find_pg_bin() -> Path:
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for candidate in candidates:
        if all((candidate / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return candidate
    raise BenchError(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found. "
        "On Debian or Ubuntu: apt-get install -y postgresql"
    )


def find_tools() -> Tools:
    python, gunicorn = VENV_BIN / "python", VENV_BIN / "gunicorn"
    if not (python.exists() and gunicorn.exists()):
        raise BenchError(f"{VENV_BIN} has no python or gunicorn: run `make install` first.")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        raise BenchError("Running as root needs runuser (util-linux) to run PostgreSQL.")
    return Tools(wrk=find_wrk(), pg_bin=find_pg_bin(), python=python, gunicorn=gunicorn)


# PostgreSQL


class Cluster:
    """A throwaway PostgreSQL cluster (trust authentication, 127.0.0.1 only)."""

    def __init__(self, pg_bin: Path, workdir: Path):
        self.pg_bin = pg_bin
        # PostgreSQL refuses to run as root: as root, its files belong to postgres.
        self.home = workdir / "postgresql"
        self.home.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
        self.data = self.home / "data"
        self.server_log = self.home / "server.log"
        self.ctl_log = workdir / "pg_ctl.log"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, program: str, *args: str, check: bool = True, timeout: float = 120) -> None:
        command = [str(self.pg_bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, never a pipe: the server pg_ctl starts would keep a
        # pipe open and the read would never end.
        with self.ctl_log.open("ab") as log:
            result = subprocess.run(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=timeout
            )
        if check and result.returncode != 0:
            raise BenchError(
                f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                f"{tail(self.ctl_log)}\n{tail(self.server_log)}"
            )

    def create(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def start(self) -> None:
        # fsync off: the runs only read; it speeds up migrate, seed and restarts.
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.server_log),
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False)
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)

    def version(self) -> str:
        return command_output(str(self.pg_bin / "postgres"), "--version")


# The app


def app_environment(workdir: Path, database_url: str) -> dict[str, str]:
    """Production settings, from a clean environment so the shell's own
    DATABASE_URL, REDIS_URL or log level cannot change what is measured."""
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TIMELINE_SEED_DIR")
        if name in os.environ
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS="http://127.0.0.1",
        DATABASE_URL=database_url,
        # No rate limits: one client address sends the whole load.
        API_THROTTLE_ANON="off",
        API_THROTTLE_USER="off",
        # The static files are collected into the temporary directory.
        DJANGO_STATIC_ROOT=str(workdir / "static"),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_app(tools: Tools, env: dict[str, str], workdir: Path) -> None:
    for command in (
        ["migrate", "--no-input"],
        ["seed"],
        ["collectstatic", "--no-input"],
    ):
        result = subprocess.run(
            [str(tools.python), "manage.py", *command, "-v", "0"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise BenchError(
                f"manage.py {' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )


class Gunicorn:
    """gunicorn as the Dockerfile's CMD runs it, on a free local port."""

    def __init__(self, tools: Tools, env: dict[str, str], workdir: Path, name: str, workers: int):
        self.tools = tools
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.access_log = workdir / f"{name}-access.log"
        self.error_log = workdir / f"{name}-error.log"
        self.control_socket = workdir / f"{name}-gunicorn.ctl"
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        command = [
            str(self.tools.gunicorn),
            "config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--access-logfile", "-",
            "--forwarded-allow-ips", "*",
            # gunicorn's default format plus the time each request took (µs).
            "--access-logformat", ACCESS_LOG_FORMAT,
        ]  # fmt: skip
        # gunicorn ≥ 24 opens a control socket in $HOME; keep it in the temporary directory.
        if "--control-socket" in command_output(str(self.tools.gunicorn), "--help"):
            command += ["--control-socket", str(self.control_socket)]
        return command

    def start(self) -> None:
        with self.access_log.open("wb") as access, self.error_log.open("wb") as errors:
            self.process = subprocess.Popen(
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=access,
                stderr=errors,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"gunicorn exited ({self.process.returncode}):\n{tail(self.error_log)}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                if http_get(self.port, "/healthz", timeout=2)[0] == 200 and (
                    len(self.worker_pids()) == self.workers
                ):
                    return
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not become ready in 60 s:\n{tail(self.error_log)}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is not None:
            # gunicorn's graceful timeout is 30 s.
            stop_process_group(self.process, grace=35)

    def worker_class(self) -> str:
        match = re.search(r"Using worker: (\S+)", self.error_log.read_text(errors="replace"))
        return match.group(1) if match else "unknown"


# Measurement


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    errors: dict[str, int]
    latency_ms: dict[str, float]
    seconds: dict[int, Counter]  # epoch second (in order) -> status -> responses
    # "<status> <Content-Type>" -> the first non-2xx response of that kind
    samples: dict[str, dict]
    no_retry_after: dict[int, int]  # status -> non-2xx responses without Retry-After
    timeout_s: int

    @property
    def socket_errors(self) -> int:
        return sum(self.errors[kind] for kind in ("connect", "read", "write", "timeout"))

    @property
    def statuses(self) -> Counter:
        total: Counter = Counter()
        for counts in self.seconds.values():
            total.update(counts)
        return total


class Wrk:
    def __init__(self, tools: Tools, port: int, args: argparse.Namespace, workdir: Path, name: str):
        self.tools = tools
        self.port = port
        self.args = args
        self.json = workdir / f"{name}-wrk.json"
        self.log = workdir / f"{name}-wrk.log"
        self.process: subprocess.Popen | None = None

    def start(self, duration: int) -> None:
        command = [
            self.tools.wrk,
            f"--threads={self.args.threads}",
            f"--connections={self.args.connections}",
            f"--duration={duration}s",
            f"--timeout={self.args.timeout}s",
            "--latency",
            f"--script={MIX_LUA}",
            *(f"--header={name}: {value}" for name, value in PROXY_HEADERS.items()),
            f"http://127.0.0.1:{self.port}",
            "--",
            *MIX_PATHS,
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, "BENCH_WRK_JSON": str(self.json)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )

    def wait(self, timeout: float) -> WrkResult:
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"wrk did not finish in {timeout:.0f} s") from None
        if returncode != 0 or not self.json.exists():
            raise BenchError(f"wrk failed ({returncode}):\n{tail(self.log)}")
        data = json.loads(self.json.read_text(encoding="utf-8", errors="replace"))
        return WrkResult(
            requests=int(data["requests"]),
            duration_s=data["duration_us"] / 1e6,
            errors={kind: int(count) for kind, count in data["errors"].items()},
            latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
            seconds={
                int(second): Counter({int(status): int(n) for status, n in counts.items()})
                for second, counts in sorted(data["seconds"].items(), key=lambda item: int(item[0]))
            },
            samples=data["samples"],
            no_retry_after={int(status): n for status, n in data["no_retry_after"].items()},
            timeout_s=self.args.timeout,
        )

    def kill(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace=2)


class RssSampler:
    """Each gunicorn worker's resident memory and CPU time, once a second."""

    def __init__(self, server: Gunicorn):
        self.server = server
        self.samples: list[tuple[float, dict[int, int]]] = []
        self.cpu_samples: list[dict[int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while True:
            pids = self.server.worker_pids()
            sample = {pid: rss for pid in pids if (rss := rss_kib(pid))}
            self.samples.append((time.time(), sample))
            self.cpu_samples.append({pid: ticks for pid in pids if (ticks := cpu_ticks(pid))})
            if self._stop.wait(1.0):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)


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
            warmup = Wrk(tools, server.port, args, workdir, f"{name}-warmup")
            stack.callback(warmup.kill)
            warmup.start(args.warmup)
            warmup.wait(timeout=args.warmup + 60)
            # wrk leaves requests queued in the listen backlog when it stops; a
            # probe answered after them means the workers are idle again.
            http_get(server.port, "/healthz", timeout=120)
            time.sleep(1)

        sampler = RssSampler(server)
        load = Wrk(tools, server.port, args, workdir, name)
        access_offset = server.access_log.stat().st_size
        load_average = " ".join(Path("/proc/loadavg").read_text().split()[:3])
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
        load_average=load_average,
        log_lines=notable,
        unavailable_log_lines=unavailable,
        worker_class=server.worker_class(),
        events=events,
    )
    outcome.checks = fault_checks(outcome, args) if fault else steady_checks(outcome)
    return outcome


def is_success(status: int) -> bool:
    return 200 <= status < 300


def memory_growth(rss: list[tuple[float, dict[int, int]]]) -> list[tuple[int, int, int, float]]:
    """(pid, first KiB, last KiB, growth %) of each worker seen from the first
    sample to the last."""
    if not rss:
        return []
    first, last = rss[0][1], rss[-1][1]
    return [
        (pid, first[pid], last[pid], 100.0 * (last[pid] - first[pid]) / first[pid])
        for pid in sorted(first)
        if pid in last
    ]


def worker_cpu_seconds(samples: list[dict[int, int]]) -> float:
    """CPU time the workers spent from the first sample to the last."""
    if not samples:
        return 0.0
    first, last = samples[0], samples[-1]
    ticks = sum(last[pid] - first[pid] for pid in first if pid in last)
    return ticks / os.sysconf("SC_CLK_TCK")


def restarted_workers(rss: list[tuple[float, dict[int, int]]]) -> set[int]:
    seen = [set(sample) for _, sample in rss]
    everyone = set().union(*seen) if seen else set()
    return {pid for pid in everyone if not all(pid in sample for sample in seen)}


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


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


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
    cpus = len(os.sched_getaffinity(0))
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
    wrk_version = command_output(tools.wrk, "-v").splitlines()
    worker_class = results[0].worker_class if results else "unknown"
    workers_source = (
        "WEB_CONCURRENCY" if "WEB_CONCURRENCY" in os.environ else "the Dockerfile's default"
    )
    commit = command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    gunicorn = re.search(r"[\d.]+", command_output(str(tools.gunicorn), "--version"))
    django = command_output(
        str(tools.python),
        "-c",
        "import django, sys; print(django.get_version(), sys.version.split()[0])",
    ).split()
    lines = [
        "# Load and fault runs",
        "",
        f"- date: {started:%Y-%m-%d %H:%M} UTC; commit {commit or 'unknown'} "
        "(plus any uncommitted changes in the checkout)",
        f"- host: `uname -m` {platform.machine()}, nproc {len(os.sched_getaffinity(0))}",
        f"- app: Django {django[0] if django else '?'} on Python {django[-1] if django else '?'}; "
        f"gunicorn {gunicorn.group() if gunicorn else '?'}, "
        f"{args.workers} {worker_class} workers ({workers_source}, as the Dockerfile's CMD), "
        "production settings (DJANGO_ENV=production), throttling off",
        f"- {cluster_version}, a cluster of the bench's own on 127.0.0.1",
        f"- wrk: {wrk_version[0].split(' Copyright')[0] if wrk_version else 'unknown'}; "
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
        args.threads = max(1, min(4, len(os.sched_getaffinity(0)), args.connections))
    args.stop_at = args.duration / 3 if args.stop_at is None else args.stop_at
    args.start_at = args.duration / 2 if args.start_at is None else args.start_at
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    if not 0 < args.stop_at < args.start_at < args.duration:
        parser.error("need 0 < --stop-at < --start-at < --duration")
    return args


class Interrupted(Exception):
    """Ctrl-C, SIGTERM or SIGHUP: unwinds so that every cleanup runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def interrupt(signum, frame):
    # A second Ctrl-C must not cut the cleanup short.
    for other in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)
    started = datetime.now(UTC)
    results: list[RunResult] = []
    try:
        tools = find_tools()
        with contextlib.ExitStack() as stack:
            workdir = Path(tempfile.mkdtemp(prefix="timeline-bench-"))
            stack.callback(shutil.rmtree, workdir, ignore_errors=True)
            # The postgres user must reach its directory inside.
            workdir.chmod(0o755)
            cluster = Cluster(tools.pg_bin, workdir)
            stack.callback(cluster.destroy)
            print(
                f"PostgreSQL on 127.0.0.1:{cluster.port}: initdb, migrate, seed…", file=sys.stderr
            )
            cluster.create()
            env = app_environment(workdir, cluster.url)
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

"""What bench/load.py and bench/run.py share: tools, a PostgreSQL cluster of
their own, the app under gunicorn as the Dockerfile runs it, wrk, and the
samplers that watch the workers.

Plain standard library, like the scripts that import it: they run with any
Python 3.11+, and the app itself runs from .venv (``make install``).
"""

import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MIX_LUA = BENCH / "mix.lua"
VENV_BIN = ROOT / ".venv" / "bin"

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


def http_request(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection, with the proxy headers; (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
    return http_request(port, "GET", path, timeout=timeout)


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


def load_average() -> str:
    """The host's 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_count() -> int:
    return len(os.sched_getaffinity(0))


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


def catch_interruptions() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


# Tools


@dataclass
class Tools:
    wrk: str
    pg_bin: Path
    python: Path
    gunicorn: Path


def apt_install(package: str) -> bool:
    """Install a Debian package when running as root where apt-get exists."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    quiet = {
        "stdout": subprocess.DEVNULL,
        "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    }
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, **quiet)
    return True


def find_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"wrk is missing; installing it: {WRK_INSTALL_HINT}", file=sys.stderr)
        apt_install("wrk")
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


def wrk_version(tools: Tools) -> str:
    lines = command_output(tools.wrk, "-v").splitlines()
    return lines[0].split(" Copyright")[0] if lines else "unknown"


def gunicorn_version(tools: Tools) -> str:
    match = re.search(r"[\d.]+", command_output(str(tools.gunicorn), "--version"))
    return match.group() if match else "?"


def django_and_python_versions(tools: Tools) -> tuple[str, str]:
    versions = command_output(
        str(tools.python),
        "-c",
        "import django, sys; print(django.get_version(), sys.version.split()[0])",
    ).split()
    return (versions[0], versions[-1]) if len(versions) == 2 else ("?", "?")


def git_commit() -> str:
    commit = command_output("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD")
    # Outside a checkout, command_output gives git's error.
    return commit if re.fullmatch(r"[0-9a-f]{4,40}", commit) else "unknown"


def machine() -> str:
    return platform.machine()


def code_state() -> str:
    """The commit, and whether the app's code differs from it (a run measures the
    checkout as it is when it starts)."""
    if git_commit() == "unknown":
        return "commit unknown (not a git checkout)"
    changed = command_output("git", "-C", str(ROOT), "status", "--porcelain", "--", "config",
                             "timeline", "sources")  # fmt: skip
    count = len(changed.splitlines()) if changed else 0
    state = f"commit {git_commit()}"
    if not count:
        return f"{state} (the app's code as committed)"
    return f"{state} plus uncommitted changes to {count} of the app's files (measured as they were)"


# Reports: bench/RESULTS.md holds run.py's report and, between its markers,
# peer.py's section; each run replaces its own part only.


def section_markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def marked_section(path: Path, name: str) -> str:
    """A report's section between its markers (markers included), or ""."""
    start, end = section_markers(name)
    text = path.read_text() if path.exists() else ""
    first, last = text.find(start), text.find(end)
    return text[first : last + len(end)] if 0 <= first < last else ""


def replace_section(path: Path, name: str, section: str) -> None:
    """Write a section between its markers, in place of the previous one or at the end."""
    start, end = section_markers(name)
    marked = f"{start}\n{section.rstrip()}\n{end}"
    text = path.read_text() if path.exists() else ""
    previous = marked_section(path, name)
    if previous:
        text = text.replace(previous, marked, 1)
    else:
        text = f"{text.rstrip()}\n\n{marked}\n" if text.strip() else f"{marked}\n"
    path.write_text(text)


def write_report(path: Path, report: str, keep: tuple[str, ...] = ("peer",)) -> None:
    """Write run.py's report, keeping the other benches' sections of the file."""
    kept = [section for name in keep if (section := marked_section(path, name))]
    path.write_text("\n\n".join([report.rstrip(), *kept]) + "\n")


# PostgreSQL


def postgres_dir(path: Path) -> Path:
    """A directory PostgreSQL may own: as root, its files belong to the postgres user
    (PostgreSQL refuses to run as root)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


class Cluster:
    """A PostgreSQL cluster of the bench's own (trust authentication, 127.0.0.1 only).

    ``data`` is the data directory; ``run_dir`` (owned by the server's user)
    holds its socket and server log; ``ctl_log`` collects the output of the
    PostgreSQL programs run.
    """

    def __init__(self, pg_bin: Path, data: Path, run_dir: Path, ctl_log: Path):
        self.pg_bin = pg_bin
        self.data = data
        self.run_dir = run_dir
        self.server_log = run_dir / "server.log"
        self.ctl_log = ctl_log
        self.port = free_port()

    @classmethod
    def temporary(cls, pg_bin: Path, workdir: Path) -> "Cluster":
        """A cluster whose data lives and dies with the run's temporary directory."""
        home = postgres_dir(workdir / "postgresql")
        return cls(pg_bin, home / "data", home, workdir / "pg_ctl.log")

    def url(self, database: str = DATABASE) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, check: bool = True, timeout: float = 120) -> int:
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
        return result.returncode

    def initdb(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip

    def create(self) -> None:
        self.initdb()
        self.start()
        self.createdb(DATABASE)

    def createdb(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)

    def dropdb(self, name: str) -> None:
        self._run(
            "dropdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "--if-exists",
            name,
        )  # fmt: skip

    def query(self, database: str, sql: str, timeout: float = 120) -> list[list[str]]:
        """Rows of a query, as text (psql over TCP: trust needs no password)."""
        command = [
            str(self.pg_bin / "psql"), "-X", "-q", "-A", "-t", "-F", "\t",
            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
            "-v", "ON_ERROR_STOP=1", "-c", sql,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise BenchError(f"psql on {database} failed: {result.stderr.strip()}")
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def databases(self) -> set[str]:
        return {row[0] for row in self.query("postgres", "SELECT datname FROM pg_database")}

    def start(self) -> None:
        # fsync off: a crash of the host (not of a process) could lose data,
        # and it speeds up migrate, seed, the bench data and restarts.
        options = f"-p {self.port} -k {self.run_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.server_log),
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def running(self) -> bool:
        """Whether a server runs on this data directory (``pg_ctl status``)."""
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False) == 0

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
        TIMELINE_UID_DOMAIN="bench.invalid",
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


def manage(
    tools: Tools, env: dict[str, str], *command: str, timeout: float = 600, quiet: bool = True
) -> str:
    """Run ``manage.py`` from .venv; its standard output, or BenchError with its end."""
    result = subprocess.run(
        [str(tools.python), "manage.py", *command, *(("-v", "0") if quiet else ())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise BenchError(
            f"manage.py {' '.join(command)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def prepare_app(tools: Tools, env: dict[str, str], workdir: Path) -> None:
    for command in (
        ["migrate", "--no-input"],
        ["seed"],
        ["collectstatic", "--no-input"],
    ):
        manage(tools, env, *command)


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


# wrk


@dataclass
class WrkResult:
    requests: int
    duration_s: float
    bytes: int
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

    @property
    def rate(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0


class Wrk:
    """One wrk run with a Lua script that writes its results as JSON (bench/mix.lua
    and the scripts built on it)."""

    def __init__(
        self,
        tools: Tools,
        workdir: Path,
        name: str,
        *,
        url: str,
        script: Path = MIX_LUA,
        script_args: tuple[str, ...] | list[str] = (),
        threads: int,
        connections: int,
        timeout: int,
        headers: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ):
        self.tools = tools
        self.url = url
        self.script = script
        self.script_args = list(script_args)
        self.threads = threads
        self.connections = connections
        self.timeout = timeout
        self.headers = {**PROXY_HEADERS, **(headers or {})}
        self.env = env or {}
        self.json = workdir / f"{name}-wrk.json"
        self.log = workdir / f"{name}-wrk.log"
        self.process: subprocess.Popen | None = None

    def start(self, duration: int) -> None:
        command = [
            self.tools.wrk,
            f"--threads={self.threads}",
            f"--connections={self.connections}",
            f"--duration={duration}s",
            f"--timeout={self.timeout}s",
            "--latency",
            f"--script={self.script}",
            *(f"--header={name}: {value}" for name, value in self.headers.items()),
            self.url,
            "--",
            *self.script_args,
        ]
        self.json.unlink(missing_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env, "BENCH_WRK_JSON": str(self.json)},
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
            bytes=int(data.get("bytes", 0)),
            errors={kind: int(count) for kind, count in data["errors"].items()},
            latency_ms={name: value / 1000 for name, value in data["latency_us"].items()},
            seconds={
                int(second): Counter({int(status): int(n) for status, n in counts.items()})
                for second, counts in sorted(data["seconds"].items(), key=lambda item: int(item[0]))
            },
            samples=data["samples"],
            no_retry_after={int(status): n for status, n in data["no_retry_after"].items()},
            timeout_s=self.timeout,
        )

    def run(self, duration: int) -> WrkResult:
        try:
            self.start(duration)
            return self.wait(timeout=duration + self.timeout + 60)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process is not None:
            stop_process_group(self.process, grace=2)


# Watching the workers


class RssSampler:
    """Each gunicorn worker's resident memory and CPU time, once a second."""

    def __init__(self, server: Gunicorn, interval: float = 1.0):
        self.server = server
        self.interval = interval
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
            if self._stop.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)


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


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"

"""A database outage is a 503 with Retry-After, and the service recovers by itself."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.utils import IntegrityError

from config.outages import is_connection_error
from timeline.api.views import EventViewSet


def _wrapped(cause: Exception) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_only_a_lost_connection_counts_as_an_outage():
    for error, is_outage in [
        (_wrapped(psycopg.OperationalError("connection refused")), True),
        (_wrapped(psycopg.errors.AdminShutdown("terminating connection")), True),
        (_wrapped(psycopg.errors.ConnectionFailure("connection failure")), True),
        (_wrapped(psycopg.errors.DeadlockDetected("deadlock detected")), False),
        (_wrapped(psycopg.errors.SerializationFailure("could not serialize")), False),
        (IntegrityError("duplicate key"), False),
        (ValueError("not a database error"), False),
    ]:
        assert is_connection_error(error) is is_outage, repr(error.__cause__ or error)


def test_a_lost_connection_in_an_api_view_is_a_json_503_with_retry_after(client, monkeypatch, db):
    def lost(self, request, *args, **kwargs):
        raise _wrapped(psycopg.OperationalError("server closed the connection unexpectedly"))

    monkeypatch.setattr(EventViewSet, "list", lost)

    response = client.get("/api/v1/events/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The database is unavailable; retry in a few seconds.",
        "code": "service_unavailable",
    }


def test_a_deadlock_is_not_an_outage(monkeypatch, db):
    from django.test import Client

    def deadlocked(self, request, *args, **kwargs):
        raise _wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))

    monkeypatch.setattr(EventViewSet, "list", deadlocked)

    response = Client(raise_request_exception=False).get("/api/v1/events/")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


# A real outage: a PostgreSQL cluster of the test's own, stopped and started
# under a gunicorn serving the app.

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(*args: str) -> None:
    # No pipes: the server started by pg_ctl would hold them open.
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
    )


def _get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def own_cluster():
    if os.geteuid() != 0 or PG_BIN is None or shutil.which("runuser") is None:
        pytest.skip("needs root, runuser and PostgreSQL's server binaries to run a cluster")
    # Not under pytest's tmp_path: its parents are closed to the postgres user.
    data = Path(tempfile.mkdtemp(prefix="timeline-outage-"))
    shutil.chown(data, "postgres")
    port = _free_port()
    _as_postgres(
        str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"
    )
    log = data / "server.log"
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start():
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"
        )

    def stop():
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    start()
    yield f"postgres://postgres@127.0.0.1:{port}/postgres", start, stop, data
    subprocess.run(
        [
            "runuser",
            "-u",
            "postgres",
            "--",
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-m",
            "immediate",
            "stop",
        ],
        capture_output=True,
    )


def wait_until_healthy(server: subprocess.Popen, base: str, timeout: float = 30) -> None:
    """Poll the liveness probe until it answers 200; fail if gunicorn exits or never does."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if _get(base + "/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        assert server.poll() is None, f"gunicorn exited with {server.returncode}"
        assert time.monotonic() < deadline, f"gunicorn was not healthy within {timeout} s"
        time.sleep(0.05)


# The real outage runs in the PostgreSQL pass of the suite.
@pytest.mark.postgresql
def test_the_service_answers_503_while_postgresql_is_down_and_recovers_by_itself(own_cluster):
    database_url, start, stop, _ = own_cluster
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",  # persistent, health-checked connections
        "DJANGO_DEBUG": "false",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "30",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(server, base)
        assert _get(base + "/api/v1/timelines/")[0] == 200

        stop()
        status, headers, body = _get(base + "/api/v1/timelines/")
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert json.loads(body)["code"] == "service_unavailable"
        assert "Traceback" not in body
        assert _get(base + "/readyz")[0] == 503
        assert _get(base + "/healthz")[0] == 200
        status, headers, body = _get(base + "/timelines/some-timeline/")
        assert (status, headers["Retry-After"]) == (503, "5")
        assert "<h1>Back in a moment</h1>" in body

        start()
        # No restart of the web tier: the next requests reconnect.
        assert _get(base + "/api/v1/timelines/")[0] == 200
        assert _get(base + "/readyz")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


# A database that accepts connections but never answers (a frozen host, a
# partition): connecting gives up after DATABASE_CONNECT_TIMEOUT, as an outage.
HUNG_PROBE = """
import json, time
import django
django.setup()
from django.db import connection
from config.outages import is_connection_error
started = time.monotonic()
try:
    connection.ensure_connection()
    outcome = "connected"
except Exception as error:
    outcome = "outage" if is_connection_error(error) else repr(error)
print(json.dumps({"seconds": time.monotonic() - started, "outcome": outcome,
                  "options": connection.settings_dict["OPTIONS"]}))
"""


def test_a_hung_database_is_an_outage_after_the_connect_timeout(tmp_path):
    # A socket that the kernel accepts connections on, but nobody reads.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "DJANGO_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/timeline",
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    try:
        result = subprocess.run(
            [sys.executable, "-c", HUNG_PROBE],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        listener.close()

    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["outcome"] == "outage"
    assert 1.5 <= probe["seconds"] < 10
    assert probe["options"]["connect_timeout"] == 2
    assert probe["options"]["keepalives"] == 1


# A frozen database (SIGSTOP on every server process): connections stay open,
# and nothing answers, not even statement_timeout.


def _cluster_pids(data: Path) -> list[int]:
    """The postmaster and its children (backends, checkpointer, …)."""
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        if int(fields[1]) == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def _timed_get(url: str) -> tuple[float, int, dict, str]:
    started = time.monotonic()
    status, headers, body = _get(url)
    return time.monotonic() - started, status, headers, body


@pytest.mark.postgresql
def test_a_frozen_database_costs_a_503_within_the_deadline_not_a_killed_worker(
    own_cluster, record_property
):
    database_url, _, _, data = own_cluster
    request_timeout = 4
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",  # the connection is open when the database freezes
        "DJANGO_DEBUG": "false",
        "TIMELINE_REQUEST_TIMEOUT": str(request_timeout),
    }
    env.pop("DATABASE_STATEMENT_TIMEOUT", None)  # config/wsgi.py's default, 15 s
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    port = _free_port()
    # The worker timeout comes from gunicorn.conf.py: the request deadline + 10 s.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    frozen: list[int] = []
    try:
        wait_until_healthy(server, base)
        assert _get(base + "/api/v1/timelines/")[0] == 200
        assert _get(base + "/readyz")[0] == 200

        frozen = _cluster_pids(data)
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)

        seconds, status, headers, body = _timed_get(base + "/readyz")
        record_property("frozen_readyz_seconds", round(seconds, 2))
        assert status == 503, body
        assert seconds < 2, f"/readyz took {seconds:.1f} s"

        seconds, status, headers, body = _timed_get(base + "/api/v1/timelines/")
        record_property("frozen_api_read_seconds", round(seconds, 2))
        assert status == 503, body
        assert headers["Retry-After"] == "5"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body)["code"] == "service_unavailable"
        assert request_timeout - 1 < seconds < request_timeout + 3, f"{seconds:.1f} s"
        assert _get(base + "/healthz")[0] == 200
        # Still the same worker: it answered, gunicorn did not kill it.
        assert server.poll() is None

        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
        frozen = []
        # The closed connection is replaced by the next request.
        assert _get(base + "/api/v1/timelines/")[0] == 200
        assert _get(base + "/readyz")[0] == 200
    finally:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    assert b"WORKER TIMEOUT" not in errors, errors.decode()[-2000:]

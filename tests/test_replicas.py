"""Read replicas: credential-free reads on a replica, all else on the primary.

The suite's ``replica`` alias mirrors the primary (tests/settings.py): a real
second connection to the same database, so these tests commit their data
(``transaction=True``) for it to see, as a replica sees what the primary
commits.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config import replicas
from config.replicas import ReadReplicaMiddleware, ReplicaRouter, _reading_from
from tests.factories import CitationFactory, EventFactory, TimelineFactory, make_editor
from timeline import generations
from timeline.models import ContentGeneration, Event

ROOT = Path(__file__).resolve().parent.parent


class ProbedAtFirstRead(replicas.Probes):
    """The probes, run once when a request first asks, in the request's thread: a test
    sees what they find after its fixtures, without a thread running on behind it."""

    def _start(self):
        if not self._started:
            self._started = True
            self.round()


@pytest.fixture(autouse=True)
def fresh_probes(monkeypatch):
    probes = ProbedAtFirstRead()
    monkeypatch.setattr(ReadReplicaMiddleware, "probes", probes)
    return probes


@pytest.fixture
def routed(settings):
    settings.DATABASE_READ_REPLICAS = ["replica"]


@pytest.fixture
def reachable(monkeypatch):
    """Replicas answer unless named in the returned set (no connection is made)."""
    down: set[str] = set()
    monkeypatch.setattr(
        ReadReplicaMiddleware, "_reachable", staticmethod(lambda alias: alias not in down)
    )
    return down


def through(middleware, request) -> str | None:
    """The alias ``middleware`` routes ``request`` to (None: the primary)."""
    seen = []
    middleware.get_response = lambda request: seen.append(_reading_from.get())
    middleware(request)
    (alias,) = seen
    return alias


def routed_to(request) -> str | None:
    return through(ReadReplicaMiddleware(None), request)


# --- which requests go where -------------------------------------------------


def test_a_credential_free_read_goes_to_a_replica(reachable, routed):
    factory = RequestFactory()
    for method in ("get", "head", "options"):
        assert routed_to(getattr(factory, method)("/api/v1/events/")) == "replica"


def test_writes_and_signed_in_reads_stay_on_the_primary(reachable, routed):
    factory = RequestFactory()
    requests = {
        "POST": factory.post("/api/v1/events/"),
        "PATCH": factory.patch("/api/v1/events/x/"),
        "DELETE": factory.delete("/api/v1/events/x/"),
        "token": factory.get("/api/v1/events/", HTTP_AUTHORIZATION="Token abc"),
        "session": _with_session(factory.get("/admin/")),
    }

    assert {name: routed_to(request) for name, request in requests.items()} == dict.fromkeys(
        requests
    )


def _with_session(request):
    request.COOKIES["sessionid"] = "anything"
    return request


def test_without_replicas_everything_is_on_the_primary(settings):
    settings.DATABASE_READ_REPLICAS = []
    assert routed_to(RequestFactory().get("/api/v1/events/")) is None


def test_replicas_are_taken_in_turn(reachable, settings):
    settings.DATABASE_READ_REPLICAS = ["replica1", "replica2"]
    middleware = ReadReplicaMiddleware(None)
    request = RequestFactory().get("/api/v1/events/")
    assert [through(middleware, request) for _ in range(4)] == [
        "replica1",
        "replica2",
        "replica1",
        "replica2",
    ]


def test_a_replica_is_used_only_while_its_probes_answer(settings, monkeypatch):
    settings.DATABASE_READ_REPLICAS = ["replica1", "replica2"]
    probes = replicas.Probes()
    probes._started = True  # rounds run here, not in a thread
    monkeypatch.setattr(ReadReplicaMiddleware, "probes", probes)
    middleware = ReadReplicaMiddleware(None)
    request = RequestFactory().get("/api/v1/events/")
    now, down = [1000.0], {"replica1"}
    monkeypatch.setattr(replicas.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(replicas, "probe", lambda alias: alias not in down)

    assert through(middleware, request) is None  # nothing probed yet: the primary
    probes.round()
    assert [through(middleware, request) for _ in range(4)] == ["replica2"] * 4

    down.add("replica2")
    now[0] += replicas.STALE_SECONDS - 1
    probes.round()
    assert through(middleware, request) == "replica2"  # its last answer is recent enough
    now[0] += 2
    assert through(middleware, request) is None  # none answered lately: the primary

    down.clear()
    probes.round()
    assert {through(middleware, request) for _ in range(2)} == {"replica1", "replica2"}


def test_a_request_never_waits_for_a_probe(settings, monkeypatch):
    import threading
    import time

    settings.DATABASE_READ_REPLICAS = ["replica1"]
    probes = replicas.Probes()
    monkeypatch.setattr(ReadReplicaMiddleware, "probes", probes)
    release = threading.Event()
    monkeypatch.setattr(replicas, "probe", lambda alias: release.wait(30))
    monkeypatch.setattr(replicas, "PROBE_TIMEOUT", 0.1)
    middleware = ReadReplicaMiddleware(None)
    request = RequestFactory().get("/api/v1/events/")
    try:
        started = time.monotonic()
        routes = [through(middleware, request) for _ in range(20)]
        assert time.monotonic() - started < 0.5  # the hung probe held up no request
        assert routes == [None] * 20
        release.set()
        deadline = time.monotonic() + 10
        while "replica1" not in probes.answered and time.monotonic() < deadline:
            time.sleep(0.05)
        assert through(middleware, request) == "replica1"
    finally:
        release.set()
        probes.stopped.set()


@pytest.mark.postgresql
def test_a_replica_that_listens_but_never_answers_fails_its_probe_within_its_timeout():
    import socket
    import time

    listener = socket.socket()  # the kernel accepts connections; nobody reads them
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    connection = connections["replica"]
    saved = dict(connection.settings_dict)
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(listener.getsockname()[1]))
    try:
        started = time.monotonic()
        assert replicas.probe("replica") is False
        assert time.monotonic() - started < replicas.PROBE_TIMEOUT + 2
    finally:
        listener.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_the_route_ends_with_its_request(reachable, routed):
    routed_to(RequestFactory().get("/"))
    assert _reading_from.get() is None
    assert router.db_for_read(Event) == "default"


def test_writes_and_migrations_use_the_primary_only():
    replica_router = ReplicaRouter()
    token = _reading_from.set("replica")
    try:
        assert router.db_for_read(Event) == "replica"
        assert router.db_for_write(Event) == "default"
    finally:
        _reading_from.reset(token)
    assert replica_router.allow_migrate("default", "timeline") is True
    assert replica_router.allow_migrate("replica", "timeline") is False
    assert not router.allow_migrate_model("replica", Event)


# --- real requests on a real second connection --------------------------------


@pytest.fixture
def published():
    timeline = TimelineFactory(slug="trade")
    event = EventFactory(slug="busan-meeting", title="Busan meeting")
    CitationFactory(event=event)
    timeline.events.add(event)
    return timeline


def queries_on_each(action):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = action()
    return response, [q["sql"] for q in primary], [q["sql"] for q in replica]


# serialized_rollback: the flush after each test would drop the Editors group.
on_both_databases = pytest.mark.django_db(
    transaction=True, serialized_rollback=True, databases=["default", "replica"]
)


@on_both_databases
def test_an_anonymous_read_reads_only_the_replica(routed, published, client):
    for url in ["/api/v1/timelines/trade/", "/api/v1/events/", "/timelines/trade/"]:
        response, on_primary, on_replica = queries_on_each(lambda url=url: client.get(url))

        assert response.status_code == 200, url
        assert on_primary == [], url
        assert on_replica, f"the replica answered nothing for {url}"
        if url.startswith("/api/"):
            # The content generation comes from the same database as the data.
            assert ContentGeneration._meta.db_table in on_replica[0], url


@on_both_databases
def test_an_editors_read_and_write_use_the_primary(routed, published, client):
    client.force_login(make_editor())

    read, on_primary, on_replica = queries_on_each(
        lambda: client.get("/api/v1/events/busan-meeting/")
    )
    assert read.status_code == 200
    assert on_primary and on_replica == []

    write, on_primary, on_replica = queries_on_each(
        lambda: client.patch(
            "/api/v1/events/busan-meeting/",
            data=json.dumps({"title": "Busan summit"}),
            content_type="application/json",
            headers={"If-Match": read["ETag"]},
        )
    )
    assert write.status_code == 200, write.content
    assert on_primary and on_replica == []


@on_both_databases
def test_the_replica_serves_a_committed_write_at_once_with_a_new_etag(routed, published, client):
    before = client.get("/api/v1/events/busan-meeting/")
    generation = generations.current("replica")

    Event.objects.filter(slug="busan-meeting").update(title="Busan summit")
    generations.advance()  # as the write paths do after commit

    after = client.get("/api/v1/events/busan-meeting/")
    assert generations.current("replica") == generation + 1
    assert before.json()["title"] == "Busan meeting"
    assert after.json()["title"] == "Busan summit"
    assert after["ETag"] != before["ETag"]


@pytest.fixture
def replica_down():
    """The replica's server gone: its connection points where nothing answers."""
    connection = connections["replica"]
    saved = dict(connection.settings_dict)
    # SQLite's own close() keeps an in-memory database's connection open.
    BaseDatabaseWrapper.close(connection)
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent/replica/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    yield
    BaseDatabaseWrapper.close(connection)
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@on_both_databases
def test_reads_go_to_the_primary_while_the_replica_is_down(
    routed, published, client, replica_down, caplog
):
    with CaptureQueriesContext(connections["default"]) as on_primary:
        response = client.get("/api/v1/events/busan-meeting/")

    assert response.status_code == 200
    assert response.json()["title"] == "Busan meeting"
    assert len(on_primary) > 0
    assert connections["replica"].connection is None  # probed, never used
    assert "Read replica replica does not answer" in caplog.text


# --- settings --------------------------------------------------------------------


def test_replica_urls_become_mirrored_aliases_with_the_primarys_options():
    script = (
        "import json, django; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({a: {k: d.get(k) for k in ('NAME', 'HOST', 'TEST', 'CONN_MAX_AGE',"
        " 'CONN_HEALTH_CHECKS', 'OPTIONS',"
        " 'DISABLE_SERVER_SIDE_CURSORS')} for a, d in s.DATABASES.items()}"
        " | {'read': s.DATABASE_READ_REPLICAS}, default=str))"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "DJANGO"))},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://u@primary:5432/timeline",
        "DATABASE_REPLICA_URLS": "postgres://u@r1:5432/timeline, postgres://u@r2:5432/timeline",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    databases = json.loads(out.stdout)

    assert databases.pop("read") == ["replica1", "replica2"]
    assert [databases[a]["HOST"] for a in ("default", "replica1", "replica2")] == [
        "primary",
        "r1",
        "r2",
    ]
    for alias in ("replica1", "replica2"):
        assert databases[alias]["TEST"]["MIRROR"] == "default"
        assert databases[alias]["CONN_HEALTH_CHECKS"] is True
        assert databases[alias]["OPTIONS"]["connect_timeout"] == 5
        assert databases[alias]["CONN_MAX_AGE"] == databases["default"]["CONN_MAX_AGE"]
        assert databases[alias]["DISABLE_SERVER_SIDE_CURSORS"] is True

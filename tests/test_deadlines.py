"""Every request answers within its deadline; every query within its timeout.

The frozen-database test, end to end under gunicorn, is in test_outages.py.
"""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from config.deadlines import DeadlineExceeded, deadline
from timeline.api.views import EventViewSet


def test_a_request_past_its_deadline_is_a_json_503_with_retry_after(client, db, monkeypatch):
    def slow(self, request, *args, **kwargs):
        time.sleep(5)

    monkeypatch.setattr(EventViewSet, "list", slow)
    monkeypatch.setattr(settings, "TIMELINE_REQUEST_TIMEOUT", 0.3)

    started = time.monotonic()
    response = client.get("/api/v1/events/")

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "service_unavailable"


def test_a_page_past_its_deadline_is_the_html_503(client, db, monkeypatch):
    monkeypatch.setattr(settings, "TIMELINE_REQUEST_TIMEOUT", 0.3)

    def hang(execute, sql, params, many, context):
        time.sleep(5)

    with connection.execute_wrapper(hang):
        response = client.get("/timelines/anything/")

    assert response.status_code == 503
    assert b"Back in a moment" in response.content


def test_a_request_within_its_deadline_leaves_no_timer_behind(client, db):
    import signal

    assert client.get("/api/v1/events/").status_code == 200
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_inner_deadline_fires_first_and_the_outer_one_resumes():
    import signal

    with deadline(5):
        with pytest.raises(DeadlineExceeded), deadline(0.1):
            time.sleep(2)
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 4 < left <= 5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_an_inner_deadline_never_outlasts_the_outer_one():
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"0\.2 seconds"), deadline(0.2), deadline(10):
        time.sleep(2)
    assert time.monotonic() - started < 1


def test_readyz_gives_up_on_a_slow_database_at_its_own_timeout(client, db, monkeypatch):
    monkeypatch.setattr(settings, "TIMELINE_READY_TIMEOUT", 0.2)

    def hang(execute, sql, params, many, context):
        time.sleep(5)

    started = time.monotonic()
    with connection.execute_wrapper(hang):
        response = client.get("/readyz")

    assert time.monotonic() - started < 1
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.postgresql
def test_a_statement_cancelled_by_its_timeout_is_a_503(client, db, monkeypatch):
    def slow(self, request, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 100")
            cursor.execute("SELECT pg_sleep(2)")

    monkeypatch.setattr(EventViewSet, "list", slow)

    response = client.get("/api/v1/events/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"


SETTINGS_PROBE = """
import json
import config.wsgi
from django.conf import settings
print(json.dumps(settings.DATABASES["default"]["OPTIONS"]))
"""


@pytest.mark.parametrize(
    ("configured", "expected"),
    [(None, "-c statement_timeout=15000"), ("2.5", "-c statement_timeout=2500"), ("0", None)],
)
def test_the_web_tier_bounds_every_statement(configured, expected):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "DJANGO_"))}
    env |= {"DATABASE_URL": "postgres://postgres@127.0.0.1:1/timeline"}
    if configured is not None:
        env["DATABASE_STATEMENT_TIMEOUT"] = configured
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options.get("options") == expected


def test_gunicorn_kills_a_worker_only_after_the_request_deadline():
    config: dict = {}
    path = settings.BASE_DIR / "gunicorn.conf.py"
    for timeout, expected in [(None, 30), ("4", 14)]:
        env = {"TIMELINE_REQUEST_TIMEOUT": timeout} if timeout else {}
        old = {key: os.environ.pop(key, None) for key in ["TIMELINE_REQUEST_TIMEOUT"]}
        os.environ.update(env)
        try:
            config = {}
            exec(compile(path.read_text(), str(path), "exec"), config)
        finally:
            os.environ.pop("TIMELINE_REQUEST_TIMEOUT", None)
            os.environ.update({k: v for k, v in old.items() if v is not None})
        assert config["timeout"] == expected
        assert config["worker_class"] == "sync"
    assert settings.TIMELINE_REQUEST_TIMEOUT < 30

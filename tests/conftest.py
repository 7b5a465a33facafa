import contextlib
import json
import os
from pathlib import Path

import pytest
from django import test
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from rest_framework import test as drf_test

from tests.factories import make_editor

# CI sets this: a test that would skip fails instead, naming what it lacked.
STRICT = os.environ.get("TIMELINE_STRICT_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` mean nothing elsewhere: deselected there, not skipped."""
    if connection.vendor == "postgresql":
        return
    elsewhere = [item for item in items if item.get_closest_marker("postgresql")]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under TIMELINE_STRICT_TESTS=1: {reason}"
    return report


@contextlib.contextmanager
def checking(*case):
    """Name the case a loop was checking in any assertion that fails inside the block."""
    try:
        yield
    except AssertionError as failure:
        failure.add_note(f"while checking {', '.join(map(repr, case))}")
        raise


class CommitsEachRequest:
    """Each request's ``on_commit`` work runs when it ends, as when its transaction commits.

    A test runs inside one transaction that never commits; in production every
    request is its own (the content generation moves once a write commits).
    """

    def request(self, *args, **kwargs):
        with test.TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(*args, **kwargs)


class APIClient(CommitsEachRequest, drf_test.APIClient):
    pass


class Client(CommitsEachRequest, test.Client):
    pass


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): …`` runs the block's ``on_commit`` work when it ends, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with empty caches: throttle counts don't carry over."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The shared seed articles; tests that need them skip when they are absent."""
    path = Path(settings.TIMELINE_SEED_DIR)
    if not any(path.glob("*.txt")):
        pytest.skip(f"seed articles not found in {path} (../shared/seeds/ is not beside the repo)")
    return path


def rows_added_by(build):
    """Run ``build()`` in a transaction rolled back after it: the rows it added, and its result.

    With ``insert_rows``, data that takes seconds to build (anchoring quotes,
    recording history) is built once per worker and copied back in a moment.
    """
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    with transaction.atomic():
        existing = {model: set(model.objects.values_list("pk", flat=True)) for model in models}
        result = build()
        rows = {
            model: [
                row
                for row in model.objects.values()
                if row[model._meta.pk.attname] not in existing[model]
            ]
            for model in models
        }
        transaction.set_rollback(True)
    return {model: added for model, added in rows.items() if added}, result


def insert_rows(rows: dict) -> None:
    """Write back rows from ``rows_added_by``, ids and all; the next ids continue after them."""
    with transaction.atomic():
        for model, added in rows.items():
            model.objects.bulk_create(model(**row) for row in added)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(rows)):
                cursor.execute(sql)


@pytest.fixture(scope="session")
def seeded_rows(django_db_setup, django_db_blocker, seed_dir):
    """The rows the demo timeline adds, and the seed's report: seeded once per worker."""
    from timeline.seeding import seed_timeline

    with django_db_blocker.unblock():
        return rows_added_by(lambda: seed_timeline(seed_dir=seed_dir))


@pytest.fixture
def seeded(db, seeded_rows):
    """The demo timeline, loaded with its article texts, as ``manage.py seed`` leaves it."""
    rows, report = seeded_rows
    insert_rows(rows)
    return report


@pytest.fixture
def reader(db):
    """A signed-in user who is not an editor: may read, may not write."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def editor_api(editor) -> APIClient:
    """An API client signed in (by session) as an editor."""
    client = APIClient()
    client.force_login(editor)
    return client


@pytest.fixture
def reader_api(reader) -> APIClient:
    """An API client signed in (by session) as a user who is not an editor."""
    client = APIClient()
    client.force_login(reader)
    return client


@pytest.fixture
def stored_state(db):
    """A function returning every stored row the API can write, and the history's size.

    Compare its result before and after a refused request: nothing may change.
    """
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken

    from sources.models import Source
    from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline

    models = [Event, Citation, Claim, ClaimProperty, Timeline, Source, Actor, Place, Tag]
    through = [
        Event.actors.through,
        Event.tags.through,
        Timeline.events.through,
        Claim.citations.through,
    ]

    def state() -> dict:
        rows = {
            model._meta.label: list(model.objects.order_by("pk").values())
            for model in [*models, *through, AuthToken, get_user_model()]
        }
        rows["history"] = {model._meta.label: model.history.count() for model in models}
        return rows

    return state


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test users' passwords cheaply: PBKDF2 costs most of a signed-in test's setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium, driven by playwright (`make test` installs it).

    One per test module: playwright's sync API keeps an event loop running in
    this thread, which Django's ORM refuses to share unless told it is safe.
    That permission is given for the module's tests only, and taken back, so
    it never leaks into other tests or the subprocesses they start.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While an event loop runs in a thread, Django looks its connections up
    # per async context, and would open new ones there: ones that know
    # nothing of the test database's saved contents, which serialized_rollback
    # restores after a transactional test. Hand it the thread's own instead.
    own = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, own_connection in own.items():
                connections[alias] = own_connection
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    """A fresh browser tab; console errors are collected in ``page.console_errors``."""
    context = browser.new_context()
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: m.type == "error" and tab.console_errors.append(m.text))
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    yield tab
    context.close()


@pytest.fixture(scope="session")
def openapi_schema() -> dict:
    """The OpenAPI document /api/schema/ serves, built once: it is slow to build. Read it only."""
    response = test.Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests keep screenshots for people to look at (ignored by git)."""
    path = Path(settings.BASE_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

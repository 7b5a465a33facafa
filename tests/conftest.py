import os
from pathlib import Path

import pytest
from django import test
from django.conf import settings
from django.db import connections
from rest_framework import test as drf_test

from tests.factories import make_editor


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


@pytest.fixture
def seed_dir() -> Path:
    """The shared seed articles; tests that need them skip when they are absent."""
    path = Path(settings.TIMELINE_SEED_DIR)
    if not any(path.glob("*.txt")):
        pytest.skip(f"seed articles not found in {path} (../shared/seeds/ is not beside the repo)")
    return path


@pytest.fixture
def seeded(db, seed_dir):
    """The demo timeline, loaded with its article texts."""
    from timeline.seeding import seed_timeline

    return seed_timeline(seed_dir=seed_dir)


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


@pytest.fixture
def fast_password_hasher(settings):
    """Hash test users' passwords cheaply: PBKDF2 costs most of an API test's setup."""
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
    # The test database's saved contents, for serialized_rollback (below).
    saved = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    try:
        with sync_playwright() as playwright:
            # With playwright's event loop running in this thread, Django keeps
            # other connection objects (its connections are thread-critical,
            # and asgiref separates async contexts). Those do not know the
            # saved contents: without them a transactional test would neither
            # restore the migrations' data nor skip re-creating content types
            # on flush, and later tests would find the Editors group gone.
            for alias, contents in saved.items():
                connections[alias]._test_serialized_contents = contents
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            yield chromium
            chromium.close()
            # Connections opened while playwright ran belong to its context:
            # close them, or PostgreSQL cannot drop the test database.
            connections.close_all()
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
def artifacts_dir() -> Path:
    """Where tests keep screenshots for people to look at (ignored by git)."""
    path = Path(settings.BASE_DIR) / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path

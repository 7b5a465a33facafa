from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import make_editor


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

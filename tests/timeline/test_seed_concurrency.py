"""Two `manage.py seed` runs at once, as when two containers start together: one seeds,
the other waits for it and finds the work done.

Only PostgreSQL lets two writers run at once (SQLite serialises them on the whole
database), so only there could they both insert the same rows.
"""

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from sources.models import Source
from timeline import seed_data
from timeline.models import Citation, Claim, Event, Timeline

pytestmark = [
    pytest.mark.postgresql,
    # The runs are other processes: they see only what is committed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def this_database_url() -> str:
    """This test's database, for another process."""
    given = connection.settings_dict
    credentials = quote(given["USER"] or "", safe="")
    if given["PASSWORD"]:
        credentials += ":" + quote(given["PASSWORD"], safe="")
    host = given["HOST"] or "localhost"
    port = f":{given['PORT']}" if given["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(given['NAME'], safe='')}"


def test_two_seeds_at_once_both_succeed_and_seed_once(seed_dir):
    assert not Timeline.objects.exists()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": this_database_url(),
    }
    command = [sys.executable, "manage.py", "seed", "--seed-dir", str(seed_dir)]
    runs = [
        subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]

    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, f"exit {run.returncode}\n{out}\n{err}"
    # One run waited for the other's commit, then found everything there.
    said = sorted("already seeded, nothing changed" in out for out, _ in outputs)
    assert said == [False, True], outputs
    assert Timeline.objects.filter(slug=seed_data.TIMELINE["slug"]).count() == 1
    assert Source.objects.count() == len(seed_data.SOURCES)
    assert Event.objects.count() == len(seed_data.EVENTS)
    citations = sum(len(item["citations"]) for item in seed_data.EVENTS)
    assert Citation.objects.count() == citations
    assert Claim.objects.count() == len(seed_data.CLAIMS)
    # Each object was created once: one creation in its history.
    assert Event.history.filter(history_type="+").count() == len(seed_data.EVENTS)

"""The steps of bench/run.py that need Django itself, run with .venv's python
against a bench database (DATABASE_URL and the production settings come from
the environment bench/run.py builds). Each prints one JSON document.

    python bench/django_side.py prepare --writers 2 --timeline-events 1000
    python bench/django_side.py count-queries PATH [PATH ...]

``prepare`` makes the editor the writes are made as (a member of the
"Editors" group, as editors are, not a superuser) with a fresh API token,
and picks the rows the scenarios use: the bench timeline whose published
events number closest to ``--timeline-events``, one published event of it
(written between the cold reads), and one published event outside it per
writer of scenario F.

``count-queries`` GETs each path twice through Django's test client and
counts the SQL queries of the second request (the first warms per-process
caches, as any worker's first request does). A "{n}" in a path becomes a
value of its own for each request, as bench/mix.lua does.
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from timeline.models import Event, Timeline  # noqa: E402

EDITOR = "bench-editor"


def prepare(writers: int, timeline_events: int) -> dict:
    user, _ = get_user_model().objects.get_or_create(username=EDITOR, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Editors"))
    # One live token per run: earlier runs' tokens go.
    AuthToken.objects.filter(user=user).delete()
    token = AuthToken.objects.create(user)[1]

    timelines = (
        Timeline.objects.published()
        .filter(slug__startswith="bench-")
        .annotate(published_events=Count("events", filter=Q(events__published_at__isnull=False)))
        .values_list("slug", "published_events", "pk")
    )
    if not timelines:
        raise SystemExit("No published bench timeline: was bench/generate.py run?")
    slug, published, timeline_pk = min(
        timelines, key=lambda row: (abs(row[1] - timeline_events), row[0])
    )
    members = Event.objects.published().filter(timelines=timeline_pk)
    cold_event = members.order_by("pk").values("slug", "summary").first()
    outside = (
        Event.objects.published()
        .filter(slug__startswith="bench-")
        .exclude(timelines=timeline_pk)
        .order_by("pk")
        .values("slug", "summary")[:writers]
    )
    return {
        "token": token,
        "timeline": {"slug": slug, "published_events": published},
        "cold_event": cold_event,
        "writer_events": list(outside),
    }


def count_queries(paths: list[str]) -> dict:
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    counts = {}
    for number, path in enumerate(paths):
        # "{n}": a value of its own for each request, as bench/mix.lua sends.
        client.get(path.replace("{n}", f"warm-{number}"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.replace("{n}", f"count-{number}"))
        counts[path] = {"status": response.status_code, "queries": len(queries.captured_queries)}
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare_parser = commands.add_parser("prepare")
    prepare_parser.add_argument("--writers", type=int, default=2)
    prepare_parser.add_argument("--timeline-events", type=int, default=1000)
    count_parser = commands.add_parser("count-queries")
    count_parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    if args.command == "prepare":
        result = prepare(args.writers, args.timeline_events)
    else:
        result = count_queries(args.paths)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

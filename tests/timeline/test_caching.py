"""Anonymous reads from the cache, 304s for unchanged copies, and exact invalidation.

Every write path must move the content generation on, so that the next
anonymous read shows the change: through the API, the ORM (as the admin and
commands save), related rows (an actor renamed), links, the services' bulk
updates, and the bulk import commands.
"""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, CitationFactory, EventFactory, TimelineFactory
from timeline import generations
from timeline.api.caching import PUBLIC_CACHE_CONTROL
from timeline.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def timeline():
    timeline = TimelineFactory(slug="trade")
    event = EventFactory(slug="busan-meeting", title="Busan meeting")
    event.actors.add(ActorFactory(slug="xi", name="Xi Jinping"))
    CitationFactory(event=event)
    timeline.events.add(event)
    return timeline


URLS = [
    "/api/v1/timelines/trade/",
    "/api/v1/timelines/",
    "/api/v1/events/",
    "/api/v1/events/busan-meeting/",
    "/api/v1/events/?q=busan",
    "/api/v1/actors/",
]


def test_a_repeated_anonymous_read_is_served_from_the_cache(
    api_client, timeline, django_assert_num_queries
):
    for url in URLS:
        first = api_client.get(url)
        assert first.status_code == 200

        with django_assert_num_queries(1):  # the content generation, nothing else
            second = api_client.get(url)

        assert second.status_code == 200
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"] == "application/json"
        assert second["ETag"] == first["ETag"]
        assert second["Cache-Control"] == PUBLIC_CACHE_CONTROL
        assert {"Accept", "Authorization", "Cookie"} <= {
            part.strip() for part in second["Vary"].split(",")
        }


def test_a_matching_if_none_match_is_a_304_without_building_anything(
    api_client, timeline, django_assert_num_queries
):
    for url in URLS:
        tag = api_client.get(url)["ETag"]

        with django_assert_num_queries(1):
            response = api_client.get(url, HTTP_IF_NONE_MATCH=tag)

        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == tag
        assert response["Cache-Control"] == PUBLIC_CACHE_CONTROL
        # A weak copy of the tag, or a list holding it, matches too (RFC 9110).
        assert api_client.get(url, HTTP_IF_NONE_MATCH=f'"x", W/{tag}').status_code == 304


def test_a_stale_if_none_match_gets_the_new_body(api_client, editor_api, timeline):
    url = "/api/v1/events/busan-meeting/"
    old = api_client.get(url)
    editor_api.patch(url, {"title": "Trump–Xi meeting"}, format="json", HTTP_IF_MATCH='"1"')

    response = api_client.get(url, HTTP_IF_NONE_MATCH=old["ETag"])

    assert response.status_code == 200
    assert response.json()["title"] == "Trump–Xi meeting"
    assert response["ETag"] != old["ETag"]


def test_the_cached_body_is_the_body_built_without_a_cache(api_client, timeline, settings):
    cached = [api_client.get(url).content for url in URLS]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}

    assert [api_client.get(url).content for url in URLS] == cached


# --- Exact invalidation: every write path -----------------------------------
#
# Outside a request (the admin, a command, the shell), a write moves the
# generation when its transaction commits: django_capture_on_commit_callbacks
# stands for that commit, which a test's own transaction never makes.


def titles(api_client) -> list[str]:
    return [e["title"] for e in api_client.get("/api/v1/timelines/trade/").json()["events"]]


def test_an_api_write_shows_in_the_next_read(api_client, editor_api, timeline):
    assert titles(api_client) == ["Busan meeting"]

    editor_api.patch(
        "/api/v1/events/busan-meeting/",
        {"title": "Busan talks"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert titles(api_client) == ["Busan talks"]
    assert api_client.get("/api/v1/events/busan-meeting/").json()["title"] == "Busan talks"
    assert api_client.get("/api/v1/events/").json()["results"][0]["title"] == "Busan talks"


def test_a_saved_row_shows_in_the_next_read(api_client, timeline, commit):
    titles(api_client)
    event = Event.objects.get(slug="busan-meeting")
    event.title = "Saved as the admin saves"
    with commit():
        event.save()

    assert titles(api_client) == ["Saved as the admin saves"]


def test_a_renamed_actor_shows_in_every_event_that_names_it(api_client, timeline, commit):
    url = "/api/v1/events/busan-meeting/"
    assert api_client.get(url).json()["actors"][0]["name"] == "Xi Jinping"
    actor = timeline.events.get().actors.get()
    actor.name = "Xi J."
    with commit():
        actor.save()

    assert api_client.get(url).json()["actors"][0]["name"] == "Xi J."


def test_a_new_link_shows_in_the_next_read(api_client, timeline, commit):
    assert len(titles(api_client)) == 1
    event = EventFactory(title="Kuala Lumpur talks")

    with commit():
        timeline.events.add(event)

    assert len(titles(api_client)) == 2


def test_an_edited_citation_shows_in_the_next_read(api_client, timeline, commit):
    url = "/api/v1/events/busan-meeting/"
    api_client.get(url)
    citation = timeline.events.get().citations.get()
    citation.note = "Checked against the transcript."
    with commit():
        citation.save()

    assert api_client.get(url).json()["citations"][0]["note"] == "Checked against the transcript."


def test_publishing_through_a_bulk_update_shows_in_the_next_read(api_client, editor_api):
    EventFactory(slug="draft", published_at=None, explained=True)
    assert api_client.get("/api/v1/events/").json()["count"] == 0

    editor_api.post("/api/v1/events/draft/publish/", HTTP_IF_MATCH='"1"')

    assert api_client.get("/api/v1/events/").json()["count"] == 1


def test_a_bulk_update_outside_a_request_moves_the_generation(timeline, commit):
    from timeline.services import events_touch

    before = generations.current()
    with commit():
        events_touch(event_ids=[timeline.events.get().pk])

    assert generations.current() == before + 1


def test_importing_a_timeline_moves_the_generation(
    timeline, tmp_path, django_capture_on_commit_callbacks
):
    document = tmp_path / "trade.json"
    call_command("export_timeline", "trade", "-o", str(document), stdout=StringIO())
    data = json.loads(document.read_text())
    data["timeline"]["slug"] = "trade-copy"
    for event in data["events"]:
        event["slug"] += "-copy"
    document.write_text(json.dumps(data))
    before = generations.current()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_timeline", str(document), stdout=StringIO())

    assert generations.current() > before


# --- When the generation moves -------------------------------------------------


def test_a_transaction_moves_the_generation_only_on_commit(timeline, commit):
    event = timeline.events.get()
    before = generations.current()

    with commit(), transaction.atomic():
        event.title = "One"
        event.save()
        event.actors.clear()
        assert generations.current() == before  # not before the data is visible

    assert generations.current() > before


def test_a_rolled_back_transaction_leaves_the_generation(
    timeline, django_capture_on_commit_callbacks
):
    event = timeline.events.get()
    before = generations.current()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        event.title = "Never"
        event.save()
        raise RuntimeError

    assert generations.current() == before


def test_an_emptied_generation_table_starts_again_without_error(api_client, timeline, commit):
    from timeline.models import ContentGeneration

    ContentGeneration.objects.all().delete()
    assert generations.current() == 0
    assert api_client.get("/api/v1/timelines/trade/").status_code == 200

    with commit():
        generations.advance()

    assert generations.current() == 1


# --- What is never cached -----------------------------------------------------


def test_editors_reads_are_not_cached(editor_api, timeline):
    url = "/api/v1/events/busan-meeting/"
    editor_api.get(url)

    response = editor_api.get(url)

    assert response["ETag"] == '"1"'
    assert response["Cache-Control"] == "private, no-cache"
    # Built again: the session, the user and the event's queries, not one read.
    with CaptureQueriesContext(connection) as captured:
        editor_api.get(url)
    assert len(captured) > 2


def test_drafts_and_the_browsable_api_are_not_cached(api_client, timeline):
    for url in ("/api/v1/events/?include_drafts=true", "/api/v1/events/?format=api"):
        response = api_client.get(url)
        assert "ETag" not in response, url
        assert response["Cache-Control"].startswith("private"), url


def test_a_request_with_credentials_is_not_answered_from_the_cache(api_client, timeline):
    url = "/api/v1/events/busan-meeting/"
    api_client.get(url)

    response = api_client.get(url, HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401


# --- A shared cache: Redis ----------------------------------------------------


@pytest.fixture
def redis_cache(settings):
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"test-{os.getpid()}",
    }
    settings.CACHES = {"default": shared}
    from django.core.cache import cache

    cache.clear()
    yield redis.Redis.from_url(url)
    cache.clear()


def test_with_redis_the_bytes_are_shared_and_still_exact(api_client, timeline, redis_cache, commit):
    url = "/api/v1/events/busan-meeting/"
    first = api_client.get(url)
    keys = redis_cache.keys(f"test-{os.getpid()}:*timeline:read:*")
    assert len(keys) == 1

    event = Event.objects.get(slug="busan-meeting")
    event.title = "Changed on another node"
    with commit():
        event.save()

    second = api_client.get(url)
    assert second.json()["title"] == "Changed on another node"
    assert second["ETag"] != first["ETag"]
    assert len(redis_cache.keys(f"test-{os.getpid()}:*timeline:read:*")) == 2


# --- Answered early, in the middleware ------------------------------------------


def test_a_cached_answer_keeps_every_header_of_a_built_one(api_client, timeline):
    url = "/api/v1/timelines/trade/"
    origin = {"HTTP_ORIGIN": "https://newsroom.example"}
    built = api_client.get(url, **origin)

    cached = api_client.get(url, **origin)

    # The outer middleware (request id, security, CORS) runs on both; the
    # inner one's headers (CSP, framing, Allow) are kept with the bytes.
    assert set(cached.headers) == set(built.headers)
    for name in ("Content-Security-Policy", "X-Frame-Options", "Allow", "Vary", "ETag"):
        assert cached[name] == built[name], name
    assert cached["Access-Control-Allow-Origin"] == "*"
    assert cached["X-Content-Type-Options"] == "nosniff"
    assert cached["X-Request-ID"] != built["X-Request-ID"]


def test_a_cached_answer_is_counted_against_the_anonymous_rate(api_client, timeline, settings):
    settings.TIMELINE_THROTTLE_RATES = {"anon": "3/minute", "user": None, "login": None}
    url = "/api/v1/events/busan-meeting/"
    tag = api_client.get(url)["ETag"]  # 1, built
    assert api_client.get(url).status_code == 200  # 2, from the cache
    assert api_client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304  # 3

    for headers in ({}, {"HTTP_IF_NONE_MATCH": tag}):
        refused = api_client.get(url, **headers)
        assert refused.status_code == 429
        assert refused.json()["code"] == "throttled"
        assert int(refused["Retry-After"]) > 0


def test_each_host_gets_its_own_links(api_client, timeline, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "mirror.example"]
    url = "/api/v1/events/"
    api_client.get(url)

    mirrored = api_client.get(url, HTTP_HOST="mirror.example").json()

    assert mirrored["results"][0]["url"] == "http://mirror.example/api/v1/events/busan-meeting/"
    assert api_client.get(url).json()["results"][0]["url"].startswith("http://testserver/")


def test_another_accept_header_is_another_copy(api_client, timeline):
    url = "/api/v1/events/busan-meeting/"
    plain = api_client.get(url)

    negotiated = api_client.get(url, HTTP_ACCEPT="application/json, */*;q=0.1")
    page = api_client.get(url, HTTP_ACCEPT="text/html")

    assert negotiated.content == plain.content
    assert negotiated["ETag"] != plain["ETag"]
    assert page["Content-Type"].startswith("text/html")
    assert page["Cache-Control"].startswith("private")


def test_a_session_cookie_is_answered_afresh_and_privately(api_client, timeline):
    # It may be an editor's: only the session can tell, and the cache reads none.
    url = "/api/v1/events/busan-meeting/"
    api_client.get(url)
    api_client.cookies["sessionid"] = "expired-long-ago"

    with CaptureQueriesContext(connection) as captured:
        response = api_client.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert len(captured) > 1


def test_a_generation_that_cannot_be_read_serves_no_copy(api_client, timeline, monkeypatch):
    from django.db import OperationalError

    url = "/api/v1/events/busan-meeting/"
    api_client.get(url)

    def lost(using=None):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(generations, "current", lost)
    response = api_client.get(url)

    # The view answers (a 503 when the database is away; here it is back), as
    # to an editor: its version as the ETag, and nothing for a shared cache.
    assert response.status_code == 200
    assert response["ETag"] == f'"{Event.objects.get(slug="busan-meeting").version}"'
    assert response["Cache-Control"] == "private, no-cache"


def test_a_timelines_files_are_cached_reads_too(api_client, timeline, django_assert_num_queries):
    for name in ("timelinejs/", "timelinejs.csv", "calendar.ics", "feed.atom"):
        url = f"/api/v1/timelines/trade/{name}"
        first = api_client.get(url)

        with django_assert_num_queries(1):  # the content generation, nothing else
            second = api_client.get(url)

        assert second.status_code == first.status_code == 200, url
        assert second.content == first.content, url
        assert second["ETag"] == first["ETag"], url
        assert second["Cache-Control"] == PUBLIC_CACHE_CONTROL, url

"""HTTP contract points outside testers found: pages that are not pages, conditional GETs of
the timelines' files, ``If-None-Match: *`` on what is missing, and ids that never follow Host.
"""

import feedparser
import pytest
from django.conf import settings
from django.test import override_settings
from icalendar import Calendar

from tests.conftest import checking
from tests.factories import EventFactory, SourceFactory, TimelineFactory
from tests.test_deploy import explain, manage, production_environ
from timeline.api.caching import PUBLIC_CACHE_CONTROL

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/events/", "/api/v1/timelines/", "/api/v1/sources/", "/api/v1/tags/"]
FILES = ["timelinejs/", "timelinejs.csv", "calendar.ics", "feed.atom"]


@pytest.fixture
def trade():
    events = [EventFactory(slug=f"event-{n}", title=f"Event {n}") for n in range(3)]
    SourceFactory()
    return TimelineFactory(slug="trade", events=events)


def invalid(parameter: str, message: str) -> dict:
    return {
        "detail": f"Invalid input: {parameter}.",
        "code": "invalid",
        "errors": {parameter: [message]},
    }


# Pages that are not pages: a 400 naming the parameter, in the one error shape


def test_a_page_that_is_not_one_is_a_400_naming_page(api_client, trade):
    for url in LISTS:
        for page in ["abc", "0", "-1", "99", "2.5"]:
            with checking(url, page):
                response = api_client.get(url, {"page": page})

                assert response.status_code == 400
                assert response.json() == invalid(
                    "page", "Not a page of this list: send a number from 1 to 1."
                )


def test_the_message_names_the_last_page(api_client, trade):
    response = api_client.get("/api/v1/events/", {"page": "3", "page_size": "2"})

    assert response.json()["errors"] == {
        "page": ["Not a page of this list: send a number from 1 to 2."]
    }
    assert api_client.get("/api/v1/events/", {"page": "2", "page_size": "2"}).status_code == 200


def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400_naming_it(api_client, trade):
    for url in LISTS:
        for size in ["0", "-5", "abc", "1.5"]:
            for extra in ({}, {"cursor": ""}) if url == "/api/v1/events/" else ({},):
                with checking(url, size, extra):
                    response = api_client.get(url, {"page_size": size, **extra})

                    assert response.status_code == 400
                    assert response.json() == invalid(
                        "page_size", "Send a whole number from 1 to 200."
                    )


def test_editors_lists_refuse_them_too(editor_api, trade):
    for params, parameter in [({"page": "abc"}, "page"), ({"page_size": "0"}, "page_size")]:
        response = editor_api.get("/api/v1/events/", {**params, "include_drafts": "true"})

        assert response.status_code == 400, params
        assert list(response.json()["errors"]) == [parameter], params


def test_good_pages_still_work_by_number_and_by_cursor(api_client, trade):
    assert len(api_client.get("/api/v1/events/", {"page_size": "1000"}).json()["results"]) == 3
    assert api_client.get("/api/v1/events/", {"page": "last", "page_size": "2"}).status_code == 200
    assert api_client.get("/api/v1/events/", {"page": ""}).status_code == 200

    first = api_client.get("/api/v1/events/", {"cursor": "", "page_size": "2"}).json()
    second = api_client.get(first["next"]).json()

    assert [e["slug"] for e in first["results"] + second["results"]] == [
        "event-0",
        "event-1",
        "event-2",
    ]
    assert second["next"] is None


def test_the_schema_documents_a_400_on_every_paginated_list(openapi_schema):
    lists = [
        (path, operation)
        for path, operations in openapi_schema["paths"].items()
        for method, operation in operations.items()
        if method == "get"
        and {"page", "page_size"} <= {p["name"] for p in operation.get("parameters", [])}
    ]

    assert len(lists) >= 10
    for path, operation in lists:
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, path


# The timelines' files: ETag and Cache-Control like the JSON reads, and 304


def test_each_file_sends_the_caches_etag_and_cache_control(api_client, trade):
    for name in FILES:
        url = f"/api/v1/timelines/trade/{name}"
        with checking(url):
            first = api_client.get(url)

            assert first.status_code == 200
            assert first["ETag"].startswith('"g')
            assert first["Cache-Control"] == PUBLIC_CACHE_CONTROL
            assert "Accept" in first["Vary"]


def test_each_file_answers_its_etag_with_a_304_until_a_write(api_client, trade, commit):
    tags = {name: api_client.get(f"/api/v1/timelines/trade/{name}")["ETag"] for name in FILES}

    for name, tag in tags.items():
        with checking(name):
            again = api_client.get(f"/api/v1/timelines/trade/{name}", HTTP_IF_NONE_MATCH=tag)

            assert again.status_code == 304
            assert again.content == b""
            assert again["ETag"] == tag
            assert again["Cache-Control"] == PUBLIC_CACHE_CONTROL

    with commit():
        trade.events.add(EventFactory(slug="new-event", title="New event"))

    for name, tag in tags.items():
        with checking(name):
            changed = api_client.get(f"/api/v1/timelines/trade/{name}", HTTP_IF_NONE_MATCH=tag)

            assert changed.status_code == 200
            assert changed["ETag"] != tag
            assert b"New event" in changed.content


def test_a_file_answers_if_modified_since_with_the_same_etag(api_client, trade):
    url = "/api/v1/timelines/trade/calendar.ics"
    first = api_client.get(url)

    again = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == PUBLIC_CACHE_CONTROL


def test_a_file_read_with_credentials_is_never_marked_public(editor_api, trade):
    for name in FILES:
        response = editor_api.get(f"/api/v1/timelines/trade/{name}")

        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-cache", name


# If-None-Match: * matches a current copy only: what is missing stays a 404


def test_if_none_match_any_on_a_missing_resource_is_a_404(api_client, trade):
    EventFactory(slug="draft", published_at=None)
    missing = [
        "/api/v1/events/no-such-slug/",
        "/api/v1/events/draft/",
        "/api/v1/timelines/no-such-timeline/",
        *(f"/api/v1/timelines/no-such-timeline/{name}" for name in FILES),
    ]
    for url in missing:
        with checking(url):
            response = api_client.get(url, HTTP_IF_NONE_MATCH="*")

            assert response.status_code == 404
            assert response.json()["code"] == "not_found"


def test_if_none_match_any_on_a_resource_is_a_304_whether_cached_or_not(api_client, trade):
    for url in [
        "/api/v1/events/event-0/",
        "/api/v1/events/",
        *(f"/api/v1/timelines/trade/{name}" for name in FILES),
    ]:
        with checking(url):
            cold = api_client.get(url, HTTP_IF_NONE_MATCH="*")
            cached = api_client.get(url, HTTP_IF_NONE_MATCH="*")

            assert (cold.status_code, cold.content) == (304, b"")
            assert (cached.status_code, cached.content) == (304, b"")
            assert cold["ETag"] == cached["ETag"] == api_client.get(url)["ETag"]


# Calendar UIDs and Atom ids: the canonical host's, whatever Host a request names


def uids(response) -> list[str]:
    return sorted(str(e["UID"]) for e in Calendar.from_ical(response.content).walk("VEVENT"))


def atom_ids(response) -> tuple[str, list[str]]:
    feed = feedparser.parse(response.content)
    return feed.feed.id, sorted(entry.id for entry in feed.entries)


@override_settings(ALLOWED_HOSTS=["news.example.org", "mirror.example.net"])
def test_uids_and_atom_ids_never_follow_the_host_header(api_client, trade):
    hosts = ["news.example.org", "mirror.example.net:8443"]
    domain = settings.TIMELINE_UID_DOMAIN

    calendars = [api_client.get("/api/v1/timelines/trade/calendar.ics", HTTP_HOST=h) for h in hosts]
    feeds = [api_client.get("/api/v1/timelines/trade/feed.atom", HTTP_HOST=h) for h in hosts]

    assert uids(calendars[0]) == uids(calendars[1])
    assert len(uids(calendars[0])) == 3
    assert all(uid.endswith(f"@{domain}") for uid in uids(calendars[0]))
    assert atom_ids(feeds[0]) == atom_ids(feeds[1])
    feed_id, entry_ids = atom_ids(feeds[0])
    assert feed_id.startswith(f"tag:{domain},")
    assert len(entry_ids) == 3
    assert all(entry_id.startswith(f"tag:{domain},") for entry_id in entry_ids)
    # Links still lead back to the site the reader came by.
    links = [feedparser.parse(feed.content).feed.link for feed in feeds]
    assert links == [
        "http://news.example.org/timelines/trade/",
        "http://mirror.example.net:8443/timelines/trade/",
    ]


@override_settings(ALLOWED_HOSTS=["news.example.org"], TIMELINE_UID_DOMAIN="timeline.example.com")
def test_the_uid_domain_is_the_setting(api_client, trade):
    response = api_client.get("/api/v1/timelines/trade/calendar.ics", HTTP_HOST="news.example.org")

    assert all(uid.endswith("@timeline.example.com") for uid in uids(response))


@override_settings(ALLOWED_HOSTS=["news.example.org"])
def test_development_uses_a_fixed_uid_domain_not_the_host(api_client, trade):
    response = api_client.get("/api/v1/timelines/trade/calendar.ics", HTTP_HOST="news.example.org")

    assert all(uid.endswith("@localhost") for uid in uids(response))


def test_production_refuses_a_uid_domain_that_is_not_a_host_name(tmp_path):
    for value in ["https://timeline.example.org", "timeline.example.org:443", "a/b"]:
        env = production_environ(tmp_path)
        env["TIMELINE_UID_DOMAIN"] = value
        result = manage("check", env=env)

        assert result.returncode != 0, explain(result)
        last_line = result.stderr.strip().splitlines()[-1]
        assert "ImproperlyConfigured" in last_line and "TIMELINE_UID_DOMAIN" in last_line, value

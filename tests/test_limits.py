"""Limits: request rates, failed logins and query strings.

Each limit answers with its own status in the API's one error shape, says
when to retry, and lets ordinary use through.
"""

import json
import time

import pytest
from django.test import RequestFactory
from knox.models import AuthToken

from config.clients import client_ip
from tests.factories import EventFactory

TOKENS_URL = "/api/v1/auth/tokens/"
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Small rates, so that a test reaches them in a few requests."""

    def set_rates(**rates):
        settings.TIMELINE_THROTTLE_RATES = {"anon": None, "user": None, "login": None} | rates

    return set_rates


def error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) <= {"detail", "code", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    return body


# --- Request rates -----------------------------------------------------------


def test_anonymous_clients_get_a_429_with_retry_after_past_their_rate(client, rates):
    rates(anon="3/minute")
    for _ in range(3):
        assert client.get("/api/v1/events/").status_code == 200

    response = client.get("/api/v1/events/")

    body = error_body(response, 429)
    assert body["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_anonymous_rate_is_counted_per_client_address(client, rates):
    rates(anon="2/minute")
    for _ in range(2):
        client.get("/api/v1/events/", REMOTE_ADDR="203.0.113.1")

    assert client.get("/api/v1/events/", REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get("/api/v1/events/", REMOTE_ADDR="203.0.113.2").status_code == 200


def test_the_rate_allows_requests_again_after_its_window(client, rates, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    now = [1_000_000.0]
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now[0])
    rates(anon="2/minute")
    for _ in range(2):
        client.get("/api/v1/events/")
    assert client.get("/api/v1/events/").status_code == 429

    now[0] += 61

    assert client.get("/api/v1/events/").status_code == 200


def test_editors_have_a_rate_of_their_own(editor_api, api_client, rates):
    rates(anon="1/minute", user="3/minute")
    assert api_client.get("/api/v1/events/").status_code == 200
    assert api_client.get("/api/v1/events/").status_code == 429
    for _ in range(3):
        assert editor_api.get("/api/v1/events/").status_code == 200

    assert error_body(editor_api.get("/api/v1/events/"), 429)["code"] == "throttled"


def test_a_rate_of_none_turns_the_throttle_off(client, rates):
    rates()
    for _ in range(50):
        assert client.get("/api/v1/tags/").status_code == 200


def test_the_default_rates_come_from_the_settings():
    from django.conf import settings

    assert settings.TIMELINE_THROTTLE_RATES == {
        "anon": "300/minute",
        "user": "1200/minute",
        "login": "10/minute",
    }


def test_password_token_requests_have_a_rate_per_address(api_client, editor, rates):
    rates(login="2/minute")
    for _ in range(2):
        response = api_client.post(
            TOKENS_URL, {"username": editor.username, "password": "wrong"}, format="json"
        )
        assert response.status_code == 401

    response = api_client.post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )

    assert error_body(response, 429)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert not AuthToken.objects.exists()


# --- Client addresses behind proxies ------------------------------------------


def test_the_client_address_counts_only_trusted_proxies(settings):
    for proxies, forwarded, expected in [
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a client's own entry is skipped
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),
        (1, "", "10.0.0.2"),
    ]:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

        assert client_ip(request) == expected, (proxies, forwarded)


# --- Failed logins (django-axes) ---------------------------------------------


@pytest.fixture
def lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return settings.AXES_COOLOFF_TIME


def fail_token_logins(api_client, username: str, times: int):
    for _ in range(times):
        response = api_client.post(
            TOKENS_URL, {"username": username, "password": "wrong"}, format="json"
        )
    return response


def test_repeated_failed_token_logins_lock_the_client_out_with_a_json_429(
    api_client, editor, lockout
):
    assert fail_token_logins(api_client, editor.username, 2).status_code == 401

    locked = fail_token_logins(api_client, editor.username, 1)

    body = error_body(locked, 429)
    assert body == {
        "detail": "Too many failed logins; try again in 15 minutes.",
        "code": "locked_out",
    }
    assert locked["Retry-After"] == str(int(lockout.total_seconds()))
    # Even the right password is refused during the cool-off, and no token is made.
    right = api_client.post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )
    assert error_body(right, 429)["code"] == "locked_out"
    assert not AuthToken.objects.exists()


def test_the_lockout_ends_after_the_cool_off(api_client, editor, lockout, monkeypatch):
    fail_token_logins(api_client, editor.username, 3)
    # A cool-off (and a second) later, the counts have expired from the cache.
    later = time.time() + lockout.total_seconds() + 1
    monkeypatch.setattr(time, "time", lambda: later)

    response = api_client.post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201


def test_repeated_failed_admin_logins_lock_the_client_out(client, editor, lockout):
    for _ in range(2):
        response = client.post(
            "/admin/login/?next=/admin/", {"username": editor.username, "password": "wrong"}
        )
        assert response.status_code == 200  # the form again, with its error

    response = client.post(
        "/admin/login/?next=/admin/", {"username": editor.username, "password": "wrong"}
    )

    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == str(int(lockout.total_seconds()))
    assert b"Too many failed logins; try again in 15 minutes." in response.content
    right = client.post(
        "/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}
    )
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Query strings -------------------------------------------------------------


def test_a_long_query_value_is_a_400_naming_the_parameter(client):
    response = client.get("/api/v1/events/", {"q": "x" * 501})

    body = error_body(response, 400)
    assert body["code"] == "invalid"
    assert body["errors"] == {"q": ["Ensure this value has at most 500 characters."]}


def test_a_value_at_the_limit_passes_on_to_the_view(client):
    # The middleware lets it through; the q filter has its own, shorter limit.
    assert client.get("/api/v1/events/", {"utm_source": "x" * 500}).status_code == 200
    response = client.get("/api/v1/events/", {"q": "x" * 500})
    assert error_body(response, 400)["errors"]["q"] == [
        "Ensure this value has at most 200 characters (it has 500)."
    ]


def test_too_many_query_parameters_are_a_400(client):
    params = "&".join(f"p{i}=1" for i in range(31))

    response = client.get(f"/api/v1/events/?{params}")

    body = error_body(response, 400)
    assert body["code"] == "query_too_large"
    assert "31" in body["detail"]
    assert (
        client.get("/api/v1/events/?" + "&".join(f"p{i}=1" for i in range(30))).status_code == 200
    )


def test_a_huge_query_string_is_refused_before_it_is_parsed(client):
    response = client.get("/api/v1/events/?q=" + "x" * 100_000)

    assert error_body(response, 400)["code"] == "query_too_large"


def test_a_page_gets_a_plain_400_for_a_long_query_value(client):
    EventFactory()
    response = client.get("/timelines/anything/", {"tag": "t" * 501})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"at most 500 characters" in response.content


def test_the_page_size_is_capped(client):
    EventFactory.create_batch(3)
    response = client.get("/api/v1/events/", {"page_size": 10_000})

    assert response.status_code == 200
    assert response.json()["count"] == 3
    # The cap is the paginator's; asking for more returns at most that many.
    from timeline.api.pagination import PageNumberPagination

    assert PageNumberPagination.max_page_size == 200

"""Failed logins, admin and API token, counted per client address and per username.

django-axes (``AXES_*`` in config/settings.py) counts each failure against the
client's address and against the username tried, in the cache: an address is
locked out after the limit whatever usernames it tries (password spraying), a
username whatever addresses try it. A locked-out attempt is refused before any
password is hashed, with a 429 and ``Retry-After``.
"""

import time
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.core.management import call_command
from knox.models import AuthToken

from tests.factories import UserFactory, make_editor

pytestmark = pytest.mark.django_db

ADMIN_LOGIN_URL = "/admin/login/?next=/admin/"
TOKENS_URL = "/api/v1/auth/tokens/"
PASSWORD = "correct horse battery staple"
ATTACKER = "203.0.113.9"
EDITOR_ADDRESS = "198.51.100.20"
PROXY = "10.0.0.1"


def admin_login(client, username: str, password: str, address: str, **headers):
    return client.post(
        ADMIN_LOGIN_URL,
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def token_login(client, username: str, password: str, address: str, **headers):
    return client.post(
        TOKENS_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
        **headers,
    )


def refused(response) -> bool:
    """A wrong password's answer: the admin's form again, or the API's 401."""
    return response.status_code in {200, 401}


def signed_in(response) -> bool:
    """A right password's answer: the admin's redirect, or the API's new token."""
    return response.status_code in {201, 302}


def assert_locked_out(response, settings) -> None:
    assert response.status_code == 429, response.content
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if response.wsgi_request.path.startswith("/api/"):
        assert response.json()["code"] == "locked_out"
    else:
        assert b"Too many failed logins" in response.content


@pytest.fixture(params=[admin_login, token_login], ids=["admin", "token"])
def login(request, settings):
    """Each test runs against the admin's login form and the API's token endpoint.

    The token endpoint's own rate per address (DRF, 10 a minute) is off, so
    that what answers is the lockout.
    """
    settings.TIMELINE_THROTTLE_RATES = {**settings.TIMELINE_THROTTLE_RATES, "login": None}
    return request.param


@pytest.fixture
def behind_one_proxy(settings):
    """One load balancer in front, appending the client's address to X-Forwarded-For."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


@pytest.fixture
def password_hashes(monkeypatch) -> list[str]:
    """Every password hashed or checked from now on (the suite's fast hasher)."""
    calls = []
    encode, verify = MD5PasswordHasher.encode, MD5PasswordHasher.verify

    def counted_encode(self, password, salt):
        calls.append("encode")
        return encode(self, password, salt)

    def counted_verify(self, password, encoded):
        calls.append("verify")
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted_encode)
    monkeypatch.setattr(MD5PasswordHasher, "verify", counted_verify)
    return calls


def test_one_address_trying_many_usernames_is_locked_out(client, login, settings):
    make_editor(username="alice")
    usernames = ["alice", *(f"guess{n}" for n in range(29))]
    limit = settings.AXES_FAILURE_LIMIT

    answers = [login(client, name, "Winter2025!", ATTACKER) for name in usernames]

    assert all(refused(answer) for answer in answers[: limit - 1])
    for answer in answers[limit - 1 :]:
        assert_locked_out(answer, settings)
    # Even the right password of a real editor, from that address.
    assert_locked_out(login(client, "alice", PASSWORD, ATTACKER), settings)
    assert not AuthToken.objects.exists()


def test_a_locked_out_attempt_costs_no_password_hash(client, login, settings, password_hashes):
    make_editor(username="alice")
    password_hashes.clear()
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        login(client, f"guess{n}", "Winter2025!", ATTACKER)
    # Each attempt up to the limit hashed its password once (an unknown user's too).
    assert len(password_hashes) == limit

    for name in ["alice", *(f"other{n}" for n in range(20))]:
        assert login(client, name, PASSWORD, ATTACKER).status_code == 429

    assert len(password_hashes) == limit


def test_one_username_tried_from_many_addresses_is_locked_out(
    client, login, settings, behind_one_proxy
):
    editor = make_editor()
    limit = settings.AXES_FAILURE_LIMIT

    answers = [
        login(
            client,
            editor.username,
            "Winter2025!",
            PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
        for n in range(1, 31)
    ]

    assert all(refused(answer) for answer in answers[: limit - 1])
    for answer in answers[limit - 1 :]:
        assert_locked_out(answer, settings)
    # The editor's own right password, from an address never seen, waits the cool-off too.
    own = login(client, editor.username, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS)
    assert_locked_out(own, settings)


def test_another_editor_signs_in_from_elsewhere_while_an_address_is_locked_out(
    client, login, settings, behind_one_proxy
):
    alice, bob = make_editor(username="alice"), make_editor(username="bob")
    # Spraying, then hammering the two real editors from the locked-out address.
    for name in [*(f"guess{n}" for n in range(30)), *["alice", "bob"] * 10]:
        login(client, name, "Winter2025!", PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)

    for editor in (alice, bob):
        response = login(
            client, editor.username, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS
        )
        assert signed_in(response), response.content


def test_a_forged_forwarded_for_does_not_escape_the_lockout(
    client, login, settings, behind_one_proxy
):
    limit = settings.AXES_FAILURE_LIMIT
    # The proxy appends the attacker's real address after whatever the attacker sent.
    answers = [
        login(
            client,
            f"guess{n}",
            "Winter2025!",
            PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}",
        )
        for n in range(1, 11)
    ]

    assert all(refused(answer) for answer in answers[: limit - 1])
    for answer in answers[limit - 1 :]:
        assert_locked_out(answer, settings)


def test_without_a_trusted_proxy_everyone_behind_it_shares_one_lockout(client, login, settings):
    # DJANGO_NUM_PROXIES=0 behind a load balancer: every client has the proxy's address.
    editor = make_editor()
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"guess{n}", "Winter2025!", PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)

    response = login(client, editor.username, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=EDITOR_ADDRESS)

    assert_locked_out(response, settings)


def test_a_successful_login_does_not_reset_its_address_count(client, login, settings):
    # Otherwise anyone with an account of their own could sign in between guesses.
    own = UserFactory(username="mallory", is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit - 1):
        assert refused(login(client, f"guess{n}", "Winter2025!", ATTACKER))
    assert signed_in(login(client, own.username, PASSWORD, ATTACKER))

    assert_locked_out(login(client, "guess-last", "Winter2025!", ATTACKER), settings)


def test_a_username_spelled_as_an_address_does_not_lock_that_address(client, login, settings):
    # axes keys both counts by a hash of the bare value: the same key, unless told apart.
    editor = make_editor()
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, EDITOR_ADDRESS, "Winter2025!", f"192.0.2.{n}")

    response = login(client, editor.username, PASSWORD, EDITOR_ADDRESS)

    assert signed_in(response), response.content


def test_the_counts_live_in_the_cache(client, login, settings):
    editor = make_editor()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, editor.username, "Winter2025!", ATTACKER)
    assert login(client, editor.username, PASSWORD, EDITOR_ADDRESS).status_code == 429
    assert not AccessAttempt.objects.exists()

    cache.clear()

    assert signed_in(login(client, editor.username, PASSWORD, EDITOR_ADDRESS))


def test_the_lockout_ends_after_the_cool_off(client, login, settings, monkeypatch):
    editor = make_editor()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, editor.username, "Winter2025!", ATTACKER)
    assert login(client, editor.username, PASSWORD, EDITOR_ADDRESS).status_code == 429

    later = time.time() + settings.AXES_COOLOFF_TIME.total_seconds() + 1
    monkeypatch.setattr(time, "time", lambda: later)

    assert signed_in(login(client, editor.username, PASSWORD, EDITOR_ADDRESS))


def test_an_operator_lifts_a_username_or_an_address_lockout(client, login, settings):
    editor = make_editor()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, editor.username, "Winter2025!", ATTACKER)
    assert login(client, editor.username, PASSWORD, EDITOR_ADDRESS).status_code == 429

    call_command("axes_reset_username", editor.username, stdout=StringIO())

    assert signed_in(login(client, editor.username, PASSWORD, EDITOR_ADDRESS))
    assert login(client, "someone", "Winter2025!", ATTACKER).status_code == 429
    call_command("axes_reset_ip", ATTACKER, stdout=StringIO())
    assert refused(login(client, "someone", "Winter2025!", ATTACKER))

"""POSTs with an Idempotency-Key: a retry gets the first answer and writes nothing."""

import json
from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import make_editor
from timeline import generations
from timeline.models import Event, IdempotentResponse

EVENTS = "/api/v1/events/"
DRAFT = {"slug": "busan-meeting", "title": "Trump and Xi meet in Busan", "date": "2025-10-30"}


def post(client, token, body, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        EVENTS,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        **headers,
    )


@pytest.fixture
def token(editor):
    return AuthToken.objects.create(editor)[1]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(client, token):
    first = post(client, token, DRAFT, key="7d3c2e4a-create-busan")
    generation = generations.current()

    retry = post(client, token, DRAFT, key="7d3c2e4a-create-busan")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.content == first.content
    assert retry["Location"] == first["Location"]
    assert retry["ETag"] == first["ETag"]
    assert Event.objects.count() == 1
    assert generations.current() == generation


def test_without_a_key_a_retry_is_a_new_request(client, token):
    post(client, token, DRAFT)

    retry = post(client, token, DRAFT)

    assert retry.status_code == 400
    assert "slug" in retry.json()["errors"]


def test_the_drafts_quoted_form_of_a_key_is_the_same_key(client, token):
    post(client, token, DRAFT, key="abc-123")

    retry = post(client, token, DRAFT, key='"abc-123"')

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(client, token):
    post(client, token, DRAFT, key="k-1")

    other = post(client, token, DRAFT | {"slug": "another"}, key="k-1")

    assert other.status_code == 422
    body = other.json()
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["errors"]
    assert not Event.objects.filter(slug="another").exists()


def test_keys_belong_to_the_credentials_that_sent_them(client, token):
    post(client, token, DRAFT, key="shared-key")
    _, colleague = AuthToken.objects.create(make_editor(username="colleague"))

    theirs = post(client, colleague, DRAFT | {"slug": "theirs"}, key="shared-key")

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert Event.objects.count() == 2


def test_a_request_that_failed_keeps_nothing_so_its_corrected_retry_runs(client, token):
    refused = post(client, token, DRAFT | {"date": "not a date"}, key="k-2")

    corrected = post(client, token, DRAFT, key="k-2")

    assert refused.status_code == 400
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected
    assert IdempotentResponse.objects.get().status == 201


def test_keys_expire_after_24_hours(client, token):
    post(client, token, DRAFT, key="k-3")
    IdempotentResponse.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    late = post(client, token, DRAFT, key="k-3")

    # Run again, not replayed: the slug is taken now.
    assert late.status_code == 400
    assert "Idempotent-Replayed" not in late
    assert not IdempotentResponse.objects.exists()


@pytest.mark.parametrize(
    ("key", "message"),
    [("x" * 256, "at most 255"), ('""', "non-empty"), ("clé", "ASCII")],
)
def test_an_invalid_key_is_a_400_naming_the_header(client, token, key, message):
    response = post(client, token, DRAFT, key=key)

    assert response.status_code == 400
    assert message in response.json()["errors"]["Idempotency-Key"][0]
    assert not Event.objects.exists()


def test_the_token_endpoint_ignores_the_key_and_stores_no_token(client, editor):
    editor.set_password("a long editor password")
    editor.save()
    body = {"username": editor.username, "password": "a long editor password"}

    for _ in range(2):
        response = client.post(
            "/api/v1/auth/tokens/",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="login-1",
        )
        assert response.status_code == 201
        assert "Idempotent-Replayed" not in response
    assert not IdempotentResponse.objects.exists()


def test_the_schema_documents_the_header_on_posts(openapi_schema):
    create = openapi_schema["paths"]["/api/v1/events/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in create["parameters"]]
    assert "422" in create["responses"]
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    login = openapi_schema["paths"]["/api/v1/auth/tokens/"]["post"]
    assert "Idempotency-Key" not in [p["name"] for p in login.get("parameters", [])]


# The outage the testers saw: the database committed, then the connection
# died before the answer: the client got a 503 "retry" for a saved write.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_whose_answer_was_lost_after_its_commit_moved_the_generation_and_is_replayed(
    monkeypatch,
):
    _, token = AuthToken.objects.create(make_editor())
    client = Client(raise_request_exception=False)
    generation = generations.current()
    commit, lost_once = connection._commit, []

    def committed_then_lost():
        commit()
        if not lost_once:
            lost_once.append(True)
            cause = psycopg.OperationalError("server closed the connection unexpectedly")
            raise OperationalError(str(cause)) from cause

    monkeypatch.setattr(connection, "_commit", committed_then_lost)
    lost = post(client, token, DRAFT, key="k-lost")

    assert lost.status_code == 503
    # Moved with the write: no cached read can serve what the write replaced.
    assert generations.current() == generation + 1
    assert Event.objects.count() == 1

    retry = post(client, token, DRAFT, key="k-lost")

    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["slug"] == "busan-meeting"
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_that_fails_with_a_5xx_commits_nothing(monkeypatch):
    from timeline.api.views import EventViewSet

    _, token = AuthToken.objects.create(make_editor())
    create = EventViewSet.create
    generation = generations.current()

    def create_then_crash(self, request, *args, **kwargs):
        create(self, request, *args, **kwargs)
        raise RuntimeError("after the write")

    monkeypatch.setattr(EventViewSet, "create", create_then_crash)
    response = post(Client(raise_request_exception=False), token, DRAFT, key="k-crash")

    assert response.status_code == 500
    assert not Event.objects.exists()
    assert not IdempotentResponse.objects.exists()
    assert generations.current() == generation


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_with_one_key_at_once_write_once(live_server, monkeypatch):
    import threading
    import time
    import urllib.request

    from timeline.api.views import EventViewSet

    _, token = AuthToken.objects.create(make_editor())
    create = EventViewSet.create

    def slow_create(self, request, *args, **kwargs):
        time.sleep(0.5)  # the second request arrives while the first holds the key
        return create(self, request, *args, **kwargs)

    monkeypatch.setattr(EventViewSet, "create", slow_create)
    answers = []

    def send():
        request = urllib.request.Request(
            live_server.url + EVENTS,
            data=json.dumps(DRAFT).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
                "Idempotency-Key": "k-race",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answers.append((response.status, response.headers.get("Idempotent-Replayed")))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.1)
    for thread in threads:
        thread.join(timeout=30)

    assert set(answers) == {(201, None), (201, "true")}
    assert Event.objects.count() == 1

"""API tokens: who may create one, revoking them all, and when each was last used.

A stolen token must not renew itself: a new token needs the password, or the
admin session (with its CSRF token). ``last_used`` lets an editor spot a token
used where it should not be; it is written at most once a minute a token.
"""

import datetime
import logging

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from config.replicas import _reading_from
from tests.conftest import Client
from tests.factories import make_editor
from tests.timeline.test_api_auth import PASSWORD, TOKENS_URL, new_token, token_client
from timeline.api.authentication import record_token_use
from timeline.models import TokenUse

pytestmark = pytest.mark.django_db


def signed_in_with_csrf(user) -> tuple[Client, str]:
    """A browser signed in to the admin, and the CSRF token its pages carry."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/admin/password_change/").status_code == 200
    return client, client.cookies["csrftoken"].value


def tokenuse_writes(queries) -> list[str]:
    return [
        query["sql"]
        for query in queries
        if "timeline_tokenuse" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
    ]


# Creating tokens


def test_a_token_alone_cannot_create_another(editor):
    client = token_client(new_token(editor))

    response = client.post(TOKENS_URL, {}, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "password" in body["detail"]
    assert AuthToken.objects.filter(user=editor).count() == 1


def test_a_password_creates_a_token_with_or_without_a_token(editor):
    client = token_client(new_token(editor))

    response = client.post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    assert AuthToken.objects.filter(user=editor).count() == 2


def test_an_admin_session_creates_a_token_with_its_csrf_token(editor):
    client, csrf_token = signed_in_with_csrf(editor)

    refused = client.post(TOKENS_URL, {}, content_type="application/json")
    response = client.post(
        TOKENS_URL, {}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf_token
    )

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert response.status_code == 201
    assert AuthToken.objects.get(user=editor).token_key == response.json()["token_key"]


# Revoking every token


def test_revoking_all_your_tokens(editor):
    mine = [new_token(editor) for _ in range(3)]
    other = make_editor()
    theirs = new_token(other)

    response = token_client(mine[0]).delete(TOKENS_URL)

    assert response.status_code == 204
    for token in mine:
        revoked = token_client(token).get(TOKENS_URL)
        assert revoked.status_code == 401
        assert revoked.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=editor).exists()
    assert token_client(theirs).get(TOKENS_URL).status_code == 200
    assert AuthToken.objects.filter(user=other).count() == 1


def test_revoking_all_by_session_needs_the_csrf_token(editor):
    new_token(editor)
    client, csrf_token = signed_in_with_csrf(editor)

    assert client.delete(TOKENS_URL).status_code == 403
    assert AuthToken.objects.filter(user=editor).count() == 1
    assert client.delete(TOKENS_URL, HTTP_X_CSRFTOKEN=csrf_token).status_code == 204
    assert not AuthToken.objects.exists()


def test_revoking_all_needs_a_signed_in_user(api_client, editor):
    new_token(editor)

    response = api_client.delete(TOKENS_URL)

    assert response.status_code == 401
    assert AuthToken.objects.count() == 1


# Last use


def test_a_tokens_last_use_is_recorded_and_listed(editor, editor_api):
    used, unused = new_token(editor), new_token(editor)
    before = timezone.now()

    assert token_client(used).get("/api/v1/events/").status_code == 200

    last_used = TokenUse.objects.get(token__token_key=used[:15]).last_used_at
    assert before <= last_used <= timezone.now()
    listed = {t["token_key"]: t["last_used"] for t in editor_api.get(TOKENS_URL).json()}
    assert listed[unused[:15]] is None
    assert datetime.datetime.fromisoformat(listed[used[:15]]) == last_used


def test_the_last_use_is_written_at_most_once_a_minute(editor):
    client = token_client(new_token(editor))
    with CaptureQueriesContext(connection) as first:
        client.get("/api/v1/events/")
    recorded = TokenUse.objects.get().last_used_at

    with CaptureQueriesContext(connection) as again:
        client.get("/api/v1/events/")

    assert len(tokenuse_writes(first.captured_queries)) == 1
    assert tokenuse_writes(again.captured_queries) == []
    assert TokenUse.objects.get().last_used_at == recorded

    # A minute later, the next use is written.
    TokenUse.objects.update(last_used_at=recorded - datetime.timedelta(seconds=61))
    with CaptureQueriesContext(connection) as later:
        client.get("/api/v1/events/")

    assert len(tokenuse_writes(later.captured_queries)) == 1
    assert TokenUse.objects.get().last_used_at > recorded


def test_a_failed_write_of_the_last_use_does_not_fail_the_request(editor, caplog):
    client = token_client(new_token(editor))

    def refuse_token_use_writes(execute, sql, params, many, context):
        if "timeline_tokenuse" in sql and not sql.lstrip().upper().startswith("SELECT"):
            raise OperationalError("cannot execute INSERT in a read-only transaction")
        return execute(sql, params, many, context)

    with caplog.at_level(logging.WARNING), connection.execute_wrapper(refuse_token_use_writes):
        response = client.get(TOKENS_URL)

    assert response.status_code == 200
    assert response.json()[0]["last_used"] is None
    assert "read-only transaction" in caplog.text
    assert not TokenUse.objects.exists()


def test_the_last_use_is_read_and_written_on_the_primary(editor):
    new_token(editor)
    token = AuthToken.objects.get()
    # As while a request reads from a replica (config.replicas). The test may not touch the
    # replica: a query there would fail it.
    routed = _reading_from.set("replica")
    try:
        record_token_use(token)
    finally:
        _reading_from.reset(routed)

    assert TokenUse.objects.get(token=token).last_used_at is not None


def test_the_admin_shows_each_tokens_last_use(superuser, editor):
    used, unused = new_token(editor), new_token(editor)
    token_client(used).get("/api/v1/events/")
    client = Client()
    client.force_login(superuser)

    response = client.get("/admin/knox/authtoken/")

    assert response.status_code == 200
    assert "Last used" in response.content.decode()
    changelist = response.context["cl"]
    shown = {t.token_key: changelist.model_admin.last_used(t) for t in changelist.result_list}
    assert shown == {
        used[:15]: TokenUse.objects.get(token__token_key=used[:15]).last_used_at,
        unused[:15]: None,
    }


def test_the_schema_documents_revoking_all_and_the_last_use(openapi_schema):
    tokens = openapi_schema["paths"]["/api/v1/auth/tokens/"]
    token = openapi_schema["components"]["schemas"]["Token"]

    assert tokens["delete"]["summary"] == "Revoke all your API tokens"
    assert {"204", "401", "403"} <= set(tokens["delete"]["responses"])
    assert "token alone" in tokens["post"]["responses"]["403"]["description"]
    assert token["properties"]["last_used"]["nullable"] is True
    assert "last_used" in token["required"]

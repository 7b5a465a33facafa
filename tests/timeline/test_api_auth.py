"""Tests for API tokens, and for who may write: anonymous, non-editor, editor, superuser."""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from knox.models import AuthToken

from tests.conftest import APIClient, checking
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
    make_editor,
)
from timeline.models import Event

pytestmark = pytest.mark.django_db

TOKENS_URL = "/api/v1/auth/tokens/"
PASSWORD = "correct horse battery staple"
SPRING_QUOTE = "The talks will resume in spring."
NEW_EVENT = {"slug": "new-event", "title": "New", "date": "2025"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    return body


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def new_token(user) -> str:
    response = APIClient().post(
        TOKENS_URL, {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


# Creating tokens


def test_a_token_is_created_with_username_and_password(api_client, editor):
    before = timezone.now()

    response = api_client.post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"token", "token_key", "created", "expiry", "current", "last_used"}
    assert body["last_used"] is None
    assert body["token"].startswith(body["token_key"])
    assert body["current"] is False
    stored = AuthToken.objects.get(user=editor)
    assert stored.token_key == body["token_key"]
    # Stored hashed: the token itself is nowhere in the database.
    assert body["token"] not in (stored.digest, stored.token_key)
    expiry = datetime.datetime.fromisoformat(body["expiry"])
    assert datetime.timedelta(days=29) < expiry - before <= datetime.timedelta(days=30, seconds=5)


def test_a_signed_in_user_creates_a_token_without_sending_the_password(editor_api, editor):
    response = editor_api.post(TOKENS_URL, {}, format="json")

    assert response.status_code == 201
    assert AuthToken.objects.filter(user=editor).count() == 1


def test_wrong_credentials_are_a_401_and_create_nothing(api_client, editor, stored_state):
    for payload in [
        {"username": editor.username, "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": editor.username, "password": PASSWORD.upper()},
        {"username": editor.username, "password": f" {PASSWORD}"},
    ]:
        before = stored_state()

        response = api_client.post(TOKENS_URL, payload, format="json")

        with checking(payload):
            assert_error(response, 401, "authentication_failed")
            assert response["WWW-Authenticate"] == "Token"
            # Not even the last login moved.
            assert stored_state() == before


def test_an_inactive_user_gets_no_token(api_client, stored_state):
    user = make_editor(is_active=False)
    before = stored_state()

    response = api_client.post(
        TOKENS_URL, {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert_error(response, 401, "authentication_failed")
    assert stored_state() == before


def test_incomplete_credentials_are_a_400_naming_the_field(api_client):
    for payload, fields in [
        ({"username": "someone"}, {"password"}),
        ({"password": PASSWORD}, {"username"}),
        ({"username": "someone", "password": PASSWORD, "remember": True}, {"remember"}),
        ({"username": ["a"], "password": PASSWORD}, {"username"}),
    ]:
        response = api_client.post(TOKENS_URL, payload, format="json")

        with checking(payload):
            body = assert_error(response, 400, "invalid")
            assert set(body["errors"]) == fields
            assert not AuthToken.objects.exists()


def test_no_credentials_and_not_signed_in_is_a_401(api_client):
    response = api_client.post(TOKENS_URL, {}, format="json")

    assert_error(response, 401, "not_authenticated")
    assert not AuthToken.objects.exists()


def test_malformed_json_for_a_token_is_a_400(api_client):
    response = api_client.post(TOKENS_URL, '{"username": ', content_type="application/json")

    assert_error(response, 400, "parse_error")


def test_a_user_may_hold_at_most_20_tokens(editor):
    for _ in range(20):
        AuthToken.objects.create(user=editor, expiry=datetime.timedelta(days=1))

    response = APIClient().post(
        TOKENS_URL, {"username": editor.username, "password": PASSWORD}, format="json"
    )

    assert_error(response, 403, "permission_denied")
    assert AuthToken.objects.filter(user=editor).count() == 20


def test_expired_tokens_do_not_count_towards_the_limit(editor):
    for _ in range(20):
        AuthToken.objects.create(user=editor, expiry=datetime.timedelta(days=1))
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    assert new_token(editor)


# Using tokens


def test_an_editor_writes_with_a_token_and_the_history_names_them(editor):
    client = token_client(new_token(editor))

    response = client.post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == 201
    record = Event.history.get(slug="new-event")
    assert record.history_user == editor


def test_a_bad_token_is_a_401(editor, stored_state):
    token = new_token(editor)
    # A header of the Token scheme is tried and fails; another scheme is no credentials at all.
    codes = {
        "Token not-a-real-token": "authentication_failed",
        "Token ": "authentication_failed",
        "Token a b": "authentication_failed",
        f"Bearer {token}": "not_authenticated",
        f"Token {token}x": "authentication_failed",
        f"Token {token[:-1]}": "authentication_failed",
    }
    for header, code in codes.items():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        before = stored_state()

        response = client.post("/api/v1/events/", NEW_EVENT, format="json")

        with checking(header):
            assert_error(response, 401, code)
            assert response["WWW-Authenticate"] == "Token"
            assert stored_state() == before


def test_an_expired_token_is_a_401(editor):
    token = new_token(editor)
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))

    response = token_client(token).post("/api/v1/events/", NEW_EVENT, format="json")

    assert_error(response, 401, "authentication_failed")
    assert not Event.objects.exists()


def test_the_token_of_a_deactivated_user_is_a_401(editor):
    token = new_token(editor)
    editor.is_active = False
    editor.save()

    response = token_client(token).post("/api/v1/events/", NEW_EVENT, format="json")

    assert_error(response, 401, "authentication_failed")
    assert not Event.objects.exists()


# Listing and revoking tokens


def test_the_token_list_shows_your_live_tokens_and_which_one_you_used(editor):
    first, second = new_token(editor), new_token(editor)
    expired = new_token(editor)
    AuthToken.objects.filter(token_key=expired[:15]).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    new_token(make_editor())  # someone else's

    response = token_client(second).get(TOKENS_URL)

    assert response.status_code == 200
    body = response.json()
    assert [t["token_key"] for t in body] == [second[:15], first[:15]]  # newest first
    assert [t["current"] for t in body] == [True, False]
    assert all(set(t) == {"token_key", "created", "expiry", "current", "last_used"} for t in body)
    assert first not in response.content.decode()


def test_the_token_list_by_session_has_no_current_token(editor_api, editor):
    new_token(editor)

    body = editor_api.get(TOKENS_URL).json()

    assert [t["current"] for t in body] == [False]


def test_the_token_list_needs_a_signed_in_user(api_client):
    response = api_client.get(TOKENS_URL)

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_a_token_by_its_key(editor):
    kept, revoked = new_token(editor), new_token(editor)
    client = token_client(kept)

    response = client.delete(f"{TOKENS_URL}{revoked[:15]}/")

    assert response.status_code == 204
    assert_error(
        token_client(revoked).post("/api/v1/events/", NEW_EVENT, format="json"),
        401,
        "authentication_failed",
    )
    assert client.get(TOKENS_URL).status_code == 200
    assert [t["token_key"] for t in client.get(TOKENS_URL).json()] == [kept[:15]]


def test_revoking_someone_elses_token_is_a_404_and_it_keeps_working(editor):
    mine = new_token(editor)
    other = make_editor()
    theirs = new_token(other)

    response = token_client(mine).delete(f"{TOKENS_URL}{theirs[:15]}/")

    assert_error(response, 404, "not_found")
    assert AuthToken.objects.filter(user=other).count() == 1
    assert token_client(theirs).post("/api/v1/events/", NEW_EVENT, format="json").status_code == 201


def test_revoking_an_unknown_key_is_a_404(editor):
    response = token_client(new_token(editor)).delete(f"{TOKENS_URL}0123456789abcde/")

    assert_error(response, 404, "not_found")


def test_revoking_the_current_token(editor):
    other = new_token(editor)
    token = new_token(editor)
    client = token_client(token)

    response = client.delete(f"{TOKENS_URL}current/")

    assert response.status_code == 204
    assert_error(client.get(TOKENS_URL), 401, "authentication_failed")
    assert_error(
        client.post("/api/v1/events/", NEW_EVENT, format="json"), 401, "authentication_failed"
    )
    assert [t.token_key for t in AuthToken.objects.all()] == [other[:15]]


def test_revoking_current_without_a_token_is_a_404(editor_api, editor):
    new_token(editor)

    response = editor_api.delete(f"{TOKENS_URL}current/")

    assert_error(response, 404, "not_found")
    assert AuthToken.objects.count() == 1


def test_revoking_needs_a_signed_in_user(api_client, editor):
    token = new_token(editor)

    response = api_client.delete(f"{TOKENS_URL}{token[:15]}/")

    assert_error(response, 401, "not_authenticated")
    assert AuthToken.objects.count() == 1


# Sessions and CSRF


def test_a_session_write_without_the_csrf_token_is_refused(editor, stored_state):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    before = stored_state()

    response = client.post("/api/v1/events/", NEW_EVENT, format="json")

    body = assert_error(response, 403, "permission_denied")
    assert "CSRF" in body["detail"]
    assert stored_state() == before


def test_a_session_write_with_the_csrf_token_is_accepted(editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret

    response = client.post("/api/v1/events/", NEW_EVENT, format="json", HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 201


def test_a_token_write_needs_no_csrf_token(editor):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {new_token(editor)}")

    response = client.post("/api/v1/events/", NEW_EVENT, format="json")

    assert response.status_code == 201


def test_a_session_token_request_without_csrf_is_refused(editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(TOKENS_URL, {}, format="json")

    assert_error(response, 403, "permission_denied")
    assert not AuthToken.objects.exists()


def test_reads_by_session_need_no_csrf_token(editor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    EventFactory(published_at=None)

    assert client.get("/api/v1/events/", {"include_drafts": "true"}).json()["count"] == 1


# Who may write what


@dataclass
class Write:
    method: str
    url: str
    payload: dict | None
    status: int  # an editor's success
    if_match: str


def _write(collection: str, method: str, editor) -> Write:
    """A create, replace, change and delete of one kind of resource, each valid for an editor."""
    source = SourceFactory()
    new_slug = f"new-{source.pk}"  # each write creates its own
    if collection == "events":
        target = EventFactory(published_at=None)
        url, change = f"/api/v1/events/{target.slug}/", {"title": "Changed"}
        create = {**NEW_EVENT, "slug": new_slug}
    elif collection == "citations":
        target = CitationFactory(source=source)
        url, change = f"/api/v1/citations/{target.pk}/", {"note": "Changed"}
        create = {"event": target.event.slug, "source": source.pk, "quote": SPRING_QUOTE}
    elif collection == "sources":
        target = source
        url, change = f"/api/v1/sources/{source.pk}/", {"title": "Changed"}
        create = {"slug": new_slug, "title": "New", "text": "Some archived text."}
    elif collection == "timelines":
        target = TimelineFactory(events=[EventFactory()])
        url, change = f"/api/v1/timelines/{target.slug}/", {"title": "Changed"}
        create = {"slug": new_slug, "title": "New", "events": [target.events.get().slug]}
    else:
        factory = {"actors": ActorFactory, "places": PlaceFactory, "tags": TagFactory}[collection]
        target = factory()
        url, change = f"/api/v1/{collection}/{target.slug}/", {"name": "Changed"}
        create = {"slug": new_slug, "name": "New"}
    if_match = f'"{target.version}"'
    if method == "put":
        # The resource as an editor reads it, changed.
        client = APIClient()
        client.force_login(editor)
        change = client.get(url, {"include_drafts": "true"}).json() | change
    return {
        "post": Write("post", f"/api/v1/{collection}/", create, 201, if_match),
        "put": Write("put", url, change, 200, if_match),
        "patch": Write("patch", url, change, 200, if_match),
        "delete": Write("delete", url, None, 204, if_match),
    }[method]


def _send(client, write: Write):
    if write.method == "post":
        return client.post(write.url, write.payload, format="json")
    if write.method == "delete":
        return client.delete(write.url, HTTP_IF_MATCH=write.if_match)
    return getattr(client, write.method)(
        write.url, write.payload, format="json", HTTP_IF_MATCH=write.if_match
    )


COLLECTIONS = ["events", "citations", "sources", "timelines", "actors", "places", "tags"]
METHODS = ["post", "put", "patch", "delete"]


def test_anonymous_writes_are_401_with_a_token_challenge(api_client, editor, stored_state):
    for collection in COLLECTIONS:
        for method in METHODS:
            write = _write(collection, method, editor)
            before = stored_state()

            response = _send(api_client, write)

            with checking(method, collection):
                assert_error(response, 401, "not_authenticated")
                assert response["WWW-Authenticate"] == "Token"
                assert stored_state() == before


def test_signed_in_non_editors_writes_are_403(reader_api, editor, stored_state):
    for collection in COLLECTIONS:
        for method in METHODS:
            write = _write(collection, method, editor)
            before = stored_state()

            response = _send(reader_api, write)

            with checking(method, collection):
                assert_error(response, 403, "permission_denied")
                assert stored_state() == before


def test_editors_and_superusers_may_write(editor, superuser, stored_state):
    for user in (editor, superuser):
        client = APIClient()
        client.force_login(user)
        for collection in COLLECTIONS:
            for method in METHODS:
                write = _write(collection, method, editor)
                before = stored_state()

                response = _send(client, write)

                with checking(user.username, method, collection):
                    assert response.status_code == write.status, response.content
                    assert stored_state() != before


def test_non_editors_read_like_anyone(reader_api, api_client):
    citation = CitationFactory()
    TimelineFactory(events=[citation.event])

    for collection in COLLECTIONS:
        url = f"/api/v1/{collection}/"
        assert reader_api.get(url).content == api_client.get(url).content, url
        assert reader_api.get(url).status_code == 200, url


def test_event_actions_are_for_editors(api_client, reader_api, editor_api):
    for path, method in [("publish/", "post"), ("unpublish/", "post"), ("history/", "get")]:
        event = EventFactory(
            published_at=None if path == "publish/" else timezone.now(), explained=True
        )
        url = f"/api/v1/events/{event.slug}/{path}"
        before = Event.objects.values().get(pk=event.pk)

        anonymous = getattr(api_client, method)(url)
        reader = getattr(reader_api, method)(url)

        with checking(path):
            assert_error(anonymous, 401, "not_authenticated")
            assert anonymous["WWW-Authenticate"] == "Token"
            assert_error(reader, 403, "permission_denied")
            assert Event.objects.values().get(pk=event.pk) == before
            assert getattr(editor_api, method)(url).status_code == 200


def test_timeline_publishing_is_for_editors(api_client, reader_api):
    for action in ("publish", "unpublish"):
        timeline = TimelineFactory(published_at=None if action == "publish" else timezone.now())
        url = f"/api/v1/timelines/{timeline.slug}/{action}/"

        with checking(action):
            assert_error(api_client.post(url), 401, "not_authenticated")
            assert_error(reader_api.post(url), 403, "permission_denied")


def _user_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_login(user)
    return client


def test_model_permissions_are_checked_one_by_one(stored_state):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"
    client = _user_with("change_event")
    before = stored_state()

    assert_error(client.post("/api/v1/events/", NEW_EVENT, format="json"), 403, "permission_denied")
    assert_error(client.delete(url, HTTP_IF_MATCH=f'"{event.version}"'), 403, "permission_denied")
    assert stored_state() == before
    changed = client.patch(
        url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=f'"{event.version}"'
    )
    assert changed.status_code == 200


def test_permission_on_one_model_gives_none_on_another():
    place = PlaceFactory()
    client = _user_with("add_event", "change_event", "delete_event")

    response = client.patch(
        f"/api/v1/places/{place.slug}/", {"name": "X"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert_error(response, 403, "permission_denied")


def test_view_permission_alone_does_not_show_drafts():
    EventFactory(published_at=None)
    client = _user_with("view_event")

    assert_error(
        client.get("/api/v1/events/", {"include_drafts": "true"}), 403, "permission_denied"
    )


def test_a_superuser_token_writes(superuser):
    client = token_client(new_token(superuser))

    assert (
        client.post("/api/v1/tags/", {"slug": "t", "name": "T"}, format="json").status_code == 201
    )

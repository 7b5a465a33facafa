"""Under /api/ every error is JSON of one shape, whatever DEBUG says."""

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory

from config.errors import server_error


def test_unknown_api_path_is_a_json_404(client, settings):
    for debug in (True, False):
        settings.DEBUG = debug
        response = client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404, debug
        assert response["Content-Type"] == "application/json", debug
        assert response.json() == {"detail": "Not found.", "code": "not_found"}, debug


def test_a_write_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(db):
    # db: every write request runs in a transaction (timeline.writes).
    client = Client(enforce_csrf_checks=True)

    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/deleted-events//restore/")

        assert response.status_code == 404, method
        assert response.json() == {"detail": "Not found.", "code": "not_found"}, method


def test_unknown_page_outside_the_api_stays_html(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_server_error_under_the_api_is_json_without_internals():
    response = server_error(RequestFactory().get("/api/v1/events/"))
    assert response.status_code == 500
    assert response.content == b'{"detail": "A server error occurred.", "code": "server_error"}'


def test_server_error_elsewhere_is_django_html():
    response = server_error(RequestFactory().get("/admin/"))
    assert response.status_code == 500
    assert b"<h1>Server Error (500)</h1>" in response.content


# --- The catalogue: each status the API answers, through a real request -----

ERROR_KEYS = {"detail", "code", "errors", "current_version", "request_id"}


def _outage(monkeypatch):
    import psycopg
    from django.db import OperationalError

    from timeline.api.views import EventViewSet

    def lost(self, request, *args, **kwargs):
        error = OperationalError("server closed the connection unexpectedly")
        error.__cause__ = psycopg.OperationalError("server closed the connection unexpectedly")
        raise error

    monkeypatch.setattr(EventViewSet, "list", lost)


def _crash(monkeypatch):
    from timeline.api.views import EventViewSet

    def crash(self, request, *args, **kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(EventViewSet, "list", crash)


@pytest.fixture
def api_errors(db, editor, monkeypatch, settings):
    """A function making the request that answers a given status."""
    from tests.conftest import APIClient
    from tests.factories import EventFactory, PlaceFactory, UserFactory

    place = PlaceFactory(slug="busan")
    event = EventFactory(slug="busan-meeting", place=place)
    anonymous = APIClient(raise_request_exception=False)
    signed_in = APIClient(raise_request_exception=False)
    signed_in.force_login(editor)
    url = f"/api/v1/events/{event.slug}/"

    def make(status: int):
        if status == 400:
            return anonymous.get("/api/v1/events/", {"from": "not-a-date"})
        if status == 401:
            return anonymous.get("/api/v1/events/", HTTP_AUTHORIZATION="Token nonsense")
        if status == 403:
            reader = APIClient()
            reader.force_login(UserFactory())
            return reader.post("/api/v1/events/", {}, format="json")
        if status == 404:
            return anonymous.get("/api/v1/events/no-such-event/")
        if status == 405:
            return signed_in.put("/api/v1/events/", {}, format="json")
        if status == 406:
            return anonymous.get("/api/v1/events/", HTTP_ACCEPT="application/xml")
        if status == 409:
            return signed_in.delete("/api/v1/places/busan/", HTTP_IF_MATCH='"1"')
        if status == 412:
            return signed_in.patch(url, {"title": "New"}, format="json", HTTP_IF_MATCH='"99"')
        if status == 413:
            body = b'{"title": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
            return signed_in.generic(
                "PATCH", url, body, content_type="application/json", HTTP_IF_MATCH='"1"'
            )
        if status == 415:
            return signed_in.patch(url, "title=x", content_type="text/plain", HTTP_IF_MATCH='"1"')
        if status == 428:
            return signed_in.patch(url, {"title": "New"}, format="json")
        if status == 429:
            settings.TIMELINE_THROTTLE_RATES = {"anon": "1/minute", "user": None, "login": None}
            anonymous.get("/api/v1/tags/")
            return anonymous.get("/api/v1/tags/")
        if status == 500:
            _crash(monkeypatch)
            return anonymous.get("/api/v1/events/")
        if status == 503:
            _outage(monkeypatch)
            return anonymous.get("/api/v1/events/")
        raise AssertionError(status)

    return make


# In an order that keeps each request's set-up out of the later ones' way:
# the crash and the outage replace the events list, and the throttle would
# refuse every later anonymous request.
STATUSES = [
    (400, "invalid"),
    (401, "authentication_failed"),
    (403, "permission_denied"),
    (404, "not_found"),
    (405, "method_not_allowed"),
    (406, "not_acceptable"),
    (409, "conflict"),
    (412, "precondition_failed"),
    (413, "request_too_large"),
    (415, "unsupported_media_type"),
    (428, "precondition_required"),
    (500, "server_error"),
    (503, "service_unavailable"),
    (429, "throttled"),
]


def test_every_api_error_is_json_of_the_one_shape(api_errors):
    for status, code in STATUSES:
        # Each from empty caches: the throttle counts no earlier request.
        for cache in caches.all():
            cache.clear()

        response = api_errors(status)

        assert response.status_code == status, response.content
        assert response["Content-Type"] == "application/json", status
        body = response.json()
        assert set(body) <= ERROR_KEYS, status
        assert body["code"] == code
        assert isinstance(body["detail"], str) and body["detail"], status
        assert "Traceback" not in response.content.decode(), status
        assert "secret internals" not in response.content.decode(), status
        if status == 405:
            assert response["Allow"]
        if status in (429, 503):
            assert int(response["Retry-After"]) > 0, status

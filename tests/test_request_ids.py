"""Every response names its request, and a 500 under /api/ says which one failed."""

import logging
import re

from django.test import Client

from config.requests import RequestIDFilter
from timeline.api.views import EventViewSet

HEX_ID = re.compile(r"[0-9a-f]{32}")


def test_every_response_carries_a_fresh_request_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/api/v1/no-such-thing/")["X-Request-ID"]

    assert HEX_ID.fullmatch(first)
    assert HEX_ID.fullmatch(second)
    assert first != second


def test_a_load_balancers_request_id_is_kept(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")

    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


def test_an_id_that_does_not_look_like_one_is_replaced(client, db):
    for incoming in ["short", "has spaces in it", "x" * 200, "<script>1</script>"]:
        response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

        assert HEX_ID.fullmatch(response["X-Request-ID"]), incoming


def test_a_server_error_under_the_api_shows_only_the_request_id_and_logs_it(
    db, monkeypatch, caplog
):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(EventViewSet, "list", broken)
    caplog.handler.addFilter(RequestIDFilter())

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).get("/api/v1/events/")

    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert response.json() == {
        "detail": f"A server error occurred. Quote request id {request_id} when reporting it.",
        "code": "server_error",
        "request_id": request_id,
    }
    assert "hunter2" not in response.content.decode()
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == request_id
    assert "hunter2" in caplog.text  # the log, not the client, has the details


def test_every_operation_documents_the_server_error(client, db):
    schema = client.get("/api/schema/?format=json").json()

    operations = [op for ops in schema["paths"].values() for op in ops.values()]
    assert operations
    for operation in operations:
        content = operation["responses"]["500"]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/ServerError"}
    assert schema["components"]["schemas"]["ServerError"]["required"] == [
        "detail",
        "code",
        "request_id",
    ]

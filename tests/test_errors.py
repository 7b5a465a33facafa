"""Under /api/ every error is JSON of one shape, whatever DEBUG says."""

import pytest
from django.test import Client, RequestFactory

from config.errors import server_error


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_api_path_is_a_json_404(client, settings, debug):
    settings.DEBUG = debug
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(method):
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)("/api/v1/deleted-events//restore/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


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

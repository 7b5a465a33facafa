"""Browser apps on other origins may read the API, never with credentials."""

from tests.factories import EventFactory

ORIGIN = "https://newsroom.example.com"


def test_an_anonymous_read_from_another_origin_is_allowed_without_credentials(api_client, db):
    event = EventFactory()

    response = api_client.get(f"/api/v1/events/{event.slug}/", HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    # Clients may read the version, to send it back from elsewhere.
    assert "etag" in response["Access-Control-Expose-Headers"].lower()


def test_a_preflight_for_a_read_is_answered(api_client, db):
    response = api_client.options(
        "/api/v1/timelines/",
        HTTP_ORIGIN=ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_writes_are_not_offered_to_other_origins(api_client, db):
    for method in ["POST", "PUT", "PATCH", "DELETE"]:
        response = api_client.options(
            "/api/v1/events/",
            HTTP_ORIGIN=ORIGIN,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
        )

        # The browser compares the requested method with the allowed ones and
        # refuses to send the write.
        assert method not in response["Access-Control-Allow-Methods"]


def test_pages_outside_the_api_send_no_cors_headers(client, db):
    response = client.get("/admin/login/", HTTP_ORIGIN=ORIGIN)

    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_for_a_conditional_read_is_allowed(api_client, db):
    for header in ("if-none-match", "if-modified-since", "if-none-match, if-modified-since"):
        response = api_client.options(
            "/api/v1/timelines/",
            HTTP_ORIGIN=ORIGIN,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS=header,
        )

        assert response.status_code == 200, header
        allowed = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
        assert {"if-none-match", "if-modified-since"} <= allowed, header
        # The defaults stay: a JSON client's Accept and Content-Type are still allowed.
        assert {"accept", "content-type", "authorization"} <= allowed, header


def test_a_conditional_read_from_another_origin_gets_its_304_and_can_read_the_etag(api_client, db):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"
    first = api_client.get(url, HTTP_ORIGIN=ORIGIN)

    again = api_client.get(url, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"
    exposed = {name.strip().lower() for name in first["Access-Control-Expose-Headers"].split(",")}
    assert "etag" in exposed

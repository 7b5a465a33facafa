"""An editor's whole workflow over real HTTP, as curl would do it.

Django's test client skips the WSGI server, which checks headers that the
test client lets through (a header value must be a plain str); these
requests go through a real server socket.
"""

import json
import urllib.error
import urllib.request

import pytest

from tests.factories import SAMPLE_TEXT, SourceFactory, TimelineFactory, make_editor

QUOTE = "Tariffs will fall from 57% to 47%."


class Client:
    def __init__(self, base: str):
        self.base = base
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, **headers):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json", **self.headers, **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, response_headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, response_headers, raw = error.code, error.headers, error.read()
        if status == 204:
            assert raw == b"", raw[:200]
            return status, response_headers, None
        content_type = response_headers.get("Content-Type", "")
        assert content_type.startswith("application/json"), (status, raw[:200])
        return status, response_headers, json.loads(raw)


@pytest.fixture
def http(live_server):
    return Client(live_server.url)


# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) that an earlier flush removed.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_editor_creates_cites_conflicts_publishes_deletes_and_restores(http):
    make_editor(username="editor", password="a long editor password")
    source = SourceFactory(text=SAMPLE_TEXT)
    timeline = TimelineFactory(slug="trade")

    status, _, body = http.request(
        "POST", "/api/v1/auth/tokens/", {"username": "editor", "password": "wrong"}
    )
    assert (status, body["code"]) == (401, "authentication_failed")
    status, _, body = http.request(
        "POST", "/api/v1/auth/tokens/", {"username": "editor", "password": "a long editor password"}
    )
    assert status == 201
    http.headers["Authorization"] = f"Token {body['token']}"

    event = {
        "slug": "geneva-pause",
        "title": "Ministers agree a pause",
        "date": "2025-10",
        # The quote states no date: the note says how it was worked out, or the
        # event could not be published.
        "date_note": "The wire reported the pause in its October round-up of the talks.",
        "citations": [{"source": source.pk, "quote": QUOTE}],
    }
    status, headers, body = http.request("POST", "/api/v1/events/", event)
    assert status == 201
    assert headers["ETag"] == '"1"'
    assert headers["Location"].endswith("/api/v1/events/geneva-pause/")
    assert body["published_at"] is None
    assert body["citations"][0]["selectors"][1]["start"] == SAMPLE_TEXT.index(QUOTE)
    assert body["date_evidence"]["state"] == "inferred"

    status, headers, body = http.request(
        "PATCH", "/api/v1/timelines/trade/?include_drafts=true", {"events": ["geneva-pause"]}
    )
    assert (status, body["code"]) == (428, "precondition_required")
    status, headers, _ = http.request("GET", "/api/v1/timelines/trade/?include_drafts=true")
    status, _, _ = http.request(
        "PATCH",
        "/api/v1/timelines/trade/",
        {"events": ["geneva-pause"]},
        **{"If-Match": headers["ETag"]},
    )
    assert status == 200

    anonymous = Client(http.base)
    assert anonymous.request("GET", "/api/v1/events/geneva-pause/")[0] == 404
    assert anonymous.request("GET", "/api/v1/timelines/trade/")[2]["events"] == []

    path = "/api/v1/events/geneva-pause/"
    status, headers, _ = http.request("PATCH", path, {"summary": "A pause."}, **{"If-Match": '"1"'})
    assert (status, headers["ETag"]) == (200, '"2"')
    status, headers, body = http.request("PATCH", path, {"title": "Late"}, **{"If-Match": '"1"'})
    assert (status, headers["ETag"], body["current_version"]) == (412, '"2"', 2)

    status, headers, _ = http.request("POST", path + "publish/")
    assert (status, headers["ETag"]) == (200, '"3"')
    status, _, body = anonymous.request("GET", "/api/v1/timelines/trade/")
    assert [e["slug"] for e in body["events"]] == ["geneva-pause"]

    status, _, body = http.request("GET", path + "history/")
    assert status == 200
    assert [(r["object"], r["type"], r["reason"]) for r in body["results"]] == [
        ("event", "changed", "Published"),
        ("event", "changed", ""),
        ("citation", "created", ""),
        ("event", "created", ""),
    ]
    assert {r["user"] for r in body["results"]} == {"editor"}

    assert http.request("DELETE", path, **{"If-Match": '"3"'})[0] == 204
    status, _, body = http.request("GET", "/api/v1/deleted-events/")
    assert [e["slug"] for e in body["results"]] == ["geneva-pause"]
    status, headers, body = http.request(
        "POST", f"/api/v1/deleted-events/{body['results'][0]['id']}/restore/"
    )
    assert status == 201
    assert headers["Location"].endswith(path)
    assert body["published_at"] is None
    assert [c["quote"] for c in body["citations"]] == [QUOTE]
    assert timeline.events.get().slug == "geneva-pause"

    assert http.request("DELETE", "/api/v1/auth/tokens/current/")[0] == 204
    status, headers, _ = http.request("GET", "/api/v1/auth/tokens/")
    assert (status, headers["WWW-Authenticate"]) == (401, "Token")

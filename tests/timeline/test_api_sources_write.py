"""Tests for writing sources: plain text, HTML, uploads, re-anchoring citations, deleting."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import Source
from tests.conftest import checking
from tests.factories import SAMPLE_TEXT, CitationFactory, EventFactory, SourceFactory
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

SOURCES_URL = "/api/v1/sources/"
TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
NEW_TEXT = "Talks stalled on Friday. Tariffs will fall from 57% to 47%. Nobody met in Geneva."
ARTICLE_HTML = (
    "<!doctype html><html><head><title>Site name | Headline</title>"
    "<style>p { color: red }</style></head><body>"
    "<h1>Ministers agree a pause</h1>"
    "<p>The trade ministers met in <b>Geneva</b> on Monday.</p>"
    "<script>trackReader();</script>"
    "<p>Tariffs will fall from 57% to 47%.</p></body></html>"
)
ARTICLE_TEXT = (
    "Ministers agree a pause\n\nThe trade ministers met in Geneva on Monday.\n\n"
    "Tariffs will fall from 57% to 47%."
)


def source_url(source) -> str:
    return f"{SOURCES_URL}{source.pk}/"


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    assert body["code"] == code
    return body


def invalid_fields(response) -> dict[str, list[str]]:
    body = assert_error(response, 400, "invalid")
    return body["errors"]


def if_match(source) -> str:
    return f'"{Source.objects.get(pk=source.pk).version}"'


# Creating


def test_editor_creates_a_source_with_plain_text(editor_api):
    response = editor_api.post(
        SOURCES_URL,
        {
            "slug": "wire-geneva",
            "title": "Ministers agree a pause",
            "publisher": "Example Wire",
            "url": "https://news.example.org/geneva",
            "published_on": "2025-10-30",
            "language": "en-GB",
            "retrieved_at": "2025-10-31T12:00:00Z",
            "notes": "Paywalled; archived copy.",
            "text": SAMPLE_TEXT,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    source = Source.objects.get(slug="wire-geneva")
    assert response.json() == {
        "id": source.pk,
        "slug": "wire-geneva",
        "title": "Ministers agree a pause",
        "publisher": "Example Wire",
        "url": "https://news.example.org/geneva",
        "published_on": "2025-10-30",
        "published_between": "",
        "language": "en-GB",
        "retrieved_at": "2025-10-31T12:00:00Z",
        "text_length": len(SAMPLE_TEXT),
        "text_sha256": hashlib.sha256(SAMPLE_TEXT.encode()).hexdigest(),
        "citation_count": 0,
        "version": source.version,
        "updated_at": source.updated_at.isoformat().replace("+00:00", "Z"),
        "notes": "Paywalled; archived copy.",
    }
    assert response["ETag"] == f'"{source.version}"'
    assert source.text == SAMPLE_TEXT
    assert "reanchor" not in response.json()


def test_a_source_without_text_may_be_created(editor_api):
    response = editor_api.post(SOURCES_URL, {"slug": "s", "title": "S"}, format="json")

    assert response.status_code == 201
    assert response.json()["text_length"] == 0
    assert Source.objects.get().text == ""


def test_plain_text_has_only_its_layout_normalised(editor_api):
    text = "\ufeffFirst line.   \r\n“Quoted” — dashed.\r\n\r\n\r\n\r\nLast line.\n\n"

    editor_api.post(SOURCES_URL, {"slug": "s", "title": "S", "text": text}, format="json")

    assert Source.objects.get().text == "First line.\n“Quoted” — dashed.\n\nLast line."


def test_html_is_stored_as_its_readable_text(editor_api):
    response = editor_api.post(
        SOURCES_URL, {"slug": "s", "title": "S", "html": ARTICLE_HTML}, format="json"
    )

    assert response.status_code == 201, response.content
    source = Source.objects.get()
    assert source.text == ARTICLE_TEXT
    assert response.json()["text_length"] == len(ARTICLE_TEXT)


UPLOADS = [
    ("article.txt", SAMPLE_TEXT.encode(), "text/plain", SAMPLE_TEXT),
    ("article.txt", b"Windows\r\nline endings\r\n", "text/plain", "Windows\nline endings"),
    ("article.html", ARTICLE_HTML.encode(), "text/html", ARTICLE_TEXT),
    ("article.htm", ARTICLE_HTML.encode(), "application/octet-stream", ARTICLE_TEXT),
    (
        "latin1.html",
        b'<html><head><meta charset="windows-1252"></head><body><p>Caf\xe9</p></body></html>',
        "text/html",
        "Caf\xe9",
    ),
]


def test_an_uploaded_file_is_stored_as_text(editor_api):
    for index, (name, content, content_type, text) in enumerate(UPLOADS):
        upload = SimpleUploadedFile(name, content, content_type=content_type)

        response = editor_api.post(
            SOURCES_URL, {"slug": f"s{index}", "title": "S", "file": upload}, format="multipart"
        )

        assert response.status_code == 201, (name, response.content)
        assert Source.objects.get(slug=f"s{index}").text == text, name


def test_an_upload_declaring_its_charset_is_decoded_with_it(editor_api):
    upload = SimpleUploadedFile(
        "latin1.txt", "Café crème".encode("cp1252"), content_type="text/plain; charset=cp1252"
    )

    response = editor_api.post(
        SOURCES_URL, {"slug": "s", "title": "S", "file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert Source.objects.get().text == "Café crème"


def test_a_created_sources_location_is_its_api_url(editor_api):
    response = editor_api.post(
        SOURCES_URL,
        {"slug": "s", "title": "S", "url": "https://news.example.org/geneva"},
        format="json",
    )

    assert response.status_code == 201
    source = Source.objects.get()
    assert response["Location"] == f"http://testserver/api/v1/sources/{source.pk}/"


def test_an_unreadable_upload_is_a_400_naming_file(editor_api, stored_state):
    before = stored_state()

    for name, content, content_type in [
        ("report.pdf", b"%PDF-1.7\x00\x01\x02binary", "application/pdf"),
        ("empty.txt", b"", "text/plain"),
        ("unknown.txt", b"caf\xe9", "text/plain"),
        ("blank.html", b"<html><body><script>x()</script></body></html>", "text/html"),
    ]:
        upload = SimpleUploadedFile(name, content, content_type=content_type)

        response = editor_api.post(
            SOURCES_URL, {"slug": "s", "title": "S", "file": upload}, format="multipart"
        )

        with checking(name):
            assert set(invalid_fields(response)) == {"file"}
            assert stored_state() == before


def test_text_is_sent_one_way_only(editor_api, stored_state):
    before = stored_state()

    for payload, fields in [
        ({"text": "a", "html": "<p>a</p>"}, {"text", "html"}),
        ({"text": "a", "file": "FILE"}, {"text", "file"}),
        ({"html": "<p>a</p>", "file": "FILE"}, {"html", "file"}),
        ({"text": "a", "html": "<p>a</p>", "file": "FILE"}, {"text", "html", "file"}),
    ]:
        if "file" in payload:
            upload = SimpleUploadedFile("a.txt", b"a", content_type="text/plain")
            payload = payload | {"file": upload}

        response = editor_api.post(
            SOURCES_URL, {"slug": "s", "title": "S", **payload}, format="multipart"
        )

        with checking(sorted(fields)):
            assert set(invalid_fields(response)) == fields
            assert stored_state() == before


def test_source_fields_are_validated_by_name(editor_api):
    valid = {"slug": "s", "title": "S", "text": "Text."}

    for payload, fields in [
        ({"url": "ftp://example.org/a"}, {"url"}),
        ({"url": "not a url"}, {"url"}),
        ({"language": "english please"}, {"language"}),
        ({"published_on": "30/10/2025"}, {"published_on"}),
        ({"published_between": "last week"}, {"published_between"}),
        ({"published_on": "2025-10-30", "published_between": "2025-10"}, {"published_between"}),
        ({"title": ""}, {"title"}),
        ({"body": "typo for text"}, {"body"}),
        ({"text": ["a", "list"]}, {"text"}),
    ]:
        response = editor_api.post(SOURCES_URL, valid | payload, format="json")

        with checking(payload):
            assert set(invalid_fields(response)) == fields
            assert not Source.objects.exists()

    # The read shape's fields are ignored.
    read_shape = {"text_sha256": "0" * 64, "citation_count": 9}
    assert editor_api.post(SOURCES_URL, valid | read_shape, format="json").status_code == 201
    assert Source.objects.get().text_sha256 == hashlib.sha256(b"Text.").hexdigest()


def test_a_taken_source_slug_is_a_400(editor_api):
    SourceFactory(slug="taken")

    response = editor_api.post(SOURCES_URL, {"slug": "taken", "title": "T"}, format="json")

    assert set(invalid_fields(response)) == {"slug"}


def test_an_upload_over_the_text_limit_is_a_413(editor_api, stored_state):
    from sources.ingest import MAX_TEXT_BYTES

    before = stored_state()
    upload = SimpleUploadedFile(
        "big.txt", b"x" * (MAX_TEXT_BYTES + 100 * 1024), content_type="text/plain"
    )

    response = editor_api.post(
        SOURCES_URL, {"slug": "s", "title": "S", "file": upload}, format="multipart"
    )

    assert_error(response, 413, "request_too_large")
    assert stored_state() == before


# Changing the text re-anchors the source's citations


def test_changing_the_text_reanchors_citations_and_reports_the_unanchored(editor_api):
    source = SourceFactory()
    kept_event, lost_event = EventFactory(slug="kept"), EventFactory(slug="lost")
    kept = CitationFactory(event=kept_event, source=source, quote=TARIFF_QUOTE)
    lost = CitationFactory(event=lost_event, source=source, quote=GENEVA_QUOTE)
    versions = {e.pk: Event.objects.get(pk=e.pk).version for e in (kept_event, lost_event)}

    response = editor_api.patch(
        source_url(source), {"text": NEW_TEXT}, format="json", HTTP_IF_MATCH=if_match(source)
    )

    assert response.status_code == 200, response.content
    assert response.json()["reanchor"] == {
        "anchored": 1,
        "unanchored": [{"id": lost.pk, "event": "lost", "quote": GENEVA_QUOTE}],
    }
    assert response.json()["text_length"] == len(NEW_TEXT)
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert NEW_TEXT[kept.position_start : kept.position_end] == TARIFF_QUOTE
    # Kept, never deleted: an editor decides what to do with it.
    assert Citation.objects.filter(pk=lost.pk).exists()
    assert (lost.position_start, lost.exact, lost.quote) == (None, "", GENEVA_QUOTE)
    # Both citations moved, so both events' ETags moved.
    for pk, version in versions.items():
        assert Event.objects.get(pk=pk).version == version + 1


def test_an_unanchored_citation_is_shown_without_selectors(api_client, editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=GENEVA_QUOTE)

    editor_api.patch(
        source_url(source), {"text": NEW_TEXT}, format="json", HTTP_IF_MATCH=if_match(source)
    )

    body = api_client.get(f"/api/v1/events/{citation.event.slug}/").json()
    assert [(c["quote"], c["selectors"]) for c in body["citations"]] == [(GENEVA_QUOTE, [])]


def test_reanchoring_is_recorded_in_the_events_history(editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)

    editor_api.patch(
        source_url(source), {"text": NEW_TEXT}, format="json", HTTP_IF_MATCH=if_match(source)
    )

    latest = editor_api.get(f"/api/v1/events/{citation.event.slug}/history/").json()["results"][0]
    assert (latest["object"], latest["id"], latest["type"]) == ("citation", citation.pk, "changed")
    assert latest["reason"] == f"Re-anchored in the new text of source {source.pk}"
    assert {c["field"] for c in latest["changes"]} == {"position_start", "position_end"}


def test_an_event_etag_read_before_reanchoring_is_stale(editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)
    event_url = f"/api/v1/events/{citation.event.slug}/"
    etag = editor_api.get(event_url)["ETag"]

    editor_api.patch(
        source_url(source), {"text": NEW_TEXT}, format="json", HTTP_IF_MATCH=if_match(source)
    )
    response = editor_api.patch(event_url, {"title": "X"}, format="json", HTTP_IF_MATCH=etag)

    assert_error(response, 412, "precondition_failed")


def test_a_text_that_anchors_everything_reports_no_unanchored(editor_api):
    source = SourceFactory()
    CitationFactory(source=source, quote=TARIFF_QUOTE)
    CitationFactory(source=source, quote=GENEVA_QUOTE)

    response = editor_api.patch(
        source_url(source),
        {"text": "Preface.\n\n" + SAMPLE_TEXT},
        format="json",
        HTTP_IF_MATCH=if_match(source),
    )

    assert response.json()["reanchor"] == {"anchored": 2, "unanchored": []}


def test_an_uploaded_file_replaces_the_text_and_reanchors(editor_api):
    source = SourceFactory()
    CitationFactory(source=source, quote=GENEVA_QUOTE)
    upload = SimpleUploadedFile("new.html", ARTICLE_HTML.encode(), content_type="text/html")

    response = editor_api.patch(
        source_url(source), {"file": upload}, format="multipart", HTTP_IF_MATCH=if_match(source)
    )

    assert response.status_code == 200, response.content
    assert response.json()["reanchor"] == {"anchored": 1, "unanchored": []}
    assert Source.objects.get(pk=source.pk).text == ARTICLE_TEXT


def test_a_change_that_leaves_the_text_as_it_was_reports_no_reanchoring(editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source)
    citation_version = Citation.objects.get(pk=citation.pk).version

    for payload in [{"title": "Retitled"}, {"text": SAMPLE_TEXT}, {"text": SAMPLE_TEXT + "\n\n"}]:
        response = editor_api.patch(
            source_url(source), payload, format="json", HTTP_IF_MATCH=if_match(source)
        )

        assert response.status_code == 200, payload
        assert "reanchor" not in response.json(), payload
        assert Citation.objects.get(pk=citation.pk).version == citation_version, payload


def test_removing_the_text_unanchors_but_keeps_the_citations(editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source)

    response = editor_api.patch(
        source_url(source), {"text": ""}, format="json", HTTP_IF_MATCH=if_match(source)
    )

    assert response.status_code == 200
    # Without text a quote cannot be checked; it is kept, as it stands.
    assert response.json()["text_length"] == 0
    assert Citation.objects.filter(pk=citation.pk).exists()
    assert not Citation.objects.get(pk=citation.pk).is_anchored


def test_a_source_read_and_put_back_round_trips(editor_api):
    source = SourceFactory(notes="Keep me")
    read = editor_api.get(source_url(source))
    body = read.json() | {"title": "Retitled"}

    response = editor_api.put(source_url(source), body, format="json", HTTP_IF_MATCH=read["ETag"])

    assert response.status_code == 200, response.content
    stored = Source.objects.get(pk=source.pk)
    assert (stored.title, stored.text, stored.notes) == ("Retitled", SAMPLE_TEXT, "Keep me")


# Deleting


def test_deleting_a_cited_source_is_a_409_and_deletes_nothing(editor_api, stored_state):
    source = SourceFactory()
    CitationFactory(source=source, event=EventFactory(published_at=None))
    before = stored_state()

    response = editor_api.delete(source_url(source), HTTP_IF_MATCH=if_match(source))

    assert_error(response, 409, "conflict")
    assert stored_state() == before
    # The ETag the client holds is still good: nothing moved.
    assert editor_api.get(source_url(source))["ETag"] == if_match(source)


def test_deleting_an_uncited_source(editor_api):
    source = SourceFactory()

    response = editor_api.delete(source_url(source), HTTP_IF_MATCH=if_match(source))

    assert response.status_code == 204
    assert not Source.objects.exists()


def test_a_source_may_be_deleted_once_its_citations_are(editor_api):
    source = SourceFactory()
    citation = CitationFactory(source=source)
    editor_api.delete(f"/api/v1/citations/{citation.pk}/", HTTP_IF_MATCH=f'"{citation.version}"')

    response = editor_api.delete(source_url(source), HTTP_IF_MATCH=if_match(source))

    assert response.status_code == 204

"""Pasting and uploading an article's text on a source in the admin."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import SAMPLE_TEXT, CitationFactory, SourceFactory
from tests.timeline.test_admin import source_form_data

ARTICLE_HTML = (
    "<html><head><title>Wire</title><script>var tracking = 1;</script></head><body>"
    "<p>The trade ministers met in <b>Geneva</b> on Monday.</p>"
    "<p>Tariffs will fall from 57% to 47%.</p></body></html>"
)


def change_url(source) -> str:
    return f"/admin/sources/source/{source.pk}/change/"


def test_saving_an_untouched_text_from_a_browser_keeps_it_byte_for_byte(editor_client):
    # Browsers send textarea line breaks as CRLF and keep trailing newlines.
    source = SourceFactory(text="First paragraph.\n\nSecond paragraph.\n\n")
    before = source.text_sha256

    response = editor_client.post(
        change_url(source), source_form_data(source, text=source.text.replace("\n", "\r\n"))
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.text == "First paragraph.\n\nSecond paragraph.\n\n"
    assert source.text_sha256 == before


def test_pasted_html_is_reduced_to_its_readable_text(editor_client):
    source = SourceFactory(text="")

    response = editor_client.post(
        change_url(source), source_form_data(source, text=ARTICLE_HTML, text_is_html="on")
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.text == (
        "The trade ministers met in Geneva on Monday.\n\nTariffs will fall from 57% to 47%."
    )
    assert source.text_sha256 == hashlib.sha256(source.text.encode()).hexdigest()


def test_pasted_html_without_the_box_ticked_is_kept_as_typed(editor_client):
    source = SourceFactory(text="")

    editor_client.post(change_url(source), source_form_data(source, text="<p>As typed</p>"))

    source.refresh_from_db()
    assert source.text == "<p>As typed</p>"


def test_an_uploaded_html_file_replaces_the_text_and_reanchors_citations(editor_client):
    source = SourceFactory()
    kept = CitationFactory(source=source, quote="Tariffs will fall from 57% to 47%.")
    lost = CitationFactory(source=source, quote="The talks will resume in spring.")
    upload = SimpleUploadedFile("article.html", ARTICLE_HTML.encode(), "text/html")

    response = editor_client.post(
        change_url(source), source_form_data(source, upload=upload), follow=True
    )

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.text.startswith("The trade ministers met in Geneva on Monday.")
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert kept.is_anchored
    assert kept.position_start == source.text.index("Tariffs")
    # Kept, unanchored, and reported: never deleted.
    assert not lost.is_anchored
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 citation(s) no longer match" in m and "resume in spring" in m for m in messages)
    assert source.history.first().history_user.username == response.wsgi_request.user.username


def test_an_uploaded_text_file_replaces_the_text(editor_client):
    source = SourceFactory()
    upload = SimpleUploadedFile("article.txt", b"A new text.\r\nSecond line.\n", "text/plain")

    response = editor_client.post(change_url(source), source_form_data(source, upload=upload))

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.text == "A new text.\nSecond line."


def test_pasting_and_uploading_at_once_is_refused_and_nothing_changes(editor_client):
    source = SourceFactory()
    upload = SimpleUploadedFile("article.txt", b"Uploaded.", "text/plain")

    response = editor_client.post(
        change_url(source), source_form_data(source, text="Pasted.", upload=upload)
    )

    assert response.status_code == 200
    assert "Either paste the text or upload a file, not both." in response.content.decode()
    source.refresh_from_db()
    assert source.text == SAMPLE_TEXT


def test_an_upload_that_is_not_text_is_refused_with_the_reason(editor_client):
    source = SourceFactory()
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\x00\x01\x02binary", "application/pdf")

    response = editor_client.post(change_url(source), source_form_data(source, upload=upload))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "upload" in errors
    source.refresh_from_db()
    assert source.text == SAMPLE_TEXT

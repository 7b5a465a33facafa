"""A web page pasted or uploaded in the admin: reduced to its article, and the title,
publisher and date the editor left empty taken from it, with a warning to check them."""

import datetime
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from sources.models import Source
from tests.factories import SourceFactory
from tests.timeline.test_admin import source_form_data

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
HARBOUR_STRIKE = (PAGES / "harbour-strike.html").read_text()
FILLED = (
    "Filled from the page: title “Dock workers end nine-day strike after pay deal”, "
    "publisher “Coastal Ledger”, published on 2025-03-14 — check them."
)


def change_url(source) -> str:
    return f"/admin/sources/source/{source.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_pasted_page_fills_an_empty_title_publisher_and_date_and_asks_to_check(editor_client):
    source = SourceFactory(text="", publisher="")

    response = editor_client.post(
        change_url(source),
        source_form_data(source, title="", text=HARBOUR_STRIKE, text_is_html="on"),
        follow=True,
    )

    assert response.status_code == 200
    source.refresh_from_db()
    assert source.title == "Dock workers end nine-day strike after pay deal"
    assert source.publisher == "Coastal Ledger"
    assert source.published_on == datetime.date(2025, 3, 14)
    assert "Dock workers at the port of Westhaven returned to work" in source.text
    assert "Most read" not in source.text and "cookies" not in source.text
    assert FILLED in messages_of(response)


def test_what_the_editor_typed_is_kept_and_only_the_empty_fields_are_filled(editor_client):
    source = SourceFactory(text="", title="Strike over", publisher="")

    response = editor_client.post(
        change_url(source),
        source_form_data(source, published_on="2025-03-15", text=HARBOUR_STRIKE, text_is_html="on"),
        follow=True,
    )

    source.refresh_from_db()
    assert (source.title, source.publisher) == ("Strike over", "Coastal Ledger")
    assert source.published_on == datetime.date(2025, 3, 15)
    assert "Filled from the page: publisher “Coastal Ledger” — check them." in messages_of(response)


def test_a_publication_range_is_not_overwritten_by_the_pages_day(editor_client):
    source = SourceFactory(text="", publisher="")

    editor_client.post(
        change_url(source),
        source_form_data(
            source,
            published_between="2025-03-13/2025-03-15",
            text=HARBOUR_STRIKE,
            text_is_html="on",
        ),
    )

    source.refresh_from_db()
    assert source.publisher == "Coastal Ledger"
    assert (source.published_on, source.published_between) == (None, "2025-03-13/2025-03-15")


def test_an_uploaded_page_creates_a_source_titled_and_slugged_from_the_page(editor_client):
    upload = SimpleUploadedFile("strike.html", HARBOUR_STRIKE.encode(), "text/html")
    data = {
        "title": "",
        "slug": "",
        "publisher": "",
        "url": "",
        "published_on": "",
        "language": "en",
        "text": "",
        "retrieved_at_0": "",
        "retrieved_at_1": "",
        "notes": "",
        "upload": upload,
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }

    response = editor_client.post("/admin/sources/source/add/", data, follow=True)

    source = Source.objects.get()
    assert source.title == "Dock workers end nine-day strike after pay deal"
    assert source.slug == "dock-workers-end-nine-day-strike-after-pay-deal"
    assert source.publisher == "Coastal Ledger"
    assert "Lighthouse restoration" not in source.text
    message = next(m for m in messages_of(response) if m.startswith("Filled from the page"))
    assert "slug “dock-workers-end-nine-day-strike-after-pay-deal”" in message


def test_an_empty_title_with_a_page_that_has_none_is_refused(editor_client):
    source = SourceFactory(text="")

    response = editor_client.post(
        change_url(source),
        source_form_data(source, title="", text="<p>No head here.</p>", text_is_html="on"),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == ["This field is required."]
    source.refresh_from_db()
    assert source.text != "No head here."

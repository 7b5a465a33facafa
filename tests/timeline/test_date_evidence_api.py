"""Date evidence through the models and the API: mentions stored, re-read, served, enforced.

The rule itself, on quotes alone, is tested in test_evidence.py.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from sources.models import Source
from tests.dated import FRIDAY
from tests.dated import THURSDAY_QUOTE as THURSDAY
from tests.factories import CitationFactory, EventFactory, SourceFactory
from timeline import services
from timeline.models import DateMention, Event

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
DRAFTS = {"include_drafts": "true"}

OCTOBER = "Tariffs were cut in October."
ABSOLUTE = "They first met on 30 October 2025."
UNDATED = "No deal came from the talks."
TEXT = " ".join([THURSDAY, OCTOBER, ABSOLUTE, UNDATED])
NOTE = "The wire's report of Friday says the leaders met the day before."


def event_url(slug: str) -> str:
    return f"{EVENTS_URL}{slug}/"


def read(client, event) -> dict:
    response = client.get(event_url(event.slug), DRAFTS)
    assert response.status_code == 200, response.content
    return response.json()


def evidence(client, event) -> dict:
    return read(client, event)["date_evidence"]


def invalid_fields(response) -> dict:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]


def cite(quote: str, date: str = "2025-10-30", published_on=FRIDAY, **event):
    source = SourceFactory(text=TEXT, published_on=published_on)
    return CitationFactory(event=EventFactory(date=date, **event), source=source, quote=quote)


def test_a_citation_stores_its_mentions_and_the_event_shows_them_stated(editor_api):
    citation = cite(THURSDAY)

    stored = citation.dates.get()
    assert (stored.text, stored.value, stored.lower, stored.upper, stored.reference) == (
        "Thursday",
        "2025-10-30",
        dt.date(2025, 10, 30),
        dt.date(2025, 10, 30),
        "2025-10-31",
    )
    assert THURSDAY[stored.start : stored.end] == "Thursday"
    stated = {"id": citation.pk, "expression": "Thursday", "resolved": "2025-10-30"}
    assert evidence(editor_api, citation.event) == {
        "state": "stated",
        "citations": [stated],
        "note": "",
        "other": [],
    }
    # The month the day falls in is stated too.
    month = cite(THURSDAY, date="2025-10")
    assert evidence(editor_api, month.event)["citations"] == [stated | {"id": month.pk}]


def test_a_month_does_not_state_a_day_and_is_shown_with_its_reading(editor_api):
    citation = cite(OCTOBER)

    assert evidence(editor_api, citation.event) == {
        "state": "unsupported",
        "citations": [],
        "note": "",
        "other": [
            {
                "id": citation.pk,
                "expression": "October",
                "resolved": "2025-10",
                "explanation": citation.dates.get().explanation,
            }
        ],
    }
    assert citation.dates.get().explanation.startswith("October → 2025-10")


def test_a_changed_publication_date_reads_the_dates_again(editor_api):
    citation = cite(THURSDAY)
    source, event = citation.source, citation.event
    before = editor_api.get(event_url(event.slug))
    assert before.json()["date_evidence"]["state"] == "stated"

    response = editor_api.patch(
        f"/api/v1/sources/{source.pk}/",
        {"published_on": "2025-11-07"},
        format="json",
        HTTP_IF_MATCH=f'"{Source.objects.get(pk=source.pk).version}"',
    )

    assert response.status_code == 200, response.content
    after = editor_api.get(event_url(event.slug))
    assert after["ETag"] != before["ETag"]
    assert after.json()["version"] == before.json()["version"] + 1
    found = after.json()["date_evidence"]
    assert found["state"] == "unsupported"
    assert [(o["expression"], o["resolved"]) for o in found["other"]] == [
        ("Thursday", "2025-11-06")
    ]
    assert citation.dates.get().reference == "2025-11-07"

    # A save that leaves the publication as it was reads nothing, moves nothing.
    source = Source.objects.get(pk=source.pk)
    source.title = "Retitled"
    source.save()
    assert Event.objects.get(pk=event.pk).version == after.json()["version"]

    # Through the model, a rough publication date: the Thursday of any day of it.
    source.published_on, source.published_between = None, "2025-10-31/2025-11-01"
    source.save()
    found = evidence(editor_api, event)
    assert Event.objects.get(pk=event.pk).version == after.json()["version"] + 1
    assert found["state"] == "stated"
    assert found["citations"][0]["resolved"] == "2025-10-30"
    assert citation.dates.get().reference == "2025-10-31/2025-11-01"


def test_editing_a_quote_or_the_date_updates_the_evidence(editor_api):
    citation = cite(THURSDAY)
    event, source = citation.event, citation.source
    etag = editor_api.get(event_url(event.slug))["ETag"]

    response = editor_api.patch(
        event_url(event.slug),
        {"citations": [{"id": citation.pk, "source": source.pk, "quote": OCTOBER}]},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200, response.content
    found = response.json()["date_evidence"]
    assert (found["state"], found["other"][0]["expression"]) == ("unsupported", "October")
    assert list(DateMention.objects.values_list("citation", "text")) == [(citation.pk, "October")]

    # Widening the date to the month: October now states it, no citation touched.
    response = editor_api.patch(
        event_url(event.slug), {"date": "2025-10"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert response.status_code == 200, response.content
    assert response.json()["date_evidence"]["citations"] == [
        {"id": citation.pk, "expression": "October", "resolved": "2025-10"}
    ]
    # Another month: stated no longer.
    response = editor_api.patch(
        event_url(event.slug), {"date": "2025-11"}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert response.json()["date_evidence"]["state"] == "unsupported"


def test_without_a_publication_date_only_absolute_dates_state(editor_api):
    relative = cite(THURSDAY, published_on=None)
    absolute = cite(ABSOLUTE, published_on=None)

    found = evidence(editor_api, relative.event)
    assert found["state"] == "unsupported"
    [other] = found["other"]
    assert (other["id"], other["expression"], other["resolved"]) == (
        relative.pk,
        "Thursday",
        None,
    )
    assert other["explanation"].startswith("unresolved:")
    assert relative.dates.get().lower is None
    assert evidence(editor_api, absolute.event)["citations"] == [
        {"id": absolute.pk, "expression": "30 October 2025", "resolved": "2025-10-30"}
    ]


def test_a_note_makes_a_date_inferred_but_may_not_only_repeat_it(editor_api, stored_state):
    citation = cite(UNDATED, date_note=NOTE)
    event = citation.event
    assert evidence(editor_api, event) == {
        "state": "inferred",
        "citations": [],
        "note": NOTE,
        "other": [],
    }
    before = stored_state()
    etag = editor_api.get(event_url(event.slug))["ETag"]

    for note in ("30 October 2025", "On 2025-10-30."):
        patched = editor_api.patch(
            event_url(event.slug), {"date_note": note}, format="json", HTTP_IF_MATCH=etag
        )
        created = editor_api.post(
            EVENTS_URL,
            {"slug": "new", "title": "New", "date": "2025-10-30", "date_note": note},
            format="json",
        )
        assert set(invalid_fields(patched)) == {"date_note"}, note
        assert set(invalid_fields(created)) == {"date_note"}, note
    assert stored_state() == before


def test_an_unsupported_draft_is_not_published_until_its_date_is_backed(editor_api):
    citation = cite(OCTOBER, published_at=None)
    event = citation.event
    url = event_url(event.slug)

    refused = editor_api.post(f"{url}publish/")

    assert "date" in invalid_fields(refused)
    assert Event.objects.get(pk=event.pk).published_at is None

    etag = editor_api.get(url, DRAFTS)["ETag"]
    noted = editor_api.patch(url, {"date_note": NOTE}, format="json", HTTP_IF_MATCH=etag)
    assert noted.json()["date_evidence"]["state"] == "inferred"
    published = editor_api.post(f"{url}publish/")
    assert published.status_code == 200, published.content
    assert Event.objects.get(pk=event.pk).published_at is not None

    # Or a quote that states the date.
    other = cite(UNDATED, published_at=None)
    url = event_url(other.event.slug)
    assert editor_api.post(f"{url}publish/").status_code == 400
    etag = editor_api.get(url, DRAFTS)["ETag"]
    cited = [
        {"id": other.pk, "source": other.source_id, "quote": UNDATED},
        {"source": other.source_id, "quote": THURSDAY},
    ]
    cited = editor_api.patch(url, {"citations": cited}, format="json", HTTP_IF_MATCH=etag)
    assert cited.json()["date_evidence"]["state"] == "stated"
    assert editor_api.post(f"{url}publish/").status_code == 200


def test_the_queryset_annotation_agrees_with_the_api(editor_api):
    events = {
        "day stated": cite(THURSDAY).event,
        "month stated": cite(THURSDAY, date="2025-10").event,
        "exactly the month": cite(OCTOBER, date="2025-10").event,
        "a day narrower than the month": cite(OCTOBER, date="2025-10-01/2025-10-30").event,
        "stated and noted": cite(ABSOLUTE, date_note=NOTE).event,
        "inferred": cite(OCTOBER, date_note=NOTE).event,
        "unresolved": cite(THURSDAY, published_on=None).event,
        "uncited": EventFactory(date="2025-10-30"),
        # A range: the quote dates its end (30 October) but not its start.
        "a range's end only": cite(THURSDAY, date="2025-10-26/2025-10-30").event,
        "a range's start only": cite(THURSDAY, date="2025-10-30/2025-10-31").event,
        "a range whose ends it states": cite(THURSDAY, date="2025-10-30/2025-10-30").event,
    }
    expected = {
        "day stated": "stated",
        "month stated": "stated",
        "exactly the month": "stated",
        "a day narrower than the month": "unsupported",
        "stated and noted": "stated",
        "inferred": "inferred",
        "unresolved": "unsupported",
        "uncited": "unsupported",
        "a range's end only": "unsupported",
        "a range's start only": "unsupported",
        "a range whose ends it states": "stated",
    }

    annotated = dict(Event.objects.with_date_evidence().values_list("pk", "date_evidence"))

    from_api = {case: evidence(editor_api, event)["state"] for case, event in events.items()}
    assert from_api == expected
    assert {case: annotated[event.pk] for case, event in events.items()} == expected


def test_the_event_list_query_count_does_not_grow_with_date_mentions(api_client, commit):
    source = SourceFactory(text=TEXT, published_on=FRIDAY)
    counts = []
    for total in (2, 10):
        with commit():
            for _ in range(total - Event.objects.count()):
                event = EventFactory(date="2025-10-30")
                CitationFactory(event=event, source=source, quote=THURSDAY)
                CitationFactory(event=event, source=source, quote=ABSOLUTE)
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get(EVENTS_URL).json()
        counts.append(len(queries))

        assert body["count"] == total
        assert [len(e["date_evidence"]["citations"]) for e in body["results"]] == [2] * total
    assert counts[0] == counts[1], counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_reads_the_dates_of_citations_already_written():
    event = EventFactory(date="2025-10-30")
    source = SourceFactory(text=TEXT, published_on=FRIDAY)
    before = ("timeline", "0009_winter_runs_to_february")
    after = ("timeline", "0010_date_evidence")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state([before]).apps
        Citation = old.get_model("timeline", "Citation")
        written = Citation.objects.create(event_id=event.pk, source_id=source.pk, quote=THURSDAY)

        executor.migrate([after])
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert list(DateMention.objects.values_list("citation", "text", "value", "reference")) == [
        (written.pk, "Thursday", "2025-10-30", "2025-10-31")
    ]


def test_a_blank_note_is_no_note_and_does_not_publish():
    event = EventFactory(date_note="   ", published_at=None)

    assert event.date_note == ""
    with pytest.raises(ValidationError) as refused:
        services.events_publish(events=[event])
    assert "date" in refused.value.message_dict
    assert not Event.objects.get(pk=event.pk).is_published

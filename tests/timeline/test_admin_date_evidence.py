"""Date evidence in the admin: the column, the filter, the read-out, the warning, publishing."""

import pytest

from tests.dated import FRIDAY
from tests.dated import THURSDAY_QUOTE as QUOTE
from tests.factories import CitationFactory, EventFactory, SourceFactory
from tests.timeline.test_admin import (
    EVENT_ADD_URL,
    EVENTS_URL,
    changelist_pks,
    event_form_data,
    field_errors,
    message_texts,
)
from timeline.models import Event

pytestmark = pytest.mark.django_db


def busan_source():
    return SourceFactory(text=f"{QUOTE} They agreed a truce.", published_on=FRIDAY)


def three_events():
    """A stated, an inferred and an unsupported draft."""
    stated = EventFactory(slug="stated", date="2025-10-30", published_at=None)
    CitationFactory(event=stated, source=busan_source(), quote=QUOTE)
    inferred = EventFactory(slug="inferred", date="2025-10-29", published_at=None, explained=True)
    unsupported = EventFactory(slug="unsupported", date="2025-10-28", published_at=None)
    return stated, inferred, unsupported


def test_the_list_shows_and_filters_the_evidence(editor_client):
    stated, inferred, unsupported = three_events()

    response = editor_client.get(EVENTS_URL)
    page = response.content.decode()
    assert "⚠ unsupported" in page and ">inferred<" in page and ">stated<" in page

    for state, event in (("stated", stated), ("inferred", inferred), ("unsupported", unsupported)):
        filtered = editor_client.get(EVENTS_URL, {"date_evidence": state})
        assert changelist_pks(filtered) == [event.pk], state
    # Ordered by it like any column (stated < inferred < unsupported as text: i, s, u).
    ordered = editor_client.get(EVENTS_URL, {"o": "3"})  # after the checkbox, title, date
    assert changelist_pks(ordered) == [inferred.pk, stated.pk, unsupported.pk]


def test_the_change_form_says_what_the_quotes_state(editor_client):
    stated, _, _ = three_events()
    stated.date = "2025-10-29"  # no longer what "Thursday" says
    stated.save()

    page = editor_client.get(f"{EVENTS_URL}{stated.pk}/change/").content.decode()

    assert "Date not stated by any cited source" in page
    assert "Thursday → 2025-10-30" in page
    assert 'name="date_note"' in page


def test_saving_an_unsupported_date_warns_and_a_stating_quote_does_not(editor_client):
    source = busan_source()
    data = event_form_data(
        date="2025-10-29",
        **{"citations-0-source": str(source.pk), "citations-0-quote": QUOTE},
    )
    response = editor_client.post(EVENT_ADD_URL, data, follow=True)
    assert any("No cited quote states the date 2025-10-29" in m for m in message_texts(response))

    data = event_form_data(
        slug="thursday",
        date="2025-10-30",
        **{"citations-0-source": str(source.pk), "citations-0-quote": QUOTE},
    )
    response = editor_client.post(EVENT_ADD_URL, data, follow=True)
    assert Event.objects.filter(slug="thursday").exists()
    assert not any("No cited quote states" in m for m in message_texts(response))


def test_a_note_that_only_repeats_the_date_is_refused_in_the_form(editor_client):
    response = editor_client.post(
        EVENT_ADD_URL, event_form_data(date="2025-10-30", date_note="30 October 2025")
    )

    assert response.status_code == 200
    assert "not only the date" in field_errors(response, "id_date_note")
    assert not Event.objects.filter(slug="ministers-agree-a-pause").exists()


def test_publishing_skips_unsupported_drafts_and_says_why(editor_client):
    stated, inferred, unsupported = three_events()

    response = editor_client.post(
        EVENTS_URL,
        {
            "action": "publish",
            "_selected_action": [str(e.pk) for e in (stated, inferred, unsupported)],
        },
        follow=True,
    )

    messages = message_texts(response)
    assert any("No cited quote states the date of “" in m and "2025-10-28" in m for m in messages)
    assert "Published 2 event(s)." in messages
    published = set(Event.objects.published().values_list("slug", flat=True))
    assert published == {"stated", "inferred"}

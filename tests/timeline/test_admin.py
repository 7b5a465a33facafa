"""Tests for the editors' workspace: the Django admin as an Editors-group user sees it."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.models import Citation, Event

EVENTS_URL = "/admin/timeline/event/"
EVENT_ADD_URL = "/admin/timeline/event/add/"
AUTOCOMPLETE_URL = "/admin/autocomplete/"

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
SPRING_QUOTE = "The talks will resume in spring."


def event_form_data(**fields) -> dict:
    """POST data for the event add form with one citation inline (prefix "citations")."""
    data = {
        "title": "Ministers agree a pause",
        "slug": "ministers-agree-a-pause",
        "summary": "The ministers agreed to pause new tariffs.",
        "date": "2025-05-12",
        "display_date": "",
        "day_order": "0",
        "status": "occurred",
        "place": "",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-id": "",
        "citations-0-event": "",
        "citations-0-source": "",
        "citations-0-quote": "",
        "citations-0-locator": "",
        "citations-0-note": "",
    }
    data.update(fields)
    return data


def source_form_data(source, **fields) -> dict:
    """POST data for a source's change form (opened at its current version), inline included."""
    citations = list(source.citations.order_by("pk"))
    data = {
        "title": source.title,
        "slug": source.slug,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": "",
        "language": source.language,
        "text": source.text,
        "retrieved_at_0": "",
        "retrieved_at_1": "",
        "notes": source.notes,
        "_version": str(source.version),
        "citations-TOTAL_FORMS": str(len(citations)),
        "citations-INITIAL_FORMS": str(len(citations)),
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
    }
    for index, citation in enumerate(citations):
        data[f"citations-{index}-id"] = str(citation.pk)
        data[f"citations-{index}-source"] = str(source.pk)
    data.update(fields)
    return data


def field_errors(response, field_id: str) -> str:
    """The text of the error list the admin renders next to one field."""
    content = response.content.decode()
    match = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', content, re.S
    )
    assert match, f"no errors shown next to {field_id}"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def changelist_pks(response) -> list[int]:
    return [event.pk for event in response.context["cl"].result_list]


def make_cited_event(**kwargs) -> Event:
    """An event with a place, actor, tag and two citations: what the changelist shows."""
    event = EventFactory(
        place=PlaceFactory(), actors=[ActorFactory()], tags=[TagFactory()], **kwargs
    )
    source = SourceFactory()
    CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
    CitationFactory(event=event, source=source, quote=SPRING_QUOTE)
    return event


# Access


@pytest.mark.django_db
def test_admin_index_loads_for_an_editor(editor_client):
    response = editor_client.get("/admin/")

    assert response.status_code == 200
    content = response.content.decode()
    for model_url in [
        "/admin/timeline/event/",
        "/admin/timeline/timeline/",
        "/admin/sources/source/",
    ]:
        assert f'href="{model_url}"' in content
    assert 'href="/admin/auth/user/"' not in content


@pytest.mark.django_db
def test_admin_index_redirects_anonymous_users_to_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


@pytest.mark.django_db
def test_admin_event_changelist_redirects_anonymous_users_to_login(client):
    response = client.get(EVENTS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_editor_cannot_administer_users(editor_client):
    for url in ["/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"]:
        assert editor_client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_non_staff_user_cannot_reach_the_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 12))

    response = client.get(EVENTS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Event changelist


@pytest.mark.django_db
def test_event_changelist_shows_the_list_display_columns(editor_client):
    event = make_cited_event(title="Trump and Xi meet in Busan", date="2025-10-30")

    response = editor_client.get(EVENTS_URL)

    assert response.status_code == 200
    content = response.content.decode()
    for column in ["title", "when", "status", "is_published", "citation_count", "place"]:
        assert f"column-{column}" in content
    row = re.search(r"<tr>.*?</tr>", content[content.index("<tbody>") :], re.S).group(0)
    assert ">Trump and Xi meet in Busan</a>" in row
    assert '<td class="field-when">2025-10-30</td>' in row
    assert '<td class="field-status">occurred</td>' in row
    assert 'alt="True"' in row
    assert '<td class="field-citation_count">2</td>' in row
    assert event.place.name in row


@pytest.mark.django_db
def test_event_changelist_shows_display_date_instead_of_the_edtf_date(editor_client):
    EventFactory(date="2025-03", display_date="Late March 2025")

    response = editor_client.get(EVENTS_URL)

    assert '<td class="field-when">Late March 2025</td>' in response.content.decode()


@pytest.mark.django_db
def test_event_changelist_search_matches_titles(editor_client):
    busan = EventFactory(title="Trump and Xi meet in Busan")
    EventFactory(title="Talks in Kuala Lumpur")

    response = editor_client.get(EVENTS_URL, {"q": "busan"})

    assert response.status_code == 200
    assert changelist_pks(response) == [busan.pk]


@pytest.mark.django_db
def test_event_changelist_search_in_quotes_lists_each_event_once_with_its_count(editor_client):
    # Searching citations joins them; the row must not be duplicated nor its count inflated.
    cited = make_cited_event()
    EventFactory()

    # "will" is in both quotes and in no event's own fields.
    response = editor_client.get(EVENTS_URL, {"q": "will"})

    assert changelist_pks(response) == [cited.pk]
    assert response.context["cl"].result_list[0].citation_count == 2


@pytest.mark.django_db
def test_event_changelist_search_in_quotes_finds_the_citing_event_once(editor_client):
    cited = make_cited_event()
    EventFactory()

    response = editor_client.get(EVENTS_URL, {"q": "will"})

    assert changelist_pks(response) == [cited.pk]


@pytest.mark.django_db
def test_event_changelist_filters_by_publication(editor_client):
    events = {"yes": EventFactory(), "no": EventFactory(published_at=None)}

    for published, event in events.items():
        response = editor_client.get(EVENTS_URL, {"published": published})

        assert response.status_code == 200
        assert changelist_pks(response) == [event.pk], published


@pytest.mark.django_db
def test_event_changelist_filters_by_status(editor_client):
    EventFactory(status="occurred")
    scheduled = EventFactory(status="scheduled", date="2026-04")

    response = editor_client.get(EVENTS_URL, {"status__exact": "scheduled"})

    assert changelist_pks(response) == [scheduled.pk]


@pytest.mark.django_db
def test_event_changelist_filters_by_tag_without_miscounting_citations(editor_client):
    tagged = make_cited_event()
    make_cited_event()
    tag = tagged.tags.get()

    response = editor_client.get(EVENTS_URL, {"tags__id__exact": tag.pk})

    assert changelist_pks(response) == [tagged.pk]
    assert response.context["cl"].result_list[0].citation_count == 2


@pytest.mark.django_db
def test_event_changelist_date_hierarchy(editor_client):
    march = EventFactory(date="2025-03")
    october = EventFactory(date="2025-10-30")
    EventFactory(date="2026-04")

    by_year = editor_client.get(EVENTS_URL, {"start__year": "2025"})
    by_month = editor_client.get(EVENTS_URL, {"start__year": "2025", "start__month": "10"})
    by_day = editor_client.get(
        EVENTS_URL, {"start__year": "2025", "start__month": "3", "start__day": "1"}
    )

    assert changelist_pks(by_year) == [march.pk, october.pk]
    assert changelist_pks(by_month) == [october.pk]
    assert changelist_pks(by_day) == [march.pk]


@pytest.mark.django_db
def test_event_changelist_query_count_does_not_grow_with_events(editor_client):
    def changelist_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get(EVENTS_URL)
        assert response.status_code == 200
        return len(queries)

    for _ in range(3):
        make_cited_event()
    with_three = changelist_queries()
    for _ in range(27):
        make_cited_event()
    with_thirty = changelist_queries()

    assert len(editor_client.get(EVENTS_URL).context["cl"].result_list) == 30
    assert with_thirty == with_three


# Event add form with its citation inline


@pytest.mark.django_db
def test_event_add_form_uses_the_citations_inline_prefix(editor_client):
    response = editor_client.get(EVENT_ADD_URL)

    assert response.status_code == 200
    content = response.content.decode()
    for name in [
        "citations-TOTAL_FORMS",
        "citations-INITIAL_FORMS",
        "citations-MIN_NUM_FORMS",
        "citations-MAX_NUM_FORMS",
        "citations-0-source",
        "citations-0-quote",
        "citations-0-locator",
        "citations-0-note",
    ]:
        assert f'name="{name}"' in content


@pytest.mark.django_db
def test_event_add_with_a_citation_creates_both_and_anchors_the_quote(editor_client):
    source = SourceFactory()
    actor, tag, place = ActorFactory(), TagFactory(), PlaceFactory()

    response = editor_client.post(
        EVENT_ADD_URL,
        event_form_data(
            date="2025-10-25/2025-10-26",
            place=str(place.pk),
            actors=[str(actor.pk)],
            tags=[str(tag.pk)],
            **{
                "citations-0-source": str(source.pk),
                # Typed with a straight quote and a hyphen; the source has curly ones.
                "citations-0-quote": '"We have agreed a pause," the minister said',
                "citations-0-locator": "paragraph 1",
            },
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert response["Location"] == EVENTS_URL
    event = Event.objects.get(slug="ministers-agree-a-pause")
    assert (event.start, event.end, event.precision) == (
        datetime.date(2025, 10, 25),
        datetime.date(2025, 10, 26),
        "day",
    )
    assert event.published_at is None
    assert event.place == place
    assert list(event.actors.all()) == [actor]
    assert list(event.tags.all()) == [tag]
    citation = event.citations.get()
    assert citation.source == source
    assert citation.locator == "paragraph 1"
    assert citation.is_anchored
    assert citation.exact == "“We have agreed a pause,” the minister said"
    assert citation.exact == SAMPLE_TEXT[citation.position_start : citation.position_end]


@pytest.mark.django_db
def test_event_add_without_citations_is_allowed(editor_client):
    response = editor_client.post(EVENT_ADD_URL, event_form_data())

    assert response.status_code == 302
    assert Event.objects.get().citations.count() == 0


@pytest.mark.django_db
def test_event_add_with_an_invalid_date_shows_the_error_next_to_date(editor_client):
    source = SourceFactory()

    for date, words in [
        ("30 October 2025", "not a valid EDTF date"),
        ("2025-1X", "not a valid EDTF date"),
        ("2025-10-26/2025-10-25", "ends before it starts"),
        ("2025-10/..", "open ranges are not allowed"),
        ("[2025,2026]", "not a set of dates"),
    ]:
        response = editor_client.post(
            EVENT_ADD_URL,
            event_form_data(
                date=date,
                **{"citations-0-source": str(source.pk), "citations-0-quote": TARIFF_QUOTE},
            ),
        )

        assert response.status_code == 200, date
        assert list(response.context["adminform"].form.errors) == ["date"], date
        assert words in field_errors(response, "id_date"), date
        assert Event.objects.count() == 0
        assert Citation.objects.count() == 0


@pytest.mark.django_db
def test_event_add_with_a_quote_not_in_the_source_shows_the_error_on_the_quote(editor_client):
    source = SourceFactory()

    response = editor_client.post(
        EVENT_ADD_URL,
        event_form_data(
            **{
                "citations-0-source": str(source.pk),
                "citations-0-quote": "Tariffs will fall to zero.",
            }
        ),
    )

    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors
    assert list(inline_errors[0]) == ["quote"]
    shown = field_errors(response, "id_citations-0-quote")
    assert "Quote not found in the source text" in shown
    assert "Tariffs will fall to zero." in shown
    assert Event.objects.count() == 0
    assert Citation.objects.count() == 0


@pytest.mark.django_db
def test_event_change_page_shows_whether_each_citation_is_anchored(editor_client):
    event = EventFactory()
    anchored = CitationFactory(event=event, quote=TARIFF_QUOTE)
    CitationFactory(event=event, quote="Not in the article.")

    response = editor_client.get(f"/admin/timeline/event/{event.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert f"yes, characters {anchored.position_start}–{anchored.position_end}" in content
    assert "NO: the quote is not in the source&#x27;s text" in content


# Publish and unpublish actions


@pytest.mark.django_db
def test_publish_action_publishes_selected_drafts(editor_client):
    drafts = EventFactory.create_batch(2, published_at=None, explained=True)
    untouched = EventFactory(published_at=None)

    response = editor_client.post(
        EVENTS_URL,
        {"action": "publish", "_selected_action": [str(event.pk) for event in drafts]},
    )

    assert response.status_code == 302
    assert "Published 2 event(s)." in message_texts(response)
    assert set(Event.objects.published().values_list("pk", flat=True)) == {
        event.pk for event in drafts
    }
    untouched.refresh_from_db()
    assert untouched.published_at is None


@pytest.mark.django_db
def test_publish_action_keeps_the_date_of_already_published_events(editor_client):
    published = EventFactory(published_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC))
    draft = EventFactory(published_at=None, explained=True)

    response = editor_client.post(
        EVENTS_URL, {"action": "publish", "_selected_action": [str(published.pk), str(draft.pk)]}
    )

    assert "Published 1 event(s)." in message_texts(response)
    published.refresh_from_db()
    assert published.published_at == datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_unpublish_action_turns_selected_events_back_into_drafts(editor_client):
    selected = EventFactory.create_batch(2)
    untouched = EventFactory()

    response = editor_client.post(
        EVENTS_URL,
        {"action": "unpublish", "_selected_action": [str(event.pk) for event in selected]},
    )

    assert response.status_code == 302
    assert "Unpublished 2 event(s)." in message_texts(response)
    assert set(Event.objects.drafts().values_list("pk", flat=True)) == {
        event.pk for event in selected
    }
    untouched.refresh_from_db()
    assert untouched.is_published


@pytest.mark.django_db
def test_publish_action_needs_the_change_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(viewer)
    draft = EventFactory(published_at=None)

    client.post(EVENTS_URL, {"action": "publish", "_selected_action": [str(draft.pk)]})

    draft.refresh_from_db()
    assert draft.published_at is None


# Sources


@pytest.mark.django_db
def test_source_change_page_lists_the_citing_events(editor_client):
    source = SourceFactory()
    event = EventFactory(title="Ministers agree a pause")
    CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
    other = EventFactory(title="Unrelated event")

    response = editor_client.get(f"/admin/sources/source/{source.pk}/change/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "events citing this source" in content.lower()
    assert "Ministers agree a pause" in content
    assert TARIFF_QUOTE in content
    assert other.title not in content


@pytest.mark.django_db
def test_source_text_change_warns_about_and_keeps_citations_that_no_longer_match(editor_client):
    source = SourceFactory()
    kept = CitationFactory(source=source, quote=TARIFF_QUOTE)
    lost = CitationFactory(source=source, quote=SPRING_QUOTE)
    new_text = "Update: " + TARIFF_QUOTE + " Nothing else was agreed."

    response = editor_client.post(
        f"/admin/sources/source/{source.pk}/change/", source_form_data(source, text=new_text)
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    warnings = [
        message for message in get_messages(response.wsgi_request) if message.level_tag == "warning"
    ]
    assert len(warnings) == 1
    assert "1 citation(s) no longer match the new text" in str(warnings[0])
    assert SPRING_QUOTE in str(warnings[0])
    source.refresh_from_db()
    assert source.text == new_text
    kept.refresh_from_db()
    lost.refresh_from_db()
    assert (kept.position_start, kept.position_end) == (8, 8 + len(TARIFF_QUOTE))
    assert not lost.is_anchored
    assert Citation.objects.count() == 2


@pytest.mark.django_db
def test_source_text_change_that_keeps_every_quote_reanchors_them(editor_client):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)

    response = editor_client.post(
        f"/admin/sources/source/{source.pk}/change/",
        source_form_data(source, text="Moved. " + SAMPLE_TEXT),
    )

    assert response.status_code == 302
    assert "Re-anchored 1 citation(s)." in message_texts(response)
    citation.refresh_from_db()
    assert citation.position_start == len("Moved. ") + SAMPLE_TEXT.index(TARIFF_QUOTE)


@pytest.mark.django_db
def test_source_change_without_a_text_change_leaves_citations_alone(editor_client):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)

    response = editor_client.post(
        f"/admin/sources/source/{source.pk}/change/",
        source_form_data(source, title="A better title"),
    )

    assert response.status_code == 302
    assert not any("anchor" in text for text in message_texts(response))
    citation.refresh_from_db()
    assert citation.is_anchored


# Autocomplete


@pytest.mark.django_db
def test_autocomplete_finds_related_objects(editor_client):
    # Near misses of every kind: only the wanted object matches the term.
    ActorFactory(name="Someone else")
    PlaceFactory(name="Geneva")
    TagFactory(name="Tariffs")
    SourceFactory(title="Another report")
    EventFactory(title="Another event")

    for model_name, field_name, wanted, term in [
        ("event", "actors", ActorFactory(name="Xi Jinping"), "jinping"),
        ("event", "place", PlaceFactory(name="Busan, South Korea"), "busan"),
        ("event", "tags", TagFactory(name="Rare earths"), "rare"),
        ("citation", "source", SourceFactory(title="Xi meets Trump"), "meets"),
        ("timeline", "events", EventFactory(title="Trump and Xi meet"), "trump"),
    ]:
        response = editor_client.get(
            AUTOCOMPLETE_URL,
            {
                "app_label": "timeline",
                "model_name": model_name,
                "field_name": field_name,
                "term": term,
            },
        )

        assert response.status_code == 200, field_name
        assert response.json()["results"] == [{"id": str(wanted.pk), "text": str(wanted)}]


@pytest.mark.django_db
def test_autocomplete_is_refused_to_anonymous_users(client):
    response = client.get(
        AUTOCOMPLETE_URL,
        {"app_label": "timeline", "model_name": "event", "field_name": "actors", "term": "x"},
    )

    # The admin's own answer to anyone not signed in: its login page.
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/autocomplete/")


# Every other model's pages


@pytest.mark.django_db
def test_changelist_and_add_pages_load(editor_client):
    for url, factory in [
        ("/admin/timeline/timeline/", TimelineFactory),
        ("/admin/timeline/actor/", ActorFactory),
        ("/admin/timeline/place/", PlaceFactory),
        ("/admin/timeline/tag/", TagFactory),
        ("/admin/sources/source/", SourceFactory),
        ("/admin/timeline/event/", EventFactory),
    ]:
        obj = factory()

        changelist = editor_client.get(url)
        add = editor_client.get(url + "add/")
        change = editor_client.get(f"{url}{obj.pk}/change/")

        statuses = (changelist.status_code, add.status_code, change.status_code)
        assert statuses == (200, 200, 200), url
        assert str(obj) in changelist.content.decode(), url


@pytest.mark.django_db
def test_lookup_changelist_counts_events_and_links_wikidata(editor_client):
    actor = ActorFactory(name="China", wikidata_id="Q148")
    EventFactory.create_batch(2, actors=[actor])

    response = editor_client.get("/admin/timeline/actor/")

    content = response.content.decode()
    assert '<a href="https://www.wikidata.org/wiki/Q148" rel="noopener">Q148</a>' in content
    assert '<td class="field-event_count">2</td>' in content


@pytest.mark.django_db
def test_timeline_changelist_counts_events(editor_client):
    TimelineFactory(events=EventFactory.create_batch(3))

    response = editor_client.get("/admin/timeline/timeline/")

    assert '<td class="field-event_count">3</td>' in response.content.decode()

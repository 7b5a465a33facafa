"""No lost edits and the history of every change, as an editor meets them in the admin."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from sources.models import Source
from tests.conftest import checking
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline import services
from timeline.models import Citation, Event, Timeline

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
SPRING_QUOTE = "The talks will resume in spring."
DELETED_URL = "/admin/timeline/event/deleted/"
CONFLICT = "Someone else saved this"
# simple-history names the revert form after the historical model.
REVERT_FORM = "historicalevent_form"


class FormFields(HTMLParser):
    """What a browser would submit from the admin form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str) -> None:
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        # The inline's template for new rows is not a row.
        if not self.inside or "__prefix__" in (attrs.get("name") or ""):
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file", "image"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.add(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self.select = attrs["name"]
            self.fields.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.add(self.select, attrs["value"])
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.add(self.textarea, "")

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # Browsers drop the newline that follows <textarea>.
            value = self.fields[self.textarea][-1]
            self.fields[self.textarea][-1] = value.removeprefix("\n")
            self.textarea = None


def submitted_form(response, form_id: str) -> dict[str, str | list[str]]:
    """The POST data of the rendered form, as the editor opened it."""
    assert response.status_code == 200
    parser = FormFields(form_id)
    parser.feed(response.content.decode())
    assert parser.fields, f"no form #{form_id} on the page"
    return {
        name: values[0] if len(values) == 1 else values for name, values in parser.fields.items()
    }


def open_change_form(client, obj) -> dict:
    opts = obj._meta
    url = f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"
    return submitted_form(client.get(url), f"{opts.model_name}_form")


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def form_errors(response) -> str:
    return " ".join(str(error) for error in response.context["adminform"].form.non_field_errors())


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def latest_revision(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def relation_ids(record, relation: str, target: str) -> set[int]:
    return {getattr(row, f"{target}_id") for row in getattr(record, relation).all()}


def make_cited_event(**kwargs) -> Event:
    event = EventFactory(actors=[ActorFactory()], tags=[TagFactory()], **kwargs)
    source = SourceFactory()
    CitationFactory(event=event, source=source, quote=TARIFF_QUOTE)
    CitationFactory(event=event, source=source, quote=SPRING_QUOTE)
    return event


def someone_else_saves(obj, **changes) -> None:
    theirs = type(obj).objects.get(pk=obj.pk)
    for name, value in changes.items():
        setattr(theirs, name, value)
    theirs._history_user = get_user_model().objects.get_or_create(username="someone-else")[0]
    theirs.save()


def staff_user(django_user_model, *codenames):
    user = django_user_model.objects.create_user(
        f"staff-{'-'.join(codenames) or 'none'}", password="x" * 12, is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


# Saving from the version the editor opened


@pytest.mark.django_db
def test_change_form_carries_the_current_version_hidden(editor_client):
    event = make_cited_event()
    someone_else_saves(event, title="Moved on")

    response = editor_client.get(change_url(event))

    assert '<input type="hidden" name="_version" value="2"' in response.content.decode()


@pytest.mark.django_db
def test_saving_from_the_current_version_saves_and_moves_the_version(editor_client, editor):
    event = make_cited_event(title="Before")
    data = open_change_form(editor_client, event)
    records_before = event.history.count()

    response = editor_client.post(change_url(event), {**data, "title": "After"})

    assert response.status_code == 302
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.version) == ("After", event.version + 1)
    assert event.history.count() == records_before + 1
    record = latest_revision(Event, event.pk)
    assert (record.title, record.version, record.history_user) == ("After", 2, editor)


@pytest.mark.django_db
def test_saving_over_someone_elses_save_is_refused_and_keeps_the_editors_input(editor_client):
    event = make_cited_event(title="Original", summary="Original summary.")
    data = open_change_form(editor_client, event)
    someone_else_saves(event, title="Their title")
    records_before = event.history.count()

    response = editor_client.post(
        change_url(event), {**data, "title": "My title", "summary": "My summary."}
    )

    assert response.status_code == 200
    errors = form_errors(response)
    assert "Someone else saved this event (now version 2) after you opened it." in errors
    assert "Nothing was saved." in errors
    link = f'<a href="{change_url(event)}" target="_blank" rel="noopener">the current version</a>'
    assert link in response.content.decode()
    shown = submitted_form(response, "event_form")
    assert (shown["title"], shown["summary"]) == ("My title", "My summary.")
    assert shown["citations-0-quote"] == TARIFF_QUOTE
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.summary, stored.version) == ("Their title", "Original summary.", 2)
    assert event.history.count() == records_before


@pytest.mark.django_db
def test_saving_again_after_a_conflict_replaces_the_current_version(editor_client):
    event = make_cited_event(title="Original")
    data = open_change_form(editor_client, event)
    someone_else_saves(event, title="Their title")
    refused = editor_client.post(change_url(event), {**data, "title": "My title"})

    # The re-rendered form now carries the version the editor has been shown.
    response = editor_client.post(change_url(event), submitted_form(refused, "event_form"))

    assert response.status_code == 302
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.version) == ("My title", 3)


@pytest.mark.django_db
def test_saving_without_a_valid_version_is_refused(editor_client):
    event = make_cited_event(title="Original")
    data = open_change_form(editor_client, event)
    data.pop("_version")

    for version in (None, "", "two"):
        sent = data if version is None else {**data, "_version": version}

        response = editor_client.post(change_url(event), {**sent, "title": "My title"})

        assert response.status_code == 200, version
        assert "does not say which version" in form_errors(response), version
        stored = Event.objects.get(pk=event.pk)
        assert (stored.title, stored.version) == ("Original", 1), version


@pytest.mark.django_db
def test_a_save_that_slips_past_the_check_is_refused_with_a_message_not_an_error(
    editor_client, monkeypatch
):
    # Someone else's save lands between the form's check and the write, as it
    # can on SQLite, which has no row locks.
    from timeline.admin import EventAdmin

    event = make_cited_event(title="Original")
    data = open_change_form(editor_client, event)
    save_model = EventAdmin.save_model

    def interleave(admin, request, obj, form, change):
        Event.objects.filter(pk=obj.pk).update(title="Their title", version=2)
        save_model(admin, request, obj, form, change)

    monkeypatch.setattr(EventAdmin, "save_model", interleave)
    response = editor_client.post(change_url(event), {**data, "title": "My title"})

    assert response.status_code == 302
    assert response["Location"] == change_url(event)
    assert any("now version 2" in text for text in message_texts(response))
    # Their write shared the request's transaction here, so it was rolled back with it.
    assert Event.objects.get(pk=event.pk).title == "Original"


@pytest.mark.django_db
def test_a_view_only_change_page_has_no_version(client, django_user_model):
    client.force_login(staff_user(django_user_model, "view_event"))
    event = make_cited_event()

    response = client.get(change_url(event))

    assert response.status_code == 200
    assert "_version" not in response.content.decode()


@pytest.mark.django_db
def test_every_editors_admin_refuses_to_save_over_someone_else(editor_client):
    for obj, field in [
        (ActorFactory(), "name"),
        (PlaceFactory(), "name"),
        (TagFactory(), "name"),
        (TimelineFactory(events=[EventFactory()]), "title"),
        (SourceFactory(), "title"),
    ]:
        data = open_change_form(editor_client, obj)
        someone_else_saves(obj, **{field: "Theirs"})

        refused = editor_client.post(change_url(obj), {**data, field: "Mine"})
        saved_again = editor_client.post(
            change_url(obj), submitted_form(refused, f"{obj._meta.model_name}_form")
        )

        with checking(type(obj).__name__):
            assert CONFLICT in form_errors(refused)
            assert saved_again.status_code == 302
            assert getattr(type(obj).objects.get(pk=obj.pk), field) == "Mine"


# One revision per save


@pytest.mark.django_db
def test_adding_an_event_records_one_revision_with_its_actors_and_tags(editor_client, editor):
    actors, tags = ActorFactory.create_batch(2), TagFactory.create_batch(2)
    data = submitted_form(editor_client.get("/admin/timeline/event/add/"), "event_form")
    data.update(
        title="Ministers agree a pause",
        slug="ministers-agree-a-pause",
        date="2025-05-12",
        actors=[str(actor.pk) for actor in actors],
        tags=[str(tag.pk) for tag in tags],
    )

    response = editor_client.post("/admin/timeline/event/add/", data)

    assert response.status_code == 302
    event = Event.objects.get()
    (record,) = event.history.all()
    assert (record.history_type, record.history_user, record.version) == ("+", editor, 1)
    assert relation_ids(record, "actors", "actor") == {actor.pk for actor in actors}
    assert relation_ids(record, "tags", "tag") == {tag.pk for tag in tags}


@pytest.mark.django_db
def test_changing_an_events_relations_records_one_revision_with_the_final_ones(editor_client):
    event = make_cited_event()
    new_tags = TagFactory.create_batch(2)
    data = open_change_form(editor_client, event)
    records_before = event.history.count()

    response = editor_client.post(
        change_url(event),
        {**data, "actors": [], "tags": [str(tag.pk) for tag in new_tags], "summary": "Changed."},
    )

    assert response.status_code == 302
    assert event.history.count() == records_before + 1
    record = latest_revision(Event, event.pk)
    assert record.summary == "Changed."
    assert relation_ids(record, "actors", "actor") == set()
    assert relation_ids(record, "tags", "tag") == {tag.pk for tag in new_tags}


@pytest.mark.django_db
def test_deleting_in_the_admin_records_who_deleted(editor_client, editor):
    event = make_cited_event()

    response = editor_client.post(f"/admin/timeline/event/{event.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    record = latest_revision(Event, event.pk)
    assert (record.history_type, record.history_user) == ("-", editor)


# The history page


@pytest.mark.django_db
def test_history_page_lists_revisions_with_who_and_what_changed(editor_client, editor):
    for obj, relation, related_factory in [
        (EventFactory(tags=[TagFactory(name="Tariffs")]), "tags", TagFactory),
        (EventFactory(actors=[ActorFactory()]), "actors", ActorFactory),
        (TimelineFactory(events=[EventFactory()]), "events", EventFactory),
    ]:
        model = type(obj)
        records_before = model.history.filter(id=obj.pk).count()
        data = open_change_form(editor_client, obj)
        added = related_factory()
        saved = editor_client.post(
            change_url(obj),
            # Each starts with one related object: the form submits it as a single value.
            {**data, "title": "Renamed", relation: [data[relation], str(added.pk)]},
        )
        assert saved.status_code == 302, relation
        someone_else_saves(obj, title="Renamed again")

        response = editor_client.get(f"{change_url(obj).removesuffix('change/')}history/")

        assert response.status_code == 200
        content = response.content.decode()
        table = content[content.index('id="change-history"') :]
        with checking(model.__name__, relation):
            assert editor.username in table
            assert "someone-else" in table
            assert f"{obj._meta.get_field(relation).verbose_name.capitalize()}:</strong>" in table
            assert str(added) in table
            assert "Renamed again" in table
            assert model.history.filter(id=obj.pk).count() == records_before + 2


# Reverting from the history page


def revert_url(obj, record) -> str:
    return f"{change_url(obj).removesuffix('change/')}history/{record.history_id}/"


@pytest.mark.django_db
def test_reverting_restores_fields_and_relations_and_records_who_reverted(editor_client, editor):
    old_tag, new_tag = TagFactory(), TagFactory()
    event = EventFactory(title="Original", published_at=None, tags=[old_tag], explained=True)
    original = latest_revision(Event, event.pk)
    data = open_change_form(editor_client, event)
    editor_client.post(change_url(event), {**data, "title": "Changed", "tags": [str(new_tag.pk)]})
    services.events_publish(events=[event])
    current_version = Event.objects.get(pk=event.pk).version

    form = submitted_form(editor_client.get(revert_url(event, original)), REVERT_FORM)
    assert (form["title"], form["tags"], form["_version"]) == (
        "Original",
        str(old_tag.pk),
        str(current_version),
    )
    response = editor_client.post(revert_url(event, original), form)

    assert response.status_code == 302
    stored = Event.objects.get(pk=event.pk)
    assert stored.title == "Original"
    assert set(stored.tags.all()) == {old_tag}
    assert stored.version == current_version + 1
    # Publication is not on the form: a revert leaves it as it is.
    assert stored.is_published
    record = latest_revision(Event, event.pk)
    assert (record.history_user, record.history_change_reason) == (
        editor,
        f"Reverted to version {original.version}",
    )
    assert relation_ids(record, "tags", "tag") == {old_tag.pk}


@pytest.mark.django_db
def test_reverting_a_sources_text_reanchors_its_citations(editor_client):
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)
    anchored_at = Citation.objects.get(pk=citation.pk).position_start
    original = latest_revision(Source, source.pk)
    data = open_change_form(editor_client, source)
    editor_client.post(change_url(source), {**data, "text": "Moved. " + data["text"]})
    assert Citation.objects.get(pk=citation.pk).position_start == anchored_at + len("Moved. ")
    url = f"/admin/sources/source/{source.pk}/history/{original.history_id}/"

    # The revert form's text field is unchanged from its initial value; the text is not.
    response = editor_client.post(
        url, submitted_form(editor_client.get(url), "historicalsource_form")
    )

    assert response.status_code == 302
    assert "Re-anchored 1 citation(s)." in message_texts(response)
    assert Source.objects.get(pk=source.pk).text == original.text
    assert Citation.objects.get(pk=citation.pk).position_start == anchored_at


@pytest.mark.django_db
def test_reverting_over_someone_elses_save_is_refused(editor_client):
    event = EventFactory(title="Original")
    original = latest_revision(Event, event.pk)
    someone_else_saves(event, title="Second")
    form = submitted_form(editor_client.get(revert_url(event, original)), REVERT_FORM)
    someone_else_saves(event, title="Third")

    response = editor_client.post(revert_url(event, original), form)

    assert response.status_code == 200
    assert "Someone else saved this event (now version 3)" in form_errors(response)
    assert Event.objects.get(pk=event.pk).title == "Third"


@pytest.mark.django_db
def test_reverting_a_deleted_event_is_refused(editor_client):
    event = make_cited_event(title="Original")
    event_id, url = event.pk, revert_url(event, latest_revision(Event, event.pk))
    event.delete()
    form = submitted_form(editor_client.get(url), REVERT_FORM)

    response = editor_client.post(url, form)

    assert response.status_code == 200
    assert "This event has been deleted, so nothing was saved." in form_errors(response)
    assert not Event.objects.filter(pk=event_id).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reverting_holds_the_row_lock_in_its_own_transaction(editor_client):
    # Outside the test's transaction: on PostgreSQL the version check's
    # SELECT … FOR UPDATE needs the view to open one.
    event = EventFactory(title="Original")
    original = latest_revision(Event, event.pk)
    someone_else_saves(event, title="Second")
    form = submitted_form(editor_client.get(revert_url(event, original)), REVERT_FORM)

    response = editor_client.post(revert_url(event, original), form)

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Original"


@pytest.mark.django_db
def test_reverting_needs_the_change_permission(client, django_user_model):
    client.force_login(staff_user(django_user_model, "view_event"))
    event = EventFactory(title="Original")
    original = latest_revision(Event, event.pk)
    someone_else_saves(event, title="Second")
    form = {"title": "Original", "slug": event.slug, "date": event.date, "_version": "2"}

    assert client.get(revert_url(event, original)).status_code == 200
    response = client.post(revert_url(event, original), {**form, "status": "occurred"})

    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Second"


# Deleted events


@pytest.mark.django_db
def test_event_changelist_links_to_the_deleted_events(editor_client):
    response = editor_client.get("/admin/timeline/event/")

    assert f'<a href="{DELETED_URL}">Deleted events</a>' in response.content.decode()


@pytest.mark.django_db
def test_deleted_events_page_lists_what_was_deleted_by_whom(editor_client, editor):
    event = make_cited_event(title="Ministers agree a pause", date="2025-05-12")
    kept = EventFactory(title="Still here")
    editor_client.post(f"/admin/timeline/event/{event.pk}/delete/", {"post": "yes"})

    response = editor_client.get(DELETED_URL)

    assert response.status_code == 200
    content = response.content.decode()
    row = re.search(r"<tbody>.*?</tbody>", content, re.S).group(0)
    assert "Ministers agree a pause" in row
    assert f"<td>{event.slug}</td>" in row
    assert "<td>2025-05-12</td>" in row
    assert f"<td>{editor.username}</td>" in row
    assert "<td>2</td>" in row
    assert f'action="{DELETED_URL}{event.pk}/restore/"' in row
    assert kept.title not in row
    assert '<div class="breadcrumbs">' in content


@pytest.mark.django_db
def test_restoring_from_the_deleted_events_page(editor_client, editor):
    event = make_cited_event(title="Ministers agree a pause")
    event_id = event.pk
    event.delete()

    response = editor_client.post(f"{DELETED_URL}{event_id}/restore/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/timeline/event/{event_id}/change/"
    assert "Restored “Ministers agree a pause” as a draft with 2 citation(s)." in message_texts(
        response
    )
    restored = Event.objects.get(pk=event_id)
    assert not restored.is_published
    assert restored.citations.count() == 2
    assert latest_revision(Event, event_id).history_user == editor
    assert "No deleted events." in editor_client.get(DELETED_URL).content.decode()


@pytest.mark.django_db
def test_restoring_an_event_whose_slug_was_taken_explains_why_not(editor_client):
    event = make_cited_event(slug="ministers-agree")
    event_id = event.pk
    event.delete()
    EventFactory(slug="ministers-agree")

    response = editor_client.post(f"{DELETED_URL}{event_id}/restore/")

    assert response.status_code == 302
    assert response["Location"] == DELETED_URL
    assert any("ministers-agree" in text for text in message_texts(response))
    assert not Event.objects.filter(pk=event_id).exists()


@pytest.mark.django_db
def test_restoring_is_only_by_post(editor_client):
    event = make_cited_event()
    event_id = event.pk
    event.delete()

    assert editor_client.get(f"{DELETED_URL}{event_id}/restore/").status_code == 405
    assert not Event.objects.filter(pk=event_id).exists()


@pytest.mark.django_db
def test_staff_without_permissions_cannot_see_or_restore_deleted_events(client, django_user_model):
    event = make_cited_event()
    event_id = event.pk
    event.delete()
    client.force_login(staff_user(django_user_model))

    assert client.get(DELETED_URL).status_code == 403
    assert client.post(f"{DELETED_URL}{event_id}/restore/").status_code == 403
    assert not Event.objects.filter(pk=event_id).exists()


@pytest.mark.django_db
def test_viewers_see_deleted_events_but_cannot_restore_them(client, django_user_model):
    event = make_cited_event(title="Ministers agree a pause")
    event_id = event.pk
    event.delete()
    client.force_login(staff_user(django_user_model, "view_event"))

    listing = client.get(DELETED_URL)

    assert listing.status_code == 200
    assert "Ministers agree a pause" in listing.content.decode()
    assert "/restore/" not in listing.content.decode()
    assert client.post(f"{DELETED_URL}{event_id}/restore/").status_code == 403
    assert not Event.objects.filter(pk=event_id).exists()


@pytest.mark.django_db
def test_deleted_events_page_sends_anonymous_users_to_sign_in(client):
    response = client.get(DELETED_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# Publishing timelines


@pytest.mark.django_db
def test_timeline_publication_actions_record_who(editor_client, editor):
    for action, published in (("publish", True), ("unpublish", False)):
        selected = TimelineFactory(published_at=None if published else timezone.now())
        untouched = TimelineFactory(published_at=None)

        response = editor_client.post(
            "/admin/timeline/timeline/", {"action": action, "_selected_action": [str(selected.pk)]}
        )

        assert response.status_code == 302, action
        verb = "Published" if published else "Unpublished"
        assert f"{verb} 1 timeline(s)." in message_texts(response)
        stored = Timeline.objects.get(pk=selected.pk)
        assert stored.is_published is published, action
        assert stored.version == 2, action
        record = latest_revision(Timeline, selected.pk)
        assert (record.history_user, record.history_change_reason) == (editor, verb)
        assert Timeline.objects.get(pk=untouched.pk).version == 1, action


def test_an_events_history_page_shows_its_citations_revisions(editor_client, editor):
    event = EventFactory()
    citation = CitationFactory(event=event, note="First note.")
    citation._history_user = editor
    citation.note = "A better note."
    citation.save()

    response = editor_client.get(f"/admin/timeline/event/{event.pk}/history/")

    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index('id="citation-history"') :]
    assert f"#{citation.pk}" in section
    assert "First note. → A better note." in section
    assert editor.username in section

"""History you can read: whole values with the changed words marked, labels, dates in words,
no empty versions, back to the object after a revert, any two versions compared."""

import pytest
from django.utils import formats, timezone

from tests.factories import EventFactory, TimelineFactory
from tests.timeline.test_admin_history import (
    REVERT_FORM,
    change_url,
    latest_revision,
    message_texts,
    open_change_form,
    revert_url,
    submitted_form,
)
from timeline import services
from timeline.models import Event, Timeline

OLD_SUMMARY = (
    "The two leaders met in Busan for one hour and forty minutes and agreed to pause "
    "the export controls on rare earths for one year."
)
NEW_SUMMARY = OLD_SUMMARY.replace("forty", "twenty")


def history_url(obj) -> str:
    return f"{change_url(obj).removesuffix('change/')}history/"


def history_table(client, obj, query: str = "") -> str:
    response = client.get(history_url(obj) + query)
    assert response.status_code == 200
    content = response.content.decode()
    return content[content.index('id="content-main"') :]


def edit(client, obj, **changes):
    response = client.post(change_url(obj), {**open_change_form(client, obj), **changes})
    assert response.status_code == 302, response.context and response.context["errors"]
    return response


def in_words(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


# 1. Word-level differences, shown whole


@pytest.mark.django_db
def test_history_shows_whole_values_with_the_changed_words_marked(editor_client):
    event = EventFactory(summary=OLD_SUMMARY, explained=True)

    edit(editor_client, event, summary=NEW_SUMMARY)

    table = history_table(editor_client, event)
    assert "chars]" not in table
    old_shown = OLD_SUMMARY.replace("forty", "<del>forty</del>")
    new_shown = NEW_SUMMARY.replace("twenty", "<ins>twenty</ins>")
    assert f'<span class="history-was">{old_shown}</span>' in table
    assert f'<span class="history-now">→ {new_shown}</span>' in table


@pytest.mark.django_db
def test_marked_differences_are_escaped_and_styled_from_a_static_file(editor_client):
    event = EventFactory(summary="Talks <b>resumed</b> & ended.", explained=True)

    edit(editor_client, event, summary="Talks <script>alert(1)</script> & ended.")

    response = editor_client.get(history_url(event))
    content = response.content.decode()
    table = content[content.index('id="content-main"') :]
    assert "<script>alert" not in content
    assert "<del>&lt;b&gt;resumed&lt;/b&gt;</del>" in table
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in table
    assert "&amp; ended." in table
    assert "/static/sources/admin-history.css" in content
    assert "style=" not in table


# 2. Labels, dates in words, no "None"


@pytest.mark.django_db
def test_history_speaks_in_labels_and_dates_in_words_without_none(editor_client):
    event = EventFactory(published_at=None, explained=True)
    edit(editor_client, event, display_date="Late October 2025")
    services.events_publish(events=[event])
    published_at = Event.objects.get(pk=event.pk).published_at

    table = history_table(editor_client, event)

    assert "<strong>Display date:</strong>" in table
    assert "display_date" not in table
    assert f"<ins>{in_words(published_at)}</ins>" in table
    for record in Event.history.filter(id=event.pk):
        assert f"<td>{in_words(record.history_date)}</td>" in table
        assert record.history_date.isoformat()[:16] not in table
    assert "None" not in table
    assert "<td>—</td>" in table


# 3. A save that changes nothing is no version


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [EventFactory, TimelineFactory])
def test_saving_an_unchanged_form_records_no_revision_and_keeps_the_version(editor_client, factory):
    obj = factory()
    model = type(obj)
    revisions = model.history.filter(id=obj.pk).count()
    version = model.objects.get(pk=obj.pk).version

    edit(editor_client, obj)

    assert model.history.filter(id=obj.pk).count() == revisions
    assert model.objects.get(pk=obj.pk).version == version


@pytest.mark.django_db
def test_saving_a_change_still_records_one_revision(editor_client):
    timeline = TimelineFactory()
    revisions = Timeline.history.filter(id=timeline.pk).count()

    edit(editor_client, timeline, title="Renamed")

    assert Timeline.history.filter(id=timeline.pk).count() == revisions + 1
    assert Timeline.objects.get(pk=timeline.pk).title == "Renamed"


# 4. After a revert, back to the object


@pytest.mark.django_db
def test_reverting_returns_to_the_change_page_with_a_message(editor_client):
    event = EventFactory(title="Original", explained=True)
    original = latest_revision(Event, event.pk)
    edit(editor_client, event, title="Changed")

    form = submitted_form(editor_client.get(revert_url(event, original)), REVERT_FORM)
    response = editor_client.post(revert_url(event, original), form)

    assert response.status_code == 302
    assert response.url == change_url(event)
    stored = Event.objects.get(pk=event.pk)
    assert stored.title == "Original"
    assert message_texts(response) == [
        f"Reverted event “{stored}” to version {original.version}; "
        f"it is now version {stored.version}."
    ]


# 5. Any two versions compared


@pytest.mark.django_db
def test_any_two_versions_can_be_compared(editor_client):
    event = EventFactory(summary=OLD_SUMMARY, title="First title", explained=True)
    first = latest_revision(Event, event.pk)
    edit(editor_client, event, title="Second title")
    edit(editor_client, event, summary=NEW_SUMMARY)
    last = latest_revision(Event, event.pk)

    plain = history_table(editor_client, event)
    assert 'id="compare-versions"' in plain
    assert f'name="compare" value="{first.history_id}"' in plain
    assert 'id="history-comparison"' not in plain

    # In either order: the older is compared with the newer.
    table = history_table(
        editor_client, event, f"?compare={last.history_id}&compare={first.history_id}"
    )

    comparison = table[
        table.index('id="history-comparison"') : table.index('id="compare-versions"')
    ]
    assert f"Version {first.version} (" in comparison
    assert f"compared with version {last.version} (" in comparison
    assert "<strong>Title:</strong>" in comparison
    assert "<del>First</del> title" in comparison
    assert "<ins>Second</ins> title" in comparison
    assert "<ins>twenty</ins>" in comparison


@pytest.mark.django_db
def test_comparing_anything_but_two_of_the_objects_versions_shows_no_comparison(editor_client):
    event, other = EventFactory(), EventFactory()
    mine, theirs = latest_revision(Event, event.pk), latest_revision(Event, other.pk)

    for query in [
        f"?compare={mine.history_id}",
        f"?compare={mine.history_id}&compare={theirs.history_id}",
        f"?compare={mine.history_id}&compare=x",
    ]:
        assert 'id="history-comparison"' not in history_table(editor_client, event, query)


# 6. "Changed by" leads nowhere an editor may not go


@pytest.mark.django_db
def test_changed_by_is_plain_text_for_editors_and_a_link_for_who_may_view_users(
    editor_client, editor, admin_client, admin_user
):
    event = EventFactory(explained=True)
    edit(editor_client, event, title="By an editor")
    user_url = f"/admin/auth/user/{editor.pk}/change/"

    for_editor = history_table(editor_client, event)
    assert editor.username in for_editor
    assert user_url not in for_editor
    assert editor_client.get(user_url).status_code == 403

    assert f'<a href="{user_url}">{editor.username}</a>' in history_table(admin_client, event)

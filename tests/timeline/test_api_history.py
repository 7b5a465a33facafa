"""Tests for an event's history (/events/{slug}/history/), deleted events and restoring them."""

import datetime

import pytest

from tests.conftest import APIClient, checking
from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    make_editor,
)
from timeline.models import Citation, Claim, Event, Timeline

pytestmark = pytest.mark.django_db

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
SPRING_QUOTE = "The talks will resume in spring."
DELETED_URL = "/api/v1/deleted-events/"
REVISION_KEYS = {"object", "id", "history_id", "type", "at", "user", "reason", "version", "changes"}
DERIVED = {
    "start",
    "end",
    "precision",
    "version",
    "created_at",
    "updated_at",
    "exact",
    "prefix",
    "suffix",
    "timeline_ids",
}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    assert body["code"] == code
    return body


def history_url(slug: str) -> str:
    return f"/api/v1/events/{slug}/history/"


def history(client, slug: str) -> list[dict]:
    response = client.get(history_url(slug))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def summary(revisions: list[dict]) -> list[tuple]:
    """(object, type, {field: (old, new)}) of each revision, newest first."""
    return [
        (r["object"], r["type"], {c["field"]: (c["old"], c["new"]) for c in r["changes"]})
        for r in revisions
    ]


def parse(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


# History


def test_history_lists_every_revision_of_the_event_and_its_citations_newest_first(
    editor_api, editor
):
    source = SourceFactory(title="Wire report")
    ActorFactory(slug="china")
    ActorFactory(slug="usa")
    TagFactory(slug="tariffs")
    created = editor_api.post(
        "/api/v1/events/",
        {
            "slug": "talks",
            "title": "Talks",
            "date": "2025-10-30",
            "date_note": "The report of the talks was filed the next morning.",
            "actors": ["usa"],
            "citations": [{"source": source.pk, "quote": TARIFF_QUOTE}],
        },
        format="json",
    )
    citation_id = created.json()["citations"][0]["id"]
    retitled = editor_api.patch(
        "/api/v1/events/talks/",
        {"title": "Trade talks", "actors": ["usa", "china"], "tags": ["tariffs"]},
        format="json",
        HTTP_IF_MATCH=created["ETag"],
    )
    recited = editor_api.patch(
        "/api/v1/events/talks/",
        {
            "citations": [
                {"id": citation_id, "source": source.pk, "quote": TARIFF_QUOTE, "note": "Key."},
                {"source": source.pk, "quote": SPRING_QUOTE},
            ]
        },
        format="json",
        HTTP_IF_MATCH=retitled["ETag"],
    )
    new_citation_id = recited.json()["citations"][1]["id"]
    editor_api.post("/api/v1/events/talks/publish/")
    event = Event.objects.get(slug="talks")

    revisions = history(editor_api, "talks")

    assert all(set(r) == REVISION_KEYS for r in revisions)
    assert all(r["user"] == editor.username for r in revisions)
    times = [parse(r["at"]) for r in revisions]
    assert times == sorted(times, reverse=True)
    assert [(r["object"], r["id"]) for r in revisions] == [
        ("event", event.pk),
        ("citation", new_citation_id),
        ("citation", citation_id),
        ("event", event.pk),
        ("event", event.pk),
        ("citation", citation_id),
        ("event", event.pk),
    ]
    assert [r["reason"] for r in revisions] == ["Published", "", "", "", "", "", ""]
    published_at = event.published_at.isoformat()
    assert summary(revisions) == [
        ("event", "changed", {"published_at": (None, published_at)}),
        (
            "citation",
            "created",
            {
                "source": (None, "Wire report"),
                "quote": (None, SPRING_QUOTE),
                "position_start": (None, SAMPLE_TEXT.index(SPRING_QUOTE)),
                "position_end": (None, len(SAMPLE_TEXT)),
            },
        ),
        ("citation", "changed", {"note": ("", "Key.")}),
        # The event was saved with its citations, unchanged itself.
        ("event", "changed", {}),
        (
            "event",
            "changed",
            {
                "title": ("Talks", "Trade talks"),
                "actors": (["usa"], ["china", "usa"]),
                "tags": ([], ["tariffs"]),
            },
        ),
        (
            "citation",
            "created",
            {
                "source": (None, "Wire report"),
                "quote": (None, TARIFF_QUOTE),
                "position_start": (None, 128),
                "position_end": (None, 162),
            },
        ),
        (
            "event",
            "created",
            {
                "slug": (None, "talks"),
                "title": (None, "Talks"),
                "date": (None, "2025-10-30"),
                "date_note": (None, "The report of the talks was filed the next morning."),
                "status": (None, "occurred"),
                "day_order": (None, 0),
                "actors": (None, ["usa"]),
            },
        ),
    ]
    assert revisions[0]["version"] == event.version


def test_history_leaves_out_derived_fields(editor_api):
    event = EventFactory(date="2025-10-30")
    citation = CitationFactory(event=event, quote=TARIFF_QUOTE)
    etag = f'"{Event.objects.get(pk=event.pk).version}"'

    editor_api.patch(
        f"/api/v1/events/{event.slug}/",
        {
            "date": "2025-21",
            "citations": [{"id": citation.pk, "source": citation.source_id, "quote": GENEVA_QUOTE}],
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    revisions = history(editor_api, event.slug)

    event_change, citation_change = (
        next(r for r in revisions if r["object"] == kind and r["type"] == "changed")
        for kind in ("event", "citation")
    )
    assert [c["field"] for c in event_change["changes"]] == ["date"]
    assert {c["field"] for c in citation_change["changes"]} <= {
        "quote",
        "position_start",
        "position_end",
    }
    assert "quote" in {c["field"] for c in citation_change["changes"]}
    for revision in revisions:
        assert not DERIVED & {c["field"] for c in revision["changes"]}


def test_history_names_related_objects_by_slug_in_sorted_lists(editor_api):
    place = PlaceFactory(slug="geneva")
    zed, alpha = ActorFactory(slug="zed"), ActorFactory(slug="alpha")
    event = EventFactory(actors=[zed])

    editor_api.patch(
        f"/api/v1/events/{event.slug}/",
        {"place": "geneva", "actors": ["zed", "alpha"], "tags": []},
        format="json",
        HTTP_IF_MATCH=f'"{event.version}"',
    )

    changes = summary(history(editor_api, event.slug))[0][2]
    assert changes == {"place": (None, "geneva"), "actors": (["zed"], ["alpha", "zed"])}
    assert place and alpha


def test_history_shows_a_citation_deleted_by_leaving_it_out(editor_api):
    event = EventFactory()
    citation = CitationFactory(event=event)

    editor_api.patch(
        f"/api/v1/events/{event.slug}/",
        {"citations": []},
        format="json",
        HTTP_IF_MATCH=f'"{event.version}"',
    )

    deleted = [r for r in history(editor_api, event.slug) if r["type"] == "deleted"]
    assert [(r["object"], r["id"], r["changes"]) for r in deleted] == [
        ("citation", citation.pk, [])
    ]
    assert Citation.history.filter(id=citation.pk).count() == 2


def test_history_of_a_draft_is_shown_to_editors(editor_api):
    draft = EventFactory(published_at=None)

    revisions = history(editor_api, draft.slug)

    assert [r["type"] for r in revisions] == ["created"]


def test_history_is_for_editors_only(api_client, reader_api):
    event = EventFactory()

    anonymous = api_client.get(history_url(event.slug))
    reader = reader_api.get(history_url(event.slug))

    assert_error(anonymous, 401, "not_authenticated")
    assert anonymous["WWW-Authenticate"] == "Token"
    assert_error(reader, 403, "permission_denied")


def test_history_of_an_unknown_event_is_a_404(editor_api):
    assert_error(editor_api.get(history_url("nothing")), 404, "not_found")


def test_history_is_paginated(editor_api):
    event = EventFactory()
    for number in range(5):
        event.title = f"Title {number}"
        event.save()

    first = editor_api.get(history_url(event.slug), {"page_size": 4}).json()
    second = editor_api.get(history_url(event.slug), {"page_size": 4, "page": 2}).json()

    assert first["count"] == 6
    assert len(first["results"]) == 4
    assert first["next"] is not None
    assert [r["type"] for r in second["results"]] == ["changed", "created"]
    assert second["results"][0]["changes"] == [
        {"field": "title", "old": event.history.earliest().title, "new": "Title 0"}
    ]


def test_history_query_count_is_constant(django_assert_num_queries, editor):
    for revisions in (1, 10):
        with checking(revisions):
            assert_history_query_count(django_assert_num_queries, editor, revisions)


def assert_history_query_count(django_assert_num_queries, editor, revisions: int) -> None:
    sources = SourceFactory.create_batch(2)
    actors, tags = ActorFactory.create_batch(2), TagFactory.create_batch(2)
    event = EventFactory(place=PlaceFactory(), actors=actors, tags=tags)
    quotes = [TARIFF_QUOTE, GENEVA_QUOTE, SPRING_QUOTE]
    citations = [
        CitationFactory(event=event, source=sources[i % 2], quote=quotes[i % 3])
        for i in range(min(revisions, 3))
    ]
    claim = ClaimFactory(event=event, citations=citations[:1])
    for number in range(revisions - 1):
        event.title = f"Title {number}"
        event.save()
        citations[number % len(citations)].note = f"Note {number}"
        citations[number % len(citations)].save()
        claim.value = f"{number}%"
        claim.save()
    client = APIClient()
    client.force_login(editor)

    # 1. the session
    # 2. the signed-in user
    # 3. the user's own permissions
    # 4. the permissions of the user's groups
    # 5. the event (by slug)
    # 6. its history records, JOIN user
    # 7. the actors at each revision
    # 8. the tags at each revision
    # 9. its citations' history records, JOIN user
    # 10. the actors' slugs
    # 11. the tags' slugs
    # 12. the places' slugs
    # 13. the sources' titles
    # 14. its claims' history records, JOIN user
    # 15. the citations of each claim at each revision
    # 16. the properties' slugs
    with django_assert_num_queries(16):
        body = client.get(history_url(event.slug)).json()

    assert body["count"] == (
        event.history.count()
        + Citation.history.filter(event_id=event.pk).count()
        + Claim.history.filter(event_id=event.pk).count()
    )
    assert body["count"] >= 2 * revisions


# Deleted events


def _delete(client, event: Event):
    version = Event.objects.get(pk=event.pk).version
    response = client.delete(f"/api/v1/events/{event.slug}/", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 204
    return response


def test_a_deleted_event_is_listed_with_who_deleted_it_and_its_timelines(editor_api, editor):
    event = EventFactory(slug="gone", title="Gone", date="2025-10")
    timelines = [TimelineFactory(events=[event]), TimelineFactory(events=[event])]
    TimelineFactory(events=[EventFactory()])
    _delete(editor_api, event)

    response = editor_api.get(DELETED_URL)

    assert response.status_code == 200
    body = response.json()
    deleted_at = Event.history.get(id=event.pk, history_type="-").history_date
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": event.pk,
            "slug": "gone",
            "title": "Gone",
            "date": "2025-10",
            "deleted_at": deleted_at.isoformat().replace("+00:00", "Z"),
            "deleted_by": editor.username,
            "timelines": body["results"][0]["timelines"],
        }
    ]
    assert sorted(body["results"][0]["timelines"]) == sorted(t.pk for t in timelines)


def test_deleted_events_are_listed_newest_first(editor_api):
    first, second = EventFactory(slug="first"), EventFactory(slug="second")
    _delete(editor_api, first)
    _delete(editor_api, second)

    results = editor_api.get(DELETED_URL).json()["results"]

    assert [r["slug"] for r in results] == ["second", "first"]


def test_restore_brings_back_a_draft_with_its_citations_relations_and_timelines(
    api_client, editor_api, editor
):
    place = PlaceFactory()
    actors, tags = ActorFactory.create_batch(2), TagFactory.create_batch(2)
    event = EventFactory(slug="back", place=place, actors=actors, tags=tags)
    source = SourceFactory()
    kept = [
        CitationFactory(event=event, source=source, quote=TARIFF_QUOTE, note="First"),
        CitationFactory(event=event, source=source, quote=GENEVA_QUOTE, locator="p1"),
    ]
    dropped_before = CitationFactory(event=event, source=source, quote=SPRING_QUOTE)
    dropped_before.delete()
    timeline = TimelineFactory(events=[event, EventFactory()])
    _delete(editor_api, event)
    deletion = Event.history.get(id=event.pk, history_type="-")

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    body = response.json()
    restored = Event.objects.get(pk=event.pk)
    assert restored.published_at is None
    assert body["published_at"] is None
    assert body["slug"] == "back"
    assert body["place"]["slug"] == place.slug
    assert sorted(a["slug"] for a in body["actors"]) == sorted(a.slug for a in actors)
    assert sorted(t["slug"] for t in body["tags"]) == sorted(t.slug for t in tags)
    assert [(c["id"], c["quote"], c["note"], c["locator"]) for c in body["citations"]] == [
        (kept[0].pk, TARIFF_QUOTE, "First", ""),
        (kept[1].pk, GENEVA_QUOTE, "", "p1"),
    ]
    assert all(len(c["selectors"]) == 2 for c in body["citations"])
    assert not Citation.objects.filter(pk=dropped_before.pk).exists()
    assert set(timeline.events.all()) == {restored, *timeline.events.exclude(pk=event.pk)}
    assert event in Timeline.objects.get(pk=timeline.pk).events.all()
    assert response["ETag"] == f'"{restored.version}"'
    assert restored.version > deletion.version
    assert response["Location"] == "http://testserver/api/v1/events/back/"
    assert response["Cache-Control"] == "private, no-store"
    # A draft again: hidden from the public, listed no more as deleted.
    assert_error(api_client.get("/api/v1/events/back/"), 404, "not_found")
    assert editor_api.get(DELETED_URL).json()["count"] == 0
    latest = history(editor_api, "back")[0]
    assert (latest["type"], latest["reason"], latest["user"]) == (
        "created",
        "Restored after deletion",
        editor.username,
    )


def test_a_restored_event_can_be_edited_with_its_new_etag(editor_api):
    event = EventFactory()
    _delete(editor_api, event)
    restored = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    response = editor_api.patch(
        f"/api/v1/events/{event.slug}/",
        {"title": "Edited after restore"},
        format="json",
        HTTP_IF_MATCH=restored["ETag"],
    )

    assert response.status_code == 200


def test_restoring_when_the_slug_is_taken_is_a_409(editor_api, stored_state):
    event = EventFactory(slug="wanted")
    CitationFactory(event=event)
    _delete(editor_api, event)
    EventFactory(slug="wanted")
    before = stored_state()

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    body = assert_error(response, 409, "conflict")
    assert "wanted" in body["detail"]
    assert stored_state() == before
    assert editor_api.get(DELETED_URL).json()["count"] == 1


def test_restoring_what_was_not_deleted_is_a_404(editor_api, stored_state):
    event = EventFactory()
    before = stored_state()

    # Unknown, never deleted, not a number.
    for pk in (event.pk + 100, event.pk, "abc"):
        response = editor_api.post(f"{DELETED_URL}{pk}/restore/")

        with checking(pk):
            assert_error(response, 404, "not_found")
            assert stored_state() == before


def test_restoring_twice_is_refused_the_second_time(editor_api, stored_state):
    event = EventFactory()
    _delete(editor_api, event)
    assert editor_api.post(f"{DELETED_URL}{event.pk}/restore/").status_code == 201
    before = stored_state()

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    # The event is back: restoring it again conflicts with it, naming it.
    body = assert_error(response, 409, "conflict")
    assert body["detail"] == f"Event {event.pk} is not deleted."
    assert stored_state() == before


def test_restore_skips_a_timeline_deleted_since(editor_api):
    event = EventFactory()
    gone, kept = TimelineFactory(events=[event]), TimelineFactory(events=[event])
    _delete(editor_api, event)
    gone.delete()

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201
    assert list(event.timelines.all()) == [kept]


def test_an_event_deleted_restored_and_deleted_again_is_listed_once(editor_api):
    event = EventFactory()
    _delete(editor_api, event)
    editor_api.post(f"{DELETED_URL}{event.pk}/restore/")
    _delete(editor_api, event)

    results = editor_api.get(DELETED_URL).json()["results"]

    assert [r["id"] for r in results] == [event.pk]
    assert editor_api.post(f"{DELETED_URL}{event.pk}/restore/").status_code == 201


def _deleted_since(client, relation: str, event: Event):
    """Delete, after the event, one of the things it referred to; return what stays."""
    if relation == "place":
        url, version, kept = f"/api/v1/places/{event.place.slug}/", event.place.version, None
    elif relation == "source":
        gone, stays = (citation.source for citation in event.citations.order_by("pk"))
        url, version, kept = f"/api/v1/sources/{gone.pk}/", gone.version, [stays.slug]
    else:
        gone, stays = getattr(event, relation).order_by("pk")
        url, version, kept = f"/api/v1/{relation}/{gone.slug}/", gone.version, [stays.slug]
    _delete(client, event)
    # Nothing refers to it any more, so it may go.
    assert client.delete(url, HTTP_IF_MATCH=f'"{version}"').status_code == 204
    return kept


# Transactional: deferred foreign keys are only checked when the restore commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_leaves_out_what_was_deleted_since_and_brings_back_the_rest():
    client = APIClient(raise_request_exception=False)
    client.force_login(make_editor())
    for relation in ("place", "actors", "tags", "source"):
        with checking(relation):
            assert_restored_without_what_was_deleted_since(client, relation)


def assert_restored_without_what_was_deleted_since(client, relation: str) -> None:
    event = EventFactory(
        place=PlaceFactory(), actors=ActorFactory.create_batch(2), tags=TagFactory.create_batch(2)
    )
    for source in SourceFactory.create_batch(2):
        CitationFactory(event=event, source=source)
    kept = _deleted_since(client, relation, event)

    response = client.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    body = response.json()
    if relation == "place":
        assert body["place"] is None
        assert (len(body["actors"]), len(body["tags"]), len(body["citations"])) == (2, 2, 2)
    elif relation == "source":
        assert [c["source"]["slug"] for c in body["citations"]] == kept
        assert body["place"] is not None
    else:
        assert [r["slug"] for r in body[relation]] == kept
        assert len(body["citations"]) == 2
    assert Event.objects.get(pk=event.pk).published_at is None


def test_the_restore_revision_shows_only_what_restoring_changed(editor_api):
    event = EventFactory(actors=[ActorFactory(slug="usa")], tags=[TagFactory(slug="trade")])
    _delete(editor_api, event)

    editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    restore = history(editor_api, event.slug)[0]
    assert restore["reason"] == "Restored after deletion"
    assert [c["field"] for c in restore["changes"]] == ["published_at"]


def test_deleted_events_are_for_editors_only(api_client, reader_api, stored_state):
    event = EventFactory()
    event_id = event.pk
    event.delete()
    before = stored_state()

    for client, status, code in (
        (api_client, 401, "not_authenticated"),
        (reader_api, 403, "permission_denied"),
    ):
        assert_error(client.get(DELETED_URL), status, code)
        assert_error(client.post(f"{DELETED_URL}{event_id}/restore/"), status, code)
    assert stored_state() == before


def test_restoring_needs_the_add_permission():
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    event = EventFactory()
    event_id = event.pk
    event.delete()
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_event"))
    client = APIClient()
    client.force_login(user)

    assert client.get(DELETED_URL).status_code == 200
    assert_error(client.post(f"{DELETED_URL}{event_id}/restore/"), 403, "permission_denied")
    assert not Event.objects.exists()


def test_deleted_events_list_query_count_is_constant(django_assert_num_queries, editor, editor_api):
    timeline = TimelineFactory()
    client = APIClient()
    client.force_login(editor)
    deleted = 0
    for count in (1, 10):
        while deleted < count:
            event = EventFactory()
            timeline.events.add(event)
            CitationFactory(event=event)
            _delete(editor_api, event)
            deleted += 1

        # 1. the session
        # 2. the signed-in user
        # 3. the user's own permissions
        # 4. the permissions of the user's groups
        # 5. COUNT of deletion records of events not restored (pagination)
        # 6. the page of deletion records, JOIN user
        with django_assert_num_queries(6):
            body = client.get(DELETED_URL).json()

        assert body["count"] == count
        assert all(r["timelines"] == [timeline.pk] for r in body["results"])

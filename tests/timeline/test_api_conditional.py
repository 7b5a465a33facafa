"""Tests for ETags and If-Match: no write goes over a change the client has not seen.

Every editable resource sends its version as a strong ETag; PUT, PATCH and
DELETE must send it back in If-Match (missing → 428, malformed → 400,
stale → 412) and nothing is written unless it matches.
"""

import threading
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from tests.conftest import APIClient, checking
from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.models import Event, Place, Tag

pytestmark = pytest.mark.django_db

DRAFTS = {"include_drafts": "true"}


@dataclass
class Resource:
    kind: str
    instance: Any
    url: str
    change: dict

    def stored_version(self) -> int:
        return type(self.instance).objects.get(pk=self.instance.pk).version


def _make(kind: str) -> Resource:
    if kind == "event":
        event = EventFactory(published_at=None)
        CitationFactory(event=event)
        return Resource(kind, event, f"/api/v1/events/{event.slug}/", {"title": "Changed"})
    if kind == "citation":
        citation = CitationFactory()
        return Resource(kind, citation, f"/api/v1/citations/{citation.pk}/", {"note": "Changed"})
    if kind == "source":
        source = SourceFactory()
        return Resource(kind, source, f"/api/v1/sources/{source.pk}/", {"title": "Changed"})
    if kind == "timeline":
        timeline = TimelineFactory(events=[EventFactory()])
        return Resource(kind, timeline, f"/api/v1/timelines/{timeline.slug}/", {"title": "C"})
    factory = {"actor": ActorFactory, "place": PlaceFactory, "tag": TagFactory}[kind]
    lookup = factory()
    return Resource(kind, lookup, f"/api/v1/{kind}s/{lookup.slug}/", {"name": "Changed"})


KINDS = ["event", "citation", "source", "timeline", "actor", "place", "tag"]
WRITES = ["put", "patch", "delete"]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["code"] == code
    return body


def send(client, method: str, resource: Resource, if_match: str | None = None):
    """A PUT (the resource as read, changed), PATCH or DELETE, with If-Match if given."""
    headers = {} if if_match is None else {"HTTP_IF_MATCH": if_match}
    if method == "delete":
        return client.delete(resource.url, **headers)
    payload = resource.change
    if method == "put":
        payload = client.get(resource.url, DRAFTS).json() | resource.change
    return getattr(client, method)(resource.url, payload, format="json", **headers)


# ETags


def test_a_single_resource_sends_its_version_as_a_strong_etag(editor_api):
    for kind in KINDS:
        resource = _make(kind)

        response = editor_api.get(resource.url, DRAFTS)

        assert response.status_code == 200, kind
        assert response["ETag"] == f'"{resource.stored_version()}"', kind


def test_editors_read_the_version_etag_that_if_match_takes(editor_api):
    event = EventFactory()

    response = editor_api.get(f"/api/v1/events/{event.slug}/")

    assert response["ETag"] == f'"{event.version}"'
    assert response["Cache-Control"] == "private, no-cache"


def test_anonymous_readers_get_a_cache_validator_and_the_version_in_the_body(api_client):
    # Their copy may come from the cache: its ETag names the cached bytes
    # (tests/timeline/test_caching.py), not the version writes must match.
    event = EventFactory()

    response = api_client.get(f"/api/v1/events/{event.slug}/")

    assert response["ETag"].startswith('"g')
    assert response.json()["version"] == event.version


def test_editors_lists_send_no_etag(editor_api):
    EventFactory()

    assert "ETag" not in editor_api.get("/api/v1/events/")


def test_a_write_answers_with_the_new_etag(editor_api):
    for kind in KINDS:
        for method in ("put", "patch"):
            resource = _make(kind)
            version = resource.stored_version()

            response = send(editor_api, method, resource, f'"{version}"')

            with checking(kind, method):
                assert response.status_code == 200, response.content
                assert response["ETag"] == f'"{version + 1}"'
                assert resource.stored_version() == version + 1
                if "version" in response.json():
                    assert response.json()["version"] == version + 1


def test_a_delete_with_the_current_etag_deletes(editor_api):
    for kind in KINDS:
        resource = _make(kind)

        response = send(editor_api, "delete", resource, f'"{resource.stored_version()}"')

        assert response.status_code == 204, kind
        assert not type(resource.instance).objects.filter(pk=resource.instance.pk).exists()


def test_the_etag_from_a_write_is_good_for_the_next_write(editor_api):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"
    first = editor_api.patch(
        url, {"title": "One"}, format="json", HTTP_IF_MATCH=f'"{event.version}"'
    )

    second = editor_api.patch(url, {"title": "Two"}, format="json", HTTP_IF_MATCH=first["ETag"])

    assert second.status_code == 200
    assert Event.objects.get(pk=event.pk).title == "Two"


# If-Match refused: nothing is written


def test_a_write_without_if_match_is_428(editor_api, stored_state):
    for kind in KINDS:
        resource = _make(kind)
        for method in WRITES:
            before = stored_state()

            response = send(editor_api, method, resource)

            with checking(kind, method):
                body = assert_error(response, 428, "precondition_required")
                assert "If-Match" in body["detail"]
                assert stored_state() == before


def test_if_match_star_is_428(editor_api, stored_state):
    for kind in KINDS:
        resource = _make(kind)
        for method in WRITES:
            for value in ("*", " * "):
                before = stored_state()

                response = send(editor_api, method, resource, value)

                with checking(kind, method, value):
                    assert_error(response, 428, "precondition_required")
                    assert stored_state() == before


def test_an_unquoted_if_match_is_400(editor_api, stored_state):
    for kind in KINDS:
        resource = _make(kind)
        for method in WRITES:
            before = stored_state()

            response = send(editor_api, method, resource, str(resource.stored_version()))

            with checking(kind, method):
                body = assert_error(response, 400, "invalid_if_match")
                assert set(body) == {"detail", "code"}
                assert stored_state() == before


def test_a_malformed_if_match_is_400(editor_api, stored_state):
    event = EventFactory()
    malformed = ['"{v}" "{v}"', '"{v}', '{v}"', "W/{v}", "", '"{v}";', "'{v}'", '"{v}",,x']

    for template in [*malformed, '"{v} "']:
        before = stored_state()

        response = editor_api.patch(
            f"/api/v1/events/{event.slug}/",
            {"title": "X"},
            format="json",
            HTTP_IF_MATCH=template.format(v=event.version),
        )

        with checking(template):
            assert_error(response, 400, "invalid_if_match")
            assert stored_state() == before


def test_a_stale_if_match_is_412_with_the_current_version(editor_api, stored_state):
    for kind in KINDS:
        resource = _make(kind)
        for method in WRITES:
            current = resource.stored_version()
            before = stored_state()

            response = send(editor_api, method, resource, f'"{current - 1}"')

            with checking(kind, method):
                body = assert_error(response, 412, "precondition_failed")
                assert set(body) == {"detail", "code", "current_version"}
                assert body["current_version"] == current
                assert response["ETag"] == f'"{current}"'
                assert stored_state() == before


def test_a_weak_etag_never_matches(editor_api, stored_state):
    for kind in KINDS:
        resource = _make(kind)
        for method in WRITES:
            before = stored_state()

            response = send(editor_api, method, resource, f'W/"{resource.stored_version()}"')

            with checking(kind, method):
                assert_error(response, 412, "precondition_failed")
                assert stored_state() == before


def test_a_different_etag_never_matches(editor_api, stored_state):
    event = EventFactory()
    statuses = {
        '"{v}x"': 412,
        '"v{v}"': 412,
        '"0{v}"': 412,
        '"{v}.0"': 412,
        # The weakness indicator is case-sensitive: this is no ETag at all.
        'w/"{v}"': 400,
    }

    for template, status in statuses.items():
        before = stored_state()

        response = editor_api.patch(
            f"/api/v1/events/{event.slug}/",
            {"title": "X"},
            format="json",
            HTTP_IF_MATCH=template.format(v=event.version),
        )

        assert response.status_code == status, template
        assert stored_state() == before, template


def test_a_list_of_etags_matches_if_one_does(editor_api):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"
    for title in ("a", "b", "c", "d"):  # move the version well past 1 and 3
        event.title = title
        event.save()

    for template in ['"3", "{v}"', '"{v}", "99"', '"98","{v}"', ' "97" , W/"{v}", "{v}" ']:
        version = Event.objects.get(pk=event.pk).version
        title = f"Listed {version}"

        response = editor_api.patch(
            url, {"title": title}, format="json", HTTP_IF_MATCH=template.format(v=version)
        )

        assert response.status_code == 200, (template, response.content)
        assert Event.objects.get(pk=event.pk).title == title, template


def test_a_list_of_only_stale_etags_is_412(editor_api):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"

    response = editor_api.patch(
        url,
        {"title": "X"},
        format="json",
        HTTP_IF_MATCH=f'"{event.version + 1}", W/"{event.version}"',
    )

    assert assert_error(response, 412, "precondition_failed")["current_version"] == event.version


def test_the_precondition_is_checked_before_the_body(editor_api):
    event = EventFactory()
    url = f"/api/v1/events/{event.slug}/"

    stale = editor_api.patch(url, {"date": "never"}, format="json", HTTP_IF_MATCH='"99"')
    missing = editor_api.patch(url, {"date": "never"}, format="json")

    assert_error(stale, 412, "precondition_failed")
    assert_error(missing, 428, "precondition_required")


def test_a_write_to_an_unknown_resource_is_404_whatever_the_if_match(editor_api):
    for if_match in ({}, {"HTTP_IF_MATCH": '"1"'}):
        response = editor_api.patch(
            "/api/v1/events/nothing/", {"title": "X"}, format="json", **if_match
        )
        assert_error(response, 404, "not_found")


def test_the_etag_of_a_412_is_good_for_a_retry(editor_api):
    event = EventFactory(title="Original")
    url = f"/api/v1/events/{event.slug}/"
    old = f'"{event.version}"'
    editor_api.patch(url, {"summary": "Someone else's"}, format="json", HTTP_IF_MATCH=old)

    refused = editor_api.patch(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH=old)
    retried = editor_api.patch(url, {"title": "Mine"}, format="json", HTTP_IF_MATCH=refused["ETag"])

    assert refused.status_code == 412
    assert retried.status_code == 200
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.summary) == ("Mine", "Someone else's")


# Changes through other resources move the version too


def test_a_citation_created_on_its_own_makes_the_events_etag_stale(editor_api, stored_state):
    event, source = EventFactory(), SourceFactory()
    url = f"/api/v1/events/{event.slug}/"
    etag = editor_api.get(url)["ETag"]
    created = editor_api.post(
        "/api/v1/citations/",
        {"event": event.slug, "source": source.pk, "quote": "Tariffs will fall from 57% to 47%."},
        format="json",
    )
    assert created.status_code == 201
    before = stored_state()

    # This PUT would delete the new citation, which its sender never saw.
    response = editor_api.patch(url, {"citations": []}, format="json", HTTP_IF_MATCH=etag)

    assert_error(response, 412, "precondition_failed")
    assert stored_state() == before
    assert event.citations.count() == 1


def test_publishing_moves_the_version(editor_api):
    event = EventFactory(published_at=None, explained=True)
    url = f"/api/v1/events/{event.slug}/"
    etag = editor_api.get(url, DRAFTS)["ETag"]

    published = editor_api.post(f"{url}publish/")

    assert published["ETag"] != etag
    assert_error(
        editor_api.patch(url, {"title": "X"}, format="json", HTTP_IF_MATCH=etag),
        412,
        "precondition_failed",
    )


# Publishing: If-Match is optional, and checked when sent


PUBLISHABLE = {"events": EventFactory, "timelines": TimelineFactory}


def publishable_draft(factory):
    # An event's date must be stated or explained before it can be published.
    return factory(published_at=None, **({"explained": True} if factory is EventFactory else {}))


def test_publishing_with_a_stale_if_match_is_412_and_changes_nothing(editor_api, stored_state):
    for collection, factory in PUBLISHABLE.items():
        for action in ("publish", "unpublish"):
            instance = factory(published_at=None) if action == "publish" else factory()
            before = stored_state()

            response = editor_api.post(
                f"/api/v1/{collection}/{instance.slug}/{action}/",
                HTTP_IF_MATCH=f'"{instance.version + 5}"',
            )

            with checking(collection, action):
                body = assert_error(response, 412, "precondition_failed")
                assert body["current_version"] == instance.version
                assert response["ETag"] == f'"{instance.version}"'
                assert stored_state() == before


def test_publishing_with_a_malformed_if_match_is_400(editor_api, stored_state):
    for collection, factory in PUBLISHABLE.items():
        instance = factory(published_at=None)
        before = stored_state()

        response = editor_api.post(
            f"/api/v1/{collection}/{instance.slug}/publish/", HTTP_IF_MATCH="1"
        )

        with checking(collection):
            assert_error(response, 400, "invalid_if_match")
            assert stored_state() == before


def test_publishing_with_the_current_if_match_or_none_publishes(editor_api):
    for collection, factory in PUBLISHABLE.items():
        for with_if_match in (True, False):
            instance = publishable_draft(factory)
            headers = {"HTTP_IF_MATCH": f'"{instance.version}"'} if with_if_match else {}

            response = editor_api.post(f"/api/v1/{collection}/{instance.slug}/publish/", **headers)

            assert response.status_code == 200, (collection, with_if_match)
            stored = type(instance).objects.get(pk=instance.pk)
            assert stored.published_at is not None
            assert response["ETag"] == f'"{stored.version}"', (collection, with_if_match)


# Two editors, one version


def _changed_revisions(event: Event) -> int:
    return Event.history.filter(id=event.pk, history_type="~").count()


def test_of_two_editors_who_read_the_same_version_only_the_first_writes(editor, stored_state):
    event = EventFactory(title="Original")
    url = f"/api/v1/events/{event.slug}/"
    first, second = APIClient(), APIClient()
    first.force_login(editor)
    second.force_login(editor)
    etag = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == etag
    revisions = _changed_revisions(event)

    won = first.patch(url, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    after_first = stored_state()
    lost = second.patch(
        url, {"title": "Second", "summary": "Second's"}, format="json", HTTP_IF_MATCH=etag
    )

    assert won.status_code == 200
    assert assert_error(lost, 412, "precondition_failed")["current_version"] == event.version + 1
    assert stored_state() == after_first
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.summary) == ("First", "Something happened.")
    assert _changed_revisions(event) == revisions + 1
    history = first.get(f"{url}history/").json()["results"]
    assert [(r["type"], r["changes"]) for r in history if r["type"] == "changed"] == [
        ("changed", [{"field": "title", "old": "Original", "new": "First"}])
    ]


def test_of_two_deletes_of_the_same_version_the_second_is_404(editor_api):
    place = PlaceFactory()
    url = f"/api/v1/places/{place.slug}/"
    etag = editor_api.get(url)["ETag"]

    assert editor_api.delete(url, HTTP_IF_MATCH=etag).status_code == 204
    assert_error(editor_api.delete(url, HTTP_IF_MATCH=etag), 404, "not_found")
    assert not Place.objects.exists()


def test_an_edit_after_a_delete_is_404_and_does_not_bring_it_back(editor_api):
    tag = TagFactory()
    url = f"/api/v1/tags/{tag.slug}/"
    etag = editor_api.get(url)["ETag"]
    editor_api.delete(url, HTTP_IF_MATCH=etag)

    response = editor_api.patch(url, {"name": "Back"}, format="json", HTTP_IF_MATCH=etag)

    assert_error(response, 404, "not_found")
    assert not Tag.objects.exists()


# A real concurrent race needs row locks between connections (SQLite
# serialises writers on the whole database).
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_patches_of_the_same_version_one_wins(editor):
    for kind in ("event", "citation", "actor"):
        with checking(kind):
            race_two_patches(editor, kind)


def race_two_patches(editor, kind: str) -> None:
    resource = _make(kind)
    model = type(resource.instance)
    version = resource.stored_version()
    changed_before = model.history.filter(id=resource.instance.pk, history_type="~").count()
    field, _ = next(iter(resource.change.items()))
    clients = []
    for _ in range(2):
        client = APIClient()
        client.force_login(editor)
        clients.append(client)
    barrier = threading.Barrier(2)
    responses: list = [None, None]
    errors: list = []

    def patch(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            responses[index] = clients[index].patch(
                resource.url,
                {field: f"Writer {index}"},
                format="json",
                HTTP_IF_MATCH=f'"{version}"',
            )
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    loser = responses[1 - winner]
    assert loser.json()["code"] == "precondition_failed"
    assert loser.json()["current_version"] == version + 1
    stored = model.objects.get(pk=resource.instance.pk)
    assert getattr(stored, field) == f"Writer {winner}"
    assert stored.version == version + 1
    changed = model.history.filter(id=resource.instance.pk, history_type="~")
    assert changed.count() == changed_before + 1
    assert getattr(changed.order_by("-history_id").first(), field) == f"Writer {winner}"
    if kind == "citation":
        # The citation's event moved once, for the one change.
        assert Event.objects.get(pk=resource.instance.event_id).version == (
            resource.instance.event.version + 1
        )

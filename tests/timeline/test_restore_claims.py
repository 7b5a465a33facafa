"""Restoring a deleted event brings back its claims: services.event_restore, and the API."""

import pytest

from sources.versioning import one_revision
from tests.conftest import APIClient
from tests.factories import (
    CitationFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
    make_editor,
)
from timeline import services
from timeline.models import Citation, Claim, ClaimProperty, Event

pytestmark = pytest.mark.django_db

DELETED_URL = "/api/v1/deleted-events/"
TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
SPRING_QUOTE = "The talks will resume in spring."


def make_claim(event, prop, value, citations, **fields) -> Claim:
    """A claim written as the API writes one: one revision, with its citations."""
    claim = Claim(event=event, property=prop, value=value, **fields)
    with one_revision(claim):
        claim.save()
        claim.citations.set(citations)
    return claim


def make_disputed_event(slug: str = "busan") -> Event:
    """An event whose sources disagree on how long it lasted, each source its own article."""
    event = EventFactory(slug=slug)
    wire, daily, weekly = SourceFactory.create_batch(3)
    eighty = CitationFactory(event=event, source=wire, quote=TARIFF_QUOTE)
    hour = CitationFactory(event=event, source=daily, quote=GENEVA_QUOTE)
    hundred = CitationFactory(event=event, source=weekly, quote=SPRING_QUOTE)
    duration = ClaimPropertyFactory(slug="duration", name="Duration", kind="duration")
    outcome = ClaimPropertyFactory(slug="outcome", name="Outcome", kind="text")
    make_claim(event, duration, "80 minutes", [eighty, hour])
    make_claim(
        event,
        duration,
        "about 100 minutes",
        [hundred],
        rank="preferred",
        rank_note="The official readout.",
    )
    make_claim(
        event,
        duration,
        "just over an hour",
        [hour],
        rank="deprecated",
        rank_note="Counts the talks only.",
    )
    make_claim(event, outcome, "a one-year truce", [eighty])
    return event


def claims_of(event_id: int) -> list[tuple]:
    """(value, rank, rank note, the quotes of its citations) of each claim, by value."""
    return sorted(
        (
            claim.value,
            claim.rank,
            claim.rank_note,
            sorted(claim.citations.values_list("quote", flat=True)),
        )
        for claim in Claim.objects.filter(event_id=event_id)
    )


def readings_by_id() -> dict[int, tuple]:
    """Each claim's key, unit and interval, as ``Claim.save`` derives them."""
    fields = ("comparison_key", "unit", "lower", "upper", "lower_open", "upper_open")
    return {row[0]: row[1:] for row in Claim.objects.values_list("pk", *fields)}


def delete_through_the_api(client: APIClient, event: Event) -> None:
    version = Event.objects.get(pk=event.pk).version
    response = client.delete(f"/api/v1/events/{event.slug}/", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 204, response.content


def delete_property_through_the_api(client: APIClient, slug: str) -> None:
    version = ClaimProperty.objects.get(slug=slug).version
    response = client.delete(f"/api/v1/properties/{slug}/", HTTP_IF_MATCH=f'"{version}"')
    assert response.status_code == 204, response.content


# Through the API


def test_the_restored_event_serves_its_claims_as_before_it_was_deleted(editor_api, editor):
    event = make_disputed_event()
    url = f"/api/v1/events/{event.slug}/?include_drafts=true"
    before = editor_api.get(url).json()["claims"]
    assert [group["property"]["slug"] for group in before] == ["duration", "outcome"]
    assert before[0]["disputed"] is True
    delete_through_the_api(editor_api, event)
    assert not Claim.objects.filter(event_id=event.pk).exists()

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    # Same ids, values, readings, ranks, notes, citations and sources.
    assert response.json()["claims"] == before
    assert editor_api.get(url).json()["claims"] == before
    listed = editor_api.get(f"/api/v1/claims/?event={event.slug}&include_drafts=true").json()
    assert sorted(claim["id"] for claim in listed["results"]) == sorted(
        value["id"] for group in before for value in group["values"]
    )
    # The event's history shows each claim created again, by the editor who restored it.
    revisions = editor_api.get(f"/api/v1/events/{event.slug}/history/").json()["results"]
    restored = [r for r in revisions if r["object"] == "claim" and r["type"] == "created"]
    restored = [r for r in restored if r["reason"] == "Restored after deletion"]
    assert len(restored) == 4
    assert {r["user"] for r in restored} == {editor.username}


def test_a_claim_deleted_on_its_own_stays_deleted_through_the_api(editor_api):
    event = make_disputed_event()
    gone = Claim.objects.get(value="just over an hour")
    response = editor_api.delete(f"/api/v1/claims/{gone.pk}/", HTTP_IF_MATCH=f'"{gone.version}"')
    assert response.status_code == 204, response.content
    delete_through_the_api(editor_api, event)

    response = editor_api.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    values = [v["value"] for group in response.json()["claims"] for v in group["values"]]
    assert sorted(values) == ["80 minutes", "a one-year truce", "about 100 minutes"]
    assert not Claim.objects.filter(pk=gone.pk).exists()


# services.event_restore


def test_claims_deleted_with_the_event_come_back_with_their_citations_and_ranks():
    event = make_disputed_event()
    expected = claims_of(event.pk)
    readings = readings_by_id()
    assert Event.objects.disputed().get() == event
    event_id = event.pk
    event.delete()
    assert not Claim.objects.exists()

    services.event_restore(event_id=event_id)

    assert claims_of(event_id) == expected
    # The same ids, read the same way, with the intervals the database compares them by
    # (history does not keep those: they are derived again).
    assert readings_by_id() == readings
    assert Event.objects.disputed().get().pk == event_id
    # Each cites the restored citations, of its own event.
    cited_events = Claim.citations.through.objects.values_list("citation__event_id", flat=True)
    assert set(cited_events) == {event_id}


def test_the_restored_claim_has_one_created_revision_with_its_citations():
    event = make_disputed_event()
    claim = Claim.objects.get(value="80 minutes")
    cited = set(claim.citations.values_list("pk", flat=True))
    event_id = event.pk
    event.delete()
    deletion = Claim.history.get(id=claim.pk, history_type="-")
    editor = make_editor()

    services.event_restore(event_id=event_id, user=editor)

    after = list(Claim.history.filter(id=claim.pk, history_id__gt=deletion.history_id))
    assert len(after) == 1
    (record,) = after
    assert record.history_type == "+"
    assert record.history_user == editor
    assert record.history_change_reason == "Restored after deletion"
    assert record.version == deletion.version + 1 == Claim.objects.get(pk=claim.pk).version
    assert {row.citation_id for row in record.citations.all()} == cited


def test_a_claim_deleted_on_its_own_before_the_event_stays_deleted():
    event = make_disputed_event()
    gone = Claim.objects.get(value="just over an hour")
    gone.delete()
    event_id = event.pk
    event.delete()

    services.event_restore(event_id=event_id)

    assert not Claim.objects.filter(pk=gone.pk).exists()
    assert sorted(Claim.objects.values_list("value", flat=True)) == [
        "80 minutes",
        "a one-year truce",
        "about 100 minutes",
    ]


def test_claims_of_events_deleted_together_go_back_each_to_its_own_event():
    first = make_disputed_event("first")
    second = EventFactory(slug="second")
    make_claim(
        second,
        ClaimProperty.objects.get(slug="duration"),
        "two hours",
        [CitationFactory(event=second)],
    )
    expected = {event.pk: claims_of(event.pk) for event in (first, second)}

    Event.objects.filter(pk__in=list(expected)).delete()
    for event_id, claims in expected.items():
        services.event_restore(event_id=event_id)
        assert claims_of(event_id) == claims


def test_claims_come_back_again_after_a_second_deletion():
    event_id = make_disputed_event().pk
    expected = claims_of(event_id)
    Event.objects.get(pk=event_id).delete()
    services.event_restore(event_id=event_id)
    Event.objects.get(pk=event_id).delete()

    services.event_restore(event_id=event_id)

    assert claims_of(event_id) == expected


def test_a_claim_whose_property_reads_values_another_way_now_is_read_again():
    event_id = make_disputed_event().pk
    Event.objects.get(pk=event_id).delete()
    ClaimProperty.objects.filter(slug="duration").update(kind="text")

    services.event_restore(event_id=event_id)

    assert Claim.objects.get(value="80 minutes").comparison_key == "text|80 minutes"


# Deleted since the event: transactional, as deferred foreign keys are only
# checked when the restore commits.


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_claim_whose_property_was_deleted_since_is_left_out():
    client = APIClient(raise_request_exception=False)
    client.force_login(make_editor())
    event = make_disputed_event()
    # The property's claim on another event goes first: a property with claims is protected.
    other = EventFactory(slug="other")
    outcome = ClaimProperty.objects.get(slug="outcome")
    make_claim(other, outcome, "a truce", [CitationFactory(event=other)])
    delete_through_the_api(client, event)
    Claim.objects.get(event=other).delete()
    delete_property_through_the_api(client, "outcome")

    response = client.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    claims = response.json()["claims"]
    assert [group["property"]["slug"] for group in claims] == ["duration"]
    assert len(claims[0]["values"]) == 3
    assert not Claim.objects.filter(property_id=outcome.pk).exists()
    # The citation the left-out claim used comes back all the same.
    assert Citation.objects.filter(event_id=event.pk).count() == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_claim_keeps_the_citations_that_came_back_and_one_with_none_is_left_out():
    client = APIClient(raise_request_exception=False)
    client.force_login(make_editor())
    event = make_disputed_event()
    # "80 minutes" cites the wire and the daily; "just over an hour" the daily alone.
    daily = Citation.objects.get(event=event, quote=GENEVA_QUOTE).source
    delete_through_the_api(client, event)
    response = client.delete(f"/api/v1/sources/{daily.pk}/", HTTP_IF_MATCH=f'"{daily.version}"')
    assert response.status_code == 204, response.content

    response = client.post(f"{DELETED_URL}{event.pk}/restore/")

    assert response.status_code == 201, response.content
    assert claims_of(event.pk) == [
        ("80 minutes", "normal", "", [TARIFF_QUOTE]),
        ("a one-year truce", "normal", "", [TARIFF_QUOTE]),
        ("about 100 minutes", "preferred", "The official readout.", [SPRING_QUOTE]),
    ]
    eighty = Claim.objects.get(value="80 minutes")
    record = Claim.history.filter(id=eighty.pk).order_by("-history_id").first()
    assert record.history_type == "+"
    assert [row.citation_id for row in record.citations.all()] == [
        Citation.objects.get(event=event, quote=TARIFF_QUOTE).pk
    ]

"""Versions, revisions and restoring deleted events, below the admin: models and services."""

import pytest
from django.db import transaction

from sources.versioning import VersionConflict, one_revision
from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    UserFactory,
)
from timeline import services
from timeline.models import Citation, Event, Timeline

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
SPRING_QUOTE = "The talks will resume in spring."
PAUSE_QUOTE = "“We have agreed a pause,” the minister said"


def latest_revision(model, pk):
    return model.history.filter(id=pk).order_by("-history_id").first()


def revision_ids(record, relation: str, target: str) -> set[int]:
    return {getattr(row, f"{target}_id") for row in getattr(record, relation).all()}


# Versions


@pytest.mark.django_db
def test_a_save_moves_the_version_up_by_one():
    event = EventFactory()
    before = Event.objects.get(pk=event.pk).version

    event.title = "A new title"
    event.save()

    assert event.version == before + 1
    assert Event.objects.get(pk=event.pk).version == before + 1


@pytest.mark.django_db
def test_of_two_saves_from_the_same_version_the_second_is_refused_and_writes_nothing():
    event = EventFactory(title="Original")
    first = Event.objects.get(pk=event.pk)
    second = Event.objects.get(pk=event.pk)
    first.title = "First editor's title"
    first.save()

    second.title = "Second editor's title"
    second.summary = "Second editor's summary"
    # In its own atomic block, as in a request: the refused save leaves no broken transaction.
    with pytest.raises(VersionConflict) as refused, transaction.atomic():
        second.save()

    assert refused.value.current_version == first.version
    stored = Event.objects.get(pk=event.pk)
    assert (stored.title, stored.summary, stored.version) == (
        "First editor's title",
        "Something happened.",
        first.version,
    )


# Revisions


@pytest.mark.django_db
def test_one_revision_records_one_history_record_with_the_final_relations():
    event = EventFactory(actors=[ActorFactory()], tags=[TagFactory()])
    editor = UserFactory()
    actors, tags = ActorFactory.create_batch(2), TagFactory.create_batch(2)
    records_before = event.history.count()

    with one_revision(event, user=editor, reason="Curated"):
        event.title = "Curated title"
        event.save()
        event.actors.set(actors)
        event.tags.set(tags[:1])
        event.tags.add(tags[1])

    assert event.history.count() == records_before + 1
    record = latest_revision(Event, event.pk)
    assert record.history_type == "~"
    assert record.title == "Curated title"
    assert record.version == event.version
    assert revision_ids(record, "actors", "actor") == {actor.pk for actor in actors}
    assert revision_ids(record, "tags", "tag") == {tag.pk for tag in tags}
    assert (record.history_user, record.history_change_reason) == (editor, "Curated")


@pytest.mark.django_db
def test_publishing_and_unpublishing_record_who_and_why_and_move_the_version():
    editor = UserFactory()
    for service, published, reason in [
        (services.events_publish, True, "Published"),
        (services.events_unpublish, False, "Unpublished"),
    ]:
        event = EventFactory(published_at=None, explained=True) if published else EventFactory()
        before = Event.objects.get(pk=event.pk).version

        assert service(events=[event], user=editor) == 1, reason

        stored = Event.objects.get(pk=event.pk)
        assert stored.version == before + 1, reason
        assert stored.is_published is published, reason
        record = latest_revision(Event, event.pk)
        assert (record.history_user, record.history_change_reason) == (editor, reason)
        assert record.version == stored.version, reason
        assert (record.published_at is not None) is published, reason


@pytest.mark.django_db
def test_publishing_a_timeline_records_who_and_why_and_moves_the_version():
    timeline = TimelineFactory(published_at=None, events=[EventFactory()])
    editor = UserFactory()
    before = timeline.version

    services.timeline_set_published(timeline=timeline, published=True, user=editor)

    stored = Timeline.objects.get(pk=timeline.pk)
    assert stored.is_published
    assert stored.version == before + 1
    record = latest_revision(Timeline, timeline.pk)
    assert (record.history_user, record.history_change_reason) == (editor, "Published")
    assert revision_ids(record, "events", "event") == set(
        timeline.events.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_reanchoring_records_the_citations_history_and_moves_their_events_versions():
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=TARIFF_QUOTE)
    editor = UserFactory()
    event_before = Event.objects.get(pk=citation.event_id).version
    citation_before = Citation.objects.get(pk=citation.pk).version
    source.text = "Moved. " + SAMPLE_TEXT
    source.save()

    report = services.source_reanchor_citations(source=source, user=editor)

    assert (report.anchored, report.unanchored) == (1, [])
    stored = Citation.objects.get(pk=citation.pk)
    assert stored.position_start == len("Moved. ") + SAMPLE_TEXT.index(TARIFF_QUOTE)
    assert stored.version == citation_before + 1
    assert Event.objects.get(pk=citation.event_id).version == event_before + 1
    record = latest_revision(Citation, citation.pk)
    assert record.history_user == editor
    assert record.history_change_reason == f"Re-anchored in the new text of source {source.pk}"
    assert (record.position_start, record.version) == (stored.position_start, stored.version)


# Deleting and restoring events


def make_full_event(**kwargs) -> Event:
    """A published event with actors, tags, a timeline and two citations."""
    event = EventFactory(
        title="Ministers agree a pause",
        summary="The ministers agreed to pause new tariffs.",
        date="2025-05",
        display_date="May 2025",
        status="occurred",
        actors=ActorFactory.create_batch(2),
        tags=TagFactory.create_batch(2),
        **kwargs,
    )
    TimelineFactory(events=[event])
    source = SourceFactory()
    CitationFactory(event=event, source=source, quote=TARIFF_QUOTE, locator="paragraph 3")
    CitationFactory(event=event, source=source, quote=SPRING_QUOTE, note="Dates differ.")
    return event


@pytest.mark.django_db
def test_a_deleted_event_comes_back_whole_as_a_draft():
    event = make_full_event()
    # A citation deleted on its own, before the event, stays deleted.
    CitationFactory(event=event, quote=PAUSE_QUOTE).delete()
    editor = UserFactory()
    actors = set(event.actors.values_list("pk", flat=True))
    tags = set(event.tags.values_list("pk", flat=True))
    timelines = set(event.timelines.values_list("pk", flat=True))
    citations = list(event.citations.order_by("pk").values("pk", "source", "quote", "locator"))
    event_id = event.pk
    event.delete()
    assert not Citation.objects.filter(event_id=event_id).exists()

    restored = services.event_restore(event_id=event_id, user=editor)

    stored = Event.objects.get(pk=event_id)
    assert restored.pk == stored.pk == event_id
    assert (stored.title, stored.summary, stored.date, stored.display_date, stored.slug) == (
        "Ministers agree a pause",
        "The ministers agreed to pause new tariffs.",
        "2025-05",
        "May 2025",
        event.slug,
    )
    assert stored.published_at is None
    assert set(stored.actors.values_list("pk", flat=True)) == actors
    assert set(stored.tags.values_list("pk", flat=True)) == tags
    assert set(stored.timelines.values_list("pk", flat=True)) == timelines
    assert list(stored.citations.order_by("pk").values("pk", "source", "quote", "locator")) == (
        citations
    )
    assert all(citation.is_anchored for citation in stored.citations.all())
    assert services.deleted_events().filter(id=event_id).count() == 0
    record = latest_revision(Event, event_id)
    assert (record.history_type, record.history_user) == ("+", editor)
    assert record.history_change_reason == "Restored after deletion"


@pytest.mark.django_db
def test_restoring_an_event_twice_is_refused():
    event = make_full_event()
    event_id = event.pk
    event.delete()
    services.event_restore(event_id=event_id)

    with pytest.raises(services.NotRestorable, match="is not deleted"):
        services.event_restore(event_id=event_id)

    assert Event.objects.filter(pk=event_id).count() == 1
    assert Citation.objects.filter(event_id=event_id).count() == 2


@pytest.mark.django_db
def test_restoring_is_refused_when_another_event_took_the_slug():
    event = make_full_event(slug="ministers-agree")
    event_id = event.pk
    event.delete()
    EventFactory(slug="ministers-agree")

    with pytest.raises(services.NotRestorable, match="ministers-agree"):
        services.event_restore(event_id=event_id)

    assert not Event.objects.filter(pk=event_id).exists()
    assert services.deleted_events().filter(id=event_id).exists()


@pytest.mark.django_db
def test_restoring_an_event_that_was_never_deleted_is_refused():
    with pytest.raises(services.NotRestorable, match="No deleted event"):
        services.event_restore(event_id=987654)


@pytest.mark.django_db
def test_events_deleted_together_are_each_restored_with_their_own_citations():
    first, second = make_full_event(slug="first"), make_full_event(slug="second")
    CitationFactory(event=second, quote=PAUSE_QUOTE)
    expected = {
        event.pk: set(event.citations.values_list("quote", flat=True)) for event in (first, second)
    }

    Event.objects.filter(pk__in=[first.pk, second.pk]).delete()
    assert set(services.deleted_events().values_list("id", flat=True)) == set(expected)

    for event_id, quotes in expected.items():
        services.event_restore(event_id=event_id)
        restored = Event.objects.get(pk=event_id)
        assert set(restored.citations.values_list("quote", flat=True)) == quotes
        assert restored.timelines.count() == 1
    assert Citation.objects.count() == 5

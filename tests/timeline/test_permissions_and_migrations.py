"""The Editors group's permissions, and the data migrations: the history's start, winters."""

import datetime as dt
import importlib

from django.apps import apps
from django.contrib.auth.models import Group

from sources.models import Source
from tests.factories import ActorFactory, CitationFactory, EventFactory, TagFactory, TimelineFactory
from timeline.models import Citation, Event, Timeline

EDITED_MODELS = {
    "sources": ["source"],
    "timeline": [
        "event",
        "citation",
        "timeline",
        "actor",
        "place",
        "tag",
        "claim",
        "claimproperty",
    ],
}


def test_editors_have_exactly_what_editing_needs(db):
    permissions = set(
        Group.objects.get(name="Editors").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )

    assert permissions == {
        (app, f"{action}_{model}")
        for app, models in EDITED_MODELS.items()
        for model in models
        for action in ("view", "add", "change", "delete")
    }
    # Nothing on users, groups, tokens or the history tables themselves.
    assert not {codename for _, codename in permissions if "user" in codename}
    assert not {codename for _, codename in permissions if "historical" in codename}


def test_history_baseline_gives_every_existing_row_a_first_revision(db):
    actor, tag = ActorFactory(), TagFactory()
    event = EventFactory(actors=[actor], tags=[tag])
    CitationFactory(event=event)
    timeline = TimelineFactory(events=[event])
    # Rows that existed before history was kept have no records.
    for model in (Event, Citation, Timeline, Source, type(actor), type(tag)):
        model.history.all().delete()

    migration = importlib.import_module("timeline.migrations.0004_history_baseline")
    migration.create_baseline(apps, schema_editor=None)

    first = event.history.get()
    assert first.history_type == "+"
    assert first.history_change_reason == "History starts here"
    assert [row.actor_id for row in first.actors.all()] == [actor.pk]
    assert [row.tag_id for row in first.tags.all()] == [tag.pk]
    assert [row.event_id for row in timeline.history.get().events.all()] == [event.pk]
    assert Citation.history.count() == 1
    assert Source.history.count() == 1


def test_winter_dates_are_derived_again_through_february(db):
    winter = EventFactory(date="2025-24")
    autumn_to_winter = EventFactory(date="2025-23/2025-24")
    october = EventFactory(date="2025-10")
    # As the derivation left them before: winter ended with December.
    Event.objects.filter(pk__in=[winter.pk, autumn_to_winter.pk]).update(
        end=dt.date(2025, 12, 31), span_days=0
    )

    migration = importlib.import_module("timeline.migrations.0009_winter_runs_to_february")
    migration.derive_again(apps, schema_editor=None)

    rows = Event.objects.in_bulk([winter.pk, autumn_to_winter.pk, october.pk])
    assert (rows[winter.pk].start, rows[winter.pk].end) == (
        dt.date(2025, 12, 1),
        dt.date(2026, 2, 28),
    )
    assert rows[winter.pk].span_days == 89
    assert rows[autumn_to_winter.pk].end == dt.date(2026, 2, 28)
    assert rows[october.pk].end == dt.date(2025, 10, 31)

"""Tests for the timeline models, their validation and the services that write them."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
)
from timeline import services
from timeline.models import Actor, Citation, Event, Place, Tag

STRAIGHT_QUOTE = "Tariffs will fall from 57% to 47%."
# The SAMPLE_TEXT sentence typed with straight quotes, a hyphen and messy spacing.
TYPED_QUOTE = '"We have agreed a pause,"  the minister said after\nthe talks - the first in a year.'
ARCHIVED_QUOTE = (
    "“We have agreed a pause,” the minister said after the talks — the first in a year."
)


def validation_errors(instance) -> dict[str, list[str]]:
    """The full_clean() errors of an instance, by field; fails if it validates."""
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def new_event(**kwargs) -> Event:
    return Event(**{"slug": "new-event", "title": "A new event", "date": "2025-10-30", **kwargs})


# Event


@pytest.mark.django_db
def test_event_full_clean_accepts_a_valid_event_and_derives_its_dates():
    event = new_event(date=" 2025-10-25/2025-10-26 ")

    event.full_clean()

    assert (event.date, event.start, event.end, event.precision) == (
        "2025-10-25/2025-10-26",
        datetime.date(2025, 10, 25),
        datetime.date(2025, 10, 26),
        "day",
    )


@pytest.mark.django_db
def test_event_full_clean_reports_a_bad_date_on_the_date_field_only():
    for date, words in [
        ("nonsense", "not a valid EDTF date"),
        ("2025-13-01", "not a valid EDTF date"),
        ("2025-10-26/2025-10-25", "ends before it starts"),
        ("2025-10/..", "open ranges"),
        ("[2025,2026]", "not a set"),
    ]:
        errors = validation_errors(new_event(date=date))

        assert list(errors) == ["date"], date
        assert words in " ".join(errors["date"]), date


@pytest.mark.django_db
def test_event_full_clean_with_partly_unspecified_digits_is_a_validation_error():
    event = EventFactory()

    for date in ["2025-1X", "2025-10-3X"]:
        event.date = date

        errors = validation_errors(event)

        assert list(errors) == ["date"], date
        assert "not a valid EDTF date" in errors["date"][0], date


@pytest.mark.django_db
def test_event_full_clean_on_an_existing_event_with_a_bad_date_names_only_date():
    event = EventFactory()
    event.date = "2025-10-26/2025-10-25"

    errors = validation_errors(event)

    assert list(errors) == ["date"]
    assert "ends before it starts" in errors["date"][0]


@pytest.mark.django_db
def test_event_save_derives_start_end_and_precision():
    event = EventFactory(date="2025-03")
    event.refresh_from_db()

    assert (event.start, event.end, event.precision) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 3, 31),
        "month",
    )


@pytest.mark.django_db
def test_event_save_with_update_fields_date_rederives_the_bounds():
    event = EventFactory(date="2025-10-30")

    event.date = "2025-21"
    event.save(update_fields=["date"])

    event.refresh_from_db()
    assert (event.date, event.start, event.end, event.precision) == (
        "2025-21",
        datetime.date(2025, 3, 1),
        datetime.date(2025, 5, 31),
        "season",
    )


@pytest.mark.django_db
def test_event_start_before_end_check_constraint_is_enforced_by_the_database():
    event = EventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            start=datetime.date(2025, 10, 26), end=datetime.date(2025, 10, 25)
        )

    event.refresh_from_db()
    assert event.start == event.end == datetime.date(2025, 10, 30)


@pytest.mark.django_db
def test_event_status_check_constraint_is_enforced_by_the_database():
    event = EventFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(status="bogus")


@pytest.mark.django_db
def test_event_duplicate_slug_is_a_validation_error_on_slug():
    EventFactory(slug="busan-meeting")

    errors = validation_errors(new_event(slug="busan-meeting"))

    assert list(errors) == ["slug"]


@pytest.mark.django_db
def test_event_status_outside_the_choices_is_a_validation_error_on_status():
    errors = validation_errors(new_event(status="happened"))

    assert list(errors) == ["status"]
    assert "not a valid choice" in errors["status"][0]


@pytest.mark.django_db
def test_event_status_choices_validate():
    for status in ["occurred", "scheduled", "postponed", "cancelled", "rescheduled"]:
        new_event(status=status).full_clean()


# Place


@pytest.mark.django_db
def test_place_coordinates_are_validated():
    for latitude, longitude, field, words in [
        (91, 0, "latitude", "between −90 and 90"),
        (-90.5, 0, "latitude", "between −90 and 90"),
        (0, 180.5, "longitude", "between −180 and 180"),
        (10, None, "longitude", "both latitude and longitude"),
        (None, 10, "latitude", "both latitude and longitude"),
    ]:
        place = Place(name="Busan", slug="busan", latitude=latitude, longitude=longitude)

        errors = validation_errors(place)

        assert field in errors, (latitude, longitude)
        assert words in " ".join(errors[field]), (latitude, longitude)


@pytest.mark.django_db
def test_place_valid_coordinates_pass():
    for latitude, longitude in [
        (None, None),
        (Decimal("35.17960"), Decimal("129.07560")),
        (-90, -180),
        (90, 180),
    ]:
        Place(name="Busan", slug="busan", latitude=latitude, longitude=longitude).full_clean()


@pytest.mark.django_db
def test_place_coordinate_constraints_are_enforced_by_the_database():
    place = PlaceFactory(latitude=1, longitude=1)

    for latitude, longitude in [(91, 0), (0, -181), (10, None), (None, 10)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Place.objects.filter(pk=place.pk).update(latitude=latitude, longitude=longitude)


# Actor and Tag


@pytest.mark.django_db
def test_wikidata_id_must_be_a_q_item_id():
    for model in (Actor, Tag, Place):
        for wikidata_id in ["148", "q148", "Q", "Q0148", "P31", "Q148 "]:
            errors = validation_errors(model(name="China", slug="china", wikidata_id=wikidata_id))

            assert list(errors) == ["wikidata_id"], (model, wikidata_id)
            assert "Q148" in errors["wikidata_id"][0], (model, wikidata_id)


@pytest.mark.django_db
def test_wikidata_id_valid_or_blank():
    for model in (Actor, Tag, Place):
        for wikidata_id in ["Q148", "Q1", ""]:
            model(name="China", slug="china", wikidata_id=wikidata_id).full_clean()


@pytest.mark.django_db
def test_wikidata_id_with_a_trailing_newline_is_invalid():
    errors = validation_errors(Tag(name="China", slug="china", wikidata_id="Q148\n"))

    assert list(errors) == ["wikidata_id"]


@pytest.mark.django_db
def test_actor_kind_constraint_is_enforced_by_the_database():
    actor = ActorFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.filter(pk=actor.pk).update(kind="robot")


@pytest.mark.django_db
def test_lookup_slugs_are_unique():
    TagFactory(slug="tariffs")

    errors = validation_errors(Tag(name="Tariffs", slug="tariffs"))

    assert list(errors) == ["slug"]


# Citation


@pytest.mark.django_db
def test_citation_with_a_quote_not_in_the_source_is_rejected_on_quote():
    citation = Citation(
        event=EventFactory(), source=SourceFactory(), quote="Tariffs will rise to 100%."
    )

    errors = validation_errors(citation)

    assert list(errors) == ["quote"]
    assert "not found" in errors["quote"][0]
    assert "Tariffs will rise to 100%." in errors["quote"][0]


@pytest.mark.django_db
def test_citation_matching_forgives_nothing_but_typography():
    event, source = EventFactory(), SourceFactory()

    for quote in [
        "tariffs will fall from 57% to 47%.",  # case differs
        "Tariffs will fall from 57 % to 47%.",  # a space inside a word group
        "Tariffs will fall from 57% to 47%!",  # other punctuation
    ]:
        citation = Citation(event=event, source=source, quote=quote)

        assert "quote" in validation_errors(citation), quote


@pytest.mark.django_db
def test_citation_anchors_despite_typographic_quotes_dashes_and_spacing():
    source = SourceFactory()
    citation = Citation(event=EventFactory(), source=source, quote=TYPED_QUOTE)

    citation.full_clean()
    citation.save()

    citation.refresh_from_db()
    assert citation.quote == TYPED_QUOTE
    assert citation.exact == ARCHIVED_QUOTE
    assert citation.exact == source.text[citation.position_start : citation.position_end]
    assert citation.position_start == SAMPLE_TEXT.index("“We have")


@pytest.mark.django_db
def test_citation_stores_w3c_selectors():
    source = SourceFactory()
    citation = CitationFactory(source=source, quote=STRAIGHT_QUOTE)

    citation.refresh_from_db()
    start = SAMPLE_TEXT.index(STRAIGHT_QUOTE)
    end = start + len(STRAIGHT_QUOTE)
    assert citation.is_anchored
    assert citation.selectors == [
        {
            "type": "TextQuoteSelector",
            "exact": STRAIGHT_QUOTE,
            "prefix": SAMPLE_TEXT[start - 32 : start],
            "suffix": SAMPLE_TEXT[end : end + 32],
        },
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
    assert source.text[citation.position_start : citation.position_end] == citation.exact


@pytest.mark.django_db
def test_citation_of_a_source_without_text_accepts_any_quote_unanchored():
    citation = Citation(
        event=EventFactory(), source=SourceFactory(text=""), quote="Anything at all."
    )

    citation.full_clean()
    citation.save()

    citation.refresh_from_db()
    assert not citation.is_anchored
    assert citation.selectors == []
    assert (citation.exact, citation.prefix, citation.suffix, citation.position_end) == (
        "",
        "",
        "",
        None,
    )


@pytest.mark.django_db
def test_citation_duplicate_quote_is_a_validation_error():
    existing = CitationFactory()
    duplicate = Citation(event=existing.event, source=existing.source, quote=existing.quote)

    errors = validation_errors(duplicate)

    assert "already cites this quote" in " ".join(errors["__all__"])


@pytest.mark.django_db
def test_citation_duplicate_quote_is_refused_by_the_database():
    existing = CitationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(event=existing.event, source=existing.source, quote=existing.quote)

    assert Citation.objects.count() == 1


@pytest.mark.django_db
def test_citation_same_quote_for_another_event_is_allowed():
    existing = CitationFactory()

    Citation(event=EventFactory(), source=existing.source, quote=existing.quote).full_clean()


@pytest.mark.django_db
def test_citation_save_keeps_an_unanchorable_quote_unanchored():
    citation = CitationFactory(quote="A sentence the article never had.")

    citation.refresh_from_db()
    assert citation.quote == "A sentence the article never had."
    assert not citation.is_anchored
    assert citation.selectors == []


@pytest.mark.django_db
def test_citation_save_clears_a_stale_anchor_when_the_quote_no_longer_matches():
    citation = CitationFactory(quote=STRAIGHT_QUOTE)
    assert citation.is_anchored

    citation.quote = "A sentence the article never had."
    citation.save()

    citation.refresh_from_db()
    assert not citation.is_anchored
    assert citation.exact == ""


@pytest.mark.django_db
def test_citation_empty_quote_is_refused_by_the_database():
    citation = CitationFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.filter(pk=citation.pk).update(quote="")


# services


@pytest.mark.django_db
def test_source_reanchor_citations_moves_matching_quotes_and_keeps_the_rest():
    source = SourceFactory()
    event = EventFactory()
    moved = CitationFactory(event=event, source=source, quote=STRAIGHT_QUOTE)
    lost = CitationFactory(event=event, source=source, quote="The talks will resume in spring.")
    assert moved.is_anchored and lost.is_anchored

    source.text = "Correction: the ministers said " + STRAIGHT_QUOTE + " Talks end."
    source.save()
    report = services.source_reanchor_citations(source=source)

    assert report.anchored == 1
    assert [citation.pk for citation in report.unanchored] == [lost.pk]
    assert set(Citation.objects.values_list("pk", flat=True)) == {moved.pk, lost.pk}
    moved.refresh_from_db()
    lost.refresh_from_db()
    new_start = source.text.index(STRAIGHT_QUOTE)
    assert (moved.position_start, moved.position_end) == (
        new_start,
        new_start + len(STRAIGHT_QUOTE),
    )
    assert moved.exact == STRAIGHT_QUOTE
    assert moved.prefix == "Correction: the ministers said "
    assert moved.suffix == " Talks end."
    assert (lost.exact, lost.prefix, lost.suffix) == ("", "", "")
    assert lost.position_start is None and lost.position_end is None
    assert lost.quote == "The talks will resume in spring."


@pytest.mark.django_db
def test_source_reanchor_citations_leaves_other_sources_alone():
    source = SourceFactory()
    other = CitationFactory(quote=STRAIGHT_QUOTE)
    before = other.position_start

    source.text = "Nothing relevant."
    source.save()
    report = services.source_reanchor_citations(source=source)

    assert (report.anchored, report.unanchored) == (0, [])
    other.refresh_from_db()
    assert other.position_start == before


@pytest.mark.django_db
def test_events_publish_sets_published_at_on_drafts_only():
    drafts = EventFactory.create_batch(2, published_at=None, explained=True)
    published = EventFactory()
    published_at = published.published_at

    count = services.events_publish(events=Event.objects.all())

    assert count == 2
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.published_at is not None
    published.refresh_from_db()
    assert published.published_at == published_at


@pytest.mark.django_db
def test_events_publish_accepts_a_list():
    draft = EventFactory(published_at=None, explained=True)
    other_draft = EventFactory(published_at=None)

    assert services.events_publish(events=[draft]) == 1

    assert Event.objects.get(pk=draft.pk).is_published
    assert not Event.objects.get(pk=other_draft.pk).is_published


@pytest.mark.django_db
def test_events_unpublish_clears_published_at():
    published = EventFactory.create_batch(2)
    draft = EventFactory(published_at=None)

    count = services.events_unpublish(events=[*published, draft])

    assert count == 2
    assert Event.objects.published().count() == 0
    assert Event.objects.drafts().count() == 3
    draft.refresh_from_db()
    assert draft.published_at is None


# The Editors group from the data migration


EDITED_MODELS = [
    ("sources", "source"),
    ("timeline", "event"),
    ("timeline", "citation"),
    ("timeline", "timeline"),
    ("timeline", "actor"),
    ("timeline", "place"),
    ("timeline", "tag"),
    ("timeline", "claim"),
    ("timeline", "claimproperty"),
]


@pytest.mark.django_db
def test_editors_group_can_curate_every_timeline_and_source_model():
    group = Group.objects.get(name="Editors")
    granted = {
        (app_label, codename)
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }

    assert granted == {
        (app_label, f"{action}_{model}")
        for app_label, model in EDITED_MODELS
        for action in ["view", "add", "change", "delete"]
    }


@pytest.mark.django_db
def test_editors_group_cannot_administer_users():
    group = Group.objects.get(name="Editors")

    assert not group.permissions.filter(content_type__app_label="auth").exists()


@pytest.mark.django_db
def test_editor_user_has_model_permissions_but_not_user_administration(editor):
    assert editor.has_perm("timeline.change_event")
    assert editor.has_perm("sources.delete_source")
    assert not editor.is_superuser
    assert not editor.has_perm("auth.view_user")
    assert not editor.has_perm("auth.change_group")

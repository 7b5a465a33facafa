"""Claims and properties: validation, derived readings, disputes in SQL, deletion and history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from sources.versioning import one_revision
from tests.factories import (
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
)
from timeline import generations, services
from timeline.models import Citation, Claim, ClaimProperty, Event
from timeline.signals import DELETED_WITH_EVENT

pytestmark = pytest.mark.django_db

GENEVA = "The trade ministers met in Geneva on Monday."
PAUSE = "The talks will resume in spring."


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.fixture
def duration():
    return ClaimPropertyFactory(slug="duration", name="Duration", kind="duration")


# Readings, derived on save


def test_saving_a_claim_stores_its_reading(duration):
    claim = ClaimFactory(property=duration, value="one hour and 40 minutes")

    assert claim.comparison_key == "minute|exactly|100"
    assert claim.reading().text == "100 minutes"


def test_a_changed_value_is_read_again_even_when_saving_named_fields(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")

    claim.value = "just over an hour"
    claim.save(update_fields=["value"])

    claim.refresh_from_db()
    assert claim.comparison_key == "minute|more than|60"


def test_compare_as_is_read_instead_of_the_value(duration):
    claim = ClaimFactory(
        property=duration, value="the better part of two hours", normalized_as="105 minutes"
    )
    assert claim.comparison_key == "minute|exactly|105"

    claim.normalized_as = ""
    claim.save()
    assert claim.comparison_key == "text|the better part of two hours"


# Validation, as the admin and the API apply it


def test_a_valid_claim_passes_full_clean(duration):
    claim = ClaimFactory.build(
        event=EventFactory(), property=duration, value="about 100 minutes", rank="normal"
    )

    claim.full_clean()


def test_a_preferred_or_deprecated_value_needs_a_reason(duration):
    event = EventFactory()

    for rank in ("preferred", "deprecated"):
        claim = ClaimFactory.build(event=event, property=duration, value="80 min", rank=rank)

        assert errors_of(claim) == {
            "rank_note": [f"Say why this value is {rank}: readers see the reason beside it."]
        }


def test_the_database_refuses_an_unexplained_rank(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")

    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=claim.pk).update(rank="deprecated")


def test_a_value_of_another_kind_is_refused_on_the_value(duration):
    claim = ClaimFactory.build(event=EventFactory(), property=duration, value="47%")

    assert errors_of(claim) == {
        "value": [
            "“47%” reads as a percentage (47%), but this property takes a duration, like "
            "“100 minutes” or “more than 1 hour”."
        ]
    }


def test_an_unreadable_compare_as_is_refused_on_that_field(duration):
    claim = ClaimFactory.build(
        event=EventFactory(), property=duration, value="a long talk", normalized_as="long"
    )

    errors = errors_of(claim)
    assert list(errors) == ["normalized_as"]
    assert errors["normalized_as"][0].startswith("“long” cannot be read as a duration")


def test_a_value_saved_around_validation_is_kept_and_compared_as_words(duration):
    claim = ClaimFactory(property=duration, value="47%")

    assert claim.comparison_key == "text|47%"


def test_an_unreadable_value_is_kept_and_compared_as_words(duration):
    claim = ClaimFactory.build(event=EventFactory(), property=duration, value="a long talk")

    claim.full_clean()
    claim.save()
    assert claim.comparison_key == "text|a long talk"


def test_an_empty_value_is_refused(duration):
    claim = ClaimFactory.build(event=EventFactory(), property=duration, value="")

    assert errors_of(claim) == {"value": ["This field cannot be blank."]}


def test_the_same_value_twice_for_one_property_of_one_event_is_refused(duration):
    first = ClaimFactory(property=duration, value="80 minutes")
    again = ClaimFactory.build(event=first.event, property=duration, value="80 minutes")

    assert errors_of(again) == {
        "__all__": [
            "This event already has this value for this property: add the citation to that "
            "claim instead."
        ]
    }


def test_a_claim_needs_a_citation_of_its_own_event(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")
    other = CitationFactory()

    with pytest.raises(ValidationError) as empty:
        claim.clean_citations([])
    with pytest.raises(ValidationError) as foreign:
        claim.clean_citations([*claim.citations.all(), other])

    assert empty.value.message_dict == {
        "citations": ["Cite at least one source: pick the citation that states it."]
    }
    assert foreign.value.message_dict == {
        "citations": [f"Cite this event's own citations; not citation {other.pk}."]
    }
    claim.clean_citations(claim.citations.all())


# Properties


def test_a_property_with_claims_cannot_be_deleted(duration):
    ClaimFactory(property=duration, value="80 minutes")

    with pytest.raises(ProtectedError):
        duration.delete()


def test_a_property_keeps_a_kind_that_one_of_its_claims_cannot_take(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")
    duration.kind = "percentage"

    errors = errors_of(duration)

    assert list(errors) == ["kind"]
    assert errors["kind"][0].startswith(f"1 claim(s) cannot be read this way: {claim.event.slug}:")


def test_a_new_kind_reads_the_claims_again(duration, editor):
    claim = ClaimFactory(property=duration, value="80 minutes")
    words = ClaimFactory(property=duration, value="Over an hour", event=claim.event)
    event_version = Event.objects.get(pk=claim.event_id).version
    duration.kind = "text"
    duration.full_clean()
    duration.save()

    changed = services.property_reread_claims(prop=duration, user=editor)

    claim.refresh_from_db()
    words.refresh_from_db()
    assert changed == 2
    assert (claim.comparison_key, words.comparison_key) == ("text|80 minutes", "text|over an hour")
    assert claim.version == 2
    assert Event.objects.get(pk=claim.event_id).version == event_version + 1
    record = claim.history.latest()
    assert record.history_change_reason == "Read again as words (compared as written)"
    assert record.history_user == editor
    # The revision keeps the claim's citations: reverting to it would not drop them.
    assert [row.citation_id for row in record.citations.all()] == [claim.citations.get().pk]


def test_a_wikidata_property_id_is_a_p_id():
    prop = ClaimPropertyFactory.build(slug="duration", name="Duration", wikidata_id="Q2047")

    assert errors_of(prop) == {"wikidata_id": ['Enter a Wikidata property id such as "P2047".']}


# Disputes, found in the database


def _dispute(event, prop, *values, rank="normal"):
    note = "" if rank == "normal" else "Why."
    for value in values:
        ClaimFactory(event=event, property=prop, value=value, rank=rank, rank_note=note)


def test_events_with_a_disputed_property_are_found_in_one_query(
    duration, django_assert_num_queries
):
    share = ClaimPropertyFactory(slug="share", kind="percentage")
    disputed = EventFactory(slug="disputed")
    _dispute(disputed, duration, "80 minutes", "about 100 minutes")
    agreeing = EventFactory(slug="agreeing")
    _dispute(agreeing, duration, "about 100 minutes", "one hour and 40 minutes")
    # Different readings whose intervals overlap: 80 minutes is more than an hour.
    overlapping = EventFactory(slug="overlapping")
    _dispute(overlapping, duration, "80 minutes", "just over an hour")
    # Different values, but of different properties: no dispute.
    apart = EventFactory(slug="apart")
    _dispute(apart, duration, "80 minutes")
    _dispute(apart, share, "47%")
    set_aside = EventFactory(slug="set-aside")
    _dispute(set_aside, share, "47%")
    _dispute(set_aside, share, "57%", rank="deprecated")
    EventFactory(slug="no-claims")

    with django_assert_num_queries(1):
        found = set(Event.objects.disputed().values_list("slug", flat=True))
    assert found == {"disputed"}
    assert set(Event.objects.disputed(False).values_list("slug", flat=True)) == {
        "agreeing",
        "overlapping",
        "apart",
        "set-aside",
        "no-claims",
    }
    annotated = dict(Event.objects.with_disputed().values_list("slug", "is_disputed"))
    assert annotated == {
        "disputed": True,
        "agreeing": False,
        "overlapping": False,
        "apart": False,
        "set-aside": False,
        "no-claims": False,
    }


def test_a_preferred_rank_leaves_the_dispute_visible(duration):
    event = EventFactory()
    _dispute(event, duration, "80 minutes")
    _dispute(event, duration, "about 100 minutes", rank="preferred")
    # Overlapping readings agree, whatever their ranks.
    overlapping = EventFactory()
    _dispute(overlapping, duration, "80 minutes")
    _dispute(overlapping, duration, "just over an hour", rank="preferred")

    assert list(Event.objects.disputed()) == [event]


def test_claims_for_reading_carry_their_citation_ids_in_one_query(
    duration, django_assert_num_queries
):
    event = EventFactory()
    source = SourceFactory()
    citations = [
        CitationFactory(event=event, source=source, quote=quote) for quote in (GENEVA, PAUSE)
    ]
    ClaimFactory(event=event, property=duration, value="80 minutes", citations=citations[::-1])
    ClaimFactory(event=event, property=duration, value="1 hour", citations=citations[1:])

    with django_assert_num_queries(1):
        claims = list(Claim.objects.for_reading())
        ids = [claim.citation_ids for claim in claims]
        names = [claim.property.name for claim in claims]

    assert ids == [[citations[0].pk, citations[1].pk], [citations[1].pk]]
    assert names == ["Duration", "Duration"]


# Deleting, and what history keeps


def test_a_citation_a_claim_states_cannot_be_deleted(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")
    citation = claim.citations.get()

    with pytest.raises(RestrictedError):
        citation.delete()
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_deleting_the_event_deletes_its_claims_and_their_links(duration):
    claim = ClaimFactory(property=duration, value="80 minutes")

    claim.event.delete()

    assert not Claim.objects.exists()
    assert not Claim.citations.through.objects.exists()
    deletion = Claim.history.get(id=claim.pk, history_type="-")
    assert deletion.history_change_reason == DELETED_WITH_EVENT
    assert deletion.history_date == Event.history.get(history_type="-").history_date


def test_one_revision_records_a_claim_with_its_citations(duration, editor):
    event = EventFactory()
    citation = CitationFactory(event=event)
    claim = Claim(event=event, property=duration, value="80 minutes")

    with one_revision(claim, user=editor):
        claim.save()
        claim.citations.set([citation])

    (record,) = claim.history.all()
    assert (record.history_type, record.history_user) == ("+", editor)
    assert [row.citation_id for row in record.citations.all()] == [citation.pk]


def test_claim_writes_move_the_content_generation(duration, commit):
    before = generations.current()
    with commit():
        claim = ClaimFactory(property=duration, value="80 minutes")
    after_create = generations.current()
    citation = CitationFactory(event=claim.event, quote=PAUSE)
    with commit():
        claim.citations.add(citation)
    after_link = generations.current()
    with commit():
        ClaimProperty.objects.filter(pk=duration.pk).first().save()

    assert before < after_create < after_link < generations.current()

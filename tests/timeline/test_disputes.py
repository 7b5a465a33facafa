"""Reading claims' values, grouping them by property, and telling a dispute (timeline.disputes)."""

from types import SimpleNamespace

import pytest

from timeline.claims import disputes
from timeline.claims.disputes import Reading, UnreadableValue, fold_text, group_claims, read_value

DURATION = SimpleNamespace(pk=1, slug="duration", name="Duration", kind="duration")
SHARE = SimpleNamespace(pk=2, slug="share", name="share of processing", kind="percentage")
FORM = SimpleNamespace(pk=3, slug="form", name="Form", kind="text")


def claim(pk, prop, value, rank="normal", citations=(1,), normalized_as="", note=""):
    """A claim as the rows path gives it: the attributes timeline.disputes reads."""
    return SimpleNamespace(
        pk=pk,
        property=prop,
        value=value,
        rank=rank,
        rank_note=note,
        citation_ids=list(citations),
        comparison_key=read_value(value, normalized_as, kind=prop.kind).key,
    )


# Reading a value


def test_quantities_are_read_whatever_their_wording():
    for value, kind, text in [
        ("80 minutes", "duration", "80 minutes"),
        ("just over an hour", "duration", "more than 1 hour"),
        ("about 100 minutes", "duration", "about 100 minutes"),
        ("one hour and 40 minutes", "duration", "100 minutes"),
        ("over 40 percent", "percentage", "more than 40%"),
        ("over 40%", "quantity", "more than 40%"),
        ("47%", "percentage", "47%"),
        ("40–50%", "percentage", "between 40% and 50%"),
        ("12 million metric tonnes", "mass", "12 million tonnes"),
        ("five", "count", "5"),
    ]:
        reading = read_value(value, kind=kind)

        assert reading.quantity is not None, value
        assert reading.text == text, value
        assert Reading.from_key(reading.key) == Reading(reading.key, text, reading.quantity)


def test_the_same_quantity_written_differently_reads_the_same():
    assert (
        read_value("100 minutes", kind="duration").key
        == read_value("one hour and 40 minutes", kind="duration").key
        == read_value("1h40", kind="duration").key
    )
    # A hedge is another reading, though one that agrees: "about 100 minutes" is 90 to 110.
    about = read_value("about 100 minutes", kind="duration")
    exact = read_value("one hour and 40 minutes", kind="duration")
    assert about.key != exact.key
    assert not about.conflicts_with(exact) and not exact.conflicts_with(about)
    assert read_value("over 40 percent").key == read_value("over 40%").key
    # A bound is not the amount: "over 40%" is not "40%", nor "at least 40%".
    assert len({read_value(v).key for v in ("over 40%", "40%", "at least 40%")}) == 3


def test_a_value_that_is_no_quantity_is_kept_as_written_and_compared_as_words():
    for value, folded in [
        ("Export restrictions", "export restrictions"),
        ("  export\u00a0 restrictions. ", "export restrictions"),
        ("“Export” restrictions", '"export" restrictions'),
        ("the 80-minute conversation", "the 80-minute conversation"),
    ]:
        reading = read_value(value, kind="duration")

        assert reading.quantity is None, value
        assert reading.key == "text|" + folded
        assert reading.text == folded
        assert reading.as_dict() == {
            "text": folded,
            "qualifier": None,
            "approximate": False,
            "amount": None,
            "upper": None,
            "unit": None,
            "interval": None,
        }


def test_words_properties_compare_as_words_even_what_reads_as_a_quantity():
    assert read_value("47%", kind="text").key == "text|47%"
    assert fold_text("Suspended – for a year") == "suspended - for a year"


def test_compare_as_replaces_the_value_when_given():
    reading = read_value("the better part of two hours", "105 minutes", kind="duration")
    assert reading.text == "105 minutes"

    words = read_value("lifts rare earth controls", "Lifted", kind="text")
    assert words.key == "text|lifted"
    # Blank is not given.
    assert read_value("47%", "   ", kind="percentage").text == "47%"


def test_compare_as_that_is_no_quantity_is_refused_for_a_quantity_property():
    with pytest.raises(UnreadableValue) as refused:
        read_value("the better part of two hours", "most of two hours", kind="duration")

    assert refused.value.field == "normalized_as"
    assert "“most of two hours” cannot be read as a duration" in str(refused.value)
    assert "100 minutes" in str(refused.value)


def test_a_quantity_of_another_kind_than_the_property_is_refused():
    for value, normalized_as, field in [
        ("47%", "", "value"),
        ("a long meeting", "47%", "normalized_as"),
    ]:
        with pytest.raises(UnreadableValue) as refused:
            read_value(value, normalized_as, kind="duration")

        assert refused.value.field == field
        assert str(refused.value) == (
            "“47%” reads as a percentage (47%), but this property takes a duration, like "
            "“100 minutes” or “more than 1 hour”."
        )


def test_any_quantity_goes_for_a_property_of_quantities():
    assert read_value("47%", kind="quantity").quantity.unit == "percent"
    assert read_value("80 minutes", kind="quantity").quantity.unit == "minute"


# Disputes and ranks


def test_different_readings_are_a_dispute_and_agreeing_wordings_are_not():
    agreeing = [
        claim(1, DURATION, "about 100 minutes"),
        claim(2, DURATION, "one hour and 40 minutes"),
    ]
    assert not disputes.is_disputed(agreeing)
    assert disputes.is_disputed([*agreeing, claim(3, DURATION, "80 minutes")])


def test_a_single_value_is_no_dispute():
    assert not disputes.is_disputed([claim(1, DURATION, "80 minutes")])
    assert not disputes.is_disputed([])


def test_a_deprecated_value_does_not_count_in_a_dispute():
    # "50%" conflicts with "over 70%", but it is deprecated.
    claims = [claim(1, SHARE, "over 70%"), claim(2, SHARE, "50%", rank="deprecated")]
    assert not disputes.is_disputed(claims)

    assert disputes.is_disputed([*claims, claim(3, SHARE, "65%")])
    # "85%" is within "over 70%": they agree.
    assert not disputes.is_disputed([*claims, claim(3, SHARE, "85%")])


def test_a_preferred_value_does_not_settle_a_dispute():
    claims = [claim(1, SHARE, "47%"), claim(2, SHARE, "57%", rank="preferred")]

    assert disputes.is_disputed(claims)
    # Overlapping readings agree, whatever their ranks.
    overlapping = [claim(1, SHARE, "over 70%"), claim(2, SHARE, "more than 90%", rank="preferred")]
    assert not disputes.is_disputed(overlapping)


def test_words_that_differ_only_in_case_and_spacing_agree():
    claims = [claim(1, FORM, "Export restrictions"), claim(2, FORM, "export  restrictions")]

    assert not disputes.is_disputed(claims)
    assert disputes.is_disputed([*claims, claim(3, FORM, "higher import tariffs")])


def test_claims_are_grouped_by_property_name_best_rank_first_then_by_citation():
    claims = [
        claim(1, SHARE, "over 70%", citations=[4]),
        claim(2, DURATION, "80 minutes", citations=[9]),
        claim(3, DURATION, "just over an hour", rank="deprecated", citations=[1]),
        claim(4, DURATION, "100 minutes", citations=[2, 7]),
        claim(5, DURATION, "about 100 minutes", rank="preferred", citations=[8]),
        claim(6, SHARE, "more than 90%", citations=[3]),
        claim(7, SHARE, "between 91% and 95%", citations=[5]),
        claim(8, SHARE, "92%", citations=[6]),
    ]

    groups = group_claims(claims)

    # Names sort without regard to case: "Duration" before "share of processing".
    assert [group.prop.slug for group in groups] == ["duration", "share"]
    # Best rank first; then the narrowest reading (an exact amount, a bounded range by its
    # width, then an open one); then by citation.
    assert [c.pk for c in groups[0].claims] == [5, 4, 2, 3]
    assert [c.pk for c in groups[1].claims] == [8, 7, 6, 1]
    # 80 minutes conflicts with 100; the shares all overlap.
    assert [group.disputed for group in groups] == [True, False]


def test_claims_document_lists_each_source_once_and_only_the_events_citations():
    sources = {
        10: {"id": 1, "title": "Wire"},
        11: {"id": 1, "title": "Wire"},
        12: {"id": 2, "title": "Gazette"},
    }
    claims = [
        claim(1, DURATION, "80 minutes", citations=[10, 11, 12]),
        claim(2, DURATION, "about 100 minutes", citations=[12, 99]),
    ]

    document = disputes.claims_document(group_claims(claims), sources.get)

    assert document == [
        {
            "property": {"slug": "duration", "name": "Duration", "kind": "duration"},
            "disputed": True,
            "values": [
                {
                    "id": 1,
                    "value": "80 minutes",
                    "normalized": {
                        "text": "80 minutes",
                        "qualifier": "exactly",
                        "approximate": False,
                        "amount": 80,
                        "upper": None,
                        "unit": "minute",
                        "interval": {
                            "lower": 80,
                            "upper": 80,
                            "lower_open": False,
                            "upper_open": False,
                        },
                    },
                    "conflicts_with": [2],
                    "rank": "normal",
                    "rank_note": "",
                    "citations": [10, 11, 12],
                    "sources": [{"id": 1, "title": "Wire"}, {"id": 2, "title": "Gazette"}],
                },
                {
                    "id": 2,
                    "value": "about 100 minutes",
                    "normalized": {
                        "text": "about 100 minutes",
                        "qualifier": "exactly",
                        "approximate": True,
                        "amount": 100,
                        "upper": None,
                        "unit": "minute",
                        "interval": {
                            "lower": 90,
                            "upper": 110,
                            "lower_open": False,
                            "upper_open": False,
                        },
                    },
                    "conflicts_with": [1],
                    "rank": "normal",
                    "rank_note": "",
                    # Citation 99 is not the event's: listed, but it brings no source.
                    "citations": [12, 99],
                    "sources": [{"id": 2, "title": "Gazette"}],
                },
            ],
        }
    ]

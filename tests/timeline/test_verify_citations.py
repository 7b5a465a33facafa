"""manage.py verify_citations: every quote still stands where its anchor says, read-only."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from sources.models import Source
from tests.factories import SAMPLE_TEXT, CitationFactory, EventFactory, SourceFactory
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("verify_citations", *args, stdout=out)
    return out.getvalue()


def citations_part(output: str) -> list[str]:
    """The output without its list of unsupported dates (tested on its own below)."""
    return [line for line in output.splitlines() if not line.startswith(("Dates ", "  event "))]


def run_failing(*args) -> tuple[str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_citations", *args, stdout=out)
    return out.getvalue(), str(excinfo.value)


def test_every_seeded_citation_anchors(seeded):
    total = Citation.objects.count()
    assert total > 0

    assert citations_part(run()) == [
        f"All {total} citations anchor in their sources' text (0 sources without text)."
    ]


def test_a_changed_source_text_fails_naming_the_event_and_the_reason(seeded):
    citation = Citation.objects.select_related("source", "event").order_by("pk").first()
    source = citation.source
    Source.objects.filter(pk=source.pk).update(text=source.text.replace(citation.exact, "…"))

    output, error = run_failing()

    assert f"Source {source.slug} ({source.title}): " in output
    assert f"  event {citation.event.slug}, citation {citation.pk}: “" in output
    assert "    no longer anchors: Quote not found in the source text:" in output
    # The citations after the removed quote moved: their stored positions are stale too.
    assert re.fullmatch(
        r"\d+ of \d+ checked citations failed: 1 no longer anchor, \d+ stored anchors? stale\.",
        error,
    )


def test_stale_stored_positions_are_a_failure():
    source = SourceFactory(slug="talks")
    citation = CitationFactory(source=source, event__slug="tariffs")
    start, end = citation.position_start, citation.position_end
    Citation.objects.filter(pk=citation.pk).update(
        position_start=F("position_start") + 3, position_end=F("position_end") + 3
    )

    output, error = run_failing()

    assert (
        f"  event tariffs, citation {citation.pk}: “{citation.quote}”\n"
        f"    stored anchor is stale: stored at {start + 3}–{end + 3}, quote now at {start}–{end}\n"
    ) in output
    assert error == "1 of 1 checked citation failed: 0 no longer anchor, 1 stored anchor stale."


def test_a_quote_that_moved_in_a_changed_text_has_a_stale_anchor():
    source = SourceFactory(slug="talks")
    CitationFactory(source=source, event__slug="tariffs")
    Source.objects.filter(pk=source.pk).update(text="Update: " + SAMPLE_TEXT)

    output, _ = run_failing()

    assert "stored anchor is stale: stored at" in output


def test_changed_context_around_the_quote_makes_the_anchor_stale():
    source = SourceFactory(slug="talks")
    citation = CitationFactory(source=source, event__slug="tariffs")
    # Same length, so the positions still match; the stored prefix no longer does.
    before = SAMPLE_TEXT[: citation.position_start]
    Source.objects.filter(pk=source.pk).update(
        text=before.replace("year", "YEAR") + SAMPLE_TEXT[citation.position_start :]
    )

    output, _ = run_failing()

    assert "stored anchor is stale: the text around the quote changed" in output


def test_an_unanchored_quote_that_is_in_the_text_has_a_stale_anchor():
    citation = CitationFactory(source=SourceFactory(slug="talks"))
    Citation.objects.filter(pk=citation.pk).update(position_start=None, position_end=None)

    output, _ = run_failing()

    assert "stored anchor is stale: none stored, quote at" in output


def test_citations_of_sources_without_text_are_a_warning_only():
    CitationFactory(source=SourceFactory(slug="blank", text=""))
    CitationFactory(source=SourceFactory(slug="blank-too", text=""))
    CitationFactory(source=SourceFactory(slug="full"))

    output = run()

    assert citations_part(output) == [
        "Not checked: 2 citations of 2 sources without text (blank, blank-too).",
        "All 1 citation anchor in their sources' text (2 sources without text).",
    ]


def test_source_option_limits_the_check():
    good = SourceFactory(slug="good")
    bad = SourceFactory(slug="bad")
    CitationFactory(source=good)
    CitationFactory(source=good, quote="The talks will resume in spring.")
    CitationFactory(source=bad)
    Source.objects.filter(pk=bad.pk).update(text="Nothing quoted here.")

    assert citations_part(run("--source", "good")) == [
        "All 2 citations anchor in their sources' text (0 sources without text)."
    ]
    _, error = run_failing("--source", "good", "--source", "bad")
    assert error.startswith("1 of 3 checked citations failed")


def test_an_unknown_source_slug_is_refused():
    SourceFactory(slug="good")
    _, error = run_failing("--source", "good", "--source", "nope")
    assert error == "No source has the slug: nope."


def test_the_check_writes_nothing(seeded):
    citation = Citation.objects.order_by("pk").first()
    Source.objects.filter(pk=citation.source_id).update(text="Replaced.")
    versions = sorted(Citation.objects.values_list("pk", "version", "position_start"))
    history = (Citation.history.count(), Event.history.count(), Source.history.count())

    with CaptureQueriesContext(connection) as queries:
        run_failing()

    statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
    assert set(statements) == {"SELECT"}
    # One query for the citations, then one per source for its text; then the events
    # and their quotes with their sources' publication dates, for the dates.
    sources = Source.objects.filter(citations__isnull=False).distinct().count()
    assert len(statements) == 1 + sources + 2
    assert sorted(Citation.objects.values_list("pk", "version", "position_start")) == versions
    assert (Citation.history.count(), Event.history.count(), Source.history.count()) == history


def test_dates_no_cited_quote_states_are_listed_and_fail_with_strict():
    source = SourceFactory(
        slug="busan-report",
        text="No deal came from Thursday's talks in Busan. Tariffs were cut in October.",
        published_on=dt.date(2025, 10, 31),
    )
    stated = EventFactory(slug="busan-meeting", date="2025-10-30")
    CitationFactory(
        event=stated, source=source, quote="No deal came from Thursday's talks in Busan."
    )
    too_precise = EventFactory(slug="tariff-cut", date="2025-10-15")
    CitationFactory(event=too_precise, source=source, quote="Tariffs were cut in October.")
    silent = EventFactory(slug="no-date", date="2025-10")
    CitationFactory(event=silent, source=SourceFactory(slug="other"))

    output = run()
    assert output.splitlines()[:3] == [
        "Dates no cited quote states: 2 events",
        "  event no-date (2025-10): its quotes name no date",
        "  event tariff-cut (2025-10-15): its quotes say “October” → 2025-10",
    ]
    assert "busan-meeting" not in output
    assert output.splitlines()[-1].startswith("All 3 citations anchor")

    _, error = run_failing("--strict")
    assert error == "2 events: no cited quote states its date."
    # Limited to one source, only the events citing it are checked.
    assert "no-date" not in run("--source", "busan-report")


def test_a_rough_publication_date_reads_relative_dates_as_an_interval():
    quote = "No deal came from Thursday's talks in Busan."
    source = SourceFactory(slug="rough", text=quote, published_between="2025-10-30/2025-11-02")
    event = EventFactory(slug="busan-meeting", date="2025-10-30")
    CitationFactory(event=event, source=source, quote=quote)

    # Every day of the range reads "Thursday" as 30 October: the date is stated.
    assert "busan-meeting" not in run()
    # Saved as every write path saves it: the quotes' dates are read again.
    source.published_between = "2025-10-30/2025-11-07"
    source.save()
    assert "its quotes say “Thursday” → 2025-10-30/2025-11-06" in run()


def test_on_the_seed_a_date_whose_note_is_removed_is_listed(seeded):
    assert "Dates no cited quote states" not in run()
    # Without the editors' note, no quote dates the Kuala Lumpur talks (the old seed's
    # day dates are checked in test_old_seed_audit.py).
    Event.objects.filter(slug="kuala-lumpur-talks").update(date_note="")

    listed = {
        line.split()[1]
        for line in run().splitlines()
        if line.startswith("  event ") and "(" in line
    }
    assert listed == {"kuala-lumpur-talks"}

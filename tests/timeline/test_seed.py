"""The demo timeline: what the five articles report, cited verbatim, loaded idempotently."""

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from sources.anchoring import anchor_quote
from sources.models import Source
from timeline import seed_data
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline
from timeline.seeding import seed_timeline

REPO = Path(__file__).resolve().parents[2]
SOURCE_FILES = {source["slug"]: source["file"] for source in seed_data.SOURCES}


def snapshot() -> dict:
    """Every seeded row with the fields a re-run could touch."""
    return {
        model.__name__: sorted(
            model.objects.values_list(*[f.attname for f in model._meta.concrete_fields])
        )
        for model in (Source, Actor, Place, Tag, Timeline, Event, Citation, ClaimProperty, Claim)
    } | {
        "memberships": sorted(Timeline.events.through.objects.values_list("timeline", "event")),
        "actors": sorted(Event.actors.through.objects.values_list("event", "actor")),
        "tags": sorted(Event.tags.through.objects.values_list("event", "tag")),
        "claimed": sorted(Claim.citations.through.objects.values_list("claim", "citation")),
    }


def test_every_seeded_quote_is_verbatim_in_its_article(seed_dir):
    for event in seed_data.EVENTS:
        for citation in event["citations"]:
            text = (seed_dir / SOURCE_FILES[citation["source"]]).read_text(encoding="utf-8")
            anchor = anchor_quote(text, citation["quote"])
            # Verbatim, not merely equal after folding whitespace and typography.
            assert anchor.exact == citation["quote"], event["slug"]


def test_quotes_are_short_single_sentences():
    for event in seed_data.EVENTS:
        for citation in event["citations"]:
            quote = citation["quote"]
            assert len(quote) <= 250, quote
            # No sentence boundary inside: ". " then a capital, except after an
            # initial such as "U.S.".
            assert not re.search(r"(?<![A-Z])[.!?][”\"]? +[A-Z]", quote.rstrip('.!?”"')), quote


def test_repository_holds_no_copy_of_an_article(seed_dir):
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout: cannot list the repository's files")
    contents = "\n".join(
        (REPO / name).read_text(encoding="utf-8", errors="ignore")
        for name in tracked
        if (REPO / name).is_file()
    )
    for article in seed_dir.glob("*.txt"):
        text = article.read_text(encoding="utf-8")
        # Any stretch longer than the longest allowed quote would be a copy.
        for start in range(0, max(1, len(text) - 300), 150):
            window = text[start : start + 300]
            if len(window.strip()) == 300:
                assert window not in contents, f"{article.name} is copied from offset {start}"


def test_seed_loads_the_timeline_with_its_named_events(seeded):
    timeline = Timeline.objects.get(slug="us-china-trade-2025")
    assert timeline.is_published
    events = {event.slug: event for event in timeline.events.all()}
    assert len(events) >= 12
    expected = {
        "us-tariffs-march-2025": ("2025-03", "month", "occurred", "2025-03-01", "2025-03-31"),
        "may-2025-truce": ("2025-05", "month", "occurred", "2025-05-01", "2025-05-31"),
        # No article gives the days, nor surely the month: October, uncertain.
        "kuala-lumpur-talks": ("2025-10?", "month", "occurred", "2025-10-01", "2025-10-31"),
        "busan-meeting": ("2025-10-30", "day", "occurred", "2025-10-30", "2025-10-30"),
        "trump-visit-china-april-2026": (
            "2026-04",
            "month",
            "scheduled",
            "2026-04-01",
            "2026-04-30",
        ),
    }
    for slug, (date, precision, status, start, end) in expected.items():
        event = events[slug]
        assert (event.date, event.precision, event.status) == (date, precision, status)
        assert (event.start.isoformat(), event.end.isoformat()) == (start, end)
        assert event.is_published
        assert event.actors.exists() and event.tags.exists(), slug
    assert events["us-tariffs-march-2025"].display_date == "Late March 2025"
    assert events["busan-meeting"].place.slug == "busan"
    assert events["kuala-lumpur-talks"].place.slug == "kuala-lumpur"
    assert {"donald-trump", "xi-jinping"} <= set(
        events["busan-meeting"].actors.values_list("slug", flat=True)
    )


def test_every_event_is_cited_and_most_by_several_articles(seeded):
    sources_per_event = [
        event.citations.values("source").distinct().count() for event in Event.objects.all()
    ]
    assert min(sources_per_event) >= 1
    assert sum(count >= 2 for count in sources_per_event) > len(sources_per_event) / 2


def test_seeded_citations_are_all_anchored_in_their_source(seeded):
    citations = Citation.objects.select_related("source")
    assert citations.count() == sum(len(e["citations"]) for e in seed_data.EVENTS)
    for citation in citations:
        assert citation.is_anchored, citation
        text = citation.source.text
        assert text[citation.position_start : citation.position_end] == citation.exact
        assert citation.exact == citation.quote


def test_sources_have_metadata_and_text_only_from_the_seed_dir(seeded, seed_dir):
    for item in seed_data.SOURCES:
        source = Source.objects.get(slug=item["slug"])
        assert source.title and source.language == "en"
        assert source.text == (seed_dir / item["file"]).read_text(encoding="utf-8")
        assert len(source.text_sha256) == 64
        assert source.retrieved_at is not None


def test_disagreeing_sources_are_all_cited_on_the_busan_meeting(seeded):
    quotes = " | ".join(
        Citation.objects.filter(event__slug="busan-meeting").values_list("quote", flat=True)
    )
    for length in ("80-minute", "just over an hour", "about 100 minutes", "one hour and 40"):
        assert length in quotes


def test_the_busan_meeting_shows_its_disputed_duration_with_all_four_sources(seeded, client):
    claims = client.get("/api/v1/events/busan-meeting/").json()["claims"]
    duration = next(group for group in claims if group["property"]["slug"] == "duration")

    assert duration["disputed"] is True
    # The narrowest reading first; "about" is an interval of its own.
    assert [(v["value"], v["normalized"]["text"]) for v in duration["values"]] == [
        ("80 minutes", "80 minutes"),
        ("one hour and 40 minutes", "100 minutes"),
        ("about 100 minutes", "about 100 minutes"),
        ("just over an hour", "more than 1 hour"),
    ]
    sources = [source["slug"] for value in duration["values"] for source in value["sources"]]
    assert sources == [
        "trump-xi-meet-first-time-six-years",
        "trump-xi-summit-busan-symbolic-or-breakthrough",
        "trump-xi-hold-first-talks-six-years",
        "trump-xi-reignite-trade-talks",
    ]
    # The one real conflict: 80 minutes against about 100 (90 to 110) and 100 minutes.
    ids = {v["value"]: v["id"] for v in duration["values"]}
    conflicts = {v["value"]: sorted(v["conflicts_with"]) for v in duration["values"]}
    assert conflicts == {
        "80 minutes": sorted([ids["one hour and 40 minutes"], ids["about 100 minutes"]]),
        "one hour and 40 minutes": [ids["80 minutes"]],
        "about 100 minutes": [ids["80 minutes"]],
        "just over an hour": [],
    }
    # Each value cites the quote that states it.
    quotes = dict(Citation.objects.filter(event__slug="busan-meeting").values_list("pk", "quote"))
    assert [quotes[c] for value in duration["values"] for c in value["citations"]] == [
        "the 80-minute conversation became the defining moment of Trump’s trip",
        "The meeting lasted just one hour and 40 minutes",
        "The leaders’ meeting lasted about 100 minutes",
        "Their encounter in South Korea lasted just over an hour",
    ]


def test_the_seed_shows_only_the_conflicts_its_articles_hold(seeded, client):
    disputed = {
        (event["slug"], group["property"]["slug"])
        for event in client.get("/api/v1/timelines/us-china-trade-2025/").json()["events"]
        for group in event["claims"]
        if group["disputed"]
    }

    # How long the meeting lasted; whether China removed all its rare-earth export
    # restrictions or delayed some while others stay.
    assert disputed == {
        ("busan-meeting", "duration"),
        ("busan-rare-earth-deal", "rare-earth-restrictions-outcome"),
    }
    disputed_events = client.get("/api/v1/events/", {"disputed": "true"}).json()["results"]
    assert {event["slug"] for event in disputed_events} == {slug for slug, _ in disputed}


def test_every_seeded_claim_cites_a_quote_of_its_own_event(seeded):
    assert Claim.objects.count() == len(seed_data.CLAIMS)
    for claim in Claim.objects.prefetch_related("citations"):
        assert claim.citations.exists(), claim
        assert {c.event_id for c in claim.citations.all()} == {claim.event_id}
        assert all(c.is_anchored for c in claim.citations.all())


def test_agreeing_sources_are_not_a_dispute(seeded, client):
    # "over 40 percent" and "over 40%" read alike, and 47% is over 40%: they agree.
    rates = Claim.objects.filter(property__slug="tariff-rate-on-chinese-goods")
    assert len({claim.comparison_key for claim in rates}) == 2
    for slug, prop in [
        ("busan-fentanyl-tariff-cut", "tariff-rate-on-chinese-goods"),
        ("busan-rare-earth-deal", "china-share-of-rare-earth-processing"),
    ]:
        claims = client.get(f"/api/v1/events/{slug}/").json()["claims"]
        group = next(g for g in claims if g["property"]["slug"] == prop)
        assert group["disputed"] is False, prop
        assert all(v["conflicts_with"] == [] for v in group["values"]), prop
    soybeans = Claim.objects.get(property__slug="soybean-purchases-this-season")
    assert soybeans.reading().text == "12 million tonnes"


def test_the_seed_leaves_claims_an_editor_deleted(seeded, seed_dir):
    Claim.objects.filter(value="just over an hour").delete()

    report = seed_timeline(seed_dir=seed_dir)

    assert not report.changed
    assert not Claim.objects.filter(value="just over an hour").exists()
    report = seed_timeline(seed_dir=seed_dir, update=True)
    assert report.created["claims"] == 1
    assert Claim.objects.get(value="just over an hour").citations.count() == 1


def test_second_run_changes_nothing(seeded, seed_dir):
    before = snapshot()
    report = seed_timeline(seed_dir=seed_dir)
    assert not report.changed
    assert snapshot() == before


def test_seed_never_overwrites_an_editors_change(seeded, seed_dir):
    Event.objects.filter(slug="busan-meeting").update(title="Edited by an editor")
    seed_timeline(seed_dir=seed_dir)
    assert Event.objects.get(slug="busan-meeting").title == "Edited by an editor"

    report = seed_timeline(seed_dir=seed_dir, update=True)
    assert report.updated == {"events": 1}
    assert Event.objects.get(slug="busan-meeting").title == "Trump and Xi meet in Busan"


@pytest.mark.django_db
def test_without_articles_sources_have_no_text_until_they_appear(tmp_path, seed_dir):
    report = seed_timeline(seed_dir=tmp_path)
    assert len(report.missing_texts) == len(seed_data.SOURCES)
    assert not Source.objects.exclude(text="").exists()
    assert not Citation.objects.filter(position_start__isnull=False).exists()

    report = seed_timeline(seed_dir=seed_dir)
    assert report.texts_attached == len(seed_data.SOURCES)
    assert not report.unanchored
    assert not Citation.objects.filter(position_start__isnull=True).exists()


@pytest.mark.django_db
def test_seed_command_reports_what_it_did(seed_dir):
    out = StringIO()
    call_command("seed", "--seed-dir", str(seed_dir), stdout=out)
    assert "Created:" in out.getvalue() and "16 events" in out.getvalue()
    assert "7 properties, 15 claims" in out.getvalue()
    assert "1 timeline," in out.getvalue()
    out = StringIO()
    call_command("seed", "--seed-dir", str(seed_dir), stdout=out)
    assert "already seeded, nothing changed" in out.getvalue()


@pytest.mark.django_db
def test_seed_command_warns_when_articles_are_missing(tmp_path):
    out = StringIO()
    call_command("seed", "--seed-dir", str(tmp_path), stdout=out)
    assert "not found" in out.getvalue() and "not anchored" in out.getvalue()


def test_every_seeded_date_is_stated_or_explained(seeded, client):
    events = client.get("/api/v1/timelines/us-china-trade-2025/").json()["events"]
    states = {event["slug"]: event["date_evidence"]["state"] for event in events}

    assert len(states) == len(seed_data.EVENTS)
    assert "unsupported" not in states.values()
    # Dates a cited quote states, as the articles give them.
    stated = {slug for slug, state in states.items() if state == "stated"}
    assert {
        "busan-meeting",
        "us-tariffs-march-2025",
        "may-2025-truce",
        "china-rare-earth-measures-autumn-2025",
        "trump-visit-china-april-2026",
        "xi-visit-us-2026",
    } <= stated
    for event in Event.objects.filter(slug__in=set(states) - stated):
        event.full_clean()  # a note that only repeated the date would be refused
        assert event.date_note


def test_verify_citations_strict_passes_on_the_seed(seeded):
    out = StringIO()
    call_command("verify_citations", "--strict", stdout=out)

    assert "Dates no cited quote states" not in out.getvalue()

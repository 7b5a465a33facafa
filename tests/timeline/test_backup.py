"""Tests for backing up one timeline (export_timeline) and restoring it (import_timeline)."""

import copy
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.color import no_style
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from sources.models import Source
from sources.versioning import one_revision
from tests.conftest import APIClient
from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    make_editor,
)
from timeline import backup, seed_data
from timeline.history import event_revisions
from timeline.models import (
    Actor,
    Citation,
    Claim,
    ClaimCitation,
    ClaimProperty,
    Event,
    Place,
    Tag,
    Timeline,
)

pytestmark = pytest.mark.django_db

# Deleted in this order: events before the places, sources and properties they protect.
CONTENT = [Timeline, Event, Claim, Citation, ClaimProperty, Source, Place, Actor, Tag]
TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
SPRING_QUOTE = "The talks will resume in spring."
SEED_SLUG = "us-china-trade-2025"
UNARCHIVED_QUOTE = "Words from an article not archived."


def export_text(slug: str) -> str:
    out = io.StringIO()
    call_command("export_timeline", slug, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def import_text(text: str, monkeypatch) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    out = io.StringIO()
    call_command("import_timeline", "-", stdout=out)
    return out.getvalue()


def history_tables() -> list:
    tables = [model.history.model for model in CONTENT]
    for model, names in backup.RELATIONS.items():
        tables += [backup._history_m2m(model, name) for name in names]
    return tables


def content_counts() -> dict[str, int]:
    """Rows in every table a timeline's backup writes to."""
    through = [
        Event.actors.through,
        Event.tags.through,
        Timeline.events.through,
        Claim.citations.through,
    ]
    return {
        model._meta.label: model._default_manager.count()
        for model in [*CONTENT, *through, *history_tables()]
    }


def empty_content() -> None:
    """Leave the content tables as in a new database: no rows, sequences back at 1."""
    # An event's parts protect it from deletion, even when deleted with it.
    Event.objects.update(super_event=None)
    for model in CONTENT:
        model.objects.all().delete()
    # A history record's relation rows are not deleted with it (DO_NOTHING).
    for model in history_tables():
        model._default_manager.all().delete()
    tables = [
        {"table": model._meta.db_table, "column": model._meta.pk.column}
        for model in [*CONTENT, *(model.history.model for model in CONTENT)]
    ]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_by_name_sql(no_style(), tables):
            cursor.execute(sql)
    assert not any(content_counts().values())


def public_urls(slug: str) -> list[str]:
    base = f"/api/v1/timelines/{slug}"
    return [
        f"{base}/",
        f"{base}/timelinejs/",
        f"{base}/timelinejs.csv",
        f"{base}/calendar.ics",
        f"{base}/feed.atom",
        "/api/v1/timelines/",
        "/api/v1/sources/",
        "/api/v1/events/?page_size=200",
        "/api/v1/claims/?page_size=200",
        "/api/v1/properties/?page_size=200",
    ]


def snapshot(editor_client: APIClient, slug: str) -> dict[str, tuple]:
    """Status, raw bytes and validators of every response a restore must reproduce."""
    anonymous = APIClient()
    requests = [(anonymous, url) for url in public_urls(slug)]
    requests += [
        (editor_client, f"/api/v1/timelines/{slug}/?include_drafts=true"),
        (editor_client, "/api/v1/events/?include_drafts=true&page_size=200"),
        (editor_client, "/api/v1/sources/?include_drafts=true"),
        (editor_client, "/api/v1/claims/?include_drafts=true&page_size=200"),
    ]
    for event_slug in Event.objects.order_by("slug").values_list("slug", flat=True):
        requests.append((editor_client, f"/api/v1/events/{event_slug}/?include_drafts=true"))
        requests.append((editor_client, f"/api/v1/events/{event_slug}/history/?page_size=200"))
    for source_id in Source.objects.order_by("pk").values_list("pk", flat=True):
        requests.append((anonymous, f"/api/v1/sources/{source_id}/"))
    taken = {}
    for client, url in requests:
        response = client.get(url)
        who = "editor" if client is editor_client else "public"
        taken[f"{who} {url}"] = (
            response.status_code,
            response.content,
            response.get("ETag"),
            response.get("Last-Modified"),
        )
    return taken


def etag(client: APIClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response["ETag"]


def patch(client: APIClient, url: str, data: dict) -> dict:
    response = client.patch(url, data, format="json", HTTP_IF_MATCH=etag(client, url))
    assert response.status_code == 200, response.content
    return response.json()


def edit_seeded_timeline(client: APIClient) -> None:
    """A draft event and edits through the API, so history has several revisions by a user."""
    busan = Event.objects.get(slug="busan-meeting")
    quotes = list(busan.citations.order_by("pk"))
    created = client.post(
        "/api/v1/events/",
        {
            "slug": "backup-draft",
            "title": "A draft event",
            "summary": "Not published yet.",
            "date": "2025-11~",
            "place": "busan",
            "actors": ["donald-trump"],
            "tags": ["tariffs"],
            "citations": [
                {"source": quote.source_id, "quote": quote.quote, "note": "First."}
                for quote in quotes[:2]
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    kept = created.json()["citations"][0]
    # Drop the second citation: a deleted citation stays in the event's history.
    patch(
        client,
        "/api/v1/events/backup-draft/?include_drafts=true",
        {
            "title": "A draft event, retitled",
            "actors": ["donald-trump", "xi-jinping"],
            "citations": [
                {"id": kept["id"], "source": kept["source"]["id"], "quote": kept["quote"]}
            ],
        },
    )
    timeline_url = f"/api/v1/timelines/{SEED_SLUG}/?include_drafts=true"
    members = client.get(timeline_url).json()["events"]
    patch(client, timeline_url, {"events": [e["slug"] for e in members] + ["backup-draft"]})
    patch(client, "/api/v1/events/busan-meeting/", {"title": "Trump and Xi meet in Busan"})
    assert client.post("/api/v1/events/may-2025-truce/unpublish/").status_code == 200
    assert client.post("/api/v1/events/may-2025-truce/publish/").status_code == 200
    source = Source.objects.order_by("pk").first()
    patch(client, f"/api/v1/sources/{source.pk}/", {"notes": "Checked against the archive."})
    patch(client, "/api/v1/actors/he-lifeng/", {"name": "He Lifeng (vice premier)"})
    # Claims: one on the draft, one ranked, one deleted on its own; a property described.
    claimed = client.post(
        "/api/v1/claims/",
        {
            "event": "backup-draft",
            "property": "duration",
            "value": "about 100 minutes",
            "rank": "preferred",
            "rank_note": "The longest account.",
            "citations": [kept["id"]],
        },
        format="json",
    )
    assert claimed.status_code == 201, claimed.content
    eighty = Claim.objects.get(event__slug="busan-meeting", value="80 minutes")
    patch(
        client,
        f"/api/v1/claims/{eighty.pk}/",
        {"rank": "deprecated", "rank_note": "Counts the talks only."},
    )
    dropped = Claim.objects.filter(event__slug="busan-meeting").exclude(pk=eighty.pk).first()
    url = f"/api/v1/claims/{dropped.pk}/"
    assert client.delete(url, HTTP_IF_MATCH=etag(client, url)).status_code == 204
    patch(client, "/api/v1/properties/duration/", {"description": "How long the leaders met."})


def make_claim(event, prop, value, citations, *, user=None, **fields) -> Claim:
    """A claim written as the API writes one: one revision, with its citations."""
    claim = Claim(event=event, property=prop, value=value, **fields)
    with one_revision(claim, user=user):
        claim.save()
        claim.citations.set(citations)
    return claim


@pytest.fixture
def small_timeline(editor) -> Timeline:
    """A timeline with every kind of object, a draft, an unanchored source and user revisions.

    Its claims: two of a percentage on the published event (one deprecated),
    and on the draft one of words whose history cites a deleted citation,
    beside a claim deleted on its own.
    """
    wire = SourceFactory(slug="wire", url="https://news.example.org/wire")
    bare = SourceFactory(slug="bare", url="", text="")
    geneva = PlaceFactory(slug="geneva", latitude=Decimal("46.20440"), longitude=Decimal("6.14320"))
    usa, china = ActorFactory(slug="usa"), ActorFactory(slug="china")
    tariffs = TagFactory(slug="tariffs")
    talks = EventFactory(slug="talks", place=geneva, actors=[usa, china], tags=[tariffs])
    tariff = CitationFactory(event=talks, source=wire, quote=TARIFF_QUOTE)
    unarchived = CitationFactory(event=talks, source=bare, quote=UNARCHIVED_QUOTE)
    draft = EventFactory(slug="draft", published_at=None, date="2025-05~")
    met = CitationFactory(event=draft, source=wire, quote=GENEVA_QUOTE)
    dropped = CitationFactory(event=draft, source=wire, quote=SPRING_QUOTE)
    rate = ClaimPropertyFactory(slug="tariff-rate", name="Tariff rate", kind="percentage")
    outcome = ClaimPropertyFactory(slug="outcome", name="Outcome", kind="text")
    make_claim(talks, rate, "47%", [tariff], user=editor)
    make_claim(
        talks, rate, "over 40 percent", [tariff, unarchived], rank="deprecated", rank_note="Vague."
    )
    pause = make_claim(draft, outcome, "a pause", [dropped])
    with one_revision(pause, user=editor, reason="Cited the quote that says it"):
        pause.save()
        pause.citations.set([met])
    make_claim(draft, outcome, "talks resume", [met]).delete()
    dropped.delete()
    talks.title = "Trade talks in Geneva"
    talks._history_user = editor
    talks.save()
    return TimelineFactory(slug="trade", events=[talks, draft])


# Round trip


def test_restore_into_an_empty_database_serves_byte_identical_api_output(
    seeded, editor, editor_api
):
    edit_seeded_timeline(editor_api)
    before = snapshot(editor_api, SEED_SLUG)
    assert {request: response[0] for request, response in before.items()} == dict.fromkeys(
        before, 200
    )
    exported = export_text(SEED_SLUG)
    assert json.loads(exported)["events"], "the export holds the events"

    empty_content()
    # Users are not exported: the editor here is another row with the same username.
    username = editor.username
    editor.delete()
    new_editor = make_editor(username=username)
    client = APIClient()
    client.force_login(new_editor)
    backup.import_timeline(json.loads(exported))

    after = snapshot(client, SEED_SLUG)
    assert list(after) == list(before)
    for request, response in before.items():
        assert after[request] == response, request
    assert export_text(SEED_SLUG) == exported
    users = {
        r["user"] for r in client.get("/api/v1/events/backup-draft/history/").json()["results"]
    }
    assert users == {username}


def test_restore_of_the_seeded_timeline_keeps_its_history_and_versions(seeded, editor_api):
    edit_seeded_timeline(editor_api)
    document = backup.export_timeline(Timeline.objects.get(slug=SEED_SLUG))
    versions = dict(Event.objects.values_list("slug", "version"))
    claim_versions = dict(Claim.objects.values_list("pk", "version"))
    revisions = {event.slug: event_revisions(event.pk) for event in Event.objects.all()}
    history_rows = sum(len(rows) for rows in document["history"].values())
    # One claim added on the draft, one of the seed's deleted: 16 still.
    assert sum(len(event["claims"]) for event in document["events"]) == len(seed_data.CLAIMS)
    assert len(document["properties"]) == 7
    assert {r["history_type"] for r in document["history"]["claims"]} == {"+", "~", "-"}

    empty_content()
    report = backup.ImportReport()
    backup.import_timeline(document, report=report)

    assert report.history_rows == history_rows
    assert dict(Event.objects.values_list("slug", "version")) == versions
    assert dict(Claim.objects.values_list("pk", "version")) == claim_versions
    assert {event.slug: event_revisions(event.pk) for event in Event.objects.all()} == revisions
    # No revision recorded by the import itself.
    assert sum(model.history.count() for model in CONTENT) == history_rows


def test_export_is_deterministic_and_survives_a_round_trip(small_timeline, monkeypatch):
    first = export_text("trade")
    assert export_text("trade") == first
    document = json.loads(first)
    assert document["format"] == "timeline-export"
    assert document["version"] == 1
    assert set(document) == backup.TOP_LEVEL_KEYS
    assert first == backup.document_to_json(document)

    empty_content()
    summary = import_text(first, monkeypatch)

    assert "Imported timeline trade: 2 events, 3 citations, 3 claims, 2 sources" in summary
    assert export_text("trade") == first


def test_export_holds_drafts_deleted_citations_and_users_by_username(small_timeline, editor):
    document = backup.export_timeline(small_timeline)

    assert [event["slug"] for event in document["events"]] == ["talks", "draft"]
    assert document["events"][1]["published_at"] is None
    assert [source["slug"] for source in document["sources"]] == ["wire", "bare"]
    assert document["sources"][0]["text"] == SAMPLE_TEXT
    deleted = [r for r in document["history"]["citations"] if r["history_type"] == "-"]
    assert [r["quote"] for r in deleted] == [SPRING_QUOTE]
    assert deleted[0]["id"] not in {
        citation["id"] for event in document["events"] for citation in event["citations"]
    }
    users = {r["history_user"] for r in document["history"]["events"]}
    assert users == {None, editor.username}


def test_history_that_names_deleted_objects_is_exported_without_them(small_timeline):
    talks = Event.objects.get(slug="talks")
    gone = PlaceFactory(slug="gone")
    talks.place = gone
    talks.save()
    talks.place = Place.objects.get(slug="geneva")
    talks.save()
    gone.delete()

    document = backup.export_timeline(small_timeline)

    assert "gone" not in {place["slug"] for place in document["places"]}
    places = [r["place"] for r in document["history"]["events"] if r["slug"] == "talks"]
    assert None in places
    backup.validate_document(document)


def test_export_holds_claims_their_properties_and_their_history(small_timeline):
    document = backup.export_timeline(small_timeline)

    assert [p["slug"] for p in document["properties"]] == ["tariff-rate", "outcome"]
    assert [r["slug"] for r in document["history"]["properties"]] == ["tariff-rate", "outcome"]
    talks, draft = document["events"]
    tariff, unarchived = (citation["id"] for citation in talks["citations"])
    # No comparison key: it is read again on import, with the kind of the property there.
    assert set(talks["claims"][0]) == {
        "id",
        "version",
        "property",
        "value",
        "normalized_as",
        "rank",
        "rank_note",
        "citations",
    }
    assert [(c["value"], c["rank"], c["citations"]) for c in talks["claims"]] == [
        ("47%", "normal", [tariff]),
        ("over 40 percent", "deprecated", [tariff, unarchived]),
    ]
    assert [c["value"] for c in draft["claims"]] == ["a pause"]
    history = document["history"]["claims"]
    dropped = next(r["id"] for r in document["history"]["citations"] if r["history_type"] == "-")
    met = draft["citations"][0]["id"]
    # Its first revision cites a citation deleted since: the history holds that citation.
    assert [(r["history_type"], r["citations"]) for r in history if r["value"] == "a pause"] == [
        ("+", [dropped]),
        ("~", [met]),
    ]
    deleted = [r for r in history if r["history_type"] == "-"]
    assert [(r["value"], r["citations"]) for r in deleted] == [("talks resume", [])]
    assert deleted[0]["id"] not in {claim["id"] for claim in draft["claims"]}


def test_claims_come_back_with_their_history_and_the_citations_of_each_revision(
    small_timeline,
):
    document = backup.export_timeline(small_timeline)
    links = backup._history_m2m(Claim, "citations").objects

    def claims_state() -> tuple:
        return (
            list(Claim.objects.order_by("pk").values()),
            list(ClaimCitation.objects.order_by("claim", "citation").values("claim", "citation")),
            list(ClaimProperty.objects.order_by("pk").values()),
            list(Claim.history.order_by("history_id").values()),
            list(ClaimProperty.history.order_by("history_id").values()),
            sorted(links.values_list("history_id", "claim_id", "citation_id")),
        )

    before = claims_state()
    empty_content()

    backup.import_timeline(document)

    assert claims_state() == before
    # A revision's link names the live row of its pair, or 0 for a pair no longer related
    # (the deleted claim's, and the first citation of "a pause").
    rows = {(claim, cited): pk for pk, claim, cited in ClaimCitation.objects.values_list()}
    for claim_id, citation_id, row_id in links.values_list("claim_id", "citation_id", "id"):
        assert row_id == rows.get((claim_id, citation_id), 0), (claim_id, citation_id)
    assert links.filter(id=0).count() == 2


def test_a_document_written_before_claims_imports_as_a_timeline_without_them(small_timeline):
    document = backup.export_timeline(small_timeline)
    document.pop("properties")
    for event in document["events"]:
        event.pop("claims")
    for name in ("claims", "properties"):
        document["history"].pop(name)
    empty_content()

    timeline = backup.import_timeline(document)

    assert timeline.events.count() == 2
    assert not Claim.objects.exists() and not Claim.history.exists()
    assert not ClaimProperty.objects.exists() and not ClaimProperty.history.exists()
    exported = backup.export_timeline(timeline)
    assert exported["properties"] == []
    assert [event["claims"] for event in exported["events"]] == [[], []]
    assert exported["history"]["claims"] == exported["history"]["properties"] == []


def test_a_document_written_before_rough_publication_dates_imports_them_blank(small_timeline):
    Source.objects.update(published_on=None, published_between="2025-10-30/2025-11-02")
    document = backup.export_timeline(small_timeline)
    assert {s["published_between"] for s in document["sources"]} == {"2025-10-30/2025-11-02"}
    for source in [*document["sources"], *document["history"]["sources"]]:
        source.pop("published_between")
    empty_content()

    backup.import_timeline(document)

    assert set(Source.objects.values_list("published_between", flat=True)) == {""}
    assert set(Source.history.values_list("published_between", flat=True)) == {""}


# Validation


def _citation(document) -> dict:
    return document["events"][0]["citations"][0]


def _claim(document, number: int = 0) -> dict:
    return document["events"][0]["claims"][number]


INVALID = {
    "wrong format": (
        lambda d: d.update(format="timeline-csv"),
        'format: must be “timeline-export”, not "timeline-csv"',
    ),
    "newer version": (
        lambda d: d.update(version=2),
        "version: this release reads version 1, not 2 (made by a newer release",
    ),
    "missing top-level key": (lambda d: d.pop("history"), "history: missing"),
    "missing key": (lambda d: d["events"][1].pop("date"), "events[1].date: missing"),
    "unknown key": (lambda d: d["places"][0].update(colour="red"), "places[0].colour: unknown key"),
    "wrong type": (
        lambda d: d["events"][1].update(version="2"),
        "events[1].version: must be an integer, not a string",
    ),
    "not an object": (
        lambda d: d["events"].__setitem__(0, []),
        "events[0]: must be an object, not a list",
    ),
    "citation of a missing source": (
        lambda d: _citation(d).update(source=999),
        "events[0].citations[0].source: no source with id 999 in the document",
    ),
    "missing actor": (
        lambda d: d["events"][0]["actors"].append(999),
        "events[0].actors[2]: no actor with id 999 in the document",
    ),
    "bad date": (
        lambda d: d["events"][0].update(date="2025-13"),
        "events[0].date: “2025-13” is not a valid EDTF date",
    ),
    "quote not in its source's text": (
        lambda d: _citation(d).update(quote="Nobody said this."),
        'events[0].citations[0].quote: Quote not found in the source text: "Nobody said this."',
    ),
    "damaged text": (
        lambda d: d["sources"][0].update(text=d["sources"][0]["text"] + " Added."),
        "sources[0].text_sha256: does not match the text",
    ),
    "bad URL": (lambda d: d["sources"][0].update(url="ftp://example.org/"), "sources[0].url: "),
    "string too long": (
        lambda d: d["tags"][0].update(name="x" * 201),
        "tags[0].name: is 201 characters long; at most 200 fit",
    ),
    "bad timestamp": (
        lambda d: d["history"]["events"][0].update(history_date="yesterday"),
        "history.events[0].history_date: “yesterday” is not a date and time",
    ),
    "history of a missing event": (
        lambda d: d["history"]["citations"][0].update(event=999),
        "history.citations[0].event: no event with id 999 in the document",
    ),
    "timeline naming a missing event": (
        lambda d: d["timeline"]["events"].append(999),
        "timeline.events[2]: no event with id 999 in the document",
    ),
    "duplicate slug": (
        lambda d: d["actors"][1].update(slug=d["actors"][0]["slug"]),
        "actors[1].slug: slug “usa” is used twice in actors",
    ),
    "claim citing a citation of another event": (
        lambda d: _claim(d).update(citations=[d["events"][1]["citations"][0]["id"]]),
        lambda d: (
            "events[0].claims[0].citations: Cite this event's own citations; not citation "
            f"{d['events'][1]['citations'][0]['id']}."
        ),
    ),
    "claim citing a citation not in the document": (
        lambda d: _claim(d).update(citations=[999]),
        "events[0].claims[0].citations[0]: no citation with id 999 in the document",
    ),
    "claim without citation": (
        lambda d: _claim(d).update(citations=[]),
        "events[0].claims[0].citations: Cite at least one source: pick the citation that "
        "states it.",
    ),
    "claim of a missing property": (
        lambda d: _claim(d).update(property=999),
        "events[0].claims[0].property: no property with id 999 in the document",
    ),
    "rank without note": (
        lambda d: _claim(d).update(rank="preferred"),
        "events[0].claims[0].rank_note: Say why this value is preferred: readers see the "
        "reason beside it.",
    ),
    "unknown rank": (
        lambda d: _claim(d).update(rank="best"),
        "events[0].claims[0].rank: Value 'best' is not a valid choice.",
    ),
    "value its property's kind cannot read": (
        lambda d: _claim(d).update(value="80 minutes"),
        "events[0].claims[0].value: “80 minutes” reads as a duration (80 minutes), but this "
        "property takes a percentage",
    ),
    "the same value of a property twice": (
        lambda d: _claim(d, 1).update(value="47%"),
        "events[0].claims[1].value: the event has this value of the property twice",
    ),
    "claim id used twice": (
        lambda d: d["events"][1]["claims"][0].update(id=_claim(d)["id"]),
        lambda d: f"events[1].claims[0].id: claim id {_claim(d)['id']} is used twice",
    ),
    "claims not a list": (
        lambda d: d["events"][0].update(claims={}),
        "events[0].claims: must be a list, not an object",
    ),
    "property name used twice": (
        lambda d: d["properties"][1].update(name="Tariff rate"),
        "properties[1].name: name “Tariff rate” is used twice in properties",
    ),
    "unknown property kind": (
        lambda d: d["properties"][0].update(kind="colour"),
        "properties[0].kind: Value 'colour' is not a valid choice.",
    ),
    "claim history citing a citation not in the document": (
        lambda d: d["history"]["claims"][0]["citations"].append(999),
        "history.claims[0].citations[1]: no citation with id 999 in the document",
    ),
    "claim history naming a missing property": (
        lambda d: d["history"]["claims"][0].update(property=999),
        "history.claims[0].property: no property with id 999 in the document",
    ),
    "history of a missing property": (
        lambda d: d["history"]["properties"][0].update(id=999),
        "history.properties[0].id: no property with id 999 in the document",
    ),
}


def test_an_invalid_document_is_refused_naming_the_path_and_nothing_is_written(
    small_timeline, stored_state, tmp_path
):
    exported = backup.export_timeline(small_timeline)
    path = tmp_path / "broken.json"
    before = stored_state()

    for case, (break_it, expected) in INVALID.items():
        document = copy.deepcopy(exported)
        break_it(document)
        # Where the message names an id, it is read from the document (ids differ by database).
        expected = expected(document) if callable(expected) else expected
        path.write_text(json.dumps(document), encoding="utf-8")

        with pytest.raises(CommandError) as caught:
            call_command("import_timeline", str(path), stdout=io.StringIO())

        assert expected in str(caught.value), case
        assert "Nothing was imported." in str(caught.value), case
        assert stored_state() == before, case


def test_validation_finds_the_problem_before_looking_at_the_database(
    small_timeline, django_assert_num_queries
):
    document = backup.export_timeline(small_timeline)
    _citation(document).update(source=999)
    with django_assert_num_queries(0), pytest.raises(backup.DocumentError) as caught:
        backup.validate_document(document)
    assert caught.value.problems == [
        ("events[0].citations[0].source", "no source with id 999 in the document")
    ]


def test_validating_claims_and_properties_reads_no_database(
    small_timeline, django_assert_num_queries
):
    document = backup.export_timeline(small_timeline)
    with django_assert_num_queries(0):
        validated = backup.validate_document(document)
    assert len(validated.objects[Claim]) == 3
    assert len(validated.objects[ClaimProperty]) == 2


def test_a_citation_of_a_source_without_text_is_restored_unanchored(small_timeline):
    document = backup.export_timeline(small_timeline)
    unanchored = document["events"][0]["citations"][1]
    assert unanchored["position_start"] is None

    validated = backup.validate_document(document)

    assert not validated.objects[Citation][unanchored["id"]].obj.is_anchored
    assert validated.objects[Citation][_citation(document)["id"]].obj.is_anchored


def test_not_json_is_refused_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "timeline-export",\n  "version": }', encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 2, column 14: not JSON"):
        call_command("import_timeline", str(path))


# Atomicity


def test_a_failure_late_in_the_import_leaves_the_database_unchanged(
    small_timeline, monkeypatch, tmp_path
):
    path = tmp_path / "trade.json"
    path.write_text(export_text("trade"), encoding="utf-8")
    empty_content()

    def fail() -> None:
        # Everything is written by now: only the transaction can take it back.
        assert Event.objects.count() == 2
        raise DatabaseError("disk full")

    monkeypatch.setattr(backup, "_advance_sequences", fail)
    with pytest.raises(CommandError, match=r"the database refused the import \(disk full\)"):
        call_command("import_timeline", str(path), stdout=io.StringIO())

    assert not any(content_counts().values())


def test_a_failing_history_write_leaves_the_database_unchanged(small_timeline, monkeypatch):
    document = backup.export_timeline(small_timeline)
    empty_content()
    historical = Citation.history.model
    real = historical.objects.bulk_create

    def bulk_create(objs, *args, **kwargs):
        real(objs, *args, **kwargs)
        raise DatabaseError("connection lost")

    monkeypatch.setattr(historical.objects, "bulk_create", bulk_create)
    with pytest.raises(DatabaseError):
        backup.import_timeline(document)

    assert not any(content_counts().values())


# Importing where there is content already


def _rename_originals() -> None:
    """Free the timeline's and events' slugs; everything else stays as it is."""
    Timeline.objects.filter(slug="trade").update(slug="trade-original")
    for event in Event.objects.all():
        Event.objects.filter(pk=event.pk).update(slug=f"original-{event.slug}")


def _comparable(data: dict) -> dict:
    """An event's JSON without what differs between two copies: ids, slug and URL.

    A claim's citations are named by their place in the event's citations.
    """
    data = copy.deepcopy(data)
    for key in ("url", "slug"):
        data.pop(key)
    places = {citation.pop("id"): number for number, citation in enumerate(data["citations"])}
    for group in data["claims"]:
        for value in group["values"]:
            value.pop("id")
            value["citations"] = [places[pk] for pk in value["citations"]]
    evidence = data["date_evidence"]
    for found in (*evidence["citations"], *evidence["other"]):
        found["id"] = places[found["id"]]
    return data


def _renumbered(changes: list[dict], citation_ids: dict[int, int]) -> list[dict]:
    """A claim revision's changes, its citations' ids those of the other copy."""
    return [
        change
        | {
            side: [citation_ids[pk] for pk in change[side]] if change[side] is not None else None
            for side in ("old", "new")
        }
        if change["field"] == "citations"
        else change
        for change in changes
    ]


def test_import_into_a_database_with_content_reuses_lookups_and_remaps_ids(
    small_timeline, editor_api
):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    lookups = (Actor, Place, Tag, Source, ClaimProperty)
    counts = {model: model.objects.count() for model in lookups}
    lookup_history = {model: model.history.count() for model in lookups}
    old_ids = set(Event.objects.values_list("pk", flat=True))
    old_history_ids = set(Event.history.values_list("history_id", flat=True))
    old_claim_ids = set(Claim.history.values_list("id", flat=True))
    old_claim_history_ids = set(Claim.history.values_list("history_id", flat=True))

    report = backup.ImportReport()
    timeline = backup.import_timeline(document, report=report)

    # Same slugs (and for sources the same URL and text): reused, not duplicated.
    assert {model: model.objects.count() for model in counts} == counts
    assert {model: model.history.count() for model in lookup_history} == lookup_history
    assert report.reused == {
        "sources": 2,
        "places": 1,
        "actors": 2,
        "tags": 1,
        "properties": 2,
        "events": 0,
        "citations": 0,
        "claims": 0,
        "timelines": 0,
    }
    assert report.created["claims"] == 3
    new_ids = set(timeline.events.values_list("pk", flat=True))
    assert new_ids and not new_ids & old_ids
    assert not set(Event.history.filter(id__in=new_ids).values_list("history_id", flat=True)) & (
        old_history_ids
    )
    new_claims = Claim.history.filter(event_id__in=new_ids)
    assert new_claims.count() == len(old_claim_history_ids)
    assert not set(new_claims.values_list("id", flat=True)) & old_claim_ids
    assert not set(new_claims.values_list("history_id", flat=True)) & old_claim_history_ids
    for slug in ("talks", "draft"):
        new = editor_api.get(f"/api/v1/events/{slug}/?include_drafts=true").json()
        old = editor_api.get(f"/api/v1/events/original-{slug}/?include_drafts=true").json()
        assert _comparable(new) == _comparable(old)
        new_event, old_event = (Event.objects.get(slug=s) for s in (slug, f"original-{slug}"))
        # Citations, deleted ones too, were given new ids in the same order.
        citation_ids = dict(
            zip(
                sorted(set(Citation.history.filter(event=old_event).values_list("id", flat=True))),
                sorted(set(Citation.history.filter(event=new_event).values_list("id", flat=True))),
                strict=True,
            )
        )
        new_revisions = event_revisions(new_event.pk)
        old_revisions = event_revisions(old_event.pk)
        assert len(new_revisions) == len(old_revisions) > 1
        for new_revision, old_revision in zip(new_revisions, old_revisions, strict=True):
            assert new_revision["type"] == old_revision["type"]
            assert new_revision["changes"] == _renumbered(old_revision["changes"], citation_ids)
            assert new_revision["at"] == old_revision["at"]
            assert new_revision["user"] == old_revision["user"]


def test_taken_claim_and_property_ids_are_remapped_and_their_history_follows(small_timeline):
    document = backup.export_timeline(small_timeline)
    talks_row = document["events"][0]
    first_claim, second_claim = talks_row["claims"]
    rate_row, outcome_row = document["properties"]
    empty_content()
    # Another event here holds the ids of the talks, its first citation and claim, and the rate.
    other_event = EventFactory(slug="other", id=talks_row["id"])
    other_citation = CitationFactory(event=other_event, id=talks_row["citations"][0]["id"])
    other = ClaimFactory(
        id=first_claim["id"],
        event=other_event,
        property=ClaimPropertyFactory(id=rate_row["id"]),
        citations=[other_citation],
    )

    backup.import_timeline(document)

    talks = Event.objects.get(slug="talks")
    tariff = talks.citations.get(quote=TARIFF_QUOTE)
    unarchived = talks.citations.get(quote=UNARCHIVED_QUOTE)
    rate = ClaimProperty.objects.get(slug="tariff-rate")
    claims = {claim.value: claim for claim in talks.claims.all()}
    assert talks.pk != other_event.pk and tariff.pk != other_citation.pk
    assert rate.pk != other.property_id and claims["47%"].pk != other.pk
    # Free ids are kept.
    assert ClaimProperty.objects.get(slug="outcome").pk == outcome_row["id"]
    assert claims["over 40 percent"].pk == second_claim["id"]
    assert list(claims["47%"].citations.all()) == [tariff]
    assert set(claims["over 40 percent"].citations.all()) == {tariff, unarchived}
    assert {claim.property_id for claim in claims.values()} == {rate.pk}
    record = Claim.history.get(id=claims["47%"].pk)
    assert record.property_id == rate.pk
    links = backup._history_m2m(Claim, "citations").objects.filter(history_id=record.history_id)
    link = ClaimCitation.objects.get(claim=claims["47%"], citation=tariff)
    assert list(links.values_list("claim_id", "citation_id", "id")) == [
        (claims["47%"].pk, tariff.pk, link.pk)
    ]
    # The other claim keeps its own history (created, then cited) and citation.
    assert Claim.history.filter(id=other.pk).count() == 2
    assert list(Claim.objects.get(pk=other.pk).citations.all()) == [other_citation]


def test_a_reused_property_of_another_kind_reads_the_claims_its_own_way(small_timeline, editor_api):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    ClaimProperty.objects.filter(slug="tariff-rate").update(name="Overall tariff", kind="text")

    report = backup.ImportReport()
    backup.import_timeline(document, report=report)

    assert report.reused["properties"] == 2
    assert set(
        Claim.objects.filter(event__slug="talks").values_list("comparison_key", flat=True)
    ) == {
        "text|47%",
        "text|over 40 percent",
    }
    (group,) = editor_api.get("/api/v1/events/talks/").json()["claims"]
    assert group["property"] == {"slug": "tariff-rate", "name": "Overall tariff", "kind": "text"}


def test_a_claim_the_kind_of_its_reused_property_cannot_read_is_refused(
    small_timeline, stored_state
):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    ClaimProperty.objects.filter(slug="tariff-rate").update(kind="duration")
    before = stored_state()

    with pytest.raises(backup.DocumentError) as caught:
        backup.import_timeline(document)

    paths = [path for path, _ in caught.value.problems]
    assert paths == ["events[0].claims[0].value", "events[0].claims[1].value"]
    message = caught.value.problems[0][1]
    assert message.startswith("“47%” reads as a percentage")
    assert message.endswith(
        "The property “tariff-rate” is reused as it is here, where its values are of the kind "
        "“duration”, not “percentage”."
    )
    assert stored_state() == before


def test_a_property_name_taken_here_under_another_slug_is_refused(small_timeline, stored_state):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    ClaimProperty.objects.filter(slug="tariff-rate").update(slug="rate")
    before = stored_state()

    with pytest.raises(backup.DocumentError) as caught:
        backup.import_timeline(document)

    assert caught.value.problems == [
        (
            "properties[0].name",
            "a property named “Tariff rate” exists here with the slug “rate”; rename one of them",
        )
    ]
    assert stored_state() == before


def test_a_source_reused_by_url_and_text_under_another_slug(small_timeline):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    Source.objects.filter(slug="wire").update(slug="wire-renamed")

    backup.import_timeline(document)

    talks = Event.objects.get(slug="talks")
    assert {c.source.slug for c in talks.citations.all()} == {"wire-renamed", "bare"}
    assert Source.objects.count() == 2


def test_an_existing_timeline_or_event_slug_is_refused_naming_them(
    small_timeline, stored_state, tmp_path
):
    path = tmp_path / "trade.json"
    path.write_text(export_text("trade"), encoding="utf-8")
    Timeline.objects.filter(slug="trade").update(slug="other")
    before = stored_state()

    with pytest.raises(CommandError) as caught:
        call_command("import_timeline", str(path))

    message = str(caught.value)
    assert "events[0].slug: an event with the slug “talks” exists here" in message
    assert "events[1].slug: an event with the slug “draft” exists here" in message
    assert "timeline.slug" not in message
    assert stored_state() == before

    Timeline.objects.filter(slug="other").update(slug="trade")
    with pytest.raises(CommandError, match=r"timeline\.slug: a timeline with the slug “trade”"):
        call_command("import_timeline", str(path))


def test_a_source_slug_taken_by_a_different_source_is_refused(small_timeline, stored_state):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    Source.objects.filter(slug="wire").update(url="https://elsewhere.example.org/")
    before = stored_state()

    with pytest.raises(backup.DocumentError) as caught:
        backup.import_timeline(document)

    assert caught.value.problems == [
        (
            "sources[0].slug",
            "a source with the slug “wire” exists here with another URL or text; "
            "rename one of them",
        )
    ]
    assert stored_state() == before


def test_history_users_are_matched_by_username_or_kept_in_the_reason(small_timeline, editor):
    other = make_editor(username="another-editor")
    tariffs = Tag.objects.get(slug="tariffs")
    tariffs.name = "Tariffs and duties"
    tariffs._history_user = other
    tariffs._change_reason = "Clearer name"
    tariffs.save()
    document = backup.export_timeline(small_timeline)
    empty_content()
    username = editor.username
    editor.delete()
    other_id = other.pk
    other.delete()
    again = make_editor(username="another-editor")
    assert again.pk != other_id

    report = backup.ImportReport()
    backup.import_timeline(document, report=report)

    assert report.missing_users == {username}
    tag_record = Tag.history.get(name="Tariffs and duties")
    assert tag_record.history_user == again
    assert tag_record.history_change_reason == "Clearer name"
    event_record = Event.history.get(title="Trade talks in Geneva")
    assert event_record.history_user is None
    assert event_record.history_change_reason == f"[by {username}, not a user here]"


def test_a_long_reason_is_shortened_to_keep_the_missing_username():
    reason = backup._reason("x" * 100, "alice")
    assert len(reason) == 100
    assert reason.endswith("… [by alice, not a user here]")


# Sequences


def test_new_rows_after_a_restore_get_fresh_ids(small_timeline):
    """On PostgreSQL the sequences must be moved past the ids written, or the next insert
    collides; on both databases a new row must not take the id of a deleted one."""
    document = backup.export_timeline(small_timeline)
    empty_content()
    backup.import_timeline(document)

    source = SourceFactory()
    event = EventFactory()
    citation = CitationFactory(event=event, source=source)
    claim = ClaimFactory(event=event, citations=[citation])
    timeline = TimelineFactory(events=[event])
    place = PlaceFactory()
    actor = ActorFactory()
    tag = TagFactory()

    history = document["history"]
    for name, obj in [
        ("sources", source),
        ("events", event),
        ("citations", citation),
        ("claims", claim),
        ("properties", claim.property),
        ("timeline", timeline),
        ("places", place),
        ("actors", actor),
        ("tags", tag),
    ]:
        assert obj.pk > max(record["id"] for record in history[name]), name
    # The highest citation and claim ids written belong to deleted ones: they stay retired.
    for name, model, new in [("citations", Citation, citation), ("claims", Claim, claim)]:
        deleted = [r["id"] for r in history[name] if r["history_type"] == "-"]
        assert max(deleted) == max(r["id"] for r in history[name]), name
        assert not model.history.filter(id=new.pk, history_type="-").exists(), name


# Commands


def test_export_writes_to_a_file_or_standard_output(small_timeline, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_timeline", "trade", stdout=out, stderr=err)
    path = tmp_path / "trade.json"
    file_err = io.StringIO()
    call_command("export_timeline", "trade", "-o", str(path), stderr=file_err)

    assert path.read_text(encoding="utf-8") == out.getvalue()
    assert err.getvalue() == (
        "Exported timeline trade: 2 events, 3 citations, 2 sources, "
        f"{sum(len(rows) for rows in json.loads(out.getvalue())['history'].values())} "
        "history rows.\n"
    )
    assert f"to {path}." in file_err.getvalue()


def test_import_reads_standard_input(small_timeline, monkeypatch):
    text = export_text("trade")
    empty_content()

    summary = import_text(text, monkeypatch)

    assert summary.startswith(
        "Imported timeline trade: 2 events, 3 citations, 3 claims, 2 sources, "
    )
    assert Timeline.objects.get().slug == "trade"


def test_unknown_slug_and_missing_file_are_command_errors(db, tmp_path):
    with pytest.raises(CommandError, match="No timeline has the slug “nope”"):
        call_command("export_timeline", "nope")
    with pytest.raises(CommandError, match=r"missing\.json: No such file or directory"):
        call_command("import_timeline", str(tmp_path / "missing.json"))


def test_history_users_missing_here_are_reported_by_the_command(small_timeline, editor, tmp_path):
    path = tmp_path / "trade.json"
    path.write_text(export_text("trade"), encoding="utf-8")
    empty_content()
    get_user_model().objects.filter(pk=editor.pk).delete()

    out = io.StringIO()
    call_command("import_timeline", str(path), stdout=out)

    assert f"No user here for {editor.username}" in out.getvalue()


@pytest.mark.postgresql
def test_bulk_writes_are_split_to_stay_under_the_parameter_limit(small_timeline, monkeypatch):
    # PostgreSQL takes 65,535 parameters a query with server-side binding
    # (config/postgresql); a limit this low splits every bulk write of the small
    # timeline as a large one is split under the real limit.
    exported = export_text("trade")
    empty_content()
    monkeypatch.setattr("config.postgresql.base.MAX_QUERY_PARAMETERS", 20)
    with CaptureQueriesContext(connection) as queries:
        backup.import_timeline(json.loads(exported))

    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "timeline_citation"')]
    # One citation a query: each takes more than 10 of the 20 parameters.
    assert len(inserts) == Citation.objects.count() > 1
    assert export_text("trade") == exported


# import_timeline --replace: a timeline's copy here replaced in one transaction


def import_document(document: dict, monkeypatch, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(document)))
    out = io.StringIO()
    call_command("import_timeline", "-", *args, stdout=out)
    return out.getvalue()


def edited_export(slug: str) -> dict:
    document = json.loads(export_text(slug))
    talks = next(event for event in document["events"] if event["slug"] == "talks")
    talks["title"] = "Trade talks in Geneva, corrected"
    return document


def test_without_replace_a_timeline_here_is_refused(small_timeline, monkeypatch):
    with pytest.raises(CommandError, match="a timeline with the slug “trade” exists here"):
        import_document(edited_export("trade"), monkeypatch)


def test_replace_swaps_the_copy_here_for_the_documents_keeping_its_history(
    small_timeline, monkeypatch
):
    document = edited_export("trade")
    old_ids = set(Event.objects.filter(timelines=small_timeline).values_list("pk", flat=True))

    out = import_document(document, monkeypatch, "--replace")

    assert "Replaced timeline trade here: its 2 events deleted, their history kept." in out
    timeline = Timeline.objects.get(slug="trade")
    assert set(timeline.events.values_list("slug", flat=True)) == {"talks", "draft"}
    assert Event.objects.get(slug="talks").title == "Trade talks in Geneva, corrected"
    assert Event.objects.count() == 2
    # What was here is deleted as editors delete: a revision each, restorable.
    deletions = Event.history.filter(history_type="-")
    assert {record.slug for record in deletions} == {"talks", "draft"}
    assert {record.id for record in deletions} == old_ids


def test_replace_of_a_timeline_not_here_is_an_import(small_timeline, monkeypatch):
    document = edited_export("trade")
    document["timeline"]["slug"] = "trade-copy"
    for event in document["events"]:
        event["slug"] += "-copy"

    out = import_document(document, monkeypatch, "--replace")

    assert "Replaced" not in out
    assert Timeline.objects.count() == 2


def test_a_replace_that_fails_leaves_the_copy_here_as_it_was(small_timeline, monkeypatch):
    document = edited_export("trade")
    # A source with the slug of one here but another text: refused after the deletions.
    wire = next(source for source in document["sources"] if source["slug"] == "wire")
    wire["url"] = "https://elsewhere.example.org/wire"

    with pytest.raises(CommandError, match="Nothing was imported"):
        import_document(document, monkeypatch, "--replace")

    assert Event.objects.get(slug="talks").title == "Trade talks in Geneva"
    assert set(small_timeline.events.values_list("slug", flat=True)) == {"talks", "draft"}
    assert not Event.history.filter(history_type="-").exists()


def test_replace_refuses_an_event_that_another_timeline_shows(small_timeline, monkeypatch):
    TimelineFactory(slug="other", events=[Event.objects.get(slug="talks")])

    with pytest.raises(CommandError, match="event “talks” is also in another timeline"):
        import_document(edited_export("trade"), monkeypatch, "--replace")

    assert Event.objects.filter(slug="talks").exists()


def test_replace_deletes_parts_before_the_events_they_are_part_of(small_timeline, monkeypatch):
    talks = Event.objects.get(slug="talks")
    part = EventFactory(slug="talks-day-two", super_event=talks, date=talks.date, day_order=1)
    small_timeline.events.add(part)
    document = json.loads(export_text("trade"))

    import_document(document, monkeypatch, "--replace")

    restored = Event.objects.get(slug="talks-day-two")
    assert restored.super_event.slug == "talks"


def test_a_restore_keeps_editors_etags_and_moves_the_public_ones(
    small_timeline, monkeypatch, editor_api, client, commit
):
    """What the command's help says: versions are the document's, public ETags change."""
    url = "/api/v1/events/talks/"
    editors, public = editor_api.get(url)["ETag"], client.get(url)["ETag"]
    document = json.loads(export_text("trade"))

    with commit():
        import_document(document, monkeypatch, "--replace")

    assert editor_api.get(url)["ETag"] == editors
    assert client.get(url)["ETag"] != public
    from timeline.management.commands.import_timeline import Command

    assert "Editors' ETags (versions) are the document's; public reads' ETags" in Command.help

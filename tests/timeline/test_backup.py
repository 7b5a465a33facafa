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
from rest_framework.test import APIClient

from sources.models import Source
from tests.factories import (
    SAMPLE_TEXT,
    ActorFactory,
    CitationFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
    make_editor,
)
from timeline import backup
from timeline.history import event_revisions
from timeline.models import Actor, Citation, Event, Place, Tag, Timeline

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

# Deleted in this order: events before the places and sources they protect.
CONTENT = [Timeline, Event, Citation, Source, Place, Actor, Tag]
TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
GENEVA_QUOTE = "The trade ministers met in Geneva on Monday."
SPRING_QUOTE = "The talks will resume in spring."
SEED_SLUG = "us-china-trade-2025"


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
    through = [Event.actors.through, Event.tags.through, Timeline.events.through]
    return {
        model._meta.label: model._default_manager.count()
        for model in [*CONTENT, *through, *history_tables()]
    }


def empty_content() -> None:
    """Leave the content tables as in a new database: no rows, sequences back at 1."""
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
    ]


def snapshot(editor_client: APIClient, slug: str) -> dict[str, tuple]:
    """Status, raw bytes and validators of every response a restore must reproduce."""
    anonymous = APIClient()
    requests = [(anonymous, url) for url in public_urls(slug)]
    requests += [
        (editor_client, f"/api/v1/timelines/{slug}/?include_drafts=true"),
        (editor_client, "/api/v1/events/?include_drafts=true&page_size=200"),
        (editor_client, "/api/v1/sources/?include_drafts=true"),
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


@pytest.fixture
def small_timeline(editor) -> Timeline:
    """A timeline with every kind of object, a draft, an unanchored source and user revisions."""
    wire = SourceFactory(slug="wire", url="https://news.example.org/wire")
    bare = SourceFactory(slug="bare", url="", text="")
    geneva = PlaceFactory(slug="geneva", latitude=Decimal("46.20440"), longitude=Decimal("6.14320"))
    usa, china = ActorFactory(slug="usa"), ActorFactory(slug="china")
    tariffs = TagFactory(slug="tariffs")
    talks = EventFactory(slug="talks", place=geneva, actors=[usa, china], tags=[tariffs])
    CitationFactory(event=talks, source=wire, quote=TARIFF_QUOTE)
    CitationFactory(event=talks, source=bare, quote="Words from an article not archived.")
    draft = EventFactory(slug="draft", published_at=None, date="2025-05~")
    CitationFactory(event=draft, source=wire, quote=GENEVA_QUOTE)
    dropped = CitationFactory(event=draft, source=wire, quote=SPRING_QUOTE)
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
    revisions = {event.slug: event_revisions(event.pk) for event in Event.objects.all()}
    history_rows = sum(len(rows) for rows in document["history"].values())

    empty_content()
    report = backup.ImportReport()
    backup.import_timeline(document, report=report)

    assert report.history_rows == history_rows
    assert dict(Event.objects.values_list("slug", "version")) == versions
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

    assert "Imported timeline trade: 2 events, 3 citations, 2 sources" in summary
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


# Validation


def _citation(document) -> dict:
    return document["events"][0]["citations"][0]


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
        lambda d: d["tags"][0].update(name="x" * 101),
        "tags[0].name: is 101 characters long; at most 100 fit",
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
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_an_invalid_document_is_refused_naming_the_path_and_nothing_is_written(
    case, small_timeline, stored_state, tmp_path
):
    document = backup.export_timeline(small_timeline)
    break_it, expected = INVALID[case]
    break_it(document)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    before = stored_state()

    with pytest.raises(CommandError) as caught:
        call_command("import_timeline", str(path), stdout=io.StringIO())

    assert expected in str(caught.value)
    assert "Nothing was imported." in str(caught.value)
    assert stored_state() == before


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
    """An event's JSON without what differs between two copies: ids, slug and URL."""
    data = copy.deepcopy(data)
    for key in ("url", "slug"):
        data.pop(key)
    for citation in data["citations"]:
        citation.pop("id")
    return data


def test_import_into_a_database_with_content_reuses_lookups_and_remaps_ids(
    small_timeline, editor_api
):
    document = backup.export_timeline(small_timeline)
    _rename_originals()
    counts = {model: model.objects.count() for model in (Actor, Place, Tag, Source)}
    lookup_history = {model: model.history.count() for model in (Actor, Place, Tag, Source)}
    old_ids = set(Event.objects.values_list("pk", flat=True))
    old_history_ids = set(Event.history.values_list("history_id", flat=True))

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
        "events": 0,
        "citations": 0,
        "timelines": 0,
    }
    new_ids = set(timeline.events.values_list("pk", flat=True))
    assert new_ids and not new_ids & old_ids
    assert not set(Event.history.filter(id__in=new_ids).values_list("history_id", flat=True)) & (
        old_history_ids
    )
    for slug in ("talks", "draft"):
        new = editor_api.get(f"/api/v1/events/{slug}/?include_drafts=true").json()
        old = editor_api.get(f"/api/v1/events/original-{slug}/?include_drafts=true").json()
        assert _comparable(new) == _comparable(old)
        new_revisions = event_revisions(Event.objects.get(slug=slug).pk)
        old_revisions = event_revisions(Event.objects.get(slug=f"original-{slug}").pk)
        assert len(new_revisions) == len(old_revisions) > 1
        for new_revision, old_revision in zip(new_revisions, old_revisions, strict=True):
            assert new_revision["type"] == old_revision["type"]
            assert new_revision["changes"] == old_revision["changes"]
            assert new_revision["at"] == old_revision["at"]
            assert new_revision["user"] == old_revision["user"]


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
    timeline = TimelineFactory(events=[event])
    place = PlaceFactory()
    actor = ActorFactory()
    tag = TagFactory()

    history = document["history"]
    for name, obj in [
        ("sources", source),
        ("events", event),
        ("citations", citation),
        ("timeline", timeline),
        ("places", place),
        ("actors", actor),
        ("tags", tag),
    ]:
        assert obj.pk > max(record["id"] for record in history[name]), name
    # The highest citation id written belongs to a deleted citation: it stays retired.
    deleted = [r["id"] for r in history["citations"] if r["history_type"] == "-"]
    assert max(deleted) == max(r["id"] for r in history["citations"])
    assert Citation.history.filter(id=citation.pk).count() == 1


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

    assert summary.startswith("Imported timeline trade: 2 events, 3 citations, 2 sources, ")
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

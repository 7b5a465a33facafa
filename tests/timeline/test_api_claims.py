"""Claims and properties through the API: reads, the disputed filter, writes and bad input."""

import pytest

from tests.conftest import APIClient, checking
from tests.factories import (
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
)
from timeline.models import Citation, Claim, ClaimProperty, Event

pytestmark = pytest.mark.django_db

CLAIMS_URL = "/api/v1/claims/"
PROPERTIES_URL = "/api/v1/properties/"
EVENTS_URL = "/api/v1/events/"
DRAFTS = {"include_drafts": "true"}
GENEVA = "The trade ministers met in Geneva on Monday."
PAUSE = "The talks will resume in spring."
TARIFF = "Tariffs will fall from 57% to 47%."


def claim_url(claim) -> str:
    return f"{CLAIMS_URL}{claim.pk}/"


def invalid_fields(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    for field in body["errors"]:
        assert field in body["detail"]
    return body["errors"]


@pytest.fixture
def duration():
    return ClaimPropertyFactory(slug="duration", name="Duration", kind="duration")


@pytest.fixture
def meeting():
    """A published event with three citations from two sources."""
    event = EventFactory(slug="meeting")
    wire, gazette = SourceFactory(), SourceFactory()
    event.quotes = [
        CitationFactory(event=event, source=wire, quote=GENEVA),
        CitationFactory(event=event, source=gazette, quote=PAUSE),
        CitationFactory(event=event, source=gazette, quote=TARIFF),
    ]
    return event


# Reads


def test_an_events_claims_are_grouped_by_property_with_the_dispute_flagged(
    api_client, meeting, duration
):
    geneva, pause, tariff = meeting.quotes
    share = ClaimPropertyFactory(slug="share", name="Share", kind="percentage")
    eighty = ClaimFactory(event=meeting, property=duration, value="80 minutes", citations=[geneva])
    about = ClaimFactory(
        event=meeting, property=duration, value="about 100 minutes", citations=[pause, tariff]
    )
    exact = ClaimFactory(
        event=meeting,
        property=duration,
        value="one hour and 40 minutes",
        rank="preferred",
        rank_note="The only timed account.",
        citations=[tariff],
    )
    ClaimFactory(event=meeting, property=share, value="over 70%", citations=[tariff])

    claims = api_client.get(f"{EVENTS_URL}meeting/").json()["claims"]

    assert [(g["property"]["slug"], g["disputed"]) for g in claims] == [
        ("duration", True),
        ("share", False),
    ]
    values = claims[0]["values"]
    # Preferred first; then the narrowest reading (80 minutes exactly before 90 to 110).
    assert [v["value"] for v in values] == [
        "one hour and 40 minutes",
        "80 minutes",
        "about 100 minutes",
    ]
    assert [v["normalized"]["text"] for v in values] == [
        "100 minutes",
        "80 minutes",
        "about 100 minutes",
    ]
    # 80 minutes is neither 100 nor within 90 to 110; those two agree. Ids in the values' order.
    assert [v["conflicts_with"] for v in values] == [
        [eighty.pk],
        [exact.pk, about.pk],
        [eighty.pk],
    ]
    assert values[0]["rank_note"] == "The only timed account."
    assert values[2]["citations"] == [pause.pk, tariff.pk]
    # Two citations of one source: the source once.
    assert [s["id"] for s in values[2]["sources"]] == [pause.source_id]
    assert claims[1]["values"][0]["normalized"] == {
        "text": "more than 70%",
        "qualifier": "more than",
        "approximate": False,
        "amount": 70,
        "upper": None,
        "unit": "percent",
        "interval": {"lower": 70, "upper": None, "lower_open": True, "upper_open": False},
    }
    assert claims[1]["values"][0]["conflicts_with"] == []


def test_the_list_and_the_timeline_carry_the_same_claims_as_the_event(
    api_client, meeting, duration
):
    from tests.factories import TimelineFactory

    ClaimFactory(event=meeting, property=duration, value="80 minutes", citations=meeting.quotes[:1])
    ClaimFactory(
        event=meeting, property=duration, value="about 100 minutes", citations=meeting.quotes[1:2]
    )
    # Overlapping readings of another property: no dispute there.
    share = ClaimPropertyFactory(slug="share", name="Share", kind="percentage")
    ClaimFactory(event=meeting, property=share, value="47%", citations=meeting.quotes[2:])
    ClaimFactory(event=meeting, property=share, value="over 40%", citations=meeting.quotes[:1])
    timeline = TimelineFactory(events=[meeting])

    detail = api_client.get(f"{EVENTS_URL}meeting/").json()["claims"]
    listed = api_client.get(EVENTS_URL).json()["results"][0]["claims"]
    in_timeline = api_client.get(f"/api/v1/timelines/{timeline.slug}/").json()["events"][0]

    assert detail == listed == in_timeline["claims"]
    assert [group["disputed"] for group in detail] == [True, False]
    assert [value["conflicts_with"] for value in detail[1]["values"]] == [[], []]


def test_events_filter_by_dispute(api_client, duration):
    for slug, values in (
        ("split", ["80 minutes", "1 hour"]),
        ("agreed", ["1 hour", "60 min"]),
        # Other readings, but 80 minutes is more than an hour: no dispute.
        ("overlapping", ["80 minutes", "just over an hour"]),
    ):
        event = EventFactory(slug=slug)
        for text in values:
            ClaimFactory(event=event, property=duration, value=text)
    EventFactory(slug="none")
    EventFactory(slug="draft-split", published_at=None)

    for value, expected in (("true", {"split"}), ("false", {"agreed", "overlapping", "none"})):
        body = api_client.get(EVENTS_URL, {"disputed": value}).json()

        assert {event["slug"] for event in body["results"]} == expected, value
        assert body["count"] == len(expected), value


def test_a_disputed_filter_other_than_true_or_false_is_a_400_naming_it(api_client):
    for value in ["maybe", "TRUE", "yes", "1"]:
        with checking(value):
            errors = invalid_fields(api_client.get(EVENTS_URL, {"disputed": value}))

            assert list(errors) == ["disputed"]
            assert value in errors["disputed"][0]


def test_an_empty_disputed_filter_filters_nothing(api_client):
    EventFactory.create_batch(2)

    assert api_client.get(EVENTS_URL, {"disputed": ""}).json()["count"] == 2


def test_claims_list_shows_claims_of_published_events_by_event_and_property(
    api_client, editor_api, duration
):
    shown = ClaimFactory(property=duration, value="80 minutes")
    other = ClaimFactory(property=ClaimPropertyFactory(kind="percentage"))
    draft = ClaimFactory(property=duration, value="1 hour", event=EventFactory(published_at=None))

    def ids(client, **params):
        response = client.get(CLAIMS_URL, params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["results"]]

    assert ids(api_client) == [shown.pk, other.pk]
    assert ids(api_client, property="duration") == [shown.pk]
    assert ids(api_client, event=shown.event.slug) == [shown.pk]
    assert api_client.get(CLAIMS_URL, {"event": "no\x00slug"}).status_code == 400
    assert ids(editor_api, include_drafts="true", property="duration") == [shown.pk, draft.pk]
    assert api_client.get(claim_url(draft)).status_code == 404
    assert api_client.get(CLAIMS_URL, DRAFTS).status_code == 401


def test_a_claim_reads_with_its_event_property_and_compare_as(api_client, meeting, duration):
    claim = ClaimFactory(
        event=meeting,
        property=duration,
        value="the better part of two hours",
        normalized_as="105 minutes",
        citations=meeting.quotes[:2],
    )

    body = api_client.get(claim_url(claim)).json()

    assert body == {
        "id": claim.pk,
        "event": "meeting",
        "property": {"slug": "duration", "name": "Duration", "kind": "duration"},
        "value": "the better part of two hours",
        "normalized_as": "105 minutes",
        "normalized": {
            "text": "105 minutes",
            "qualifier": "exactly",
            "approximate": False,
            "amount": 105,
            "upper": None,
            "unit": "minute",
            "interval": {"lower": 105, "upper": 105, "lower_open": False, "upper_open": False},
        },
        "rank": "normal",
        "rank_note": "",
        "citations": [c.pk for c in meeting.quotes[:2]],
        "sources": [
            {
                "id": source.pk,
                "slug": source.slug,
                "title": source.title,
                "publisher": source.publisher,
                "url": source.url,
                "published_on": None,
                "language": "en",
            }
            for source in (meeting.quotes[0].source, meeting.quotes[1].source)
        ],
        "version": 1,
    }


def test_claims_list_query_count_is_constant(
    api_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    prop = ClaimPropertyFactory(kind="percentage")
    for count in (1, 20):
        with django_capture_on_commit_callbacks(execute=True):  # the writes commit
            for _ in range(count - Claim.objects.count()):
                event = EventFactory()
                ClaimFactory(event=event, property=prop, citations=[CitationFactory(event=event)])

        # 1. the content generation; 2. COUNT of claims of published events;
        # 3. the ids of the page's; 4. those claims, JOIN property, event and
        # their citations' links; 5. those citations, JOIN source.
        with django_assert_num_queries(5):
            body = api_client.get(CLAIMS_URL).json()

        assert body["count"] == count
        assert all(len(item["sources"]) == 1 for item in body["results"])


# Writes


def test_an_editor_adds_a_claim_and_the_event_shows_it(api_client, editor_api, meeting, duration):
    version = Event.objects.get(pk=meeting.pk).version
    before = api_client.get(f"{EVENTS_URL}meeting/").json()["claims"]

    response = editor_api.post(
        CLAIMS_URL,
        {
            "event": "meeting",
            "property": "duration",
            "value": "just over an hour",
            "citations": [meeting.quotes[1].pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert response["Location"] == f"http://testserver{claim_url(claim)}"
    assert response["ETag"] == '"1"'
    assert response.json()["normalized"]["text"] == "more than 1 hour"
    assert [c.pk for c in claim.citations.all()] == [meeting.quotes[1].pk]
    # The event's version covers its claims; its cached JSON moves on.
    assert Event.objects.get(pk=meeting.pk).version == version + 1
    after = api_client.get(f"{EVENTS_URL}meeting/").json()["claims"]
    assert before == [] and after[0]["values"][0]["value"] == "just over an hour"
    (record,) = claim.history.all()
    assert record.history_type == "+"
    assert [row.citation_id for row in record.citations.all()] == [meeting.quotes[1].pk]


def test_changing_a_claim_needs_its_etag_and_records_one_revision(editor_api, meeting, duration):
    claim = ClaimFactory(event=meeting, property=duration, value="80 minutes")
    revisions = claim.history.count()
    payload = {
        "rank": "deprecated",
        "rank_note": "A misreading.",
        "citations": [meeting.quotes[2].pk],
    }

    missing = editor_api.patch(claim_url(claim), payload, format="json")
    stale = editor_api.patch(claim_url(claim), payload, format="json", HTTP_IF_MATCH='"7"')
    changed = editor_api.patch(claim_url(claim), payload, format="json", HTTP_IF_MATCH='"1"')

    assert (missing.status_code, stale.status_code, changed.status_code) == (428, 412, 200)
    assert changed["ETag"] == '"2"'
    assert changed.json()["rank"] == "deprecated"
    assert changed.json()["citations"] == [meeting.quotes[2].pk]
    latest = claim.history.latest()
    assert (latest.history_type, latest.rank) == ("~", "deprecated")
    assert [row.citation_id for row in latest.citations.all()] == [meeting.quotes[2].pk]
    assert claim.history.count() == revisions + 1


def test_deleting_a_claim_keeps_its_citations(editor_api, meeting, duration):
    claim = ClaimFactory(event=meeting, property=duration, value="80 minutes")
    citation = claim.citations.get()

    response = editor_api.delete(claim_url(claim), HTTP_IF_MATCH='"1"')

    assert response.status_code == 204
    assert not Claim.objects.exists()
    assert Citation.objects.filter(pk=citation.pk).exists()
    assert claim.history.filter(history_type="-").exists()


BAD_CLAIMS = [
    (
        {"citations": []},
        {"citations": ["Cite at least one source: pick the citation that states it."]},
    ),
    (
        {"rank": "preferred"},
        {"rank_note": ["Say why this value is preferred: readers see the reason beside it."]},
    ),
    ({"rank": "best"}, {"rank": ['"best" is not a valid choice.']}),
    (
        {"value": "47%"},
        {
            "value": [
                "“47%” reads as a percentage (47%), but this property takes a duration, "
                "like “100 minutes” or “more than 1 hour”."
            ]
        },
    ),
    (
        {"value": "a long talk", "normalized_as": "long"},
        {
            "normalized_as": [
                "“long” cannot be read as a duration: write it like “100 minutes” or "
                "“more than 1 hour”."
            ]
        },
    ),
    ({"value": ""}, {"value": ["This field may not be blank."]}),
    ({"property": "nope"}, {"property": ["Object with slug=nope does not exist."]}),
    ({"event": "nope"}, {"event": ["Object with slug=nope does not exist."]}),
    (
        {"citations": [10**30]},
        {"citations": ["There is no citation with id " + "1" + "0" * 30 + "."]},
    ),
    ({"citations": ["x"]}, {"citations": ["Incorrect type. Expected pk value, received str."]}),
    ({"colour": "red"}, {"colour": ["Unknown field."]}),
]


def test_bad_claims_are_refused_naming_the_field(editor_api, meeting, duration, stored_state):
    valid = {
        "event": "meeting",
        "property": "duration",
        "value": "80 minutes",
        "citations": [meeting.quotes[0].pk],
    }
    before = stored_state()

    for payload, errors in BAD_CLAIMS:
        response = editor_api.post(CLAIMS_URL, valid | payload, format="json")

        with checking(payload):
            assert invalid_fields(response) == errors
            assert stored_state() == before


def test_every_problem_of_a_claim_is_named_at_once(editor_api, meeting, duration):
    response = editor_api.post(
        CLAIMS_URL,
        {
            "event": "meeting",
            "property": "duration",
            "value": "47%",
            "rank": "preferred",
            "citations": [],
        },
        format="json",
    )

    assert set(invalid_fields(response)) == {"value", "rank_note", "citations"}


def test_a_claim_citing_another_events_citation_is_refused(
    editor_api, meeting, duration, stored_state
):
    other = CitationFactory()
    before = stored_state()

    response = editor_api.post(
        CLAIMS_URL,
        {"event": "meeting", "property": "duration", "value": "1 hour", "citations": [other.pk]},
        format="json",
    )

    assert invalid_fields(response) == {
        "citations": [f"Cite this event's own citations; not citation {other.pk}."]
    }
    assert stored_state() == before


def test_moving_a_claim_to_another_event_needs_that_events_citations(editor_api, meeting, duration):
    claim = ClaimFactory(event=meeting, property=duration, value="80 minutes")
    elsewhere = EventFactory(slug="elsewhere")

    refused = editor_api.patch(
        claim_url(claim), {"event": "elsewhere"}, format="json", HTTP_IF_MATCH='"1"'
    )
    moved = editor_api.patch(
        claim_url(claim),
        {"event": "elsewhere", "citations": [CitationFactory(event=elsewhere).pk]},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert list(invalid_fields(refused)) == ["citations"]
    assert moved.status_code == 200, moved.content
    assert Claim.objects.get().event == elsewhere


def test_the_same_value_twice_is_refused(editor_api, meeting, duration):
    ClaimFactory(event=meeting, property=duration, value="80 minutes")

    response = editor_api.post(
        CLAIMS_URL,
        {
            "event": "meeting",
            "property": "duration",
            "value": "80 minutes",
            "citations": [meeting.quotes[1].pk],
        },
        format="json",
    )

    assert invalid_fields(response) == {
        "non_field_errors": [
            "This event already has this value for this property: add the citation to that "
            "claim instead."
        ]
    }


def test_only_editors_write_claims(api_client, reader_api, meeting, duration):
    for client, status in ((api_client, 401), (reader_api, 403)):
        response = client.post(
            CLAIMS_URL,
            {"event": "meeting", "property": "duration", "value": "1 hour", "citations": []},
            format="json",
        )

        assert response.status_code == status
        assert not Claim.objects.exists()


# Citations that claims state


def test_a_citation_a_claim_states_cannot_be_deleted_alone(editor_api, meeting, duration):
    claim = ClaimFactory(event=meeting, property=duration, value="80 minutes")
    citation = claim.citations.get()

    response = editor_api.delete(f"/api/v1/citations/{citation.pk}/", HTTP_IF_MATCH='"1"')

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Still in use, so it was not deleted: claim it states “Duration: 80 "
        "minutes”. Remove those references first.",
        "code": "conflict",
    }
    assert Citation.objects.filter(pk=citation.pk).exists()


def test_an_event_write_may_not_drop_a_citation_a_claim_states(
    editor_api, meeting, duration, stored_state
):
    ClaimFactory(event=meeting, property=duration, value="80 minutes", citations=meeting.quotes[:1])
    etag = editor_api.get(f"{EVENTS_URL}meeting/", DRAFTS)["ETag"]
    kept = [{"id": c.pk, "source": c.source_id, "quote": c.quote} for c in meeting.quotes[1:]]
    before = stored_state()

    response = editor_api.patch(
        f"{EVENTS_URL}meeting/", {"citations": kept}, format="json", HTTP_IF_MATCH=etag
    )

    assert invalid_fields(response) == {
        "citations": [
            f"Citation {meeting.quotes[0].pk} states the claim “Duration: 80 minutes”: remove "
            "it from the claim first (or keep it in this list)."
        ]
    }
    assert stored_state() == before


def test_an_event_read_sent_back_as_a_write_keeps_its_claims(editor_api, meeting, duration):
    ClaimFactory(event=meeting, property=duration, value="80 minutes", citations=meeting.quotes[:1])
    read = editor_api.get(f"{EVENTS_URL}meeting/", DRAFTS)
    body = read.json()
    body["claims"][0]["values"][0]["value"] = "ignored: claims are written at /claims/"

    response = editor_api.put(
        f"{EVENTS_URL}meeting/", body, format="json", HTTP_IF_MATCH=read["ETag"]
    )

    assert response.status_code == 200, response.content
    assert list(Claim.objects.values_list("value", flat=True)) == ["80 minutes"]


def test_a_citation_that_states_a_claim_cannot_move_to_another_event(editor_api, meeting, duration):
    claim = ClaimFactory(event=meeting, property=duration, value="80 minutes")
    citation = claim.citations.get()
    EventFactory(slug="elsewhere")

    response = editor_api.patch(
        f"/api/v1/citations/{citation.pk}/",
        {"event": "elsewhere"},
        format="json",
        HTTP_IF_MATCH=f'"{citation.version}"',
    )

    assert invalid_fields(response) == {
        "event": [
            "This citation states claims of its event (“Duration: 80 minutes”): it cannot "
            "move to another event while they cite it."
        ]
    }
    assert Citation.objects.get(pk=citation.pk).event == meeting


def test_the_events_history_lists_its_claims_revisions(editor, editor_api, meeting, duration):
    response = editor_api.post(
        CLAIMS_URL,
        {
            "event": "meeting",
            "property": "duration",
            "value": "80 minutes",
            "citations": [meeting.quotes[0].pk],
        },
        format="json",
    )
    claim_id = response.json()["id"]
    editor_api.patch(
        f"{CLAIMS_URL}{claim_id}/", {"value": "81 minutes"}, format="json", HTTP_IF_MATCH='"1"'
    )

    revisions = editor_api.get(f"{EVENTS_URL}meeting/history/").json()["results"]

    claims = [r for r in revisions if r["object"] == "claim"]
    name = editor.get_username()
    assert [(r["type"], r["user"]) for r in claims] == [("changed", name), ("created", name)]
    assert claims[0]["changes"] == [{"field": "value", "old": "80 minutes", "new": "81 minutes"}]
    assert {c["field"]: c["new"] for c in claims[1]["changes"]} == {
        "property": "duration",
        "value": "80 minutes",
        "rank": "normal",
        "citations": [meeting.quotes[0].pk],
    }


# Properties


def test_an_editor_adds_and_renames_a_property(api_client, editor_api):
    created = editor_api.post(
        PROPERTIES_URL,
        {"slug": "duration", "name": "Duration", "kind": "duration", "wikidata_id": "P2047"},
        format="json",
    )
    renamed = editor_api.patch(
        f"{PROPERTIES_URL}duration/", {"name": "Length"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert created.status_code == 201, created.content
    assert renamed.json() == {
        "slug": "duration",
        "name": "Length",
        "kind": "duration",
        "description": "",
        "wikidata_id": "P2047",
        "version": 2,
    }
    # Editors see it; readers once a published event's claim uses it.
    assert editor_api.get(PROPERTIES_URL).json()["results"][0]["name"] == "Length"


def test_a_property_kind_change_reads_its_claims_again(api_client, editor_api, duration):
    claim = ClaimFactory(property=duration, value="80 minutes")

    response = editor_api.patch(
        f"{PROPERTIES_URL}duration/", {"kind": "text"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert response.status_code == 200, response.content
    claim.refresh_from_db()
    assert claim.comparison_key == "text|80 minutes"
    event = api_client.get(f"{EVENTS_URL}{claim.event.slug}/").json()
    assert event["claims"][0]["values"][0]["normalized"]["qualifier"] is None


def test_a_property_kind_its_claims_cannot_take_is_refused(editor_api, duration):
    ClaimFactory(property=duration, value="80 minutes")

    response = editor_api.patch(
        f"{PROPERTIES_URL}duration/", {"kind": "percentage"}, format="json", HTTP_IF_MATCH='"1"'
    )

    errors = invalid_fields(response)
    assert list(errors) == ["kind"]
    assert "1 claim(s) cannot be read this way" in errors["kind"][0]
    assert ClaimProperty.objects.get().kind == "duration"


def test_a_property_in_use_cannot_be_deleted(editor_api, duration):
    ClaimFactory(property=duration, value="80 minutes")

    response = editor_api.delete(f"{PROPERTIES_URL}duration/", HTTP_IF_MATCH='"1"')

    assert response.status_code == 409
    assert ClaimProperty.objects.exists()


def test_anonymous_clients_read_properties_but_do_not_write_them(duration):
    ClaimFactory(property=duration, value="80 minutes")  # of a published event
    client = APIClient()

    assert client.get(f"{PROPERTIES_URL}duration/").json()["kind"] == "duration"
    assert client.post(PROPERTIES_URL, {"slug": "x", "name": "X"}, format="json").status_code == 401

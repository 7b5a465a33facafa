"""Claims in the editors' workspace: on their event's page, in their own list, and properties."""

import re

import pytest
from django.contrib.auth.models import Permission

from tests.conftest import checking
from tests.factories import (
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    SourceFactory,
)
from tests.timeline.test_admin import field_errors, message_texts
from tests.timeline.test_admin_history import submitted_form
from timeline.admin import EventAdmin
from timeline.models import Citation, Claim, ClaimProperty, Event

EVENTS_URL = "/admin/timeline/event/"
CLAIMS_URL = "/admin/timeline/claim/"
PROPERTIES_URL = "/admin/timeline/claimproperty/"

TARIFF_QUOTE = "Tariffs will fall from 57% to 47%."
SPRING_QUOTE = "The talks will resume in spring."
NO_CITATION = "Cite at least one source: pick the citation that states it."
TAKEN = (
    "This event already has this value for this property: add the citation to that claim instead."
)


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def source_link(citation, title: str, number: int) -> str:
    """A claim's cited source as its column links it, with the citation's number."""
    url = f"/admin/sources/source/{citation.source_id}/change/"
    return f'<a href="{url}" title="{title}">{title}</a> [{number}]'


def management_form(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def claim_row(claim: Claim | None = None, **fields) -> dict:
    """One row of the claims inline: a saved claim as it stands, or a new one."""
    row = {
        "id": "",
        "property": "",
        "value": "",
        "normalized_as": "",
        "rank": "normal",
        "rank_note": "",
        "cited": [],
    }
    if claim is not None:
        row |= {
            "id": str(claim.pk),
            "property": str(claim.property_id),
            "value": claim.value,
            "normalized_as": claim.normalized_as,
            "rank": claim.rank,
            "rank_note": claim.rank_note,
            "cited": [str(pk) for pk in claim.citations.values_list("pk", flat=True)],
        }
    for name, value in fields.items():
        if name == "property":
            value = str(value.pk)
        elif name == "cited":
            value = [str(citation.pk) for citation in value]
        row[name] = value
    return row


def event_change_data(event: Event, claims: list[dict] | None = None, **fields) -> dict:
    """POST data of the event's change form as opened now: the event, both inlines, _version.

    ``claims`` are the rows of the claims inline (``claim_row``); by default
    the event's claims unchanged, in the inline's order.
    """
    event.refresh_from_db()
    data = {
        "title": event.title,
        "slug": event.slug,
        "summary": event.summary,
        "date": event.date,
        "display_date": event.display_date,
        "day_order": str(event.day_order),
        "status": event.status,
        "place": str(event.place_id or ""),
        "actors": [str(pk) for pk in event.actors.values_list("pk", flat=True)],
        "tags": [str(pk) for pk in event.tags.values_list("pk", flat=True)],
        "_version": str(event.version),
    }
    citations = list(event.citations.order_by("pk"))
    data |= management_form("citations", len(citations), len(citations))
    for index, citation in enumerate(citations):
        data |= {
            f"citations-{index}-id": str(citation.pk),
            f"citations-{index}-event": str(event.pk),
            f"citations-{index}-source": str(citation.source_id),
            f"citations-{index}-quote": citation.quote,
            f"citations-{index}-locator": citation.locator,
            f"citations-{index}-note": citation.note,
        }
    if claims is None:
        claims = [claim_row(claim) for claim in event.claims.order_by("property__name", "pk")]
    saved = sum(1 for row in claims if row["id"])
    data |= management_form("claims", len(claims), saved)
    for index, row in enumerate(claims):
        data |= {f"claims-{index}-{name}": value for name, value in row.items()}
        data[f"claims-{index}-event"] = str(event.pk)
    data.update(fields)
    return data


def cells(html: str, column: str) -> list[str]:
    """The text of each cell of one column of the page's tables, without tags or line breaks."""
    found = re.findall(rf'<td class="field-{column}">(.*?)</td>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in found]


def claims_formset(response):
    (formset,) = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "claims"
    ]
    return formset


def history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in (Event, Citation, Claim)}


@pytest.fixture
def duration():
    return ClaimPropertyFactory(name="Duration", slug="duration", kind="duration")


@pytest.fixture
def tariff_rate():
    return ClaimPropertyFactory(name="Tariff rate", slug="tariff-rate", kind="percentage")


@pytest.fixture
def busan():
    """An event with two citations, from two sources."""
    event = EventFactory(title="Trump and Xi meet in Busan")
    CitationFactory(event=event, source=SourceFactory(title="Reuters report"), quote=TARIFF_QUOTE)
    CitationFactory(event=event, source=SourceFactory(title="AP report"), quote=SPRING_QUOTE)
    return event


def citations_of(event: Event) -> list[Citation]:
    return list(event.citations.order_by("pk"))


# The claims on their event's page


@pytest.mark.django_db
def test_event_page_lists_claims_grouped_by_property_with_their_sources(
    editor_client, busan, duration, tariff_rate
):
    first, second = citations_of(busan)
    attendance = ClaimPropertyFactory(name="Attendance", slug="attendance", kind="count")
    ClaimFactory(event=busan, property=tariff_rate, value="47%", citations=[first, second])
    ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    ClaimFactory(event=busan, property=attendance, value="five", citations=[second])
    ClaimFactory(event=busan, property=duration, value="just under an hour", citations=[second])
    # Overlaps 47%: another reading, but no dispute.
    ClaimFactory(event=busan, property=tariff_rate, value="over 40%", citations=[second])

    response = editor_client.get(change_url(busan))

    assert response.status_code == 200
    content = response.content.decode()
    values = re.findall(r'name="claims-\d+-value" value="([^"]*)"', content)
    assert values == ["five", "100 minutes", "just under an hour", "47%", "over 40%"]
    # Each row ticks the citations it cites, among the event's, numbered as readers see them.
    shown = submitted_form(response, "event_form")
    assert [shown.get(f"claims-{index}-cited") for index in range(5)] == [
        str(second.pk),
        str(first.pk),
        str(second.pk),
        [str(first.pk), str(second.pk)],
        str(second.pk),
    ]
    # Each box shows its number; the whole citation is its tooltip and in the legend.
    assert f'title="[1] “{TARIFF_QUOTE}” (Reuters report)"' in content
    assert f'title="[2] “{SPRING_QUOTE}” (AP report)"' in content
    assert f"<strong>[1]</strong> {TARIFF_QUOTE} — <em>Reuters report</em>" in content
    rows = re.findall(r'<tr class="form-row has_original.*?</tr>', content, re.S)
    assert len(rows) == 5
    reuters = source_link(first, "Reuters report", 1)
    ap = source_link(second, "AP report", 2)
    assert ap in rows[0] and reuters not in rows[0]
    assert reuters in rows[1] and ap not in rows[1]
    assert reuters in rows[3] and ap in rows[3]
    # How each reads, and which property sources dispute: less than an hour is not 100
    # minutes; more than 40% allows 47%.
    assert cells(content, "reads_as")[:5] == [
        "5",
        "100 minutes (sources differ)",
        "less than 1 hour (sources differ)",
        "47%",
        "more than 40%",
    ]
    assert 'id="claims-help"' in content


@pytest.mark.django_db
def test_adding_a_claim_on_the_event_page_saves_it_with_its_citations_and_one_revision(
    editor_client, editor, busan, duration
):
    first, second = citations_of(busan)
    version_before = busan.version

    response = editor_client.post(
        change_url(busan),
        event_change_data(
            busan,
            [
                claim_row(
                    property=duration,
                    value="one hour and 40 minutes",
                    rank="preferred",
                    rank_note="The official readout.",
                    cited=[first, second],
                )
            ],
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    claim = Claim.objects.get()
    assert (claim.event, claim.property, claim.value, claim.rank) == (
        busan,
        duration,
        "one hour and 40 minutes",
        "preferred",
    )
    assert claim.rank_note == "The official readout."
    assert claim.reading().text == "100 minutes"
    assert set(claim.citations.all()) == {first, second}
    (record,) = Claim.history.filter(id=claim.pk)
    assert (record.history_type, record.history_user) == ("+", editor)
    assert {row.citation_id for row in record.citations.all()} == {first.pk, second.pk}
    # The event's version covers its claims.
    assert Event.objects.get(pk=busan.pk).version == version_before + 1


@pytest.mark.django_db
def test_changing_and_deleting_claims_on_the_event_page(editor_client, editor, busan, duration):
    first, second = citations_of(busan)
    changed = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    deleted = ClaimFactory(event=busan, property=duration, value="80 minutes", citations=[second])
    records_before = Claim.history.filter(id=changed.pk).count()

    response = editor_client.post(
        change_url(busan),
        event_change_data(
            busan,
            [
                claim_row(changed, cited=[first, second], rank="deprecated", rank_note="Rounded."),
                claim_row(deleted, DELETE="on"),
            ],
        ),
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(Claim.objects.all()) == [changed]
    changed.refresh_from_db()
    assert (changed.rank, changed.rank_note) == ("deprecated", "Rounded.")
    assert set(changed.citations.all()) == {first, second}
    records = Claim.history.filter(id=changed.pk).order_by("history_id")
    assert records.count() == records_before + 1
    latest = records.last()
    assert latest.history_user == editor
    assert {row.citation_id for row in latest.citations.all()} == {first.pk, second.pk}
    gone = Claim.history.filter(id=deleted.pk).latest("history_id")
    assert (gone.history_type, gone.history_user) == ("-", editor)


@pytest.mark.django_db
def test_saving_the_event_page_unchanged_leaves_its_claims_alone(editor_client, busan, duration):
    first, _ = citations_of(busan)
    claim = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    records_before = Claim.history.filter(id=claim.pk).count()

    response = editor_client.post(
        change_url(busan), submitted_form(editor_client.get(change_url(busan)), "event_form")
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(Claim.objects.get().citations.all()) == [first]
    assert Claim.history.filter(id=claim.pk).count() == records_before


@pytest.mark.django_db
def test_a_refused_claim_shows_why_on_its_field_and_nothing_is_saved(
    editor_client, busan, duration
):
    first, second = citations_of(busan)
    saved = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    state_before = (list(Claim.objects.values()), history_counts(), Event.objects.get().version)

    for case, (row, field, words) in {
        "no citation": ({"cited": []}, "cited", NO_CITATION),
        "rank without a note": (
            {"rank": "preferred", "rank_note": " "},
            "rank_note",
            "Say why this value is preferred: readers see the reason beside it.",
        ),
        "value": (
            {"value": "47%"},
            "value",
            "“47%” reads as a percentage (47%), but this property takes a duration",
        ),
        "compare as": (
            {"normalized_as": "a good while"},
            "normalized_as",
            "“a good while” cannot be read as a duration",
        ),
        "value taken": ({"value": "100 minutes"}, "value", TAKEN),
    }.items():
        new = claim_row(**{"property": duration, "value": "80 minutes", "cited": [second], **row})

        response = editor_client.post(
            change_url(busan), event_change_data(busan, [claim_row(saved), new])
        )

        with checking(case):
            assert response.status_code == 200
            errors = claims_formset(response).errors
            assert [list(form_errors) for form_errors in errors] == [[], [field]]
            assert words in field_errors(response, f"id_claims-1-{field}")
            assert (
                list(Claim.objects.values()),
                history_counts(),
                Event.objects.get().version,
            ) == state_before


@pytest.mark.django_db
def test_two_new_rows_with_one_value_are_refused_on_the_second(editor_client, busan, duration):
    first, second = citations_of(busan)

    response = editor_client.post(
        change_url(busan),
        event_change_data(
            busan,
            [
                claim_row(property=duration, value="100 minutes", cited=[first]),
                claim_row(property=duration, value="100 minutes", cited=[second]),
            ],
        ),
    )

    assert response.status_code == 200
    assert [list(errors) for errors in claims_formset(response).errors] == [[], ["value"]]
    assert TAKEN in field_errors(response, "id_claims-1-value")
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_a_claim_cannot_cite_another_events_citation(editor_client, busan, duration):
    other = CitationFactory(event=EventFactory())

    response = editor_client.post(
        change_url(busan),
        event_change_data(busan, [claim_row(property=duration, value="1 hour", cited=[other])]),
    )

    assert response.status_code == 200
    assert "is not one of the available choices" in field_errors(response, "id_claims-0-cited")
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_deleting_a_citation_a_claim_cites_is_refused_with_the_protected_objects(
    editor_client, busan, duration
):
    first, second = citations_of(busan)
    ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])

    response = editor_client.post(
        change_url(busan),
        event_change_data(busan, **{"citations-0-DELETE": "on", "citations-1-DELETE": "on"}),
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert (
        f"Deleting citation {first} would require deleting the following protected related "
        "objects: claim it states “Duration: 100 minutes”"
    ) in " ".join(str(error) for error in response.context["errors"])
    assert "would require deleting the following protected related objects" in content
    assert not any(claims_formset(response).errors)
    # Nothing is saved, not even the deletion that was allowed.
    assert citations_of(busan) == [first, second]


@pytest.mark.django_db
def test_a_new_claim_cannot_cite_a_citation_deleted_in_the_same_save(
    editor_client, busan, duration
):
    first, second = citations_of(busan)

    response = editor_client.post(
        change_url(busan),
        event_change_data(
            busan,
            [claim_row(property=duration, value="100 minutes", cited=[first, second])],
            **{"citations-1-DELETE": "on"},
        ),
    )

    assert response.status_code == 200
    assert [list(errors) for errors in claims_formset(response).errors] == [["cited"]]
    assert (
        "Citation [2] is being deleted in this same save: keep it, or cite another one here."
        in field_errors(response, "id_claims-0-cited")
    )
    assert citations_of(busan) == [first, second]
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_deleting_an_event_with_claims_deletes_them(editor_client, busan, duration):
    first, _ = citations_of(busan)
    ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])

    confirm = editor_client.get(f"/admin/timeline/event/{busan.pk}/delete/")
    response = editor_client.post(f"/admin/timeline/event/{busan.pk}/delete/", {"post": "yes"})

    assert "Duration: 100 minutes" in confirm.content.decode()
    assert response.status_code == 302
    assert not Event.objects.exists()
    assert not Claim.objects.exists()
    assert ClaimProperty.objects.get() == duration


@pytest.mark.django_db
def test_a_new_events_page_says_claims_come_after_saving_it(editor_client):
    response = editor_client.get("/admin/timeline/event/add/")

    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="claims-after-saving"' in content
    assert "Save the event with its citations first" in content
    assert 'name="claims-TOTAL_FORMS"' not in content


@pytest.mark.django_db
def test_adding_an_event_ignores_claims_posted_with_it(editor_client, duration):
    source = SourceFactory()
    data = {
        "title": "Ministers agree a pause",
        "slug": "ministers-agree-a-pause",
        "summary": "",
        "date": "2025-05-12",
        "display_date": "",
        "day_order": "0",
        "status": "occurred",
        "place": "",
        **management_form("citations", 1, 0),
        "citations-0-source": str(source.pk),
        "citations-0-quote": TARIFF_QUOTE,
        **management_form("claims", 1, 0),
        **{f"claims-0-{name}": value for name, value in claim_row(property=duration).items()},
        "claims-0-value": "100 minutes",
    }

    response = editor_client.post("/admin/timeline/event/add/", data)

    assert response.status_code == 302
    assert Event.objects.get().citations.count() == 1
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_a_viewer_sees_the_claims_but_cannot_change_them(
    client, django_user_model, busan, duration
):
    first, _ = citations_of(busan)
    claim = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    viewer = django_user_model.objects.create_user("viewer", password="x" * 12, is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_event", "view_citation", "view_claim", "view_claimproperty"]
        )
    )
    client.force_login(viewer)
    data = event_change_data(busan, [claim_row(claim, value="80 minutes")])

    page = client.get(change_url(busan))
    claim_page = client.get(change_url(claim))
    refused = client.post(change_url(busan), data)
    refused_claim = client.post(change_url(claim), {"value": "80 minutes", "cited": [first.pk]})

    assert (page.status_code, claim_page.status_code) == (200, 200)
    content = page.content.decode()
    assert 'name="claims-0-value"' not in content
    assert cells(content, "value") == ["100 minutes"]
    assert cells(content, "cited") == [f"[1] “{TARIFF_QUOTE}” (Reuters report)"]
    assert "Reuters report" in claim_page.content.decode()
    assert 'name="value"' not in claim_page.content.decode()
    assert (refused.status_code, refused_claim.status_code) == (403, 403)
    assert Claim.objects.get().value == "100 minutes"


# Disputed events in the list


def make_event_with_claims(values: list[tuple[str, str]], **kwargs) -> Event:
    """An event giving the duration each (value, rank), each value from a citation of its own."""
    event = EventFactory(**kwargs)
    prop = ClaimPropertyFactory(name="Duration", slug="duration", kind="duration")
    for value, rank in values:
        ClaimFactory(
            event=event,
            property=prop,
            value=value,
            rank=rank,
            rank_note="" if rank == "normal" else "Why.",
            citations=[CitationFactory(event=event, quote=value)],
        )
    return event


@pytest.mark.django_db
def test_event_list_marks_and_filters_disputed_events(editor_client):
    disputed = make_event_with_claims([("100 minutes", "normal"), ("80 minutes", "normal")])
    agreeing = make_event_with_claims(
        [("100 minutes", "normal"), ("one hour and 40 minutes", "normal")]
    )
    set_aside = make_event_with_claims([("100 minutes", "normal"), ("80 minutes", "deprecated")])
    # Other readings whose intervals overlap: 80 minutes is more than an hour.
    overlapping = make_event_with_claims(
        [("80 minutes", "normal"), ("just over an hour", "normal")]
    )
    without_claims = EventFactory()

    listing = editor_client.get(EVENTS_URL)
    yes = editor_client.get(EVENTS_URL, {"disputed": "yes"})
    no = editor_client.get(EVENTS_URL, {"disputed": "no"})

    marks = {event.pk: event.is_disputed for event in listing.context["cl"].result_list}
    assert marks == {
        disputed.pk: True,
        agreeing.pk: False,
        set_aside.pk: False,
        overlapping.pk: False,
        without_claims.pk: False,
    }
    content = listing.content.decode()
    assert "column-is_disputed" in content
    # A warning on the disputed event alone, not a green tick (nor a red cross elsewhere).
    assert content.count('<td class="field-is_disputed"><img src=') == 1
    assert 'icon-alert.svg" alt="Warning:"> sources differ</td>' in content
    assert "icon-yes.svg" not in content.split('class="field-is_disputed"', 1)[1].split("</tr>")[0]
    assert [event.pk for event in yes.context["cl"].result_list] == [disputed.pk]
    assert {event.pk for event in no.context["cl"].result_list} == {
        agreeing.pk,
        set_aside.pk,
        overlapping.pk,
        without_claims.pk,
    }
    assert "Yes: sources differ" in content


@pytest.mark.django_db
def test_event_list_sorts_by_disputed(editor_client):
    agreeing = make_event_with_claims([("100 minutes", "normal")], title="A")
    disputed = make_event_with_claims([("1 hour", "normal"), ("2 hours", "normal")], title="B")
    index = EventAdmin.list_display.index("is_disputed")

    descending = editor_client.get(EVENTS_URL, {"o": f"-{index}"})

    assert [event.pk for event in descending.context["cl"].result_list] == [
        disputed.pk,
        agreeing.pk,
    ]


@pytest.mark.django_db
def test_event_list_query_count_is_constant(editor_client, django_assert_num_queries):
    for events in (1, 20):
        while Event.objects.count() < events:
            make_event_with_claims([("100 minutes", "normal"), ("80 minutes", "normal")])

        # 1-2 the session and its user; 3-4 the editor's permissions (own, and the group's);
        # 5-7 the timelines, tags and actors the list filters offer; 8 the count of events;
        # 9 the events, with their citation counts and whether disputed;
        # 10-11 the date hierarchy: the first and last dates, then the dates to offer.
        with django_assert_num_queries(11):
            response = editor_client.get(EVENTS_URL)

        assert len(response.context["cl"].result_list) == events


# Properties


@pytest.mark.django_db
def test_property_list_links_wikidata_and_counts_claims(editor_client, busan):
    prop = ClaimPropertyFactory(name="Duration", slug="duration", wikidata_id="P2047")
    first, second = citations_of(busan)
    ClaimFactory(event=busan, property=prop, value="100 minutes", citations=[first])
    ClaimFactory(event=busan, property=prop, value="80 minutes", citations=[second])
    ClaimPropertyFactory(name="Unused", slug="unused")

    response = editor_client.get(PROPERTIES_URL)

    content = response.content.decode()
    link = '<a href="https://www.wikidata.org/wiki/Property:P2047" rel="noopener">P2047</a>'
    assert link in content
    counts = re.findall(r'<td class="field-claim_count">(\d+)</td>', content)
    assert counts == ["2", "0"]


@pytest.mark.django_db
def test_property_autocomplete_finds_properties(editor_client, duration, tariff_rate):
    response = editor_client.get(
        "/admin/autocomplete/",
        {"app_label": "timeline", "model_name": "claim", "field_name": "property", "term": "dur"},
    )

    assert response.json()["results"] == [{"id": str(duration.pk), "text": "Duration"}]


def property_form_data(prop: ClaimProperty, **fields) -> dict:
    return {
        "name": prop.name,
        "slug": prop.slug,
        "kind": prop.kind,
        "description": prop.description,
        "wikidata_id": prop.wikidata_id,
        "_version": str(prop.version),
        **fields,
    }


@pytest.mark.django_db
def test_changing_a_propertys_kind_reads_its_claims_again(editor_client, editor, busan):
    prop = ClaimPropertyFactory(name="Duration", slug="duration", kind="text")
    first, second = citations_of(busan)
    short = ClaimFactory(event=busan, property=prop, value="100 minutes", citations=[first])
    long = ClaimFactory(
        event=busan, property=prop, value="one hour and 40 minutes", citations=[second]
    )
    assert Event.objects.disputed().get() == busan  # as words, they differ
    version_before = Event.objects.get(pk=busan.pk).version

    response = editor_client.post(change_url(prop), property_form_data(prop, kind="duration"))

    assert response.status_code == 302, response.context and response.context["errors"]
    assert ClaimProperty.objects.get().kind == "duration"
    short.refresh_from_db()
    long.refresh_from_db()
    assert short.comparison_key == long.comparison_key == short.reading().key
    assert not Event.objects.disputed().exists()
    assert Event.objects.get(pk=busan.pk).version == version_before + 1
    record = Claim.history.filter(id=long.pk).latest("history_id")
    assert record.history_user == editor
    assert record.history_change_reason.startswith("Read again as duration")
    assert (
        "Read the claims of “Duration” again as duration (100 minutes, just over an hour): "
        "2 now compare differently." in message_texts(response)
    )


@pytest.mark.django_db
def test_a_kind_that_a_claim_cannot_take_is_refused_on_kind(editor_client, busan):
    prop = ClaimPropertyFactory(name="Tariff rate", slug="tariff-rate", kind="quantity")
    first, _ = citations_of(busan)
    claim = ClaimFactory(event=busan, property=prop, value="47%", citations=[first])

    response = editor_client.post(change_url(prop), property_form_data(prop, kind="duration"))

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["kind"]
    shown = field_errors(response, "id_kind")
    assert "1 claim(s) cannot be read this way" in shown
    assert f"{busan.slug}: “47%” reads as a percentage" in shown
    assert ClaimProperty.objects.get().kind == "quantity"
    assert Claim.objects.get().comparison_key == claim.comparison_key


# Claims across events


@pytest.mark.django_db
def test_claim_list_filters_and_searches(editor_client):
    disputed = make_event_with_claims(
        [("100 minutes", "normal"), ("80 minutes", "normal")], title="Busan summit"
    )
    calm = EventFactory(title="Geneva talks")
    rate = ClaimPropertyFactory(name="Tariff rate", slug="tariff-rate", kind="percentage")
    agreed = ClaimFactory(event=calm, property=rate, value="47%")
    set_aside = ClaimFactory(
        event=calm, property=rate, value="57%", rank="deprecated", rank_note="The old rate."
    )
    # Another reading, but 47% is over 40%: no dispute.
    overlapping = ClaimFactory(event=calm, property=rate, value="over 40%")
    duration_claims = set(disputed.claims.all())

    def listed(**params) -> set[Claim]:
        response = editor_client.get(CLAIMS_URL, params)
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    duration = ClaimProperty.objects.get(slug="duration")
    assert listed(disputed="yes") == duration_claims
    assert listed(disputed="no") == {agreed, set_aside, overlapping}
    assert listed(rank__exact="deprecated") == {set_aside}
    assert listed(property__id__exact=rate.pk) == {agreed, set_aside, overlapping}
    assert listed(property__id__exact=duration.pk) == duration_claims
    assert listed(q="geneva") == {agreed, set_aside, overlapping}
    assert listed(q="80 min") == {disputed.claims.get(value="80 minutes")}


@pytest.mark.django_db
def test_claim_list_shows_each_claims_reading_and_sources(editor_client, busan, duration):
    first, _ = citations_of(busan)
    ClaimFactory(event=busan, property=duration, value="just over an hour", citations=[first])

    response = editor_client.get(CLAIMS_URL)

    content = response.content.decode()
    for column in ["event", "property", "value", "reads_as", "rank", "cited_sources"]:
        assert f"column-{column}" in content
    assert '<td class="field-reads_as">more than 1 hour</td>' in content
    assert source_link(first, "Reuters report", 1) in content
    assert editor_client.get(CLAIMS_URL + "add/").status_code == 403
    assert 'href="/admin/timeline/claim/add/"' not in content


@pytest.mark.django_db
def test_claim_list_query_count_is_constant(editor_client, django_assert_num_queries):
    for events in (1, 20):
        while Event.objects.count() < events:
            make_event_with_claims([("100 minutes", "normal"), ("80 minutes", "normal")])

        # 1-2 the session and its user; 3-4 the editor's permissions (own, and the group's);
        # 5 the properties the list filter offers; 6 the count of claims;
        # 7 the claims, with their events, properties and whether disputed;
        # 8 their citations, numbered, with their sources.
        with django_assert_num_queries(8):
            response = editor_client.get(CLAIMS_URL)

        assert len(response.context["cl"].result_list) == 2 * events


@pytest.mark.django_db
def test_changing_a_claim_on_its_own_page(editor_client, editor, busan, duration):
    first, second = citations_of(busan)
    claim = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    page = editor_client.get(change_url(claim))
    data = submitted_form(page, "claim_form")
    event_version = Event.objects.get(pk=busan.pk).version
    records_before = Claim.history.filter(id=claim.pk).count()

    response = editor_client.post(
        change_url(claim),
        data | {"rank": "preferred", "rank_note": "The readout.", "cited": [first.pk, second.pk]},
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    claim.refresh_from_db()
    assert (claim.rank, claim.rank_note, claim.version) == ("preferred", "The readout.", 2)
    assert set(claim.citations.all()) == {first, second}
    assert Claim.history.filter(id=claim.pk).count() == records_before + 1
    record = Claim.history.filter(id=claim.pk).latest("history_id")
    assert record.history_user == editor
    assert {row.citation_id for row in record.citations.all()} == {first.pk, second.pk}
    assert Event.objects.get(pk=busan.pk).version == event_version + 1


@pytest.mark.django_db
def test_a_claims_page_refuses_what_the_event_page_refuses(editor_client, busan, duration):
    first, second = citations_of(busan)
    other = CitationFactory(event=EventFactory(), quote="Somewhere else entirely.")
    claim = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    ClaimFactory(event=busan, property=duration, value="80 minutes", citations=[second])
    page = editor_client.get(change_url(claim))
    data = submitted_form(page, "claim_form")

    emptied = editor_client.post(change_url(claim), data | {"cited": []})
    elsewhere = editor_client.post(change_url(claim), data | {"cited": [other.pk]})
    unexplained = editor_client.post(change_url(claim), data | {"rank": "deprecated"})
    unreadable = editor_client.post(change_url(claim), data | {"normalized_as": "a while"})
    taken = editor_client.post(change_url(claim), data | {"value": "80 minutes"})

    assert "Somewhere else entirely." not in page.content.decode()
    assert NO_CITATION in field_errors(emptied, "id_cited")
    assert "is not one of the available choices" in field_errors(elsewhere, "id_cited")
    assert "Say why this value is deprecated" in field_errors(unexplained, "id_rank_note")
    assert "cannot be read as a duration" in field_errors(unreadable, "id_normalized_as")
    assert TAKEN in field_errors(taken, "id_value")
    claim.refresh_from_db()
    assert (claim.version, claim.value, list(claim.citations.all())) == (1, "100 minutes", [first])


@pytest.mark.django_db
def test_reverting_a_claim_restores_its_citations(editor_client, editor, busan, duration):
    first, second = citations_of(busan)
    claim = ClaimFactory(event=busan, property=duration, value="100 minutes", citations=[first])
    original = Claim.history.filter(id=claim.pk).latest("history_id")
    data = submitted_form(editor_client.get(change_url(claim)), "claim_form")
    editor_client.post(change_url(claim), data | {"value": "80 minutes", "cited": [second.pk]})
    url = f"/admin/timeline/claim/{claim.pk}/history/{original.history_id}/"
    page = editor_client.get(url)
    form = submitted_form(page, "historicalclaim_form")

    revisions = Claim.history.filter(id=claim.pk).count()
    response = editor_client.post(url, form)

    assert Claim.history.filter(id=claim.pk).count() == revisions + 1
    # The revert's form shows the revision: its value, its citations and their sources.
    assert (form["value"], form["cited"]) == ("100 minutes", str(first.pk))
    sources = page.content.decode().split('class="form-row field-cited_sources"')[1]
    sources = sources[: sources.index("</div>")]
    assert sources.endswith(source_link(first, "Reuters report", 1))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.value, list(claim.citations.all()), claim.version) == ("100 minutes", [first], 3)
    record = Claim.history.filter(id=claim.pk).latest("history_id")
    assert (record.history_user, record.history_change_reason) == (editor, "Reverted to version 1")
    assert [row.citation_id for row in record.citations.all()] == [first.pk]


# History


@pytest.mark.django_db
def test_event_history_page_lists_its_claims_revisions(editor_client, editor, busan, duration):
    first, second = citations_of(busan)
    editor_client.post(
        change_url(busan),
        event_change_data(
            busan, [claim_row(property=duration, value="100 minutes", cited=[first])]
        ),
    )
    claim = Claim.objects.get()
    editor_client.post(
        change_url(busan), event_change_data(busan, [claim_row(claim, cited=[first, second])])
    )

    response = editor_client.get(f"/admin/timeline/event/{busan.pk}/history/")

    assert response.status_code == 200
    content = response.content.decode()
    section = content[content.index('id="claim-history"') :]
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>.*?</tr>", section[section.index("<tbody>") :], re.S)
    ]
    assert len(rows) == 2
    changed, created = rows
    assert changed.endswith(
        f"#{claim.pk} changed {editor.username} citations : #{first.pk} → #{first.pk}, #{second.pk}"
    )
    assert created.endswith(
        f"#{claim.pk} created {editor.username} property : duration value : 100 minutes "
        f"rank : normal citations : #{first.pk}"
    )
    assert 'id="citation-history"' in content

"""The API fuzzed against its own OpenAPI schema, in-process, with schemathesis.

Every operation in /api/schema/ is called as an anonymous client and as an
editor (a knox token), over a small dataset of published and draft objects.
Each response must not be a 5xx, and must be documented: its status code,
content type, body and headers. The run is bounded and repeatable: a fixed
number of examples per operation, derandomized, with no example database.

The tests at the end pin, with plain requests, the bugs the fuzzer found, so
they stay covered whatever examples it draws; those in code outside the
API's views and serializers are strict expected failures until fixed.
"""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from django.test import Client
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from config.wsgi import application
from sources.models import Source
from tests.conftest import insert_rows, rows_added_by
from tests.factories import (
    ActorFactory,
    CitationFactory,
    ClaimFactory,
    ClaimPropertyFactory,
    EventFactory,
    PlaceFactory,
    SourceFactory,
    TagFactory,
    TimelineFactory,
)
from timeline.api import serializers as read
from timeline.api import views
from timeline.models import Actor, Citation, Claim, ClaimProperty, Event, Place, Tag, Timeline

# Credentials are the test's to choose (anonymous or the editor's token): a
# generated Authorization header or session cookie would turn nearly every
# request into the same 401. The coverage phase is off: its systematic
# boundary cases run to hundreds per write operation, minutes where this
# module has seconds (it also sends unlisted methods: OPTIONS answers 200).
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"with-security-parameters": False},
        "phases": {"coverage": {"enabled": False}},
    }
)


def closed(document: dict) -> dict:
    """The schema with every response object closed: an undeclared field is an error.

    The published schema leaves them open, so that a field added later does
    not break strict clients; here a field the views send and the schema
    forgot must fail the response checks.
    """
    for name, component in document["components"]["schemas"].items():
        if not name.endswith("Request") and "properties" in component:
            component.setdefault("additionalProperties", False)
    return document


SCHEMA_URL = "/api/schema/?format=json"
schema = schemathesis.openapi.from_dict(closed(Client().get(SCHEMA_URL).json()), config=CONFIG)
schema.app, schema.location = application, SCHEMA_URL  # what from_wsgi sets

# Checks named rather than schemathesis' defaults: those also judge whether
# reads ignore credentials (public reads do, by design) and whether invalid
# input is refused (unknown query parameters are ignored, by design).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

FUZZ_SETTINGS = hypothesis.settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    # No shrinking: the examples share one database, which the earlier ones
    # changed, so replaying a failure would report flakiness, not a smaller case.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        # The database fixtures are per test on purpose: writes carry over
        # from one example to the next.
        HealthCheck.function_scoped_fixture,
        # Large generated JSON bodies are slow to draw on a busy 2-core machine.
        HealthCheck.too_slow,
    ],
)

# Collections whose detail operations name a stored object: model and URL key.
STORED = {
    "events": (Event, "slug"),
    "timelines": (Timeline, "slug"),
    "actors": (Actor, "slug"),
    "places": (Place, "slug"),
    "tags": (Tag, "slug"),
    "sources": (Source, "pk"),
    "citations": (Citation, "pk"),
    "claims": (Claim, "pk"),
    "properties": (ClaimProperty, "slug"),
}


def stored_keys(path: str) -> list:
    """The path parameter values that name stored objects, in a stable order."""
    collection = path.split("/")[3]
    if collection == "deleted-events":
        deletions = Event.history.filter(history_type="-").order_by("history_id")
        return list(deletions.values_list("id", flat=True))
    if collection == "auth":
        return [
            *AuthToken.objects.order_by("created").values_list("token_key", flat=True),
            "current",
        ]
    model, key = STORED[collection]
    return list(model.objects.order_by("pk").values_list(key, flat=True))


def current_etag(path: str, value) -> str | None:
    collection = path.split("/")[3]
    if collection not in STORED:
        return None
    model, key = STORED[collection]
    version = model.objects.filter(**{key: value}).values_list("version", flat=True).first()
    return None if version is None else f'"{version}"'


def aim_at_stored(case, index: int | None, with_etag: bool):
    (name,) = case.path_parameters
    path = case.operation.path
    keys = stored_keys(path)
    if index is not None and keys:
        case.path_parameters = {name: keys[index % len(keys)]}
    if with_etag and "If-Match" in (case.headers or {}) and case.path_parameters[name] in keys:
        etag = current_etag(path, case.path_parameters[name])
        if etag is not None:
            case.headers = {**case.headers, "If-Match": etag}
    return case


@schema.hook
def flatmap_case(context, case):
    """Aim about half the fuzzed requests at stored objects, some with the current ETag.

    A generated slug or id almost never names a stored object, so detail
    operations would otherwise almost only answer 404, and writes with a
    guessed If-Match 412. The
    draws are the same whatever is stored (Hypothesis checks that they
    replay); the database is read when the case is built, after the previous
    example's writes. Explicit examples are built at collection, without a
    database, so only the fuzzing phase is aimed.
    """
    if case.meta is None or case.meta.phase.name != "fuzzing" or not case.path_parameters:
        return st.just(case)
    choices = st.tuples(st.none() | st.integers(min_value=0, max_value=63), st.booleans())
    return choices.map(lambda choice: aim_at_stored(case, *choice))


@pytest.fixture
def keep_test_transaction():
    """Keep the test's database connection open across in-process requests.

    Django's WSGI handler closes “old” connections as each request starts and
    finishes; in a test that is the connection holding the test's transaction,
    and PostgreSQL's next query would fail. Django's test client does the same.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def no_throttling(settings):
    settings.TIMELINE_THROTTLE_RATES = {"anon": None, "user": None, "login": None}


def build_dataset() -> None:
    """A little of everything the API serves: published and draft, anchored and not."""
    archived = SourceFactory.create_batch(2)
    unarchived = SourceFactory(text="", url="")
    actors = ActorFactory.create_batch(2)
    places = [PlaceFactory(latitude="35.17955", longitude="129.07564"), PlaceFactory()]
    tags = TagFactory.create_batch(2)
    events = [
        EventFactory(date="2025-10-30", place=places[0], actors=actors, tags=tags),
        EventFactory(date="2025-03", place=places[1], actors=actors[:1]),
        EventFactory(date="2025-10-25/2025-10-26", display_date="25–26 October", tags=tags[:1]),
        EventFactory(date="2026-04", published_at=None),
    ]
    stated = CitationFactory(event=events[0], source=archived[0])
    CitationFactory(event=events[1], source=archived[1], locator="para. 2")
    CitationFactory(event=events[2], source=unarchived, quote="Not archived here.")
    CitationFactory(event=events[3], source=archived[0])
    # A dispute on a published event, and a claim of a draft.
    rate = ClaimPropertyFactory(slug="rate", name="Rate", kind="percentage")
    ClaimFactory(event=events[0], property=rate, value="47%", citations=[stated])
    ClaimFactory(
        event=events[0],
        property=rate,
        value="over 40%",
        rank="preferred",
        rank_note="Two sources.",
        citations=[stated],
    )
    ClaimFactory(event=events[3], property=ClaimPropertyFactory(kind="text"), value="words")
    TimelineFactory(events=events)
    TimelineFactory(published_at=None, events=events[:2])
    EventFactory(tags=tags).delete()  # for the deleted events and their restore


@pytest.fixture(scope="session")
def dataset_rows(django_db_setup, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        rows, _ = rows_added_by(build_dataset)
    return rows


@pytest.fixture
def dataset(db, dataset_rows):
    """``build_dataset``'s rows, afresh for each test: the fuzzed writes change them.

    Built once and copied back, and with factories rather than the ``seeded``
    demo timeline, which is larger than fuzzing needs.
    """
    insert_rows(dataset_rows)


@pytest.fixture
def editor_token(editor) -> str:
    _, token = AuthToken.objects.create(editor)
    return token


def anonymous_write(context) -> bool:
    """Whether an anonymous client's call is refused before its body is read.

    Every write but logging in is: authentication comes first.
    """
    label = context.operation.label
    return not label.startswith("GET ") and label != "POST /api/v1/auth/tokens/"


def editor_headers(token: str) -> dict:
    return {"Authorization": f"Token {token}"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_editor_requests_conform(case, dataset, editor_token, no_throttling, keep_test_transaction):
    case.call_and_validate(headers=editor_headers(editor_token), checks=CHECKS)


@schema.exclude(anonymous_write).parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_conform(case, dataset, no_throttling, keep_test_transaction):
    case.call_and_validate(checks=CHECKS)


# Few examples: the body is never read, so more would only repeat the 401.
@schema.include(anonymous_write).parametrize()
@hypothesis.settings(FUZZ_SETTINGS, max_examples=5)
def test_anonymous_writes_are_refused(case, dataset, no_throttling, keep_test_transaction):
    response = case.call_and_validate(checks=CHECKS)

    assert response.status_code >= 400


def test_event_workflows_conform(dataset, editor_token, no_throttling, keep_test_transaction):
    """Chains of calls on events, citations and claims, along links inferred from the schema.

    A list or a create hands ids and slugs on to a detail, an update, a
    publish, a delete. Besides the checks above: what was just created can be
    read back, and what was deleted is a 404.
    """
    workflow_checks = [*CHECKS, use_after_free, ensure_resource_availability]
    machine = schema.include(path_regex=r"^/api/v1/(events|citations|claims)/").as_state_machine()

    class EventWorkflow(machine):
        def get_call_kwargs(self, case):
            return {"headers": editor_headers(editor_token)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=workflow_checks,
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    EventWorkflow.run(
        settings=hypothesis.settings(FUZZ_SETTINGS, max_examples=10, stateful_step_count=10)
    )


# Every read of the seeded timeline, as the schema describes it.


def test_the_seeded_timelines_reads_match_the_schema(
    seeded, editor_token, no_throttling, keep_test_transaction
):
    """Each read endpoint's real answers, for every seeded object, against the OpenAPI schema.

    Events, citations and claims are built by ``timeline.api.documents`` and
    only described by their serializers: this is what keeps the two the same.
    """
    editor = editor_headers(editor_token)
    reads = [
        ("/api/v1/timelines/", {}, {}),
        ("/api/v1/events/", {}, {"page_size": "200"}),
        ("/api/v1/events/", {}, {"cursor": "", "page_size": "5"}),
        ("/api/v1/events/", {}, {"disputed": "true"}),
        ("/api/v1/citations/", {}, {"page_size": "200"}),
        ("/api/v1/claims/", {}, {"page_size": "200"}),
        ("/api/v1/sources/", {}, {}),
        ("/api/v1/properties/", {}, {}),
        ("/api/v1/actors/", {}, {}),
        ("/api/v1/places/", {}, {}),
        ("/api/v1/tags/", {}, {}),
    ]
    for path, (model, key) in STORED.items():
        for value in model.objects.order_by("pk").values_list(key, flat=True):
            reads.append((f"/api/v1/{path}/{{{'id' if key == 'pk' else 'slug'}}}/", value, {}))
    checked = 0
    for path, value, query in reads:
        parameters = {} if value == {} else {"id" if "{id}" in path else "slug": value}
        for headers, extra in (({}, {}), (editor, {"include_drafts": "true"})):
            if "include_drafts" not in str(schema[path]["GET"].definition.raw) and extra:
                continue
            case = schema[path]["GET"].Case(path_parameters=parameters, query={**query, **extra})
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            assert response.status_code == 200, (path, parameters, response.text[:200])
            checked += 1
    assert checked > 100


# The harness can fail.


def test_the_harness_reports_a_server_error(monkeypatch, db, no_throttling, keep_test_transaction):
    def crash(self, request, *args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(views.TagViewSet, "list", crash)
    case = schema["/api/v1/tags/"]["GET"].Case()

    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate(checks=CHECKS)

    assert [type(failure) for failure in caught.value.exceptions] == [ServerError]


def test_the_harness_reports_an_undocumented_body(
    monkeypatch, db, no_throttling, keep_test_transaction
):
    EventFactory(tags=[TagFactory()])  # readers see the tags of published events
    monkeypatch.setattr(
        read.TagDetailSerializer, "to_representation", lambda self, tag: {"slug": 1}
    )
    case = schema["/api/v1/tags/"]["GET"].Case()

    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate(checks=CHECKS)

    assert {type(failure) for failure in caught.value.exceptions} == {JsonSchemaError}


# Found by fuzzing.


@pytest.fixture
def editor_api_client(api_client, editor_token, no_throttling):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {editor_token}")
    return api_client


def test_a_nul_in_a_slug_is_a_404(editor_api_client):
    for method, path in [
        ("get", "/api/v1/events/a%00b/"),
        ("get", "/api/v1/timelines/a%00b/"),
        ("get", "/api/v1/actors/a%00b/"),
        ("patch", "/api/v1/tags/a%00b/"),
        ("get", "/api/v1/events/a%00b/history/"),
        ("post", "/api/v1/events/a%00b/publish/"),
    ]:
        # PostgreSQL refuses a NUL in any text it compares: this was a 500 there.
        response = getattr(editor_api_client, method)(path)

        assert response.status_code == 404, (method, path)
        assert response.json()["code"] == "not_found", (method, path)


def test_citations_of_an_event_slug_with_a_nul_are_a_400_naming_it(editor_api_client):
    # A 500 on PostgreSQL, as above.
    response = editor_api_client.get("/api/v1/citations/", {"event": "a\x00b"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"event"}


def test_citations_of_a_source_id_past_the_largest_are_a_400(api_client, db, no_throttling):
    # 19 digits, past SQLite's integers: this was a 500 there.
    response = api_client.get("/api/v1/citations/", {"source": "9999999999999999999"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"source"}


def test_a_related_slug_with_a_nul_is_a_400_naming_the_field(editor_api_client):
    # A 500 on PostgreSQL, as above.
    source = SourceFactory()
    body = {"event": "a\x00b", "source": source.pk, "quote": "Tariffs will fall"}

    response = editor_api_client.post("/api/v1/citations/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["event"]


def test_publishing_with_if_match_star_is_a_documented_428(editor_api_client):
    event = EventFactory()
    for action in ("publish", "unpublish"):
        operation = schema.raw_schema["paths"][f"/api/v1/events/{{slug}}/{action}/"]["post"]

        response = editor_api_client.post(
            f"/api/v1/events/{event.slug}/{action}/", HTTP_IF_MATCH="*"
        )

        assert response.status_code == 428, action
        assert "428" in operation["responses"], action


# Found by fuzzing, in code outside the API's views and serializers: strict,
# so that each fails (XPASS) once fixed, and its mark is removed.

ON_POSTGRESQL = connection.vendor == "postgresql"


def test_a_line_break_in_the_path_is_a_json_404(api_client, db, no_throttling):
    response = api_client.get("/api/v1/timelines/a%0Ab/timelinejs/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_revoking_a_token_key_with_a_nul_is_a_404(editor_api_client):
    response = editor_api_client.delete("/api/v1/auth/tokens/a%00b/")

    assert response.status_code == 404


def test_a_token_with_a_nul_is_a_401(api_client, db, no_throttling):
    response = api_client.get("/api/v1/events/", HTTP_AUTHORIZATION="Token a\x00bcdefghijkl")

    assert response.status_code == 401

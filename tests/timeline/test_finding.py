"""Finding events: the search (``q`` in the API, the admin's search box) and the admin's
date filter (from, to), on every database."""

import pytest
from django.contrib.messages import get_messages

from tests.factories import ActorFactory, EventFactory, PlaceFactory, TagFactory
from tests.timeline.test_admin import EVENTS_URL as ADMIN_EVENTS_URL
from tests.timeline.test_admin import changelist_pks
from tests.timeline.test_api import EVENT_QUERIES
from tests.timeline.test_filters import EVENTS_URL, api_slugs, matching
from timeline.models import Actor, Event

pytestmark = pytest.mark.django_db


# Search: hyphens, plurals, and the names of tags, actors and places


def test_q_finds_a_hyphenated_word_by_its_parts_and_a_singular_by_its_plural(api_client):
    EventFactory(slug="curbs", title="China curbs rare-earth exports", summary="")
    EventFactory(slug="magnets", title="Rare earth magnets run short", summary="")
    EventFactory(slug="other", title="Rare visit to Earth Station", summary="")

    assert matching({"q": "rare earths"}) == ["curbs", "magnets", "other"]
    assert matching({"q": "rare-earths"}) == ["curbs", "magnets", "other"]
    assert matching({"q": "magnets"}) == ["magnets"]
    assert matching({"q": "export"}) == ["curbs"]
    assert api_slugs(api_client, {"q": "Rare Earths curbs"}) == ["curbs"]


def test_q_finds_the_names_of_tags_actors_and_places(api_client):
    EventFactory(
        slug="busan",
        title="Leaders meet",
        summary="",
        tags=[TagFactory(name="Rare-earth minerals")],
        actors=[ActorFactory(name="Xi Jinping")],
        place=PlaceFactory(name="Busan, South Korea"),
    )
    EventFactory(slug="elsewhere", title="Ministers meet", summary="")

    assert matching({"q": "rare earths"}) == ["busan"]
    assert matching({"q": "jinping"}) == ["busan"]
    assert matching({"q": "korea"}) == ["busan"]
    # Each word may match a different field or name.
    assert matching({"q": "leaders xi busan mineral"}) == ["busan"]
    assert matching({"q": "meet"}) == ["busan", "elsewhere"]
    assert matching({"q": "ministers busan"}) == []
    assert api_slugs(api_client, {"q": "Xi Jinping"}) == ["busan"]


def test_q_lists_an_event_once_when_several_of_its_names_match():
    EventFactory(
        slug="truce",
        title="A truce",
        tags=[TagFactory(name="Tariffs"), TagFactory(name="Tariff truce")],
        actors=[ActorFactory(name="Tariff office")],
    )

    assert matching({"q": "tariffs"}) == ["truce"]


def test_q_finds_a_renamed_actor_by_its_new_name_only():
    actor = ActorFactory(name="Liu He")
    EventFactory(slug="talks", title="Trade talks", actors=[actor])

    actor.name = "He Lifeng"
    actor.save()
    assert matching({"q": "lifeng"}) == ["talks"]
    assert matching({"q": "liu"}) == []

    # A bulk update runs no save() and sends no signal: still found by the new name.
    Actor.objects.filter(pk=actor.pk).update(name="Li Chenggang")
    assert matching({"q": "chenggang"}) == ["talks"]


def test_q_on_names_keeps_the_event_list_query_count_constant(
    api_client, django_assert_num_queries
):
    # Batches named by words no other field holds: "20" would also find a "2025" date.
    for count, batch in ((1, "zyxone"), (20, "zyxtwenty")):
        tag = TagFactory(name=f"Rare-earth batch {batch}")
        for _ in range(count):
            EventFactory(tags=[tag, TagFactory()], actors=[ActorFactory()], place=PlaceFactory())
        # 1. the content generation; 2. COUNT of the matching events; 3. their ids;
        # then the events' own (no event states a claim: no claims' query).
        with django_assert_num_queries(3 + EVENT_QUERIES - 1):
            body = api_client.get(EVENTS_URL, {"q": f"rare earths {batch}", "page_size": 100})

        assert body.json()["count"] == count


@pytest.mark.postgresql
def test_q_matches_words_from_their_start_on_postgresql():
    EventFactory(slug="earth", title="Rare earth deal", summary="")
    EventFactory(slug="hearth", title="By the hearth", tags=[TagFactory(name="Unearthed")])

    # The substring search elsewhere would also find "hearth" and "Unearthed".
    assert matching({"q": "earths"}) == ["earth"]


def test_the_admin_search_finds_names_plurals_and_hyphens(editor_client):
    tagged = EventFactory(
        slug="export-curbs", title="Export curbs", tags=[TagFactory(name="Rare-earth")]
    )
    titled = EventFactory(title="Rare earth magnets", summary="")
    EventFactory(title="Soybeans")

    response = editor_client.get(ADMIN_EVENTS_URL, {"q": "rare earths"})

    assert response.status_code == 200
    assert sorted(changelist_pks(response)) == sorted([tagged.pk, titled.pk])
    # Django's own search still runs beside it, on slugs (and quotes: test_admin).
    assert changelist_pks(editor_client.get(ADMIN_EVENTS_URL, {"q": "curbs rare"})) == [tagged.pk]
    assert changelist_pks(editor_client.get(ADMIN_EVENTS_URL, {"q": "rt-cu"})) == [tagged.pk]


# The admin's date filter (from, to): events whose dates overlap the range


@pytest.fixture
def dated_events() -> dict[str, Event]:
    return {
        "spring": EventFactory(date="2025-03/2025-05", title="Spring talks"),
        "busan": EventFactory(date="2025-10-30", title="Busan meeting"),
        "before": EventFactory(date="2024-12", title="Old news"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2025-04-01", "to": "2025-04-30"}, ["spring"]),
        ({"from": "2025-10", "to": "2025-11"}, ["busan"]),
        ({"from": "2025-05-31", "to": "2025-10-30"}, ["spring", "busan"]),
        ({"from": "2025-04"}, ["spring", "busan"]),
        ({"to": "2025-03-01"}, ["before", "spring"]),
        ({"from": "2025-06", "to": "2025-09"}, []),
    ],
)
def test_the_admin_date_filter_lists_events_that_overlap_the_range(
    editor_client, dated_events, params, expected
):
    response = editor_client.get(ADMIN_EVENTS_URL, params)

    assert response.status_code == 200
    assert changelist_pks(response) == [dated_events[name].pk for name in expected]
    assert not list(get_messages(response.wsgi_request))


def test_the_admin_date_filter_keeps_the_search_and_other_filters(editor_client, dated_events):
    params = {"from": "2025", "q": "busan", "published": "yes"}

    response = editor_client.get(ADMIN_EVENTS_URL, params)

    assert changelist_pks(response) == [dated_events["busan"].pk]
    content = response.content.decode()
    # The filter's form sends the search and the other filters along with the dates.
    assert '<input type="hidden" name="q" value="busan">' in content
    assert '<input type="hidden" name="published" value="yes">' in content
    assert 'name="from" id="dates-filter-from" value="2025"' in content


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "next tuesday"}, "“from”:"),
        ({"from": "2025-10", "to": "2025-13"}, "“to”:"),
        ({"from": "2025-11", "to": "2025-10"}, "“to” is earlier than “from”."),
    ],
)
def test_the_admin_date_filter_says_what_is_wrong_with_a_bad_date(
    editor_client, dated_events, params, message
):
    response = editor_client.get(ADMIN_EVENTS_URL, params)

    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(shown) == 1
    assert shown[0].startswith("Dates not filtered:")
    assert message in shown[0]
    assert len(changelist_pks(response)) == len(dated_events)

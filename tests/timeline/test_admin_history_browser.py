"""An event's history in headless Chromium, as an editor compares two versions of it.

A screenshot goes to ``test-artifacts/`` for people to look at.
"""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import EventFactory, make_editor
from timeline.models import Event

# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def editor_page(page, live_server):
    """The browser tab, signed in as an editor (the session made by Django's test client)."""
    client = Client()
    client.force_login(make_editor())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return page


def save_version(event: Event, **changes) -> None:
    for name, value in changes.items():
        setattr(event, name, value)
    event.save()


def test_an_editor_compares_two_versions_and_sees_the_changed_words(
    editor_page, live_server, artifacts_dir
):
    page = editor_page
    event = EventFactory(
        title="Leaders meet in Busan",
        summary="The leaders talked for one hour and forty minutes.",
        explained=True,
    )
    save_version(event, title="Leaders meet in Gyeongju")
    save_version(event, summary="The leaders talked for one hour and twenty minutes.")
    first, last = Event.history.filter(id=event.pk).order_by("history_id")[::2]

    page.goto(f"{live_server.url}/admin/timeline/event/{event.pk}/history/")
    page.get_by_label(f"version {first.version}", exact=True).check()
    page.get_by_label(f"version {last.version}", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()

    comparison = page.locator("#history-comparison")
    assert comparison.is_visible()
    assert comparison.locator("del").all_inner_texts() == ["Busan", "forty"]
    assert comparison.locator("ins").all_inner_texts() == ["Gyeongju", "twenty"]
    # Marked from the static stylesheet (the CSP allows no inline style of ours).
    taken_out = comparison.locator("del").first
    assert taken_out.evaluate("e => getComputedStyle(e).textDecorationLine") == "line-through"
    assert (
        comparison.locator("ins").first.evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(223, 243, 223)"
    )
    page.screenshot(path=artifacts_dir / "admin-history-compare.png", full_page=True)
    assert page.console_errors == []

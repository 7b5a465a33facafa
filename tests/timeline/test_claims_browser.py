"""Claims in headless Chromium: the seeded Busan meeting's disputed duration, as readers see it.

On the public page at a phone's width, and in Knight Lab's TimelineJS3 (served
as test_timelinejs_browser serves it). Screenshots go to ``test-artifacts/``.
"""

import pytest

from tests.timeline import test_timelinejs_browser as timelinejs_browser
from timeline.models import Claim, Event

# TimelineJS3 from npm, and a function that opens it on a timeline's JSON.
timelinejs = timelinejs_browser.timelinejs
show = timelinejs_browser.show
go_to = timelinejs_browser.go_to

SLUG = "us-china-trade-2025"
PHONE = {"width": 375, "height": 812}
DURATION = (
    "80 minutes [5] — conflicts with one hour and 40 minutes; about 100 minutes",
    "one hour and 40 minutes [8] — conflicts with 80 minutes",
    "about 100 minutes [7] — conflicts with 80 minutes",
    "just over an hour [6]",
)

# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(live_server, seeded) -> str:
    """The seeded timeline served over HTTP."""
    return live_server.url


def duration_quotes() -> dict[int, str]:
    """The Busan meeting's duration claims' citations: {their number on the page: quote}."""
    event = Event.objects.with_citations().get(slug="busan-meeting")
    numbers = {citation.pk: n for n, citation in enumerate(event.citations.all(), start=1)}
    claims = Claim.objects.filter(event=event, property__slug="duration")
    return {
        numbers[citation.pk]: citation.quote
        for claim in claims
        for citation in claim.citations.all()
    }


def test_the_busan_meeting_page_shows_the_dispute_on_a_phone(page, site, artifacts_dir):
    page.set_viewport_size(PHONE)

    page.goto(f"{site}/events/busan-meeting/")

    dispute = page.locator(".claim--disputed", has=page.locator("dt", has_text="Duration"))
    assert dispute.is_visible()
    assert dispute.locator(".claim-differ").inner_text() == "Sources differ:"
    values = dispute.locator("li.claim-value").all_inner_texts()
    assert [" ".join(v.replace("[", " [").split()) for v in values] == [
        "80 minutes [5] Conflicts with one hour and 40 minutes; about 100 minutes",
        "one hour and 40 minutes [8] Conflicts with 80 minutes",
        "about 100 minutes [7] Conflicts with 80 minutes",
        "just over an hour [6]",
    ]
    # Every value is inside the page's width, nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for box in (dispute.locator("li").nth(i).bounding_box() for i in range(4)):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    dispute.scroll_into_view_if_needed()
    dispute.screenshot(path=artifacts_dir / "claims-busan-meeting-dispute-375.png")
    page.screenshot(path=artifacts_dir / "claims-busan-meeting-375.png", full_page=True)
    assert page.evaluate("document.scripts.length") == 0
    assert page.console_errors == []


def test_each_source_link_of_the_dispute_jumps_to_its_quote(page, site):
    quotes = duration_quotes()
    assert sorted(quotes) == [5, 6, 7, 8]
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/events/busan-meeting/")
    dispute = page.locator(".claim--disputed", has=page.locator("dt", has_text="Duration"))

    for number, quote in quotes.items():
        dispute.get_by_role("link", name=f"Source {number}", exact=True).click()

        assert page.url.endswith(f"#note-busan-meeting-{number}")
        note = page.locator("li.note:target")
        assert note.get_attribute("id") == f"note-busan-meeting-{number}"
        assert note.locator("blockquote").inner_text() == quote
        # The browser scrolled the note into view.
        box = note.bounding_box()
        assert box is not None and 0 <= box["y"] < PHONE["height"]
    assert page.console_errors == []


def test_print_keeps_the_dispute_and_each_property_on_one_page(page, site, artifacts_dir):
    page.goto(f"{site}/events/busan-meeting/")

    page.emulate_media(media="print")

    dispute = page.locator(".claim--disputed").first
    assert dispute.is_visible()
    assert dispute.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    page.screenshot(path=artifacts_dir / "claims-busan-meeting-print.png", full_page=True)


def test_timelinejs_shows_the_busan_meetings_claims(seeded, show, artifacts_dir):
    quotes = duration_quotes()

    page = show(SLUG)
    go_to(page, "busan-meeting")

    slide = page.locator(".tl-slide", has=page.locator(".tl-headline", has_text="Busan"))
    slide = slide.filter(has=page.locator(".timeline-claims", has_text="Duration")).first
    claims = slide.locator(".timeline-claims")
    assert claims.is_visible()
    text = " ".join(claims.inner_text().split())
    assert "Duration — sources differ:" in text
    assert all(value in text for value in DURATION)
    assert "Time since the leaders last met: six years [1]" in text
    # [n] is item n of the slide's citations list.
    cited = slide.locator("ol.timeline-citations > li")
    for number, quote in quotes.items():
        assert quote in cited.nth(number - 1).inner_text()
    slide.screenshot(path=artifacts_dir / "claims-timelinejs.png")
    assert page.outside_requests == []
    assert page.console_errors == []

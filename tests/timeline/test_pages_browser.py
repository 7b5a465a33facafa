"""The public pages in headless Chromium, used as a reader would: no JavaScript needed.

Screenshots go to ``test-artifacts/`` for people to look at.
"""

import pytest

from sources.models import Source
from timeline.models import Citation, Event, Timeline

SLUG = "us-china-trade-2025"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
# A source with a long unbroken title and address: they must wrap on a phone.
LONG_WORD = "Supercalifragilistic" * 6
LONG_URL = "https://news.example.org/" + "a-very-long-path-segment-" * 8 + "?query=" + "x" * 80

# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def site(live_server, seeded) -> str:
    """The seeded timeline served over HTTP; one source has a long title and URL."""
    Source.objects.filter(slug="trump-xi-hold-first-talks-six-years").update(
        title=f"Trump and Xi hold first talks {LONG_WORD}", url=LONG_URL
    )
    return live_server.url


def published_events() -> list[Event]:
    return list(Timeline.objects.get(slug=SLUG).events.published().chronological())


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_timeline_page_shows_every_event_and_citation(page, site):
    events = published_events()
    citations = Citation.objects.filter(event__in=events).count()

    page.goto(f"{site}/timelines/{SLUG}/")

    # Parts inside the events they are part of: in the seed, right after them.
    assert page.locator("ol.events article.event").count() == len(events)
    assert page.locator(".event-title").all_inner_texts() == [e.title for e in events]
    assert page.locator("li.note").count() == citations
    assert page.locator("li.note blockquote").count() == citations
    assert page.locator("sup.ref a").count() == citations
    assert page.evaluate("document.scripts.length") == 0
    assert page.console_errors == []


def test_a_reader_filters_by_tag_with_the_form(page, site):
    expected = [e.title for e in published_events() if e.tags.filter(slug="rare-earths")]
    page.goto(f"{site}/timelines/{SLUG}/")

    page.get_by_label("Tag", exact=True).select_option(label="Rare earths")
    with page.expect_navigation():
        page.get_by_role("button", name="Show events").click()

    assert page.url == f"{site}/timelines/{SLUG}/?tag=rare-earths&actor="
    assert page.locator(".event-title").all_inner_texts() == expected
    status = page.locator(".filter-status").inner_text()
    assert f"Showing {len(expected)} of {len(published_events())} events" in status
    assert "tagged “Rare earths”" in status
    assert page.get_by_label("Tag", exact=True).input_value() == "rare-earths"

    with page.expect_navigation():
        page.get_by_role("link", name="Show all").click()
    assert page.locator(".event-title").count() == len(published_events())
    assert page.console_errors == []


def test_a_reader_filters_by_following_an_actor_link(page, site):
    page.goto(f"{site}/events/busan-soybean-purchases/")

    with page.expect_navigation():
        page.get_by_role("link", name="Scott Bessent").click()

    assert page.url.endswith(f"/timelines/{SLUG}/?actor=scott-bessent")
    assert page.locator(".event-title").count() == 2
    assert page.get_by_label("Who", exact=True).input_value() == "scott-bessent"
    assert page.console_errors == []


def test_parts_are_indented_under_their_event(page, site):
    page.goto(f"{site}/timelines/{SLUG}/")

    meeting = page.locator("#event-busan-meeting").bounding_box()
    outcome = page.locator("#event-busan-rare-earth-deal").bounding_box()
    tour = page.locator("#event-trump-asia-tour-2025").bounding_box()

    assert tour["x"] < meeting["x"] < outcome["x"]
    assert meeting["y"] < outcome["y"] < meeting["y"] + meeting["height"]
    # A heading level deeper for each level of parts.
    levels = [
        page.locator(f"#title-{slug}").evaluate("e => e.tagName")
        for slug in ("trump-asia-tour-2025", "busan-meeting", "busan-rare-earth-deal")
    ]
    assert levels == ["H2", "H3", "H4"]
    assert page.console_errors == []


def test_no_horizontal_scroll_on_a_phone(page, site):
    page.set_viewport_size(PHONE)

    for path in (f"/timelines/{SLUG}/", "/events/busan-meeting/", "/"):
        page.goto(site + path)

        assert scroll_width(page) <= PHONE["width"], path
        assert page.console_errors == [], path


def test_screenshots_at_phone_and_desktop_widths(page, site, artifacts_dir):
    for name, viewport in (("375", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(f"{site}/timelines/{SLUG}/")
        page.screenshot(path=artifacts_dir / f"timeline-{name}.png", full_page=True)
        assert scroll_width(page) <= viewport["width"]
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/events/busan-meeting/")
    page.screenshot(path=artifacts_dir / "event-375.png", full_page=True)
    page.goto(f"{site}/timelines/{SLUG}/?tag=no-such-tag")
    page.screenshot(path=artifacts_dir / "timeline-unknown-tag-375.png", full_page=True)
    assert "No such tag: “no-such-tag”." in page.locator(".filter-status").inner_text()
    # The page answers 400, which Chromium reports as a failed resource.
    assert all("400" in error for error in page.console_errors)


def test_print_hides_navigation_and_the_form_and_shows_source_addresses(page, site, artifacts_dir):
    page.goto(f"{site}/timelines/{SLUG}/")
    assert page.locator("form.filter-form").is_visible()

    page.emulate_media(media="print")

    assert page.locator("form.filter-form").is_hidden()
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".breadcrumbs").is_hidden()
    link = page.locator(f'li.note a[href="{LONG_URL}"]').first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert LONG_URL in after
    assert (
        page.locator("article.event").first.evaluate("a => getComputedStyle(a).breakInside")
        == "avoid"
    )
    page.screenshot(path=artifacts_dir / "timeline-print.png", full_page=True)
    assert page.console_errors == []


def test_the_skip_link_is_the_first_stop_and_visible_when_focused(page, site):
    page.goto(f"{site}/timelines/{SLUG}/")

    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0
    outline = page.locator(".skip-link").evaluate("a => getComputedStyle(a).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

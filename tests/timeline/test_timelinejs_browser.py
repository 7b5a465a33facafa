"""Knight Lab's TimelineJS3 itself, in headless Chromium, showing a timeline from the API.

TimelineJS is installed from the npm registry into ``.cache/timelinejs/``
once, and reused. The browser opens a page on the live server's origin: the
test serves the page and TimelineJS's files from disk under ``/embed/``, and
TimelineJS fetches the JSON from the live server's ``/api/`` by its URL.
(From another origin, Chromium's Private Network Access would refuse to
reach the loopback address.) Any other address is refused and fails the
test: no CDN.
"""

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.conftest import checking
from tests.factories import EventFactory, TagFactory, TimelineFactory
from timeline import seed_data
from timeline.models import Event

PACKAGE = "@knight-lab/timelinejs@3"
CACHE = Path(settings.BASE_DIR) / ".cache" / "timelinejs"
DIST = CACHE / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
EMBED = "/embed/"
# The live server needs committed data; serialized_rollback restores the
# migrations' data (the Editors group) for the tests that run after these.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# The default font comes from Google Fonts: the page asks for none.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>TimelineJS</title>
<link rel="stylesheet" href="/embed/dist/css/timeline.css">
</head>
<body>
<div id="timeline-embed" style="width: 1200px; height: 700px"></div>
<script src="/embed/dist/js/timeline.js"></script>
<script>
  window.timeline = new TL.Timeline("timeline-embed", "{url}", {{font: null}});
  window.timeline.on("loaded", () => {{ window.timelineLoaded = true; }});
</script>
</body>
</html>
"""


@pytest.fixture(scope="session")
def timelinejs() -> Path:
    """TimelineJS3's dist directory, installed with npm unless already there."""
    if not (DIST / "js" / "timeline.js").is_file():
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            pytest.skip("node and npm are needed to install TimelineJS (apt-get install npm)")
        try:
            subprocess.run(
                [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", PACKAGE],
                check=True,
                capture_output=True,
                text=True,
                timeout=300,
            )
        except subprocess.CalledProcessError as exc:
            pytest.skip(f"npm could not install {PACKAGE}: {exc.stderr.strip()[-500:]}")
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"npm could not install {PACKAGE}: {exc}")
    for name in ("js/timeline.js", "css/timeline.css"):
        if not (DIST / name).is_file():
            pytest.skip(f"{PACKAGE} was installed without dist/{name}")
    return DIST


@pytest.fixture
def show(page, timelinejs, live_server):
    """A function that opens TimelineJS on a timeline's JSON (or CSV); returns the page."""
    page.outside_requests = []

    def serve(route):
        request = urlsplit(route.request.url)
        if f"{request.scheme}://{request.netloc}" != live_server.url:
            page.outside_requests.append(route.request.url)
            route.abort()
        elif request.path.startswith("/api/"):
            route.continue_()
        elif request.path == EMBED:
            route.fulfill(body=page.timeline_html, content_type="text/html; charset=utf-8")
        elif request.path.startswith(f"{EMBED}dist/"):
            path = (timelinejs / request.path.removeprefix(f"{EMBED}dist/")).resolve()
            if path.is_relative_to(timelinejs.resolve()) and path.is_file():
                route.fulfill(path=path)
            else:
                route.fulfill(status=404, body="")
        else:
            route.fulfill(status=404, body="")

    page.route("**/*", serve)

    def open_timeline(slug: str, source: str = "timelinejs/"):
        page.timeline_html = PAGE.format(url=f"/api/v1/timelines/{slug}/{source}")
        page.goto(f"{live_server.url}{EMBED}")
        try:
            page.wait_for_function("window.timelineLoaded === true", timeout=20_000)
        except PlaywrightTimeoutError:
            pytest.fail(f"TimelineJS did not load the timeline: {page.console_errors}")
        return page

    return open_timeline


# A slide is at rest in view when its left edge is the slider's: TimelineJS
# slides the whole strip of slides along until it is.
SLIDE_AT_REST = """
id => {
    const slide = document.querySelector(`.tl-slide[id="${id}"]`);
    const mask = document.querySelector(".tl-slider-container-mask");
    return slide !== null && mask !== null
        && Math.abs(slide.getBoundingClientRect().left - mask.getBoundingClientRect().left) < 1;
}
"""


def go_to(page, unique_id: str) -> None:
    """Move TimelineJS to an event's slide, and wait until it has finished moving there."""
    page.evaluate("id => window.timeline.goToId(id)", unique_id)
    page.wait_for_function(SLIDE_AT_REST, arg=unique_id)


def texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "elements => elements.map(e => e.textContent)")


def test_timelinejs_shows_a_slide_per_published_event(seeded, show, artifacts_dir):
    published = list(
        Event.objects.published().filter(timelines__slug=seed_data.TIMELINE["slug"]).chronological()
    )

    page = show(seed_data.TIMELINE["slug"])

    # The title slide, then one slide per event.
    assert page.locator(".tl-slide").count() == len(published) + 1
    assert page.locator(".tl-timemarker").count() == len(published)
    headlines = texts(page, ".tl-slide .tl-headline")
    assert headlines[0] == seed_data.TIMELINE["title"]
    assert sorted(headlines[1:]) == sorted(event.title for event in published)
    ids = page.evaluate("window.timeline.config.events.map(event => event.unique_id)")
    assert sorted(ids) == sorted(event.slug for event in published)
    assert page.evaluate("window.timeline.config.isValid()") is True
    # TimelineJS shows the editors' display dates.
    assert "Thursday 30 October 2025" in texts(page, ".tl-slide .tl-headline-date")
    # A slide with citations, once TimelineJS has finished moving to it.
    go_to(page, "busan-meeting")
    page.screenshot(path=artifacts_dir / "timelinejs.png")
    assert page.outside_requests == []
    assert page.console_errors == []


def test_timelinejs_reads_the_spreadsheet_too(seeded, show):
    published = Event.objects.published().filter(timelines__slug=seed_data.TIMELINE["slug"])

    # TimelineJS reads a URL ending in .csv as its spreadsheet.
    page = show(seed_data.TIMELINE["slug"], "timelinejs.csv")

    assert page.locator(".tl-slide").count() == published.count() + 1
    headlines = texts(page, ".tl-slide .tl-headline")
    assert headlines[0] == seed_data.TIMELINE["title"]
    assert sorted(headlines[1:]) == sorted(event.title for event in published)
    assert "Thursday 30 October 2025" in texts(page, ".tl-slide .tl-headline-date")
    assert page.evaluate("window.timeline.config.isValid()") is True
    assert page.outside_requests == []
    assert page.console_errors == []


def test_timelinejs_shows_markup_in_the_data_as_text(show):
    title = '<img src=x onerror="window.pwned = 1">Busan & "Xi"'
    display_date = '<img src=y onerror="window.pwned = 2">Late & soon'
    group = '<img src=z onerror="window.pwned = 3">R&D'
    event = EventFactory(
        title=title,
        display_date=display_date,
        summary='<script>window.pwned = 4</script>Said "no".',
        tags=[TagFactory(name=group)],
    )
    TimelineFactory(slug="hostile", title="<b>Hostile</b>", events=[event])

    # TimelineJS reads the JSON, and a URL ending in .csv as its spreadsheet.
    for source in ("timelinejs/", "timelinejs.csv"):
        page = show("hostile", source)

        with checking(source):
            assert texts(page, ".tl-slide .tl-headline") == ["<b>Hostile</b>", title]
            assert display_date in texts(page, ".tl-slide .tl-headline-date")
            assert group in texts(page, ".tl-timegroup-message")
            summary = '<script>window.pwned = 4</script>Said "no".'
            assert summary in page.inner_text(".tl-text-content")
            assert page.evaluate("window.pwned") is None
            assert page.outside_requests == []
            assert page.console_errors == []

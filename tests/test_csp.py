"""The Content-Security-Policy holds on every page people use, in Chromium.

The policy allows only this site's own scripts, styles, images and fonts. A
page that needed an inline script or style, or anything from another origin,
would break under it; Chromium reports each violation as a
``securitypolicyviolation`` event, which these tests collect.
"""

import pytest

from tests.factories import make_editor
from timeline.models import Event

SLUG = "us-china-trade-2025"
PASSWORD = "a long editor password 42"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def site(live_server, seeded) -> str:
    return live_server.url


@pytest.fixture
def csp_page(page):
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "response",
        lambda r: r.status >= 400 and page.console_errors.append(f"{r.status} {r.url}"),
    )
    return page


def visit(page, url: str) -> list[str]:
    """Open the page and return its policy violations and console errors."""
    response = page.goto(url)
    assert response.status < 400, (url, response.status)
    assert "default-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__violations") + page.console_errors


def test_public_pages_run_under_the_policy(csp_page, site):
    event = Event.objects.published().first()
    for path in ("/", f"/timelines/{SLUG}/", event.get_absolute_url()):
        assert (problems := visit(csp_page, f"{site}{path}")) == [], (path, problems)


def test_the_api_docs_run_under_the_policy(csp_page, site):
    assert (problems := visit(csp_page, f"{site}/api/docs/")) == [], problems
    # Swagger UI rendered the operations from the schema, so its scripts ran.
    assert csp_page.locator(".opblock").count() > 10


def test_the_browsable_api_runs_under_the_policy(csp_page, site):
    assert (problems := visit(csp_page, f"{site}/api/v1/timelines/{SLUG}/?format=api")) == [], (
        problems
    )


def test_the_admin_runs_under_the_policy(csp_page, site):
    editor = make_editor()
    editor.set_password(PASSWORD)
    editor.save()
    csp_page.goto(f"{site}/admin/login/")
    csp_page.fill("#id_username", editor.username)
    csp_page.fill("#id_password", PASSWORD)
    csp_page.click("input[type=submit]")
    csp_page.wait_for_url(f"{site}/admin/")

    event = Event.objects.get(slug="busan-meeting")
    source = event.citations.first().source
    for path in (
        "/admin/",
        "/admin/timeline/event/",
        "/admin/timeline/event/?q=busan",
        f"/admin/timeline/event/{event.pk}/change/",
        "/admin/timeline/event/add/",
        f"/admin/timeline/event/{event.pk}/history/",
        f"/admin/sources/source/{source.pk}/change/",
        "/admin/timeline/actor/",
    ):
        assert (problems := visit(csp_page, f"{site}{path}")) == [], (path, problems)


def test_the_favicon_is_the_sites_icon(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.redirect_chain[0][1] == 301
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)

"""Browser: a person signs in to the console through the real form in headless Chromium."""

from __future__ import annotations

from tests.console.browser.conftest import playwright_api, sign_in


def test_trainer_signs_in_and_sees_their_name(live_console, users, browser_page):
    """The sign-in form works in a real browser (CSRF double-submit cookie, redirect to the page
    asked for) and the header then names the signed-in trainer; no script or CSP errors."""
    sign_in(browser_page, live_console, users["trainer"])
    playwright_api.expect(browser_page.locator("#current-user")).to_contain_text("Người trainer")

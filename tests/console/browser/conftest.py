"""Shared fixtures for console browser tests: the console served on a free localhost port and a
headless Debian Chromium driven by Playwright (never a downloaded browser: no ``playwright install``).

Usage in a test module under ``tests/console/browser/``::

    pytestmark = pytest.mark.browser

    def test_something(live_console, users, browser_page):
        sign_in(browser_page, live_console, users["trainer"])
        ...

``live_console`` serves the ``app`` fixture of ``tests/console/conftest.py``, so a module can
override ``settings`` (e.g. ``make_settings(tmp_path, rasa_url=...)``) and seed data with ``db``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import SCREENSHOTS, launch_context
from tests.console.conftest import PASSWORD
from tests.live_server import serve_asgi
from tests.missing import import_or_missing

playwright_api = import_or_missing("playwright.sync_api", "the PyPI package playwright is not installed")


@pytest.fixture(autouse=True)
def _needs_chromium(chromium: str) -> None:
    """Every test here drives Chromium: skipped without it, failed under CI=true."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (Chromium is required by ``_needs_chromium``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_console(app) -> Iterator[str]:
    """The ``app`` fixture served by uvicorn in a thread; yields its base URL."""
    with serve_asgi(app, "console") as url:
        yield url


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator:
    """A fresh headless Chromium profile per test (Vietnamese locale, desk-sized window)."""
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "chromium-profile", height=900)
        yield context
        context.close()


@pytest.fixture
def browser_page(browser_context) -> Iterator:
    """The context's page; fails the test on any JavaScript error or CSP violation in the console."""
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def on_console(msg) -> None:
        if msg.type == "error" and "favicon.ico" not in (msg.location or {}).get("url", ""):
            errors.append(msg.text)

    page.on("console", on_console)
    yield page
    assert not errors, f"browser errors: {errors}"


def sign_in(page, base_url: str, username: str, password: str = PASSWORD, next_path: str = "/faqs") -> None:
    """Sign in through the real form, then land on ``next_path``."""
    page.goto(f"{base_url}/login?next={next_path}")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}{next_path}*")


def screenshot(page, name: str) -> None:
    """Keep a picture of the page under reports/screenshots/ (for reviewers of the UI)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

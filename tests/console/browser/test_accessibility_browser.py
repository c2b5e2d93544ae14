"""axe-core on the staff console's main pages (sign-in, FAQs, desk, complaints, review, training,
analytics, users): no serious or critical WCAG 2.1 AA violation."""

from __future__ import annotations

import pytest

from tests.axe import serious_violations
from tests.console.browser.conftest import sign_in

PAGES = ["/faqs", "/faqs/new", "/desk", "/complaints", "/review", "/training", "/analytics", "/admin/users"]


def test_sign_in_page_has_no_serious_violation(live_console, browser_page):
    browser_page.goto(f"{live_console}/login")
    assert serious_violations(browser_page) == []


@pytest.mark.parametrize("path", PAGES)
def test_main_pages_have_no_serious_violation(live_console, users, browser_page, path):
    """Each main page as an admin sees it (every menu entry shown)."""
    sign_in(browser_page, live_console, users["admin"], next_path=path)
    assert serious_violations(browser_page) == [], path

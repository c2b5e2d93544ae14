"""axe-core on the citizen page, with the chat open and an answer with buttons shown: no serious or
critical WCAG 2.1 AA violation."""

from __future__ import annotations

from tests.axe import serious_violations
from tests.web.test_widget_browser import QUESTION, Widget, browser, expect, pytestmark, site  # noqa: F401


def test_citizen_page_with_the_chat_open_has_no_serious_violation(browser, site, fake_rasa):  # noqa: F811
    """The page closed, then the chat open with a question, an answer, a link and choice buttons."""
    w = Widget(browser, site)
    assert serious_violations(w.page) == []
    w.open()
    w.ask(QUESTION)
    expect(w.bot_texts().first).to_be_visible()
    w.wait_idle()
    assert serious_violations(w.page) == []


def test_the_check_fails_on_a_page_with_violations(browser):  # noqa: F811
    """The check is real: a button without a name and an image without alt text are reported."""
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.set_content('<html lang="vi"><body><main><button></button><img src="x.png"></main></body></html>')
    found = serious_violations(page)
    assert any(line.startswith("button-name (critical)") for line in found), found
    assert any(line.startswith("image-alt (critical)") for line in found), found

"""The real stack in a real browser: web page, widget, Rasa, action server, portal.

Headless Debian Chromium (Playwright, the flags of tests/web/) opens the page the session stack
serves (``StackLayout.web_port``), picks a procedure from the buttons of an ambiguous fee question,
asks the skeleton's question in the widget, reloads and continues the same conversation, and
saves a phone-sized screenshot under reports/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher.stack import StackLayout
from tests.browser import SCREENSHOTS, launch_context
from tests.missing import import_or_missing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.timeout(900),  # may also train the session model and start the session stack
    pytest.mark.usefixtures("chromium"),
]
playwright_api = import_or_missing("playwright.sync_api", "the PyPI package playwright is not installed")
expect = playwright_api.expect

QUESTION = "Làm căn cước cần giấy tờ gì?"
FOLLOW_UP = "Lệ phí bao nhiêu?"
CHOICE_QUESTION = "lệ phí căn cước bao nhiêu"  # tests/integration/test_dialogue_e2e.py: 3-5 buttons


def test_citizen_asks_in_the_widget_and_continues_after_reload(assistant_stack: StackLayout, tmp_path: Path) -> None:
    """A citizen on a phone asks «Làm căn cước cần giấy tờ gì?» and reads the documents with the
    source link; the buttons of a choice work; after a reload the history is there and the same
    conversation continues with the real assistant."""
    assert assistant_stack.web_port is not None
    site = assistant_stack.url(assistant_stack.web_port)
    errors: list[str] = []
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "profile", 360, 740, is_mobile=True, has_touch=True)
        context.set_default_timeout(30000)  # a real model and a real portal: the first turn is slower
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(site + "/")
            page.get_by_role("button", name="Hỏi trợ lý ảo", exact=True).click()
            log = page.get_by_role("log")
            field = page.get_by_label("Câu hỏi của bạn")
            bot_texts = log.locator(".chat-msg-bot:not(.chat-welcome) .chat-text")
            typing = page.locator(".chat-typing")

            # "căn cước" alone names three procedures (cấp, cấp đổi, cấp lại): in a new conversation
            # the fee question is answered with a choice, whose buttons must work (never skipped).
            field.fill(CHOICE_QUESTION)
            field.press("Enter")
            buttons = log.locator(".chat-msg-bot:not(.chat-welcome) button.chat-choice")
            expect(buttons.first).to_be_visible(timeout=30000)
            expect(typing).to_be_hidden()
            before = bot_texts.count()
            title = buttons.first.inner_text()
            buttons.first.click()
            expect(log.locator(".chat-msg-user .chat-text").last).to_have_text(title)
            expect(bot_texts).not_to_have_count(before, timeout=30000)
            expect(typing).to_be_hidden()
            assert "Lệ phí" in bot_texts.last.inner_text(), bot_texts.last.inner_text()

            before = bot_texts.count()
            field.fill(QUESTION)
            field.press("Enter")
            expect(bot_texts).not_to_have_count(before, timeout=30000)
            expect(typing).to_be_hidden()
            answer = " ".join(bot_texts.all_text_contents()[before:])
            assert "căn cước" in answer.lower() and "Hồ sơ" in answer, answer
            assert "•" in answer, "the documents are listed"
            source = log.locator('.chat-msg-bot a[href^="https://dichvucong.gov.vn"]').first
            expect(source).to_be_visible()  # the source link is a real, clickable link
            expect(source).to_have_attribute("rel", "noopener noreferrer")

            shown = bot_texts.count()
            page.reload()
            expect(bot_texts).to_have_count(shown)  # the history survives the reload
            expect(log.locator(".chat-msg-user .chat-text").first).to_have_text(CHOICE_QUESTION)
            field.fill(FOLLOW_UP)
            field.press("Enter")
            expect(log.locator(".chat-msg-user .chat-text").last).to_have_text(FOLLOW_UP)
            expect(bot_texts).not_to_have_count(shown)
            expect(typing).to_be_hidden()
            follow_up = bot_texts.last.inner_text()
            assert follow_up.strip(), "the assistant answered after the reload"

            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "e2e-stack-360x740.png"))
        finally:
            context.close()
    assert errors == [], errors

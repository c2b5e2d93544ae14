"""Staff publish an FAQ answer in the console, then the assistant gives that answer: real stack,
real browser, through the console's pages and its publish route (no database update).

A staff member (admin of the stack's console) withdraws the FAQ «giờ làm việc», rewrites its
answer, and publishes it again with the «Công bố» button; a citizen then asks the question in
the web widget and reads the new answer (within the action server's FAQ cache time).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from launcher.stack import StackLayout
from tests.browser import launch_context
from tests.missing import import_or_missing

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.usefixtures("chromium")]
playwright_api = import_or_missing("playwright.sync_api", "the PyPI package playwright is not installed")
expect = playwright_api.expect

FAQ_KEY = "gio_lam_viec"
QUESTION = "bộ phận một cửa làm việc mấy giờ"  # a training example of faq/gio_lam_viec
CACHE_SECONDS = 20  # FAQ_CACHE_SECONDS default: how long the action server keeps an answer


def test_published_answer_is_what_the_bot_says(
    assistant_stack: StackLayout, stack_admin: tuple[str, str], tmp_path: Path
) -> None:
    """Unpublish, edit, publish through the console's buttons; the widget then shows the new text."""
    new_answer = f"Bộ phận một cửa làm việc từ 7 giờ 15 đến 17 giờ (mã kiểm tra {uuid.uuid4().hex[:6]})."
    console = assistant_stack.console_url
    site = assistant_stack.url(assistant_stack.web_port)
    username, password = stack_admin
    with playwright_api.sync_playwright() as pw:
        context = launch_context(pw, tmp_path / "profile", height=900)
        context.set_default_timeout(30000)
        try:
            page = context.pages[0] if context.pages else context.new_page()
            page.on("dialog", lambda dialog: dialog.accept())  # the confirm() of «Ngừng công bố»
            page.goto(f"{console}/login?next=/faqs/{FAQ_KEY}")
            page.get_by_label("Tên đăng nhập").fill(username)
            page.get_by_label("Mật khẩu").fill(password)
            page.get_by_role("button", name="Đăng nhập").click()
            page.wait_for_url(f"{console}/faqs/{FAQ_KEY}*")
            page.locator("#faq-unpublish").click()
            expect(page.locator("#faq-publish")).to_be_visible()
            page.locator("#faq-edit").click()
            page.locator("#faq-answer").fill(new_answer)
            page.locator("#faq-save").click()
            expect(page.locator("#faq-publish")).to_be_visible()
            page.locator("#faq-publish").click()
            expect(page.locator("#faq-unpublish")).to_be_visible()
            published_at = time.monotonic()

            citizen = context.new_page()
            citizen.goto(site + "/")
            citizen.get_by_role("button", name="Hỏi trợ lý ảo", exact=True).click()
            field = citizen.get_by_label("Câu hỏi của bạn")
            answers = citizen.get_by_role("log").locator(".chat-msg-bot:not(.chat-welcome) .chat-text")
            seen: list[str] = []
            while True:  # an answer cached before the edit may be served until the cache expires
                before = answers.count()
                field.fill(QUESTION)
                field.press("Enter")
                expect(answers).not_to_have_count(before)
                expect(citizen.locator(".chat-typing")).to_be_hidden()
                seen.append(" ".join(answers.all_inner_texts()[before:]))
                if new_answer in seen[-1] or time.monotonic() - published_at > CACHE_SECONDS + 10:
                    break
                time.sleep(3)
            assert new_answer in seen[-1], seen
        finally:
            context.close()

"""Browser: a trainer corrects a citizen message, choosing the entity span on the text itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from console.models import ReviewCorrection
from tests.console.browser.conftest import playwright_api, screenshot, sign_in
from tests.console.conftest import make_settings
from tests.console.test_review import FEE_TEXT, write_tracker

expect = playwright_api.expect


@pytest.fixture
def settings(tmp_path: Path):
    tracker = tmp_path / "tracker.db"
    write_tracker(tracker)
    return make_settings(
        tmp_path, tracker_database_url=f"sqlite:///{tracker}", corrections_path=tmp_path / "corrections.yml"
    )


def _select(page, words: str) -> None:
    """Select ``words`` inside the message box the way a mouse drag would."""
    page.evaluate(
        """(words) => {
            const box = document.getElementById("message-text");
            const node = [...box.childNodes].find((n) => n.textContent.includes(words)).firstChild
                || [...box.childNodes].find((n) => n.textContent.includes(words));
            const start = node.textContent.indexOf(words);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + words.length + 1);  // a trailing space, as mice do
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }""",
        words,
    )


def test_trainer_corrects_intent_and_entity_span(live_console, users, browser_page, db, settings):
    """Sign in, open the review list, pick a message, select words on the text to mark an entity
    (the script trims the stray space and highlights it), change the intent and save: the stored
    correction has exactly the selected span, and the list shows it as corrected."""
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_console, users["trainer"], next_path="/review")
    row = page.locator("#review-table tr", has_text=FEE_TEXT)
    expect(row).to_contain_text("ask_fee")
    page.get_by_role("link", name="Trợ lý không hiểu (fallback)").click()
    expect(page.locator("#review-count")).to_have_text("1 nội dung khác nhau trong 1 tin nhắn")
    screenshot(page, "console-review-list")
    page.get_by_role("link", name="Tất cả tin nhắn").click()
    row.get_by_role("link", name="Sửa nhãn").click()
    expect(page.get_by_role("heading", name="Sửa nhãn tin nhắn")).to_be_visible()
    # The model's own entity comes pre-filled; the trainer replaces it with a narrower span.
    expect(page.locator("#message-text mark")).to_have_text("làm hộ chiếu")
    page.get_by_role("button", name="Bỏ procedure “làm hộ chiếu”").click()
    expect(page.locator("#message-text mark")).to_have_count(0)
    page.get_by_role("button", name="Gán thông tin cho đoạn đã chọn").click()
    expect(page.locator("#selection-error")).to_contain_text("bôi đen")
    page.get_by_label("Loại thông tin").select_option("procedure")
    _select(page, "hộ chiếu")
    page.get_by_role("button", name="Gán thông tin cho đoạn đã chọn").click()
    expect(page.locator("#message-text mark")).to_have_text("hộ chiếu")
    expect(page.locator("#entity-list")).to_contain_text("procedure: “hộ chiếu”")
    page.get_by_label("Ý định đúng").select_option("ask_procedure")
    screenshot(page, "console-review-correction")
    page.get_by_role("button", name="Lưu nhãn đúng").click()
    expect(page.locator("#notice")).to_contain_text("Đã lưu nhãn đúng")
    expect(page.locator("#review-table")).to_contain_text("ask_procedure")
    with db() as session:
        correction = session.execute(select(ReviewCorrection)).scalar_one()
        start = FEE_TEXT.index("hộ chiếu")
        assert correction.intent == "ask_procedure"
        assert correction.entities == [{"start": start, "end": start + len("hộ chiếu"), "entity": "procedure"}]

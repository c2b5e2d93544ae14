"""The handoff desk in a real browser: taking over a conversation and replying, and two staff
members racing for the same request (each in their own session, clicking at the same time)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rasa.shared.core.events import BotUttered, UserUttered

from common.conversation import HANDOFF_SLOT
from tests.console.browser.conftest import playwright_api, screenshot, sign_in
from tests.console.conftest import settings_with_rasa
from tests.console.desk_support import FakeRasaApi, write_conversations

pytestmark = pytest.mark.browser
expect = playwright_api.expect
SENDER = "web:9f1d2c3b-4a5e-4f60-8b7c-0d1e2f3a4b5c"


@pytest.fixture
def settings(tmp_path: Path, fake_rasa: FakeRasaApi):
    return settings_with_rasa(tmp_path, fake_rasa)


@pytest.fixture
def handoff_id(app, tmp_path: Path) -> int:
    """A citizen's conversation in the tracker store and their open handoff request."""
    now = time.time()
    write_conversations(
        tmp_path / "tracker.db",
        {
            SENDER: [
                UserUttered("hồ sơ đất của tôi bị trả lại", {"name": "complain"}, timestamp=now - 60),
                BotUttered("Bạn muốn gặp cán bộ không?", timestamp=now - 59),
                UserUttered("cho tôi gặp cán bộ", {"name": "request_human"}, timestamp=now - 58),
            ]
        },
    )
    from fastapi.testclient import TestClient

    from tests.console.conftest import SERVICE_TOKEN

    with TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as api:
        body = {"sender_id": SENDER, "channel": "web", "reason": "Hồ sơ đất bị trả lại"}
        return int(api.post("/api/v1/handoffs", json=body).json()["id"])


def test_take_over_and_reply(live_console, users, browser_page, fake_rasa, handoff_id, tmp_path) -> None:
    """A staff member finds the request, reads the conversation, takes it, replies; the reply goes to
    Rasa as a staff bot event and the transcript refreshes by itself when Rasa has stored it."""
    page = browser_page
    sign_in(page, live_console, users["staff"], next_path="/desk")
    expect(page.locator(f"#handoff-{handoff_id}")).to_contain_text("Đang chờ")
    page.locator(f"#open-{handoff_id}").click()
    transcript = page.get_by_role("log", name="Nội dung hội thoại")
    expect(transcript).to_contain_text("hồ sơ đất của tôi bị trả lại")
    page.get_by_role("button", name="Nhận xử lý").click()
    expect(page.locator("#notice")).to_contain_text("Bạn đã nhận cuộc trò chuyện")
    page.get_by_label("Trả lời người dân").fill("Chào anh, tôi là cán bộ Lan, tôi xem hồ sơ giúp anh.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("Đã gửi tin nhắn cho người dân")
    assert fake_rasa.events_for(SENDER)[-1]["text"] == "Chào anh, tôi là cán bộ Lan, tôi xem hồ sơ giúp anh."

    # Rasa stores the staff event and the citizen answers: the open page shows both without reload.
    now = time.time()
    write_conversations(
        tmp_path / "tracker.db",
        {
            SENDER: [
                BotUttered("Chào anh, tôi là cán bộ Lan.", metadata={"source": "staff"}, timestamp=now),
                UserUttered("cảm ơn chị", {"name": "thank"}, timestamp=now + 1),
            ]
        },
    )
    expect(transcript).to_contain_text("cảm ơn chị", timeout=8000)
    expect(transcript.locator(".line-staff")).to_contain_text("Cán bộ")
    screenshot(page, "desk-conversation")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Trả lại cho trợ lý ảo và đóng yêu cầu").click()
    expect(page.locator("#notice")).to_contain_text("Đã trả cuộc trò chuyện cho trợ lý ảo")
    assert fake_rasa.events_for(SENDER)[-1] == {"event": "slot", "name": HANDOFF_SLOT, "value": False}


def test_two_staff_race_for_the_same_request(live_console, users, app, browser_context, handoff_id, fake_rasa) -> None:
    """Two signed-in staff (separate sessions) click "Nhận xử lý" at the same moment: one gets the
    conversation, the other is told a colleague took it; the bot is told only once."""
    from console.db import session_scope
    from console.services import accounts
    from tests.console.conftest import PASSWORD

    with session_scope(app.state.session_factory) as session:
        accounts.create_user(session, "staff2", PASSWORD, "staff", "Cán bộ Hai")
    # Cookies are per host: 127.0.0.1 and localhost give two independent sessions in one browser.
    other_base = live_console.replace("127.0.0.1", "localhost")
    first = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    second = browser_context.new_page()
    sign_in(first, live_console, users["staff"], next_path="/desk")
    sign_in(second, other_base, "staff2", next_path="/desk")
    buttons = [page.locator(f"#take-{handoff_id}") for page in (first, second)]
    for button in buttons:
        expect(button).to_be_visible()
    for button in buttons:
        button.click(no_wait_after=True)
    outcomes = []
    for page in (first, second):
        page.wait_for_url("**/desk/*?*")
        outcomes.append(page.locator(".alert").first.inner_text())
    winners = [text for text in outcomes if "Bạn đã nhận cuộc trò chuyện" in text]
    losers = [text for text in outcomes if "đã có cán bộ khác nhận" in text]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert len([c for c in fake_rasa.calls if c[0] == SENDER]) == 1

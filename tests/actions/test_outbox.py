"""Nothing a citizen sends to the staff is lost while the console is down: the complaint and the
handoff request are kept in the outbox, the citizen is told they were received (not that it failed),
and both reach the real console once it answers again."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.complaints import KEPT_MESSAGE as COMPLAINT_KEPT
from actions.complaints import ActionSubmitComplaint
from actions.console_client import reset_shared_console_client
from actions.handoff import KEPT_MESSAGE as HANDOFF_KEPT
from actions.handoff import ActionHandoff
from actions.outbox import reset_shared_outbox, shared_outbox
from launcher.processes import free_port
from tests.actions.conftest import Services, make_tracker, texts

SENDER = "web:8c1f0a2e-6b7d-4e5f-9a3b-2c1d0e9f8a7b"
DESCRIPTION = "Đèn đường trước nhà văn hoá thôn 3 hỏng cả tháng nay chưa ai sửa."


@pytest.fixture
def console_down(live: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Services:
    """The console's address answers nothing; the outbox lives in a temporary database and its own
    retry thread stays asleep (the test flushes by hand)."""
    monkeypatch.setenv("CONSOLE_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("ACTIONS_OUTBOX_URL", f"sqlite:///{tmp_path / 'outbox.db'}")
    monkeypatch.setenv("ACTIONS_OUTBOX_RETRY_SECONDS", "3600")
    reset_shared_console_client()
    reset_shared_outbox()
    yield live
    reset_shared_outbox()


def test_complaint_and_handoff_wait_in_the_outbox_and_reach_the_console(
    console_down: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    complaint = CollectingDispatcher()
    ActionSubmitComplaint().run(
        complaint, make_tracker(sender_id=SENDER, slots={"complaint_description": DESCRIPTION}), {}
    )
    handoff = CollectingDispatcher()
    ActionHandoff().run(handoff, make_tracker(text="cho tôi gặp cán bộ", intent="request_human", sender_id=SENDER), {})
    assert texts(complaint) == COMPLAINT_KEPT.format(contact=" khi có kết quả xử lý")
    assert texts(handoff) == HANDOFF_KEPT
    assert shared_outbox().pending() == 2

    monkeypatch.setenv("CONSOLE_URL", console_down.console_url)  # the console is back
    reset_shared_console_client()
    assert shared_outbox().flush() == 2
    assert shared_outbox().pending() == 0
    with sqlite3.connect(console_down.console_db) as db:
        assert db.execute("SELECT count(*) FROM console_complaints WHERE sender_id = ?", (SENDER,)).fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM console_handoffs WHERE sender_id = ?", (SENDER,)).fetchone()[0] == 1


def test_a_console_still_down_keeps_the_entry_for_a_later_try(console_down: Services) -> None:
    """A failed delivery postpones the entry (backoff) instead of dropping it."""
    outbox = shared_outbox()
    outbox.put("complaint", {"sender_id": SENDER, "channel": "web", "description": DESCRIPTION, "contact": None})
    assert outbox.flush() == 0
    assert outbox.pending() == 1

"""After office hours the bot asks for a contact, through the REST channel of the real stack.

The stack's console has no opening hours (``CONSOLE_OFFICE_HOURS=closed`` in the test stack), so every
handoff is followed by the contact form. What a citizen leaves is stored on the handoff, shown to
staff in the desk, and never persisted in clear in Rasa's tracker store.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import httpx
import pytest
import requests

from actions.handoff import BAD_CONTACT_MESSAGE, CONTACT_DECLINED_MESSAGE, CONTACT_SAVED_MESSAGE
from launcher.stack import StackLayout
from tests.console.conftest import login
from tests.integration.conftest import say_text

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]  # may start the session stack


def persisted_tracker(stack: StackLayout, sender: str) -> str:
    response = requests.get(
        f"{stack.rasa_url}/conversations/web:{sender}/tracker", params={"token": stack.rasa_token}, timeout=10
    )
    response.raise_for_status()
    return json.dumps(response.json(), ensure_ascii=False)


def handoff_row(stack: StackLayout, sender: str) -> dict[str, Any]:
    database = stack.env["CONSOLE_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("select * from console_handoffs where sender_id = ?", (f"web:{sender}",)).fetchall()
    assert len(rows) == 1, f"expected one handoff for web:{sender}, found {len(rows)}"
    return dict(rows[0])


def test_phone_left_after_hours_is_stored_masked_in_the_tracker_and_shown_in_the_desk(
    assistant_stack: StackLayout, stack_admin: tuple[str, str]
) -> None:
    """Ask for a person -> the bot says the desk is closed and asks for a phone or e-mail; an
    unusable answer is asked again; a phone number is stored on the handoff and appears in the
    desk queue and the handoff page, while the persisted conversation holds no phone digits."""
    sender = str(uuid.uuid4())
    first = say_text(assistant_stack, sender, "cho tôi gặp cán bộ")
    assert "ngoài giờ làm việc" in first
    assert "số điện thoại hoặc email" in first
    assert BAD_CONTACT_MESSAGE in say_text(assistant_stack, sender, "để mình nghĩ đã")
    assert CONTACT_SAVED_MESSAGE in say_text(assistant_stack, sender, "số của mình là 0987 654 321 nhé")

    handoff = handoff_row(assistant_stack, sender)
    assert handoff["contact"] == "0987654321" and handoff["status"] == "open"
    persisted = persisted_tracker(assistant_stack, sender)
    assert "0987654321" not in persisted and "654 321" not in persisted

    username, password = stack_admin
    with httpx.Client(base_url=assistant_stack.console_url, timeout=10) as staff:
        login(staff, username, password)
        queue = staff.get("/desk")
        assert queue.status_code == 200 and "0987654321" in queue.text
        page = staff.get(f"/desk/{handoff['id']}")
        assert 'id="handoff-contact">0987654321<' in page.text


def test_email_left_after_hours_is_stored_and_masked(assistant_stack: StackLayout) -> None:
    """An e-mail address is accepted as the contact (lower case) and masked in the tracker."""
    sender = str(uuid.uuid4())
    say_text(assistant_stack, sender, "tôi muốn nói chuyện với nhân viên")
    assert CONTACT_SAVED_MESSAGE in say_text(assistant_stack, sender, "Nguyen.Van.Lan@Example.vn")
    assert handoff_row(assistant_stack, sender)["contact"] == "nguyen.van.lan@example.vn"
    assert "nguyen.van.lan" not in persisted_tracker(assistant_stack, sender).lower()


def test_the_citizen_may_decline_to_leave_a_contact(assistant_stack: StackLayout) -> None:
    """ "không" ends the form politely; the handoff stays queued without a contact and the bot
    answers the next question normally."""
    sender = str(uuid.uuid4())
    say_text(assistant_stack, sender, "cho tôi gặp cán bộ")
    assert CONTACT_DECLINED_MESSAGE in say_text(assistant_stack, sender, "không")
    assert handoff_row(assistant_stack, sender)["contact"] is None
    assert "Hồ sơ cần nộp:" in say_text(assistant_stack, sender, "Đăng ký thường trú cần giấy tờ gì?")

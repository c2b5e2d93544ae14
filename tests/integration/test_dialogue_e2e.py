"""Whole conversations through the REST channel of the real stack (portal, console, actions, Rasa).

Follow-up questions answered from the context, a procedure chosen from signed buttons, a dossier
lookup that succeeds and one that fails (and the persisted tracker keeps no ID digits), and a
handoff during which the bot stays silent.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from common.conversation import HANDOFF_SLOT
from launcher.stack import StackLayout
from tests.integration.conftest import say, text_of


def new_sender() -> str:
    """A sender id like the web widget's (16-64 characters of [A-Za-z0-9_-])."""
    return str(uuid.uuid4())


def tracker_of(stack: StackLayout, sender: str) -> dict[str, Any]:
    """The conversation as Rasa persisted it (the REST channel namespaces senders as web:<id>)."""
    response = requests.get(
        f"{stack.rasa_url}/conversations/web:{sender}/tracker", params={"token": stack.rasa_token}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def set_slot(stack: StackLayout, sender: str, name: str, value: Any) -> None:
    """What the staff console does when a staff member takes or returns a conversation."""
    response = requests.post(
        f"{stack.rasa_url}/conversations/web:{sender}/tracker/events",
        params={"token": stack.rasa_token},
        json={"event": "slot", "name": name, "value": value},
        timeout=10,
    )
    response.raise_for_status()


def demo_dossiers(stack: StackLayout) -> list[dict[str, Any]]:
    return json.loads(Path(stack.env["PORTAL_DEMO_DOSSIERS_PATH"]).read_text(encoding="utf-8"))["dossiers"]


@pytest.mark.slow
def test_follow_up_questions_use_the_procedure_under_discussion(assistant_stack: StackLayout) -> None:
    sender = new_sender()
    documents = text_of(say(assistant_stack, sender, "Đăng ký thường trú cần giấy tờ gì?"))
    assert documents.startswith("Thủ tục «Đăng ký thường trú»:") and "Hồ sơ cần nộp:" in documents
    fee = text_of(say(assistant_stack, sender, "còn lệ phí thì sao?"))
    assert fee.startswith("Thủ tục «Đăng ký thường trú»:") and "Lệ phí" in fee
    assert "Trực tuyến: 10.000 đồng" in fee and "Trực tiếp: 20.000 đồng" in fee
    where = text_of(say(assistant_stack, sender, "nộp ở đâu?"))
    assert "Nơi nộp: Công an cấp xã" in where.replace("cấp Xã", "cấp xã")
    assert "dữ liệu ngày 30/06/2026" in where


@pytest.mark.slow
def test_a_procedure_chosen_from_the_buttons_answers_the_question(assistant_stack: StackLayout) -> None:
    """The buttons come back signed by the channel; clicking one answers the fee asked before."""
    sender = new_sender()
    replies = say(assistant_stack, sender, "lệ phí căn cước bao nhiêu")  # cấp, cấp đổi, cấp lại...
    with_buttons = [reply for reply in replies if reply.get("buttons")]
    assert with_buttons, text_of(replies)
    buttons = with_buttons[0]["buttons"]
    assert 3 <= len(buttons) <= 5
    assert buttons[0]["payload"].startswith("~")  # signed: only the bot's own payloads are trusted
    answer = text_of(say(assistant_stack, sender, buttons[0]["payload"]))
    assert answer.startswith("Thủ tục «") and "Lệ phí" in answer


@pytest.mark.slow
def test_successful_dossier_lookup_and_no_id_digits_in_the_tracker(assistant_stack: StackLayout) -> None:
    dossier = next(item for item in demo_dossiers(assistant_stack) if item["status"] == 5)
    sender = new_sender()
    asked = text_of(say(assistant_stack, sender, "tra cứu tình trạng hồ sơ"))
    assert "mã hồ sơ" in asked
    asked = text_of(say(assistant_stack, sender, dossier["code"].lower()))
    assert "số định danh" in asked
    status = text_of(say(assistant_stack, sender, f"số cccd của tôi là {dossier['id_number']}"))
    assert "Tình trạng: Yêu cầu bổ sung giấy tờ" in status
    assert "Giấy tờ cần bổ sung:" in status and "Ngày hẹn trả kết quả:" in status
    assert dossier["id_number"] not in status

    persisted = json.dumps(tracker_of(assistant_stack, sender), ensure_ascii=False)
    identity = dossier["id_number"]
    assert identity not in persisted
    for run in re.findall(r"\d[\d*]{7,}", persisted):  # every ID-shaped value: masked
        if run.startswith(identity[:2]) and len(run) == len(identity):
            assert re.fullmatch(r"\d{0,2}\*+", run), run


@pytest.mark.slow
def test_failed_dossier_lookup_is_neutral(assistant_stack: StackLayout) -> None:
    dossier = demo_dossiers(assistant_stack)[0]
    sender = new_sender()
    say(assistant_stack, sender, f"tra cứu hồ sơ {dossier['code']}")
    reply = text_of(say(assistant_stack, sender, "0000"))
    assert "không tìm thấy hồ sơ khớp" in reply
    assert dossier["id_number"] not in reply


@pytest.mark.slow
def test_handoff_then_silence_while_staff_own_the_conversation(assistant_stack: StackLayout) -> None:
    sender = new_sender()
    reply = text_of(say(assistant_stack, sender, "cho tôi gặp nhân viên"))
    assert "cán bộ" in reply
    owner = requests.get(
        f"{assistant_stack.console_url}/api/v1/conversations/web:{sender}/owner",
        headers={"Authorization": f"Bearer {assistant_stack.env['CONSOLE_SERVICE_TOKEN']}"},
        timeout=10,
    )
    assert owner.status_code == 200 and owner.json()["handoff_id"]
    set_slot(assistant_stack, sender, HANDOFF_SLOT, True)
    assert say(assistant_stack, sender, "còn lệ phí thì sao?") == []
    set_slot(assistant_stack, sender, HANDOFF_SLOT, False)
    assert text_of(say(assistant_stack, sender, "xin chào"))

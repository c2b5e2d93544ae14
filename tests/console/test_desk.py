"""Handoff desk: queue, transcript from the tracker store, take / reply / release through Rasa's API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rasa.shared.core.events import BotUttered, UserUttered

from common.conversation import HANDOFF_SLOT
from console.models import AuditEntry, Handoff, StaffReply
from tests.console.conftest import login, settings_with_rasa
from tests.console.desk_support import FakeRasaApi, write_conversations

SENDER = "web:5b0c7a4e-3f7e-4a53-9d0b-6a1c2b3d4e5f"


@pytest.fixture
def settings(tmp_path: Path, fake_rasa: FakeRasaApi):
    return settings_with_rasa(tmp_path, fake_rasa)


def open_handoff(api: TestClient, sender_id: str = SENDER, contact: str | None = None) -> int:
    body = {
        "sender_id": sender_id,
        "channel": "web",
        "reason": "Cần hỏi về hồ sơ đất đai",
        "last_messages": [{"role": "user", "text": "cho tôi gặp cán bộ"}],
    }
    if contact:
        body["contact"] = contact
    response = api.post("/api/v1/handoffs", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_queue_shows_request_with_transcript_from_tracker_store(client, api, users, tmp_path) -> None:
    """Staff see waiting requests and the conversation read from Rasa's events, with PII masked."""
    write_conversations(
        tmp_path / "tracker.db",
        {
            SENDER: [
                UserUttered("số căn cước của tôi là 001099012345", {"name": "inform"}, timestamp=1000.0),
                BotUttered("Mình đã ghi nhận.", timestamp=1001.0),
                UserUttered("cho tôi gặp cán bộ", {"name": "request_human"}, timestamp=1002.0),
            ]
        },
    )
    handoff_id = open_handoff(api, contact="0912345678")
    login(client, users["staff"])
    queue = client.get("/desk")
    assert queue.status_code == 200
    assert f'id="handoff-{handoff_id}"' in queue.text and "Đang chờ" in queue.text
    page = client.get(f"/desk/{handoff_id}")
    assert "cho tôi gặp cán bộ" in page.text and "Mình đã ghi nhận." in page.text
    assert "001099012345" not in page.text, "an ID number reached the desk unmasked"
    data = client.get(f"/desk/{handoff_id}/messages.json").json()
    assert [line["role"] for line in data["lines"]] == ["user", "bot", "user"]


def test_transcript_falls_back_to_the_actions_snapshot(client, api, users) -> None:
    """Without a readable tracker store the desk still shows what the action sent with the request."""
    handoff_id = open_handoff(api)
    login(client, users["staff"])
    page = client.get(f"/desk/{handoff_id}")
    assert "cho tôi gặp cán bộ" in page.text and "chưa đọc được kho hội thoại" in page.text


def test_take_reply_release_drive_rasa_and_audit(client, api, users, fake_rasa, db) -> None:
    """Taking sets handoff_active=true, a reply is a staff bot event delivered on the latest
    channel (execute_side_effects), releasing sets the slot false and closes; all audited."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    taken = client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    assert "Bạn đã nhận cuộc trò chuyện" in taken.text
    sent = client.post(f"/desk/{handoff_id}/reply", data={"csrf_token": token, "text": "Chào anh, tôi là cán bộ."})
    assert "Đã gửi tin nhắn" in sent.text
    released = client.post(f"/desk/{handoff_id}/release", data={"csrf_token": token})
    assert "Đã trả cuộc trò chuyện" in released.text

    assert fake_rasa.events_for(SENDER) == [
        {"event": "slot", "name": HANDOFF_SLOT, "value": True},
        {"event": "bot", "text": "Chào anh, tôi là cán bộ.", "metadata": {"source": "staff"}},
        {"event": "slot", "name": HANDOFF_SLOT, "value": False},
    ]
    reply_query = fake_rasa.calls[1][2]
    assert reply_query["output_channel"] == "latest" and reply_query["execute_side_effects"] == "true"
    assert "output_channel" not in fake_rasa.calls[0][2], "a slot change must not trigger side effects"
    with db() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff.status == "closed" and handoff.closed_at is not None
        actions = [e.action for e in session.query(AuditEntry).filter_by(entity_type="handoff").order_by(AuditEntry.id)]
        assert actions == ["handoff.take", "handoff.reply", "handoff.release"]
        assert session.query(StaffReply).filter_by(handoff_id=handoff_id, delivered=True).count() == 1


def test_second_taker_is_refused(client, api, users, app) -> None:
    """Only one owner: a second staff member cannot take, reply to or release a taken request."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    with TestClient(app) as other:
        other_token = login(other, users["admin"])
        refused = other.post(f"/desk/{handoff_id}/take", data={"csrf_token": other_token})
        assert "đã có cán bộ khác nhận" in refused.text
        reply = other.post(f"/desk/{handoff_id}/reply", data={"csrf_token": other_token, "text": "xin chào"})
        assert "Bạn chưa nhận cuộc trò chuyện này" in reply.text
        assert 'id="taken-by-other"' in other.get(f"/desk/{handoff_id}").text


def test_take_is_undone_when_rasa_is_down(client, api, users, fake_rasa, db) -> None:
    """If the bot cannot be silenced, nobody owns the request (the citizen is not left with silence)."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    fake_rasa.fail = True
    page = client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    assert "Chưa kết nối được với trợ lý ảo" in page.text
    with db() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff.status == "open" and handoff.owner_id is None


def test_reply_needs_text_and_csrf(client, api, users) -> None:
    """Empty replies are refused with a Vietnamese message; a forged form without CSRF is a 403."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    empty = client.post(f"/desk/{handoff_id}/reply", data={"csrf_token": token, "text": "   "})
    assert "Vui lòng nhập nội dung trả lời" in empty.text
    assert client.post(f"/desk/{handoff_id}/reply", data={"text": "x"}).status_code == 403


def test_trainers_cannot_use_the_desk(client, users) -> None:
    """The desk shows citizens' conversations: staff and admins only."""
    login(client, users["trainer"])
    assert client.get("/desk").status_code == 403
    assert client.get("/complaints").status_code == 403


def test_out_of_hours_request_shows_contact_and_can_be_closed(client, api, users, clock, db) -> None:
    """Outside office hours the bot collects a contact; the desk shows it and can close the request."""
    from datetime import datetime, timezone

    clock.now = datetime(2026, 11, 22, 14, 0, tzinfo=timezone.utc)  # Sunday 21:00 in Hà Nội
    handoff_id = open_handoff(api, contact="0912 345 678")
    clock.now = None
    token = login(client, users["staff"])
    queue = client.get("/desk").text
    assert "0912 345 678" in queue and "Ngoài giờ" in queue
    closed = client.post(f"/desk/{handoff_id}/close", data={"csrf_token": token})
    assert "Đã đóng yêu cầu" in closed.text
    with db() as session:
        assert session.get(Handoff, handoff_id).status == "closed"

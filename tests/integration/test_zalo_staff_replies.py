"""Staff replies and complaint answers reach a Zalo citizen: end to end against the fake Zalo API.

A real Rasa server with the project's Zalo channel (``ZALO_*`` pointing at the fake OA API of
tests/channels/fakes.py) receives a signed webhook event, so the conversation's latest input
channel is Zalo. The staff console (its real app, in-process) then takes the handoff and replies,
and answers a complaint: Rasa hands both to the Zalo output channel (``output_channel=latest``),
which sends them to the fake API with the OA's access token, to the citizen's user id.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.channels.fakes import APP_ID, OA_SECRET, FakeZaloServer, signed_headers, zalo_event
from tests.console.conftest import staff_desk
from tests.rasa_server import rasa_with_sqlite_tracker

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
TOKEN = "zalo-staff-test-token"
USER_ID = "84900077"
SENDER = f"zalo:{USER_ID}"


@pytest.fixture(scope="module")
def zalo_rasa(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeZaloServer]]:
    """The fake Zalo API and ``rasa run --enable-api`` with the Zalo channel configured against it."""
    work = tmp_path_factory.mktemp("zalo_rasa")
    credentials = f"bot.channels.zalo.ZaloInput:\n  token_store_path: {work / 'zalo_tokens.json'}\n"
    with FakeZaloServer() as zalo:
        env = {
            "ZALO_APP_ID": APP_ID,
            "ZALO_OA_SECRET_KEY": OA_SECRET,
            "ZALO_APP_SECRET": "zalo-app-secret-for-tests",
            "ZALO_ACCESS_TOKEN": zalo.state.access_token,
            "ZALO_REFRESH_TOKEN": zalo.state.refresh_token,
            "ZALO_API_BASE_URL": zalo.base_url,
            "ZALO_OAUTH_URL": zalo.base_url + "/v4/oa/access_token",
            "CHANNEL_PAYLOAD_KEY": "zalo-staff-payload-key",
        }
        with rasa_with_sqlite_tracker(trained_model, work, TOKEN, credentials, env) as (rasa_url, _tracker_db):
            yield rasa_url, zalo


def wait_for_text(zalo: FakeZaloServer, fragment: str, timeout: float = 30) -> dict:
    """The message the fake Zalo API received whose text contains ``fragment``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in list(zalo.state.sent):
            if fragment in entry["message"].get("text", ""):
                return entry
        time.sleep(0.2)
    raise AssertionError(f"Zalo never received {fragment!r}; received {zalo.state.texts()}")


def test_staff_reply_and_complaint_answer_are_sent_through_zalo(zalo_rasa, tmp_path: Path) -> None:
    """The citizen writes on Zalo; the staff member's reply and the complaint answer are sent to the
    same Zalo user through the OA API (not only stored), the complaint answer with its reference."""
    rasa_url, zalo = zalo_rasa
    raw = zalo_event("xin chào", user_id=USER_ID, msg_id=f"m-{uuid.uuid4().hex[:8]}")
    assert httpx.post(f"{rasa_url}/webhooks/zalo/webhook", content=raw, headers=signed_headers(raw)).status_code == 200
    greeting = wait_for_text(zalo, "Xin chào")
    assert greeting["recipient"] == {"user_id": USER_ID}

    desk = staff_desk(tmp_path, "staff-zalo", "Cán bộ Minh", rasa_url=rasa_url, rasa_token=TOKEN)
    api, staff, csrf = desk.api, desk.staff, desk.csrf
    handoff = api.post("/api/v1/handoffs", json={"sender_id": SENDER, "channel": "zalo", "reason": "test"}).json()
    assert "Bạn đã nhận" in staff.post(f"/desk/{handoff['id']}/take", data={"csrf_token": csrf}).text
    reply = "Chào anh, tôi là cán bộ Minh, tôi xem hồ sơ giúp anh nhé."
    sent = staff.post(f"/desk/{handoff['id']}/reply", data={"csrf_token": csrf, "text": reply})
    assert "Đã gửi tin nhắn" in sent.text
    delivered = wait_for_text(zalo, reply)
    assert delivered["recipient"] == {"user_id": USER_ID}
    assert "Đã trả cuộc trò chuyện" in staff.post(f"/desk/{handoff['id']}/release", data={"csrf_token": csrf}).text

    description = "Cán bộ hẹn ba lần chưa xong"
    complaint = api.post(
        "/api/v1/complaints", json={"sender_id": SENDER, "channel": "zalo", "description": description}
    ).json()
    reference = complaint["reference"]
    answer = "Phường đã nhắc nhở cán bộ; hồ sơ của anh sẽ xong trong tuần này."
    answered = staff.post(f"/complaints/{reference}/answer", data={"csrf_token": csrf, "text": answer})
    assert answered.status_code == 200, answered.text[:500]
    sent_answer = wait_for_text(zalo, answer)
    assert reference in sent_answer["message"]["text"] and sent_answer["recipient"] == {"user_id": USER_ID}
    assert zalo.state.rejected == []

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
from fastapi.testclient import TestClient

from console.app import create_app
from console.db import create_schema, make_engine, session_scope
from console.services import accounts
from launcher.processes import free_port, start, stop
from launcher.stack import rasa_api_spec
from tests.channels.fakes import APP_ID, OA_SECRET, FakeZaloServer, signed_headers, zalo_event
from tests.console.conftest import PASSWORD, SERVICE_TOKEN, login, make_settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
TOKEN = "zalo-staff-test-token"
USER_ID = "84900077"
SENDER = f"zalo:{USER_ID}"


@pytest.fixture(scope="module")
def zalo_rasa(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FakeZaloServer]]:
    """The fake Zalo API and ``rasa run --enable-api`` with the Zalo channel configured against it."""
    work = tmp_path_factory.mktemp("zalo_rasa")
    (work / "endpoints.yml").write_text(
        "tracker_store:\n"
        "  type: bot.stores.masking_tracker_store.MaskingTrackerStore\n"
        "  wrapped:\n"
        "    type: sql\n"
        "    dialect: sqlite\n"
        f"    db: {work / 'tracker.db'}\n",
        encoding="utf-8",
    )
    (work / "credentials.yml").write_text(
        f"bot.channels.zalo.ZaloInput:\n  token_store_path: {work / 'zalo_tokens.json'}\n", encoding="utf-8"
    )
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
        port = free_port()
        spec = rasa_api_spec(
            trained_model,
            port,
            TOKEN,
            work / "rasa.log",
            endpoints=work / "endpoints.yml",
            credentials=work / "credentials.yml",
            env=env,
        )
        process = start(spec)
        try:
            yield f"http://127.0.0.1:{port}", zalo
        finally:
            stop([process])


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

    settings = make_settings(tmp_path, rasa_url=rasa_url, rasa_token=TOKEN)
    create_schema(make_engine(settings.database_url))
    app = create_app(settings)
    with session_scope(app.state.session_factory) as session:
        accounts.create_user(session, "staff-zalo", PASSWORD, "staff", "Cán bộ Minh")
    api = TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    handoff = api.post("/api/v1/handoffs", json={"sender_id": SENDER, "channel": "zalo", "reason": "test"}).json()
    staff = TestClient(app)
    csrf = login(staff, "staff-zalo")
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

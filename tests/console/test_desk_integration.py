"""End to end with a real Rasa server (full trained model, masking SQL tracker store in a temp
SQLite file): a citizen talks through the guarded REST channel, staff take the conversation in the
console, the bot falls silent, the staff reply reaches the web page server's relay, the desk reads
the transcript from the tracker store, release gives the conversation back, analytics count it.
"""

from __future__ import annotations

import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from common.conversation import HANDOFF_SLOT
from tests.console.conftest import staff_desk
from tests.rasa_server import rasa_with_sqlite_tracker
from web.server import HANDOFF_FIELD, WebServer

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]  # may train the full model first
TOKEN = "desk-integration-token"


def has_handoff_policy(model: Path) -> bool:
    """Whether the model was trained with HandoffPolicy (then the bot must be silent while owned)."""
    with tarfile.open(model) as archive:
        member = archive.extractfile("metadata.json")
        return member is not None and b"HandoffPolicy" in member.read()


@pytest.fixture(scope="module")
def rasa_server(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``rasa run --enable-api`` with our REST channel and the masking SQL tracker store, on the
    session's model (trained for the current data; never an older file picked by date)."""
    assert has_handoff_policy(trained_model), "config.yml must keep bot.policies.handoff.HandoffPolicy"
    work = tmp_path_factory.mktemp("rasa")
    credentials = "bot.channels.rest.GuardedRestInput:\n  payload_key: integration-key\n"
    with rasa_with_sqlite_tracker(trained_model, work, TOKEN, credentials) as served:
        yield served


def say(rasa_url: str, sender: str, text: str) -> list[dict]:
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def slot(rasa_url: str, conversation: str, name: str):
    response = httpx.get(f"{rasa_url}/conversations/{conversation}/tracker", params={"token": TOKEN}, timeout=30)
    return response.json()["slots"].get(name)


def test_take_silence_reply_relay_release(rasa_server, tmp_path: Path) -> None:
    """The whole take / reply / release mechanism against a real Rasa: slot set through the API,
    bot silent while owned (HandoffPolicy), staff reply stored as a bot event
    and relayed by web/server.py, transcript and analytics read from the SQL tracker store."""
    rasa_url, tracker_db = rasa_server
    citizen = str(uuid.uuid4())
    conversation = f"web:{citizen}"
    assert say(rasa_url, citizen, "xin chào"), "the bot should answer before any handoff"

    desk = staff_desk(
        tmp_path,
        "staff1",
        "Cán bộ Lan",
        rasa_url=rasa_url,
        rasa_token=TOKEN,
        tracker_database_url=f"sqlite:///{tracker_db}",
    )
    api, staff, token = desk.api, desk.staff, desk.csrf
    created = api.post("/api/v1/handoffs", json={"sender_id": conversation, "channel": "web", "reason": "test"})
    handoff_id = created.json()["id"]

    assert "Bạn đã nhận" in staff.post(f"/desk/{handoff_id}/take", data={"csrf_token": token}).text
    assert slot(rasa_url, conversation, HANDOFF_SLOT) is True
    assert say(rasa_url, citizen, "xin chào") == [], "the bot answered while a person owned the conversation"

    reply = "Chào bạn, tôi là cán bộ Lan."
    assert "Đã gửi tin nhắn" in staff.post(f"/desk/{handoff_id}/reply", data={"csrf_token": token, "text": reply}).text
    web = WebServer(("127.0.0.1", 0), "http://127.0.0.1:1", rasa_api_url=rasa_url, rasa_token=TOKEN)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        relay = httpx.get(f"http://127.0.0.1:{web.server_address[1]}/api/messages", params={"sender": citizen})
    finally:
        web.shutdown()
        web.server_close()
    body = relay.json()
    assert [m["text"] for m in body["messages"]] == [reply] and body[HANDOFF_FIELD] is True

    transcript = staff.get(f"/desk/{handoff_id}/messages.json").json()["lines"]
    assert transcript[0] == {**transcript[0], "role": "user", "text": "xin chào"}
    assert {"role": "staff", "text": reply} in [{"role": line["role"], "text": line["text"]} for line in transcript]

    assert "Đã trả cuộc trò chuyện" in staff.post(f"/desk/{handoff_id}/release", data={"csrf_token": token}).text
    assert slot(rasa_url, conversation, HANDOFF_SLOT) is False
    assert say(rasa_url, citizen, "xin chào"), "the bot should answer again after the release"

    analytics = staff.get("/analytics").text
    assert "Chưa đọc được" not in analytics
    messages = int(analytics.split('id="kpi-messages">')[1].split("<")[0])
    assert messages >= 3

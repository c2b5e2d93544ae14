"""No stuck handoffs: a conversation a staff member took and then left goes back to the bot after
the configured idle time (measured from taking it or from their last reply), and an administrator
can hand back a conversation someone else holds. Rasa is a real HTTP server standing in for it
(FakeRasaApi records what the console tells it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from common.conversation import HANDOFF_SLOT
from console.models import AuditEntry, Handoff, utcnow
from console.services import desk
from console.services.rasa_api import RasaApi
from tests.console.conftest import login, settings_with_rasa
from tests.console.desk_support import FakeRasaApi
from tests.console.test_desk import SENDER, open_handoff

IDLE_MINUTES = 30


@pytest.fixture
def settings(tmp_path: Path, fake_rasa: FakeRasaApi):
    return settings_with_rasa(tmp_path, fake_rasa)


def test_a_handoff_left_idle_goes_back_to_the_bot(client, api, users, app, fake_rasa, db) -> None:
    """Taken and never answered: still held before the idle time, handed back after it (Rasa told
    first, the request closed, the release audited as the system's)."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    factory, rasa = app.state.session_factory, RasaApi(fake_rasa.url, "rasa-test-token")

    assert desk.release_idle(factory, rasa, IDLE_MINUTES, now=utcnow() + timedelta(minutes=29)) == []
    assert desk.release_idle(factory, rasa, IDLE_MINUTES, now=utcnow() + timedelta(minutes=31)) == [handoff_id]
    assert fake_rasa.events_for(SENDER)[-1] == {"event": "slot", "name": HANDOFF_SLOT, "value": False}
    with db() as session:
        assert session.get(Handoff, handoff_id).status == "closed"
        entry = session.query(AuditEntry).filter_by(action="handoff.idle_release").one()
        assert entry.actor_name == "system"


def test_a_recent_staff_reply_keeps_the_conversation(client, api, users, app, fake_rasa, db) -> None:
    """Idle time counts from the owner's last reply, not from when they took it."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    client.post(f"/desk/{handoff_id}/reply", data={"csrf_token": token, "text": "Tôi đang kiểm tra hồ sơ."})
    with db() as session:
        session.get(Handoff, handoff_id).taken_at = utcnow() - timedelta(hours=2)
    factory, rasa = app.state.session_factory, RasaApi(fake_rasa.url, "rasa-test-token")
    assert desk.release_idle(factory, rasa, IDLE_MINUTES) == []
    with db() as session:
        assert session.get(Handoff, handoff_id).status == "taken"


def test_when_rasa_cannot_be_told_the_request_stays_taken_for_the_next_sweep(
    client, api, users, app, fake_rasa, db
) -> None:
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    fake_rasa.fail = True
    factory, rasa = app.state.session_factory, RasaApi(fake_rasa.url, "rasa-test-token")
    assert desk.release_idle(factory, rasa, IDLE_MINUTES, now=utcnow() + timedelta(hours=1)) == []
    with db() as session:
        assert session.get(Handoff, handoff_id).status == "taken"


def test_an_admin_can_hand_back_a_conversation_someone_else_holds(client, api, users, app, fake_rasa, db) -> None:
    """Staff see no such button and are refused; the admin's release tells Rasa and is audited."""
    handoff_id = open_handoff(api)
    token = login(client, users["staff"])
    client.post(f"/desk/{handoff_id}/take", data={"csrf_token": token})
    assert 'id="force-release-button"' not in client.get(f"/desk/{handoff_id}").text
    assert client.post(f"/desk/{handoff_id}/force-release", data={"csrf_token": token}).status_code == 403

    admin = TestClient(app)
    admin_token = login(admin, users["admin"])
    assert 'id="force-release-button"' in admin.get(f"/desk/{handoff_id}").text
    released = admin.post(f"/desk/{handoff_id}/force-release", data={"csrf_token": admin_token})
    assert "Đã trả cuộc trò chuyện cho trợ lý ảo" in released.text
    assert fake_rasa.events_for(SENDER)[-1] == {"event": "slot", "name": HANDOFF_SLOT, "value": False}
    with db() as session:
        assert session.get(Handoff, handoff_id).status == "closed"
        assert session.query(AuditEntry).filter_by(action="handoff.force_release").count() == 1

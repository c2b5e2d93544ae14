"""Complaints in the console: list and filter, status changes, answers sent to the citizen, audit."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.models import AuditEntry, Complaint, StaffReply
from tests.console.conftest import login, settings_with_rasa
from tests.console.desk_support import FakeRasaApi

SENDER = "zalo:8812345"


@pytest.fixture
def settings(tmp_path: Path, fake_rasa: FakeRasaApi):
    return settings_with_rasa(tmp_path, fake_rasa, tracker=False)


def file_complaint(api, description: str = "Bộ phận một cửa xã trả hồ sơ chậm 2 tuần") -> str:
    response = api.post("/api/v1/complaints", json={"sender_id": SENDER, "channel": "zalo", "description": description})
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_list_filters_by_status(client, api, users) -> None:
    """Staff see new complaints and can filter by status (Vietnamese labels)."""
    reference = file_complaint(api)
    login(client, users["staff"])
    page = client.get("/complaints")
    assert reference in page.text and "Mới" in page.text
    assert reference not in client.get("/complaints?status=answered").text


def test_status_change_is_audited(client, api, users, db) -> None:
    """Moving a complaint to "Đang xử lý" is saved and written to the audit log with before/after."""
    reference = file_complaint(api)
    token = login(client, users["staff"])
    page = client.post(f"/complaints/{reference}/status", data={"csrf_token": token, "status": "in_progress"})
    assert "Đang xử lý" in page.text
    with db() as session:
        assert session.query(Complaint).filter_by(reference=reference).one().status == "in_progress"
        entry = session.query(AuditEntry).filter_by(action="complaint.status").one()
        assert entry.before == {"status": "new"} and entry.after == {"status": "in_progress"}
    bad = client.post(f"/complaints/{reference}/status", data={"csrf_token": token, "status": "deleted"})
    assert "Trạng thái không hợp lệ" in bad.text


def test_answer_goes_to_the_citizen_through_rasa(client, api, users, fake_rasa, db) -> None:
    """An answer is a staff bot event delivered on the latest channel, quoting the reference; the
    complaint becomes "answered", the answer is shown and audited (masked)."""
    reference = file_complaint(api)
    token = login(client, users["staff"])
    page = client.post(
        f"/complaints/{reference}/answer",
        data={"csrf_token": token, "text": "Xã đã trả hồ sơ, anh gọi 0912345678 nếu cần."},
    )
    assert "Đã gửi câu trả lời" in page.text and "Đã trả lời" in page.text
    (event,) = fake_rasa.events_for(SENDER)
    assert event["event"] == "bot" and event["metadata"] == {"source": "staff"}
    assert event["text"].startswith(f"Trả lời phản ánh {reference}:")
    assert fake_rasa.calls[0][2]["execute_side_effects"] == "true"
    with db() as session:
        assert session.query(Complaint).filter_by(reference=reference).one().status == "answered"
        assert session.query(StaffReply).filter_by(delivered=True).count() == 1
        entry = session.query(AuditEntry).filter_by(action="complaint.answer").one()
        assert "0912345678" not in entry.after["text"]


def test_answer_kept_but_not_marked_answered_when_rasa_is_down(client, api, users, fake_rasa, db) -> None:
    """If Rasa cannot deliver, the answer is kept as "not sent" and the status does not claim otherwise."""
    reference = file_complaint(api)
    token = login(client, users["staff"])
    fake_rasa.fail = True
    page = client.post(f"/complaints/{reference}/answer", data={"csrf_token": token, "text": "Đã xử lý."})
    assert "chưa gửi được" in page.text and "Chưa gửi được" in page.text
    with db() as session:
        assert session.query(Complaint).filter_by(reference=reference).one().status == "new"


def test_unknown_complaint_is_404(client, users) -> None:
    """A mistyped reference gives a Vietnamese 404 page, not a server error."""
    login(client, users["staff"])
    assert client.get("/complaints/PA-20990101-9999").status_code == 404

"""The bot-facing API: token, FAQ answers and matching, handoffs, complaints, ownership, errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from console.models import Handoff, User
from console.services import faqs as faq_service
from console.services.faqs import FaqInput

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def published(db) -> None:
    with db() as session:
        for key, title, questions in [
            ("cap_lai_ho_chieu", "Cấp lại hộ chiếu bị mất", ["mất hộ chiếu thì làm sao", "làm lại hộ chiếu bị mất"]),
            ("dang_ky_khai_sinh", "Đăng ký khai sinh", ["làm giấy khai sinh cho con", "đăng ký khai sinh ở đâu"]),
        ]:
            faq_service.create(
                session,
                FaqInput(key=key, title=title, questions=questions, answer=f"Trả lời {key}."),
                None,
                "published",
            )
        faq_service.create(
            session, FaqInput(key="nhap", title="Nháp", questions=["câu nháp một", "câu nháp hai"], answer="x"), None
        )


def test_token_required(app, published) -> None:
    """No token or a wrong token: 401 JSON in Vietnamese, nothing else leaks."""
    anonymous = TestClient(app)
    response = anonymous.get("/api/v1/faqs/cap_lai_ho_chieu")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    wrong = anonymous.get("/api/v1/faqs/cap_lai_ho_chieu", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "mã truy cập" in wrong.json()["error"]["message"]


def test_empty_token_disables_the_api(tmp_path, clock) -> None:
    """Without CONSOLE_SERVICE_TOKEN the API is off (503), never open to anyone."""
    from console.app import create_app
    from tests.console.conftest import make_settings

    app = create_app(make_settings(tmp_path, service_token=""), clock=clock)
    response = TestClient(app).get("/api/v1/faqs/x", headers={"Authorization": "Bearer "})
    assert response.status_code == 503 and response.json()["error"]["code"] == "api_disabled"


def test_only_published_faqs_are_answered(api: TestClient, published) -> None:
    """Drafts, unknown keys and absurd keys are a 404 JSON, so the bot never says a draft."""
    assert api.get("/api/v1/faqs/cap_lai_ho_chieu").json()["answer"] == "Trả lời cap_lai_ho_chieu."
    for key in ("nhap", "khong_co", "x" * 500):
        response = api.get(f"/api/v1/faqs/{key}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "faq_not_found"


def test_match_finds_published_faq_from_unaccented_question(api: TestClient, published) -> None:
    """A citizen typing without diacritics finds the FAQ published a minute ago (no retraining)."""
    body = api.get("/api/v1/faqs/match", params={"q": "bi mat ho chieu thi lam sao a"}).json()
    assert body["results"][0]["key"] == "cap_lai_ho_chieu"
    assert 0.35 <= body["results"][0]["score"] <= 1.0
    assert body["results"][0]["matched_question"] == "mất hộ chiếu thì làm sao"
    assert all(
        r["key"] != "nhap" for r in api.get("/api/v1/faqs/match", params={"q": "cau nhap mot"}).json()["results"]
    )


def test_match_returns_nothing_for_unrelated_text(api: TestClient, published) -> None:
    """Unrelated questions get no FAQ rather than a poor guess."""
    assert api.get("/api/v1/faqs/match", params={"q": "thời tiết hôm nay"}).json()["results"] == []


@pytest.mark.parametrize(
    "params", [{}, {"q": ""}, {"q": "x" * 501}, {"q": "a", "limit": 0}, {"q": "a", "limit": "abc"}]
)
def test_match_bad_input_is_422_json(api: TestClient, params: dict) -> None:
    """Missing, empty, overlong or non-numeric parameters are 422 JSON, never 500."""
    response = api.get("/api/v1/faqs/match", params=params)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def test_handoff_within_office_hours(api: TestClient, clock) -> None:
    """Monday 09:00 in Hà Nội: a person answers here, now."""
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    body = {
        "sender_id": "abc",
        "channel": "web",
        "reason": "muốn gặp cán bộ",
        "last_messages": [{"role": "user", "text": "cho tôi gặp người thật"}, {"role": "bot", "text": "Vâng ạ."}],
    }
    response = api.post("/api/v1/handoffs", json=body)
    assert response.status_code == 201
    out = response.json()
    assert out["status"] == "open" and out["within_office_hours"] is True
    assert "cán bộ sẽ trả lời bạn ngay tại đây" in out["message_for_citizen"].lower()
    again = api.post("/api/v1/handoffs", json=body)
    assert again.status_code == 200 and again.json()["id"] == out["id"]


def test_handoff_outside_office_hours_says_when(api: TestClient, clock) -> None:
    """Saturday 15:00: closed; the message names the next opening (Monday 07:30) and the hours."""
    clock.now = datetime(2026, 11, 28, 15, 0, tzinfo=VN)
    out = api.post(
        "/api/v1/handoffs", json={"sender_id": "s2", "channel": "zalo", "reason": "", "contact": "0912 345 678"}
    ).json()
    assert out["within_office_hours"] is False
    assert "07:30 Thứ Hai, ngày 30/11/2026" in out["message_for_citizen"]
    assert "ngoài giờ làm việc" in out["message_for_citizen"]
    assert "thông tin liên hệ bạn đã để lại" in out["message_for_citizen"]


def test_contact_left_after_the_handoff_is_recorded_on_it(api: TestClient, clock) -> None:
    """Outside office hours the bot asks for a contact after opening the handoff: the second call
    with ``contact`` records it on the same handoff (no second queue entry) and says so."""
    clock.now = datetime(2026, 11, 28, 22, 0, tzinfo=VN)
    body = {"sender_id": "web:late", "channel": "web", "reason": "citizen_request"}
    first = api.post("/api/v1/handoffs", json=body).json()
    assert first["within_office_hours"] is False and first["has_contact"] is False
    again = api.post("/api/v1/handoffs", json={**body, "contact": "lan@example.vn"})
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["has_contact"] is True
    assert "thông tin liên hệ bạn đã để lại" in again.json()["message_for_citizen"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"sender_id": "", "channel": "web"},
        {"sender_id": "   ", "channel": "web"},
        {"sender_id": "a", "channel": "web", "last_messages": [{"role": "admin", "text": "x"}]},
        {"sender_id": "a", "channel": "web", "last_messages": "nope"},
        {"sender_id": "a" * 200, "channel": "web"},
        [1, 2],
    ],
)
def test_handoff_bad_input_is_422_never_500(api: TestClient, body) -> None:
    """Malformed handoff bodies are refused with a Vietnamese JSON error, never a stack trace."""
    response = api.post("/api/v1/handoffs", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("Yêu cầu không hợp lệ")


def test_malformed_json_is_a_clear_error(api: TestClient) -> None:
    """A body that is not JSON says so (code malformed_json)."""
    response = api.post("/api/v1/complaints", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "malformed_json"


def test_complaint_references_count_per_local_day(api: TestClient, clock) -> None:
    """PA-YYYYMMDD-NNNN with the Hà Nội date: 23:30 UTC on the 22nd is already the 23rd in Việt Nam."""
    clock.now = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC"))
    body = {"sender_id": "s", "channel": "web", "description": "Hồ sơ của tôi bị chậm."}
    first = api.post("/api/v1/complaints", json=body)
    second = api.post("/api/v1/complaints", json={**body, "contact": "a@b.vn"})
    assert first.status_code == 201 and first.json() == {"reference": "PA-20261123-0001", "status": "new"}
    assert second.json()["reference"] == "PA-20261123-0002"
    clock.now = datetime(2026, 11, 24, 2, 0, tzinfo=VN)
    assert api.post("/api/v1/complaints", json=body).json()["reference"] == "PA-20261124-0001"


def test_complaint_needs_a_description(api: TestClient) -> None:
    """A blank description is refused; the message names the field."""
    response = api.post("/api/v1/complaints", json={"sender_id": "s", "channel": "web", "description": "  "})
    assert response.status_code == 422 and "description" in response.json()["error"]["message"]


def test_conversation_owner(api: TestClient, db, users) -> None:
    """Nobody owns a conversation until a staff member takes its handoff; then the bot stays silent."""
    assert api.get("/api/v1/conversations/abc/owner").json()["owned"] is False
    handoff_id = api.post("/api/v1/handoffs", json={"sender_id": "abc", "channel": "web"}).json()["id"]
    assert api.get("/api/v1/conversations/abc/owner").json() == {
        "sender_id": "abc",
        "owned": False,
        "handoff_id": handoff_id,
        "handoff_status": "open",
        "owner_name": None,
    }
    with db() as session:
        staff = session.query(User).filter_by(username="staff1").one()
        handoff = session.get(Handoff, handoff_id)
        handoff.status, handoff.owner_id = "taken", staff.id
    owner = api.get("/api/v1/conversations/abc/owner").json()
    assert owner["owned"] is True and owner["owner_name"] == "Người staff"


def test_unknown_api_route_is_json_404(api: TestClient) -> None:
    """Unknown API paths answer in the API's JSON error shape."""
    response = api.get("/api/v1/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_health(client: TestClient) -> None:
    """GET /health answers without a session (used by the supervisor)."""
    assert client.get("/health").json() == {"status": "ok"}


def test_unexpected_failure_is_a_neutral_500_without_trace(app, monkeypatch) -> None:
    """A bug or a database outage answers the API's JSON shape with a neutral message, no stack trace."""
    from console.routes import api as api_routes

    def broken(_session):
        raise RuntimeError("database exploded at /secret/path")

    monkeypatch.setattr(api_routes.faq_service, "published", broken)
    client = TestClient(app, raise_server_exceptions=False, headers={"Authorization": "Bearer console-test-token"})
    response = client.get("/api/v1/faqs/match", params={"q": "hộ chiếu"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút."}
    }
    assert "secret" not in response.text


def test_simultaneous_complaints_on_sqlite(api: TestClient, clock) -> None:
    """The same guarantee on the embedded database: concurrent complaints, distinct references."""
    from concurrent.futures import ThreadPoolExecutor

    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=VN)
    body = {"sender_id": "s", "channel": "web", "description": "x"}
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _i: api.post("/api/v1/complaints", json=body), range(24)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["reference"] for r in responses}) == 24

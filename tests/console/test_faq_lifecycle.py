"""FAQ curation: validation, normalization, draft -> published -> API, audit, search, preview."""

from __future__ import annotations

import re
import unicodedata

import pytest
from fastapi.testclient import TestClient

from console.models import AuditEntry
from console.services import faqs as faq_service
from console.services.faqs import FaqInput, FaqValidationError
from console.services.preview import render_answer
from tests.console.conftest import login

FORM = {
    "title": "Cấp lại hộ chiếu bị mất",
    "key": "",
    "questions": "mất hộ chiếu thì làm sao\nlàm lại hộ chiếu bị mất\nmất hộ chiếu thì làm sao",
    "answer": "Nộp tờ khai tại Phòng Quản lý xuất nhập cảnh.\nLệ phí: 200.000 đồng.",
    "tags": "hộ chiếu, xuất nhập cảnh",
    "action": "save",
}


def test_validation_reports_every_field_in_vietnamese() -> None:
    """Staff see all problems at once, each next to its field."""
    with pytest.raises(FaqValidationError) as caught:
        faq_service.validate(FaqInput(key="Bad Key!", title="", questions="", answer=" "))
    assert set(caught.value.errors) == {"key", "title", "questions", "answer"}
    assert "Vui lòng nhập tiêu đề." in caught.value.errors["title"]


def test_input_is_nfc_normalized_deduplicated_and_key_derived_from_title() -> None:
    """NFD input and the other tone placement ("hoà") become one spelling; duplicates go."""
    nfd = unicodedata.normalize("NFD", "Đăng ký kết hôn")
    clean = faq_service.validate(
        FaqInput(title=nfd, questions=f"{nfd}\nđăng ký kết hôn\n  hoà giải  ", answer=nfd + " \r\n dòng 2", tags="A, a")
    )
    assert clean.key == "dang_ky_ket_hon"
    assert clean.title == "Đăng ký kết hôn" and unicodedata.is_normalized("NFC", clean.title)
    assert clean.questions == ["Đăng ký kết hôn", "hòa giải"]
    assert clean.answer == "Đăng ký kết hôn\n dòng 2"
    assert clean.tags == ["a"]


def test_draft_published_answer_changes_immediately(app, users) -> None:
    """Created as draft (API 404) -> published (API answers) -> edited (API has the new answer at
    once, no retraining) -> unpublished (API 404 again)."""
    page, api = TestClient(app), TestClient(app, headers={"Authorization": "Bearer console-test-token"})
    token = login(page, "staff1")
    created = page.post("/faqs/new", data={**FORM, "csrf_token": token}, follow_redirects=False)
    assert created.headers["location"] == "/faqs/cap_lai_ho_chieu_bi_mat?notice=created"
    assert api.get("/api/v1/faqs/cap_lai_ho_chieu_bi_mat").status_code == 404

    show = page.get("/faqs/cap_lai_ho_chieu_bi_mat")
    assert 'id="faq-publish"' in show.text and "Nháp" in show.text
    page.post("/faqs/cap_lai_ho_chieu_bi_mat/publish", data={"csrf_token": token})
    answer = api.get("/api/v1/faqs/cap_lai_ho_chieu_bi_mat").json()
    assert answer["answer"].startswith("Nộp tờ khai") and answer["tags"] == ["hộ chiếu", "xuất nhập cảnh"]

    edit = {**FORM, "answer": "Lệ phí mới: 250.000 đồng.", "csrf_token": token}
    saved = page.post("/faqs/cap_lai_ho_chieu_bi_mat/edit", data=edit, follow_redirects=False)
    assert saved.headers["location"].endswith("notice=saved_live")
    assert api.get("/api/v1/faqs/cap_lai_ho_chieu_bi_mat").json()["answer"] == "Lệ phí mới: 250.000 đồng."

    page.post("/faqs/cap_lai_ho_chieu_bi_mat/unpublish", data={"csrf_token": token})
    gone = api.get("/api/v1/faqs/cap_lai_ho_chieu_bi_mat")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "faq_not_found"


def test_form_errors_are_shown_and_input_kept(client, users) -> None:
    """Invalid forms come back with Vietnamese messages by the field and the typed text kept."""
    token = login(client, "staff1")
    response = client.post("/faqs/new", data={**FORM, "answer": "", "csrf_token": token})
    assert response.status_code == 400
    assert "Vui lòng nhập câu trả lời." in response.text
    assert 'aria-invalid="true"' in response.text and "Cấp lại hộ chiếu bị mất" in response.text


def test_duplicate_key_refused(client, users) -> None:
    """Two FAQs cannot share a key (the Rasa intent name)."""
    token = login(client, "staff1")
    client.post("/faqs/new", data={**FORM, "csrf_token": token})
    again = client.post("/faqs/new", data={**FORM, "csrf_token": token})
    assert again.status_code == 400 and "đã được dùng" in again.text


def test_publishing_needs_two_question_variants(client, users) -> None:
    """One phrasing is too little for the assistant to recognise the question; publishing says so."""
    token = login(client, "staff1")
    client.post("/faqs/new", data={**FORM, "questions": "chỉ một câu", "csrf_token": token})
    response = client.post("/faqs/cap_lai_ho_chieu_bi_mat/publish", data={"csrf_token": token})
    assert response.status_code == 400 and "ít nhất 2 cách hỏi" in response.text


def test_every_change_is_audited_with_before_and_after(client, users, db) -> None:
    """create, update, publish, unpublish: who, what, and the record before and after."""
    token = login(client, "staff1")
    client.post("/faqs/new", data={**FORM, "csrf_token": token})
    client.post("/faqs/cap_lai_ho_chieu_bi_mat/edit", data={**FORM, "title": "Mất hộ chiếu", "csrf_token": token})
    client.post("/faqs/cap_lai_ho_chieu_bi_mat/publish", data={"csrf_token": token})
    client.post("/faqs/cap_lai_ho_chieu_bi_mat/unpublish", data={"csrf_token": token})
    with db() as session:
        entries = session.query(AuditEntry).filter_by(entity_type="faq").order_by(AuditEntry.id).all()
        rows = [(e.action, e.actor_name, e.before, e.after) for e in entries]
    assert [r[0] for r in rows] == ["faq.create", "faq.update", "faq.publish", "faq.unpublish"]
    assert all(r[1] == "staff1" for r in rows)
    assert rows[0][2] is None and rows[0][3]["status"] == "draft"
    assert rows[1][2]["title"] == "Cấp lại hộ chiếu bị mất" and rows[1][3]["title"] == "Mất hộ chiếu"
    assert (rows[2][2]["status"], rows[2][3]["status"]) == ("draft", "published")


def test_saving_without_changes_writes_no_audit_entry(client, users, db) -> None:
    """The audit log records changes, not clicks on Lưu."""
    token = login(client, "staff1")
    client.post("/faqs/new", data={**FORM, "csrf_token": token})
    response = client.post(
        "/faqs/cap_lai_ho_chieu_bi_mat/edit", data={**FORM, "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"].endswith("notice=unchanged")
    with db() as session:
        assert session.query(AuditEntry).filter_by(action="faq.update").count() == 0


def test_admin_sees_audit_log_with_before_after(app, users) -> None:
    """Admins read the log in readable Vietnamese; password hashes never appear."""
    staff, admin = TestClient(app), TestClient(app)
    token = login(staff, "staff1")
    staff.post("/faqs/new", data={**FORM, "csrf_token": token})
    login(admin, "admin1")
    page = admin.get("/admin/audit?entity=faq")
    assert page.status_code == 200 and "faq.create" in page.text and "Cấp lại hộ chiếu bị mất" in page.text
    assert "scrypt$" not in admin.get("/admin/audit?entity=user").text


def test_list_search_is_accent_insensitive(client, users) -> None:
    """Staff typing "ho chieu" (no accents) find "hộ chiếu"; the status filter narrows the list."""
    token = login(client, "staff1")
    client.post("/faqs/new", data={**FORM, "csrf_token": token})
    other = {**FORM, "title": "Đăng ký khai sinh", "questions": "khai sinh\nlàm giấy khai sinh", "tags": ""}
    client.post("/faqs/new", data={**other, "csrf_token": token})
    found = client.get("/faqs", params={"q": "HO CHIEU"}).text
    assert 'id="faq-row-cap_lai_ho_chieu_bi_mat"' in found and "faq-row-dang_ky_khai_sinh" not in found
    assert "faq-row-dang_ky_khai_sinh" in client.get("/faqs", params={"q": "khai sinh"}).text
    assert 'id="faq-empty"' in client.get("/faqs", params={"q": "100%_"}).text
    assert 'id="faq-empty"' in client.get("/faqs", params={"status": "published"}).text


def test_preview_renders_like_the_chat_widget() -> None:
    """Escaped text, kept line breaks, **bold**, [title](url) and bare URLs as links; nothing else."""
    html = str(render_answer("<b>x</b>\n**Lệ phí** xem [Cổng DVC](https://dichvucong.gov.vn) hoặc https://a.vn/x."))
    assert "&lt;b&gt;x&lt;/b&gt;\n" in html
    assert "<strong>Lệ phí</strong>" in html
    assert '<a href="https://dichvucong.gov.vn" target="_blank" rel="noopener noreferrer">Cổng DVC' in html
    assert '<a href="https://a.vn/x" ' in html and "</a>." in html
    assert 'href="javascript' not in str(render_answer("[x](javascript:alert(1))"))


def test_preview_button_shows_unsaved_answer_without_saving(client, users, db) -> None:
    """Xem trước renders the typed answer without creating anything."""
    token = login(client, "staff1")
    response = client.post("/faqs/new", data={**FORM, "action": "preview", "csrf_token": token})
    assert response.status_code == 200 and 'id="preview-answer"' in response.text
    with db() as session:
        assert faq_service.count(session) == 0


def test_two_staff_saving_one_faq_get_a_conflict_not_a_silent_overwrite(app, users) -> None:
    """Staff and admin open the same FAQ; staff saves first. The admin's save is refused with 409 and
    a message, their text is kept in the form, and the FAQ keeps the staff member's answer. Saving
    again after seeing the newer version is a deliberate choice and goes through."""
    first, second = TestClient(app), TestClient(app)
    token_first, token_second = login(first, "staff1"), login(second, "admin1")
    first.post("/faqs/new", data={**FORM, "csrf_token": token_first})
    version = re.search(r'name="version" value="([^"]+)"', first.get("/faqs/cap_lai_ho_chieu_bi_mat/edit").text)
    assert version is not None
    assert version.group(1) in second.get("/faqs/cap_lai_ho_chieu_bi_mat/edit").text  # both see one version

    mine = {**FORM, "answer": "Lệ phí: 200.000 đồng, nộp tại Công an tỉnh.", "version": version.group(1)}
    saved = first.post("/faqs/cap_lai_ho_chieu_bi_mat/edit", data={**mine, "csrf_token": token_first})
    assert saved.status_code == 200 and "Lệ phí: 200.000 đồng, nộp tại Công an tỉnh." in saved.text

    theirs = {**FORM, "answer": "Bản trả lời cũ của quản trị viên.", "version": version.group(1)}
    refused = second.post("/faqs/cap_lai_ho_chieu_bi_mat/edit", data={**theirs, "csrf_token": token_second})
    assert refused.status_code == 409
    assert 'id="faq-conflict"' in refused.text and "Bản trả lời cũ của quản trị viên." in refused.text
    shown = first.get("/faqs/cap_lai_ho_chieu_bi_mat").text
    assert "nộp tại Công an tỉnh" in shown and "Bản trả lời cũ" not in shown

    newer = re.search(r'name="version" value="([^"]+)"', refused.text)
    assert newer is not None and newer.group(1) != version.group(1)
    again = second.post(
        "/faqs/cap_lai_ho_chieu_bi_mat/edit", data={**theirs, "version": newer.group(1), "csrf_token": token_second}
    )
    assert again.status_code == 200 and "Bản trả lời cũ của quản trị viên." in again.text

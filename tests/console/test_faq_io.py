"""Import from and export to the Rasa training data: idempotent, stable, valid for Rasa's own reader."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from console.services import faq_io
from console.services import faqs as faq_service
from console.services.faqs import FaqInput
from console.settings import REPO_ROOT

NLU = """version: "3.1"
# hand-written
nlu:
  - intent: faq/gio_lam_viec
    examples: |
      - bộ phận một cửa làm việc mấy giờ
      - gio lam viec cua bo phan mot cua
      - bộ phận một cửa làm việc mấy giờ
  - intent: faq/ho_chieu
    examples: |
      - làm [hộ chiếu](procedure) ở đâu
      - xin passport ở đâu
  - intent: faq/khong_co_tra_loi
    examples: |
      - câu một
      - câu hai
  - intent: ask_fee
    examples: |
      - lệ phí bao nhiêu
"""
RESPONSES = """version: "3.1"
responses:
  utter_faq/gio_lam_viec:
    - text: >-
        Thường từ thứ Hai đến thứ Sáu,
        sáng 7h30–11h30.
"""
DOMAIN = """version: "3.1"
responses:
  utter_faq/ho_chieu:
    - text: "Nộp tại Phòng Quản lý xuất nhập cảnh: https://dichvucong.gov.vn"
  utter_faq/gio_lam_viec:
    - text: "bản cũ trong domain"
"""


@pytest.fixture
def rasa_files(settings) -> None:
    settings.faq_nlu_path.parent.mkdir(parents=True, exist_ok=True)
    settings.faq_nlu_path.write_text(NLU, encoding="utf-8")
    settings.faq_responses_path.write_text(RESPONSES, encoding="utf-8")
    settings.domain_path.write_text(DOMAIN, encoding="utf-8")


def _import(db, settings) -> faq_io.ImportReport:
    with db() as session:
        return faq_io.import_faqs(session, settings.faq_nlu_path, settings.faq_responses_path, settings.domain_path)


def test_import_reads_examples_and_answers_from_either_file(db, settings, rasa_files) -> None:
    """Answers come from the responses file first, else domain.yml; FAQs without an answer are
    reported, not invented; entity markup is dropped; non-FAQ intents are ignored."""
    report = _import(db, settings)
    assert report.created == ["gio_lam_viec", "ho_chieu"]
    assert "khong_co_tra_loi" in report.skipped
    with db() as session:
        hours = faq_service.get(session, "gio_lam_viec")
        passport = faq_service.get(session, "ho_chieu")
        assert hours.status == "published" and hours.answer == "Thường từ thứ Hai đến thứ Sáu, sáng 7h30–11h30."
        assert hours.questions == ["bộ phận một cửa làm việc mấy giờ", "gio lam viec cua bo phan mot cua"]
        assert passport.questions[0] == "làm hộ chiếu ở đâu" and passport.title == "Làm hộ chiếu ở đâu"
        assert passport.answer.startswith("Nộp tại Phòng")


def test_import_is_idempotent_and_never_overwrites_console_edits(db, settings, rasa_files) -> None:
    """Re-importing keeps what staff changed in the console."""
    _import(db, settings)
    with db() as session:
        faq = faq_service.get(session, "ho_chieu")
        faq_service.update(
            session, faq, FaqInput(title="Hộ chiếu", questions=faq.questions, answer="Sửa trong console."), None
        )
    again = _import(db, settings)
    assert again.created == [] and again.unchanged == ["gio_lam_viec", "ho_chieu"]
    with db() as session:
        assert faq_service.get(session, "ho_chieu").answer == "Sửa trong console."
        assert faq_service.count(session) == 2


def test_export_round_trip_is_stable_sorted_and_nfc(db, settings, rasa_files, tmp_path: Path) -> None:
    """Export -> import into a fresh database -> export gives the same bytes; a second export
    changes no file; examples are sorted, deduplicated and NFC; the header says who manages it."""
    _import(db, settings)
    with db() as session:
        nfd = unicodedata.normalize("NFD", "Đổi giấy phép lái xe")
        faq_service.create(
            session,
            FaqInput(
                key="doi_gplx",
                title=nfd,
                questions=[nfd, "đổi bằng lái", "ĐỔI BẰNG LÁI"],
                answer='Có "ngoặc"\nvà dòng 2',
                tags="b, a",
            ),
            None,
            "published",
        )
        faq_service.create(session, FaqInput(key="nhap", title="Nháp", questions=["a b", "c d"], answer="x"), None)
    out_nlu, out_resp = tmp_path / "out" / "faq.yml", tmp_path / "out" / "faq_responses.yml"
    with db() as session:
        count, changed = faq_io.export_faqs(session, out_nlu, out_resp)
    assert count == 3 and changed == [out_nlu, out_resp]
    first = out_nlu.read_text(encoding="utf-8"), out_resp.read_text(encoding="utf-8")
    assert first[0].startswith("# Managed by the staff console") and first[1].startswith(
        "# Managed by the staff console"
    )
    assert "faq/nhap" not in first[0]
    assert unicodedata.is_normalized("NFC", first[0])
    assert "      - đổi bằng lái\n      - Đổi giấy phép lái xe\n" in first[0] and "ĐỔI BẰNG LÁI" not in first[0]
    with db() as session:
        assert faq_io.export_faqs(session, out_nlu, out_resp)[1] == []

    from console.db import create_schema, make_engine, session_factory, session_scope

    engine = make_engine(f"sqlite:///{tmp_path / 'second.db'}")
    create_schema(engine)
    with session_scope(session_factory(engine)) as session:
        report = faq_io.import_faqs(session, out_nlu, out_resp, tmp_path / "no-domain.yml")
        assert sorted(report.created) == ["doi_gplx", "gio_lam_viec", "ho_chieu"]
        assert faq_service.get(session, "doi_gplx").tags == ["a", "b"]
        again_nlu, again_resp = tmp_path / "again" / "faq.yml", tmp_path / "again" / "faq_responses.yml"
        faq_io.export_faqs(session, again_nlu, again_resp)
    assert (again_nlu.read_text(encoding="utf-8"), again_resp.read_text(encoding="utf-8")) == first


def test_exported_files_are_valid_for_rasas_reader(db, settings, rasa_files, tmp_path: Path) -> None:
    """Rasa's own YAML reader (schema validation included) loads the export as retrieval-intent
    examples faq/<key> with responses utter_faq/<key>: the next training run includes them."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
    from rasa.shared.nlu.training_data.loading import load_data

    _import(db, settings)
    with db() as session:
        tricky = 'Dấu "ngoặc kép", dấu: hai chấm, #thăng, \\ và\nxuống dòng; https://dichvucong.gov.vn'
        faq_service.create(
            session,
            FaqInput(
                key="ky_tu_dac_biet",
                title="Ký tự: đặc biệt #1",
                questions=["- bắt đầu bằng gạch", "#hashtag: có không"],
                answer=tricky,
            ),
            None,
            "published",
        )
    out = tmp_path / "export"
    with db() as session:
        faq_io.export_faqs(session, out / "faq.yml", out / "faq_responses.yml")
    reader = RasaYAMLReader()
    for path in (out / "faq.yml", out / "faq_responses.yml"):
        reader.validate(path.read_text(encoding="utf-8"))
    data = load_data(str(out))
    keys = {example.get_full_intent() for example in data.intent_examples}
    assert keys == {"faq/gio_lam_viec", "faq/ho_chieu", "faq/ky_tu_dac_biet"}
    assert data.responses["utter_faq/ky_tu_dac_biet"][0]["text"] == tricky
    texts = {example.get("text") for example in data.intent_examples}
    assert "- bắt đầu bằng gạch" in texts and "#hashtag: có không" in texts


def test_repository_faqs_import_cleanly(db, settings) -> None:
    """The real data/nlu/faq.yml imports without skipping anything."""
    from console.settings import ConsoleSettings

    real = ConsoleSettings()
    nlu, responses, domain = (
        REPO_ROOT / "data/nlu/faq.yml",
        REPO_ROOT / "data/nlu/faq_responses.yml",
        REPO_ROOT / "domain.yml",
    )
    assert real.faq_nlu_path == nlu
    with db() as session:
        report = faq_io.import_faqs(session, nlu, responses, domain)
    assert report.created and report.skipped == {}

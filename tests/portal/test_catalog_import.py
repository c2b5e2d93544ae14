"""Import of the real national catalog: pinned values of real records, idempotency, issues, corrections."""

from __future__ import annotations

import gzip
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.catalog.importer import ImportReport, import_catalog, read_records
from portal.catalog.serialize import procedure_detail
from portal.db import create_schema, make_engine, session_factory, session_scope
from portal.models.brief import ProcedureBrief
from portal.models.catalog import (
    CatalogImportIssue,
    DocumentCase,
    Procedure,
    ProcedureChannel,
    ProcedureStep,
    RequiredDocument,
)
from portal.settings import get_settings

TOTAL = 2642
CHILD_TABLES = (Procedure, ProcedureChannel, DocumentCase, RequiredDocument, ProcedureStep, CatalogImportIssue)


def _detail(engine: Engine, code: str) -> dict:
    with Session(engine, future=True) as session:
        procedure = session.execute(select(Procedure).where(Procedure.code == code)).scalar_one()
        return procedure_detail(procedure)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in CHILD_TABLES}


def test_every_record_is_imported(imported_catalog_engine: Engine, imported_catalog_report: ImportReport) -> None:
    """All 2,642 procedures of the snapshot are stored, one row per code, none dropped."""
    with Session(imported_catalog_engine, future=True) as session:
        codes = session.execute(select(Procedure.code)).scalars().all()
    source = {record["ma_thu_tuc"] for record in read_records(get_settings().catalog_path)}
    assert len(codes) == TOTAL == len(set(codes))
    assert set(codes) == source
    assert imported_catalog_report.total == TOTAL


def test_report_counts_match_the_database(
    imported_catalog_engine: Engine, imported_catalog_report: ImportReport
) -> None:
    """The report's issue counts are the issue rows; coverage stays at the measured level."""
    report = imported_catalog_report
    assert report.inserted + report.updated == report.total
    with Session(imported_catalog_engine, future=True) as session:
        rows = dict(
            session.execute(select(CatalogImportIssue.part, func.count()).group_by(CatalogImportIssue.part)).all()
        )
    assert rows == report.issues_by_part
    assert report.corrections_applied >= 4
    assert report.percent("channels") > 99
    assert report.percent("documents") > 97
    assert report.percent("steps") == 100
    assert report.duration > 0


def test_residence_registration_fees_per_channel(imported_catalog_engine: Engine) -> None:
    """1.004222 Đăng ký thường trú: 7 working days; 20.000đ in person, 10.000đ online."""
    detail = _detail(imported_catalog_engine, "1.004222")
    channels = {c["channel"]: c for c in detail["channels"]}
    assert set(channels) == {"in_person", "online"}
    for channel, fee in (("in_person", 20000), ("online", 10000)):
        assert (channels[channel]["time_value"], channels[channel]["time_unit"]) == (7.0, "working_day")
        assert channels[channel]["fee_amount"] == fee
    assert detail["name"] == "Đăng ký thường trú"


def test_criminal_record_fee_corrected_with_reason(imported_catalog_engine: Engine) -> None:
    """3.000333 Lý lịch tư pháp: "Miễn phí" cell corrected to 200.000đ, with reason and source kept."""
    detail = _detail(imported_catalog_engine, "3.000333")
    assert detail["channels"] and all(c["fee_amount"] == 200000 for c in detail["channels"])
    assert all(c["fee_flag"] == "corrected" for c in detail["channels"])
    (fee,) = [c for c in detail["corrections"] if c["field"] == "channels[*].fee_amount"]
    assert fee["value"] == 200000 and fee["original"] is None  # parsed as "not a fixed amount"
    assert "244/2016/TT-BTC" in fee["reason"] and "244/2016/TT-BTC" in fee["source"]


def test_driving_licence_exchange_fee_corrected(imported_catalog_engine: Engine) -> None:
    """3.000347 đổi GPLX: 135.000đ on every channel (the 115.000đ online rate ended 31/12/2025)."""
    detail = _detail(imported_catalog_engine, "3.000347")
    assert [c["fee_amount"] for c in detail["channels"]] == [135000, 135000]
    assert detail["corrections"][0]["reason"].startswith("Ô phí ghi")


def test_identity_card_documents(imported_catalog_engine: Engine) -> None:
    """1.014061 cấp thẻ căn cước: three documents, two with their DC01/DC02 form files."""
    detail = _detail(imported_catalog_engine, "1.014061")
    (case,) = detail["cases"]
    names = [d["name"] for d in case["documents"]]
    assert len(names) == 3
    assert names[0].startswith("Phiếu thu thập thông tin dân cư (mẫu DC01")
    assert names[1].startswith("Phiếu đề nghị giải quyết thủ tục về căn cước (Mẫu DC02")
    assert [d["template"] for d in case["documents"]] == [
        "Mẫu DC01 Phiếu thu thập thông tin dân cư.docx",
        "Mẫu DC02 Phiếu đề nghị giải quyết thủ tục về căn cước.doc",
        "",
    ]
    assert all((d["originals"], d["copies"]) == (1, 0) for d in case["documents"])
    assert {c["channel"] for c in detail["channels"]} == {"in_person", "online"}


def test_detail_carries_source_and_attribution(imported_catalog_engine: Engine) -> None:
    """Answers must cite the national portal, the procedure's page and the date of the data."""
    detail = _detail(imported_catalog_engine, "1.001193")
    assert detail["source_url"].startswith("https://dichvucong.gov.vn/thu-tuc-hanh-chinh/")
    assert detail["data_date"] == get_settings().catalog_data_date
    assert detail["source"] == {
        "name": "Cổng Dịch vụ công quốc gia",
        "url": detail["source_url"],
        "data_date": detail["data_date"],
    }
    assert detail["online_url"] == ""  # the snapshot holds no per-procedure filing link
    assert {"legal_basis", "requirements", "audience", "steps", "cases", "result"} <= set(detail)


def test_imported_text_is_normalized(imported_catalog_engine: Engine) -> None:
    """Stored text is NFC with one tone convention: "hoà giải" in the source is stored "hòa giải"."""
    detail = _detail(imported_catalog_engine, "1.008910")
    assert "Trung tâm hòa giải" in detail["name"] and "hoà" not in detail["name"]
    assert unicodedata.is_normalized("NFC", json.dumps(detail, ensure_ascii=False))


def test_reimport_is_idempotent(imported_catalog_engine: Engine, tmp_path: Path) -> None:
    """Importing the same snapshot again updates in place: same row counts, no duplicate children."""
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(imported_catalog_engine.url.database)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    engine = make_engine(f"sqlite:///{copy}")
    before = _counts(engine)
    settings = get_settings()
    with session_scope(session_factory(engine)) as session:
        report = import_catalog(session, settings.catalog_path, settings.catalog_data_date)
    assert (report.inserted, report.updated) == (0, TOTAL)
    assert _counts(engine) == before
    assert _detail(engine, "1.004222")["channels"] == _detail(imported_catalog_engine, "1.004222")["channels"]
    engine.dispose()


# --- small files: unparseable parts and corrections ------------------------------------------------


def _write_catalog(path: Path, records: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _real_record(code: str) -> dict:
    return next(r for r in read_records(get_settings().catalog_path) if r["ma_thu_tuc"] == code)


@pytest.fixture
def empty_db(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    create_schema(engine)
    yield engine
    engine.dispose()


def test_unparseable_parts_are_kept_raw_and_counted(empty_db: Engine, tmp_path: Path) -> None:
    """A record whose cells fit no grammar is still imported, its raw text kept and its issues listed."""
    record = _real_record("1.001193") | {
        "ma_thu_tuc": "9.999999",
        "cach_thuc_thuc_hien": "Hình thức nộpThời gianPhí, lệ phíMô tảNộp tại quầy, không rõ thời hạn",
        "thanh_phan_ho_so": "Hồ sơ theo hướng dẫn của cán bộ tiếp nhận",
    }
    path = _write_catalog(tmp_path / "odd.jsonl.gz", [record])
    with session_scope(session_factory(empty_db)) as session:
        report = import_catalog(session, path, "2026-06-30")
    assert report.total == report.inserted == 1
    assert report.issues_by_part == {"cach_thuc_thuc_hien": 1, "thanh_phan_ho_so": 1}
    detail = _detail(empty_db, "9.999999")
    assert detail["channels"] == [] and detail["cases"] == []
    assert detail["raw_text"]["thanh_phan_ho_so"] == "Hồ sơ theo hướng dẫn của cán bộ tiếp nhận"
    assert detail["steps"]  # the parts that did parse are still there


def test_stale_correction_is_skipped_and_reported(empty_db: Engine, tmp_path: Path) -> None:
    """A correction whose evidence is no longer in the record is not applied; the issue says so."""
    path = _write_catalog(tmp_path / "one.jsonl.gz", [_real_record("1.004222")])
    corrections = tmp_path / "corrections.yml"
    corrections.write_text(
        "corrections:\n"
        "  - {code: '1.004222', field: 'channels[online].fee_amount', value: 0, reason: r, source: s,"
        " evidence: 'miễn lệ phí toàn quốc'}\n"
        "  - {code: '1.004222', field: 'channels[in_person].fee_amount', value: 15000, reason: r2, source: s2}\n",
        encoding="utf-8",
    )
    with session_scope(session_factory(empty_db)) as session:
        report = import_catalog(session, path, "2026-06-30", corrections=corrections)
    fees = {c["channel"]: c["fee_amount"] for c in _detail(empty_db, "1.004222")["channels"]}
    assert fees == {"online": 10000, "in_person": 15000}
    assert report.corrections_applied == 1
    assert report.issues_by_part == {"corrections": 1}


def test_malformed_corrections_file_fails_loudly(empty_db: Engine, tmp_path: Path) -> None:
    """A correction without a reason or source is an error, not a silent override."""
    path = _write_catalog(tmp_path / "one.jsonl.gz", [_real_record("1.004222")])
    corrections = tmp_path / "bad.yml"
    corrections.write_text("corrections:\n  - {code: '1.004222', field: name, value: x}\n", encoding="utf-8")
    with session_scope(session_factory(empty_db)) as session, pytest.raises(ValueError, match="reason"):
        import_catalog(session, path, "2026-06-30", corrections=corrections)


def test_every_procedure_has_a_brief_and_coverage_is_reported(
    imported_catalog_engine: Engine, imported_catalog_report: ImportReport
) -> None:
    """A brief is stored for every procedure; the report counts each brief part at its measured level."""
    with Session(imported_catalog_engine, future=True) as session:
        briefs = session.execute(select(func.count()).select_from(ProcedureBrief)).scalar_one()
    assert briefs == TOTAL
    report = imported_catalog_report
    assert report.brief_percent("documents_submit") > 95
    assert report.brief_percent("fee_any") > 85
    assert report.brief_percent("time_any") > 94
    assert report.brief_percent("steps") == 100
    assert report.brief_percent("agency_record") + report.brief_percent("agency_derived") == pytest.approx(100)
    assert "documents_submit" in report.brief_summary()

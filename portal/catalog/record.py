"""Turn one source record of the catalog into the structured procedure the importer writes.

Cells are parsed on the NFC source text and every extracted string is then normalized with
:func:`portal.catalog.text.clean_text` (the project's tone-mark convention, glue-safe). A part that
cannot be parsed yields an :class:`Issue`; its raw text stays in ``Procedure.raw``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from portal.catalog import parser
from portal.catalog.text import clean_text

PORTAL_NAME = "Cổng Dịch vụ công quốc gia"


@dataclass(frozen=True)
class Issue:
    """A part of a record the parser could not structure (kept raw, counted in the report)."""

    part: str
    reason: str
    raw_text: str = ""


def _nfc(record: dict[str, Any], key: str) -> str:
    return unicodedata.normalize("NFC", str(record.get(key) or ""))


def _field(record: dict[str, Any], key: str) -> str:
    """A plain text field, cleaned; the portal's "Không có thông tin" placeholder becomes ""."""
    value = _nfc(record, key).strip()
    return "" if parser.is_empty_cell(value) else clean_text(value)


def _clean(value: Any) -> Any:
    """Normalize every string inside parsed data (dicts, lists, scalars)."""
    if isinstance(value, str):
        return clean_text(value.strip())
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def build_procedure(record: dict[str, Any], data_date: str) -> tuple[dict[str, Any], list[Issue]]:
    """The procedure's columns and children as plain data, plus the parse issues found."""
    issues: list[Issue] = []
    data: dict[str, Any] = {
        "code": _nfc(record, "ma_thu_tuc").strip(),
        "name": _field(record, "ten_thu_tuc"),
        "field": _field(record, "linh_vuc"),
        "level": _field(record, "cap_thuc_hien"),
        "procedure_type": _field(record, "loai_thu_tuc"),
        "decision_number": _field(record, "so_quyet_dinh"),
        "ministry": _field(record, "bo_nganh"),
        # Where to go: the handling agency, else the deciding one (302 records leave the first blank).
        "agencies": _field(record, "co_quan_thuc_hien") or _field(record, "co_quan_co_tham_quyen"),
        "competent_authority": _field(record, "co_quan_co_tham_quyen"),
        "receiving_address": _field(record, "dia_chi_tiep_nhan"),
        "audience": _field(record, "doi_tuong_thuc_hien"),
        "requirements": _field(record, "yeu_cau_dieu_kien"),
        "related": _field(record, "thu_tuc_lien_quan"),
        "source_url": _nfc(record, "detail_url").strip(),
        "data_date": data_date,
        # No per-procedure filing link exists in the snapshot (only the button's label); see report.
        "online_url": "",
        "online_filing": parser.has_filing_button(_nfc(record, "ket_qua_xu_ly")),
        "raw": record,
        "corrections": [],
    }
    data["channels"] = _channels(record, issues)
    data["cases"] = _cases(record, issues)
    data["steps"], data["steps_style"] = _steps(record)
    data["legal_basis"] = _legal_basis(record, issues)
    data["results"], data["result"] = _results(record, issues)
    return data, issues


def _channels(record: dict[str, Any], issues: list[Issue]) -> list[dict[str, Any]]:
    text = _nfc(record, "cach_thuc_thuc_hien")
    rows = [_clean(dict(row)) for row in parser.parse_channels(text)]
    if not rows and not parser.is_empty_cell(text.removeprefix("Hình thức nộpThời gianPhí, lệ phíMô tả")):
        issues.append(Issue("cach_thuc_thuc_hien", "no channel row recognised", text))
    return rows


def fee_issue(channels: list[dict[str, Any]]) -> Issue | None:
    """A "Miễn phí" fee cell contradicted by its own note (left uncorrected): a staff worklist item."""
    flagged = [c for c in channels if c["fee_flag"] in _FEE_CONFLICTS]
    if not flagged:
        return None
    reason = f"{_FEE_CONFLICTS[flagged[0]['fee_flag']]}; fee_amount left empty until staff correct it"
    return Issue("fee", reason, flagged[0]["fee_text"])


_FEE_CONFLICTS = {
    "free_but_amount_in_text": "fee cell says Miễn phí but its note states an amount",
    "free_but_fee_rule_cited": "fee cell says Miễn phí but its note cites a fee schedule",
}


def _cases(record: dict[str, Any], issues: list[Issue]) -> list[dict[str, Any]]:
    text = _nfc(record, "thanh_phan_ho_so")
    cases = [_clean(dict(case)) for case in parser.parse_documents(text)]
    if not any(case["documents"] for case in cases) and text.strip(" -"):
        issues.append(Issue("thanh_phan_ho_so", "no document row recognised", text))
        return []
    return cases


def _steps(record: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    steps, style = parser.parse_steps(_nfc(record, "trinh_tu_thuc_hien"))
    return [_clean(dict(step)) for step in steps], style


def _legal_basis(record: dict[str, Any], issues: list[Issue]) -> list[dict[str, Any]]:
    text = _nfc(record, "can_cu_phap_ly")
    rows = [_clean(dict(row)) for row in parser.parse_legal_basis(text)]
    if rows and not any(row["number"] for row in rows):
        issues.append(Issue("can_cu_phap_ly", "no document number recognised", text))
    return rows


def _results(record: dict[str, Any], issues: list[Issue]) -> tuple[list[dict[str, str]], str]:
    text = _nfc(record, "ket_qua_xu_ly")
    parsed = parser.parse_result(text)
    items = [_clean(item) for item in parsed["items"] if item["name"] or item["code"]]
    if not items and not parser.is_empty_cell(text):
        issues.append(Issue("ket_qua_xu_ly", "no result document recognised", text))
    return items, "; ".join(item["name"] for item in items if item["name"])


def source_text(record: dict[str, Any]) -> str:
    """All text of the record, cleaned: what correction evidence is checked against."""
    return clean_text(" ".join(str(value) for value in record.values() if isinstance(value, str)))

"""Staff corrections of a brief: validate, save with an audit entry, read back with history.

The console sends what a staff member typed (document order, short names, agency, a note) with
their username; the portal checks it against the imported brief, stores it as the overlay
(portal.models.brief.BriefCorrection) and records who changed what, when, before and after.
An empty correction removes the overlay (audited too).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.catalog.brief.overlay import apply_overlay, stale_reasons
from portal.catalog.brief.store import correction_data
from portal.models.brief import BriefCorrection, BriefCorrectionAudit, ProcedureBrief

MAX_NAME = 150
MAX_AGENCY = 200
MAX_NOTE = 500
HISTORY = 20


class CorrectionError(ValueError):
    """The correction does not fit the brief; ``errors`` maps a field to a message for staff."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {value}" for key, value in errors.items()))
        self.errors = errors


@dataclass
class CorrectionInput:
    """What staff submit; names are keyed by the imported short name."""

    actor: str
    document_order: list[str] = field(default_factory=list)
    document_names: dict[str, str] = field(default_factory=dict)
    agency: str = ""
    note: str = ""


def _text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def correction_view(session: Session, code: str) -> dict[str, Any] | None:
    """The imported brief, the correction (or null), the served brief, stale reasons and history."""
    row = session.get(ProcedureBrief, code)
    if row is None:
        return None
    correction = session.get(BriefCorrection, code)
    data = correction_data(correction) if correction else None
    history = session.execute(
        select(BriefCorrectionAudit)
        .where(BriefCorrectionAudit.procedure_code == code)
        .order_by(BriefCorrectionAudit.id.desc())
        .limit(HISTORY)
    ).scalars()
    return {
        "code": code,
        "imported": row.brief,
        "brief": apply_overlay(row.brief, data),
        "correction": _public(correction) if correction else None,
        "stale": stale_reasons(data, row.brief, row.source_hash) if data else [],
        "history": [
            {"actor": entry.actor, "at": entry.at, "before": entry.before, "after": entry.after} for entry in history
        ],
    }


def save_correction(session: Session, code: str, change: CorrectionInput, now: datetime | None = None) -> None:
    """Validate ``change`` against the imported brief, store it (or remove it when empty), audit it."""
    row = session.get(ProcedureBrief, code)
    if row is None:
        raise LookupError(code)
    cleaned = _validated(row.brief, change)
    correction = session.get(BriefCorrection, code)
    before = _public(correction) if correction else None
    empty = not any(cleaned.values())
    if (empty and correction is None) or (before and _content(before) == cleaned):
        return  # nothing changes: no write, no audit entry
    at = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    if empty:
        session.delete(correction)
        after = None
    else:
        correction = correction or BriefCorrection(procedure_code=code)
        correction.document_order = cleaned["document_order"]
        correction.document_names = cleaned["document_names"]
        correction.agency = cleaned["agency"]
        correction.note = cleaned["note"]
        correction.base_hash = row.source_hash
        correction.updated_by = change.actor
        correction.updated_at = at
        session.add(correction)
        after = _public(correction)
    session.add(BriefCorrectionAudit(procedure_code=code, actor=change.actor, at=at, before=before, after=after))


def list_corrections(session: Session) -> list[dict[str, Any]]:
    """Every correction with its procedure name and whether it is stale."""
    out = []
    query = select(BriefCorrection, ProcedureBrief).join(
        ProcedureBrief, ProcedureBrief.procedure_code == BriefCorrection.procedure_code, isouter=True
    )
    for correction, brief in session.execute(query.order_by(BriefCorrection.procedure_code)).all():
        data = correction_data(correction)
        reasons = stale_reasons(data, brief.brief if brief else None, brief.source_hash if brief else "")
        out.append(
            {
                "code": correction.procedure_code,
                "name": brief.brief["name"] if brief else "",
                "updated_by": correction.updated_by,
                "updated_at": correction.updated_at,
                "stale": reasons,
            }
        )
    return out


def _validated(brief: dict[str, Any], change: CorrectionInput) -> dict[str, Any]:
    documents = brief["documents"]
    submit = [doc["name"] for doc in documents["submit"]]
    known = set(submit) | {doc["name"] for doc in documents["show"]}
    errors: dict[str, str] = {}
    order = [_text(name) for name in change.document_order if _text(name)]
    if set(order) - set(submit) or len(set(order)) != len(order):
        errors["document_order"] = "Thứ tự chỉ được gồm các giấy tờ phải nộp của thủ tục, mỗi giấy tờ một lần."
    names = {}
    for original, new in change.document_names.items():
        original, new = _text(original), _text(new)
        if original not in known:
            errors["document_names"] = f"Không có giấy tờ “{original[:60]}” trong thủ tục này."
        elif len(new) > MAX_NAME:
            errors["document_names"] = f"Tên ngắn tối đa {MAX_NAME} ký tự."
        elif new and new != original:
            names[original] = new
    agency, note = _text(change.agency), _text(change.note)
    if len(agency) > MAX_AGENCY:
        errors["agency"] = f"Cơ quan thực hiện tối đa {MAX_AGENCY} ký tự."
    if len(note) > MAX_NOTE:
        errors["note"] = f"Ghi chú tối đa {MAX_NOTE} ký tự."
    if not _text(change.actor):
        errors["actor"] = "Thiếu tên cán bộ thực hiện thay đổi."
    if errors:
        raise CorrectionError(errors)
    if order == submit[: len(order)] and len(order) == len(submit):
        order = []  # the imported order: nothing to overlay
    return {"document_order": order, "document_names": names, "agency": agency, "note": note}


def _content(data: dict[str, Any]) -> dict[str, Any]:
    """What staff edit: document order and names, agency, note."""
    return {key: data[key] for key in ("document_order", "document_names", "agency", "note")}


def _public(correction: BriefCorrection) -> dict[str, Any]:
    """A correction as the console and the audit show it: its content, who changed it and when."""
    return {
        **_content(correction_data(correction)),
        "updated_by": correction.updated_by or "",
        "updated_at": correction.updated_at.isoformat() if correction.updated_at else None,
    }

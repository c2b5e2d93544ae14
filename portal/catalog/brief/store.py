"""Writing briefs at import time and reading them (with the staff overlay) when serving."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal.catalog.brief.overlay import apply_overlay, stale_reasons
from portal.models.brief import BriefCorrection, ProcedureBrief


def write_briefs(session: Session, briefs: dict[str, tuple[dict[str, Any], str]]) -> None:
    """Replace the stored briefs of these procedure codes: ``{code: (brief, source_hash)}``."""
    table = ProcedureBrief.__table__
    codes = list(briefs)
    for chunk in _chunks(codes):
        session.execute(delete(table).where(table.c.procedure_code.in_(chunk)))
    rows = [{"procedure_code": code, "brief": brief, "source_hash": digest} for code, (brief, digest) in briefs.items()]
    if rows:
        session.execute(insert(table), rows)


def stale_corrections(session: Session, briefs: dict[str, tuple[dict[str, Any], str]]) -> dict[str, list[str]]:
    """Staff brief corrections that no longer fit the freshly imported briefs: ``{code: reasons}``."""
    stale = {}
    for correction in session.execute(select(BriefCorrection)).scalars():
        data = correction_data(correction)
        brief, digest = briefs.get(correction.procedure_code, (None, ""))
        reasons = stale_reasons(data, brief, digest)
        if reasons:
            stale[correction.procedure_code] = reasons
    return stale


def served_brief(session: Session, code: str) -> dict[str, Any] | None:
    """The brief of ``code`` with its staff correction applied, or ``None`` when none was built."""
    row = session.get(ProcedureBrief, code)
    if row is None:
        return None
    correction = session.get(BriefCorrection, code)
    return apply_overlay(row.brief, correction_data(correction) if correction else None)


def correction_data(correction: BriefCorrection) -> dict[str, Any]:
    """A correction as plain data (what the overlay, the audit and the API use)."""
    return {
        "document_order": list(correction.document_order or []),
        "document_names": dict(correction.document_names or {}),
        "agency": correction.agency or "",
        "note": correction.note or "",
        "base_hash": correction.base_hash or "",
    }


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]

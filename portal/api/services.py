"""Procedure services behind the routes: search with source links, and the full record."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.catalog.brief.store import served_brief
from portal.catalog.serialize import procedure_detail
from portal.models.catalog import DocumentCase, Procedure
from portal.search import ProcedureSearch

PROCEDURE_CODE_MAX = 32


def search_procedures(
    search: ProcedureSearch, session: Session, q: str, field: str | None, level: str | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Ranked hits, each with the procedure's page on the national portal for attribution."""
    result = search.search(session, q, field=field or None, level=level or None, limit=limit)
    codes = [hit.code for hit in result.items]
    urls = dict(session.execute(select(Procedure.code, Procedure.source_url).where(Procedure.code.in_(codes))).all())
    items = [
        {
            "code": hit.code,
            "name": hit.name,
            "field": hit.field,
            "level": hit.level,
            "score": round(float(hit.score), 4),
            "source_url": urls.get(hit.code) or "",
            "matched_terms": list(hit.matched_terms),
            "confident": hit.confident,
        }
        for hit in result.items
    ]
    return items, result.total


def get_procedure(session: Session, code: str) -> dict[str, Any] | None:
    """The full structured record of one procedure, or ``None`` if the code is unknown."""
    code = code.strip()
    if not code or len(code) > PROCEDURE_CODE_MAX:
        return None
    query = (
        select(Procedure)
        .where(Procedure.code == code)
        .options(
            selectinload(Procedure.channels),
            selectinload(Procedure.steps),
            selectinload(Procedure.cases).selectinload(DocumentCase.documents),
        )
    )
    procedure = session.execute(query).scalar_one_or_none()
    if procedure is None:
        return None
    return {**procedure_detail(procedure), "brief": served_brief(session, procedure.code)}

"""The full structured JSON record of a procedure (GET /api/v1/procedures/{code}).

Fees and times change often, so every record carries its source page, the date of the data and
the attribution to the national portal; corrected values carry the staff's reason and source.
When a part could not be parsed its raw text is included, so nothing the portal says is hidden.
"""

from __future__ import annotations

from typing import Any

from portal.catalog.record import PORTAL_NAME
from portal.catalog.text import clean_text
from portal.models.catalog import DocumentCase, Procedure, ProcedureChannel, ProcedureStep

# Source cells shown raw when the structured part came out empty.
_RAW_FALLBACKS = {"channels": "cach_thuc_thuc_hien", "cases": "thanh_phan_ho_so", "steps": "trinh_tu_thuc_hien"}


def procedure_detail(procedure: Procedure) -> dict[str, Any]:
    """Everything the assistant may say about one procedure, as JSON-ready data."""
    detail: dict[str, Any] = {
        "code": procedure.code,
        "name": procedure.name,
        "field": procedure.field,
        "level": procedure.level,
        "procedure_type": procedure.procedure_type,
        "decision_number": procedure.decision_number,
        "ministry": procedure.ministry,
        "agencies": procedure.agencies,
        "competent_authority": procedure.competent_authority,
        "receiving_address": procedure.receiving_address,
        "audience": procedure.audience,
        "requirements": procedure.requirements,
        "result": procedure.result,
        "results": list(procedure.results or []),
        "legal_basis": list(procedure.legal_basis or []),
        "related": procedure.related,
        "channels": [_channel(channel) for channel in procedure.channels],
        "cases": [_case(case) for case in procedure.cases],
        "steps": [_step(step) for step in procedure.steps],
        "corrections": list(procedure.corrections or []),
        "source_url": procedure.source_url,
        "data_date": procedure.data_date,
        "online_url": procedure.online_url,
        "online_filing": bool(procedure.online_filing),
        "source": {"name": PORTAL_NAME, "url": procedure.source_url, "data_date": procedure.data_date},
        "attribution": f"Nguồn: {PORTAL_NAME}, dữ liệu ngày {procedure.data_date}",
    }
    raw = _raw_fallbacks(procedure, detail)
    if raw:
        detail["raw_text"] = raw
    return detail


def _channel(channel: ProcedureChannel) -> dict[str, Any]:
    return {
        "channel": channel.channel,
        "time_value": channel.time_value,
        "time_unit": channel.time_unit,
        "time_text": channel.time_text,
        "fee_amount": channel.fee_amount,
        "fee_text": channel.fee_text,
        "fee_flag": channel.fee_flag,
        "description": channel.description,
    }


def _case(case: DocumentCase) -> dict[str, Any]:
    return {
        "title": case.title,
        "documents": [
            {"name": doc.name, "template": doc.template, "originals": doc.originals, "copies": doc.copies}
            for doc in case.documents
        ],
    }


def _step(step: ProcedureStep) -> dict[str, Any]:
    return {"title": step.title, "description": step.description}


def _raw_fallbacks(procedure: Procedure, detail: dict[str, Any]) -> dict[str, str]:
    """Raw source text of parts that parsed to nothing (the import issue list names them)."""
    source = procedure.raw or {}
    return {
        cell: clean_text(str(source.get(cell) or ""))
        for part, cell in _RAW_FALLBACKS.items()
        if not detail[part] and str(source.get(cell) or "").strip(" -")
    }

"""Staff corrections of procedure briefs (the console's "Sửa tóm tắt thủ tục" page calls these).

Behind the service token like the rest of ``/api/v1``: only the console holds it, and it passes the
signed-in staff member's username as ``actor`` for the audit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from common.http_api import ApiError
from portal.api.deps import SessionDep, require_service_token
from portal.api.routes import PROCEDURE_NOT_FOUND
from portal.api.schemas import (
    ERROR_RESPONSES,
    BriefCorrectionIn,
    BriefCorrectionList,
    BriefCorrectionView,
    ErrorResponse,
)
from portal.api.services import PROCEDURE_CODE_MAX
from portal.catalog.brief.staff import (
    CorrectionError,
    CorrectionInput,
    correction_view,
    list_corrections,
    save_correction,
)

router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(require_service_token)], responses=ERROR_RESPONSES, tags=["briefs"]
)
NOT_FOUND = {404: {"model": ErrorResponse, "description": "Unknown procedure code."}}


def _view(session: SessionDep, code: str) -> dict[str, Any]:
    view = correction_view(session, code.strip()[:PROCEDURE_CODE_MAX])
    if view is None:
        raise ApiError(404, "procedure_not_found", PROCEDURE_NOT_FOUND)
    return view


@router.get("/brief-corrections", response_model=BriefCorrectionList)
def corrections(session: SessionDep) -> Any:
    """Every staff brief correction, with the reasons it may be stale."""
    return {"items": list_corrections(session)}


@router.get("/procedures/{code}/brief-correction", response_model=BriefCorrectionView, responses=NOT_FOUND)
def get_correction(code: str, session: SessionDep) -> Any:
    """The imported brief, the staff correction of it (or null), the served brief and the change history."""
    return _view(session, code)


@router.put("/procedures/{code}/brief-correction", response_model=BriefCorrectionView, responses=NOT_FOUND)
def put_correction(code: str, body: BriefCorrectionIn, session: SessionDep) -> Any:
    """Replace the correction (all fields empty removes it); audited; served to the bot at once."""
    change = CorrectionInput(
        actor=body.actor,
        document_order=list(body.document_order),
        document_names=dict(body.document_names),
        agency=body.agency,
        note=body.note,
    )
    try:
        save_correction(session, code.strip()[:PROCEDURE_CODE_MAX], change)
    except LookupError as exc:
        raise ApiError(404, "procedure_not_found", PROCEDURE_NOT_FOUND) from exc
    except CorrectionError as exc:
        raise ApiError(422, "invalid_correction", " ".join(exc.errors.values())) from exc
    session.flush()
    return _view(session, code)

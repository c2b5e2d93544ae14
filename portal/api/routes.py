"""HTTP routes: thin adapters from requests to the services and back to JSON."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import text

from common.http_api import ApiError, error_response
from portal.api import services
from portal.api.deps import ClientKeyDep, SessionDep, require_service_token
from portal.api.schemas import (
    ERROR_RESPONSES,
    MAX_FILTER_CHARS,
    MAX_QUERY_CHARS,
    ErrorResponse,
    Health,
    LookupRequest,
    LookupResponse,
    ProcedureDetail,
    ProcedureList,
)
from portal.dossiers.lookup import Outcome, lookup_dossier, vietnam_now

public = APIRouter()
api = APIRouter(prefix="/api/v1", dependencies=[Depends(require_service_token)], responses=ERROR_RESPONSES)

PROCEDURE_NOT_FOUND = "Không tìm thấy thủ tục hành chính có mã này. Mã thủ tục có dạng 1.004222."
DOSSIER_NOT_FOUND = (
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và thông tin xác minh đã nhập. Bạn kiểm tra lại mã hồ sơ trên "
    "giấy tiếp nhận và số định danh cá nhân (hoặc 4 số cuối số điện thoại đã đăng ký)."
)
INVALID_CODE = (
    "Mã hồ sơ không đúng định dạng. Mã hồ sơ có dạng 000.00.01.H29-240115-0001 "
    "(mã đơn vị - ngày tiếp nhận - số thứ tự), in trên giấy tiếp nhận hồ sơ."
)
ID_NUMBER_REQUIRED = (
    "Vì an toàn, hồ sơ này hiện chỉ tra cứu được bằng số định danh cá nhân (12 chữ số) của người nộp, "
    "không dùng 4 số cuối số điện thoại."
)
INVALID_FACTOR = "Thông tin xác minh phải là số định danh cá nhân (12 chữ số) hoặc 4 số cuối số điện thoại đã đăng ký."


@public.get("/health", response_model=Health, responses={503: {"model": ErrorResponse}}, tags=["health"])
def health(request: Request) -> Any:
    """Liveness and database reachability (public, no token)."""
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:
        raise ApiError(503, "database_unavailable", "Cơ sở dữ liệu tạm thời không truy cập được.") from exc
    return {"status": "ok", "database": "ok"}


@api.get("/procedures", response_model=ProcedureList, tags=["procedures"])
def list_procedures(
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=MAX_QUERY_CHARS, description="What the citizen typed."),
    field: str = Query("", max_length=MAX_FILTER_CHARS, description="Lĩnh vực filter, e.g. Hộ tịch."),
    level: str = Query("", max_length=MAX_FILTER_CHARS, description="Cấp thực hiện filter, e.g. Cấp xã."),
    limit: int = Query(10, ge=1, le=50),
) -> Any:
    """Procedures ranked for the citizen's wording (empty list when nothing matches)."""
    items, total = services.search_procedures(request.app.state.search, session, q, field, level, limit)
    return {"items": items, "total": total, "data_date": request.app.state.settings.catalog_data_date}


@api.get(
    "/procedures/{code}",
    response_model=ProcedureDetail,
    responses={404: {"model": ErrorResponse, "description": "Unknown procedure code."}},
    tags=["procedures"],
)
def get_procedure(code: str, session: SessionDep) -> Any:
    """The full structured record of one procedure (channels, documents, steps, fees, source)."""
    detail = services.get_procedure(session, code)
    if detail is None:
        raise ApiError(404, "procedure_not_found", PROCEDURE_NOT_FOUND)
    return detail


@api.post(
    "/dossiers/lookup",
    response_model=LookupResponse,
    responses={
        404: {"model": ErrorResponse, "description": "Wrong code or wrong factor (one neutral answer)."},
        403: {"model": ErrorResponse, "description": "This code now accepts only the 12-digit ID number."},
        429: {"model": ErrorResponse, "description": "Too many failed lookups; see Retry-After."},
    },
    tags=["dossiers"],
)
def lookup(
    body: LookupRequest,
    request: Request,
    session: SessionDep,
    client: ClientKeyDep,
) -> Any:
    """Status, next step and timeline of a dossier, for its owner only."""
    now = vietnam_now()
    result = lookup_dossier(session, body.code, body.factor, client, request.app.state.settings, now)
    session.commit()  # failures must be counted even though the answer is an error
    if result.outcome is Outcome.FOUND and result.dossier is not None:
        return {"dossier": asdict(result.dossier), "as_of": now}
    if result.outcome is Outcome.THROTTLED:
        minutes = max(1, (result.retry_after_seconds or 60) // 60)
        message = f"Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
        return error_response(429, "too_many_attempts", message, {"Retry-After": str(result.retry_after_seconds)})
    if result.outcome is Outcome.ID_NUMBER_REQUIRED:
        return error_response(403, "id_number_required", ID_NUMBER_REQUIRED)
    if result.outcome is Outcome.INVALID_CODE:
        return error_response(422, "invalid_dossier_code", INVALID_CODE)
    if result.outcome is Outcome.INVALID_FACTOR:
        return error_response(422, "invalid_factor", INVALID_FACTOR)
    return error_response(404, "dossier_not_found", DOSSIER_NOT_FOUND)

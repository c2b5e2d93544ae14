"""One error shape for every failure: ``{"error": {"code": "<machine code>", "message": "<Vietnamese>"}}``.

The action server shows ``message`` to citizens and branches on ``code``, so FastAPI's own errors
(validation, malformed JSON, unknown routes) are rewritten into this shape too, and unexpected
exceptions become a neutral 500 without any stack trace in the response.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

INTERNAL_MESSAGE = "Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút."


class ApiError(Exception):
    """An expected failure a route wants to answer with (status, machine code, Vietnamese message)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}}, headers=headers)


_HTTP_ERRORS = {
    401: ("unauthorized", "Thiếu hoặc sai mã truy cập dịch vụ."),
    404: ("not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
}

# pydantic v1 error types -> Vietnamese phrase about the field.
_VALIDATION_PHRASES = {
    "value_error.missing": "thiếu {field}",
    "value_error.number.not_le": "{field} tối đa là {limit_value}",
    "value_error.number.not_ge": "{field} tối thiểu là {limit_value}",
    "value_error.number.not_lt": "{field} phải nhỏ hơn {limit_value}",
    "value_error.number.not_gt": "{field} phải lớn hơn {limit_value}",
    "value_error.any_str.max_length": "{field} dài quá {limit_value} ký tự",
    "value_error.any_str.min_length": "{field} không được để trống",
    "type_error.integer": "{field} phải là số nguyên",
    "type_error.str": "{field} phải là chuỗi ký tự",
    "type_error.dict": "nội dung yêu cầu phải là một đối tượng JSON",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    names = [str(part) for part in loc if isinstance(part, str) and part not in ("body", "query", "path", "header")]
    return names[-1] if names else "nội dung yêu cầu"


def validation_message(errors: list[dict[str, Any]]) -> tuple[str, str]:
    """(machine code, Vietnamese message) for FastAPI/pydantic validation errors."""
    if any(e.get("type") in ("json_invalid", "value_error.jsondecode") for e in errors):
        return "malformed_json", "Nội dung yêu cầu không phải JSON hợp lệ."
    phrases: list[str] = []
    for error in errors[:5]:
        template = _VALIDATION_PHRASES.get(str(error.get("type")), "{field} không hợp lệ")
        context = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
        phrase = template.format_map({**context, "field": _field_name(tuple(error.get("loc", ())))})
        if phrase not in phrases:
            phrases.append(phrase)
    return "invalid_request", "Yêu cầu không hợp lệ: " + "; ".join(phrases) + "."


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    code, message = validation_message(list(exc.errors()))
    return error_response(422, code, message)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_ERRORS.get(exc.status_code, ("http_error", "Yêu cầu không thể thực hiện."))
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


async def _unexpected(_request: Request, _exc: Exception) -> JSONResponse:
    return error_response(500, "internal_error", INTERNAL_MESSAGE)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

"""The contract of the project's JSON APIs (portal, console): one error shape, one service-token check.

Every failure answers ``{"error": {"code": "<machine code>", "message": "<Vietnamese>"}}``: the
action server shows ``message`` to citizens and branches on ``code``. FastAPI's own errors
(validation, malformed JSON, unknown routes) are rewritten into this shape too, and unexpected
exceptions become a neutral 500 without any stack trace. The portal installs
:func:`install_json_error_handlers`; the console, which also serves HTML pages, answers its
``/api/`` paths with the same responses. Each service names its own HTTP status texts.
"""

# No "from __future__ import annotations": FastAPI must evaluate the closure's Annotated parameter
# (it refers to the local ``bearer``), which a string annotation would hide.

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

INTERNAL_MESSAGE = "Hệ thống đang gặp sự cố, vui lòng thử lại sau ít phút."
UNAUTHORIZED_MESSAGE = "Thiếu hoặc sai mã truy cập dịch vụ."


class ApiError(Exception):
    """An expected failure a route answers with (status, machine code, Vietnamese message)."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON error shape."""
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}}, headers=headers)


async def api_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    """The exception handler both services install for :class:`ApiError`."""
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


def internal_error() -> JSONResponse:
    """The neutral 500 (no detail of what went wrong reaches the caller)."""
    return error_response(500, "internal_error", INTERNAL_MESSAGE)


def http_error_text(status: int, texts: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """(machine code, Vietnamese message) of an HTTP status in a service's ``texts``."""
    return texts.get(status, ("http_error", "Yêu cầu không thể thực hiện."))


def http_error(exc: StarletteHTTPException, texts: dict[int, tuple[str, str]]) -> JSONResponse:
    """An HTTP error of the framework (unknown route, wrong method) in the one shape."""
    code, message = http_error_text(exc.status_code, texts)
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


def validation_error(exc: RequestValidationError) -> JSONResponse:
    """A request the route's schema refuses, with the fields in Vietnamese (422)."""
    return error_response(422, *validation_message(list(exc.errors())))


def install_json_error_handlers(app: FastAPI, http_texts: dict[int, tuple[str, str]]) -> None:
    """Every failure of a JSON-only API (the portal) in the one shape."""

    async def on_validation(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return validation_error(exc)

    async def on_http(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return http_error(exc, http_texts)

    async def on_unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return internal_error()

    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_unexpected)


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


def service_token_dependency(variable: str, holders: str) -> Callable[..., None]:
    """A FastAPI dependency admitting only callers that present the service's bearer token.

    The token is ``request.app.state.settings.service_token`` (set from ``variable``); an empty one
    disables the API (503), a wrong or missing one is refused (401), compared in constant time.
    ``holders`` names who holds it, for the OpenAPI description."""
    bearer = HTTPBearer(auto_error=False, description=f"{variable} ({holders}).")

    def require_service_token(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> None:
        expected = request.app.state.settings.service_token
        if not expected:
            raise ApiError(503, "api_disabled", f"Dịch vụ chưa được cấu hình mã truy cập ({variable}).")
        presented = credentials.credentials if credentials else ""
        if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
            raise ApiError(401, "unauthorized", UNAUTHORIZED_MESSAGE, {"WWW-Authenticate": "Bearer"})

    return require_service_token

"""Every failure of the portal API in the one error shape of :mod:`common.http_api`.

The action server shows ``message`` to citizens and branches on ``code``, so FastAPI's own errors
(validation, malformed JSON, unknown routes) are rewritten into this shape too, and unexpected
exceptions become a neutral 500 without any stack trace in the response.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.http_api import (
    INTERNAL_MESSAGE,
    UNAUTHORIZED_MESSAGE,
    ApiError,
    api_error_handler,
    error_response,
    validation_message,
)

_HTTP_ERRORS = {
    401: ("unauthorized", UNAUTHORIZED_MESSAGE),
    404: ("not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
}


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
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

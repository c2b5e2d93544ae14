"""Errors: the JSON shape of :mod:`common.http_api` under ``/api/``, a Vietnamese HTML page elsewhere.

Never a stack trace: validation errors, unknown routes and unexpected exceptions are all rewritten.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from common import http_api
from common.http_api import INTERNAL_MESSAGE, UNAUTHORIZED_MESSAGE, ApiError, api_error_handler

logger = logging.getLogger("console")
_HTTP_MESSAGES = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", UNAUTHORIZED_MESSAGE),
    403: ("forbidden", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy nội dung yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
    422: ("invalid_request", "Yêu cầu không hợp lệ."),
}


class PageError(Exception):
    """An expected failure on an HTML page (forbidden, not found, bad form token)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class LoginRequiredError(Exception):
    """No live session: the page handler redirects to the sign-in form."""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def html_error(request: Request, status: int, message: str) -> Response:
    templates = request.app.state.templates
    context: dict[str, Any] = {"request": request, "status": status, "message": message, "user": None}
    viewer = getattr(request.state, "viewer", None)
    if viewer is not None:
        context.update(user=viewer, csrf_token=request.state.csrf_token)
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    return html_error(request, exc.status, exc.message)


async def _login_required(request: Request, _exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if _is_api(request):
        return http_api.validation_error(exc)
    return html_error(request, 400, "Dữ liệu gửi lên không hợp lệ. Vui lòng tải lại trang và thử lại.")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _is_api(request):
        return http_api.http_error(exc, _HTTP_MESSAGES)
    return html_error(request, exc.status_code, http_api.http_error_text(exc.status_code, _HTTP_MESSAGES)[1])


def internal_error(request: Request) -> Response:
    """The neutral 500: JSON under ``/api/``, a one-line Vietnamese page elsewhere."""
    if _is_api(request):
        return http_api.internal_error()
    return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{INTERNAL_MESSAGE}</p>", status_code=500)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unhandled exception on %s", request.url.path, exc_info=exc)
    return internal_error(request)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

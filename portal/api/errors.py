"""The portal API's HTTP status texts; every failure answers in the one error shape of
:mod:`common.http_api` (the action server shows ``message`` to citizens and branches on ``code``)."""

from __future__ import annotations

from fastapi import FastAPI

from common.http_api import UNAUTHORIZED_MESSAGE, install_json_error_handlers

HTTP_ERRORS = {
    401: ("unauthorized", UNAUTHORIZED_MESSAGE),
    404: ("not_found", "Không tìm thấy địa chỉ yêu cầu."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
}


def install_error_handlers(app: FastAPI) -> None:
    """Validation errors, unknown routes and unexpected exceptions in the one shape."""
    install_json_error_handlers(app, HTTP_ERRORS)

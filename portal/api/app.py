"""The portal HTTP API: ``create_app(settings)`` builds the FastAPI application.

Only the action server and the staff console call it (Bearer ``PORTAL_SERVICE_TOKEN``); ``/health``
is public. Every error is JSON ``{"error": {"code", "message"}}``; every request is logged as one
JSON line without personal data.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid

from fastapi import FastAPI, Request, Response
from starlette.middleware.base import RequestResponseEndpoint

from common.http_api import internal_error
from portal.api.brief_routes import router as brief_router
from portal.api.errors import install_error_handlers
from portal.api.routes import api, public
from portal.db import make_engine, session_factory
from portal.dossiers.protect import resolve_pii_key
from portal.search import engine_for
from portal.settings import PortalSettings

API_VERSION = "1.0.0"
logger = logging.getLogger("portal.api")


def create_app(settings: PortalSettings) -> FastAPI:
    """Build the app for ``settings``; refuses to start without a usable PII key (:class:`PiiKeyError`)."""
    settings = dataclasses.replace(settings, pii_key=resolve_pii_key(settings))
    app = FastAPI(
        title="Portal service: thủ tục hành chính và tra cứu hồ sơ",
        version=API_VERSION,
        description=(
            "Procedure catalog search (data from Cổng Dịch vụ công quốc gia) and dossier lookup for the "
            'citizen assistant. Errors: `{"error": {"code", "message"}}`, messages in Vietnamese.'
        ),
        docs_url="/docs" if settings.public_docs else None,
        redoc_url="/redoc" if settings.public_docs else None,
        openapi_url="/openapi.json" if settings.public_docs else None,
    )
    engine = make_engine(settings.database_url, server=True)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.search = engine_for(engine)
    install_error_handlers(app)
    app.middleware("http")(_request_log)
    app.include_router(public)
    app.include_router(api)
    app.include_router(brief_router)
    return app


async def _request_log(request: Request, call_next: RequestResponseEndpoint) -> Response:
    """Log each request (route template, status, duration) and turn escaped exceptions into JSON 500s."""
    request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:16]
    started = time.perf_counter()
    try:
        response = await call_next(request)
    except Exception:
        logger.error("unhandled exception", exc_info=True, extra={"request_id": request_id})
        response = internal_error()
    route = request.scope.get("route")
    logger.info(
        "request",
        extra={
            "request_id": request_id,
            "method": request.method,
            "route": getattr(route, "path", "unmatched"),
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    response.headers["X-Request-Id"] = request_id
    return response

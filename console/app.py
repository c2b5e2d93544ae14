"""The console web application: ``create_app(settings)`` builds it (pages, API, static files)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import RequestResponseEndpoint

from common.http_api import internal_error
from console.db import make_engine, session_factory
from console.routes import admin, analytics, api, auth, briefs, complaints, desk, faqs, review, training
from console.routes.deps import PERMISSIONS, can
from console.routes.errors import install_error_handlers
from console.services.accounts import ROLE_LABELS
from console.services.desk_sweeper import IdleHandoffSweeper
from console.services.office_hours import parse
from console.services.rasa_api import RasaApi
from console.settings import ConsoleSettings

HERE = Path(__file__).resolve().parent
logger = logging.getLogger("console")

# Pages are for people at a desk: no framing, no sniffing, no inline scripts from elsewhere.
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _templates(settings: ConsoleSettings) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    tz = ZoneInfo(settings.timezone)

    def local_time(value: datetime | None) -> str:
        """Stored naive UTC -> "23/11/2026 14:05" in the desk's timezone."""
        if value is None:
            return ""
        return value.replace(tzinfo=timezone.utc).astimezone(tz).strftime("%d/%m/%Y %H:%M")

    templates.env.filters["local_time"] = local_time
    # Audit JSON is read by Vietnamese staff: keep letters readable (tojson still escapes <>&').
    templates.env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": True}
    templates.env.globals["role_labels"] = ROLE_LABELS
    templates.env.globals["permissions"] = PERMISSIONS
    templates.env.globals["can"] = can
    return templates


def create_app(settings: ConsoleSettings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """Build the app for ``settings``. ``clock`` (aware datetimes) lets tests freeze office hours.

    Raises :class:`console.services.office_hours.OfficeHoursError` on a bad CONSOLE_OFFICE_HOURS,
    so a typo stops the service at start rather than misinforming citizens."""
    app = FastAPI(
        title="Bảng điều khiển cán bộ: trợ lý ảo dịch vụ công",
        version="1.0.0",
        description='Staff pages and the internal API of the assistant. Errors: `{"error": {"code", "message"}}`.',
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.public_docs else None,
    )
    engine = make_engine(settings.database_url, server=True)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.office_hours = parse(settings.office_hours, settings.timezone)
    app.state.clock = clock or _utc_now
    app.state.templates = _templates(settings)
    install_error_handlers(app)
    app.middleware("http")(_headers_and_errors)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in (
        auth.router,
        faqs.router,
        briefs.router,
        admin.router,
        api.router,
        desk.router,
        complaints.router,
        analytics.router,
        review.router,
        training.router,
    ):
        app.include_router(router)
    sweeper = IdleHandoffSweeper(
        app.state.session_factory,
        lambda: getattr(app.state, "rasa_api", None) or RasaApi(settings.rasa_url, settings.rasa_token),
        settings.handoff_idle_minutes,
    )
    app.add_event_handler("startup", sweeper.start)
    app.add_event_handler("shutdown", sweeper.stop)
    app.state.idle_handoff_sweeper = sweeper
    return app


async def _headers_and_errors(request: Request, call_next: RequestResponseEndpoint) -> Response:
    """Security headers on every answer; pages are never cached (they show personal data)."""
    try:
        response = await call_next(request)
    except Exception:
        logger.error("unhandled exception on %s", request.url.path, exc_info=True)
        response = internal_error(request)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response

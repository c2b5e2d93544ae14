"""Request dependencies: database session, signed-in user with role checks, CSRF, service token.

Permission matrix (who may do what) lives here, in :data:`PERMISSIONS`, so every route states
the permission it needs and the matrix is documented in one place.
"""

# No "from __future__ import annotations": FastAPI must evaluate the closures' Annotated
# parameters (they refer to the local ``permission``), which string annotations would break.

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from common.http_api import service_token_dependency
from console.db import session_scope
from console.models import User, WebSession
from console.routes.errors import LoginRequiredError, PageError
from console.services import sessions

# permission -> roles holding it. Trainers read FAQs (to write training data) but do not change
# what citizens are told; only admins manage accounts and read the audit log.
PERMISSIONS: dict[str, frozenset[str]] = {
    "faq.read": frozenset({"admin", "staff", "trainer"}),
    "faq.edit": frozenset({"admin", "staff"}),
    "faq.publish": frozenset({"admin", "staff"}),
    "users.manage": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),
    "desk.handle": frozenset({"admin", "staff"}),
    "desk.release_any": frozenset({"admin"}),  # hand back a conversation another staff member holds
    "analytics.read": frozenset({"admin", "staff"}),
    # Trainers review conversations, correct labels, train, and activate or roll back models.
    "review.correct": frozenset({"admin", "trainer"}),
    "training.run": frozenset({"admin", "trainer"}),
    # Correcting what the assistant says about a procedure (documents, agency) is a desk decision.
    "brief.edit": frozenset({"admin", "staff"}),
}
FORBIDDEN_MESSAGE = "Bạn không có quyền truy cập trang này. Nếu cần, hãy liên hệ quản trị viên."
CSRF_MESSAGE = "Phiên làm việc của biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại."


def can(user: User | None, permission: str) -> bool:
    return user is not None and user.role in PERMISSIONS[permission]


@dataclass
class Ctx:
    """What a page handler needs: the transaction, the signed-in user and their session."""

    db: Session
    user: User
    web_session: WebSession
    request: Request

    def render(self, template: str, status_code: int = 200, **context: Any) -> Response:
        templates = self.request.app.state.templates
        base = {"user": self.user, "csrf_token": self.web_session.csrf_token}
        return templates.TemplateResponse(self.request, template, {**base, **context}, status_code=status_code)


def get_db(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.session_factory) as session:
        yield session


def current_ctx(request: Request, db: Annotated[Session, Depends(get_db)]) -> Ctx:
    """The signed-in user, or a redirect to the sign-in form."""
    settings = request.app.state.settings
    loaded = sessions.load(db, request.cookies.get(settings.session_cookie_name, ""), settings.session_idle_minutes)
    if loaded is None:
        raise LoginRequiredError()
    ctx = Ctx(db=db, user=loaded[1], web_session=loaded[0], request=request)
    # Plain copies for error pages: a failed request rolls back, which detaches the ORM objects.
    user = ctx.user
    request.state.viewer = SimpleNamespace(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )
    request.state.csrf_token = ctx.web_session.csrf_token
    return ctx


def require(permission: str) -> Callable[..., Ctx]:
    """Dependency: the signed-in user must hold ``permission`` (403 page otherwise)."""

    def dependency(ctx: Annotated[Ctx, Depends(current_ctx)]) -> Ctx:
        if not can(ctx.user, permission):
            raise PageError(403, FORBIDDEN_MESSAGE)
        return ctx

    return dependency


def require_post(permission: str) -> Callable[..., Any]:
    """Dependency for state-changing forms: permission plus the session's CSRF token."""

    async def dependency(request: Request, ctx: Annotated[Ctx, Depends(require(permission))]) -> Ctx:
        form = await request.form()
        if not sessions.csrf_ok(ctx.web_session, str(form.get("csrf_token") or "")):
            raise PageError(403, CSRF_MESSAGE)
        return ctx

    return dependency


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# Only the action server holds the token; an empty configured token disables the API.
require_service_token = service_token_dependency("CONSOLE_SERVICE_TOKEN", "the Rasa action server")


# Route parameter types: ``ctx: FaqEditForm`` reads "signed in, may edit FAQs, valid CSRF token".
DbSession = Annotated[Session, Depends(get_db)]
SignedIn = Annotated[Ctx, Depends(current_ctx)]
SignedInForm = Annotated[Ctx, Depends(require_post("faq.read"))]
FaqReader = Annotated[Ctx, Depends(require("faq.read"))]
FaqEditor = Annotated[Ctx, Depends(require("faq.edit"))]
FaqEditForm = Annotated[Ctx, Depends(require_post("faq.edit"))]
FaqPublishForm = Annotated[Ctx, Depends(require_post("faq.publish"))]
UserAdmin = Annotated[Ctx, Depends(require("users.manage"))]
UserAdminForm = Annotated[Ctx, Depends(require_post("users.manage"))]
AuditReader = Annotated[Ctx, Depends(require("audit.read"))]
DeskUser = Annotated[Ctx, Depends(require("desk.handle"))]
DeskForm = Annotated[Ctx, Depends(require_post("desk.handle"))]
DeskAdminForm = Annotated[Ctx, Depends(require_post("desk.release_any"))]
AnalyticsReader = Annotated[Ctx, Depends(require("analytics.read"))]
BriefEditor = Annotated[Ctx, Depends(require("brief.edit"))]
BriefEditForm = Annotated[Ctx, Depends(require_post("brief.edit"))]

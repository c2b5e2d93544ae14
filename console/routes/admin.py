"""Admin pages: accounts (create, disable, enable) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.models import ROLES, User
from console.routes.deps import AuditReader, Ctx, UserAdmin, UserAdminForm
from console.routes.errors import PageError
from console.services import accounts, audit, sessions
from console.services.accounts import ROLE_LABELS, AccountError
from console.services.passwords import WeakPasswordError

router = APIRouter(prefix="/admin")
PAGE_SIZE = 50
NOTICES = {
    "created": "Đã tạo tài khoản. Hãy trao mật khẩu tạm cho người dùng và nhắc họ đổi ngay.",
    "disabled": "Đã khóa tài khoản và đăng xuất khỏi mọi thiết bị.",
    "enabled": "Đã mở khóa tài khoản.",
}


def _users_page(ctx: Ctx, status_code: int = 200, errors: dict[str, str] | None = None, **extra: object) -> Response:
    return ctx.render(
        "admin/users.html",
        status_code=status_code,
        users=accounts.list_users(ctx.db),
        roles=ROLES,
        role_labels=ROLE_LABELS,
        errors=errors or {},
        values=extra.pop("values", {}),
        notice=extra.pop("notice", ""),
    )


@router.get("/users")
def users(ctx: UserAdmin, notice: str = "") -> Response:
    return _users_page(ctx, notice=NOTICES.get(notice, ""))


@router.post("/users")
async def create_user(request: Request, ctx: UserAdminForm) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in ("username", "display_name", "role")}
    try:
        accounts.create_user(
            ctx.db,
            values["username"],
            str(form.get("password") or ""),
            values["role"],
            values["display_name"],
            actor=ctx.user,
            min_password_length=request.app.state.settings.min_password_length,
        )
    except WeakPasswordError as exc:
        return _users_page(ctx, 400, {"password": str(exc)}, values=values)
    except AccountError as exc:
        field = "role" if "Vai trò" in str(exc) else "username"
        return _users_page(ctx, 400, {field: str(exc)}, values=values)
    return RedirectResponse("/admin/users?notice=created", status_code=303)


def _user_or_404(ctx: Ctx, user_id: int) -> User:
    user = ctx.db.get(User, user_id)
    if user is None:
        raise PageError(404, "Không tìm thấy tài khoản này.")
    return user


@router.post("/users/{user_id}/disable")
def disable(user_id: int, ctx: UserAdminForm) -> Response:
    user = _user_or_404(ctx, user_id)
    try:
        accounts.set_active(ctx.db, user, False, ctx.user)
    except AccountError as exc:
        return _users_page(ctx, 400, {"form": str(exc)})
    sessions.end_all_for(ctx.db, user.id)
    return RedirectResponse("/admin/users?notice=disabled", status_code=303)


@router.post("/users/{user_id}/enable")
def enable(user_id: int, ctx: UserAdminForm) -> Response:
    accounts.set_active(ctx.db, _user_or_404(ctx, user_id), True, ctx.user)
    return RedirectResponse("/admin/users?notice=enabled", status_code=303)


@router.get("/audit")
def audit_log(ctx: AuditReader, page: int = 1, entity: str = "") -> Response:
    page = max(1, min(page, 10_000))
    entity = entity if entity in ("faq", "user", "brief") else ""
    entries, total = audit.recent(ctx.db, PAGE_SIZE, (page - 1) * PAGE_SIZE, entity)
    return ctx.render(
        "admin/audit.html",
        entries=entries,
        page=page,
        entity=entity,
        has_next=page * PAGE_SIZE < total,
        total=total,
    )

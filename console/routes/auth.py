"""Sign-in, sign-out, own password change, and /health.

The sign-in form has no session yet, so its CSRF protection is a double-submit token: a random
value in a short-lived cookie that the form must echo (stops other sites logging a desk into an
attacker's account). The session id is rotated at every sign-in (no session fixation).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from console.routes.deps import CSRF_MESSAGE, DbSession, SignedIn, SignedInForm, client_address
from console.services import accounts, audit, sessions
from console.services.passwords import WeakPasswordError, check_strength, hash_password, verify_password

router = APIRouter()
LOGIN_CSRF_COOKIE = "console_login_csrf"
BAD_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."


def _safe_next(target: str) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/faqs"


def _login_page(request: Request, next_url: str, error: str = "", username: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    context = {"next": _safe_next(next_url), "error": error, "username": username, "login_csrf": token, "user": None}
    response = request.app.state.templates.TemplateResponse(request, "login.html", context, status_code=status)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
        path="/login",
    )
    return response


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/faqs", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/faqs") -> Response:
    return _login_page(request, next)


@router.post("/login")
def login(
    request: Request,
    db: DbSession,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/faqs"),
) -> Response:
    cookie_token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not cookie_token or not hmac.compare_digest(cookie_token.encode(), csrf_token.encode()):
        return _login_page(request, next, CSRF_MESSAGE, username, status=403)
    settings = request.app.state.settings
    throttle = accounts.Throttle(settings.login_max_failures, settings.login_window_seconds)
    try:
        user = accounts.authenticate(db, username, password, client_address(request), throttle)
    except accounts.ThrottledError as exc:
        return _login_page(request, next, exc.message, username, status=429)
    if user is None:
        return _login_page(request, next, BAD_CREDENTIALS, username, status=401)
    sessions.purge_expired(db, settings.session_idle_minutes)
    session_id, _row = sessions.start(db, user)
    audit.record(db, user, "user.login", "user", user.id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        settings.session_cookie_name,
        session_id,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, ctx: SignedInForm) -> Response:
    settings = request.app.state.settings
    sessions.end(ctx.db, request.cookies.get(settings.session_cookie_name, ""))
    audit.record(ctx.db, ctx.user, "user.logout", "user", ctx.user.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(settings.session_cookie_name, path="/")
    return response


@router.get("/account/password")
def password_form(ctx: SignedIn) -> Response:
    return ctx.render("password.html", errors={}, notice="")


@router.post("/account/password")
async def change_password(request: Request, ctx: SignedIn) -> Response:
    """Any signed-in user changes their own password (admins hand out temporary ones)."""
    form = await request.form()
    if not sessions.csrf_ok(ctx.web_session, str(form.get("csrf_token") or "")):
        return ctx.render("password.html", status_code=403, errors={"form": CSRF_MESSAGE}, notice="")
    current, new, again = (str(form.get(name) or "") for name in ("current", "new", "again"))
    errors: dict[str, str] = {}
    if not verify_password(current, ctx.user.password_hash):
        errors["current"] = "Mật khẩu hiện tại không đúng."
    elif new != again:
        errors["again"] = "Hai lần nhập mật khẩu mới không khớp."
    else:
        try:
            check_strength(new, ctx.user.username, request.app.state.settings.min_password_length)
        except WeakPasswordError as exc:
            errors["new"] = str(exc)
    if errors:
        return ctx.render("password.html", status_code=400, errors=errors, notice="")
    ctx.user.password_hash = hash_password(new)
    audit.record(ctx.db, ctx.user, "user.password_change", "user", ctx.user.id)
    return ctx.render("password.html", errors={}, notice="Đã đổi mật khẩu.")

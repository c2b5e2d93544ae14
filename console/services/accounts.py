"""Accounts: creation, sign-in with throttling, enabling and disabling.

Throttling counts failed sign-ins per (username, client address) in a sliding window, so one
person mistyping at a shared desk does not lock colleagues out, while guessing one account's
password from one machine stops after a few tries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from common.text.normalize import normalize_text
from console.models import ROLES, LoginFailure, User, utcnow
from console.services import audit
from console.services.passwords import burn_time, check_strength, hash_password, verify_password

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
ROLE_LABELS = {"admin": "Quản trị viên", "staff": "Cán bộ một cửa", "trainer": "Người huấn luyện"}


class AccountError(ValueError):
    """A refused account operation; the message is Vietnamese."""


class ThrottledError(Exception):
    """Too many failed sign-ins for this account from this address."""

    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes

    @property
    def message(self) -> str:
        return (
            "Bạn đã nhập sai quá nhiều lần. Vì lý do an toàn, vui lòng thử lại sau "
            f"{self.minutes} phút hoặc liên hệ quản trị viên."
        )


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 5
    window_seconds: int = 900


def normalize_username(username: str) -> str:
    return username.strip().lower()


def get_by_username(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == normalize_username(username))).scalar_one_or_none()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    actor: User | None = None,
    min_password_length: int = 12,
) -> User:
    """Create an active account after checking the name, the role and the password strength."""
    username = normalize_username(username)
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Tên đăng nhập gồm 3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."
        )
    if role not in ROLES:
        raise AccountError("Vai trò không hợp lệ.")
    if get_by_username(session, username) is not None:
        raise AccountError("Tên đăng nhập này đã tồn tại.")
    check_strength(password, username, min_password_length)
    user = User(
        username=username,
        display_name=normalize_text(display_name.strip())[:120] or username,
        role=role,
        password_hash=hash_password(password),
        active=True,
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, None, audit.user_snapshot(user))
    return user


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    """Enable or disable an account; disabling also ends its sessions (see ``sessions.end_all_for``)."""
    if user.id == actor.id and not active:
        raise AccountError("Bạn không thể tự khóa tài khoản của mình.")
    before = audit.user_snapshot(user)
    user.active = active
    audit.record(
        session, actor, "user.enable" if active else "user.disable", "user", user.id, before, audit.user_snapshot(user)
    )


def list_users(session: Session) -> list[User]:
    return list(session.execute(select(User).order_by(User.username)).scalars().all())


def _failures(session: Session, username: str, client: str, since: datetime) -> int:
    query = select(func.count(LoginFailure.id)).where(
        LoginFailure.username == username, LoginFailure.client == client, LoginFailure.at >= since
    )
    return int(session.execute(query).scalar_one())


def authenticate(
    session: Session,
    username: str,
    password: str,
    client: str,
    throttle: Throttle,
    now: datetime | None = None,
) -> User | None:
    """The active user for these credentials, None when they are wrong.

    Raises :class:`ThrottledError` before checking the password once the window holds too many
    failures, so a correct guess after the limit is refused too.
    """
    now = now or utcnow()
    username = normalize_username(username)[:64]
    client = client[:64]
    since = now - timedelta(seconds=throttle.window_seconds)
    if _failures(session, username, client, since) >= throttle.max_failures:
        raise ThrottledError(max(1, throttle.window_seconds // 60))
    user = get_by_username(session, username)
    if user is None or not user.active:
        burn_time(password)
        ok = False
    else:
        ok = verify_password(password, user.password_hash)
    if not ok:
        # Failures outside the window no longer count; dropping them keeps the table small.
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.username == username, LoginFailure.client == client, LoginFailure.at < since
            )
        )
        session.add(LoginFailure(username=username, client=client, at=now))
        session.flush()
        return None
    session.execute(delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.client == client))
    user.last_login_at = now
    return user

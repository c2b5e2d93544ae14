"""Server-side sessions: the browser holds a random id, the database holds its hash and the
CSRF token (synchronizer pattern: one token per session, checked on every state-changing form)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.models import User, WebSession, utcnow


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start(session: Session, user: User, now: datetime | None = None) -> tuple[str, WebSession]:
    """Open a session for ``user``; returns the cookie value (shown once, never stored) and the row."""
    session_id = secrets.token_urlsafe(32)
    now = now or utcnow()
    row = WebSession(
        id_hash=_hash(session_id),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    return session_id, row


def load(
    session: Session, session_id: str, idle_minutes: int, now: datetime | None = None
) -> tuple[WebSession, User] | None:
    """The live session and its active user, refreshing its idle timer; None when expired or unknown."""
    if not session_id or len(session_id) > 128:
        return None
    now = now or utcnow()
    row = session.get(WebSession, _hash(session_id))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active or row.last_seen_at < now - timedelta(minutes=idle_minutes):
        session.delete(row)
        return None
    # Writing on every request would serialise SQLite; a minute of precision is enough.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row, user


def end(session: Session, session_id: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_hash == _hash(session_id)))


def end_all_for(session: Session, user_id: int) -> None:
    """Sign a user out everywhere (used when an admin disables the account)."""
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def csrf_ok(row: WebSession, presented: str | None) -> bool:
    """Constant-time check of the form's token against the session's."""
    return bool(presented) and hmac.compare_digest(str(presented).encode("utf-8"), row.csrf_token.encode("utf-8"))


def purge_expired(session: Session, idle_minutes: int, now: datetime | None = None) -> int:
    """Delete sessions idle for longer than the limit; returns how many."""
    cutoff = (now or utcnow()) - timedelta(minutes=idle_minutes)
    ids = session.execute(select(WebSession.id_hash).where(WebSession.last_seen_at < cutoff)).scalars().all()
    if ids:
        session.execute(delete(WebSession).where(WebSession.id_hash.in_(ids)))
    return len(ids)

"""The audit log: every change made through the console or its commands leaves one entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.models import AuditEntry, Faq, User


def faq_snapshot(faq: Faq) -> dict[str, Any]:
    """The FAQ fields a reviewer needs to see what changed."""
    return {
        "key": faq.key,
        "title": faq.title,
        "questions": list(faq.questions or []),
        "answer": faq.answer,
        "tags": list(faq.tags or []),
        "status": faq.status,
    }


def user_snapshot(user: User) -> dict[str, Any]:
    """Account fields without the password hash (a hash in the log would be a second copy to protect)."""
    return {"username": user.username, "display_name": user.display_name, "role": user.role, "active": user.active}


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    """Add an audit entry in the caller's transaction, so the change and its record commit together."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else "system",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        note=note,
    )
    session.add(entry)
    return entry


def recent(session: Session, limit: int = 50, offset: int = 0, entity_type: str = "") -> tuple[list[AuditEntry], int]:
    """Newest entries first, with the total count for paging."""
    query = select(AuditEntry)
    count = select(func.count(AuditEntry.id))
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
        count = count.where(AuditEntry.entity_type == entity_type)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).scalars().all()
    return list(rows), int(session.execute(count).scalar_one())

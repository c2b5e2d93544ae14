"""Declarative base shared by all console tables, and the clock they use."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    """Naive UTC: stored the same way by SQLite and PostgreSQL; shown in local time by the templates."""
    return datetime.now(timezone.utc).replace(tzinfo=None)

"""Database of the staff console: shared engine helpers plus the console's schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.sql import make_engine, session_factory, session_scope
from console.models.base import Base

__all__ = ["create_schema", "make_engine", "session_factory", "session_scope"]


def create_schema(engine: Engine) -> None:
    """Create every console table (idempotent)."""
    import console.models  # noqa: F401 - registers the tables on Base.metadata

    Base.metadata.create_all(engine)

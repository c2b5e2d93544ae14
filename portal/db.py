"""Database of the portal service: shared engine helpers plus the portal's schema."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from common.sql import make_engine, session_factory, session_scope
from portal.models.base import Base

__all__ = ["create_schema", "make_engine", "session_factory", "session_scope"]


def create_schema(engine: Engine) -> None:
    """Create every table of the portal (idempotent)."""
    import portal.models  # noqa: F401 - registers the tables on Base.metadata

    Base.metadata.create_all(engine)

"""Database of the staff console: shared engine helpers plus the console's schema."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine

from common.sql import make_engine, session_factory, session_scope
from console.models.base import Base
from console.models.training import ONE_ACTIVE_RUN_INDEX

__all__ = ["create_schema", "make_engine", "session_factory", "session_scope"]


def create_schema(engine: Engine) -> None:
    """Create every console table (idempotent)."""
    import console.models  # noqa: F401 - registers the tables on Base.metadata

    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(text(ONE_ACTIVE_RUN_INDEX))

"""SQLAlchemy engines and transactions shared by the portal service and the staff console.

SQLite is the embedded default (one file under ``var/``), PostgreSQL the production database;
both services open them the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

# SQLite connections a server keeps open between requests (more are opened, and closed, on demand).
SQLITE_KEPT_CONNECTIONS = 8


def make_engine(url: str, *, server: bool = False) -> Engine:
    """Create an engine; SQLite gets its folder, WAL, foreign keys and a busy timeout.

    ``server``: the engine of a long-running service. SQLAlchemy 1.4 opens (and sets up) a new
    SQLite connection for every session of a file database and closes it afterwards; a server keeps
    a few open instead: opening one and its pragmas were a tenth of the portal's CPU under load
    (py-spy). One-shot commands and tests keep the default, which holds no file open.
    """
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        pooling = {"poolclass": QueuePool, "pool_size": SQLITE_KEPT_CONNECTIONS, "max_overflow": -1} if server else {}
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False}, **pooling)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def session_factory(engine: Engine) -> sessionmaker:
    """Sessions whose objects stay readable after commit (services return them to routes)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """A transaction: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()

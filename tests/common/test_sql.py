"""The engines of common/sql.py: SQLite set up the same way for servers and one-shot commands, and a
server reusing its connections instead of opening (and setting up) one per request."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import event, text

from common.sql import make_engine, session_factory, session_scope


def _connections_opened(engine) -> list[int]:
    opened: list[int] = []
    event.listen(engine, "connect", lambda *_: opened.append(1))
    return opened


def test_a_server_engine_reuses_its_sqlite_connections(tmp_path: Path) -> None:
    """Many sessions, one after another, cost one connection: the pragmas run once."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}", server=True)
    opened = _connections_opened(engine)
    factory = session_factory(engine)
    for _ in range(20):
        with session_scope(factory) as session:
            assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert len(opened) == 1


def test_a_server_engine_serves_more_threads_than_it_keeps_connections(tmp_path: Path) -> None:
    """Beyond the connections kept open, requests get a new one instead of waiting for a free one."""
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}", server=True)
    factory = session_factory(engine)
    inside, release = threading.Barrier(20, timeout=10), threading.Event()
    errors: list[BaseException] = []

    def request() -> None:
        try:
            with session_scope(factory) as session:
                session.execute(text("SELECT 1"))
                inside.wait()  # all twenty hold a connection at once
                release.wait(10)
        except BaseException as error:  # reported below, from the main thread
            errors.append(error)

    threads = [threading.Thread(target=request) for _ in range(20)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(15)
    assert errors == []


def test_a_command_engine_holds_no_file_open(tmp_path: Path) -> None:
    """One-shot commands and tests open a connection per session and close it afterwards."""
    engine = make_engine(f"sqlite:///{tmp_path / 'command.db'}")
    opened = _connections_opened(engine)
    factory = session_factory(engine)
    for _ in range(3):
        with session_scope(factory) as session:
            session.execute(text("SELECT 1"))
    assert len(opened) == 3
    assert engine.pool.status() == "NullPool"

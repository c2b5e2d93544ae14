"""Nothing a citizen sends to the staff is lost when the console is down.

A complaint or a handoff request the console cannot take right now is written to an outbox table
(``ACTIONS_OUTBOX_URL``: a SQLite file next to the other databases by default, PostgreSQL shared by
the action servers in production) and the citizen is told it was received. A background thread of
the action server retries every ``ACTIONS_OUTBOX_RETRY_SECONDS``, oldest first, and deletes an entry
only after the console accepted it. Delivery is at least once: a request the console took while its
answer was lost may arrive twice (a handoff is de-duplicated by the console per conversation).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, delete, func, insert, select, update
from sqlalchemy.engine import Engine

from actions.console_client import ConsoleClient, ConsoleError, shared_console_client
from actions.per_process import PerProcess
from actions.settings import get_settings
from common.sql import make_engine

logger = logging.getLogger(__name__)

COMPLAINT = "complaint"
HANDOFF = "handoff"
MAX_BACKOFF_SECONDS = 600.0

metadata = MetaData()
outbox_table = Table(
    "actions_outbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("payload", Text, nullable=False),  # masked: only what the console would have stored
    Column("created_at", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", String(64), nullable=False, default=""),
)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _send(client: ConsoleClient, kind: str, payload: dict[str, Any]) -> None:
    if kind == COMPLAINT:
        client.create_complaint(**payload)
    elif kind == HANDOFF:
        client.create_handoff(**payload)
    else:
        raise ValueError(f"unknown outbox entry kind {kind!r}")


class ConsoleOutbox:
    """The outbox table and its retry thread (one per action-server process)."""

    def __init__(self, engine: Engine, retry_seconds: float, client: Callable[[], ConsoleClient]) -> None:
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._client = client
        metadata.create_all(engine)
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, kind: str, payload: dict[str, Any]) -> int:
        """Keep ``payload`` for the console; the retry thread delivers it."""
        now = _now()
        with self.engine.begin() as connection:
            entry_id = connection.execute(
                insert(outbox_table).values(
                    kind=kind, payload=json.dumps(payload, ensure_ascii=False), created_at=now, next_attempt_at=now
                )
            ).inserted_primary_key[0]
        logger.warning("outbox.kept kind=%s id=%s (console unreachable)", kind, entry_id)
        self.start()
        return int(entry_id)

    def pending(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(outbox_table)).scalar_one())

    def flush(self) -> int:
        """Deliver due entries, oldest first; stop at the first failure (the console is still down)."""
        delivered = 0
        with self._lock:
            with self.engine.connect() as connection:
                due = connection.execute(
                    select(outbox_table).where(outbox_table.c.next_attempt_at <= _now()).order_by(outbox_table.c.id)
                ).all()
            for row in due:
                try:
                    _send(self._client(), row.kind, json.loads(row.payload))
                except ConsoleError as error:
                    self._postpone(row.id, row.attempts + 1, type(error).__name__)
                    break
                with self.engine.begin() as connection:
                    connection.execute(delete(outbox_table).where(outbox_table.c.id == row.id))
                delivered += 1
        if delivered:
            logger.info("outbox.delivered count=%d", delivered)
        return delivered

    def _postpone(self, entry_id: int, attempts: int, error: str) -> None:
        wait = min(MAX_BACKOFF_SECONDS, self.retry_seconds * 2 ** min(attempts - 1, 6))
        with self.engine.begin() as connection:
            connection.execute(
                update(outbox_table)
                .where(outbox_table.c.id == entry_id)
                .values(attempts=attempts, last_error=error, next_attempt_at=_now() + timedelta(seconds=wait))
            )

    def start(self) -> None:
        """Start the retry thread once."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="console-outbox", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            self._wake.wait(self.retry_seconds)
            self._wake.clear()
            try:
                self.flush()
            except Exception as error:  # a database hiccup: the next round tries again
                logger.warning("outbox.flush_failed error=%s", type(error).__name__)


def _open_outbox() -> ConsoleOutbox:
    settings = get_settings()
    outbox = ConsoleOutbox(make_engine(settings.outbox_url), settings.outbox_retry_seconds, shared_console_client)
    if outbox.pending():  # left by a previous run of this action server
        outbox.start()
    return outbox


_SHARED = PerProcess(_open_outbox)


def shared_outbox() -> ConsoleOutbox:
    """The process's outbox (created on first use, with its retry thread)."""
    return _SHARED.get()


def resume_pending() -> None:
    """At action-server start: deliver what a previous run kept (without creating an empty outbox)."""
    url = get_settings().outbox_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return
    shared_outbox()


def reset_shared_outbox() -> None:
    """Forget the process's outbox (tests that change the environment)."""
    _SHARED.reset()

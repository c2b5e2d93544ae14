"""Rasa's SQL tracker store without the per-turn work that grows with the conversation.

Rasa's ``SQLTrackerStore`` reads and JSON-decodes every event of the current session on each turn,
counts them again to find what to append, and, with an event broker, retrieves the whole tracker a
second time to know what to publish. This subclass keeps, per conversation, the events of the
current session it has already read or written (a bounded LRU) and asks the database only for
what it does not know:

* a cheap check that its copy is still whole (the number of the conversation's rows up to the
  last row it knows; a retention job or another server deleting rows makes it reload);
* the rows with a higher id (written by another Rasa server after a failover, or none).

Rows are selected exactly as Rasa selects them: every row of the sender whose timestamp is not
before the latest ``session_started`` event, in id order. On SQLite (the embedded default) the
file is put in WAL mode with ``synchronous=NORMAL``: a commit no longer waits for an fsync of the
whole journal, readers (the staff console) never block the writer.

The cached events are handed to each new tracker as they are (Rasa appends to a tracker, it does
not change the events already in it); the tracker is a copy of one kept per conversation, to which
only the events stored since the previous turn are applied. Memory: at most ``cache_size``
conversations' current sessions (``cache_size`` in the endpoints file, default 500; roughly 10-20
KB a turn in memory).

**A database restart is waited out.** Rasa's store has no answer to PostgreSQL going away: the
pooled connections die with the server, and every turn fails while it is down. Here a read or a
save that fails for want of a connection (``OperationalError``, or any error that invalidated its
connection) is tried again with a fresh connection, for up to ``db_retry_seconds`` (endpoints file,
default 10), the event loop free meanwhile: a restart of a few seconds costs the turns in flight
some latency, not the conversation. Saving again is safe even when the lost connection had
committed: the retry first reads the rows stored since, so nothing is written twice.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import tracker_history
from common.tracker_rows import decode_event

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 500
DEFAULT_DB_RETRY_SECONDS = 10.0
FIRST_RETRY_DELAY_S = 0.1
MAX_RETRY_DELAY_S = 1.0
T = TypeVar("T")


@dataclass
class _Row:
    id: int
    timestamp: float | None
    type_name: str
    event: Event


@dataclass
class _Conversation:
    """What this process knows of one sender's rows."""

    last_id: int = 0  # highest row id seen
    seen: int = 0  # rows of the sender with id <= last_id
    session_start: float | None = None  # latest session_started timestamp
    rows: list[_Row] = field(default_factory=list)  # the current session, as Rasa's query selects it
    # The tracker the last retrieve built from these rows, and the domain it was built for.
    replayed: tuple[Any, DialogueStateTracker] | None = None

    def add(self, row: _Row) -> None:
        self.last_id = max(self.last_id, row.id)
        self.seen += 1
        self.rows.append(row)
        if row.type_name == SessionStarted.type_name and row.timestamp is not None:
            if self.session_start is None or row.timestamp > self.session_start:
                self.session_start = row.timestamp
                self.rows = [r for r in self.rows if r.timestamp is not None and r.timestamp >= row.timestamp]
        elif self.session_start is not None and (row.timestamp is None or row.timestamp < self.session_start):
            self.rows.pop()  # before the current session: Rasa's query would not select it


@dataclass(frozen=True)
class _Statements:
    """The store's statements, built once per store: Core, not ORM queries, so SQLAlchemy compiles
    each once and a turn does not pay the ORM's per-query and per-object bookkeeping."""

    count: Any  # rows of a sender up to an id (the check that none were deleted)
    newer: Any  # rows of a sender after an id, in order
    insert: Any

    @classmethod
    def for_table(cls, table: sa.Table) -> _Statements:
        sender, last_id = sa.bindparam("sender_id"), sa.bindparam("last_id")
        return cls(
            count=sa.select(sa.func.count(table.c.id)).where(table.c.sender_id == sender, table.c.id <= last_id),
            newer=sa.select(table.c.id, table.c.timestamp, table.c.type_name, table.c.data)
            .where(table.c.sender_id == sender, table.c.id > last_id)
            .order_by(table.c.id),
            insert=table.insert(),
        )


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reads each stored event once per process (see the module doc)."""

    def __init__(
        self,
        domain: Any = None,
        cache_size: int = DEFAULT_CACHE_SIZE,
        db_retry_seconds: float = DEFAULT_DB_RETRY_SECONDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, **kwargs)
        self._cache_size = int(cache_size)
        self._db_retry_seconds = float(db_retry_seconds)
        self._conversations: OrderedDict[str, _Conversation] = OrderedDict()
        self._statements = _Statements.for_table(self.SQLEvent.__table__)
        if self.engine.dialect.name == "sqlite":
            self._use_pooled_sqlite()

    def _use_pooled_sqlite(self) -> None:
        """SQLAlchemy 1.4 opens and closes a SQLite file per session (NullPool); closing the last
        connection checkpoints and deletes the WAL, an fsync per turn. Keep connections open."""
        self.engine.dispose()
        self.engine = sa.create_engine(
            self.engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
        )
        sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        with self.engine.connect() as connection:  # WAL is a property of the file: set it once
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def _conversation(self, connection: Any, sender_id: str, check: bool = True) -> _Conversation:
        """This process's copy of ``sender_id``'s current session, brought up to date; ``check``
        first verifies that none of the rows it knows were deleted."""
        known = self._conversations.pop(sender_id, None)
        if known is not None and check:
            params = {"sender_id": sender_id, "last_id": known.last_id}
            seen = connection.execute(self._statements.count, params).scalar()
            if seen != known.seen:  # rows deleted or replaced elsewhere: start again
                known = None
        conversation = known or _Conversation()
        params = {"sender_id": sender_id, "last_id": conversation.last_id}
        for row in connection.execute(self._statements.newer, params):
            for event in deserialise_events([decode_event(row.data)]):  # none when Rasa cannot read it
                conversation.add(_Row(row.id, row.timestamp, row.type_name, event))
        self._conversations[sender_id] = conversation
        while len(self._conversations) > self._cache_size:
            self._conversations.popitem(last=False)
        return conversation

    async def _until_connected(self, operation: Callable[[], Awaitable[T]]) -> T:
        """``await operation()``, again while the database cannot be reached (see the module doc)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._db_retry_seconds
        delay = FIRST_RETRY_DELAY_S
        while True:
            try:
                return await operation()
            except sa.exc.DBAPIError as error:
                connection_lost = isinstance(error, sa.exc.OperationalError) or error.connection_invalidated
                if not connection_lost or loop.time() + delay > deadline:
                    raise
                reason = type(error.orig).__name__
                logger.warning("tracker_store.db_unavailable retry_in_s=%.1f error=%s", delay, reason)
                await asyncio.sleep(delay)
                delay = min(2 * delay, MAX_RETRY_DELAY_S)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The tracker of the latest session, as ``SQLTrackerStore.retrieve`` returns it."""

        async def read() -> tuple[_Conversation, list[_Row]]:
            with self.session_scope() as session:
                conversation = self._conversation(session.connection(), sender_id)
                return conversation, list(conversation.rows)

        conversation, rows = await self._until_connected(read)
        if not self.domain or not rows:
            return None
        return self._replay(sender_id, conversation, [row.event for row in rows])

    def _replay(self, sender_id: str, conversation: _Conversation, events: list[Event]) -> DialogueStateTracker:
        """``DialogueStateTracker.from_events(sender_id, events, slots)``, continuing the tracker the
        previous retrieve built when its events begin these ones (the usual case: the last turn's
        events are new), instead of replaying the whole session every turn."""
        known = conversation.replayed[1] if conversation.replayed and conversation.replayed[0] is self.domain else None
        if known is None or not tracker_history.starts_with(events, known.events):
            known = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        else:
            for event in events[len(known.events) :]:
                known.update(event)
        known.applied_events()  # extended by the new events only, and handed on with the copy
        conversation.replayed = (self.domain, known)
        return known.copy()  # the turn edits its own

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.save_events(tracker.sender_id, tracker.events)

    async def save_events(self, sender_id: str, events: Iterable[Event]) -> None:
        """Append the events after the ones already stored for the current session (as
        ``SQLTrackerStore.save`` does) and publish them to the event broker, if any."""
        events = list(events)
        await self._until_connected(lambda: self._append(sender_id, events))

    async def _append(self, sender_id: str, events: list[Event]) -> None:
        with self.session_scope() as session:
            connection = session.connection()
            # The turn's retrieve checked for deleted rows moments ago, under the conversation's lock.
            conversation = self._conversation(connection, sender_id, check=False)
            new_events = list(itertools.islice(events, len(conversation.rows), None))
            if self.event_broker is not None:
                await self._stream_new_events(self.event_broker, new_events, sender_id)
            rows = []
            for event in new_events:
                data = event.as_dict()
                values = {
                    "sender_id": sender_id,
                    "type_name": event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
                row_id = connection.execute(self._statements.insert, values).inserted_primary_key[0]
                rows.append(_Row(row_id, values["timestamp"], event.type_name, event))
            session.commit()
        for row in rows:
            conversation.add(row)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

"""CachedSQLTrackerStore returns what Rasa's SQLTrackerStore returns from the same database, turn
after turn and across sessions, while reading each stored event once; it notices rows written by
another server and rows deleted behind its back."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.core.brokers.file import FileEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.stores.masking_tracker_store import MaskingTrackerStore
from bot.stores.sql_tracker_store import CachedSQLTrackerStore
from tests.missing import missing

DOMAIN = Domain.from_dict(
    {
        "intents": ["ask_fee", "inform"],
        "slots": {
            "procedure": {"type": "text", "mappings": [{"type": "custom"}]},
            "verification_factor": {"type": "text", "mappings": [{"type": "custom"}]},
        },
    }
)
SENDER = "web:citizen-1"
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_config(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Tracker store settings on SQLite, then on a throwaway database of the machine's PostgreSQL
    (created through Rasa's ``login_db``, dropped afterwards)."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
        return
    server = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        server.connect().close()
    except sa.exc.OperationalError as error:
        missing(f"PostgreSQL does not answer at {POSTGRES_SERVER}: {error}")
    name = f"tracker_store_test_{uuid.uuid4().hex[:10]}"
    config = {"dialect": "postgresql", "host": "127.0.0.1", "port": 5432, "username": "postgres"}
    yield {**config, "db": name, "login_db": "test"}
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


def turn(text: str, stamp: float) -> list:
    return [
        UserUttered(text, {"name": "ask_fee", "confidence": 0.9}, timestamp=stamp),
        SlotSet("procedure", f"p-{stamp}", timestamp=stamp + 0.1),
        BotUttered(f"Lệ phí {stamp}", timestamp=stamp + 0.2),
        ActionExecuted("action_listen", timestamp=stamp + 0.3),
    ]


def session_start(stamp: float) -> list:
    return [
        ActionExecuted("action_session_start", timestamp=stamp),
        SessionStarted(timestamp=stamp + 0.01),
        ActionExecuted("action_listen", timestamp=stamp + 0.02),
    ]


def as_dicts(tracker: DialogueStateTracker | None) -> list[dict]:
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def state_of(tracker: DialogueStateTracker | None) -> dict:
    """The tracker's state (slots, latest message and action, loop, events), as Rasa serializes it."""
    assert tracker is not None
    return tracker.current_state(EventVerbosity.ALL)


async def add_turn(store, stamp: float, text: str = "lệ phí bao nhiêu") -> None:
    """What Rasa's processor does in a turn: retrieve, append events, save."""
    tracker = await store.retrieve(SENDER) or DialogueStateTracker(SENDER, DOMAIN.slots)
    for event in turn(text, stamp):
        tracker.update(event)
    await store.save(tracker)


def test_same_trackers_as_rasa_turn_after_turn_and_across_sessions(store_config: dict[str, Any]) -> None:
    """After every save, including a new session, both stores read the same events from one database."""
    cached = CachedSQLTrackerStore(DOMAIN, **store_config)
    rasa = SQLTrackerStore(DOMAIN, **store_config)

    async def scenario() -> None:
        first = DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots)
        await cached.save(first)
        for stamp in (2.0, 3.0, 4.0):
            await add_turn(cached, stamp)
            assert as_dicts(await cached.retrieve(SENDER)) == as_dicts(await rasa.retrieve(SENDER))
            assert state_of(await cached.retrieve(SENDER)) == state_of(await rasa.retrieve(SENDER))
        tracker = await cached.retrieve(SENDER)
        for event in session_start(10.0) + turn("xin chào", 11.0):
            tracker.update(event)
        await cached.save(tracker)
        again = as_dicts(await cached.retrieve(SENDER))
        assert again == as_dicts(await rasa.retrieve(SENDER))
        assert state_of(await cached.retrieve(SENDER)) == state_of(await rasa.retrieve(SENDER))
        assert again[0]["event"] == "session_started"  # only the new session
        assert len(again) == 2 + 4
        full = await rasa.retrieve_full_tracker(SENDER)
        assert len(full.events) == 3 + 3 * 4 + 3 + 4  # nothing lost, nothing doubled

    asyncio.run(scenario())
    for store in (cached, rasa):
        store.engine.dispose()


def test_a_turn_replays_only_the_events_stored_since_the_last_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tracker a turn gets continues from the one the previous turn got: only the events stored
    since are replayed (replaying the whole session grew with the conversation), and the tracker the
    turn edits is not the remembered one."""
    store = CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    rasa = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))

    async def scenario() -> int:
        await store.save(DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots))
        for stamp in range(2, 12):
            await add_turn(store, float(stamp))
        replayed: list[int] = []
        update = DialogueStateTracker.update
        monkeypatch.setattr(DialogueStateTracker, "update", lambda *a, **k: replayed.append(1) or update(*a, **k))
        await add_turn(store, 12.0)
        tracker = await store.retrieve(SENDER)
        monkeypatch.undo()
        assert state_of(tracker) == state_of(await rasa.retrieve(SENDER))
        tracker.update(SlotSet("procedure", "edited by the turn"))
        assert (await store.retrieve(SENDER)).get_slot("procedure") == "p-12.0"
        return len(replayed)

    replayed = asyncio.run(scenario())
    for each in (store, rasa):
        each.engine.dispose()
    # Each retrieve replays the turn stored before it (the whole session is 47 events here); the turn
    # adds its own: three turns' worth.
    assert replayed == 3 * len(turn("", 0.0))


def test_rows_written_by_another_server_are_read(store_config: dict[str, Any]) -> None:
    """A conversation that moved to another Rasa server and back (failover) continues from the
    other server's events, and this server appends after them."""
    here, there = (CachedSQLTrackerStore(DOMAIN, **store_config) for _ in range(2))
    rasa = SQLTrackerStore(DOMAIN, **store_config)

    async def scenario() -> list[dict]:
        await here.save(DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots))
        await add_turn(here, 2.0)
        await add_turn(there, 3.0, "nộp ở đâu")
        await add_turn(here, 4.0)
        return as_dicts(await rasa.retrieve(SENDER))

    events = asyncio.run(scenario())
    for store in (here, there, rasa):
        store.engine.dispose()
    texts = [event.get("text") for event in events if event["event"] == "user"]
    assert texts == ["lệ phí bao nhiêu", "nộp ở đâu", "lệ phí bao nhiêu"]


def test_rows_deleted_behind_its_back_are_not_served_from_memory(tmp_path: Path) -> None:
    """A retention job deleting a conversation's rows: the next retrieve reads the database again."""
    db = tmp_path / "tracker.db"
    store = CachedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(db))

    async def scenario() -> DialogueStateTracker | None:
        await store.save(DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots))
        await add_turn(store, 2.0)
        assert await store.retrieve(SENDER) is not None
        with sqlite3.connect(db) as connection:
            connection.execute("DELETE FROM events WHERE sender_id = ?", (SENDER,))
        return await store.retrieve(SENDER)

    assert asyncio.run(scenario()) is None


def test_masking_store_on_the_cached_store_masks_every_turn(tmp_path: Path) -> None:
    """Through endpoints-style configuration: a factor typed at turn 3 never reaches the file,
    events read back stay as stored, and the tracker holds each event once."""
    db = tmp_path / "tracker.db"
    wrapped = {"type": "bot.stores.sql_tracker_store.CachedSQLTrackerStore", "dialect": "sqlite", "db": str(db)}
    store = MaskingTrackerStore(DOMAIN, wrapped=wrapped)
    assert isinstance(store._inner, CachedSQLTrackerStore)

    async def scenario() -> DialogueStateTracker | None:
        await store.save(DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots))
        await add_turn(store, 2.0)
        await add_turn(store, 3.0, "số cccd của tôi là 079123456789")
        tracker = await store.retrieve(SENDER)
        tracker.update(SlotSet("verification_factor", "079123456789", timestamp=4.0))
        await store.save(tracker)
        await add_turn(store, 5.0)
        return await store.retrieve(SENDER)

    restored = asyncio.run(scenario())
    assert restored.get_slot("verification_factor") == "07**********"
    assert [e.text for e in restored.events if isinstance(e, UserUttered)][1] == "số cccd của tôi là 07**********"
    assert len(restored.events) == 2 + 3 * 4 + 1
    files = list(tmp_path.glob("tracker.db*"))  # the database and its WAL, if not checkpointed yet
    assert db in files
    assert all(b"079123456789" not in path.read_bytes() for path in files)


def test_every_stored_event_is_published_once(store_config: dict[str, Any], tmp_path: Path) -> None:
    """With an event broker (Rasa's file broker here), each event written is published exactly once,
    in order, turn after turn: what the broker consumes is what the store holds."""
    log = tmp_path / "events.log"
    broker = FileEventBroker(str(log))
    store = CachedSQLTrackerStore(DOMAIN, event_broker=broker, **store_config)

    async def scenario() -> DialogueStateTracker | None:
        await store.save(DialogueStateTracker.from_events(SENDER, session_start(1.0), slots=DOMAIN.slots))
        for stamp in (2.0, 3.0, 4.0):
            await add_turn(store, stamp)
        return await store.retrieve_full_tracker(SENDER)

    stored = as_dicts(asyncio.run(scenario()))
    store.engine.dispose()
    published = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(event["event"], event["timestamp"]) for event in published] == [
        (event["event"], event["timestamp"]) for event in stored
    ]
    assert {event["sender_id"] for event in published} == {SENDER}

"""Reading Rasa's tracker store (the SQL ``events`` table) for the desk, analytics and retention.

The console reads the table Rasa's ``SQLTrackerStore`` writes (wrapped by our
``MaskingTrackerStore``, so user texts are already masked): id, sender_id, type_name, timestamp
(epoch seconds), intent_name, action_name and data (the event as JSON). Reading it directly keeps
analytics off Rasa's request path; anything that *changes* a live conversation goes through
Rasa's HTTP API instead (see :mod:`console.services.rasa_api`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from common.conversation import is_staff_message
from common.sql import make_engine
from common.text.pii import mask_pii
from common.tracker_rows import decode_event

logger = logging.getLogger(__name__)

metadata = MetaData()
# Same columns as rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa 3.6).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


class TrackerUnavailableError(RuntimeError):
    """The tracker database cannot be read (not configured, missing, wrong schema)."""


@lru_cache(maxsize=8)
def tracker_engine(url: str) -> Engine:
    """One engine per tracker database URL for the whole process."""
    return make_engine(url)


@dataclass(frozen=True)
class Line:
    """One line of a transcript as staff see it; ``role`` is user, bot or staff."""

    role: str
    text: str
    at: datetime
    channel: str = ""


@dataclass(frozen=True)
class RawEvent:
    """A row of the events table with its JSON decoded (empty dict when unreadable)."""

    id: int
    sender_id: str
    type_name: str
    timestamp: float
    intent_name: str | None
    action_name: str | None
    data: dict[str, Any]


def _utc(timestamp: float | None) -> datetime:
    """Naive UTC, like every datetime the console stores (templates show local time)."""
    return datetime.fromtimestamp(timestamp or 0.0, tz=timezone.utc).replace(tzinfo=None)


def transcript(engine: Engine, sender_id: str, limit: int = 200) -> list[Line]:
    """The conversation's last ``limit`` user/bot/staff messages, oldest first, masked again.

    Texts are stored masked already; masking once more is cheap insurance for rows written
    before the masking store was configured."""
    query = (
        select(events.c.type_name, events.c.timestamp, events.c.data)
        .where(events.c.sender_id == sender_id, events.c.type_name.in_(("user", "bot")))
        .order_by(events.c.id.desc())
        .limit(limit)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError as exc:
        raise TrackerUnavailableError(type(exc).__name__) from exc
    lines = []
    for type_name, timestamp, raw in reversed(rows):
        data = decode_event(raw)
        text = data.get("text")
        if not isinstance(text, str) or not text:
            continue
        role = "user" if type_name == "user" else ("staff" if is_staff_message(data.get("metadata")) else "bot")
        channel = str(data.get("input_channel") or "") if type_name == "user" else ""
        lines.append(Line(role=role, text=mask_pii(text), at=_utc(timestamp), channel=channel))
    return lines


def iter_events(
    engine: Engine, since: float, until: float, types: tuple[str, ...] = ("user", "bot", "slot", "action")
) -> Iterator[RawEvent]:
    """Events with ``since <= timestamp < until``, by conversation then order of writing."""
    query = (
        select(events)
        .where(events.c.timestamp >= since, events.c.timestamp < until, events.c.type_name.in_(types))
        .order_by(events.c.sender_id, events.c.id)
    )
    try:
        with engine.connect() as connection:
            for row in connection.execution_options(stream_results=True).execute(query):
                yield RawEvent(
                    id=row.id,
                    sender_id=row.sender_id,
                    type_name=row.type_name,
                    timestamp=row.timestamp or 0.0,
                    intent_name=row.intent_name,
                    action_name=row.action_name,
                    data=decode_event(row.data),
                )
    except SQLAlchemyError as exc:
        raise TrackerUnavailableError(type(exc).__name__) from exc

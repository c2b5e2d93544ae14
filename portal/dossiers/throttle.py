"""Throttling of failed dossier lookups, shared by every portal worker through the database.

Two keys are counted for each failure: the caller (``c:`` + pseudonymised client id) and the
dossier code that was tried (``d:`` + keyed hash of the normalised code, whether or not it exists).
The first stops one client from guessing; the second stops many clients (or many chat senders)
from jointly guessing the 10,000 possible phone endings of one known code. Counting codes that do
not exist too keeps the lock itself from revealing which codes exist.

The count-then-insert is not atomic: under concurrent requests a client may get a few more tries
than the limit, which is acceptable for a guessing defence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.dossiers.protect import hash_client_key, keyed_hash
from portal.models.dossier import LookupFailure


def client_throttle_key(raw_client: str, pii_key: str) -> str:
    return "c:" + hash_client_key(raw_client, pii_key)


def code_throttle_key(canonical_code: str, pii_key: str) -> str:
    return "d:" + keyed_hash("code", canonical_code, pii_key)[:40]


def failures_since(session: Session, key: str, since: datetime) -> int:
    query = select(func.count(LookupFailure.id)).where(LookupFailure.client_key == key, LookupFailure.at >= since)
    return int(session.execute(query).scalar() or 0)


def is_throttled(session: Session, limits: dict[str, int], window_seconds: int, now: datetime) -> bool:
    """True when any key in ``limits`` (key -> max failures) reached its limit within the window."""
    since = now - timedelta(seconds=window_seconds)
    return any(failures_since(session, key, since) >= limit for key, limit in limits.items())


def record_failure(session: Session, keys: list[str], window_seconds: int, now: datetime) -> None:
    """Record one failure for each key and drop failures older than the window (keeps the table small)."""
    stale = delete(LookupFailure).where(LookupFailure.at < now - timedelta(seconds=window_seconds))
    session.execute(stale.execution_options(synchronize_session=False))
    session.add_all(LookupFailure(client_key=key, at=now) for key in keys)
    session.flush()

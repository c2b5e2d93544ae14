"""Throttling of failed dossier lookups, shared by every portal worker through the database.

Two budgets, with different windows:

* the caller (``c:`` + pseudonymised client id: the citizen's network address as the channel saw
  it, or their Zalo account), a few failures per short window: one client cannot guess at speed;
* the dossier code tried with the 4-digit phone factor (``p:`` + keyed hash of the normalised code,
  whether or not it exists), a few failures per rolling day from all clients together: many
  clients cannot jointly guess the 10,000 phone endings of one known code. Past that budget the code
  accepts only the full 12-digit ID number, which this budget never blocks, so the owner is never
  locked out. Counting codes that do not exist too keeps the budget itself from revealing which
  codes exist.

The count-then-insert is not atomic: under concurrent requests a few more tries than the limit may
get through, which is acceptable for a guessing defence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from portal.dossiers.protect import hash_client_key, keyed_hash
from portal.models.dossier import LookupFailure

CLIENT_PREFIX = "c:"
PHONE_CODE_PREFIX = "p:"
PHONE_CODE_WINDOW_SECONDS = 24 * 3600


def client_throttle_key(raw_client: str, pii_key: str) -> str:
    return CLIENT_PREFIX + hash_client_key(raw_client, pii_key)


def phone_code_throttle_key(canonical_code: str, pii_key: str) -> str:
    return PHONE_CODE_PREFIX + keyed_hash("code", canonical_code, pii_key)[:40]


def failures_since(session: Session, key: str, since: datetime) -> int:
    query = select(func.count(LookupFailure.id)).where(LookupFailure.client_key == key, LookupFailure.at >= since)
    return int(session.execute(query).scalar() or 0)


def over_budget(session: Session, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
    """True when ``key`` had ``limit`` failures or more within the last ``window_seconds``."""
    return failures_since(session, key, now - timedelta(seconds=window_seconds)) >= limit


def record_failure(session: Session, keys: list[str], client_window_seconds: int, now: datetime) -> None:
    """Record one failure for each key and drop failures no budget looks at any more."""
    expired = or_(
        and_(
            LookupFailure.client_key.startswith(CLIENT_PREFIX),
            LookupFailure.at < now - timedelta(seconds=client_window_seconds),
        ),
        LookupFailure.at < now - timedelta(seconds=PHONE_CODE_WINDOW_SECONDS),
    )
    session.execute(delete(LookupFailure).where(expired).execution_options(synchronize_session=False))
    session.add_all(LookupFailure(client_key=key, at=now) for key in keys)
    session.flush()

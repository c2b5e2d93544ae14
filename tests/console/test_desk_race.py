"""Two (or more) staff clicking "Nhận xử lý" at the same moment: exactly one becomes the owner.

Real threads, each with its own database connection, released together by a barrier, on SQLite
and on PostgreSQL (127.0.0.1:5432, database ``test``, throw-away schema).
"""

from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import select

from console.db import create_schema, make_engine, session_factory, session_scope
from console.models import AuditEntry, Handoff, User
from console.services import accounts, desk
from console.services.rasa_api import RasaApi
from tests.console.conftest import PASSWORD
from tests.console.desk_support import RASA_TOKEN, FakeRasaApi
from tests.missing import missing

THREADS = 8
ROUNDS = 10


def _take_together(factory, rasa: RasaApi, handoff_id: int, staff: list[User]):
    """Every staff member calls take() at once (a barrier releases the threads together)."""
    barrier = threading.Barrier(len(staff))
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def attempt(user: User) -> None:
        try:
            barrier.wait(timeout=10)
            results.append((user.id, desk.take(factory, rasa, handoff_id, user).ok))
        except BaseException as exc:  # reported by the caller; a thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=attempt, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


def _race(url: str, fake_rasa: FakeRasaApi) -> None:
    engine = make_engine(url)
    create_schema(engine)
    factory = session_factory(engine)
    with session_scope(factory) as session:
        staff = [accounts.create_user(session, f"race{i}", PASSWORD, "staff", f"Cán bộ {i}") for i in range(THREADS)]
        handoffs = [Handoff(sender_id=f"web:race-{n}", channel="web", status="open") for n in range(ROUNDS)]
        session.add_all(handoffs)
    rasa = RasaApi(fake_rasa.url, RASA_TOKEN)
    for handoff in handoffs:
        results, errors = _take_together(factory, rasa, handoff.id, staff)
        assert not errors, errors
        winners = [user_id for user_id, ok in results if ok]
        assert len(results) == THREADS and len(winners) == 1, results
        with session_scope(factory) as session:
            row = session.get(Handoff, handoff.id)
            assert row.status == "taken" and row.owner_id == winners[0]
            takes = session.execute(
                select(AuditEntry).where(AuditEntry.action == "handoff.take", AuditEntry.entity_id == str(handoff.id))
            ).all()
            assert len(takes) == 1
        slot_calls = [c for c in fake_rasa.calls if c[0] == handoff.sender_id]
        assert len(slot_calls) == 1, "the bot was told more than once"
    engine.dispose()


def test_simultaneous_takes_on_sqlite(tmp_path, fake_rasa) -> None:
    """SQLite: one winner per request out of 8 simultaneous takers, 10 rounds; one audit entry each."""
    _race(f"sqlite:///{tmp_path / 'race.db'}", fake_rasa)


@pytest.mark.postgres
def test_simultaneous_takes_on_postgres(fake_rasa) -> None:
    """PostgreSQL: the conditional UPDATE re-checks status after the row lock, so still one winner."""
    import psycopg2

    from tests.console.test_postgres import DATABASE, HOST, PORT, _server_user

    user = _server_user()
    if user is None:
        missing("no PostgreSQL on 127.0.0.1:5432/test")
    schema = f"desk_race_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host=HOST, port=PORT, dbname=DATABASE, user=user)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    try:
        _race(f"postgresql+psycopg2://{user}@{HOST}:{PORT}/{DATABASE}?options=-csearch_path%3D{schema}", fake_rasa)
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()

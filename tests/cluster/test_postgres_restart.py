"""PostgreSQL restarted under the cluster's load loses no conversation (the short version of the
fault campaign's cluster scenario, ``python -m bench --only faults``).

The cluster runs on a PostgreSQL server of its own (never the machine's shared one), which is
stopped mid-load (every connection cut), stays down 3 s and is started again. Afterwards: every
message that got an answer is in its conversation's tracker, in order; the only failed turns are
those that overlapped the restart; the stack answers again soon after PostgreSQL is back. First,
the tracker store alone: it waits out a restart instead of failing the turn.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.cluster_faults import POSTGRES_DOWN_S, run_postgres_restart
from bot.stores.sql_tracker_store import CachedSQLTrackerStore
from launcher.cluster.postgres import PostgresServer, bin_dir_problem, throwaway_postgres
from launcher.cluster.settings import ClusterSettings
from tests.cluster.conftest import running_cluster
from tests.missing import missing

pytestmark = [pytest.mark.timeout(1500)]

USERS, TURNS = 4, 8
ANSWERING_AGAIN_WITHIN_S = 5.0  # after PostgreSQL is back
PORTAL_AGAIN_WITHIN_S = 60.0  # the action server's circuit breakers cool down first


def postgres_bin_dir() -> Path:
    bin_dir = ClusterSettings().postgres_bin_dir
    problem = bin_dir_problem(bin_dir)
    if problem:
        missing(problem)
    return bin_dir


@pytest.fixture
def postgres_server() -> Iterator[PostgresServer]:
    with throwaway_postgres(postgres_bin_dir()) as server:
        yield server


def _store(server: PostgresServer) -> CachedSQLTrackerStore:
    domain = Domain.from_dict({"intents": ["greet"]})
    return CachedSQLTrackerStore(
        domain, dialect="postgresql", host="127.0.0.1", port=server.port, db="postgres", username="postgres"
    )


def _user_texts(store: CachedSQLTrackerStore, sender: str) -> list[str]:
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not None
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def test_tracker_store_waits_out_a_restart(postgres_server: PostgresServer) -> None:
    """After a restart the store's pooled connections are dead, and during it there is no server:
    a retrieve and a save then wait for PostgreSQL instead of failing the turn, and the save is
    stored once."""
    store, sender = _store(postgres_server), "web:restart-probe-0001"
    tracker = DialogueStateTracker.from_events(sender, [ActionExecuted("action_listen"), UserUttered("một")])
    asyncio.run(store.save(tracker))
    postgres_server.restart(0.5)
    assert _user_texts(store, sender) == ["một"]

    postgres_server.stop()
    back = threading.Timer(1.5, postgres_server.start)
    back.start()
    started = time.monotonic()
    tracker.update(UserUttered("hai"))
    asyncio.run(store.save(tracker))
    back.join()
    assert time.monotonic() - started >= 1.5  # it did wait for the server
    assert _user_texts(_store(postgres_server), sender) == ["một", "hai"]


@pytest.fixture(scope="module")
def restart_run(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("postgres-restart")
    with (
        throwaway_postgres(postgres_bin_dir()) as server,
        running_cluster(trained_model, workdir, rasa_servers=2, postgres_port=server.port) as (cluster, _),
    ):
        result = run_postgres_restart(cluster, server, USERS, TURNS, workdir)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        yield result


@pytest.mark.slow
def test_no_answered_message_is_lost(restart_run: dict[str, Any]) -> None:
    """Every message a citizen got an answer for is in the conversation's PostgreSQL tracker, in the
    order sent, although PostgreSQL went away in the middle of the conversations."""
    assert restart_run["turns"] == USERS * TURNS
    assert restart_run["postgres_down_s"] >= POSTGRES_DOWN_S
    assert restart_run["unstored_answers"] == []


@pytest.mark.slow
def test_errors_only_while_postgres_restarts(restart_run: dict[str, Any]) -> None:
    """A turn fails only if it overlapped the restart; the others are answered as usual."""
    assert restart_run["errors_outside_window"] == 0, restart_run["error_kinds"]


@pytest.mark.slow
def test_service_answers_soon_after_postgres_is_back(restart_run: dict[str, Any]) -> None:
    """Within seconds of PostgreSQL being back a citizen's turn is answered, and within a minute
    procedure questions are answered from the portal again."""
    assert restart_run["first_answer_after_s"] is not None
    assert restart_run["first_answer_after_s"] <= ANSWERING_AGAIN_WITHIN_S
    assert restart_run["recovery_s"] is not None and restart_run["recovery_s"] <= PORTAL_AGAIN_WITHIN_S

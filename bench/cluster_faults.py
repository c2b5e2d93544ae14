"""Fault campaign, cluster mode: PostgreSQL restarted under load.

The cluster of ``make cluster`` (nginx, two Rasa servers on the PostgreSQL tracker store with the
outbox event broker, Redis locks, RabbitMQ, two action servers, portal and console on PostgreSQL)
runs on a PostgreSQL server of its own (:mod:`launcher.cluster.postgres`; the machine's server is
shared, so it is never the one restarted). Locust conversations go through nginx; once a third of
their turns are stored, PostgreSQL is stopped (``pg_ctl -m fast``: every connection is cut), stays
down :data:`POSTGRES_DOWN_S` seconds and is started again. Reported, as for the other scenarios
(:mod:`bench.faults`): errors, p95, answered within 5 s; and for this one:

* ``postgres_down_s``: how long PostgreSQL did not answer;
* ``errors_outside_window``: failed turns that did not overlap the restart (plus
  :data:`WINDOW_GRACE_S`): must be none; ``late_outside_window``: the same for turns answered
  later than 5 s (those that overlapped it wait for PostgreSQL);
* ``first_answer_after_s``: from PostgreSQL back to the first turn answered after it;
* ``recovery_s``: from PostgreSQL back until a procedure question is answered from the portal again
  (the action server's circuit breakers wait out their cool-down);
* ``unstored_answers``: turns that got an answer but whose message is missing from their
  conversation's tracker, or out of order: must be none.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from common.text.normalize import normalize_text
from common.text.pii import MASK_CHAR
from launcher.cluster.postgres import PostgresMissingError, PostgresServer, throwaway_postgres
from launcher.cluster.settings import ClusterSettings
from launcher.cluster.stack import Cluster
from launcher.cluster.throwaway import (
    service_problem,
    stored_user_texts,
    stored_user_turns,
    throwaway_cluster,
    throwaway_settings,
)

from .cluster import cluster_base
from .faults import ANSWER_DEADLINE_S, answered_in_time, wait_recovered
from .load import LoadRun, run_locust, summarize, warm_up

POSTGRES_DOWN_S = 3.0
RESTART_AT_SHARE = 1 / 3  # of the run's turns stored when PostgreSQL is stopped
WINDOW_GRACE_S = 2.0
_DIGITS_AND_MASKS = re.compile(rf"[\d{re.escape(MASK_CHAR)}]")


@dataclasses.dataclass
class RestartWindow:
    """When PostgreSQL went down and was back (wall clock), and the portal answered again after."""

    down_at: float = 0.0
    up_at: float = 0.0
    recovery_s: float | None = None
    error: str | None = None


def _restart_when_under_way(cluster: Cluster, server: PostgresServer, turns: int, window: RestartWindow) -> None:
    """Wait until ``turns`` user messages are stored, restart PostgreSQL, then time the recovery."""
    try:
        baseline = stored_user_turns(cluster.settings)
        deadline = time.monotonic() + 300
        while stored_user_turns(cluster.settings) - baseline < turns and time.monotonic() < deadline:
            time.sleep(0.2)
        window.down_at, window.up_at = server.restart(POSTGRES_DOWN_S)
        window.recovery_s = wait_recovered(cluster.public_url)
    except Exception as error:  # reported with the run; the run itself must still end
        window.error = f"{type(error).__name__}: {error}"


def _comparable(text: str) -> str:
    """A message as the tracker keeps it, minus what masking changes (digits become ``*``)."""
    return _DIGITS_AND_MASKS.sub("", normalize_text(text)).strip()


def _is_subsequence(items: list[str], within: list[str]) -> bool:
    remaining = iter(within)
    return all(any(item == candidate for candidate in remaining) for item in items)


def unstored_answers(settings: ClusterSettings, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Conversations with an answered message that is not in their tracker in the order sent."""
    by_sender: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_sender[record["sender"]].append(record)
    lost = []
    for sender, turns in by_sender.items():
        in_order = sorted(turns, key=lambda turn: turn["turn"])
        answered = [_comparable(turn["message"]) for turn in in_order if not turn["error"]]
        stored = [_comparable(text) for text in stored_user_texts(settings, f"web:{sender}")]
        if not _is_subsequence(answered, stored):
            lost.append({"sender": sender, "answered": len(answered), "stored": len(stored)})
    return lost


def run_postgres_restart(
    cluster: Cluster, server: PostgresServer, users: int, turns: int, workdir: Path
) -> dict[str, Any]:
    """One Locust run through nginx with PostgreSQL restarted under it (see the module doc)."""
    window = RestartWindow()
    restarter = threading.Thread(
        target=_restart_when_under_way,
        args=(cluster, server, max(1, int(users * turns * RESTART_AT_SHARE)), window),
        daemon=True,
    )
    restarter.start()
    records = run_locust(
        LoadRun("fault-postgres_restart", users, turns, time_limit_s=300),
        cluster.public_url,
        Path(cluster.stack.env["PORTAL_DEMO_DOSSIERS_PATH"]),
        workdir,
    )
    restarter.join(180)
    if window.error or not window.up_at:
        raise RuntimeError(f"PostgreSQL was not restarted under the load: {window.error or 'the run ended first'}")
    ended = [(turn, turn["began"] + turn["ms"] / 1000.0) for turn in records]
    outside = [turn for turn, end in ended if end < window.down_at or turn["began"] > window.up_at + WINDOW_GRACE_S]
    late = [turn for turn in outside if not turn["error"] and turn["ms"] > ANSWER_DEADLINE_S * 1000]
    answered_after = [end - window.up_at for turn, end in ended if not turn["error"] and end >= window.up_at]
    return {
        **summarize(records, users),
        **answered_in_time(records),
        "postgres_down_s": round(window.up_at - window.down_at, 1),
        "errors_outside_window": sum(1 for turn in outside if turn["error"]),
        "late_outside_window": len(late),
        "first_answer_after_s": round(min(answered_after), 1) if answered_after else None,
        "recovery_s": window.recovery_s,
        "unstored_answers": unstored_answers(cluster.settings, records),
    }


def run_cluster_fault_campaign(model: Path, users: int = 8, turns: int = 10) -> dict[str, Any]:
    """A throwaway PostgreSQL, a cluster on it, the restart scenario; ``{"error": ...}`` when
    PostgreSQL's programs, nginx, Redis or RabbitMQ are missing."""
    with tempfile.TemporaryDirectory(prefix="bench-cluster-faults-") as tmp:
        workdir = Path(tmp)
        try:
            with throwaway_postgres(ClusterSettings().postgres_bin_dir) as server:
                settings = dataclasses.replace(throwaway_settings(2, db_name="postgres"), db_port=server.port)
                problem = service_problem(settings)
                if problem:
                    return {"error": problem}
                with throwaway_cluster(settings, cluster_base(model, workdir), workdir) as (cluster, _processes):
                    warm_up(cluster.public_url, conversations=4, timeout=120.0)  # every server
                    result = run_postgres_restart(cluster, server, users, turns, workdir)
        except PostgresMissingError as error:
            return {"error": str(error)}
    return {"users": users, "turns": turns, "scenarios": {"postgres_restart": result}}

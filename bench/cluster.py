"""Cluster load benchmark: the Locust load of :mod:`bench.load` through nginx, 1 Rasa server then 2.

One throwaway cluster (:mod:`launcher.cluster.throwaway`: PostgreSQL tracker store, Redis locks,
RabbitMQ events, two action servers, portal and console on PostgreSQL) with two Rasa servers both
loaded; nginx first routes to one of them only, then (configuration reloaded, SIGHUP) to both, so
the two runs differ by nothing but the number of Rasa servers behind the router. Reported: turns/s
and latency of each run, their throughput ratio, CPU and memory of each Rasa process.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from launcher.cluster.nginx import write_config
from launcher.cluster.stack import Cluster
from launcher.cluster.throwaway import (
    connect_postgres,
    service_problem,
    throwaway_base,
    throwaway_cluster,
    throwaway_settings,
)
from launcher.processes import RunningProcess
from launcher.stack import StackLayout

from .load import LoadRun, run_locust, summarize, warm_up
from .procstat import cpu_seconds, machine_busy_seconds, rss_kib


def cluster_base(model: Path, workdir: Path) -> StackLayout:
    """Model, secrets and ports of the portal, console and web page of the benchmark's cluster."""
    env = {
        "PORTAL_DEMO_DOSSIERS_PATH": str(workdir / "demo_dossiers.json"),
        "PORTAL_DOSSIER_COUNT": "400",
        "PORTAL_PII_KEY": "bench-cluster-pii-key",
        "PORTAL_SERVICE_TOKEN": "bench-cluster-portal-token",
        "CONSOLE_SERVICE_TOKEN": "bench-cluster-console-token",
        "CHANNEL_PAYLOAD_KEY": "bench-cluster-payload-key",
    }
    return throwaway_base(model, workdir, "bench-cluster-token", env)


def route_to(cluster: Cluster, processes: list[RunningProcess], servers: int) -> None:
    """Point nginx at the first ``servers`` Rasa servers (configuration rewritten, then reloaded)."""
    write_config(dataclasses.replace(cluster.nginx, rasa_ports=cluster.rasa_ports[:servers]))
    nginx = next(process for process in processes if process.spec.name == "nginx")
    os.kill(nginx.popen.pid, signal.SIGHUP)
    time.sleep(2.0)  # new workers take over; old ones finish their requests


def run_cluster_bench(model: Path, users: int = 96, turns: int = 10, db_name: str = "test") -> dict[str, Any]:
    """Both runs on one cluster; ``{"error": ...}`` when a service is missing or the cluster fails."""
    settings = throwaway_settings(2, db_name=db_name)
    problem = service_problem(settings)
    if problem:
        return {"error": problem}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        workdir = Path(tmp)
        with throwaway_cluster(settings, cluster_base(model, workdir), workdir) as (cluster, processes):
            rasa = [process for process in processes if process.spec.name.startswith("rasa-")]
            dossiers = Path(cluster.stack.env["PORTAL_DEMO_DOSSIERS_PATH"])
            warm_up(cluster.public_url, conversations=4, timeout=120.0)  # spread over every server
            runs: dict[str, Any] = {}
            for servers in (1, 2):
                route_to(cluster, processes, servers)
                cpu_before = [cpu_seconds(process.popen.pid) for process in rasa]
                machine_before = machine_busy_seconds()
                load = LoadRun(f"cluster-{servers}", users=users, turns=turns)
                summary = summarize(run_locust(load, cluster.public_url, dossiers, workdir), users)
                machine = machine_busy_seconds() - machine_before
                cpu = [
                    cpu_seconds(process.popen.pid) - before for process, before in zip(rasa, cpu_before, strict=True)
                ]
                turns_done = max(summary["turns"], 1)
                summary["rasa_servers"] = servers
                summary["rasa_cpu_share"] = [round(seconds / summary["seconds"], 2) for seconds in cpu]
                summary["rasa_cpu_ms_per_turn"] = round(1000.0 * sum(cpu) / turns_done, 1)
                # What bounds the ratio on one machine: the cores in use, and what the rest of the
                # stack (Locust, nginx, actions, portal, PostgreSQL, Redis, RabbitMQ) costs a turn.
                summary["machine_cores_busy"] = round(machine / summary["seconds"], 2)
                summary["other_cpu_ms_per_turn"] = round(1000.0 * (machine - sum(cpu)) / turns_done, 1)
                runs[f"{servers}"] = summary
            storage = tracker_storage(cluster)
            memory = {
                process.spec.name: {
                    "rss_mib": _mib(rss_kib(process.popen.pid, "VmRSS")),
                    "peak_rss_mib": _mib(rss_kib(process.popen.pid, "VmHWM")),
                }
                for process in rasa
            }
    one, two = runs["1"]["turns_per_s"], runs["2"]["turns_per_s"]
    return {
        "users": users,
        "turns": turns,
        "cores": os.cpu_count(),
        "runs": runs,
        "throughput_ratio": round(two / one, 2) if one else None,
        "rasa_memory": memory,
        "postgres": storage,
    }


def tracker_storage(cluster: Cluster) -> dict[str, Any]:
    """Size of the conversations the runs stored: events per user turn and bytes per event (for
    PostgreSQL sizing), from the cluster's own schema."""
    schema = cluster.settings.schema("rasa")
    with connect_postgres(cluster.settings) as conn, conn.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE type_name = 'user'), coalesce(avg(length(data)), 0), "
            f'pg_total_relation_size(\'"{schema}".events\') FROM "{schema}".events'
        )
        events, user_turns, average, table_bytes = cursor.fetchone()
    conn.close()
    return {
        "events": events,
        "user_turns": user_turns,
        "events_per_turn": round(events / max(user_turns, 1), 2),
        "avg_event_bytes": round(float(average)),
        "table_bytes_per_turn": round(table_bytes / max(user_turns, 1)),
    }


def _mib(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)

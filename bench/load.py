"""Load benchmark: concurrent citizen conversations through the REST channel of one Rasa process,
driven by Locust (:mod:`bench.locustfile`), on the embedded stack started the way ``make run``
starts it (:mod:`launcher.stack`: portal, staff console, action server, Rasa on SQLite).

Three runs, each bounded in time and on loopback only:

* ``8x20``: 8 concurrent conversations x 20 turns (latency: p95 target);
* ``50x20``: 50 concurrent conversations x 20 turns (throughput target);
* ``long``: one conversation of 60 turns, one 10-turn round repeated (does a late turn cost more?).

For each: turns/s, p50/p95/p99, errors, and the Rasa process's CPU per turn and peak memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from launcher.processes import RunningProcess, start_all, stop
from launcher.stack import PYTHON, REPO_ROOT, StackLayout, assistant_specs, local_layout, run_init_steps

from .procstat import cpu_seconds, rss_kib
from .stats import percentile
from .traffic import CYCLE

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WARM_UP = ("xin chào", "Làm căn cước cần giấy tờ gì?", "lệ phí bao nhiêu", "tra cứu hồ sơ", "0000")
BENCH_DIR = REPO_ROOT / "var" / "bench-load"  # portal/console databases kept between runs (import once)


@dataclass(frozen=True)
class LoadRun:
    """One Locust run: ``users`` concurrent conversations of ``turns`` messages."""

    name: str
    users: int
    turns: int
    script: str = "mixed"
    time_limit_s: int = 600


def load_runs(users: list[int], turns: int = 20, long_turns: int = 60) -> tuple[LoadRun, ...]:
    """One mixed run per concurrency, then the long-conversation run (``long_turns`` 0: none)."""
    runs = [LoadRun(f"{count}x{turns}", users=count, turns=turns) for count in users]
    if long_turns:
        runs.append(LoadRun("long", users=1, turns=long_turns, script="repeat"))
    return tuple(runs)


DEFAULT_RUNS = load_runs([8, 50])


def summarize(turns: list[dict[str, Any]], users: int) -> dict[str, Any]:
    """Throughput and latency of one run from its per-turn records (see :mod:`bench.locustfile`)."""
    ok = [turn for turn in turns if not turn["error"]]
    times = [turn["ms"] for turn in ok] or [0.0]
    began = min((turn["began"] for turn in turns), default=0.0)
    ended = max((turn["began"] + turn["ms"] / 1000.0 for turn in turns), default=0.0)
    wall = max(ended - began, 1e-9)
    errors: dict[str, int] = {}
    for turn in turns:
        if turn["error"]:
            errors[turn["error"]] = errors.get(turn["error"], 0) + 1
    return {
        "users": users,
        "turns": len(turns),
        "errors": len(turns) - len(ok),
        # Answered with the "please resend" apology (action server unreachable): not an error.
        "apologies": sum(1 for turn in ok if turn.get("apology")),
        "error_kinds": errors,
        "seconds": round(wall, 2),
        "turns_per_s": round(len(ok) / wall, 2),
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(max(times), 1),
    }


def growth(turns: list[dict[str, Any]], total_turns: int) -> dict[str, Any]:
    """The first round (turns 1-10) against the last one (e.g. 51-60): the same messages, so the
    ratio is what conversation length alone adds to a turn. ``ratio`` compares the Rasa process's
    CPU time for the two rounds when the run recorded it (one conversation at a time: it does not
    depend on what else runs on the machine), else the median latencies."""
    ok = [t for t in turns if not t["error"]]
    first = [t for t in ok if t["turn"] <= CYCLE]
    last = [t for t in ok if t["turn"] > total_turns - CYCLE]
    if not first or not last:
        return {"ratio": None}
    early, late = percentile([t["ms"] for t in first], 0.5), percentile([t["ms"] for t in last], 0.5)
    result = {
        "first_round_p50_ms": round(early, 1),
        "last_round_p50_ms": round(late, 1),
        "latency_ratio": round(late / early, 3),
        "last_turns": f"{total_turns - CYCLE + 1}-{total_turns}",
        "ratio": round(late / early, 3),
        "measure": "p50 latency",
    }
    if all(t.get("rasa_cpu_ms") is not None for t in first + last):
        cpu_early, cpu_late = (sum(t["rasa_cpu_ms"] for t in part) / len(part) for part in (first, last))
        result.update(
            first_round_cpu_ms=round(cpu_early, 1),
            last_round_cpu_ms=round(cpu_late, 1),
            ratio=round(cpu_late / cpu_early, 3),
            measure="Rasa CPU per turn",
        )
    return result


def run_locust(
    run: LoadRun, host: str, dossiers: Path, workdir: Path, rasa_pid: int | None = None
) -> list[dict[str, Any]]:
    """One headless Locust process; returns its per-turn records (with the Rasa process's CPU time
    of each turn when ``rasa_pid`` is given and the run has a single conversation)."""
    out = workdir / f"turns-{run.name}.json"
    command = [
        PYTHON, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "-u", str(run.users), "-r", str(run.users), "-t", f"{run.time_limit_s}s", "--stop-timeout", "5",
        "--host", host, "--loglevel", "WARNING", "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "BENCH_SCRIPT": run.script,
        "BENCH_TURNS": str(run.turns),
        "BENCH_USERS": str(run.users),
        "BENCH_DOSSIERS": str(dossiers),
        "BENCH_OUT": str(out),
        "BENCH_RASA_PID": str(rasa_pid) if rasa_pid and run.users == 1 else "",
    }
    log = workdir / f"locust-{run.name}.log"
    with log.open("w", encoding="utf-8") as sink:
        subprocess.run(
            command, cwd=REPO_ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, timeout=run.time_limit_s + 60
        )
    if not out.exists():
        raise RuntimeError(f"locust wrote no results for {run.name}: see {log}")
    return json.loads(out.read_text(encoding="utf-8"))["turns"]


def bench_layout(model: Path, workdir: Path, endpoints_file: str = "endpoints.yml") -> StackLayout:
    """The embedded stack of ``make run`` on free ports; conversations in a fresh SQLite file."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = {
        "PORTAL_DATABASE_URL": f"sqlite:///{BENCH_DIR / 'portal.db'}",
        "PORTAL_DEMO_DOSSIERS_PATH": str(BENCH_DIR / "demo_dossiers.json"),
        "PORTAL_PII_KEY": "bench-load-pii-key",
        "PORTAL_SERVICE_TOKEN": "bench-load-portal-token",
        "CONSOLE_DATABASE_URL": f"sqlite:///{BENCH_DIR / 'console.db'}",
        "CONSOLE_SERVICE_TOKEN": "bench-load-console-token",
        "CHANNEL_PAYLOAD_KEY": "bench-load-payload-key",
    }
    return local_layout(model, workdir, "bench-load-token", env, endpoints_file=endpoints_file)


def say(base_url: str, sender: str, message: str, timeout: float = 60.0) -> list[dict[str, Any]]:
    """One citizen turn through the REST channel; the bot's replies (an HTTP error raises)."""
    response = requests.post(
        f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout
    )
    response.raise_for_status()
    return response.json()


def warm_up(base_url: str, conversations: int = 1, timeout: float = 60.0) -> None:
    """A few turns before measuring: the first parses and action calls of a process are slow (behind
    a router, several conversations reach every server)."""
    for _ in range(conversations):
        sender = f"bench-warm-up-{uuid.uuid4().hex}"
        for message in WARM_UP:
            say(base_url, sender, message, timeout)


def run_load_bench(
    model: Path, runs: tuple[LoadRun, ...] = DEFAULT_RUNS, keep_dir: Path | None = None
) -> dict[str, Any]:
    """Start the stack, run each Locust run against its Rasa server, stop the stack."""
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = keep_dir or Path(tmp)
        layout = bench_layout(model, workdir)
        run_init_steps(layout)
        specs = assistant_specs(layout)
        for spec in specs:  # a machine busy with other jobs loads the model slowly
            spec.start_timeout = max(spec.start_timeout, 600.0)
        processes = start_all(specs)
        try:
            return _measure(layout, processes, runs, workdir)
        finally:
            stop(processes)


def _stack_cpu(processes: list[RunningProcess]) -> dict[str, float]:
    return {process.spec.name: cpu_seconds(process.popen.pid) for process in processes}


def _measure(
    layout: StackLayout, processes: list[RunningProcess], runs: tuple[LoadRun, ...], workdir: Path
) -> dict[str, Any]:
    rasa = next(process for process in processes if process.spec.name == "rasa")
    pid = rasa.popen.pid
    warm_up(layout.rasa_url)
    results: dict[str, Any] = {"model": layout.model.name, "runs": {}}
    for run in runs:
        before = _stack_cpu(processes)
        turns = run_locust(run, layout.rasa_url, Path(layout.env["PORTAL_DEMO_DOSSIERS_PATH"]), workdir, pid)
        after = _stack_cpu(processes)
        summary = {"script": run.script, **summarize(turns, run.users)}
        per_turn = {name: 1000.0 * (after[name] - before[name]) / max(summary["turns"], 1) for name in after}
        summary["rasa_cpu_ms_per_turn"] = round(per_turn["rasa"], 1)
        summary["rasa_cpu_share"] = round((after["rasa"] - before["rasa"]) / summary["seconds"], 2)
        # The whole stack's CPU per turn (Rasa, actions, portal, console): what a turn costs the machine.
        summary["cpu_ms_per_turn"] = {name: round(ms, 1) for name, ms in per_turn.items()}
        summary["load_avg_1m"] = round(os.getloadavg()[0], 2)  # what else the machine was doing
        if run.script == "repeat":
            summary["growth"] = growth(turns, run.turns)
        results["runs"][run.name] = summary
        time.sleep(1.0)
    peak = rss_kib(pid, "VmHWM")
    results["rasa_peak_rss_mib"] = None if peak is None else round(peak / 1024, 1)
    return results

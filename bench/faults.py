"""Fault campaign: citizen conversations under load while one part of the stack misbehaves.

Each scenario runs Locust conversations (:mod:`bench.locustfile`) through the REST channel of the
embedded stack while a fault is in force, and reports errors, p95 and whether every citizen got an
answer within :data:`ANSWER_DEADLINE_S` (a reply at all, and in time). Scenarios:

``baseline``         nothing wrong (the reference)
``portal_down``      the portal service is stopped for the whole run
``portal_slow``      every portal answer is held back 3 s (a delaying proxy between actions and portal)
``console_down``     the staff console is stopped (FAQ answers, handoffs, complaints)
``actions_restart``  the action server is killed (SIGKILL) a few seconds into the run and restarted

Every fault is undone after its run, so the scenarios are independent. Bounded in time, loopback
only. ``python -m bench --only faults`` runs them, then the cluster scenario (PostgreSQL restarted
under the cluster's Rasa servers, :mod:`bench.cluster_faults`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from actions.portal_client import ERROR_MESSAGES
from launcher.processes import RunningProcess, free_port, start, start_all, stop
from launcher.stack import StackLayout, assistant_specs, run_init_steps

from .load import LoadRun, bench_layout, run_locust, say, summarize, warm_up

ANSWER_DEADLINE_S = 5.0
UNAVAILABLE = ERROR_MESSAGES["unavailable"]
PORTAL_DELAY_S = 3.0
RESTART_AFTER_S = 3.0
SCENARIOS = ("baseline", "portal_down", "portal_slow", "console_down", "actions_restart")


class DelayingProxy:
    """A TCP proxy on loopback that can hold back every chunk by ``delay`` seconds (a slow portal)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.delay = 0.0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> DelayingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, upstream_writer, True), self._pipe(upstream_reader, writer, False))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delayed: bool) -> None:
        try:
            while chunk := await reader.read(65536):
                if delayed and self.delay:
                    await asyncio.sleep(self.delay)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()


@dataclasses.dataclass
class FaultStack:
    """The running stack, with ways to break and mend each part. ``processes`` is updated in place
    when a part is restarted, so whoever started the stack stops the restarted processes too."""

    layout: StackLayout
    processes: list[RunningProcess]
    proxy: DelayingProxy | None = None

    def _index(self, name: str) -> int:
        return next(i for i, process in enumerate(self.processes) if process.spec.name == name)

    def stop_part(self, name: str) -> None:
        stop([self.processes[self._index(name)]])

    def start_part(self, name: str) -> None:
        index = self._index(name)
        self.processes[index] = start(self.processes[index].spec)

    def kill_part(self, name: str) -> None:
        process = self.processes[self._index(name)]
        os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait()


def _faults(stack: FaultStack) -> dict[str, tuple[Callable[[], None], Callable[[], None], Callable[[], None]]]:
    """scenario -> (before the run, during the run, after the run)."""
    nothing = lambda: None  # noqa: E731

    def slow(delay: float) -> Callable[[], None]:
        def set_delay() -> None:
            if stack.proxy is None:
                raise RuntimeError("portal_slow needs the delaying proxy (run_fault_campaign starts one)")
            stack.proxy.delay = delay

        return set_delay

    def restart_actions() -> None:
        time.sleep(RESTART_AFTER_S)
        stack.kill_part("actions")
        stack.start_part("actions")

    return {
        "baseline": (nothing, nothing, nothing),
        "portal_down": (lambda: stack.stop_part("portal"), nothing, lambda: stack.start_part("portal")),
        "portal_slow": (slow(PORTAL_DELAY_S), nothing, slow(0.0)),
        "console_down": (lambda: stack.stop_part("console"), nothing, lambda: stack.start_part("console")),
        "actions_restart": (nothing, restart_actions, nothing),
    }


RECOVERY_TIMEOUT_S = 90.0
PROBE_QUESTION = "Làm căn cước cần giấy tờ gì?"


def wait_recovered(rasa_url: str, timeout_s: float = RECOVERY_TIMEOUT_S) -> float:
    """Seconds until a procedure question sent to ``rasa_url`` (the REST channel's server) is
    answered from the portal again after a fault is mended (the action server's circuit breakers
    wait out their cool-down first); raises if it never is."""
    started = time.monotonic()
    sender = f"fault-probe-{uuid.uuid4().hex}"
    while time.monotonic() - started < timeout_s:
        try:
            replies = say(rasa_url, sender, PROBE_QUESTION, timeout=30.0)
        except (requests.RequestException, ValueError):
            replies = []
        texts = [str(reply.get("text") or "") for reply in replies if isinstance(reply, dict)]
        if texts and not any(UNAVAILABLE in text for text in texts):
            return round(time.monotonic() - started, 1)
        time.sleep(1.0)
    raise RuntimeError(f"the stack did not recover within {timeout_s:.0f} s after the fault was mended")


def answered_in_time(turns: list[dict[str, Any]], deadline_s: float = ANSWER_DEADLINE_S) -> dict[str, Any]:
    """Whether every turn got a reply within the deadline, and which did not."""
    late = [turn for turn in turns if turn["error"] or turn["ms"] > deadline_s * 1000]
    return {
        "deadline_s": deadline_s,
        "answered_in_time": len(turns) - len(late),
        "missed": len(late),
        "every_citizen_answered": bool(turns) and not late,
    }


def run_scenarios(
    stack: FaultStack, scenarios: tuple[str, ...], users: int, turns: int, workdir: Path
) -> dict[str, Any]:
    """Each scenario: break, run the conversations (breaking more during the run if it says so), mend."""
    faults = _faults(stack)
    dossiers = Path(stack.layout.env["PORTAL_DEMO_DOSSIERS_PATH"])
    results: dict[str, Any] = {}
    for name in scenarios:
        before, during, after = faults[name]
        before()
        worker = threading.Thread(target=during, daemon=True)
        try:
            worker.start()
            records = run_locust(
                LoadRun(f"fault-{name}", users, turns, time_limit_s=300), stack.layout.rasa_url, dossiers, workdir
            )
            worker.join(120)
        finally:
            after()
        recovery = wait_recovered(stack.layout.rasa_url)  # the next scenario (or test) starts from a whole stack
        results[name] = {**summarize(records, users), **answered_in_time(records), "recovery_s": recovery}
    return results


def run_fault_campaign(
    model: Path, scenarios: tuple[str, ...] = SCENARIOS, users: int = 8, turns: int = 10, keep_dir: Path | None = None
) -> dict[str, Any]:
    """Start the embedded stack with a delaying proxy in front of the portal, run every scenario."""
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        workdir = keep_dir or Path(tmp)
        layout = bench_layout(model, workdir)
        run_init_steps(layout)
        with DelayingProxy(layout.portal_port) as proxy:
            specs = []
            for spec in assistant_specs(layout):
                if spec.name == "actions":  # the action server reaches the portal through the proxy
                    spec = dataclasses.replace(spec, env={**spec.env, "PORTAL_URL": f"http://127.0.0.1:{proxy.port}"})
                specs.append(spec)
            processes = start_all(specs)
            stack = FaultStack(layout, processes, proxy)
            try:
                warm_up(layout.rasa_url)
                return {
                    "users": users,
                    "turns": turns,
                    "scenarios": run_scenarios(stack, scenarios, users, turns, workdir),
                }
            finally:
                stop(stack.processes)

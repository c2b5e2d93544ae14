"""The action server's per-process objects (HTTP clients, outbox, place index) are built once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from actions.per_process import PerProcess


def test_concurrent_first_uses_build_one_object_until_reset() -> None:
    """Threads of the SDK asking at the same moment share one object (one connection pool, one
    circuit breaker); after ``reset`` the next use builds a fresh one."""
    built: list[object] = []
    gate = threading.Event()

    def build() -> object:
        gate.wait(1)
        time.sleep(0.05)  # a slow build, so the other threads arrive while it runs
        built.append(object())
        return built[-1]

    shared = PerProcess(build)
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(shared.get) for _ in range(8)]
        gate.set()
        results = {id(future.result()) for future in futures}
    assert len(built) == 1 and results == {id(built[0])}
    shared.reset()
    assert shared.get() is not built[0] and len(built) == 2

"""A circuit breaker for the action server's outbound calls (portal, console).

When a service keeps failing, every action would otherwise wait for its timeout before answering,
and the citizen waits with it. After ``threshold`` consecutive failures the breaker opens and calls
fail at once for ``cooldown`` seconds; then one call probes the service (half-open).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; half-opens after ``cooldown`` seconds."""

    threshold: int
    cooldown: float
    failures: int = 0
    opened_at: float | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            if self.opened_at is None:
                return True
            if time.monotonic() - self.opened_at >= self.cooldown:
                self.opened_at = None  # half-open: let one call probe the service
                self.failures = self.threshold - 1
                return True
            return False

    def record(self, success: bool) -> None:
        with self._lock:
            if success:
                self.failures, self.opened_at = 0, None
                return
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic()

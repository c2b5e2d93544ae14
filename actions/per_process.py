"""One object per action-server process, built on first use: the HTTP clients (connection pools,
circuit breakers, caches), the outbox and the place index.

The Rasa SDK runs actions on several threads, so the first use is guarded by a lock (two threads
must not build two clients); tests that change the environment forget the object with ``reset``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerProcess(Generic[T]):
    """``build()``'s result, made once per process and shared by every thread."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The shared object (built now on first use)."""
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def reset(self) -> None:
        """Forget the object; the next :meth:`get` builds a new one."""
        with self._lock:
            self._value = None

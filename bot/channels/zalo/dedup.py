"""Drop Zalo webhook retries: Zalo re-sends an event it thinks failed, and a citizen must get
one answer per message.

:class:`EventDeduplicator` is the interface; the in-memory TTL cache is the default for a single
server, :class:`RedisDeduplicator` lets several servers share the memory in production.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol


class EventDeduplicator(Protocol):
    async def first_seen(self, key: str) -> bool:
        """True the first time ``key`` is seen within the time-to-live, False for a repeat."""
        ...


class InMemoryDeduplicator:
    """Bounded TTL set: at most ``max_entries`` keys, each forgotten after ``ttl_seconds``."""

    def __init__(
        self, ttl_seconds: float = 3600.0, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = asyncio.Lock()

    async def first_seen(self, key: str) -> bool:
        async with self._lock:
            now = self._clock()
            while self._seen:  # entries are in insertion order, so expired ones are at the front
                oldest_key, expires = next(iter(self._seen.items()))
                if expires > now and len(self._seen) < self._max:
                    break
                del self._seen[oldest_key]
            if key in self._seen:
                return False
            self._seen[key] = now + self._ttl
            return True


class RedisDeduplicator:
    """``SET key 1 NX EX ttl`` on a ``redis.asyncio.Redis`` client (redis-py comes with Rasa)."""

    def __init__(self, redis: Any, ttl_seconds: int = 3600, prefix: str = "zalo:event:") -> None:
        self._redis = redis
        self._ttl = ttl_seconds
        self._prefix = prefix

    async def first_seen(self, key: str) -> bool:
        return bool(await self._redis.set(self._prefix + key, "1", nx=True, ex=self._ttl))

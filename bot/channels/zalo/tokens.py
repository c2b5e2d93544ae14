"""Zalo OA access tokens: where they live and how they are renewed.

Zalo access tokens last about 25 hours and refresh tokens are *single use*: the refresh call returns
a new pair and the old refresh token is dead. So (1) only one refresh may run at a time (an
``asyncio.Lock``, plus a re-check of the store for a refresh done by another process), and (2) the
new pair is written to the store atomically *before* the new access token is used, so a crash can
never leave us holding only a consumed refresh token.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

logger = logging.getLogger(__name__)


class ZaloAuthError(RuntimeError):
    """No usable token, or Zalo refused to refresh it (an operator must re-authorise the OA)."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    # Fingerprint of the seed refresh token (from the environment) this pair descends from: when the
    # operator seeds new tokens, the stored chain is obsolete and the new seed wins.
    seed: str = ""
    # When the access token stops working (epoch seconds, from the refresh answer's ``expires_in``);
    # 0 when unknown (seed tokens from the environment): then only Zalo's expiry error triggers a refresh.
    expires_at: float = 0.0

    def __repr__(self) -> str:
        return "TokenPair(<hidden>)"


def seed_fingerprint(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode("utf-8")).hexdigest()[:16] if refresh_token else ""


class TokenStore(Protocol):
    def load(self) -> TokenPair | None: ...

    def save(self, pair: TokenPair) -> None: ...


class FileTokenStore:
    """JSON file (mode 600), replaced atomically: write a temporary file, fsync, ``os.replace``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def load(self) -> TokenPair | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return TokenPair(
                str(data["access_token"]),
                str(data["refresh_token"]),
                str(data.get("seed", "")),
                float(data.get("expires_at") or 0.0),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            logger.error("zalo.tokens.store_unreadable", extra={"path": str(self.path)})
            return None

    def save(self, pair: TokenPair) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".zalo_tokens.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(asdict(pair), handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class MemoryTokenStore:
    """For tests and for running without a writable disk (tokens are lost on restart)."""

    def __init__(self, pair: TokenPair | None = None) -> None:
        self.pair = pair

    def load(self) -> TokenPair | None:
        return self.pair

    def save(self, pair: TokenPair) -> None:
        self.pair = pair


Refresher = Callable[[str], Awaitable[TokenPair]]


# Refresh this long before the announced expiry, so no reply is ever sent with a dying token.
REFRESH_AHEAD_SECONDS = 600.0


class TokenManager:
    """The current access token, refreshed ahead of its expiry and, exactly once at a time, when Zalo
    says it expired."""

    def __init__(
        self,
        store: TokenStore,
        refresher: Refresher,
        seed_access: str = "",
        seed_refresh: str = "",
        *,
        clock: Callable[[], float] = time.time,
        refresh_ahead_seconds: float = REFRESH_AHEAD_SECONDS,
    ) -> None:
        self._store = store
        self._refresher = refresher
        self._seed = TokenPair(seed_access, seed_refresh, seed_fingerprint(seed_refresh))
        self._pair: TokenPair | None = None
        self._lock = asyncio.Lock()
        self._clock = clock
        self._refresh_ahead = refresh_ahead_seconds
        self.refresh_count = 0

    def _expiring(self, pair: TokenPair) -> bool:
        return bool(pair.expires_at) and self._clock() >= pair.expires_at - self._refresh_ahead

    def _choose(self, stored: TokenPair | None) -> TokenPair:
        if stored is None or (self._seed.seed and stored.seed != self._seed.seed):
            return self._seed
        return stored

    async def access_token(self) -> str:
        if self._pair is None:
            self._pair = self._choose(await asyncio.to_thread(self._store.load))
        if not self._pair.access_token:
            if self._pair.refresh_token:
                return await self.refresh("")  # only a refresh token was configured
            raise ZaloAuthError("no Zalo access token configured")
        if self._expiring(self._pair) and self._pair.refresh_token:
            try:
                return await self.refresh(self._pair.access_token)
            except ZaloAuthError:
                # Zalo refused the early refresh: the current token may still work until it expires.
                logger.warning("zalo.tokens.early_refresh_failed")
        return self._pair.access_token

    async def refresh(self, stale_access_token: str) -> str:
        """A fresh access token to replace ``stale_access_token``; refreshes at most once per stale token."""
        async with self._lock:
            if self._pair is not None and self._pair.access_token != stale_access_token:
                return self._pair.access_token  # another task refreshed while we waited
            stored = self._choose(await asyncio.to_thread(self._store.load))
            if stored.access_token and stored.access_token != stale_access_token:
                self._pair = stored  # another process refreshed and stored it
                return stored.access_token
            if not stored.refresh_token:
                raise ZaloAuthError("no Zalo refresh token configured")
            fresh = await self._refresher(stored.refresh_token)
            fresh = TokenPair(fresh.access_token, fresh.refresh_token, self._seed.seed, fresh.expires_at)
            # The old refresh token is consumed now: persist the new pair before anything else.
            try:
                await asyncio.to_thread(self._store.save, fresh)
            except OSError:
                # Keep the pair in memory so this process still works; a restart will need new tokens.
                self._pair = fresh
                logger.critical("zalo.tokens.store_failed: new refresh token held in memory only")
                raise
            self._pair = fresh
            self.refresh_count += 1
            logger.info("zalo.tokens.refreshed")
            return fresh.access_token

"""HTTP client for the two Zalo endpoints the channel uses: OA customer-service messages and the
OAuth v4 token refresh.

aiohttp (installed with Rasa) keeps the calls on the event loop; every call has a connect and a
total timeout so a slow Zalo can never hold a Rasa conversation lock for long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import aiohttp

from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import TokenPair, ZaloAuthError

logger = logging.getLogger(__name__)

# Error codes meaning "this access token is no longer valid": -216 (invalid) and -220 ("access_token
# is expired or removed", what Zalo answers after ~25 h) on the OA message API, -124 on the ZNS API.
# Each triggers one refresh and one retry.
TOKEN_EXPIRED_CODES = frozenset({-216, -220, -124})
# Errors after which the message was NOT delivered and retrying now will not help: outside the
# reply window (the citizen has not written for too long), quota used up, user blocked the OA, ...
NOT_DELIVERED_CODES = frozenset({-213, -217, -230, -232, -233, -234, -240})


class ZaloApiError(RuntimeError):
    """Zalo answered with an error (``code``) or could not be reached (``code`` None)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"Zalo API error {code}: {reason}")
        self.code = code


class TokenExpiredError(ZaloApiError):
    """The access token was rejected as invalid or expired."""


def expires_at(expires_in: object, now: float) -> float:
    """Epoch seconds of expiry from Zalo's ``expires_in`` (seconds, sent as a string); 0 when absent."""
    try:
        seconds = float(str(expires_in))
    except ValueError:
        return 0.0
    return now + seconds if seconds > 0 else 0.0


class ZaloApiClient:
    def __init__(self, settings: ZaloSettings) -> None:
        self._settings = settings
        self._timeout = aiohttp.ClientTimeout(total=settings.request_timeout, connect=settings.connect_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _client(self) -> aiohttp.ClientSession:
        """One pooled session per event loop (a session cannot outlive or cross its loop)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._session_loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def send_message(self, access_token: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST one customer-service message; returns Zalo's ``data`` on success."""
        headers = {"access_token": access_token, "Content-Type": "application/json"}
        try:
            async with self._client().post(self._settings.message_url, json=body, headers=headers) as response:
                payload = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ZaloApiError(None, type(exc).__name__) from None
        if not isinstance(payload, dict):
            raise ZaloApiError(None, "unexpected response")
        code = payload.get("error", 0)
        if code in TOKEN_EXPIRED_CODES:
            raise TokenExpiredError(code, "access token invalid or expired")
        if code != 0:
            raise ZaloApiError(code if isinstance(code, int) else None, str(payload.get("message", ""))[:200])
        data = payload.get("data")
        return data if isinstance(data, dict) else {}

    async def refresh_tokens(self, refresh_token: str) -> TokenPair:
        """Exchange a (single-use) refresh token for a new access + refresh token pair."""
        form = {"app_id": self._settings.app_id, "refresh_token": refresh_token, "grant_type": "refresh_token"}
        headers = {"secret_key": self._settings.app_secret}
        try:
            async with self._client().post(self._settings.oauth_url, data=form, headers=headers) as response:
                payload = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ZaloAuthError(f"token refresh failed: {type(exc).__name__}") from None
        # Zalo reports OAuth failures with error_name/error_description, sometimes with HTTP 200.
        if not isinstance(payload, dict) or not payload.get("access_token") or not payload.get("refresh_token"):
            reason = payload.get("error_name") or payload.get("error") if isinstance(payload, dict) else None
            raise ZaloAuthError(f"token refresh refused: {reason}")
        return TokenPair(
            str(payload["access_token"]),
            str(payload["refresh_token"]),
            expires_at=expires_at(payload.get("expires_in"), time.time()),
        )

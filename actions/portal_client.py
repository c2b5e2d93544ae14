"""The one HTTP client the actions use to reach the portal service.

Built so that a slow or broken portal never makes a citizen wait: short connect/read timeouts,
one retry on idempotent GETs, and a circuit breaker that fails fast after repeated errors.
Every failure surfaces as :class:`PortalError` whose ``kind`` maps to a Vietnamese message.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests

from bot.settings import AssistantSettings, get_settings

logger = logging.getLogger(__name__)


class PortalError(Exception):
    """A portal call that did not give a usable answer.

    ``kind`` is one of: ``unavailable`` (down, timeout, circuit open), ``not_found``,
    ``throttled``, ``invalid`` (the request was refused as malformed), ``bad_response``.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class _CircuitBreaker:
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
                self.opened_at = None  # half-open: let one call probe the portal
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


class PortalClient:
    """Typed access to the portal's ``/api/v1`` endpoints."""

    def __init__(self, settings: AssistantSettings | None = None, session: requests.Session | None = None) -> None:
        self.settings = settings or get_settings()
        self.session = session or requests.Session()
        if self.settings.portal_token:
            self.session.headers["Authorization"] = f"Bearer {self.settings.portal_token}"
        self.session.headers["Accept"] = "application/json"
        self._timeout = (self.settings.portal_connect_timeout, self.settings.portal_read_timeout)
        self._breaker = _CircuitBreaker(self.settings.portal_failure_threshold, self.settings.portal_cooldown)

    # -- public API -------------------------------------------------------------------------

    def search_procedures(self, query: str, limit: int = 5) -> list[dict[str, Any]]:
        """Procedures ranked for a citizen's wording; [] when nothing matches."""
        body = self._request("GET", "/api/v1/procedures", params={"q": query, "limit": limit}, retry=True)
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise PortalError("bad_response", "procedures: no item list")
        return [item for item in items if isinstance(item, dict) and item.get("code")]

    def get_procedure(self, code: str) -> dict[str, Any]:
        """The full structured record of one procedure."""
        body = self._request("GET", f"/api/v1/procedures/{requests.utils.quote(code, safe='')}", retry=True)
        if not isinstance(body, dict) or "code" not in body:
            raise PortalError("bad_response", "procedure: no code")
        return body

    def lookup_dossier(self, code: str, factor: str, client_id: str) -> dict[str, Any]:
        """Status of a dossier, given its code and the owner's verification factor.

        Not retried: a lookup counts towards the portal's failure throttling.
        """
        body = self._request(
            "POST",
            "/api/v1/dossiers/lookup",
            json={"code": code, "factor": factor},
            headers={"X-Client-Id": hashlib.sha256(client_id.encode()).hexdigest()[:32]},
            retry=False,
        )
        if not isinstance(body, dict):
            raise PortalError("bad_response", "lookup: not an object")
        return body

    # -- transport ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, retry: bool, **kwargs: Any) -> Any:
        attempts = 2 if retry else 1
        last_error = PortalError("unavailable")
        for attempt in range(attempts):
            if not self._breaker.allow():
                raise PortalError("unavailable", "circuit open")
            try:
                response = self.session.request(
                    method, self.settings.portal_url + path, timeout=self._timeout, **kwargs
                )
            except requests.RequestException as exc:
                self._breaker.record(success=False)
                last_error = PortalError("unavailable", type(exc).__name__)
                logger.warning("portal %s %s failed (attempt %d): %s", method, path.split("?")[0], attempt + 1, exc)
                continue
            if response.status_code >= 500:
                self._breaker.record(success=False)
                last_error = PortalError("unavailable", f"HTTP {response.status_code}")
                continue
            self._breaker.record(success=True)
            return self._decode(response)
        raise last_error

    @staticmethod
    def _decode(response: requests.Response) -> Any:
        status = response.status_code
        if status == 404:
            raise PortalError("not_found")
        if status == 429:
            raise PortalError("throttled")
        if status in (400, 422):
            raise PortalError("invalid")
        if status >= 400:
            raise PortalError("unavailable", f"HTTP {status}")
        try:
            return response.json()
        except ValueError as exc:
            raise PortalError("bad_response", "not JSON") from exc

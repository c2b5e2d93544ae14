"""The one HTTP client the actions use to reach the staff console's internal API.

The console owns what staff change without retraining (published FAQ answers) and what staff act
on (handoffs, complaints). Calls are short (``console_timeout``, 1.5 s by default) and never
retried: a missing console must not delay the reply, the actions fall back to what the model
knows (the domain's FAQ answer) or to a fixed hotline message. Published FAQ answers are cached
for ``faq_cache_seconds`` (20 s by default) so an edit reaches citizens well within a minute
while a busy bot does not ask the console on every FAQ.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import requests

from actions.circuit_breaker import CircuitBreaker
from actions.per_process import PerProcess
from actions.settings import AssistantSettings, get_settings

logger = logging.getLogger(__name__)


class ConsoleError(Exception):
    """The console did not give a usable answer (down, slow, refused, malformed)."""


class ConsoleClient:
    """Typed access to the console's ``/api/v1`` endpoints."""

    def __init__(self, settings: AssistantSettings | None = None, session: requests.Session | None = None) -> None:
        self.settings = settings or get_settings()
        self.session = session or requests.Session()
        if self.settings.console_token:
            self.session.headers["Authorization"] = f"Bearer {self.settings.console_token}"
        self.session.headers["Accept"] = "application/json"
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
        self._cache_lock = threading.Lock()
        # A console that keeps failing is not waited for on every turn (FAQ answers fall back to the
        # trained ones, complaints and handoffs go to the outbox at once).
        self._breaker = CircuitBreaker(self.settings.console_failure_threshold, self.settings.console_cooldown)

    # -- FAQs -----------------------------------------------------------------------------------

    def faq(self, key: str) -> dict[str, Any] | None:
        """The published FAQ ``key`` (``{key, title, answer, ...}``), None when not published.

        Cached for ``faq_cache_seconds``, including "not published" answers.
        """
        now = time.monotonic()
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached and now - cached[0] < self.settings.faq_cache_seconds:
                return cached[1]
        try:
            body = self._call("GET", f"/api/v1/faqs/{requests.utils.quote(key, safe='')}")
        except _NotFoundError:
            body = None
        if body is not None and not (isinstance(body, dict) and isinstance(body.get("answer"), str)):
            raise ConsoleError("faq: no answer text")
        with self._cache_lock:
            self._cache[key] = (now, body)
        return body

    def match_faq(self, text: str, limit: int = 3, min_score: float = 0.35) -> list[dict[str, Any]]:
        """Published FAQs whose wording is close to ``text``, best first (score in [0, 1])."""
        try:
            body = self._call("GET", "/api/v1/faqs/match", params={"q": text, "limit": limit, "min_score": min_score})
        except _NotFoundError:
            return []
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise ConsoleError("match: no result list")
        return [item for item in results if isinstance(item, dict) and isinstance(item.get("answer"), str)]

    # -- handoffs and complaints ------------------------------------------------------------------

    def create_handoff(
        self,
        sender_id: str,
        channel: str,
        reason: str,
        last_messages: list[dict[str, str]],
        contact: str | None = None,
    ) -> dict[str, Any]:
        """Open (or find the open) handoff of a conversation; ``last_messages`` must be masked.

        A ``contact`` (phone or e-mail the citizen left) is recorded on the handoff, new or open."""
        payload: dict[str, Any] = {
            "sender_id": sender_id,
            "channel": channel,
            "reason": reason,
            "last_messages": last_messages,
        }
        if contact:
            payload["contact"] = contact
        body = self._call("POST", "/api/v1/handoffs", json=payload)
        if not isinstance(body, dict) or "id" not in body:
            raise ConsoleError("handoff: no id")
        return body

    def create_complaint(self, sender_id: str, channel: str, description: str, contact: str | None) -> str:
        """Store a complaint (phản ánh, kiến nghị); returns its reference number."""
        payload: dict[str, Any] = {"sender_id": sender_id, "channel": channel, "description": description}
        if contact:
            payload["contact"] = contact
        body = self._call("POST", "/api/v1/complaints", json=payload)
        if not isinstance(body, dict) or not isinstance(body.get("reference"), str):
            raise ConsoleError("complaint: no reference")
        return body["reference"]

    # -- transport --------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        timeout = self.settings.console_timeout
        if not self._breaker.allow():
            raise ConsoleError("circuit open")
        try:
            response = self.session.request(
                method, self.settings.console_url + path, timeout=(min(1.0, timeout), timeout), **kwargs
            )
        except requests.RequestException as exc:
            self._breaker.record(success=False)
            logger.warning("console %s %s failed: %s", method, path.split("?")[0], type(exc).__name__)
            raise ConsoleError(type(exc).__name__) from exc
        self._breaker.record(success=response.status_code < 500)
        if response.status_code == 404:
            raise _NotFoundError()
        if response.status_code >= 400:
            logger.warning("console %s %s answered HTTP %d", method, path.split("?")[0], response.status_code)
            raise ConsoleError(f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ConsoleError("not JSON") from exc


class _NotFoundError(ConsoleError):
    """HTTP 404: the FAQ is not published (an answer, not a failure)."""


_SHARED = PerProcess(ConsoleClient)


def shared_console_client() -> ConsoleClient:
    """One client (connection pool and FAQ cache) per action-server process."""
    return _SHARED.get()


def reset_shared_console_client() -> None:
    """Forget the shared client and its cache (tests that change the environment)."""
    _SHARED.reset()

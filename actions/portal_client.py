"""The one HTTP client the actions use to reach the portal service.

Built so that a slow or broken portal never makes a citizen wait: short connect/read timeouts,
one retry on idempotent GETs, and a circuit breaker that fails fast after repeated errors. On top
of that every call runs against a wall-clock *deadline* (``reply_budget``, 3.5 s by default) that an
action shares across all its calls: a retry, or a second call, only gets the time that is left, so
timeouts plus retry can never add up past the 5 s a citizen may wait.
Every failure surfaces as :class:`PortalError` whose ``kind`` maps to a Vietnamese message
(:data:`ERROR_MESSAGES`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import requests

from actions.circuit_breaker import CircuitBreaker
from actions.per_process import PerProcess
from actions.settings import AssistantSettings, get_settings

logger = logging.getLogger(__name__)


ERROR_MESSAGES = {
    "unavailable": "Xin lỗi, hệ thống tra cứu của Cổng đang tạm thời gián đoạn. Bạn vui lòng thử lại sau ít phút.",
    "throttled": "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.",
    "id_number_required": (
        "Vì an toàn, hồ sơ này hiện chỉ tra cứu được bằng số định danh cá nhân (12 chữ số) của người nộp. "
        "Bạn vui lòng nhập số định danh cá nhân nhé."
    ),
    "bad_response": "Xin lỗi, hệ thống tra cứu trả về dữ liệu không đọc được. Bạn vui lòng thử lại sau.",
    "invalid": "Thông tin gửi đi chưa đúng định dạng. Bạn kiểm tra lại giúp mình nhé.",
    "not_found": "Mình chưa tìm thấy thông tin phù hợp.",
}
# Below this many seconds left there is no point in starting a request.
MIN_ATTEMPT_SECONDS = 0.2


def error_message(kind: str) -> str:
    """The Vietnamese sentence a citizen sees for a :class:`PortalError` kind."""
    return ERROR_MESSAGES.get(kind, ERROR_MESSAGES["unavailable"])


class PortalError(Exception):
    """A portal call that did not give a usable answer.

    ``kind`` is one of: ``unavailable`` (down, timeout, circuit open), ``not_found``,
    ``throttled``, ``id_number_required`` (the code takes only the ID number now), ``invalid`` (the
    request was refused as malformed), ``bad_response``.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


class PortalClient:
    """Typed access to the portal's ``/api/v1`` endpoints."""

    def __init__(self, settings: AssistantSettings | None = None, session: requests.Session | None = None) -> None:
        self.settings = settings or get_settings()
        self.session = session or requests.Session()
        if self.settings.portal_token:
            self.session.headers["Authorization"] = f"Bearer {self.settings.portal_token}"
        self.session.headers["Accept"] = "application/json"
        self._breaker = CircuitBreaker(self.settings.portal_failure_threshold, self.settings.portal_cooldown)

    def deadline(self) -> float:
        """A fresh deadline (``time.monotonic()`` value) for the calls of one action."""
        return time.monotonic() + self.settings.reply_budget

    # -- public API -------------------------------------------------------------------------

    def search_procedures(self, query: str, limit: int = 5, deadline: float | None = None) -> list[dict[str, Any]]:
        """Procedures ranked for a citizen's wording; [] when nothing matches."""
        body = self._request(
            "GET", "/api/v1/procedures", params={"q": query, "limit": limit}, retry=True, deadline=deadline
        )
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise PortalError("bad_response", "procedures: no item list")
        return [item for item in items if isinstance(item, dict) and item.get("code")]

    def get_procedure(self, code: str, deadline: float | None = None) -> dict[str, Any]:
        """The full structured record of one procedure."""
        path = f"/api/v1/procedures/{requests.utils.quote(code, safe='')}"
        body = self._request("GET", path, retry=True, deadline=deadline)
        if not isinstance(body, dict) or "code" not in body:
            raise PortalError("bad_response", "procedure: no code")
        return body

    def lookup_dossier(self, code: str, factor: str, client_id: str, deadline: float | None = None) -> dict[str, Any]:
        """Status of a dossier, given its code and the owner's verification factor.

        Not retried: a lookup counts towards the portal's failure throttling.
        """
        body = self._request(
            "POST",
            "/api/v1/dossiers/lookup",
            json={"code": code, "factor": factor},
            headers={"X-Client-Id": hashlib.sha256(client_id.encode()).hexdigest()[:32]},
            retry=False,
            deadline=deadline,
        )
        if not isinstance(body, dict):
            raise PortalError("bad_response", "lookup: not an object")
        return body

    # -- transport ---------------------------------------------------------------------------

    def _timeouts(self, deadline: float) -> tuple[float, float] | None:
        """(connect, read) timeouts that end before ``deadline``; None when too little time is left."""
        left = deadline - time.monotonic()
        if left < MIN_ATTEMPT_SECONDS:
            return None
        connect = min(self.settings.portal_connect_timeout, left / 2)
        read = min(self.settings.portal_read_timeout, left - connect)
        return connect, read

    def _request(self, method: str, path: str, *, retry: bool, deadline: float | None, **kwargs: Any) -> Any:
        attempts = 2 if retry else 1
        deadline = deadline if deadline is not None else self.deadline()
        last_error = PortalError("unavailable")
        for attempt in range(attempts):
            if not self._breaker.allow():
                raise PortalError("unavailable", "circuit open")
            timeouts = self._timeouts(deadline)
            if timeouts is None:
                last_error = PortalError("unavailable", "reply budget spent")
                break
            try:
                response = self.session.request(method, self.settings.portal_url + path, timeout=timeouts, **kwargs)
            except requests.RequestException as exc:
                self._breaker.record(success=False)
                last_error = PortalError("unavailable", type(exc).__name__)
                logger.warning(
                    "portal %s %s failed (attempt %d): %s", method, path.split("?")[0], attempt + 1, type(exc).__name__
                )
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
        if status == 403:
            raise PortalError("id_number_required")
        if status in (400, 422):
            raise PortalError("invalid")
        if status >= 400:
            raise PortalError("unavailable", f"HTTP {status}")
        try:
            return response.json()
        except ValueError as exc:
            raise PortalError("bad_response", "not JSON") from exc


_SHARED = PerProcess(PortalClient)


def shared_portal_client() -> PortalClient:
    """One client (connection pool and circuit breaker) per action-server process."""
    return _SHARED.get()


def reset_shared_portal_client() -> None:
    """Forget the shared client (tests that change the environment)."""
    _SHARED.reset()

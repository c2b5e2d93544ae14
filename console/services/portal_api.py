"""The calls the console makes to the portal service (``PORTAL_SERVICE_TOKEN``): procedure briefs.

Staff corrections of a brief are stored by the portal (it serves the brief to the bot), so the
console only reads the brief and sends what staff typed, with the staff member's username for the
portal's audit. Console and portal share no code: this is plain HTTP.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

logger = logging.getLogger(__name__)


class PortalUnavailableError(RuntimeError):
    """The portal did not answer usefully (down, token missing or wrong, server error)."""


class PortalNotFoundError(LookupError):
    """No procedure with that code."""


class PortalRejectedError(ValueError):
    """The portal refused the correction; the message is Vietnamese, for staff."""


@dataclass(frozen=True)
class PortalApi:
    url: str
    token: str
    timeout: float = 5.0

    def list_corrections(self) -> list[dict[str, Any]]:
        return self._call("GET", "/api/v1/brief-corrections")["items"]

    def get_correction(self, code: str) -> dict[str, Any]:
        """Imported brief, served brief, the correction (or None), stale reasons and history."""
        return self._call("GET", f"/api/v1/procedures/{quote(code, safe='')}/brief-correction")

    def save_correction(self, code: str, correction: dict[str, Any]) -> dict[str, Any]:
        return self._call("PUT", f"/api/v1/procedures/{quote(code, safe='')}/brief-correction", correction)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        if not self.token:
            raise PortalUnavailableError("PORTAL_SERVICE_TOKEN is not configured")
        headers = {"Authorization": f"Bearer {self.token}"}
        try:
            response = httpx.request(
                method, self.url.rstrip("/") + path, json=body, headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            logger.warning("portal.api.unreachable error=%s", type(exc).__name__)
            raise PortalUnavailableError(type(exc).__name__) from exc
        if response.status_code == 404:
            raise PortalNotFoundError(path)
        if response.status_code == 422:
            raise PortalRejectedError(_message(response))
        if response.status_code != 200:
            logger.warning("portal.api.refused status=%d", response.status_code)
            raise PortalUnavailableError(f"HTTP {response.status_code}")
        return response.json()


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return "Cổng dữ liệu thủ tục không chấp nhận thay đổi."

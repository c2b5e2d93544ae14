"""The few calls the console makes to Rasa's HTTP API (``rasa run --enable-api --auth-token``).

Why through Rasa and not straight into the tracker database: Rasa holds a lock per conversation
and caches trackers, so only its API can change a conversation safely while the citizen is
talking. The two calls used:

* ``POST /conversations/{id}/tracker/events`` with a ``slot`` event: ``handoff_active`` true while
  a staff member owns the conversation (the bot's HandoffPolicy then stays silent), false after.
* the same with a ``bot`` event and ``?output_channel=latest&execute_side_effects=true``: Rasa
  appends the message to the tracker *and* hands it to the output channel of the conversation's
  latest input channel (rasa/server.py ``_get_output_channel``; without ``execute_side_effects``
  the event is only stored). Zalo's input channel returns its output channel, so the citizen gets
  a Zalo message; the REST channel cannot push, so the web widget polls ``web/server.py`` for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from common.conversation import HANDOFF_SLOT, STAFF_METADATA

logger = logging.getLogger(__name__)


class RasaUnavailableError(RuntimeError):
    """Rasa did not accept the call (down, wrong token, error answer)."""

    citizen_message = "Chưa gửi được tin nhắn vì không kết nối được với trợ lý ảo. Vui lòng gửi lại."


class NotDeliveredError(RasaUnavailableError):
    """Rasa took the message but the citizen's channel refused it (Zalo: reply window closed, quota
    used up, OA blocked); Rasa then keeps nothing, so the transcript shows no message either."""

    citizen_message = (
        "Zalo không chuyển được tin nhắn cho người dân (thường do người dân đã lâu không nhắn cho OA, "
        "hoặc OA đã hết hạn mức tin). Câu trả lời đã được lưu; hãy liên hệ người dân qua số điện thoại "
        "hoặc email nếu có."
    )


# What the Zalo output channel's ZaloDeliveryError leaves in Rasa's 500 answer.
_NOT_DELIVERED_MARKER = "ZaloDeliveryError"


@dataclass(frozen=True)
class RasaApi:
    """A client of one Rasa server; ``token`` is RASA_AUTH_TOKEN (empty: calls are refused)."""

    url: str
    token: str
    timeout: float = 5.0

    def _events_url(self, sender_id: str) -> str:
        # ":" stays as is: Sanic does not decode path parameters, so "web%3A…" would be another conversation.
        return f"{self.url.rstrip('/')}/conversations/{quote(sender_id, safe=':')}/tracker/events"

    def append_events(self, sender_id: str, events: list[dict[str, Any]], deliver: bool = False) -> None:
        """Append ``events`` to the conversation; ``deliver`` also sends bot events to the citizen."""
        if not self.token:
            raise RasaUnavailableError("RASA_AUTH_TOKEN is not configured")
        params = {"token": self.token}
        if deliver:
            params.update({"output_channel": "latest", "execute_side_effects": "true"})
        try:
            response = httpx.post(self._events_url(sender_id), params=params, json=events, timeout=self.timeout)
        except httpx.HTTPError as exc:
            logger.warning("rasa.api.unreachable error=%s", type(exc).__name__)
            raise RasaUnavailableError(type(exc).__name__) from exc
        if response.status_code != 200:
            if deliver and _NOT_DELIVERED_MARKER in response.text:
                logger.warning("rasa.api.not_delivered status=%d", response.status_code)
                raise NotDeliveredError("the channel did not deliver the message")
            logger.warning("rasa.api.refused status=%d", response.status_code)
            raise RasaUnavailableError(f"HTTP {response.status_code}")

    def set_handoff(self, sender_id: str, active: bool) -> None:
        """Tell the bot whether a person owns the conversation (slot ``handoff_active``)."""
        self.append_events(sender_id, [{"event": "slot", "name": HANDOFF_SLOT, "value": active}])

    def send_staff_message(self, sender_id: str, text: str) -> None:
        """Deliver ``text`` to the citizen through the conversation's latest channel."""
        event = {"event": "bot", "text": text, "metadata": dict(STAFF_METADATA)}
        self.append_events(sender_id, [event], deliver=True)

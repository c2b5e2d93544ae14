"""Rasa output channel that answers through the Zalo OA customer-service message API.

Long texts are split at 2,000 characters on sentence boundaries; Rasa buttons become Zalo buttons
(``oa.query.show``/``oa.query.hide`` carrying the signed payload, ``oa.open.url`` for links,
``oa.open.phone`` for phone numbers). A delivery failure is logged (error code only, never the text)
and stops the remaining parts of that message, so a citizen never receives parts out of order.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.guard import MessageGuard, PayloadSigningMixin
from bot.channels.text_split import message_parts
from bot.channels.zalo.api import TokenExpiredError, ZaloApiClient, ZaloApiError
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import TokenManager, ZaloAuthError

logger = logging.getLogger(__name__)

MAX_BUTTONS = 5  # Zalo shows at most five buttons under one message (verify)
MAX_BUTTON_TITLE = 100


def zalo_button(button: dict[str, Any], query_type: str) -> dict[str, Any] | None:
    """One Rasa button as a Zalo button, or None when it has nothing Zalo can act on."""
    title = str(button.get("title") or "").strip()[:MAX_BUTTON_TITLE]
    payload = button.get("payload")
    kind = button.get("type")
    url = button.get("url") or (payload if kind == "web_url" else None)
    if not title:
        return None
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return {"title": title, "type": "oa.open.url", "payload": {"url": url}}
    if kind == "phone_number" and isinstance(payload, str):
        return {"title": title, "type": "oa.open.phone", "payload": {"phone_code": payload}}
    if isinstance(payload, str) and payload:
        return {"title": title, "type": query_type, "payload": payload}
    return None


def button_message(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A text message with buttons attached (the v3 customer-service template shape; verify)."""
    return {"text": text, "attachment": {"type": "template", "payload": {"buttons": buttons}}}


class ZaloOutput(PayloadSigningMixin, OutputChannel):
    """Sends Rasa's answers to one Zalo user; the recipient is the namespaced tracker sender id."""

    @classmethod
    def name(cls) -> str:
        return "zalo"

    def __init__(
        self, settings: ZaloSettings, client: ZaloApiClient, tokens: TokenManager, guard: MessageGuard
    ) -> None:
        self.settings = settings
        self.client = client
        self.tokens = tokens
        self.guard = guard

    def _user_id(self, recipient_id: str) -> str:
        return self.guard.local_sender(self.settings.sender_namespace, recipient_id)

    async def _post(self, user_id: str, message: dict[str, Any]) -> None:
        """Send one message; on an expired token, refresh (once, shared) and retry once."""
        body = {"recipient": {"user_id": user_id}, "message": message}
        token = await self.tokens.access_token()
        try:
            await self.client.send_message(token, body)
        except TokenExpiredError:
            fresh = await self.tokens.refresh(token)
            await self.client.send_message(fresh, body)

    async def _deliver(self, recipient_id: str, messages: list[dict[str, Any]]) -> None:
        user_id = self._user_id(recipient_id)
        for index, message in enumerate(messages):
            try:
                await self._post(user_id, message)
            except (ZaloApiError, ZaloAuthError) as exc:
                code = exc.code if isinstance(exc, ZaloApiError) else "auth"
                logger.error(
                    "zalo.send.failed code=%s part=%d/%d (remaining parts dropped)", code, index + 1, len(messages)
                )
                return

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        parts = message_parts(text, self.settings.max_message_chars)
        await self._deliver(recipient_id, [{"text": part} for part in parts])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        converted = [b for b in (zalo_button(button, self.settings.button_type) for button in buttons) if b]
        parts = message_parts(text or "", self.settings.max_message_chars) or ["Mời bạn chọn:"]
        messages: list[dict[str, Any]] = [{"text": part} for part in parts[:-1]]
        groups = [converted[i : i + MAX_BUTTONS] for i in range(0, len(converted), MAX_BUTTONS)] or [[]]
        messages.append(button_message(parts[-1], groups[0]) if groups[0] else {"text": parts[-1]})
        messages.extend(button_message("Lựa chọn khác:", group) for group in groups[1:])
        await self._deliver(recipient_id, messages)

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        if isinstance(attachment, str):
            await self.send_text_message(recipient_id, attachment)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Custom responses may carry a ready Zalo message under ``zalo``; anything else is not shown."""
        message = json_message.get("zalo") if isinstance(json_message, dict) else None
        if isinstance(message, dict):
            await self._deliver(recipient_id, [message])
        else:
            logger.debug("zalo.custom_json.skipped")

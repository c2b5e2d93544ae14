"""Rasa output channel that answers through the Zalo OA customer-service message API.

Long texts are split at 2,000 characters on sentence boundaries; Rasa buttons become Zalo buttons
(``oa.query.hide`` carrying the signed payload, so the citizen never sees it echoed in the chat,
``oa.open.url`` for links, ``oa.open.phone`` for phone numbers) in the v3 template shape. When Zalo
refuses a message with buttons, its text is sent alone with the choices written out, so the answer
is never lost with its buttons.

A delivery failure is logged (error code only, never the text) and stops the remaining parts of that
message, so a citizen never receives parts out of order. Whether it also *raises*
(:class:`ZaloDeliveryError`) depends on who is sending: inside a citizen's own turn Rasa must go on
and save the conversation, so it only logs; a staff reply pushed through Rasa's HTTP API raises, so
the API answers an error and the console shows that the citizen did not get it.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rasa.core.channels.channel import OutputChannel

from bot.channels.guard import MessageGuard, PayloadSigningMixin
from bot.channels.text_split import message_parts
from bot.channels.zalo.api import NOT_DELIVERED_CODES, TokenExpiredError, ZaloApiClient, ZaloApiError
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import TokenManager, ZaloAuthError
from common.conversation import ZALO_CHANNEL

logger = logging.getLogger(__name__)

MAX_BUTTONS = 5  # Zalo shows at most five buttons under one message
MAX_BUTTON_TITLE = 100
QUERY_BUTTON_TYPE = "oa.query.hide"  # "oa.query.show" would echo the signed payload in the chat
BUTTON_TEMPLATE_TYPE = "button"

# False inside a citizen's turn (see the module docstring); the default, True, is for API pushes.
_raise_on_failure: contextvars.ContextVar[bool] = contextvars.ContextVar("zalo_raise_on_failure", default=True)


class ZaloDeliveryError(RuntimeError):
    """A message did not reach the citizen; ``code`` is Zalo's error code (None: not reachable)."""

    def __init__(self, code: int | str | None) -> None:
        super().__init__(f"ZaloDeliveryError code={code}")
        self.code = code


@contextmanager
def failures_logged_only() -> Iterator[None]:
    """Within this block a failed delivery is logged, not raised (a citizen's own turn)."""
    token = _raise_on_failure.set(False)
    try:
        yield
    finally:
        _raise_on_failure.reset(token)


def zalo_button(button: dict[str, Any]) -> dict[str, Any] | None:
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
        return {"title": title, "type": QUERY_BUTTON_TYPE, "payload": payload}
    return None


def button_message(text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    """A text message with buttons attached, in the v3 template shape (``template_type`` set)."""
    payload = {"template_type": BUTTON_TEMPLATE_TYPE, "buttons": buttons}
    return {"text": text, "attachment": {"type": "template", "payload": payload}}


def text_only(message: dict[str, Any]) -> dict[str, Any] | None:
    """The text of a button message with its choices written out, or None for a plain text."""
    attachment = message.get("attachment")
    if not isinstance(attachment, dict):
        return None
    titles = [str(button.get("title")) for button in attachment.get("payload", {}).get("buttons", [])]
    lines = [message.get("text") or "", *(f"• {title}" for title in titles if title)]
    return {"text": "\n".join(line for line in lines if line)}


class ZaloOutput(PayloadSigningMixin, OutputChannel):
    """Sends Rasa's answers to one Zalo user; the recipient is the namespaced tracker sender id."""

    @classmethod
    def name(cls) -> str:
        return ZALO_CHANNEL

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

    async def _post_or_text(self, user_id: str, message: dict[str, Any]) -> None:
        """Send ``message``; when Zalo refuses it for its buttons, send its text alone."""
        try:
            await self._post(user_id, message)
        except ZaloApiError as exc:
            fallback = text_only(message)
            if fallback is None or exc.code is None or exc.code in NOT_DELIVERED_CODES:
                raise
            logger.warning("zalo.send.buttons_refused code=%s: sending the text alone", exc.code)
            await self._post(user_id, fallback)

    async def _deliver(self, recipient_id: str, messages: list[dict[str, Any]]) -> None:
        user_id = self._user_id(recipient_id)
        for index, message in enumerate(messages):
            try:
                await self._post_or_text(user_id, message)
            except (ZaloApiError, ZaloAuthError) as exc:
                code = exc.code if isinstance(exc, ZaloApiError) else "auth"
                logger.error(
                    "zalo.send.failed code=%s part=%d/%d (remaining parts dropped)", code, index + 1, len(messages)
                )
                if _raise_on_failure.get():
                    raise ZaloDeliveryError(code) from None
                return

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        parts = message_parts(text, self.settings.max_message_chars)
        await self._deliver(recipient_id, [{"text": part} for part in parts])

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        converted = [b for b in (zalo_button(button) for button in buttons) if b]
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

"""Guarded REST channel for the web widget: ``POST /webhooks/rest/webhook``.

A drop-in replacement for Rasa's ``rest`` channel (same name, URL and JSON answer) that sends every
message through :class:`bot.channels.guard.MessageGuard`: sender ids are validated (400 with a JSON
error) and namespaced (``web:<uuid>``), text is normalised, over-long text gets a polite answer
without NLU, typed ``/commands`` are neutralised and only signed bot payloads reach Rasa as intents.
Differences from Rasa's channel: the client cannot choose ``input_channel``, metadata must be a small
JSON object, ``?stream=true`` is not offered (the answer is always one JSON list), and a turn that
failed in Rasa is answered 503 (``{"error": "unavailable", ...}``), never 200: a 200 means the
message is in the conversation.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import InvalidSenderError, MessageGuard, PayloadSigningMixin, payload_key_from
from bot.settings import get_settings
from common.client_identity import IpNetwork, client_address, parse_trusted_proxies
from common.conversation import CLIENT_METADATA_KEY, REST_CHANNEL, WEB_NAMESPACE

logger = logging.getLogger(__name__)

MAX_METADATA_BYTES = 2048
UNAVAILABLE_MESSAGE = "Trợ lý ảo tạm thời chưa xử lý được tin nhắn của bạn. Bạn vui lòng gửi lại sau ít phút."


class GuardedCollectingOutputChannel(PayloadSigningMixin, CollectingOutputChannel):
    """Collects the answer for the HTTP response, with signed button payloads and local recipient ids."""

    def __init__(self, guard: MessageGuard, namespace: str) -> None:
        super().__init__()
        self.guard = guard
        self.namespace = namespace

    async def _persist_message(self, message: dict[str, Any]) -> None:
        if "recipient_id" in message:
            message = {**message, "recipient_id": self.guard.local_sender(self.namespace, message["recipient_id"])}
        await super()._persist_message(message)


def clean_metadata(value: Any) -> dict[str, Any]:
    """Client metadata only if it is a small JSON object; the guard's own key cannot be spoofed."""
    if not isinstance(value, dict):
        return {}
    try:
        if len(json.dumps(value, ensure_ascii=False)) > MAX_METADATA_BYTES:
            return {}
    except (TypeError, ValueError):
        return {}
    return {key: item for key, item in value.items() if key not in ("guard", CLIENT_METADATA_KEY)}


def trusted_proxies_from_credentials(credentials: dict[str, Any]) -> tuple[IpNetwork, ...]:
    """The proxies whose ``X-Forwarded-For`` a web channel believes (credentials, else
    ``CHANNEL_TRUSTED_PROXIES``); the same rule for REST and socket.io."""
    return parse_trusted_proxies(credentials.get("trusted_proxies") or get_settings().trusted_proxies)


def guard_from_credentials(credentials: dict[str, Any], min_sender_length: int) -> MessageGuard:
    """The guard a web channel builds from its credentials.yml entry (key: credentials or env)."""
    key = credentials.get("payload_key") or get_settings().payload_key
    return MessageGuard(
        payload_key_from(key),
        max_chars=int(credentials.get("max_message_chars", 2000)),
        min_sender_length=int(credentials.get("min_sender_length", min_sender_length)),
        max_sender_length=int(credentials.get("max_sender_length", 64)),
    )


class GuardedRestInput(RestInput):
    """Register in credentials.yml as ``bot.channels.rest.GuardedRestInput`` (instead of ``rest``)."""

    @classmethod
    def name(cls) -> str:
        return REST_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        # Web sender ids are UUIDs: a short id would be easy to guess and share by accident.
        guard = guard_from_credentials(credentials, min_sender_length=16)
        proxies = trusted_proxies_from_credentials(credentials)
        return cls(guard, namespace=str(credentials.get("sender_namespace", WEB_NAMESPACE)), trusted_proxies=proxies)

    def __init__(
        self, guard: MessageGuard, namespace: str = WEB_NAMESPACE, trusted_proxies: tuple[IpNetwork, ...] = ()
    ) -> None:
        self.guard = guard
        self.namespace = namespace
        self.trusted_proxies = trusted_proxies

    def _client(self, request: Request) -> str:
        address = client_address(request.ip, request.headers.get("x-forwarded-for"), self.trusted_proxies)
        return self.guard.client_pseudonym(address)

    @staticmethod
    def _error(code: str, message: str) -> HTTPResponse:
        return response.json({"error": code, "message": message}, status=400)

    async def _receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        try:
            body = request.json
        except Exception:  # Sanic raises its own InvalidUsage on malformed JSON
            body = None
        if not isinstance(body, dict):
            return self._error("invalid_body", "Body must be a JSON object with 'sender' and 'message'.")
        try:
            sender_id = self.guard.namespaced_sender(self.namespace, body.get("sender"))
        except InvalidSenderError as exc:
            return self._error("invalid_sender", str(exc))
        collector = GuardedCollectingOutputChannel(self.guard, self.namespace)
        admission = self.guard.admit(body.get("message"), sender_id)
        if admission.reply is not None:
            await collector.send_text_message(sender_id, admission.reply)
            return response.json(collector.messages)
        metadata = {
            **clean_metadata(body.get("metadata")),
            **admission.metadata(),
            CLIENT_METADATA_KEY: self._client(request),
        }
        message = UserMessage(admission.text, collector, sender_id, input_channel=self.name(), metadata=metadata)
        try:
            await on_new_message(message)
        except CancelledError:
            logger.error("rest.message.timeout")
        except Exception as exc:  # no text in logs
            # The turn may not be stored (e.g. the database stayed away longer than the tracker
            # store waits): no 200 for it, even with an answer collected; the widget offers to resend.
            logger.error("rest.message.failed error=%s", type(exc).__name__)
            return response.json({"error": "unavailable", "message": UNAVAILABLE_MESSAGE}, status=503)
        return response.json(collector.messages)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook

"""Rasa input channel for a Zalo Official Account: ``POST /webhooks/zalo/webhook``.

Order of checks, and why:
1. the declared body size, then the body read in chunks up to the cap: an oversized body is refused
   before it is held in memory;
2. the ``X-ZEvent-Signature`` over the *raw* body bytes, before the body is parsed (the timestamp
   that enters the formula is read from the raw bytes; it must then equal the parsed one);
3. the body parsed as a JSON object (malformed or absurdly deep JSON is a 400);
4. the timestamp against the replay window and the event id against the de-duplicator (Zalo retries
   events it thinks failed);
5. answer 200 at once (Zalo wants an answer within about 2 s) and handle the event in a background
   task. Failures are logged with the exception type only: no text, no user id.

Zalo disables a webhook that keeps failing, so only what Zalo must not retry is acknowledged with
200 although nothing is done: an authentic but stale or repeated event, and any event while this
server has no Zalo credentials (an operator's mistake must not cost the OA its webhook). Only a body
that is too large, unsigned, wrongly signed or malformed is refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.guard import InvalidSenderError, MessageGuard, payload_key_from
from bot.channels.zalo import signature
from bot.channels.zalo.api import ZaloApiClient
from bot.channels.zalo.dedup import EventDeduplicator, InMemoryDeduplicator, RedisDeduplicator
from bot.channels.zalo.output import ZaloOutput, failures_logged_only
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import FileTokenStore, TokenManager, TokenStore
from common.conversation import ZALO_CHANNEL

logger = logging.getLogger(__name__)

NON_TEXT_REPLY = (
    "Cảm ơn bạn đã gửi tin. Hiện mình chỉ đọc được tin nhắn dạng chữ, chưa xem được hình ảnh, "
    "sticker, tệp, ghi âm hay vị trí. Bạn vui lòng gõ câu hỏi về thủ tục hành chính nhé."
)
# Events that carry something other than text from the citizen; any other user_send_* gets the same.
NON_TEXT_EVENTS = frozenset(
    {
        "user_send_image",
        "user_send_gif",
        "user_send_sticker",
        "user_send_file",
        "user_send_audio",
        "user_send_video",
        "user_send_location",
        "user_send_link",
        "user_send_business_card",
    }
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
# The event's "timestamp" as it appears in the raw body (quoted or not); read before parsing.
_RAW_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,16})"?')
MAX_TIMESTAMP_CANDIDATES = 3


def raw_timestamps(raw: bytes) -> list[str]:
    """Distinct timestamp values found in the raw body, in order (a few at most)."""
    found: list[str] = []
    for match in _RAW_TIMESTAMP.finditer(raw):
        value = match.group(1).decode("ascii")
        if value not in found:
            found.append(value)
        if len(found) == MAX_TIMESTAMP_CANDIDATES:
            break
    return found


def make_deduplicator(settings: ZaloSettings) -> EventDeduplicator:
    """Redis when configured (several Rasa servers share it), else a bounded in-process memory."""
    if settings.dedup_redis_url:
        import redis.asyncio  # comes with Rasa's Redis lock store

        client = redis.asyncio.from_url(settings.dedup_redis_url)
        return RedisDeduplicator(client, ttl_seconds=int(settings.dedup_ttl_seconds))
    return InMemoryDeduplicator(settings.dedup_ttl_seconds, settings.dedup_max_entries)


def event_key(event: dict[str, Any]) -> str:
    """The id that identifies a retried event: Zalo's ``msg_id``, else event, sender and time."""
    message = event.get("message")
    if isinstance(message, dict) and message.get("msg_id"):
        return f"msg:{message['msg_id']}"
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    return f"evt:{event.get('event_name')}:{sender.get('id')}:{event.get('timestamp')}"


class ZaloInput(InputChannel):
    """Zalo OA webhook; register in credentials.yml as ``bot.channels.zalo.ZaloInput``."""

    @classmethod
    def name(cls) -> str:
        return ZALO_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls(ZaloSettings.from_credentials(credentials))

    def __init__(
        self,
        settings: ZaloSettings,
        *,
        client: ZaloApiClient | None = None,
        token_store: TokenStore | None = None,
        deduplicator: EventDeduplicator | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.guard = MessageGuard(payload_key_from(settings.payload_key), max_chars=settings.max_message_chars)
        self.client = client or ZaloApiClient(settings)
        self.tokens = TokenManager(
            token_store or FileTokenStore(settings.token_store_path),
            self.client.refresh_tokens,
            seed_access=settings.access_token,
            seed_refresh=settings.refresh_token,
        )
        self.deduplicator = deduplicator or make_deduplicator(settings)
        self._clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def get_output_channel(self) -> OutputChannel:
        return ZaloOutput(self.settings, self.client, self.tokens, self.guard)

    # ----- webhook -----

    def _reject(self, status: int, reason: str, size: int) -> HTTPResponse:
        # Never the body: it holds the citizen's message and ids.
        logger.warning("zalo.webhook.rejected reason=%s status=%d bytes=%d", reason, status, size)
        return response.json({"error": reason}, status=status)

    def _is_fresh(self, stamp: str) -> bool:
        age_ms = abs(self._clock() * 1000 - int(stamp))
        return age_ms <= self.settings.replay_window_seconds * 1000

    async def _read_capped(self, request: Request) -> bytes | None:
        """The body, or None as soon as it exceeds the cap (declared or actual size)."""
        cap = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                return b"".join(chunks)
            size += len(chunk)
            if size > cap:
                return None
            chunks.append(chunk)

    def _verified_timestamp(self, header: str, raw: bytes) -> str | None:
        for stamp in raw_timestamps(raw):
            if signature.verify(header, self.settings.app_id, raw, stamp, self.settings.oa_secret_key):
                return stamp
        return None

    async def _receive(self, request: Request, on_new_message: OnNewMessage) -> HTTPResponse:
        raw = await self._read_capped(request)
        if raw is None:
            return self._reject(413, "body_too_large", self.settings.max_body_bytes)
        if not self.settings.webhook_ready:
            logger.error("zalo.webhook.not_configured: set ZALO_APP_ID and ZALO_OA_SECRET_KEY (event acknowledged)")
            return response.json({"status": "not_configured"})
        header = request.headers.get(signature.HEADER)
        if not header:
            return self._reject(401, "missing_signature", len(raw))
        stamp = self._verified_timestamp(header, raw)
        if stamp is None:
            return self._reject(401, "bad_signature", len(raw))
        try:
            event = json.loads(raw)
        except (ValueError, RecursionError):
            return self._reject(400, "malformed_body", len(raw))
        if not isinstance(event, dict) or signature.timestamp_text(event.get("timestamp")) != stamp:
            return self._reject(400, "malformed_body", len(raw))
        if not self._is_fresh(stamp):
            logger.warning("zalo.webhook.stale (acknowledged, not processed)")
            return response.json({"status": "stale"})
        if not await self.deduplicator.first_seen(event_key(event)):
            logger.info("zalo.webhook.duplicate")
            return response.json({"status": "duplicate"})
        task = asyncio.create_task(self._handle(event, on_new_message))
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return response.json({"status": "accepted"})

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("zalo.event.failed error=%s", type(task.exception()).__name__)

    async def drain(self) -> None:
        """Wait for background event handling to finish (tests; graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ----- event handling -----

    async def _handle(self, event: dict[str, Any], on_new_message: OnNewMessage) -> None:
        # A failed delivery inside the citizen's own turn is logged; Rasa must still save the turn.
        with failures_logged_only():
            await self._handle_event(event, on_new_message)

    async def _handle_event(self, event: dict[str, Any], on_new_message: OnNewMessage) -> None:
        name = str(event.get("event_name") or "")
        if name.startswith("oa_send_"):
            return  # echo of our own (or an operator's) message
        if not name.startswith("user_send_"):
            logger.debug("zalo.event.ignored name=%s", name)
            return
        sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
        try:
            sender_id = self.guard.namespaced_sender(self.settings.sender_namespace, str(sender.get("id") or ""))
        except InvalidSenderError:
            logger.warning("zalo.event.bad_sender name=%s", name)
            return
        output = self.get_output_channel()
        if name != "user_send_text":
            await output.send_text_message(sender_id, NON_TEXT_REPLY)
            return
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        admission = self.guard.admit(message.get("text"), sender_id)
        if admission.reply is not None:
            await output.send_text_message(sender_id, admission.reply)
            return
        await on_new_message(
            UserMessage(
                admission.text,
                output,
                sender_id,
                input_channel=self.name(),
                message_id=message.get("msg_id"),
                metadata=admission.metadata(),
            )
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        webhook = Blueprint("zalo_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        @webhook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            # Accepted events were acknowledged to Zalo: give them a chance to be answered.
            try:
                await asyncio.wait_for(self.drain(), timeout=10)
            except asyncio.TimeoutError:
                logger.warning("zalo.shutdown.pending_events=%d", len(self._tasks))
            await self.client.close()

        return webhook

"""End to end: signed Zalo webhook events into the channel's blueprint served by a real Sanic server,
replies out to a fake Zalo OA API server. Both run on free localhost ports."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.zalo import ZaloInput
from bot.channels.zalo.signature import signature_header
from bot.channels.zalo.tokens import MemoryTokenStore
from tests.channels.fakes import APP_ID, OA_SECRET, FakeZaloServer, serve_blueprint, signed_headers, zalo_event
from tests.channels.test_text_split import long_answer
from tests.channels.test_zalo_output import settings_for

PRIVATE_TEXT = "CCCD của tôi là 001099012345"


@dataclass
class Harness:
    url: str
    channel: ZaloInput
    zalo: FakeZaloServer
    received: list[UserMessage] = field(default_factory=list)

    async def post(self, raw: bytes, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url + "/webhook", data=raw, headers=headers or signed_headers(raw)) as response,
        ):
            return response.status, await response.json()


async def echo(message: UserMessage) -> None:
    """A stand-in for Rasa: answers through the channel's own output channel."""
    output = message.output_channel
    if message.text == "dài":
        await output.send_text_message(message.sender_id, long_answer(5000))
    elif message.text == "lỗi":
        raise ValueError(f"failure mentioning {message.text} and {message.sender_id}")
    else:
        await output.send_text_message(message.sender_id, f"Bạn hỏi: {message.text}")


@asynccontextmanager
async def harness(
    zalo: FakeZaloServer, handler: Callable[[UserMessage], Awaitable[None]] = echo, **overrides: Any
) -> AsyncIterator[Harness]:
    settings = settings_for(zalo, **{"oa_secret_key": OA_SECRET, **overrides})
    channel = ZaloInput(settings, token_store=MemoryTokenStore())
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await handler(message)

    async with serve_blueprint(channel.blueprint(on_new_message), "/webhooks/zalo") as url:
        try:
            yield Harness(url, channel, zalo, received)
        finally:
            await channel.drain()
            await channel.client.close()


@pytest.fixture
def fake_zalo() -> Any:
    with FakeZaloServer() as server:
        yield server


def test_signed_text_event_gets_reply(fake_zalo: FakeZaloServer) -> None:
    """A valid event: 200, Rasa gets normalised text under sender 'zalo:<id>', the reply reaches the user."""

    async def run(h: Harness) -> None:
        status, body = await h.post(zalo_event("Đăng ký thường trú cần gì?"))
        assert (status, body) == (200, {"status": "accepted"})
        await h.channel.drain()
        (message,) = h.received
        assert message.sender_id == "zalo:84900001" and message.input_channel == "zalo"
        assert message.message_id == "msg-1"

    asyncio.run(_with(fake_zalo, run))
    assert fake_zalo.state.rejected == []
    assert fake_zalo.state.sent == [
        {"recipient": {"user_id": "84900001"}, "message": {"text": "Bạn hỏi: Đăng ký thường trú cần gì?"}}
    ]


def test_webhook_answers_before_processing_finishes(fake_zalo: FakeZaloServer) -> None:
    """Zalo wants 200 within ~2 s: the answer must not wait for Rasa."""
    release = asyncio.Event

    async def run() -> None:
        gate = release()

        async def slow(message: UserMessage) -> None:
            await gate.wait()
            await echo(message)

        async with harness(fake_zalo, slow) as h:
            started = time.monotonic()
            status, _ = await h.post(zalo_event("chậm"))
            assert status == 200 and time.monotonic() - started < 1.0
            assert fake_zalo.state.sent == []
            gate.set()

    asyncio.run(run())
    assert fake_zalo.state.texts() == ["Bạn hỏi: chậm"]


@pytest.mark.parametrize("headers", [{"X-ZEvent-Signature": "mac=" + "0" * 64}, {}])
def test_bad_or_missing_signature_is_401_and_body_not_logged(
    fake_zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    """Unauthenticated events are refused and never logged with their content."""
    raw = zalo_event(PRIVATE_TEXT)

    async def run(h: Harness) -> None:
        status, body = await h.post(raw, {**headers, "Content-Type": "application/json"})
        assert status == 401 and body["error"] in {"bad_signature", "missing_signature"}

    with caplog.at_level(logging.DEBUG):
        asyncio.run(_with(fake_zalo, run))
    assert "zalo.webhook.rejected" in caplog.text
    assert "001099012345" not in caplog.text and "84900001" not in caplog.text
    assert fake_zalo.state.sent == []


def test_event_signed_with_wrong_secret_is_refused(fake_zalo: FakeZaloServer) -> None:
    """A well-formed header computed with another secret is still a bad signature."""
    raw = zalo_event("xin chào")

    async def run(h: Harness) -> None:
        status, _ = await h.post(raw, signed_headers(raw, secret="not-the-oa-secret"))
        assert status == 401
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))


def test_replayed_event_is_processed_once(fake_zalo: FakeZaloServer) -> None:
    """Zalo retries (same msg_id) are acknowledged but answered only once."""
    raw = zalo_event("lệ phí bao nhiêu", msg_id="msg-retry")

    async def run(h: Harness) -> None:
        first = await h.post(raw)
        second = await h.post(raw)
        assert first == (200, {"status": "accepted"})
        assert second == (200, {"status": "duplicate"})
        await h.channel.drain()
        assert len(h.received) == 1

    asyncio.run(_with(fake_zalo, run))
    assert fake_zalo.state.texts() == ["Bạn hỏi: lệ phí bao nhiêu"]


def test_stale_timestamp_is_acknowledged_but_not_processed(fake_zalo: FakeZaloServer) -> None:
    """A correctly signed but old event (a late Zalo retry) is not processed, yet answered 200: an error
    would make Zalo retry it again and eventually disable the webhook."""
    old = int((time.time() - 301) * 1000)
    raw = zalo_event("xin chào", timestamp_ms=old)

    async def run(h: Harness) -> None:
        status, body = await h.post(raw)
        assert (status, body) == (200, {"status": "stale"})
        await h.channel.drain()
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))


def test_replay_window_is_configurable(fake_zalo: FakeZaloServer) -> None:
    """With a 10-minute window the same 5-minute-old event is accepted."""
    raw = zalo_event("xin chào", timestamp_ms=int((time.time() - 301) * 1000))

    async def run() -> None:
        async with harness(fake_zalo, replay_window_seconds=600) as h:
            assert (await h.post(raw))[0] == 200

    asyncio.run(run())


def test_expired_token_is_refreshed_and_reply_resent(fake_zalo: FakeZaloServer) -> None:
    """Zalo answers 'token expired' once: refresh, then the reply is sent once with the new token."""
    fake_zalo.state.expire_access_token()

    async def run(h: Harness) -> None:
        await h.post(zalo_event("xin chào"))

    asyncio.run(_with(fake_zalo, run))
    assert fake_zalo.state.refresh_calls == 1 and fake_zalo.state.expired_answers == 1
    assert fake_zalo.state.texts() == ["Bạn hỏi: xin chào"]


def test_long_answer_arrives_as_three_messages_in_order(fake_zalo: FakeZaloServer) -> None:
    """A 5,000-character answer: three Zalo messages of at most 2,000 characters, in order."""

    async def run(h: Harness) -> None:
        await h.post(zalo_event("dài"))

    asyncio.run(_with(fake_zalo, run))
    texts = fake_zalo.state.texts()
    assert len(texts) == 3 and all(len(t) <= 2000 for t in texts)
    assert " ".join(texts) == long_answer(5000)


def test_typed_command_is_neutralised(fake_zalo: FakeZaloServer) -> None:
    """'/restart' typed in Zalo reaches Rasa as plain words."""

    async def run(h: Harness) -> None:
        await h.post(zalo_event("/restart"))
        await h.channel.drain()
        assert [m.text for m in h.received] == ["restart"]
        assert h.received[0].metadata == {"guard": {"trusted_payload": False, "neutralised": True}}

    asyncio.run(_with(fake_zalo, run))


def test_overlong_message_answered_politely_without_rasa(fake_zalo: FakeZaloServer) -> None:
    """Over 2,000 characters: a Vietnamese 'please shorten', Rasa is not called."""

    async def run(h: Harness) -> None:
        await h.post(zalo_event("hỏi " * 600))
        await h.channel.drain()
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))
    (reply,) = fake_zalo.state.texts()
    assert "rút gọn" in reply


@pytest.mark.parametrize(
    "event_name", ["user_send_sticker", "user_send_image", "user_send_file", "user_send_audio", "user_send_location"]
)
def test_non_text_events_get_polite_text(fake_zalo: FakeZaloServer, event_name: str) -> None:
    """Stickers, images, files, audio, locations: a polite Vietnamese text, Rasa not called."""

    async def run(h: Harness) -> None:
        await h.post(zalo_event(None, event_name=event_name, msg_id=f"m-{event_name}"))
        await h.channel.drain()
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))
    (reply,) = fake_zalo.state.texts()
    assert "chỉ đọc được tin nhắn dạng chữ" in reply


@pytest.mark.parametrize("event_name", ["oa_send_text", "oa_send_image", "follow", "user_seen_message"])
def test_oa_echoes_and_other_events_are_ignored(fake_zalo: FakeZaloServer, event_name: str) -> None:
    """The OA's own messages come back as events: answering them would loop."""

    async def run(h: Harness) -> None:
        status, _ = await h.post(zalo_event("tin của OA", event_name=event_name))
        assert status == 200
        await h.channel.drain()
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))
    assert fake_zalo.state.sent == []


def test_processing_failure_is_logged_without_personal_data(
    fake_zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception while handling an event is logged by type only (no text, no user id)."""

    async def run(h: Harness) -> None:
        await h.post(zalo_event("lỗi"))
        await h.channel.drain()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(_with(fake_zalo, run))
    assert "zalo.event.failed error=ValueError" in caplog.text
    assert "lỗi" not in caplog.text and "84900001" not in caplog.text


def test_unconfigured_channel_acknowledges_and_logs_why(
    fake_zalo: FakeZaloServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Without app id / OA secret nothing can be authenticated: nothing is processed and the log says
    why, but Zalo gets 200 so an operator's mistake does not get the OA's webhook disabled."""

    async def run() -> None:
        async with harness(fake_zalo, oa_secret_key="") as h:
            assert await h.post(zalo_event("xin chào")) == (200, {"status": "not_configured"})
            await h.channel.drain()
            assert h.received == []

    with caplog.at_level(logging.ERROR):
        asyncio.run(run())
    assert "zalo.webhook.not_configured" in caplog.text


def test_oversized_body_is_refused_before_it_is_read(fake_zalo: FakeZaloServer) -> None:
    """A body over the cap is a 413, decided on the declared size and on the bytes actually read."""
    raw = zalo_event("x" * 70_000)

    async def run(h: Harness) -> None:
        status, body = await h.post(raw)
        assert (status, body) == (413, {"error": "body_too_large"})
        assert h.received == []

    asyncio.run(_with(fake_zalo, run))


def test_deep_or_malformed_json_with_a_valid_signature_is_400(fake_zalo: FakeZaloServer) -> None:
    """Signed garbage (absurdly nested JSON, or not JSON at all) is a 400, never a server error."""
    stamp = str(int(time.time() * 1000))
    deep = ('{"timestamp": "' + stamp + '", "x": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()
    broken = ('{"timestamp": "' + stamp + '", "event_name": ').encode()

    async def run(h: Harness) -> None:
        for raw in (deep, broken):
            headers = {"X-ZEvent-Signature": signature_header(APP_ID, raw, stamp, OA_SECRET)}
            assert await h.post(raw, headers) == (400, {"error": "malformed_body"})
        assert h.received == []

    asyncio.run(_with(fake_zalo, run, max_body_bytes=200_000))


async def _with(zalo: FakeZaloServer, body: Callable[[Harness], Awaitable[None]], **overrides: Any) -> None:
    async with harness(zalo, **overrides) as h:
        await body(h)

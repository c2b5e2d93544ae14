"""Zalo retries across several Rasa servers: with ``ZALO_DEDUP_REDIS_URL`` set, the webhook's
de-duplicator is the machine's real Redis, shared by every server, so a retry that lands on another
server than the original is still answered once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.channels.zalo import ZaloInput
from bot.channels.zalo.dedup import RedisDeduplicator
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.tokens import MemoryTokenStore
from tests.channels.fakes import OA_SECRET, FakeZaloServer, serve_blueprint, signed_headers, zalo_event
from tests.channels.test_zalo_output import settings_for
from tests.channels.test_zalo_webhook import Harness
from tests.missing import missing

REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis; only a developer run without CI may go on without it (skipped)."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        missing(f"Redis at {REDIS_URL} does not answer: {error}")
    return REDIS_URL


@pytest.fixture
def fake_zalo() -> Iterator[FakeZaloServer]:
    with FakeZaloServer() as server:
        yield server


def test_settings_wire_the_redis_deduplicator(redis_url: str) -> None:
    """ZALO_DEDUP_REDIS_URL in the environment makes the channel de-duplicate through Redis."""
    settings = ZaloSettings.from_credentials({}, {"ZALO_DEDUP_REDIS_URL": redis_url})
    assert isinstance(ZaloInput(settings, token_store=MemoryTokenStore()).deduplicator, RedisDeduplicator)


def test_retry_on_another_server_is_answered_once(fake_zalo: FakeZaloServer, redis_url: str) -> None:
    """The same signed event posted to two servers (Zalo's retry after a timeout): one accepts it, the
    other answers "duplicate", the citizen gets one reply."""
    settings = settings_for(fake_zalo, oa_secret_key=OA_SECRET, dedup_redis_url=redis_url)
    raw = zalo_event("lệ phí bao nhiêu", msg_id=f"msg-{uuid.uuid4().hex}")

    async def echo(message) -> None:  # type: ignore[no-untyped-def]
        await message.output_channel.send_text_message(message.sender_id, f"Bạn hỏi: {message.text}")

    async def run() -> list[tuple[int, object]]:
        answers = []
        channels = [ZaloInput(settings, token_store=MemoryTokenStore()) for _ in range(2)]
        for channel in channels:
            async with serve_blueprint(channel.blueprint(echo), "/webhooks/zalo") as url:
                answers.append(await Harness(url, channel, fake_zalo).post(raw, signed_headers(raw)))
                await channel.drain()
                await channel.client.close()
        return answers

    assert asyncio.run(run()) == [(200, {"status": "accepted"}), (200, {"status": "duplicate"})]
    assert fake_zalo.state.texts() == ["Bạn hỏi: lệ phí bao nhiêu"]

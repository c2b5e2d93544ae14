"""The credentials.yml block proposed for the channels loads through Rasa's own channel factory,
settings fall back to the environment, and the de-duplicators behave as documented."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa.core.run import create_http_input_channels

from bot.channels.rest import GuardedRestInput
from bot.channels.socketio import GuardedSocketIOInput
from bot.channels.zalo import ZaloInput
from bot.channels.zalo.dedup import InMemoryDeduplicator, RedisDeduplicator
from bot.channels.zalo.settings import ZaloSettings

CREDENTIALS = """
bot.channels.rest.GuardedRestInput:
  payload_key: ${CHANNEL_PAYLOAD_KEY}

bot.channels.socketio.GuardedSocketIOInput:
  user_message_evt: user_uttered
  bot_message_evt: bot_uttered
  session_persistence: true
  metadata_key: customData
  payload_key: ${CHANNEL_PAYLOAD_KEY}

bot.channels.zalo.ZaloInput:
  app_id: ${ZALO_APP_ID}
  oa_secret_key: ${ZALO_OA_SECRET_KEY}
  app_secret: ${ZALO_APP_SECRET}
  token_store_path: var/zalo_tokens.json
  replay_window_seconds: 300
"""


def test_credentials_block_loads_all_three_channels(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The block given to the maintainers works with `rasa run --credentials` (names, URL prefixes,
    ${ENV} values)."""
    for name, value in {
        "CHANNEL_PAYLOAD_KEY": "k" * 32,
        "ZALO_APP_ID": "123",
        "ZALO_OA_SECRET_KEY": "oa",
        "ZALO_APP_SECRET": "app",
    }.items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "credentials.yml"
    path.write_text(CREDENTIALS, encoding="utf-8")
    rest, sio, zalo = create_http_input_channels(None, str(path))
    assert isinstance(rest, GuardedRestInput) and rest.url_prefix() == "rest"
    assert isinstance(sio, GuardedSocketIOInput) and sio.session_persistence and sio.metadata_key == "customData"
    assert isinstance(zalo, ZaloInput) and zalo.url_prefix() == "zalo"
    assert zalo.settings.app_id == "123" and zalo.settings.webhook_ready
    assert zalo.settings.replay_window_seconds == 300.0


def test_zalo_settings_fall_back_to_environment_and_hide_secrets() -> None:
    """Keys absent from credentials.yml come from ZALO_* variables; repr never shows secrets."""
    env = {"ZALO_APP_ID": "42", "ZALO_OA_SECRET_KEY": "s3cret", "ZALO_API_BASE_URL": "http://127.0.0.1:9"}
    settings = ZaloSettings.from_credentials({"replay_window_seconds": "60", "oa_secret_key": ""}, environ=env)
    assert settings.app_id == "42" and settings.oa_secret_key == "s3cret"
    assert settings.message_url == "http://127.0.0.1:9/v3.0/oa/message/cs"
    assert settings.replay_window_seconds == 60.0
    assert "s3cret" not in repr(settings)
    assert not ZaloSettings.from_credentials({}, environ={}).webhook_ready


def test_memory_deduplicator_forgets_after_ttl_and_stays_bounded() -> None:
    """Retries within the TTL are repeats; memory never holds more than max_entries keys."""
    now = [0.0]
    dedup = InMemoryDeduplicator(ttl_seconds=10, max_entries=3, clock=lambda: now[0])

    async def run() -> list[bool]:
        results = [await dedup.first_seen("a"), await dedup.first_seen("a")]
        now[0] = 11
        results.append(await dedup.first_seen("a"))
        for key in "bcde":
            await dedup.first_seen(key)
        results.append(len(dedup._seen) <= 3)
        return results

    assert asyncio.run(run()) == [True, False, True, True]


class FakeRedis:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.keys: set[str] = set()

    async def set(self, key: str, value: str, **kwargs: Any) -> bool | None:
        self.calls.append((key, kwargs))
        if key in self.keys:
            return None
        self.keys.add(key)
        return True


def test_redis_deduplicator_uses_set_nx_with_expiry() -> None:
    """Several servers share retries through one atomic SET NX EX."""
    redis = FakeRedis()
    dedup = RedisDeduplicator(redis, ttl_seconds=120)

    async def run() -> list[bool]:
        return [await dedup.first_seen("msg:1"), await dedup.first_seen("msg:1")]

    assert asyncio.run(run()) == [True, False]
    assert redis.calls[0] == ("zalo:event:msg:1", {"nx": True, "ex": 120})

"""A signed Zalo event through the channel into the real trained Rasa model and back out to the fake
Zalo API. Slow (loading TensorFlow and the model takes about a minute): marked ``slow``; uses the
session's model for the current data (``trained_model``), never an older file."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from bot.channels.zalo import ZaloInput
from bot.channels.zalo.tokens import MemoryTokenStore
from tests.channels.fakes import OA_SECRET, FakeZaloServer, serve_blueprint, signed_headers, zalo_event
from tests.channels.test_zalo_output import settings_for

pytestmark = pytest.mark.slow


def test_zalo_event_answered_by_real_agent_and_typed_restart_neutralised(trained_model: Path) -> None:
    """'xin chào' gets the domain's greeting on Zalo; a typed '/restart' does not restart the
    conversation (no Restarted event, intent not forced)."""
    from rasa.core.agent import Agent  # imports TensorFlow: only when this test runs

    model = trained_model
    with FakeZaloServer() as zalo:

        async def run() -> list[str]:
            agent = Agent.load(str(model))
            channel = ZaloInput(settings_for(zalo, oa_secret_key=OA_SECRET), token_store=MemoryTokenStore())
            async with (
                serve_blueprint(channel.blueprint(agent.handle_message), "/webhooks/zalo") as url,
                aiohttp.ClientSession() as session,
            ):
                for number, text in enumerate(["xin chào", "/restart"]):
                    raw = zalo_event(text, msg_id=f"agent-{number}")
                    async with session.post(url + "/webhook", data=raw, headers=signed_headers(raw)) as response:
                        assert response.status == 200
                    await channel.drain()
            await channel.client.close()
            tracker = await agent.tracker_store.retrieve("zalo:84900001")
            assert tracker is not None
            events = [event.as_dict() for event in tracker.events]
            assert not any(event["event"] == "restart" for event in events)
            user_texts = [event.get("text") for event in events if event["event"] == "user"]
            assert user_texts == ["xin chào", "restart"]
            assert tracker.latest_message.intent.get("name") != "restart"
            return zalo.state.texts()

        texts = asyncio.run(run())
    assert zalo.state.rejected == []
    assert texts and texts[0].startswith("Xin chào! Mình là trợ lý ảo dịch vụ công")

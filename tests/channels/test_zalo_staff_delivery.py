"""A staff reply to a Zalo citizen goes console -> Rasa's HTTP API -> Zalo output channel -> (fake)
Zalo. When Zalo refuses it (reply window closed, quota used up), the console must learn that the
citizen got nothing: the real Rasa server (the trained model, its HTTP API with a token, the Zalo
channel registered as ``rasa run`` does) answers the API call with an error, the console's client
raises ``NotDeliveredError``, and the tracker does not pretend the message was sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from sanic import Sanic

from bot.channels.zalo import ZaloInput
from bot.channels.zalo.tokens import MemoryTokenStore
from console.services.rasa_api import NotDeliveredError, RasaApi
from tests.channels.fakes import OA_SECRET, FakeZaloServer, free_port, signed_headers, zalo_event
from tests.channels.test_zalo_output import settings_for

pytestmark = pytest.mark.slow
TOKEN = "rasa-api-token-for-tests"
SENDER = "zalo:84900001"


def test_refused_staff_reply_reaches_the_console_as_not_delivered(trained_model: Path) -> None:
    """First reply delivered (200, on Zalo, in the tracker); the second refused by Zalo with -230:
    the console's client raises NotDeliveredError and the tracker holds only the first."""
    import rasa.server
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import register

    with FakeZaloServer() as zalo:

        async def run() -> list[str]:
            Sanic.test_mode = True
            agent = Agent.load(str(trained_model))
            app = rasa.server.create_app(agent=agent, auth_token=TOKEN)
            channel = ZaloInput(settings_for(zalo, oa_secret_key=OA_SECRET), token_store=MemoryTokenStore())
            register([channel], app, route="/webhooks/")
            port = free_port()
            server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
            assert server is not None
            await server.startup()
            try:
                raw = zalo_event("xin chào", msg_id="staff-delivery-1")
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(
                        f"http://127.0.0.1:{port}/webhooks/zalo/webhook", data=raw, headers=signed_headers(raw)
                    ) as response,
                ):
                    assert response.status == 200
                await channel.drain()
                api = RasaApi(f"http://127.0.0.1:{port}", TOKEN, timeout=30)
                await asyncio.to_thread(api.send_staff_message, SENDER, "Cán bộ đã nhận yêu cầu của bạn.")
                zalo.state.fail_codes = [-230]
                with pytest.raises(NotDeliveredError):
                    await asyncio.to_thread(api.send_staff_message, SENDER, "Tin này Zalo không chuyển được.")
                tracker = await agent.tracker_store.retrieve(SENDER)
                assert tracker is not None
                return [event.text for event in tracker.events if event.as_dict()["event"] == "bot"]
            finally:
                await channel.client.close()
                server.close()
                await server.wait_closed()

        bot_texts = asyncio.run(run())
    assert zalo.state.texts()[-1] == "Cán bộ đã nhận yêu cầu của bạn."
    assert "Cán bộ đã nhận yêu cầu của bạn." in bot_texts
    assert "Tin này Zalo không chuyển được." not in bot_texts

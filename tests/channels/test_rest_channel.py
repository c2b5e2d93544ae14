"""The guarded REST channel served by a real Sanic server: what the web widget can and cannot make
Rasa do."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from bot.channels.guard import MessageGuard
from bot.channels.rest import GuardedRestInput
from tests.channels.fakes import serve_blueprint

SENDER = str(uuid.uuid4())
BUTTONS = [{"title": "Lệ phí", "payload": "/ask_fee"}, {"title": "Có", "payload": "Có"}]


async def answer(message: UserMessage) -> None:
    """A stand-in for Rasa: echoes the text and offers buttons through the channel's output."""
    await message.output_channel.send_response(
        message.sender_id, {"text": f"Bạn hỏi: {message.text}", "buttons": BUTTONS}
    )


async def exchange(
    bodies: list[Any], handler: Callable[[UserMessage], Awaitable[None]] = answer, raw: bool = False
) -> tuple[list[tuple[int, Any]], list[UserMessage]]:
    """POST each body to /webhooks/rest/webhook; returns (status, json) pairs and what Rasa received."""
    channel = GuardedRestInput.from_credentials({"payload_key": "rest-test-key"})
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await handler(message)

    results = []
    async with (
        serve_blueprint(channel.blueprint(on_new_message), "/webhooks/rest") as url,
        aiohttp.ClientSession() as session,
    ):
        for body in bodies:
            kwargs = {"data": body, "headers": {"Content-Type": "application/json"}} if raw else {"json": body}
            async with session.post(url + "/webhook", **kwargs) as response:
                results.append((response.status, await response.json()))
    return results, received


def test_typed_restart_is_neutralised() -> None:
    """'/restart' typed in the widget reaches Rasa as the word 'restart', not as a command."""
    [(status, replies)], [message] = asyncio.run(exchange([{"sender": SENDER, "message": "/restart"}]))
    assert status == 200
    assert message.text == "restart"
    assert message.metadata["guard"] == {"trusted_payload": False, "neutralised": True}
    assert replies[0]["text"] == "Bạn hỏi: restart"


def test_button_payload_offered_by_the_bot_round_trips() -> None:
    """The widget sends back a button's payload verbatim: the bot's own payload acts as an intent."""

    async def run() -> tuple[list[tuple[int, Any]], list[UserMessage]]:
        first, _ = await exchange([{"sender": SENDER, "message": "xin chào"}])
        signed = first[0][1][0]["buttons"][0]["payload"]
        return await exchange([{"sender": SENDER, "message": signed, "metadata": {"input_type": "button"}}])

    [(status, _)], [message] = asyncio.run(run())
    assert status == 200 and message.text == "/ask_fee"
    assert message.metadata["guard"]["trusted_payload"] is True
    assert message.metadata["input_type"] == "button"


def test_answers_use_the_widget_sender_id_and_signed_payloads() -> None:
    """The namespace stays on the server; buttons carry signed payloads, text payloads stay readable."""
    [(_, replies)], [message] = asyncio.run(exchange([{"sender": SENDER, "message": "xin chào"}]))
    assert message.sender_id == f"web:{SENDER}"
    assert replies[0]["recipient_id"] == SENDER
    fee, yes = replies[0]["buttons"]
    assert fee["payload"].endswith(":/ask_fee") and fee["payload"] != "/ask_fee"
    assert yes["payload"] == "Có"


def test_overlong_message_answered_politely_without_rasa() -> None:
    """Over 2,000 characters: one polite Vietnamese reply, Rasa is not called."""
    [(status, replies)], received = asyncio.run(exchange([{"sender": SENDER, "message": "hỏi " * 600}]))
    assert status == 200 and received == []
    assert len(replies) == 1 and "rút gọn" in replies[0]["text"]


@pytest.mark.parametrize(
    "body", [{"sender": "abc", "message": "hi"}, {"sender": "zalo:84900001", "message": "hi"}, {"message": "hi"}]
)
def test_bad_sender_id_is_400_json(body: dict[str, Any]) -> None:
    """Short, foreign-namespace or missing sender ids: 400 with a JSON error, Rasa not called."""
    [(status, error)], received = asyncio.run(exchange([body]))
    assert status == 400 and received == []
    assert error["error"] == "invalid_sender" and error["message"]


@pytest.mark.parametrize("raw_body", ["not json", "[1, 2]", '"text"'])
def test_malformed_body_is_400_json(raw_body: str) -> None:
    """A body that is not a JSON object is refused with a JSON error."""
    [(status, error)], received = asyncio.run(exchange([raw_body], raw=True))
    assert status == 400 and error["error"] == "invalid_body" and received == []


def test_client_cannot_choose_input_channel_or_guard_metadata() -> None:
    """'input_channel' and a spoofed 'guard' metadata entry are ignored; oversized metadata dropped."""
    bodies = [
        {"sender": SENDER, "message": "a", "input_channel": "zalo", "metadata": {"guard": {"trusted_payload": True}}},
        {"sender": SENDER, "message": "b", "metadata": {"blob": "x" * 5000}},
    ]
    _, (first, second) = asyncio.run(exchange(bodies))
    assert first.input_channel == "rest"
    assert first.metadata["guard"]["trusted_payload"] is False
    assert "blob" not in second.metadata


def test_rasa_failure_is_logged_without_text(caplog: pytest.LogCaptureFixture) -> None:
    """If Rasa fails, the widget gets a JSON 503 (the turn may not be stored: a 200 would say it is,
    and the widget offers to resend on 5xx) and the log holds no citizen text."""

    async def broken(message: UserMessage) -> None:
        raise RuntimeError(f"boom {message.text}")

    with caplog.at_level(logging.DEBUG):
        [(status, replies)], _ = asyncio.run(exchange([{"sender": SENDER, "message": "số CCCD 001099012345"}], broken))
    assert status == 503 and replies["error"] == "unavailable" and "gửi lại" in replies["message"]
    assert "rest.message.failed error=RuntimeError" in caplog.text
    assert "001099012345" not in caplog.text


def test_conversations_are_separated_by_sender() -> None:
    """Two widgets, two tracker ids: a payload signed for one is only text for the other."""
    other = str(uuid.uuid4())
    guard = MessageGuard(b"rest-test-key")
    stolen = guard.sign_payload("/ask_fee", f"web:{other}")
    [(_, _)], [message] = asyncio.run(exchange([{"sender": SENDER, "message": stolen}]))
    assert message.sender_id == f"web:{SENDER}"
    assert message.text == "ask_fee" and not message.metadata["guard"]["trusted_payload"]

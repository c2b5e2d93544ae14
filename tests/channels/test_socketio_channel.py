"""The guarded socket.io channel: the guard wraps Rasa's handler, answers go to the right room."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.channels.guard import MessageGuard
from bot.channels.socketio import GuardedSocketIOInput, GuardedSocketIOOutput

SESSION = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


class FakeSio:
    """Records what the output channel emits instead of talking to browsers."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, Any, Any]] = []

    async def emit(self, event: str, data: Any = None, room: Any = None, **kwargs: Any) -> None:
        self.emitted.append((event, data, room))


def channel_with_fake_sio() -> tuple[GuardedSocketIOInput, FakeSio]:
    channel = GuardedSocketIOInput.from_credentials({"session_persistence": True, "payload_key": "sio-key"})
    assert isinstance(channel, GuardedSocketIOInput)
    sio = FakeSio()
    channel.sio = sio  # type: ignore[assignment]
    return channel, sio


def run_guarded(channel: GuardedSocketIOInput, text: str, sender: str) -> list[UserMessage]:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_response(
            message.sender_id, {"text": "Chọn", "buttons": [{"title": "Phí", "payload": "/ask_fee"}]}
        )

    message = UserMessage(text, None, sender, input_channel="socketio")
    asyncio.run(channel._guarded(message, on_new_message, caller="ip:test-caller"))
    return received


def test_typed_command_neutralised_and_answer_goes_to_session_room() -> None:
    """'/restart' becomes words; the tracker id is namespaced, the emit goes to the browser's room."""
    channel, sio = channel_with_fake_sio()
    [message] = run_guarded(channel, "/restart", SESSION)
    assert message.text == "restart" and message.sender_id == f"webchat:{SESSION}"
    assert message.metadata["client"] == "ip:test-caller"
    event, data, room = sio.emitted[-1]
    assert event == "bot_uttered" and room == SESSION
    payload = data["quick_replies"][0]["payload"]
    assert payload != "/ask_fee" and channel.guard.admit(payload, message.sender_id).trusted_payload


def test_signed_payload_accepted_and_overlong_text_answered_politely() -> None:
    """A bot payload signed for this session acts as an intent; overlong text never reaches Rasa."""
    channel, sio = channel_with_fake_sio()
    signed = MessageGuard(b"sio-key").sign_payload("/ask_fee", f"webchat:{SESSION}")
    [message] = run_guarded(channel, signed, SESSION)
    assert message.text == "/ask_fee"
    assert run_guarded(channel, "x" * 2001, SESSION) == []
    assert "rút gọn" in sio.emitted[-1][1]["text"] and sio.emitted[-1][2] == SESSION


def test_invalid_session_id_is_dropped() -> None:
    """A forged or malformed session id never reaches Rasa (socket.io has no status code to answer)."""
    channel, sio = channel_with_fake_sio()
    assert run_guarded(channel, "xin chào", "zalo:84900001") == []
    assert run_guarded(channel, "xin chào", "short") == []
    assert sio.emitted == []


def test_output_channel_for_external_events_is_guarded() -> None:
    """Messages Rasa sends on its own (reminders, external events) also sign payloads and map rooms."""
    channel, _ = channel_with_fake_sio()
    assert isinstance(channel.get_output_channel(), GuardedSocketIOOutput)


def test_session_request_joins_room_and_replaces_unusable_ids() -> None:
    """A valid persistent session id is confirmed and its room joined (awaited: python-socketio 5.x
    made enter_room a coroutine, which Rasa 3.6's handler never awaits); an id the guard would refuse
    is replaced by a fresh one."""
    channel = GuardedSocketIOInput.from_credentials({"session_persistence": True, "payload_key": "k"})
    assert isinstance(channel, GuardedSocketIOInput)

    async def on_new_message(message: UserMessage) -> None:
        pass

    channel.blueprint(on_new_message)
    sio = channel.sio
    assert sio is not None
    joined: list[tuple[str, str]] = []
    confirmed: list[Any] = []

    async def enter_room(sid: str, room: str, namespace: Any = None) -> None:
        joined.append((sid, room))

    async def emit(event: str, data: Any = None, room: Any = None, **kwargs: Any) -> None:
        confirmed.append((event, data, room))

    sio.enter_room = enter_room  # type: ignore[method-assign]
    sio.emit = emit  # type: ignore[method-assign]
    handler = sio.handlers["/"]["session_request"]

    asyncio.run(handler("sid-1", {"session_id": SESSION}))
    asyncio.run(handler("sid-2", {"session_id": "zalo:84900001"}))
    assert joined[0] == ("sid-1", SESSION) and confirmed[0] == ("session_confirm", SESSION, "sid-1")
    fresh = confirmed[1][1]
    assert fresh != "zalo:84900001" and len(fresh) == 32 and joined[1] == ("sid-2", fresh)

"""The dossier-lookup throttle keys on the caller's network address as the channel edge sees it,
never on what the caller says: a REST or socket.io caller picks its own sender or session id and
metadata, and only configured proxies may tell us the address behind them."""

from __future__ import annotations

import asyncio
import threading
import uuid

import aiohttp
import socketio
from rasa.core.channels.channel import UserMessage
from rasa_sdk import Tracker

from actions.dossiers import caller_identity
from bot.channels.rest import GuardedRestInput
from bot.channels.socketio import GuardedSocketIOInput
from common.client_identity import client_address, parse_trusted_proxies
from common.conversation import CLIENT_METADATA_KEY
from tests.channels.fakes import serve_blueprint

PROXIES = parse_trusted_proxies("127.0.0.1, 10.0.0.0/8")


def test_forwarded_address_is_believed_only_from_a_trusted_proxy() -> None:
    """Behind the router the client is the first untrusted hop from the right; from anyone else the
    header is ignored (a caller could claim any address in it)."""
    assert client_address("127.0.0.1", "203.0.113.9", PROXIES) == "203.0.113.9"
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.1.1", PROXIES) == "203.0.113.9"
    assert client_address("198.51.100.7", "203.0.113.9", PROXIES) == "198.51.100.7"
    assert client_address("127.0.0.1", None, PROXIES) == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"


async def _client_keys(bodies: list[dict], headers: dict[str, str], proxies: str) -> list[str]:
    channel = GuardedRestInput.from_credentials({"payload_key": "rest-test-key", "trusted_proxies": proxies})
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    async with (
        serve_blueprint(channel.blueprint(on_new_message), "/webhooks/rest") as url,
        aiohttp.ClientSession() as session,
    ):
        for body in bodies:
            async with session.post(url + "/webhook", json=body, headers=headers) as response:
                assert response.status == 200
    return [message.metadata[CLIENT_METADATA_KEY] for message in received]


def test_rest_channel_keys_callers_by_address_not_by_sender_or_metadata() -> None:
    """Two sender ids from one address share one key; a key claimed in the metadata is replaced;
    the address itself never reaches the tracker (only a keyed pseudonym)."""
    bodies = [
        {"sender": str(uuid.uuid4()), "message": "tra cứu hồ sơ"},
        {"sender": str(uuid.uuid4()), "message": "tra cứu hồ sơ", "metadata": {CLIENT_METADATA_KEY: "ip:forged"}},
    ]
    first, second = asyncio.run(_client_keys(bodies, {}, ""))
    assert first == second and first.startswith("ip:") and "127.0.0.1" not in first


def test_rest_channel_behind_a_trusted_proxy_tells_clients_apart() -> None:
    """Through the router (a trusted proxy) two citizens' addresses give two keys; the same forged
    header from an untrusted peer gives the peer's own key."""
    bodies = [{"sender": str(uuid.uuid4()), "message": "xin chào"}]
    one = asyncio.run(_client_keys(bodies, {"X-Forwarded-For": "203.0.113.9"}, "127.0.0.1"))
    two = asyncio.run(_client_keys(bodies, {"X-Forwarded-For": "203.0.113.10"}, "127.0.0.1"))
    untrusted = asyncio.run(_client_keys(bodies, {"X-Forwarded-For": "203.0.113.9"}, "10.0.0.0/8"))
    direct = asyncio.run(_client_keys(bodies, {}, "10.0.0.0/8"))
    assert one != two
    assert untrusted == direct


def _socketio_session(base_url: str, headers: dict[str, str], arrived: threading.Event) -> None:
    """One widget visit with a real python-socketio client (polling, then the websocket upgrade): a
    new connection, a fresh session id, one message whose metadata claims a client key."""
    client = socketio.Client()
    confirmed = threading.Event()
    client.on("session_confirm", lambda _session: confirmed.set())
    client.connect(base_url, headers=headers, socketio_path="/socket.io", wait_timeout=10)
    try:
        session_id = uuid.uuid4().hex
        client.emit("session_request", {"session_id": session_id})
        assert confirmed.wait(10)
        arrived.clear()
        message = {"message": "tra cứu hồ sơ", "session_id": session_id, "customData": {CLIENT_METADATA_KEY: "ip:x"}}
        client.emit("user_uttered", message)
        assert arrived.wait(10)
    finally:
        client.disconnect()


async def _socketio_client_keys(sessions: int, headers: dict[str, str], proxies: str) -> list[str]:
    """The client key each session's message carried to Rasa, one new connection per session."""
    channel = GuardedSocketIOInput.from_credentials(
        {
            "payload_key": "sio-test-key",
            "session_persistence": True,
            "metadata_key": "customData",
            "trusted_proxies": proxies,
        }
    )
    received: list[UserMessage] = []
    arrived = threading.Event()

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)
        arrived.set()

    async with serve_blueprint(channel.blueprint(on_new_message), "/webhooks/socketio") as url:
        for _ in range(sessions):
            await asyncio.to_thread(_socketio_session, url.removesuffix("/webhooks/socketio"), headers, arrived)
    return [message.metadata[CLIENT_METADATA_KEY] for message in received]


def _identity(client: str) -> str:
    """What the dossier action sends the portal as the throttle's client for this metadata."""
    tracker = Tracker("webchat:x", {}, {"metadata": {CLIENT_METADATA_KEY: client}}, [], False, None, {}, "")
    return caller_identity(tracker)


def test_socketio_sessions_from_one_address_share_one_budget() -> None:
    """A socket.io client that reconnects with a new session (a fresh session id) is still the same
    caller to the dossier-lookup throttle: the key comes from the connection's address, and one
    claimed in the message's metadata is replaced."""
    first, second = asyncio.run(_socketio_client_keys(2, {}, ""))
    assert first == second and first.startswith("ip:") and "127.0.0.1" not in first
    assert _identity(first) == _identity(second) == first


def test_socketio_forwarded_address_is_believed_only_from_a_trusted_proxy() -> None:
    """Behind a trusted proxy two citizens' addresses give two keys; the same forged
    X-Forwarded-For from an untrusted peer gives the peer's own key (as for REST)."""
    [one] = asyncio.run(_socketio_client_keys(1, {"X-Forwarded-For": "203.0.113.9"}, "127.0.0.1"))
    [two] = asyncio.run(_socketio_client_keys(1, {"X-Forwarded-For": "203.0.113.10"}, "127.0.0.1"))
    [untrusted] = asyncio.run(_socketio_client_keys(1, {"X-Forwarded-For": "203.0.113.9"}, "10.0.0.0/8"))
    [direct] = asyncio.run(_socketio_client_keys(1, {}, "10.0.0.0/8"))
    assert one != two
    assert untrusted == direct

"""Guarded socket.io channel (for socket.io widgets such as rasa-webchat).

Rasa's ``SocketIOInput`` builds the UserMessage inside its own event handler, so the guard sits
around ``on_new_message``: it validates and namespaces the sender (``webchat:<session id>``),
normalises and admits the text, and swaps in an output channel that signs button payloads and maps
the namespaced id back to the socket.io room. A message with an invalid sender id is dropped (there is
no HTTP status to answer with) and logged without its text.

The dossier-lookup throttle keys on the caller's network address, as for REST
(:mod:`common.client_identity`): a socket.io client picks its session id and can open a new
session at will, but not its address. The address is that of the socket.io connection (the peer of
its handshake request; ``X-Forwarded-For`` only from ``CHANNEL_TRUSTED_PROXIES``). Rasa's message
handler does not pass the connection on, so a wrapper around it puts the caller in a context
variable that the guard reads in the same task.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from socketio import AsyncServer

from bot.channels.guard import InvalidSenderError, MessageGuard, PayloadSigningMixin
from bot.channels.rest import clean_metadata, guard_from_credentials, trusted_proxies_from_credentials
from common.client_identity import IpNetwork, client_address
from common.conversation import CLIENT_METADATA_KEY, WEBCHAT_NAMESPACE

logger = logging.getLogger(__name__)

# The pseudonymised caller of the socket.io event being handled (set around Rasa's handler).
_caller: contextvars.ContextVar[str | None] = contextvars.ContextVar("socketio_caller", default=None)


class GuardedSocketIOOutput(PayloadSigningMixin, SocketIOOutput):
    """Emits to the room of the channel-local session id; button payloads signed."""

    def __init__(self, sio: AsyncServer, bot_message_evt: str, guard: MessageGuard, namespace: str) -> None:
        super().__init__(sio, bot_message_evt)
        self.guard = guard
        self.namespace = namespace

    async def _send_message(self, socket_id: str, response: Any) -> None:
        await super()._send_message(self.guard.local_sender(self.namespace, socket_id), response)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await super().send_custom_json(self.guard.local_sender(self.namespace, recipient_id), json_message, **kwargs)


class GuardedSocketIOInput(SocketIOInput):
    """Register in credentials.yml as ``bot.channels.socketio.GuardedSocketIOInput`` (instead of ``socketio``)."""

    def __init__(
        self,
        *args: Any,
        guard: MessageGuard | None = None,
        sender_namespace: str = WEBCHAT_NAMESPACE,
        trusted_proxies: tuple[IpNetwork, ...] = (),
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self._guard = guard
        self.sender_namespace = sender_namespace
        self.trusted_proxies = trusted_proxies

    @property
    def guard(self) -> MessageGuard:
        if self._guard is None:
            # socket.io sids have 20 characters, persistent session ids 32 (uuid4 hex).
            self._guard = guard_from_credentials({}, min_sender_length=16)
        return self._guard

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        assert isinstance(channel, GuardedSocketIOInput)
        channel._guard = guard_from_credentials(credentials, min_sender_length=16)
        channel.sender_namespace = str(credentials.get("sender_namespace", WEBCHAT_NAMESPACE))
        channel.trusted_proxies = trusted_proxies_from_credentials(credentials)
        return channel

    def caller(self, environ: dict[str, Any]) -> str:
        """The pseudonymised address of a socket.io connection from its handshake's environ.

        engine.io's Sanic driver sets ``REMOTE_ADDR`` to a constant 127.0.0.1, so the peer is read
        from the Sanic request it keeps in the environ."""
        request = environ.get("sanic.request")
        peer = request.ip if request is not None else str(environ.get("REMOTE_ADDR") or "")
        address = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.trusted_proxies)
        return self.guard.client_pseudonym(address)

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return GuardedSocketIOOutput(self.sio, self.bot_message_evt, self.guard, self.sender_namespace)

    async def _guarded(
        self, message: UserMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]], caller: str
    ) -> None:
        try:
            sender_id = self.guard.namespaced_sender(self.sender_namespace, message.sender_id)
        except InvalidSenderError:
            logger.warning("socketio.message.bad_sender")
            return
        output = self.get_output_channel()
        if output is None:
            return
        admission = self.guard.admit(message.text, sender_id)
        if admission.reply is not None:
            await output.send_text_message(sender_id, admission.reply)
            return
        message.text = admission.text
        message.sender_id = sender_id
        message.output_channel = output
        message.metadata = {
            **clean_metadata(message.metadata),
            **admission.metadata(),
            CLIENT_METADATA_KEY: caller,
        }
        await on_new_message(message)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def guarded(message: UserMessage) -> None:
            caller = _caller.get()
            if caller is None:  # only Rasa's handler, wrapped below, calls this
                raise RuntimeError("socket.io message outside a connection")
            await self._guarded(message, on_new_message, caller)

        webhook = super().blueprint(guarded)
        sio = self.sio
        assert sio is not None
        rasa_handler = sio.handlers[self.namespace or "/"][self.user_message_evt]

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            token = _caller.set(self.caller(sio.get_environ(sid, namespace=self.namespace) or {}))
            try:
                await rasa_handler(sid, data)
            finally:
                _caller.reset(token)

        # Replaces Rasa's handler: a session id the guard would refuse is replaced by a fresh one
        # here, instead of the widget joining a room whose messages are then silently dropped.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            try:
                self.guard.namespaced_sender(self.sender_namespace, requested)
                session_id = str(requested)
            except InvalidSenderError:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await _maybe_await(sio.enter_room(sid, session_id, namespace=self.namespace))
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return webhook


async def _maybe_await(value: Any) -> None:
    """python-socketio made ``enter_room`` a coroutine in 5.x for async servers; older ones return None."""
    if inspect.isawaitable(value):
        await value

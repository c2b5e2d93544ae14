"""The door every citizen message passes through before Rasa sees it.

Why a guard: Rasa treats any text that starts with ``/`` as an intent, with optional slot values
(``/ask_fee{"procedure_code": "x"}``), and skips NLU. On a public channel that lets anyone set
slots or jump into any part of a conversation. Only the bot's *own* button payloads may do that.

Payload trust (the design): when a guarded output channel sends buttons, every payload that starts
with ``/`` is replaced by a *signed* form ``~<sig>:<payload>`` where ``sig`` is an HMAC-SHA256 (first
16 hex digits) over the namespaced sender id and the payload, under a server-side key. Widgets send
a button's payload back verbatim, so when the guard receives a message in the signed form with a
valid signature it hands the original ``/payload`` to Rasa. Anything else that starts with ``/`` was
typed (or forged) and is neutralised: the leading slashes are removed and the rest goes through NLU
like any other sentence. The server decides; clients need no flag, and the check is stateless, so it
holds across several Rasa servers that share the key. Binding the signature to the sender id means
a payload seen in one conversation cannot be replayed in another.

The guard also normalises text (NFC + one tone-mark convention), answers over-long messages
politely without calling NLU, validates sender ids and namespaces them per channel (``web:<uuid>``,
``zalo:<id>``) so one citizen's conversation never reaches another channel's tracker.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from common import conversation
from common.client_identity import client_key
from common.text.normalize import normalize_text

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
# Characters a raw (channel-local) sender id may use; no ":" so nobody can forge a namespace.
SENDER_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
SIGNED_PAYLOAD = re.compile(r"~(?P<sig>[0-9a-f]{16}):(?P<payload>/.*)", re.DOTALL)
# C0/C1 control characters other than tab and newline never belong in a chat message.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

TOO_LONG_REPLY = (
    "Tin nhắn của bạn dài quá {limit} ký tự nên mình chưa đọc được. "
    "Bạn vui lòng rút gọn câu hỏi hoặc chia thành vài tin ngắn hơn nhé."
)
EMPTY_REPLY = "Mình chưa nhận được nội dung câu hỏi. Bạn vui lòng nhập câu hỏi về thủ tục hành chính nhé."


class InvalidSenderError(ValueError):
    """The channel-local sender id is missing, too short, too long or has forbidden characters."""


@dataclass(frozen=True)
class Admission:
    """What to do with one incoming message.

    Exactly one of ``text`` (hand this to Rasa) and ``reply`` (answer this, skip NLU) is set.
    """

    text: str | None = None
    reply: str | None = None
    trusted_payload: bool = False
    neutralised: bool = False

    def metadata(self) -> dict[str, Any]:
        """What the guard decided, stored with the message in the tracker (for audits)."""
        return {"guard": {"trusted_payload": self.trusted_payload, "neutralised": self.neutralised}}


def payload_key_from(value: str | None) -> bytes:
    """The signing key from configuration, or a per-process random key with a warning.

    A random key still keeps forged payloads out; it only makes buttons sent before a restart (or by
    another server) arrive as plain text, which NLU then handles.
    """
    if value:
        return value.encode("utf-8")
    logger.warning("channels.payload_key.missing: using a random per-process key (set CHANNEL_PAYLOAD_KEY)")
    return secrets.token_bytes(32)


class MessageGuard:
    """Normalisation, size limit, payload trust and sender namespacing, shared by every channel."""

    def __init__(
        self,
        payload_key: bytes,
        max_chars: int = MAX_MESSAGE_CHARS,
        min_sender_length: int = 1,
        max_sender_length: int = 64,
    ) -> None:
        if not payload_key:
            raise ValueError("payload_key must not be empty")
        self._key = payload_key
        self.max_chars = max_chars
        self.min_sender_length = min_sender_length
        self.max_sender_length = max_sender_length

    def client_pseudonym(self, address: str) -> str:
        """A keyed pseudonym of a caller's network address (common.client_identity)."""
        return client_key(address, self._key)

    # ----- senders -----

    def namespaced_sender(self, namespace: str, raw_sender: Any) -> str:
        """``<namespace>:<raw>`` after validating the channel-local id; raises InvalidSenderError."""
        if not isinstance(raw_sender, str):
            raise InvalidSenderError("sender id must be a string")
        if not self.min_sender_length <= len(raw_sender) <= self.max_sender_length:
            raise InvalidSenderError(
                f"sender id must have {self.min_sender_length} to {self.max_sender_length} characters"
            )
        if not SENDER_ID_PATTERN.fullmatch(raw_sender):
            raise InvalidSenderError("sender id may only contain letters, digits, '-' and '_'")
        return conversation.namespaced_sender(namespace, raw_sender)

    @staticmethod
    def local_sender(namespace: str, sender_id: str) -> str:
        """The channel-local id inside a namespaced sender id (what the platform knows)."""
        prefix = conversation.namespaced_sender(namespace, "")
        return sender_id[len(prefix) :] if sender_id.startswith(prefix) else sender_id

    # ----- incoming text -----

    def admit(self, text: Any, sender_id: str) -> Admission:
        """Decide what Rasa receives for ``text`` from the (namespaced) ``sender_id``."""
        if not isinstance(text, str):
            return Admission(reply=EMPTY_REPLY)
        # Cheap bound before normalising: NFD input is at most a few times longer than NFC.
        if len(text) > 4 * self.max_chars:
            return Admission(reply=TOO_LONG_REPLY.format(limit=self.max_chars))
        stripped = text.strip()
        signed = SIGNED_PAYLOAD.fullmatch(stripped)
        if signed and hmac.compare_digest(signed["sig"], self._signature(sender_id, signed["payload"])):
            return Admission(text=signed["payload"], trusted_payload=True)
        if signed:
            # Well-formed but the signature is wrong: forged, or offered in another conversation.
            logger.info(
                "channels.payload.rejected", extra={"sender_namespace": conversation.sender_namespace(sender_id)}
            )
            stripped = signed["payload"]
        clean = normalize_text(_CONTROL.sub("", stripped)).strip()
        if len(clean) > self.max_chars:
            return Admission(reply=TOO_LONG_REPLY.format(limit=self.max_chars))
        neutralised = False
        while clean.startswith("/"):
            # A typed command: drop the slashes, keep the words for NLU.
            clean = clean.lstrip("/").strip()
            neutralised = True
        if not clean:
            return Admission(reply=EMPTY_REPLY, neutralised=neutralised)
        return Admission(text=clean, neutralised=neutralised)

    # ----- outgoing buttons -----

    def _signature(self, sender_id: str, payload: str) -> str:
        message = sender_id.encode("utf-8") + b"\x00" + payload.encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:16]

    def sign_payload(self, payload: str, sender_id: str) -> str:
        """The form of a ``/intent`` payload that the guard will accept back from ``sender_id``."""
        if not payload.startswith("/"):
            return payload  # plain-text payloads go through NLU anyway
        return f"~{self._signature(sender_id, payload)}:{payload}"

    def sign_buttons(self, buttons: Any, sender_id: str) -> Any:
        """Copies of ``buttons`` with their intent payloads signed; other shapes are left alone."""
        if not isinstance(buttons, list):
            return buttons
        signed = []
        for button in buttons:
            if isinstance(button, Mapping) and isinstance(button.get("payload"), str):
                button = {**button, "payload": self.sign_payload(button["payload"], sender_id)}
            signed.append(button)
        return signed

    def sign_message(self, message: Mapping[str, Any], sender_id: str) -> dict[str, Any]:
        """A copy of a Rasa bot message with every button payload signed (buttons, quick replies,
        elements' buttons). Custom JSON is not touched: it is channel specific."""
        signed = copy.deepcopy(dict(message))
        for key in ("buttons", "quick_replies"):
            if key in signed:
                signed[key] = self.sign_buttons(signed[key], sender_id)
        elements = signed.get("elements")
        if isinstance(elements, list):
            for element in elements:
                if isinstance(element, dict) and "buttons" in element:
                    element["buttons"] = self.sign_buttons(element["buttons"], sender_id)
        return signed


class PayloadSigningMixin:
    """Mix into an ``OutputChannel`` (before it) so every button it sends carries signed payloads.

    Rasa hands each bot message to ``send_response(recipient_id, message)`` with the tracker's
    (namespaced) sender id, which is exactly what the guard verifies against on the way back.
    """

    guard: MessageGuard

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await super().send_response(recipient_id, self.guard.sign_message(message, recipient_id))  # type: ignore[misc]

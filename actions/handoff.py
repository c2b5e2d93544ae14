"""Hand a conversation over to staff through the console (POST /api/v1/handoffs).

Staff see the last messages of the conversation, masked with :func:`common.text.pii.mask_pii` (ID
numbers, phone digits) before they leave the action server. The citizen is told what happens
next, including outside office hours (the console's ``message_for_citizen``). While a staff
member owns the conversation the console sets the slot ``handoff_active`` and
``bot.policies.handoff.HandoffPolicy`` keeps the bot silent.

Outside office hours nobody answers at once, so the bot then asks for a phone number or an e-mail
(``handoff_contact_form``, optional: "không" declines) and stores it on the handoff, where staff
see it in the desk queue. The contact lives in the PII slot ``contact``: masked when the tracker
is persisted, cleared once stored.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.console_client import ConsoleError, shared_console_client
from actions.outbox import HANDOFF, shared_outbox
from common.conversation import WEB_NAMESPACE, sender_namespace
from common.text.patterns import EMAIL, PHONE_NUMBER, canonical_phone_number, find_protected
from common.text.pii import MASK_CHAR, mask_pii

logger = logging.getLogger(__name__)

LAST_MESSAGES = 10
DEFAULT_HANDOFF_MESSAGE = (
    "Mình đã chuyển yêu cầu của bạn tới cán bộ. Cán bộ sẽ trả lời bạn ngay trong cuộc trò chuyện này "
    "khi tiếp nhận; bạn vui lòng giữ cửa sổ trò chuyện nhé."
)
CONTACT_FORM = "handoff_contact_form"
CONTACT_SLOT = "contact"
NO_CONTACT = "không"
_NO_CONTACT_WORDS = re.compile(
    r"^\s*(không|khong|ko|k|hông|hong|thôi|thoi|không cần|khong can|no|chưa|chua)\b", re.IGNORECASE
)
BAD_CONTACT_MESSAGE = (
    "Mình chưa nhận ra số điện thoại hoặc email trong tin nhắn (ví dụ 0912345678 hoặc ten@gmail.com). "
    "Bạn nhập lại, hoặc gõ «không» nếu không muốn để lại nhé."
)
CONTACT_SAVED_MESSAGE = (
    "Mình đã ghi lại thông tin liên hệ của bạn cho yêu cầu gặp cán bộ. Cán bộ sẽ liên hệ lại khi vào giờ làm việc."
)
CONTACT_DECLINED_MESSAGE = (
    "Vâng, bạn không cần để lại thông tin liên hệ. Cán bộ sẽ trả lời bạn trong cuộc trò chuyện này "
    "khi vào giờ làm việc."
)
# The console could not take the request now: the outbox keeps it and delivers it when it is back.
KEPT_MESSAGE = (
    "Mình đã ghi nhận yêu cầu gặp cán bộ của bạn. Kết nối tới cán bộ đang chậm một chút nên yêu cầu sẽ được "
    "chuyển ngay khi có kết nối, bạn không cần gửi lại. Cán bộ sẽ liên hệ lại với bạn qua kênh này."
)


def masked_transcript(tracker: Tracker, limit: int = LAST_MESSAGES) -> list[dict[str, str]]:
    """The last ``limit`` user and bot messages, personal numbers masked."""
    secrets = tuple(
        str(value)
        for value in (
            tracker.get_slot("verification_factor"),
            tracker.get_slot("phone_number"),
            tracker.get_slot(CONTACT_SLOT),
        )
        if value
    )
    messages = []
    for event in tracker.events:
        role = {"user": "user", "bot": "bot"}.get(event.get("event", ""))
        text = event.get("text")
        if role and isinstance(text, str) and text.strip():
            messages.append({"role": role, "text": mask_pii(text, secrets)})
    return messages[-limit:]


def channel_of(tracker: Tracker) -> str:
    """``web`` for ``web:<uuid>`` senders (channels namespace their ids), else the input channel."""
    return sender_namespace(tracker.sender_id or "") or tracker.get_latest_input_channel() or WEB_NAMESPACE


def parse_contact(text: str) -> str | None:
    """The phone number (national format) or e-mail address (lower case) in ``text``, or None."""
    if MASK_CHAR in text:
        return None  # a masked copy from an earlier turn: the clear value is gone
    for span in find_protected(text):
        if span.kind == PHONE_NUMBER:
            return canonical_phone_number(text[span.start : span.end])
        if span.kind == EMAIL:
            return text[span.start : span.end].lower()
    return None


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Open a handoff and tell the citizen what happens next; shared by every path that hands over.

    Outside office hours, when the handoff has no contact yet, the contact form follows."""
    request = {
        "sender_id": tracker.sender_id or "",
        "channel": channel_of(tracker),
        "reason": reason,
        "last_messages": masked_transcript(tracker),
    }
    try:
        handoff = shared_console_client().create_handoff(**request)
    except ConsoleError as error:
        logger.warning("handoff kept for later: %s", type(error).__name__)
        shared_outbox().put(HANDOFF, request)
        dispatcher.utter_message(text=KEPT_MESSAGE)
        return []
    dispatcher.utter_message(text=handoff.get("message_for_citizen") or DEFAULT_HANDOFF_MESSAGE)
    # Tells the web widget to start polling for staff replies (other channels ignore it).
    dispatcher.utter_message(json_message={"handoff": True})
    if handoff.get("within_office_hours") is False and not handoff.get("has_contact"):
        return [SlotSet(CONTACT_SLOT, None), FollowupAction(CONTACT_FORM)]
    return []


class ActionHandoff(Action):
    """The citizen asked for a person (or accepted the offer of one)."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return request_handoff(dispatcher, tracker, reason="citizen_request")


class ValidateHandoffContactForm(FormValidationAction):
    """Takes a phone number or an e-mail, or a refusal, from the citizen's answer."""

    def name(self) -> str:
        return "validate_handoff_contact_form"

    async def extract_contact(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.active_loop.get("name") != CONTACT_FORM or tracker.get_slot("requested_slot") != CONTACT_SLOT:
            return {}
        return {CONTACT_SLOT: tracker.latest_message.get("text") or ""}

    def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        contact = parse_contact(text)
        if contact:
            return {CONTACT_SLOT: contact}
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        if intent in {"deny", "goodbye"} or _NO_CONTACT_WORDS.match(text):
            return {CONTACT_SLOT: NO_CONTACT}
        dispatcher.utter_message(text=BAD_CONTACT_MESSAGE)
        return {CONTACT_SLOT: None}


class ActionSaveHandoffContact(Action):
    """Stores the contact on the conversation's open handoff (the console shows it in the desk)."""

    def name(self) -> str:
        return "action_save_handoff_contact"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        contact = tracker.get_slot(CONTACT_SLOT)
        if not contact or contact == NO_CONTACT or MASK_CHAR in str(contact):
            dispatcher.utter_message(text=CONTACT_DECLINED_MESSAGE)
            return [SlotSet(CONTACT_SLOT, None)]
        request = {
            "sender_id": tracker.sender_id or "",
            "channel": channel_of(tracker),
            "reason": "citizen_request",
            "last_messages": masked_transcript(tracker),
            "contact": str(contact),
        }
        try:
            shared_console_client().create_handoff(**request)
        except ConsoleError as error:
            logger.warning("handoff contact kept for later: %s", type(error).__name__)
            shared_outbox().put(HANDOFF, request)
        dispatcher.utter_message(text=CONTACT_SAVED_MESSAGE)
        return [SlotSet(CONTACT_SLOT, None)]

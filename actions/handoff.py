"""Hand a conversation over to staff through the console (POST /api/v1/handoffs).

Staff see the last messages of the conversation, masked with :func:`bot.text.pii.mask_pii` (ID
numbers, phone digits) before they leave the action server. The citizen is told what happens
next, including outside office hours (the console's ``message_for_citizen``). While a staff
member owns the conversation the console sets the slot ``handoff_active`` and
``bot.policies.handoff.HandoffPolicy`` keeps the bot silent.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.console_client import ConsoleError, shared_console_client
from bot.text.pii import mask_pii

logger = logging.getLogger(__name__)

LAST_MESSAGES = 10
DEFAULT_HANDOFF_MESSAGE = (
    "Mình đã chuyển yêu cầu của bạn tới cán bộ. Cán bộ sẽ trả lời bạn ngay trong cuộc trò chuyện này "
    "khi tiếp nhận; bạn vui lòng giữ cửa sổ trò chuyện nhé."
)
CONSOLE_DOWN_MESSAGE = (
    "Xin lỗi, hiện mình chưa kết nối được với cán bộ. Bạn vui lòng thử lại sau ít phút, hoặc liên hệ "
    "trực tiếp Bộ phận một cửa nơi nộp hồ sơ trong giờ hành chính."
)


def masked_transcript(tracker: Tracker, limit: int = LAST_MESSAGES) -> list[dict[str, str]]:
    """The last ``limit`` user and bot messages, personal numbers masked."""
    secrets = tuple(
        str(value) for value in (tracker.get_slot("verification_factor"), tracker.get_slot("phone_number")) if value
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
    sender = tracker.sender_id or ""
    if ":" in sender:
        return sender.split(":", 1)[0]
    return tracker.get_latest_input_channel() or "web"


def request_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    """Open a handoff and tell the citizen what happens next; shared by every path that hands over."""
    try:
        handoff = shared_console_client().create_handoff(
            sender_id=tracker.sender_id or "",
            channel=channel_of(tracker),
            reason=reason,
            last_messages=masked_transcript(tracker),
        )
    except ConsoleError as error:
        logger.warning("handoff failed: %s", error)
        dispatcher.utter_message(text=CONSOLE_DOWN_MESSAGE)
        return []
    dispatcher.utter_message(text=handoff.get("message_for_citizen") or DEFAULT_HANDOFF_MESSAGE)
    # Tells the web widget to start polling for staff replies (other channels ignore it).
    dispatcher.utter_message(json_message={"handoff": True})
    return []


class ActionHandoff(Action):
    """The citizen asked for a person (or accepted the offer of one)."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return request_handoff(dispatcher, tracker, reason="citizen_request")

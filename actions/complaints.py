"""Complaints (phản ánh, kiến nghị): a form for the description and an optional phone number,
stored through the console (POST /api/v1/complaints), answered with the reference number.

The description is taken with a custom extraction that masks ID and phone numbers before it is
set, so the tracker never keeps them in clear; the contact goes to the PII slot ``phone_number``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.console_client import ConsoleError, shared_console_client
from actions.handoff import channel_of
from actions.outbox import COMPLAINT, shared_outbox
from common.conversation import HANDOFF_INTENT
from common.text.patterns import PHONE_NUMBER, canonical_phone_number, find_protected
from common.text.pii import mask_pii

logger = logging.getLogger(__name__)

NO_CONTACT = "không"
MIN_DESCRIPTION_CHARS = 15
# Intents that leave the form instead of answering it (rules handle them).
LEAVING_INTENTS = frozenset({HANDOFF_INTENT, "deny", "goodbye"})
# Not a description either: answered by a digression rule, then the form asks again.
DIGRESSION_INTENTS = frozenset({"bot_challenge", "greet"})
_NO_CONTACT_WORDS = re.compile(r"^\s*(không|khong|ko|k|hông|thôi|thoi|không cần|khong can|no)\b", re.I)
SHORT_DESCRIPTION_MESSAGE = "Bạn mô tả cụ thể hơn một chút giúp mình (việc gì, ở đâu, khi nào) nhé."
BAD_PHONE_MESSAGE = "Số điện thoại chưa đúng định dạng (ví dụ 0912345678). Bạn nhập lại, hoặc gõ «không» nhé."
STORED_MESSAGE = (
    "Mình đã ghi nhận phản ánh, kiến nghị của bạn, số tiếp nhận {reference}. "
    "Cán bộ sẽ xem xét và phản hồi{contact}. Bạn giữ số tiếp nhận để tiện theo dõi nhé."
)
# The console could not take it now: the outbox keeps it and delivers it when the console is back.
KEPT_MESSAGE = (
    "Mình đã ghi nhận phản ánh của bạn. Hệ thống chuyển tới cán bộ đang chậm một chút nên phản ánh sẽ được "
    "chuyển ngay khi kết nối lại, bạn không cần gửi lại. Cán bộ sẽ phản hồi{contact}."
)


def _requested(tracker: Tracker, slot: str) -> bool:
    return tracker.active_loop.get("name") == "complaint_form" and tracker.get_slot("requested_slot") == slot


def _intent(tracker: Tracker) -> str:
    return tracker.latest_message.get("intent", {}).get("name", "")


class ValidateComplaintForm(FormValidationAction):
    """Extracts and checks the description and the optional phone number."""

    def name(self) -> str:
        return "validate_complaint_form"

    async def extract_complaint_description(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _requested(tracker, "complaint_description") or _intent(tracker) in LEAVING_INTENTS | DIGRESSION_INTENTS:
            return {}
        return {"complaint_description": mask_pii(tracker.latest_message.get("text") or "")}

    async def extract_phone_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not _requested(tracker, "phone_number") or _intent(tracker) in {HANDOFF_INTENT, "goodbye"}:
            return {}
        return {"phone_number": tracker.latest_message.get("text") or ""}

    def validate_complaint_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if len(str(value or "").strip()) < MIN_DESCRIPTION_CHARS:
            dispatcher.utter_message(text=SHORT_DESCRIPTION_MESSAGE)
            return {"complaint_description": None}
        return {"complaint_description": value}

    def validate_phone_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = str(value or "")
        for span in find_protected(text):
            if span.kind == PHONE_NUMBER:
                return {"phone_number": canonical_phone_number(text[span.start : span.end])}
        if _intent(tracker) == "deny" or _NO_CONTACT_WORDS.match(text):
            return {"phone_number": NO_CONTACT}
        dispatcher.utter_message(text=BAD_PHONE_MESSAGE)
        return {"phone_number": None}


def _follow_up(contact: str | None) -> str:
    return " qua số điện thoại bạn để lại" if contact else " khi có kết quả xử lý"


class ActionSubmitComplaint(Action):
    """Stores the complaint and gives the citizen its reference number."""

    def name(self) -> str:
        return "action_submit_complaint"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        description = tracker.get_slot("complaint_description") or ""
        phone = tracker.get_slot("phone_number")
        contact = phone if phone and phone != NO_CONTACT and "*" not in phone else None
        complaint = {
            "sender_id": tracker.sender_id or "",
            "channel": channel_of(tracker),
            "description": description,
            "contact": contact,
        }
        try:
            reference = shared_console_client().create_complaint(**complaint)
        except ConsoleError as error:
            logger.warning("complaint kept for later: %s", type(error).__name__)
            shared_outbox().put(COMPLAINT, complaint)
            dispatcher.utter_message(text=KEPT_MESSAGE.format(contact=_follow_up(contact)))
            return [SlotSet("complaint_description", None), SlotSet("phone_number", None)]
        dispatcher.utter_message(text=STORED_MESSAGE.format(reference=reference, contact=_follow_up(contact)))
        return [SlotSet("complaint_description", None), SlotSet("phone_number", None)]

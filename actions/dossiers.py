"""Dossier status lookup: a form for the code and the owner's verification factor, then the answer.

Personal data rules: the ID number or phone digits are never repeated back; the factor is used in
the turn it was typed (the persisted tracker only holds a masked copy) and cleared afterwards.
A wrong code and a wrong factor get the same neutral message (no hint which one was wrong), and
after ``MAX_FAILED_LOOKUPS`` failures in a conversation the bot stops asking and hands over to staff.
When the portal takes only the 12-digit ID number for a code (its phone-factor budget is spent), the
form stays open on that code and asks for the ID number, so the owner is never locked out.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import format_date
from actions.handoff import request_handoff
from actions.portal_client import PortalError, error_message, shared_portal_client
from common.conversation import (
    CLIENT_METADATA_KEY,
    DOSSIER_LOOKUP_SLOT,
    LOOKUP_ERROR,
    LOOKUP_FOUND,
    LOOKUP_NOT_FOUND,
    LOOKUP_THROTTLED,
)
from common.text.patterns import (
    DOSSIER_CODE,
    ID_NUMBER,
    PHONE_NUMBER,
    canonical_dossier_code,
    canonical_id_number,
    canonical_phone_number,
    find_protected,
)
from common.text.pii import MASK_CHAR

logger = logging.getLogger(__name__)

MAX_FAILED_LOOKUPS = 3
BAD_CODE_MESSAGE = (
    "Mã hồ sơ chưa đúng định dạng. Mã có dạng <mã đơn vị>-<ngày nhận YYMMDD>-<số thứ tự 4 chữ số>, "
    "ví dụ 000.00.01.H29-240115-0001 (in trên giấy biên nhận hồ sơ). Bạn nhập lại giúp mình nhé."
)
BAD_FACTOR_MESSAGE = (
    "Thông tin xác minh chưa đúng định dạng. Bạn nhập số định danh cá nhân gồm 12 chữ số "
    "(ví dụ 0791xxxxxxxx), hoặc 4 số cuối của số điện thoại đã đăng ký khi nộp hồ sơ."
)
NOT_MATCHED_MESSAGE = (
    "Mình không tìm thấy hồ sơ khớp với mã hồ sơ và thông tin xác minh bạn cung cấp. "
    "Bạn kiểm tra lại mã trên giấy biên nhận rồi gửi lại mã hồ sơ để tra cứu lại nhé."
)
TOO_MANY_FAILURES_MESSAGE = (
    "Bạn đã tra cứu không thành công {count} lần, nên mình tạm dừng tra cứu hồ sơ trong cuộc trò chuyện "
    "này để bảo vệ thông tin của người nộp. Mình sẽ chuyển yêu cầu của bạn tới cán bộ."
)
_FOUR_DIGITS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
DOSSIER_FORM = "dossier_form"


def parse_dossier_code(text: str) -> str | None:
    """The canonical dossier code found in ``text`` (shared pattern with the NLU), or None."""
    for span in find_protected(text):
        if span.kind == DOSSIER_CODE:
            return canonical_dossier_code(text[span.start : span.end])
    return None


def parse_factor(text: str) -> str | None:
    """A 12-digit ID number, or the last 4 digits of a phone number (a full number or 4 digits)."""
    if MASK_CHAR in text:
        return None  # a masked copy from a previous turn: the clear value is gone
    rest = text
    for span in find_protected(text):
        if span.kind == ID_NUMBER:
            return canonical_id_number(text[span.start : span.end])
        if span.kind == PHONE_NUMBER:
            return canonical_phone_number(text[span.start : span.end])[-4:]
        if span.kind == DOSSIER_CODE:  # a corrected code: its sequence number is not the factor
            rest = rest[: span.start] + " " * (span.end - span.start) + rest[span.end :]
    digits = _FOUR_DIGITS.findall(rest)
    return digits[0] if len(digits) == 1 else None


def failures(tracker: Tracker) -> int:
    return int(tracker.get_slot("dossier_lookup_failures") or 0)


class ValidateDossierForm(FormValidationAction):
    """Normalizes the dossier code and the factor; after too many failures asks nothing more."""

    def name(self) -> str:
        return "validate_dossier_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        return [] if failures(tracker) >= MAX_FAILED_LOOKUPS else domain_slots

    def validate_dossier_code(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        code = parse_dossier_code(str(value or ""))
        if code is None:
            dispatcher.utter_message(text=BAD_CODE_MESSAGE)
        return {"dossier_code": code}

    def validate_verification_factor(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        factor = parse_factor(str(value or ""))
        # A message that corrects the dossier code is not a wrong factor: the form asks for it again.
        if factor is None and parse_dossier_code(str(value or "")) is None:
            dispatcher.utter_message(text=BAD_FACTOR_MESSAGE)
        return {"verification_factor": factor}


def describe_dossier(dossier: dict[str, Any]) -> str:
    """The dossier's state in plain words: status, dates, overdue or not, what to do next."""
    lines = [f"Hồ sơ {dossier.get('code', '')} – {dossier.get('procedure_name', '')}".rstrip(" –")]
    status = dossier.get("status_name") or ""
    label = dossier.get("status_label") or ""
    lines.append(f"Tình trạng: {status}" + (f" – {label}" if label and label != status else ""))
    if dossier.get("received_date"):
        lines.append(f"Ngày tiếp nhận: {format_date(dossier['received_date'])}")
    if dossier.get("appointment_date"):
        lines.append(f"Ngày hẹn trả kết quả: {format_date(dossier['appointment_date'])}")
    if dossier.get("finished") and dossier.get("finished_date"):
        lines.append(f"Ngày giải quyết xong: {format_date(dossier['finished_date'])}")
    if dossier.get("overdue"):
        lines.append("Hồ sơ đã quá hạn hẹn trả kết quả.")
    elif not dossier.get("finished") and not dossier.get("closed"):
        lines.append("Hồ sơ chưa quá hạn.")
    documents = [doc for doc in dossier.get("supplement_documents") or [] if doc]
    if documents:
        lines.append("Giấy tờ cần bổ sung:")
        lines.extend(f"• {doc}" for doc in documents)
        if dossier.get("supplement_due_date"):
            lines.append(f"Hạn bổ sung: {format_date(dossier['supplement_due_date'])}")
    if dossier.get("fee_due"):
        lines.append(f"Số tiền còn phải nộp: {int(dossier['fee_due']):,}đ".replace(",", "."))
    if dossier.get("next_step"):
        lines.append(f"Việc bạn cần làm: {dossier['next_step']}")
    if dossier.get("handling_unit"):
        lines.append(f"Đơn vị xử lý: {dossier['handling_unit']}")
    return "\n".join(lines)


def caller_identity(tracker: Tracker) -> str:
    """Who the portal throttles: the caller's pseudonymised network address as the web channel saw
    it (a REST caller chooses its sender id, not its address), else the sender (a Zalo account)."""
    metadata = tracker.latest_message.get("metadata") or {}
    client = metadata.get(CLIENT_METADATA_KEY) if isinstance(metadata, dict) else None
    return str(client) if client else (tracker.sender_id or "")


def lookup_result(outcome: str) -> SlotSet:
    """The outcome of a lookup (found / not_found / throttled / error), counted by the analytics."""
    return SlotSet(DOSSIER_LOOKUP_SLOT, outcome)


def ask_for_id_number() -> list[EventType]:
    """The form again, waiting for the factor only: the code is kept, and the message just sent
    (this code now takes only the ID number) is the form's question, so the owner's next message
    is read as the factor and looked up. Without it the code was lost and the ID number the owner
    typed next was read as a question about ID cards."""
    return [
        SlotSet("verification_factor", None),
        ActiveLoop(DOSSIER_FORM),
        SlotSet("requested_slot", "verification_factor"),
        FollowupAction("action_listen"),
    ]


class ActionLookupDossier(Action):
    """Asks the portal for the dossier once the form has the code and the factor."""

    def name(self) -> str:
        return "action_lookup_dossier"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        count = failures(tracker)
        clear = [SlotSet("dossier_code", None), SlotSet("verification_factor", None)]
        if count >= MAX_FAILED_LOOKUPS:
            dispatcher.utter_message(text=TOO_MANY_FAILURES_MESSAGE.format(count=count))
            return clear + request_handoff(dispatcher, tracker, reason="dossier_lookup_failed")
        code = tracker.get_slot("dossier_code")
        factor = parse_factor(str(tracker.get_slot("verification_factor") or ""))
        if not code or not factor:
            dispatcher.utter_message(text=BAD_FACTOR_MESSAGE if code else BAD_CODE_MESSAGE)
            return clear
        client = shared_portal_client()
        try:
            body = client.lookup_dossier(code, factor, client_id=caller_identity(tracker), deadline=client.deadline())
        except PortalError as error:
            if error.kind == "id_number_required":
                dispatcher.utter_message(text=error_message(error.kind))
                return [*ask_for_id_number(), lookup_result(LOOKUP_ERROR)]
            if error.kind != "not_found":
                dispatcher.utter_message(text=error_message(error.kind))
                return [*clear, lookup_result(LOOKUP_THROTTLED if error.kind == "throttled" else LOOKUP_ERROR)]
            count += 1
            if count >= MAX_FAILED_LOOKUPS:
                dispatcher.utter_message(text=TOO_MANY_FAILURES_MESSAGE.format(count=count))
                events = request_handoff(dispatcher, tracker, reason="dossier_lookup_failed")
            else:
                dispatcher.utter_message(text=NOT_MATCHED_MESSAGE)
                events = []
            return [*clear, SlotSet("dossier_lookup_failures", float(count)), lookup_result(LOOKUP_NOT_FOUND), *events]
        dossier = body.get("dossier")
        if not isinstance(dossier, dict):
            dispatcher.utter_message(text=error_message("bad_response"))
            return clear
        dispatcher.utter_message(text=describe_dossier(dossier))
        return [*clear, lookup_result(LOOKUP_FOUND)]

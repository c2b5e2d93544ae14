"""Actions that answer questions about administrative procedures from the portal catalog."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ANSWERS_BY_INTENT, answer_overview
from actions.portal_client import PortalClient, PortalError

logger = logging.getLogger(__name__)

PORTAL_ERROR_MESSAGES = {
    "unavailable": "Xin lỗi, hệ thống tra cứu thủ tục đang tạm thời gián đoạn. Bạn vui lòng thử lại sau ít phút.",
    "throttled": "Bạn đã tra cứu quá nhiều lần. Vui lòng thử lại sau ít phút.",
}
GENERIC_PORTAL_ERROR = "Xin lỗi, mình chưa lấy được thông tin thủ tục lúc này. Bạn vui lòng thử lại sau."
NOT_FOUND_MESSAGE = (
    "Mình chưa tìm thấy thủ tục phù hợp. Bạn có thể nói rõ tên thủ tục hơn không? "
    "Ví dụ: «cấp thẻ căn cước», «đăng ký khai sinh», «đổi giấy phép lái xe»."
)

_client: PortalClient | None = None


def portal_client() -> PortalClient:
    """One client (and connection pool) per action-server process."""
    global _client
    if _client is None:
        _client = PortalClient()
    return _client


class ActionAnswerProcedure(Action):
    """Answers the aspect the citizen asked about (documents, fee, time, agency, overview)."""

    def name(self) -> str:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        query = next(tracker.get_latest_entity_values("procedure"), None) or tracker.latest_message.get("text", "")
        client = portal_client()
        try:
            hits = client.search_procedures(query, limit=3)
            if not hits:
                dispatcher.utter_message(text=NOT_FOUND_MESSAGE)
                return []
            procedure = client.get_procedure(hits[0]["code"])
        except PortalError as error:
            logger.warning("procedure answer failed: %s", error.kind)
            dispatcher.utter_message(text=PORTAL_ERROR_MESSAGES.get(error.kind, GENERIC_PORTAL_ERROR))
            return []
        answer = ANSWERS_BY_INTENT.get(intent, answer_overview)
        dispatcher.utter_message(text=answer(procedure))
        return [SlotSet("procedure_code", procedure["code"])]

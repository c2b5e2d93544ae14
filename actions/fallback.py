"""Low NLU confidence: a published FAQ that matches, else "Ý bạn là ...?", else a human.

A short follow-up about the procedure under discussion is answered for it (the NLU cannot see
the context). First miss: if the console has a published FAQ close to the wording (answers FAQs published after
the last training), answer it; otherwise suggest the top intents of the ranking as buttons with
readable labels (the buttons repeat the message's entities so the choice is answered in full).
A second miss in a row hands the conversation over to staff.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.aspects import aspect_of
from actions.console_client import ConsoleError, shared_console_client
from actions.followups import follow_up_aspects
from actions.handoff import request_handoff
from actions.procedures import RESTART_BUTTON, ActionAnswerProcedure, ActionRestart
from common.conversation import FALLBACK_INTENT, HANDOFF_INTENT, PROCEDURE_CODE_SLOT, PROCEDURE_ENTITY

logger = logging.getLogger(__name__)

INTENT_LABELS = {
    "ask_procedure": "Tìm hiểu một thủ tục",
    "ask_documents": "Giấy tờ cần chuẩn bị",
    "ask_fee": "Lệ phí",
    "ask_processing_time": "Thời gian giải quyết",
    "ask_agency": "Nộp hồ sơ ở đâu",
    "ask_steps": "Các bước thực hiện",
    "ask_online": "Nộp trực tuyến",
    "search_procedure": "Tìm thủ tục theo lĩnh vực",
    "check_dossier_status": "Tra cứu tình trạng hồ sơ",
    HANDOFF_INTENT: "Gặp cán bộ",
    "complain": "Gửi phản ánh, kiến nghị",
}
# Entities worth carrying into a suggestion's payload (never personal numbers).
CARRIED_ENTITIES = (PROCEDURE_ENTITY, "dossier_code", "field", "location")
MIN_SUGGESTION_CONFIDENCE = 0.05
MAX_SUGGESTIONS = 3
FAQ_MATCH_MIN_SCORE = 0.6
DID_YOU_MEAN = "Ý bạn là:"
NO_IDEA = "Xin lỗi, mình chưa hiểu ý bạn. Bạn có thể hỏi lại, ví dụ: «Làm căn cước cần giấy tờ gì?»"
STILL_NOT_UNDERSTOOD = "Xin lỗi, mình vẫn chưa hiểu ý bạn, nên mình sẽ chuyển câu hỏi tới cán bộ."
# Typed "start over" (a button sends /restart; typed slashes are neutralised by the channels).
_RESTART_WORDS = re.compile(r"\b(làm lại từ đầu|lam lai tu dau|bắt đầu lại|bat dau lai|restart|reset)\b", re.I)


def named_procedure_question(tracker: Tracker) -> list[str]:
    """The aspects to answer when the NLU fell just under its threshold on a question that names a
    catalog procedure (matched by the gazetteer, not guessed) and asks an aspect the best intent
    agrees with: a long polite message ("Xin chào. Tôi ở xã … Tôi muốn đăng ký kết hôn thì lên đâu
    làm?") is answered, not met with "Ý bạn là". Else []."""
    message = tracker.latest_message
    ranking = [item for item in message.get("intent_ranking") or [] if item.get("name") != FALLBACK_INTENT]
    entities = message.get("entities") or []
    names_procedure = any(
        entity.get("entity") == PROCEDURE_ENTITY and entity.get("extractor") == "StructuredEntityExtractor"
        for entity in entities
    )
    asked = [entity.get("value") for entity in entities if entity.get("entity") == "aspect"]
    if not ranking or not names_procedure or not asked:
        return []
    best = aspect_of(str(ranking[0].get("name") or ""))
    return [str(aspect) for aspect in dict.fromkeys(asked)] if best in asked else []


def suggestions(tracker: Tracker) -> list[dict[str, str]]:
    """Buttons for the best intents of the ranking, with their readable labels."""
    message = tracker.latest_message
    entities = {
        entity["entity"]: entity["value"]
        for entity in message.get("entities") or []
        if entity.get("entity") in CARRIED_ENTITIES and isinstance(entity.get("value"), str)
    }
    suffix = json.dumps(entities, ensure_ascii=False) if entities else ""
    buttons = []
    for ranked in message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name in INTENT_LABELS and float(ranked.get("confidence") or 0) >= MIN_SUGGESTION_CONFIDENCE:
            buttons.append({"title": INTENT_LABELS[name], "payload": f"/{name}{suffix}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return buttons


def previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen += 1
            if seen == 2:
                return (event.get("parse_data") or {}).get("intent", {}).get("name")
    return None


class ActionClarify(Action):
    """Runs on ``nlu_fallback`` (FallbackClassifier below its threshold)."""

    def name(self) -> str:
        return "action_clarify"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        text = tracker.latest_message.get("text") or ""
        if _RESTART_WORDS.search(text):
            return ActionRestart().run(dispatcher, tracker, domain)
        aspects = follow_up_aspects(text)
        if aspects and tracker.get_slot(PROCEDURE_CODE_SLOT):
            return ActionAnswerProcedure().answer(dispatcher, tracker, aspects)
        asked = named_procedure_question(tracker)
        if asked:
            return ActionAnswerProcedure().answer(dispatcher, tracker, asked)
        if previous_user_intent(tracker) == FALLBACK_INTENT:
            dispatcher.utter_message(text=STILL_NOT_UNDERSTOOD)
            return request_handoff(dispatcher, tracker, reason="not_understood")
        answer = self._published_faq(text)
        if answer:
            dispatcher.utter_message(text=answer)
            return []
        buttons = suggestions(tracker)
        if buttons:
            dispatcher.utter_message(text=DID_YOU_MEAN, buttons=[*buttons, RESTART_BUTTON])
        else:
            dispatcher.utter_message(text=NO_IDEA)
        return []

    @staticmethod
    def _published_faq(text: str) -> str | None:
        """A published FAQ close enough to answer (covers FAQs added after the last training)."""
        try:
            matches = shared_console_client().match_faq(text, limit=1, min_score=FAQ_MATCH_MIN_SCORE)
        except ConsoleError as error:
            logger.info("faq match unavailable: %s", error)
            return None
        return matches[0]["answer"] if matches else None

"""FAQ answers (retrieval intent ``faq/<key>``) from the staff console, current as published.

Staff edit FAQ answers in the console; the bot asks the console for the published answer
(cached ``faq_cache_seconds``), so an edit reaches citizens within a minute without retraining.
When the console is unreachable, or the FAQ is not published there, the answer trained into the
model (``utter_faq/<key>``) is used. A short follow-up about the procedure under discussion
("còn lệ phí thì sao?") is answered for that procedure instead (see :mod:`actions.followups`).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.console_client import ConsoleError, shared_console_client
from actions.followups import follow_up_aspects
from actions.procedures import ActionAnswerProcedure
from common.conversation import FAQ_INTENT, FAQ_RESPONSE_PREFIX, PROCEDURE_CODE_SLOT

logger = logging.getLogger(__name__)


def faq_key(tracker: Tracker) -> str | None:
    """``gio_lam_viec`` for the ResponseSelector's ``faq/gio_lam_viec``."""
    selector = tracker.latest_message.get("response_selector", {})
    response = (selector.get(FAQ_INTENT) or selector.get("default") or {}).get("response", {})
    full = response.get("intent_response_key") or ""
    return full.split("/", 1)[1] if "/" in full else None


class ActionAnswerFaq(Action):
    """Answers ``faq/<key>`` with the console's published answer, else the model's."""

    def name(self) -> str:
        return "action_answer_faq"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        aspects = follow_up_aspects(tracker.latest_message.get("text") or "")
        if aspects and tracker.get_slot(PROCEDURE_CODE_SLOT):
            return ActionAnswerProcedure().answer(dispatcher, tracker, aspects)
        key = faq_key(tracker)
        if key is None:
            dispatcher.utter_message(response="utter_default")
            return []
        try:
            faq = shared_console_client().faq(key)
        except ConsoleError as error:
            logger.warning("faq %s from console failed (%s): using the trained answer", key, error)
            faq = None
        if faq is not None:
            dispatcher.utter_message(text=faq["answer"])
        else:
            dispatcher.utter_message(response=f"{FAQ_RESPONSE_PREFIX}{key}")
        return []

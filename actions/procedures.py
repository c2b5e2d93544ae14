"""Actions that answer questions about administrative procedures from the portal catalog.

Which procedure? In this order: a national procedure code as the ``procedure`` entity (what our
choice buttons send, ``/inform{"procedure": "1.014061"}``, signed by the channel; Rasa keeps only
entities the domain declares, so the buttons use the contract's ``procedure`` entity rather than a
new one), the ``procedure`` entity of the message (a newly named procedure replaces the one under
discussion), the procedure under discussion (slot ``procedure_code``, so
"còn lệ phí thì sao?" is answered for it), and last a catalog search on the message text.
When a search gives several plausible procedures (close scores) the citizen picks one from
buttons and the aspect asked is kept in ``pending_aspect`` so the choice answers it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ANSWERS_BY_INTENT, ASPECT_INTENTS, answer_agency, answer_overview
from actions.portal_client import PortalClient, PortalError, error_message, shared_portal_client

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = (
    "Mình chưa tìm thấy thủ tục phù hợp. Bạn có thể nói rõ tên thủ tục hơn không? "
    "Ví dụ: «cấp thẻ căn cước», «đăng ký khai sinh», «đổi giấy phép lái xe»."
)
ASK_WHICH_MESSAGE = "Bạn hỏi về thủ tục nào dưới đây?"
ASK_PROCEDURE_MESSAGE = "Bạn cho mình biết tên thủ tục cần hỏi nhé, ví dụ: «đăng ký thường trú»."
# A search hit is "plausible" when its score is at least this share of the best score (measured
# on the catalog: "căn cước", "hộ chiếu", "sổ đỏ" ask; "làm căn cước", "đổi bằng lái" answer).
CLOSE_SCORE_RATIO = 0.95
# National procedure code (mã thủ tục), e.g. 1.004222: typed, or sent by a choice button.
PROCEDURE_CODE = re.compile(r"\d\.\d{6}")
MIN_CHOICES = 3
MAX_CHOICES = 5
MAX_BUTTON_TITLE = 60
RESTART_BUTTON = {"title": "Làm lại từ đầu", "payload": "/restart"}
# Context slots cleared when the citizen starts over (the lookup failure count is kept on purpose:
# starting over must not reset the protection against guessing dossier codes).
CONTEXT_SLOTS = (
    "procedure_code",
    "procedure_name",
    "pending_aspect",
    "dossier_code",
    "verification_factor",
    "complaint_description",
    "phone_number",
    "requested_slot",
)


@dataclass(frozen=True)
class Resolution:
    """Either one procedure ``code``, several ``choices`` (search hits) or nothing found."""

    code: str | None = None
    choices: tuple[dict[str, Any], ...] = ()


def _latest_entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


def plausible_hits(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits whose score is close to the best one (the best always included)."""
    if not hits:
        return []
    best = float(hits[0].get("score") or 0.0)
    if best <= 0:
        return hits[:1]
    return [hit for hit in hits[:MAX_CHOICES] if float(hit.get("score") or 0.0) >= best * CLOSE_SCORE_RATIO]


def resolve_procedure(tracker: Tracker, client: PortalClient, deadline: float) -> Resolution:
    """Which procedure the latest message is about (see the module docstring for the order)."""
    named = _latest_entity(tracker, "procedure")
    if named and PROCEDURE_CODE.fullmatch(named.strip()):
        return Resolution(code=named.strip())
    if not named and tracker.get_slot("procedure_code"):
        return Resolution(code=tracker.get_slot("procedure_code"))
    # The whole wording ranks better than the entity alone ("làm căn cước" names the first card,
    # "căn cước" could be any of four procedures); the entity is the fallback query.
    text = tracker.latest_message.get("text") or ""
    hits = client.search_procedures(text, limit=MAX_CHOICES, deadline=deadline) if text else []
    if not hits and named:
        hits = client.search_procedures(named, limit=MAX_CHOICES, deadline=deadline)
    plausible = plausible_hits(hits)
    if not plausible:
        return Resolution()
    if len(plausible) == 1:
        return Resolution(code=plausible[0]["code"])
    # Ambiguous: offer at least MIN_CHOICES buttons (the next best hits complete the list).
    return Resolution(choices=tuple(hits[: max(MIN_CHOICES, len(plausible))]))


def choice_buttons(hits: tuple[dict[str, Any], ...]) -> list[dict[str, str]]:
    """3-5 buttons, one per plausible procedure; the payload carries its code."""
    buttons = []
    for hit in hits[:MAX_CHOICES]:
        title = hit["name"] if len(hit["name"]) <= MAX_BUTTON_TITLE else hit["name"][: MAX_BUTTON_TITLE - 1] + "…"
        payload = "/inform" + json.dumps({"procedure": hit["code"]}, ensure_ascii=False)
        buttons.append({"title": title, "payload": payload})
    return buttons


def asked_aspect(tracker: Tracker) -> str:
    """The intent whose aspect to answer: this message's, or the one pending a button choice."""
    intent = tracker.latest_message.get("intent", {}).get("name", "")
    if intent in ASPECT_INTENTS:
        return intent
    pending = tracker.get_slot("pending_aspect")
    return pending if pending in ASPECT_INTENTS else "ask_procedure"


class ActionAnswerProcedure(Action):
    """Answers exactly the aspect asked (documents, fee, time, agency, steps, online, overview)."""

    def name(self) -> str:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        if intent == "inform" and not _latest_entity(tracker, "procedure"):
            return self._bare_inform(dispatcher, tracker)
        return self.answer(dispatcher, tracker, asked_aspect(tracker))

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, aspect: str) -> list[EventType]:
        """Answer ``aspect`` (an intent name) about the procedure the message is about."""
        client = shared_portal_client()
        deadline = client.deadline()
        try:
            resolution = resolve_procedure(tracker, client, deadline)
            if resolution.choices:
                dispatcher.utter_message(text=ASK_WHICH_MESSAGE, buttons=choice_buttons(resolution.choices))
                return [SlotSet("pending_aspect", aspect)]
            if resolution.code is None:
                dispatcher.utter_message(text=NOT_FOUND_MESSAGE)
                return [SlotSet("pending_aspect", None)]
            procedure = client.get_procedure(resolution.code, deadline=deadline)
        except PortalError as error:
            logger.warning("procedure answer failed: %s", error.kind)
            if error.kind == "not_found":
                dispatcher.utter_message(text=NOT_FOUND_MESSAGE)
            else:
                dispatcher.utter_message(text=error_message(error.kind))
            return []
        dispatcher.utter_message(text=ANSWERS_BY_INTENT.get(aspect, answer_overview)(procedure))
        return [
            SlotSet("procedure_code", procedure["code"]),
            SlotSet("procedure_name", procedure.get("name")),
            SlotSet("pending_aspect", None),
        ]

    def _bare_inform(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """An ``inform`` without a procedure (a place, a field): where to file, if one is discussed."""
        code = tracker.get_slot("procedure_code")
        if not code or not _latest_entity(tracker, "location"):
            dispatcher.utter_message(text=ASK_PROCEDURE_MESSAGE)
            return []
        client = shared_portal_client()
        try:
            procedure = client.get_procedure(code, deadline=client.deadline())
        except PortalError as error:
            dispatcher.utter_message(text=error_message(error.kind))
            return []
        dispatcher.utter_message(text=answer_agency(procedure))
        return []


class ActionRestart(Action):
    """ "Làm lại từ đầu": forget the procedure and any half-filled form, keep the safety counters.

    Overrides Rasa's default ``action_restart`` (the ``/restart`` button), which would wipe the
    whole tracker, including the count of failed dossier lookups and a staff handoff.
    """

    def name(self) -> str:
        return "action_restart"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_restart")
        return [ActiveLoop(None), *(SlotSet(slot, None) for slot in CONTEXT_SLOTS)]

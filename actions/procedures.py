"""Actions that answer questions about administrative procedures from the portal catalog.

Which procedure? In this order: a national procedure code as the ``procedure`` entity (what our
choice buttons send, ``/inform{"procedure": "1.014061"}``, signed by the channel; Rasa keeps only
entities the domain declares, so the buttons use the contract's ``procedure`` entity rather than a
new one), the ``procedure`` entity of the message (a newly named procedure replaces the one under
discussion, unless the words point back to it: "thủ tục này", "cái đó"), the procedure under
discussion (slot ``procedure_code``, so "còn lệ phí thì sao?" is answered for it), and last a
catalog search on the message text. When a search gives several plausible procedures (close
scores) the citizen picks one from buttons and the aspects asked are kept in ``pending_aspect`` so
the choice answers them.

What is asked: every aspect of the message ("mất bao lâu và phí bao nhiêu" is two), answered in
one reply (:mod:`actions.replies`) from the procedure's brief. Where: for the citizen's place when
the message names one (old or new names, :mod:`actions.places`), remembered in ``citizen_place``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.aspects import AGENCY, OVERVIEW, aspect_of, aspects_in, folded_words, refers_to_context
from actions.brief import procedure_brief
from actions.places import Place, PlaceLookup, choice_label, find_place, unit_phrase
from actions.portal_client import PortalClient, PortalError, error_message, shared_portal_client
from actions.replies import compose, inform_payload
from common.conversation import PROCEDURE_CODE_SLOT, PROCEDURE_ENTITY, PROCEDURE_NAME_SLOT

logger = logging.getLogger(__name__)

NOT_FOUND_MESSAGE = (
    "Mình chưa tìm thấy thủ tục phù hợp. Bạn có thể nói rõ tên thủ tục hơn không? "
    "Ví dụ: «cấp thẻ căn cước», «đăng ký khai sinh», «đổi giấy phép lái xe»."
)
ASK_WHICH_MESSAGE = "Bạn hỏi về thủ tục nào dưới đây?"
ASK_PROCEDURE_MESSAGE = "Bạn cho mình biết tên thủ tục cần hỏi nhé, ví dụ: «đăng ký thường trú»."
ADDRESS_DETAIL_MESSAGE = "Bạn ghi rõ thêm quận/huyện cũ và tỉnh/thành phố giúp mình nhé."
# A search hit is "plausible" when its score is at least this share of the best score (measured
# on the catalog: "căn cước", "hộ chiếu", "sổ đỏ" ask; "làm căn cước", "đổi bằng lái" answer).
CLOSE_SCORE_RATIO = 0.95
# National procedure code (mã thủ tục), e.g. 1.004222: typed, or sent by a choice button.
PROCEDURE_CODE = re.compile(r"\d\.\d{6}")
# Words of a "procedure" entity that name no procedure ("thủ tục", "hồ sơ này").
GENERIC_WORDS = frozenset(
    ["thu", "tuc", "ho", "so", "giay", "to", "nay", "do", "cai", "viec", "lam", "nhu", "vay", "the"]
)
MIN_CHOICES = 3
MAX_CHOICES = 5
MAX_BUTTON_TITLE = 60
RESTART_BUTTON = {"title": "Làm lại từ đầu", "payload": "/restart"}
# Context slots cleared when the citizen starts over (the lookup failure count is kept on purpose:
# starting over must not reset the protection against guessing dossier codes).
CONTEXT_SLOTS = (
    PROCEDURE_CODE_SLOT,
    PROCEDURE_NAME_SLOT,
    "pending_aspect",
    "citizen_place",
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
    named = _latest_entity(tracker, PROCEDURE_ENTITY)
    if named and PROCEDURE_CODE.fullmatch(named.strip()):
        return Resolution(code=named.strip())
    text = tracker.latest_message.get("text") or ""
    under_discussion = tracker.get_slot(PROCEDURE_CODE_SLOT)
    # "thủ tục này", "cái đó", "làm như vậy": the procedure under discussion, even when the NLU
    # tagged the words (or a bare "thủ tục") as a procedure name; a real name still wins.
    generic = bool(named) and not set(folded_words(named).split()) - GENERIC_WORDS
    if under_discussion and (not named or refers_to_context(named) or (generic and refers_to_context(text))):
        return Resolution(code=under_discussion)
    # The whole wording ranks better than the entity alone ("làm căn cước" names the first card,
    # "căn cước" could be any of four procedures); the entity is the fallback query.
    hits = client.search_procedures(text, limit=MAX_CHOICES, deadline=deadline) if text else []
    if not hits and named:
        hits = client.search_procedures(named, limit=MAX_CHOICES, deadline=deadline)
    plausible = plausible_hits(hits)
    if not plausible:
        return Resolution()
    # One clear candidate is answered only when the message's content words support it (the portal's
    # ``confident``: greetings, thanks and everyday words alone never are); a weak one is asked about.
    if len(plausible) == 1 and plausible[0].get("confident", True):
        return Resolution(code=plausible[0]["code"])
    # Ambiguous or weak: offer at least MIN_CHOICES buttons (the next best hits complete the list).
    return Resolution(choices=tuple(hits[: max(MIN_CHOICES, len(plausible))]))


def choice_buttons(hits: tuple[dict[str, Any], ...]) -> list[dict[str, str]]:
    """3-5 buttons, one per plausible procedure; the payload carries its code."""
    buttons = []
    for hit in hits[:MAX_CHOICES]:
        title = hit["name"] if len(hit["name"]) <= MAX_BUTTON_TITLE else hit["name"][: MAX_BUTTON_TITLE - 1] + "…"
        buttons.append({"title": title, "payload": inform_payload(procedure=hit["code"])})
    return buttons


def _without_procedure_name(tracker: Tracker) -> str:
    """The message text with the procedure's name blanked out: "khai lệ phí trước bạ" names a
    procedure, it does not ask for the fee."""
    text = tracker.latest_message.get("text") or ""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") != PROCEDURE_ENTITY:
            continue
        start, end = entity.get("start"), entity.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            text = text[:start] + " " * (end - start) + text[end:]
        elif isinstance(entity.get("value"), str) and entity["value"]:
            text = text.replace(entity["value"], " ")
    return text


def pending_aspects(tracker: Tracker) -> list[str]:
    """Aspects asked before the citizen had to pick a procedure or a province."""
    value = tracker.get_slot("pending_aspect") or ""
    return [aspect for aspect in (aspect_of(part) for part in value.split(",")) if aspect]


def asked_aspects(tracker: Tracker) -> list[str]:
    """Every aspect the message asks, in order: the NLU's ``aspect`` entities, the cues of the text
    and the intent; for a choice (``inform``), the aspects pending; else the overview."""
    message = tracker.latest_message
    intent = message.get("intent", {}).get("name", "")
    aspects = []
    for value in tracker.get_latest_entity_values("aspect"):
        # A canonical value ("fee"), or the words themselves ("lệ phí") when no synonym mapped them.
        aspects.extend([aspect_of(value)] if aspect_of(value) else aspects_in(str(value)))
    if not (message.get("text") or "").startswith("/"):
        aspects += aspects_in(_without_procedure_name(tracker))
    intent_aspect = aspect_of(intent)
    if intent_aspect and intent_aspect != OVERVIEW:
        aspects.append(intent_aspect)
    if not aspects and intent == "inform":
        aspects = pending_aspects(tracker)
    return list(dict.fromkeys(aspects)) or [OVERVIEW]


def _case_number(tracker: Tracker) -> int | None:
    value = _latest_entity(tracker, "procedure_case")
    return int(value) if value and value.isdigit() else None


def place_of(tracker: Tracker) -> tuple[PlaceLookup, bool]:
    """The place this message names (``True``: newly named), else the one remembered."""
    location = _latest_entity(tracker, "location")
    text = tracker.latest_message.get("text") or ""
    lookup = find_place("" if text.startswith("/") else _without_procedure_name(tracker), location)
    if lookup.place or lookup.choices:
        return lookup, True
    return PlaceLookup(place=Place.from_slot(tracker.get_slot("citizen_place"))), False


def ask_province(dispatcher: CollectingDispatcher, choices: tuple[Place, ...]) -> None:
    """The same name in several places: which one (buttons), or ask for more of the address."""
    name = unit_phrase(choices[0].old_ward or choices[0].ward or choices[0].old_district)
    if len(choices) > MAX_CHOICES:
        dispatcher.utter_message(text=f"Có nhiều nơi tên {name}. {ADDRESS_DETAIL_MESSAGE}")
        return
    buttons = [
        {"title": choice_label(choice, choices), "payload": inform_payload(location=choice.query())}
        for choice in choices
    ]
    dispatcher.utter_message(text=f"Có {len(choices)} nơi tên {name}. Bạn ở nơi nào?", buttons=buttons)


class ActionAnswerProcedure(Action):
    """Answers every aspect asked (documents, fee, time, agency, steps, online, overview) in one reply."""

    def name(self) -> str:
        return "action_answer_procedure"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        if intent == "inform" and not _latest_entity(tracker, PROCEDURE_ENTITY):
            return self._bare_inform(dispatcher, tracker)
        return self.answer(dispatcher, tracker, asked_aspects(tracker))

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, aspects: list[str]) -> list[EventType]:
        """Answer ``aspects`` (aspect or intent names) about the procedure the message is about."""
        aspects = [aspect for aspect in (aspect_of(value) for value in aspects) if aspect] or [OVERVIEW]
        client = shared_portal_client()
        deadline = client.deadline()
        try:
            resolution = resolve_procedure(tracker, client, deadline)
            if resolution.choices:
                dispatcher.utter_message(text=ASK_WHICH_MESSAGE, buttons=choice_buttons(resolution.choices))
                return [SlotSet("pending_aspect", ",".join(aspects))]
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
        lookup, named = place_of(tracker)
        brief = procedure_brief(procedure)
        # A place named in several provinces: where is asked after the choice, the rest now.
        choose_place = bool(lookup.choices) and AGENCY in aspects
        now = [aspect for aspect in aspects if aspect != AGENCY] if choose_place else aspects
        if now:
            reply = compose(brief, procedure["code"], now, lookup.place, _case_number(tracker))
            dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
        events: list[EventType] = [
            SlotSet(PROCEDURE_CODE_SLOT, procedure["code"]),
            SlotSet(PROCEDURE_NAME_SLOT, brief.get("name") or procedure.get("name")),
            SlotSet("pending_aspect", AGENCY if choose_place else None),
        ]
        if named and lookup.place:
            events.append(SlotSet("citizen_place", lookup.place.to_slot()))
        if choose_place:
            ask_province(dispatcher, lookup.choices)
        return events

    def _bare_inform(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """An ``inform`` without a procedure: a place (typed, or chosen from buttons) answers where
        to file the procedure under discussion; without one, the place is kept for later."""
        lookup, named = place_of(tracker)
        if lookup.choices:
            ask_province(dispatcher, lookup.choices)
            return []
        events: list[EventType] = [SlotSet("citizen_place", lookup.place.to_slot())] if named and lookup.place else []
        if not tracker.get_slot(PROCEDURE_CODE_SLOT) or not named:
            dispatcher.utter_message(text=ASK_PROCEDURE_MESSAGE)
            return events
        return events + self.answer(dispatcher, tracker, pending_aspects(tracker) or [AGENCY])


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

"""Fixes to Rasa 3.6.21, applied when our tracker store is loaded: five to its per-turn work, one
to a silent loss of conversations, one to a conversation lock that never opens after a failover, one
to the silence a citizen met while the action server was down.

Why here: every Rasa server of ours loads ``bot.stores.masking_tracker_store`` from its endpoints
file (embedded and production), so importing that module is the one place all of them pass
through before the first turn. The fixes are checked against exactly ``rasa==3.6.21``; on any
other version nothing is patched and a warning says so (the code they replace may have changed).

1. ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which re-checks the
   response *schema* (``check_schema``) on every action call: about 30% of the Rasa process's CPU
   under load. The schema is a constant, so it is checked once and the compiled validator reused.
   An invalid response is still rejected with the same ``ValidationError`` and message.
2. When a form is activated with none of its slots filled, Rasa asks the form's validation
   action twice in the same turn about the same user message with no slot candidates: once in
   ``activate`` and again in ``do``, whose check "already validated at activation" (Rasa's own
   comment there) only sees validations that returned events. The second request differs from the
   first only by lacking the form's ``ActiveLoop`` event; our validation actions read slots and
   the latest message, so the answer is the first one's: nothing. That second call is skipped.
4. ``Domain.states_for_tracker_history`` (``tracker.past_states``) replays the whole session for
   every policy at every prediction of a turn, several times a turn: the part of a turn that grows
   with the conversation. The states of a tracker's history are remembered on the tracker (it
   lives for one turn) and, as Rasa appends events, only the new events are replayed; when the
   applied events are not an extension of the remembered ones (a revert), all is recomputed. The
   next turn's tracker starts from a copy of the conversation's last memo (its events are the same
   objects, from our tracker store's cache), so a turn replays only its own events.
3. ``Event.resolve_by_type`` walks every subclass of ``Event`` (and asks ``inspect.isabstract`` of
   each) for every event read from a tracker store or an action server. The class found for a type
   name is remembered; an unknown name still goes through Rasa's search (and its error).
5. ``RemoteAction._action_call_format`` serializes every event of the session into every action
   call (``EventVerbosity.ALL``): at turn 60 about 450 events and 300 KB of JSON, encoded by Rasa
   and decoded by the action server, two or three times a turn. The action server gets the
   tracker's state as before (slots, latest message, active loop, ...) with the last
   :data:`ACTION_SERVER_EVENTS` events; our actions read at most the last ten messages
   (``actions/handoff.py``) and Rasa SDK's forms only the events since the latest user message.
6. The agent wraps the tracker store in ``FailSafeTrackerStore``, which hides the store's errors:
   a failed retrieve gives a new, empty tracker (the citizen is answered without the context of
   the conversation) and a failed save keeps the turn in the process's memory only, while the
   channel answers as usual: a message answered and never stored. The store's errors now fail the
   turn (the REST channel answers 503 and the widget offers to resend); our SQL store first waits
   out a database restart (``bot/stores/sql_tracker_store.py``).
7. ``TicketLock.is_locked(t)`` is "the first ticket in the queue is not ``t``". Rasa removes expired
   tickets when it polls (once a second); when a killed Rasa server's ticket and the ticket of the
   resent message waiting behind it expire between two polls (the resend came within a second of
   the kill, ``TICKET_LOCK_LIFETIME`` later both are gone), the queue is empty, the first ticket is
   "0", and the waiting turn polls until its HTTP timeout: nginx then marks the surviving server
   down and every conversation gets 502 (tests/cluster/test_failover.py, one run in two). A ticket
   is now locked only while an unexpired ticket numbered below it exists: the same order, and a
   queue emptied by expiry opens.
8. When the action server cannot be reached or answers with an error, ``RemoteAction.run`` raises,
   the processor logs it and the turn ends with no message at all: the citizen waits for an answer
   that never comes (the fault campaign's "actions restarted": 21 of 80 turns empty). The turn now
   ends with :data:`common.conversation.SERVICE_UNAVAILABLE_TEXT`, so the citizen knows to resend.
   A rejection (``ActionExecutionRejection``, the form's "not me") still goes to Rasa unchanged.
"""

from __future__ import annotations

import copy
import itertools
import logging
from collections import OrderedDict
from typing import Any

import rasa

logger = logging.getLogger(__name__)

PATCHED_RASA_VERSION = "3.6.21"
_applied: list[str] = []
# Events of a conversation sent to the action server with each call (fix 5): about 13 turns.
ACTION_SERVER_EVENTS = 100
# Rasa's functions as they were before patching, for comparison in the tests.
ORIGINALS: dict[str, Any] = {}


def _compiled_response_validator() -> Any:
    """A validator for Rasa's action-server response schema, the schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _patch_action_result_validation() -> None:
    from jsonschema import exceptions
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    validator = _compiled_response_validator()

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # Same outcome as jsonschema.validate(result, schema): the best-matching error is raised.
        error = exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = _validate_action_result


def _patch_repeated_form_validation() -> None:
    from rasa.core.actions.forms import FormAction

    original = FormAction.validate_slots

    async def validate_slots(
        self: FormAction, slot_candidates: dict[str, Any], tracker: Any, domain: Any, output_channel: Any, nlg: Any
    ) -> list[Any]:
        # Rasa builds a new FormAction for every prediction, so this memo lives for one action run;
        # activate() works on a copy of the tracker that shares its events, hence the message's id.
        message = id(tracker.latest_message)
        if not slot_candidates and getattr(self, "_validated_nothing_for", None) == message:
            return []
        events = await original(self, slot_candidates, tracker, domain, output_channel, nlg)
        self._validated_nothing_for = message if not slot_candidates and not events else None
        return events

    FormAction.validate_slots = validate_slots


def _patch_event_type_lookup() -> None:
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default:
                found[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)


class _StatesMemo:
    """Where Rasa's loop in ``states_for_tracker_history`` stood after the events seen so far."""

    def __init__(self, tracker: Any, domain: Any) -> None:
        # Held, not only keyed by id(): while a memo lives its domain's id cannot be reused by the
        # domain of a model loaded later, so a memo is never served to another domain.
        self.domain = domain
        self.replay = tracker.init_copy()
        self.applied: list[Any] = []
        self.states: list[dict] = []
        self.last_ml_action: Any = None
        self.turn_was_hidden = False

    def fork(self) -> _StatesMemo:
        """An independent memo at the same point (the replayed tracker copied, states shared:
        remembered states are never edited in place)."""
        twin = copy.copy(self)
        twin.replay = self.replay.copy()
        twin.applied, twin.states = list(self.applied), list(self.states)
        return twin


# The latest memo of each conversation, for the first call on the next turn's new tracker (the
# tracker store hands it the same event objects): at most LAST_MEMOS conversations.
LAST_MEMOS = 500
_last_memos: OrderedDict[tuple, _StatesMemo] = OrderedDict()


def _is_prefix(known: list[Any], events: list[Any]) -> bool:
    return len(known) <= len(events) and all(old is new for old, new in zip(known, events, strict=False))


def _remember(key: tuple, memo: _StatesMemo) -> None:
    _last_memos[key] = memo
    _last_memos.move_to_end(key)
    while len(_last_memos) > LAST_MEMOS:
        _last_memos.popitem(last=False)


def _states_step(domain: Any, memo: _StatesMemo, hide_rule_turn: bool, flags: tuple) -> dict | None:
    """One pass of Rasa's loop body on ``memo.replay``; returns the state (None: hidden turn)."""
    from rasa.shared.core.constants import PREVIOUS_ACTION

    omit_unset_slots, ignore_rule_only_turns, rule_only_data = flags
    tracker = memo.replay
    if ignore_rule_only_turns:
        if not memo.turn_was_hidden:
            memo.last_ml_action = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and tracker.latest_action_name != tracker.active_loop_name:
            memo.turn_was_hidden = hide_rule_turn
        if memo.turn_was_hidden:
            return None
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ignore_rule_only_turns:
        domain._remove_rule_only_features(state, rule_only_data)
        if memo.states:
            domain._substitute_rule_only_user_input(state, memo.states[-1])
        if memo.last_ml_action:
            state[PREVIOUS_ACTION] = memo.last_ml_action
    return domain._clean_state(state)


def _copy(state: dict) -> dict:
    return {kind: dict(sub) if isinstance(sub, dict) else sub for kind, sub in state.items()}


def _has_intent_and_text(state: dict) -> bool:
    user = state.get("user") or {}
    return bool(user.get("intent") and user.get("text"))


def _patch_incremental_states() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted

    ORIGINALS["states_for_tracker_history"] = Domain.states_for_tracker_history

    def states_for_tracker_history(
        self: Domain,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[dict]:
        flags = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        memos = tracker.__dict__.setdefault("_states_memos", {})
        key = (id(self), omit_unset_slots, ignore_rule_only_turns, id(rule_only_data))
        applied = tracker.applied_events()
        memo = memos.get(key)
        if memo is None:  # a new tracker: this turn's, or a copy; start where the last turn stopped
            last = _last_memos.get((tracker.sender_id, *key))
            if last is not None and _is_prefix(last.applied, applied):
                memo = memos[key] = last.fork()
        if memo is None or not _is_prefix(memo.applied, applied):
            memo = memos[key] = _StatesMemo(tracker, self)
        for event in applied[len(memo.applied) :]:
            if isinstance(event, ActionExecuted):
                state = _states_step(self, memo, event.hide_rule_turn, flags)
                if state is not None:
                    memo.states.append(state)
            memo.replay.update(event)
        memo.applied = applied
        _remember((tracker.sender_id, *key), memo)
        # The last state (after every event) is not kept: the next events change it.
        saved = (memo.last_ml_action, memo.turn_was_hidden)
        final = _states_step(self, memo, False, flags)
        memo.last_ml_action, memo.turn_was_hidden = saved
        # Rasa's featurizers edit the states they are given in place: the last one (intent or text of
        # the latest input) and any with both an intent and a text. Those are handed out as copies;
        # the others are shared with the memo (copying them all grew with the conversation).
        last = len(memo.states) - 1
        states = [_copy(s) if i == last or _has_intent_and_text(s) else s for i, s in enumerate(memo.states)]
        return states + ([final] if final is not None else [])

    Domain.states_for_tracker_history = states_for_tracker_history


def _patch_action_call_events() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import EventVerbosity

    ORIGINALS["_action_call_format"] = RemoteAction._action_call_format

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> dict[str, Any]:
        # Rasa's body, with only the last events serialized (the rest of the state is unchanged).
        state = tracker.current_state(EventVerbosity.NONE)
        first = max(0, len(tracker.events) - ACTION_SERVER_EVENTS)
        state["events"] = [event.as_dict() for event in itertools.islice(tracker.events, first, None)]
        result = {
            "next_action": self._name,
            "sender_id": tracker.sender_id,
            "tracker": state,
            "version": rasa.__version__,
        }
        if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
            result["domain"] = domain.as_dict()
        return result

    RemoteAction._action_call_format = _action_call_format


def _patch_fail_safe_tracker_store() -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore

    async def retrieve(self: FailSafeTrackerStore, sender_id: str) -> Any:
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: str) -> Any:
        return await self._tracker_store.retrieve_full_tracker(sender_id)

    async def save(self: FailSafeTrackerStore, tracker: Any) -> None:
        await self._tracker_store.save(tracker)

    FailSafeTrackerStore.retrieve = retrieve
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker
    FailSafeTrackerStore.save = save


def _patch_ticket_lock() -> None:
    from rasa.core.lock import TicketLock

    def is_locked(self: TicketLock, ticket_number: int) -> bool:
        self.remove_expired_tickets()
        return any(ticket.number < ticket_number for ticket in self.tickets)

    TicketLock.is_locked = is_locked


def _patch_unavailable_action_server() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    from common.conversation import SERVICE_UNAVAILABLE_TEXT

    original = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            logger.error("action %s failed (%s): the citizen is asked to resend", self.name(), error)
            return [BotUttered(SERVICE_UNAVAILABLE_TEXT, metadata={"unavailable": self.name()})]

    RemoteAction.run = run


def apply() -> list[str]:
    """Apply the fixes once per process; returns what is patched (empty on another Rasa version)."""
    if _applied:
        return list(_applied)
    if rasa.__version__ != PATCHED_RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s: its per-turn fixes (bot/rasa_patches.py) are not applied.",
            rasa.__version__,
            PATCHED_RASA_VERSION,
        )
        return []
    _patch_action_result_validation()
    _applied.append("RemoteAction._validate_action_result: schema checked once")
    _patch_repeated_form_validation()
    _applied.append("FormAction.validate_slots: repeated empty validation skipped")
    _patch_event_type_lookup()
    _applied.append("Event.resolve_by_type: classes remembered")
    _patch_incremental_states()
    _applied.append("Domain.states_for_tracker_history: only new events replayed")
    _patch_action_call_events()
    _applied.append(f"RemoteAction._action_call_format: last {ACTION_SERVER_EVENTS} events sent")
    _patch_fail_safe_tracker_store()
    _applied.append("FailSafeTrackerStore: the store's errors fail the turn, no in-memory fallback")
    _patch_ticket_lock()
    _applied.append("TicketLock.is_locked: open once every earlier ticket is gone")
    _patch_unavailable_action_server()
    _applied.append("RemoteAction.run: an unreachable action server gets the citizen an apology")
    logger.info("Rasa %s patched: %s", rasa.__version__, "; ".join(_applied))
    return list(_applied)

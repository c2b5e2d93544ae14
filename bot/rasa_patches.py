"""Fixes to Rasa 3.6.21, applied when our tracker store is loaded: ten to its per-turn work, one to
the garbage collector's pauses, one to a silent loss of conversations, one to a conversation lock
that never opens after a failover, one to the silence a citizen met while the action server was
down.

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
   every policy at every prediction, several times a turn: the part of a turn that grows with the
   conversation. Only the events new to a remembered history are replayed
   (:mod:`bot.tracker_history`).
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
9. ``DialogueStateTracker.copy`` (before every action) replays every event of the session into a
   new tracker, and ``applied_events`` (a dozen calls a turn) walks them all: what still grew with
   the conversation after fix 4 (py-spy, turns 150-210 against turns 1-10). A copy takes the
   tracker's state as it is; applied events are extended with the new events only
   (:mod:`bot.tracker_history`).
10. ``Features._combine_sparse_features`` joins each message's sparse features, featurizer by
    featurizer, with ``scipy.sparse.hstack``, whose general block assembly (``bmat``) was 9% of the
    Rasa process's CPU under load (py-spy), for matrices of a dozen rows. The two COO entry lists
    are now concatenated, the right one's columns shifted: the same matrix, format and dtype
    (``tests/bot/test_rasa_patches.py``), about 3.5 times faster.
11. ``RulePolicy._get_possible_keys`` filters the rules against every state of the session, from
    the latest back, for each of its predictions (two or three a turn). A rule shorter than the
    distance walked always passes (Rasa's ``_is_rule_applicable``), so once the walk is past the
    longest rule left nothing more can be filtered out: the walk now stops there. The same keys
    (``tests/bot/test_rasa_patches.py``); a cost that grew with the conversation is now bounded
    by the longest rule (py-spy: 28% of RulePolicy's share under load).
12. ``RulePolicy._find_action_from_rules`` formats every state of the session into text for a debug
    log line, at each of its predictions, whether or not debug lines are written: what was left
    growing with the conversation at turn 150. The text is now made only when the line is written,
    and is the same text.
13. A full collection of Python's garbage collector walks every object of the process: with the
    model loaded, about 760,000 of them, 430-600 ms during which no citizen is answered (measured
    with ``gc.callbacks`` under the 8-conversation load: two such pauses in a 3.5 s run, p99 640
    ms). Objects that exist once the model is loaded live as long as the model, so after each model
    load they are frozen out of the collector's passes (``gc.freeze``); a model replaced through
    the HTTP API is collected first. A full collection now walks what the turns made: 8 ms.
14. Every action call sends the tracker's state and its last events as JSON (about 50 KB at turn
    20), encoded by ``json.dumps`` with every Vietnamese letter escaped: 4% of the Rasa process's
    CPU under load (py-spy). The bodies Rasa's endpoints send are now encoded by ``ujson`` (a
    dependency of Rasa's, pinned), as UTF-8 without escapes: the same JSON values, in 45% less
    time and 13% fewer bytes for the action server to read.
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

import rasa

from bot import tracker_history

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


def _patch_sparse_feature_combination() -> None:
    import numpy as np
    import scipy.sparse
    from rasa.shared.nlu.training_data.features import Features

    ORIGINALS["combine_sparse_features"] = Features._combine_sparse_features

    def _combine_sparse_features(self: Features, additional_features: Features) -> None:
        left, right = self.features.tocoo(), additional_features.features.tocoo()
        if left.shape[0] != right.shape[0]:
            raise ValueError(
                f"Cannot combine sparse features as sequence dimensions do not "
                f"match: {left.shape[0]} != {right.shape[0]}."
            )
        # scipy's hstack goes through bmat, which is general and slow; side by side, the blocks of a
        # COO matrix are its two entry lists, the right one's columns shifted.
        self.features = scipy.sparse.coo_matrix(
            (
                np.concatenate([left.data, right.data]),
                (np.concatenate([left.row, right.row]), np.concatenate([left.col, right.col + left.shape[1]])),
            ),
            shape=(left.shape[0], left.shape[1] + right.shape[1]),
            dtype=np.result_type(left.dtype, right.dtype),
        )
        self._cached_fingerprint = None

    Features._combine_sparse_features = _combine_sparse_features


def _patch_rule_key_search() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    ORIGINALS["get_possible_keys"] = RulePolicy._get_possible_keys

    def _get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict]) -> set[str]:
        possible_keys = set(lookup.keys())
        for index, state in enumerate(reversed(states)):
            if all(index >= len(self._rule_key_to_state(key)) for key in possible_keys):
                break  # every rule left is shorter: Rasa's filter keeps them all from here on
            possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, index, state)}
        return possible_keys

    RulePolicy._get_possible_keys = _get_possible_keys


class _StatesForDebugLog:
    """RulePolicy's states as its debug line prints them, formatted only if the line is written.
    Rendered as Rasa's text by every structlog renderer (``str``, ``repr``, ``__structlog__``)."""

    __slots__ = ("_states",)

    def __init__(self, states: list[dict]) -> None:
        self._states = states

    def __str__(self) -> str:
        from rasa.core.policies.policy import Policy

        return Policy.format_tracker_states(self._states)

    __repr__ = __structlog__ = __str__

    def __deepcopy__(self, memo: dict) -> _StatesForDebugLog:
        return self  # Rasa deep-copies the text for the log call; nothing here changes afterwards


def _patch_rule_debug_states() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    RulePolicy.format_tracker_states = staticmethod(_StatesForDebugLog)


def _compact_json(value: Any) -> str:
    """JSON text as ``json.dumps`` writes it (the same values, NaN included), without the spaces
    and the ``\\uXXXX`` escapes of every Vietnamese letter, in a third of the time."""
    import ujson

    return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)


def _patch_endpoint_json() -> None:
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    ORIGINALS["endpoint_session"] = EndpointConfig.session

    def session(self: EndpointConfig) -> aiohttp.ClientSession:
        # Rasa's session (its headers, basic auth and timeout), encoding request bodies with ujson.
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            json_serialize=_compact_json,
        )

    EndpointConfig.session = session


def _patch_model_load_freezes_heap() -> None:
    import gc

    from rasa.core.agent import Agent

    ORIGINALS["agent_load_model"] = Agent.load_model

    def load_model(self: Agent, model_path: Any, fingerprint: str | None = None) -> None:
        ORIGINALS["agent_load_model"](self, model_path, fingerprint)
        # The model replaced (if any) is unreachable now: thaw, collect it, freeze what serves turns.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    Agent.load_model = load_model


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
    tracker_history.patch_state_history(ORIGINALS)
    _applied.append("Domain.states_for_tracker_history: only new events replayed")
    tracker_history.patch_tracker_replays(ORIGINALS)
    _applied.append("DialogueStateTracker.copy, .applied_events: no replay of the whole session")
    _patch_action_call_events()
    _applied.append(f"RemoteAction._action_call_format: last {ACTION_SERVER_EVENTS} events sent")
    _patch_fail_safe_tracker_store()
    _applied.append("FailSafeTrackerStore: the store's errors fail the turn, no in-memory fallback")
    _patch_ticket_lock()
    _applied.append("TicketLock.is_locked: open once every earlier ticket is gone")
    _patch_unavailable_action_server()
    _applied.append("RemoteAction.run: an unreachable action server gets the citizen an apology")
    _patch_sparse_feature_combination()
    _applied.append("Features._combine_sparse_features: COO entries joined without scipy's bmat")
    _patch_rule_key_search()
    _applied.append("RulePolicy._get_possible_keys: stops past the longest rule")
    _patch_rule_debug_states()
    _applied.append("RulePolicy.format_tracker_states: formatted only for a written debug line")
    _patch_endpoint_json()
    _applied.append("EndpointConfig.session: request bodies encoded with ujson")
    _patch_model_load_freezes_heap()
    _applied.append("Agent.load_model: the loaded model frozen out of the garbage collector's full passes")
    logger.info("Rasa %s patched: %s", rasa.__version__, "; ".join(_applied))
    return list(_applied)

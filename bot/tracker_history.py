"""The conversation's history without replaying it: what Rasa 3.6.21 recomputes from the whole
session several times a turn, kept and extended with the new events only. Applied by
:func:`bot.rasa_patches.apply` (fixes 4 and 9 there), checked against Rasa's own functions in
``tests/bot/test_tracker_history.py``.

* **State history** (fix 4). ``Domain.states_for_tracker_history`` (``tracker.past_states``)
  replays the session for every policy at every prediction. The states are remembered on the
  tracker, and the next turn's tracker starts from a copy of the conversation's last memory (its
  events are the same objects, from our tracker store's cache). An event the masking store stored
  as a masked copy (a message with an ID number) is recognised by its copy when what states read
  of it is the same.
* **Copies and applied events** (fix 9). ``DialogueStateTracker.copy`` (before every action, and
  for every memory handed to the next turn) replays every event of the session into a new tracker;
  ``applied_events`` (called a dozen times a turn) walks them all. A copy now takes the tracker's
  state as it is (what replaying its events gives, by Rasa's own rule for trackers) and the
  applied events known so far; they are extended with the new events only, unless a new form name
  changes how earlier events read.
"""

from __future__ import annotations

import copy
import itertools
import operator
import weakref
from collections import OrderedDict
from typing import Any


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


# Set by the masking store (bot/stores/masking_tracker_store.py) on the copy it stores in place of
# an event with personal data: a weak reference to the tracker's own event, which the memo has seen.
STANDS_IN_FOR = "_stands_in_for"


def mark_stand_in(stored: Any, original: Any) -> None:
    """Record that ``stored`` is kept in place of ``original`` (a masked copy of it)."""
    setattr(stored, STANDS_IN_FOR, weakref.ref(original))


def _same_state_input(old: Any, new: Any) -> bool:
    """Whether Rasa's states would read the same from ``new`` as from ``old``: the intent and entity
    types of a message (its text is dropped by every featurizer once an intent is there), whether a
    (text) slot is set; a bot message is not part of any state."""
    from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
    from rasa.shared.nlu.constants import TEXT

    if type(old) is not type(new):
        return False
    if isinstance(old, UserUttered):
        old_state, new_state = old.as_sub_state(), new.as_sub_state()
        return bool(old.intent_name) and {k: v for k, v in old_state.items() if k != TEXT} == {
            k: v for k, v in new_state.items() if k != TEXT
        }
    if isinstance(old, SlotSet):
        return old.key == new.key and (old.value is None) == (new.value is None)
    return isinstance(old, BotUttered)


def _same_event(old: Any, new: Any) -> bool:
    if old is new:
        return True
    stand_in = getattr(new, STANDS_IN_FOR, None)
    return stand_in is not None and stand_in() is old and _same_state_input(old, new)


def starts_with(events: Any, known: Any) -> bool:
    """Whether ``events`` begin with the very event objects of ``known`` (compared in C: called on
    the whole session a few times a turn)."""
    return len(known) <= len(events) and all(map(operator.is_, known, events))


def _is_prefix(known: list[Any], events: list[Any]) -> bool:
    # Only a session with a masked copy in it goes through the stand-in check event by event.
    return starts_with(events, known) or (
        len(known) <= len(events) and all(_same_event(old, new) for old, new in zip(known, events, strict=False))
    )


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


def _content_key(rule_only_data: dict[str, Any] | None) -> tuple | None:
    if rule_only_data is None:
        return None
    return tuple((name, tuple(values)) for name, values in sorted(rule_only_data.items()))


def patch_state_history(originals: dict[str, Any]) -> None:
    """Fix 4 of :mod:`bot.rasa_patches`: only the events new to the memo are replayed."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted

    originals["states_for_tracker_history"] = Domain.states_for_tracker_history

    def states_for_tracker_history(
        self: Domain,
        tracker: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[dict]:
        flags = (omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        memos = tracker.__dict__.setdefault("_states_memos", {})
        # RulePolicy builds a new rule_only_data dict for every prediction: keyed by its content.
        key = (id(self), omit_unset_slots, ignore_rule_only_turns, _content_key(rule_only_data))
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


class _AppliedEvents:
    """Where Rasa's loop in ``applied_events`` stood after the first ``count`` events of a tracker."""

    def __init__(self) -> None:
        self.events: Any = None  # the tracker's deque the count refers to
        self.count = 0
        self.last: Any = None  # events[count - 1], to notice a deque that changed otherwise
        self.loop_names: set[str] = set()
        self.applied: list[Any] = []

    def for_copy(self, events: Any) -> _AppliedEvents:
        """The same point for a copy's deque of the same events."""
        twin = _AppliedEvents()
        twin.events, twin.count, twin.last = events, self.count, self.last
        twin.loop_names, twin.applied = set(self.loop_names), list(self.applied)
        return twin


def _loop_names(events: Any) -> set[str]:
    from rasa.shared.core.events import ActiveLoop

    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def patch_tracker_replays(originals: dict[str, Any]) -> None:
    """Fix 9 of :mod:`bot.rasa_patches`: copies and applied events without replaying the session."""
    from rasa.shared.core.events import (
        ActionExecuted,
        ActionReverted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    originals["tracker_copy"] = DialogueStateTracker.copy
    originals["applied_events"] = DialogueStateTracker.applied_events

    def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
        twin = self.init_copy()  # as Rasa's copy: no model or assistant id, no sender source
        twin.events = twin._create_events(self.events)
        for name, slot in self.slots.items():
            twin.slots[name] = copy.copy(slot)
        twin._paused = self._paused
        twin.followup_action = self.followup_action
        twin.latest_action = copy.copy(self.latest_action)
        twin.latest_message = self.latest_message
        twin.latest_bot_utterance = self.latest_bot_utterance
        twin.active_loop = copy.copy(self.active_loop)
        memo = self.__dict__.get("_applied_events_memo")
        if memo is not None and memo.events is self.events and memo.count == len(self.events):
            twin.__dict__["_applied_events_memo"] = memo.for_copy(twin.events)
        return twin

    def applied_events(self: DialogueStateTracker) -> list[Any]:
        events = self.events
        if events.maxlen is not None:  # a bounded history drops old events: Rasa's walk
            return originals["applied_events"](self)
        memo = self.__dict__.get("_applied_events_memo")
        count = memo.count if memo is not None else 0
        if (
            memo is None
            or memo.events is not events
            or count > len(events)
            or (count and events[count - 1] is not memo.last)
        ):
            memo = self.__dict__["_applied_events_memo"] = _AppliedEvents()
            memo.events, count = events, 0
        new = list(itertools.islice(events, count, None))
        new_names = _loop_names(new)
        if not new_names <= memo.loop_names:  # a form seen for the first time: earlier events read anew
            memo.loop_names |= new_names
            memo.applied, new = [], list(events)
        applied = memo.applied
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied = []
            elif isinstance(event, ActionReverted):
                self._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                self._undo_till_previous(UserUttered, applied)
                self._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in memo.loop_names
                and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                self._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        memo.applied, memo.count = applied, len(events)
        memo.last = events[-1] if events else None
        return list(applied)  # callers may edit their list, as they may Rasa's

    DialogueStateTracker.copy = copy_tracker
    DialogueStateTracker.applied_events = applied_events

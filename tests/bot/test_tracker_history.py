"""The conversation's history without replays (bot/tracker_history.py, fixes 4 and 9 of
bot/rasa_patches.py) is Rasa's: the state history after every event, the applied events and a
tracker's copy, on a conversation touching every branch; and a turn replays only its own events,
also after the tracker store masked a message with an ID number."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_patches, tracker_history

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


def _conversation_events() -> list:
    """A conversation touching every branch of the state history: rule-only turns, a form with
    requested slots and a rejection, a follow-up action, reverts and a restart."""
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        FollowupAction,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    def user(intent: str, text: str, entities: list | None = None) -> UserUttered:
        return UserUttered(text, {"name": intent, "confidence": 1.0}, entities or [])

    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        user("ask_fee", "lệ phí căn cước"),
        SlotSet("procedure_code", "1.0001"),
        ActionExecuted("action_answer_procedure", hide_rule_turn=True),
        ActionExecuted("action_listen", hide_rule_turn=True),
        user("check_dossier_status", "tra cứu hồ sơ"),
        ActionExecuted("dossier_form"),
        ActiveLoop("dossier_form"),
        SlotSet("requested_slot", "dossier_code"),
        ActionExecuted("action_listen"),
        user("inform", "mã x-1", [{"entity": "dossier_code", "value": "x-1", "start": 3, "end": 6}]),
        ActionExecutionRejected("dossier_form"),
        ActionExecuted("action_clarify"),
        FollowupAction("dossier_form"),
        ActionExecuted("dossier_form"),
        SlotSet("dossier_code", "X-1"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        ActionExecuted("action_lookup_dossier"),
        ActionExecuted("action_listen"),
        user("greet", "xin chào"),
        ActionExecuted("utter_greet"),
        ActionReverted(),
        ActionExecuted("utter_greet", hide_rule_turn=True),
        ActionExecuted("action_listen"),
        user("thank", "cảm ơn"),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
        user("goodbye", "tạm biệt"),
        ActionExecuted("utter_goodbye"),
        ActionExecuted("action_listen"),
        Restarted(),
        ActionExecuted("action_listen"),
        user("ask_fee", "phí bao nhiêu"),
    ]


@pytest.mark.parametrize("flags", [(False, False, None), (True, False, None), (False, True, "rule_only")])
def test_state_history_is_rasas_after_every_event(flags: tuple) -> None:
    """On a tracker growing event by event (as in a turn), and on a fresh copy at every step, the
    remembered state history equals Rasa's own computation, with every policy's flags."""
    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    omit, ignore, rule_only = flags
    rule_only_data = {"slots": ["requested_slot"], "loops": ["dossier_form"]} if rule_only else None
    original = rasa_patches.ORIGINALS["states_for_tracker_history"]
    growing = DialogueStateTracker("citizen", domain.slots)
    for event in _conversation_events():
        growing.update(event, domain)
        fresh = DialogueStateTracker.from_events("citizen", list(growing.events), slots=domain.slots)
        expected = original(domain, fresh, omit, ignore, rule_only_data)
        for tracker in (growing, growing, fresh):  # twice on the same tracker: served from memory
            assert domain.states_for_tracker_history(tracker, omit, ignore, rule_only_data) == expected
        assert growing.past_states(domain, omit, ignore, rule_only_data) == expected


def test_featurizers_editing_their_states_leave_the_memory_intact() -> None:
    """Rasa's featurizers edit the states they are handed (which input of the last turn they use,
    text or intent); the shared remembered states stay Rasa's after every such edit."""
    from rasa.core.featurizers.tracker_featurizers import MaxHistoryTrackerFeaturizer

    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    original = rasa_patches.ORIGINALS["states_for_tracker_history"]
    featurizer = MaxHistoryTrackerFeaturizer(max_history=None)
    tracker = DialogueStateTracker("citizen", domain.slots)
    for event in _conversation_events():
        tracker.update(event, domain)
        for use_text in (True, False):
            featurizer.prediction_states([tracker], domain, use_text_for_last_user_input=use_text)
        fresh = DialogueStateTracker.from_events("citizen", list(tracker.events), slots=domain.slots)
        assert domain.states_for_tracker_history(tracker) == original(domain, fresh)


def test_next_turns_tracker_replays_only_the_new_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """A new tracker of the same conversation holding the same event objects (as our tracker store
    hands them to the next turn) continues from the last turn's memory: Rasa's states, with the
    state computed only for the new actions."""
    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    events = _conversation_events()
    new = events[-6:]
    earlier = DialogueStateTracker.from_events("next-turn", events[:-6], slots=domain.slots)
    domain.states_for_tracker_history(earlier)
    computed: list[int] = []
    active_state = Domain.get_active_state
    monkeypatch.setattr(
        Domain, "get_active_state", lambda *args, **kwargs: computed.append(1) or active_state(*args, **kwargs)
    )
    later = DialogueStateTracker.from_events("next-turn", events, slots=domain.slots)
    states = domain.states_for_tracker_history(later)
    assert len(computed) <= sum(isinstance(event, ActionExecuted) for event in new) + 1
    monkeypatch.undo()
    fresh = DialogueStateTracker.from_events("next-turn", [copy.deepcopy(e) for e in events], slots=domain.slots)
    assert states == rasa_patches.ORIGINALS["states_for_tracker_history"](domain, fresh)


def _without_user_text(states: list[dict]) -> list[dict]:
    """States as Rasa's featurizers use them: a message's text is dropped once it has an intent."""
    return [
        {**state, "user": {k: v for k, v in state["user"].items() if k != "text" or "intent" not in state["user"]}}
        if "user" in state
        else state
        for state in states
    ]


def test_a_turn_after_a_masked_message_replays_only_its_own_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a citizen types an ID number, the tracker store keeps masked copies of that message and
    slot; the next turn's tracker (read back from the real masking + SQL stores) still continues from
    the memory, and its states are Rasa's, text of intent-bearing messages aside (never featurized)."""
    from bot.stores.masking_tracker_store import MaskingTrackerStore

    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    wrapped = {"type": "bot.stores.sql_tracker_store.CachedSQLTrackerStore", "dialect": "sqlite"}
    store = MaskingTrackerStore(domain, wrapped={**wrapped, "db": str(tmp_path / "tracker.db")})
    id_number = "079123456789"
    first_turns = [
        *_conversation_events()[:12],
        UserUttered(
            f"số cccd của tôi là {id_number}",
            {"name": "inform", "confidence": 1.0},
            [{"entity": "id_number", "value": id_number, "start": 19, "end": 31}],
        ),
        SlotSet("id_number", id_number),
        ActionExecuted("action_lookup_dossier"),
        BotUttered(f"Hồ sơ của CCCD {id_number} đang được xử lý."),
        ActionExecuted("action_listen"),
    ]
    next_turn = [UserUttered("cảm ơn", {"name": "thank", "confidence": 1.0}), ActionExecuted("utter_thank")]
    sender = "masked-next-turn"

    async def turns() -> tuple[DialogueStateTracker, list[dict]]:
        tracker = DialogueStateTracker.from_events(sender, first_turns, slots=domain.slots)
        domain.states_for_tracker_history(tracker)  # this turn's predictions fill the memory
        await store.save(tracker)
        later = await store.retrieve(sender)
        assert later is not None
        assert id_number not in repr([event.as_dict() for event in later.events])  # stored masked
        computed: list[int] = []
        active_state = Domain.get_active_state
        monkeypatch.setattr(Domain, "get_active_state", lambda *a, **k: computed.append(1) or active_state(*a, **k))
        for event in next_turn:
            later.update(event, domain)
        states = domain.states_for_tracker_history(later)
        monkeypatch.undo()
        assert len(computed) <= sum(isinstance(event, ActionExecuted) for event in next_turn) + 1
        return later, states

    later, states = asyncio.run(turns())
    fresh = DialogueStateTracker.from_events(sender, [copy.deepcopy(e) for e in later.events], slots=domain.slots)
    expected = rasa_patches.ORIGINALS["states_for_tracker_history"](domain, fresh)
    assert _without_user_text(states) == _without_user_text(expected)


def test_a_stand_in_that_changes_the_state_is_not_taken_for_the_original() -> None:
    """A copy marked as standing in for an event, but with another intent, makes the memory start
    over: the states are Rasa's for the copy."""
    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    events = _conversation_events()[:9]
    earlier = DialogueStateTracker.from_events("stand-in", events, slots=domain.slots)
    domain.states_for_tracker_history(earlier)
    changed = UserUttered("tra cứu hồ sơ", {"name": "ask_fee", "confidence": 1.0})
    tracker_history.mark_stand_in(changed, events[7])
    replaced = [*events[:7], changed, events[8]]
    later = DialogueStateTracker.from_events("stand-in", replaced, slots=domain.slots)
    fresh = DialogueStateTracker.from_events("stand-in", [copy.deepcopy(e) for e in replaced], slots=domain.slots)
    expected = rasa_patches.ORIGINALS["states_for_tracker_history"](domain, fresh)
    assert domain.states_for_tracker_history(later) == expected


def test_a_new_rule_only_dict_at_every_prediction_is_served_from_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """RulePolicy builds a new ``rule_only_data`` dict for every prediction: the next turn still
    continues from the last turn's memory (it was keyed by the dict's id and missed every turn)."""
    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    events = _conversation_events()

    def rule_only() -> dict:
        return {"rule_only_slots": ["requested_slot"], "rule_only_loops": ["dossier_form"]}

    earlier = DialogueStateTracker.from_events("rule-only", events[:-6], slots=domain.slots)
    domain.states_for_tracker_history(earlier, False, True, rule_only())
    computed: list[int] = []
    active_state = Domain.get_active_state
    monkeypatch.setattr(Domain, "get_active_state", lambda *a, **k: computed.append(1) or active_state(*a, **k))
    later = DialogueStateTracker.from_events("rule-only", events, slots=domain.slots)
    states = domain.states_for_tracker_history(later, False, True, rule_only())
    assert len(computed) <= sum(isinstance(event, ActionExecuted) for event in events[-6:]) + 1
    monkeypatch.undo()
    fresh = DialogueStateTracker.from_events("rule-only", [copy.deepcopy(e) for e in events], slots=domain.slots)
    assert states == rasa_patches.ORIGINALS["states_for_tracker_history"](domain, fresh, False, True, rule_only())


def _state(tracker: DialogueStateTracker) -> dict:
    """Everything a tracker holds, events by identity."""
    from rasa.shared.core.trackers import EventVerbosity

    return {
        "events": [id(event) for event in tracker.events],
        "slots": {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        "current": tracker.current_state(EventVerbosity.ALL),
        "fields": {
            name: value
            for name, value in vars(tracker).items()
            if name not in ("events", "slots") and not name.startswith("_states") and not name.startswith("_applied")
        },
    }


def test_copies_and_applied_events_are_rasas_after_every_event() -> None:
    """On a tracker growing event by event (reverts, a restart, a form named only after its first
    execution), the applied events are Rasa's (the same objects) and a copy holds what Rasa's replay
    gives, independent of the original."""
    rasa_patches.apply()
    domain = Domain.load(str(DOMAIN_FILE))
    rasa_copy = rasa_patches.ORIGINALS["tracker_copy"]
    rasa_applied = rasa_patches.ORIGINALS["applied_events"]
    tracker = DialogueStateTracker("citizen", domain.slots)
    for event in _conversation_events():
        tracker.update(event, domain)
        for _ in range(2):  # the second call is served from memory
            applied, expected = tracker.applied_events(), rasa_applied(tracker)
            assert [id(e) for e in applied] == [id(e) for e in expected]
        twin = tracker.copy()
        assert _state(twin) == _state(rasa_copy(tracker))
        twin.update(SlotSet("dossier_code", "changed"), domain)
        twin.update(ActiveLoop("dossier_form"), domain)
        assert _state(tracker) == _state(rasa_copy(tracker)) != _state(twin)


def test_a_form_named_after_its_first_execution_rereads_the_earlier_events() -> None:
    """Rasa reads a form's executions by every form name in the session, later ones included: a new
    name makes the applied events start over rather than extend."""
    rasa_patches.apply()
    tracker = DialogueStateTracker("citizen", [])
    events = [
        ActionExecuted("action_listen"),
        UserUttered("tra cứu", {"name": "check_dossier_status", "confidence": 1.0}),
        ActionExecuted("dossier_form"),
        ActionExecuted("dossier_form"),
        ActionExecuted("action_listen"),
    ]
    for event in events:
        tracker.update(event)
    before = tracker.applied_events()
    tracker.update(ActiveLoop("dossier_form"))
    after = tracker.applied_events()
    assert len(after) != len(before) + 1
    assert [id(e) for e in after] == [id(e) for e in rasa_patches.ORIGINALS["applied_events"](tracker)]

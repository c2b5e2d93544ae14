"""HandoffPolicy: silent (action_listen, top priority) while a staff member owns the conversation."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.core.policies.ensemble import DefaultPolicyPredictionEnsemble
from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.policies.handoff import HandoffPolicy
from common.conversation import HANDOFF_SLOT

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[3] / "domain.yml"))


@pytest.fixture
def policy(tmp_path: Path) -> HandoffPolicy:
    return HandoffPolicy.create(
        HandoffPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("handoff"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def tracker(handoff_active: bool | None) -> DialogueStateTracker:
    events = [ActionExecuted(ACTION_LISTEN_NAME), UserUttered("còn lệ phí thì sao?", {"name": "ask_fee"})]
    if handoff_active is not None:
        events.insert(0, SlotSet(HANDOFF_SLOT, handoff_active))
    return DialogueStateTracker.from_events("web:policy-test-sender", events, slots=DOMAIN.slots)


def test_listens_while_staff_own_the_conversation(policy: HandoffPolicy) -> None:
    prediction = policy.predict_action_probabilities(tracker(True), DOMAIN)
    assert prediction.max_confidence == 1.0
    assert DOMAIN.action_names_or_texts[prediction.max_confidence_index] == ACTION_LISTEN_NAME
    assert prediction.is_no_user_prediction
    assert prediction.policy_priority > RULE_POLICY_PRIORITY


@pytest.mark.parametrize("value", [False, None])
def test_abstains_otherwise(policy: HandoffPolicy, value: bool | None) -> None:
    prediction = policy.predict_action_probabilities(tracker(value), DOMAIN)
    assert prediction.max_confidence == 0.0


def test_wins_over_a_confident_rule_and_an_active_form(policy: HandoffPolicy) -> None:
    """Even a form's happy-path prediction (RulePolicy's "no user" prediction) loses."""
    listen = policy.predict_action_probabilities(tracker(True), DOMAIN)
    form = [0.0] * DOMAIN.num_actions
    form[DOMAIN.index_for_action("dossier_form")] = 1.0
    rule = PolicyPrediction(form, "RulePolicy", RULE_POLICY_PRIORITY, is_no_user_prediction=True)
    best = DefaultPolicyPredictionEnsemble._pick_best_policy([rule, listen])
    assert best.policy_name == "HandoffPolicy"


def test_a_handoff_does_not_carry_into_a_new_session(policy: HandoffPolicy) -> None:
    """The citizen comes back after the session expired: Rasa carries the slot over, but no staff
    member is watching this new session, so the bot answers again."""
    events = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("cho tôi gặp cán bộ", {"name": "request_human"}),
        SlotSet(HANDOFF_SLOT, True),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("procedure_code", "1.004222"),
        SlotSet(HANDOFF_SLOT, True),  # carried over by Rasa's session start
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("còn lệ phí thì sao?", {"name": "ask_fee"}),
    ]
    tracker = DialogueStateTracker.from_events("web:policy-test-sender", events, slots=DOMAIN.slots)
    assert policy.predict_action_probabilities(tracker, DOMAIN).max_confidence == 0.0


def test_a_handoff_taken_in_the_new_session_silences_the_bot(policy: HandoffPolicy) -> None:
    """Staff take the conversation again after the citizen spoke in the new session: silent."""
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("cho tôi gặp cán bộ", {"name": "request_human"}),
        SlotSet(HANDOFF_SLOT, True),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("alo", {"name": "greet"}),
    ]
    tracker = DialogueStateTracker.from_events("web:policy-test-sender", events, slots=DOMAIN.slots)
    assert policy.predict_action_probabilities(tracker, DOMAIN).max_confidence == 1.0

"""Keep the bot silent while a staff member owns the conversation.

The staff console sets the boolean slot :data:`common.conversation.HANDOFF_SLOT` through Rasa's
HTTP API (``POST /conversations/{id}/tracker/events``) when a staff member takes a handoff, and
unsets it when they hand the conversation back. While it is true this policy predicts ``action_listen``
with full confidence, a priority above RulePolicy's and as a "no user" prediction (which outranks
every prediction based on user input, including an active form's), so no rule, form or fallback
answers in between the staff member's messages.

A handoff belongs to one session. Rasa carries slots over into a new session (the citizen comes
back hours later), and a carried-over handoff slot would keep the bot silent for a citizen no
staff member is watching any more. The slot counts only when it was set inside the current session,
not as part of the session start's carry-over.
"""

from __future__ import annotations

from typing import Any

from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from common.conversation import HANDOFF_SLOT

# Above RulePolicy's (4 in Rasa 3.6), the highest built-in priority.
HANDOFF_POLICY_PRIORITY = RULE_POLICY_PRIORITY + 1


def carried_over(tracker: DialogueStateTracker, slot: str) -> bool:
    """Whether the slot's latest value came with the current session's start: Rasa sets carried-over
    slots right after ``SessionStarted``, before anything else happens; staff set it later."""
    events = list(tracker.events)
    latest = next((i for i in reversed(range(len(events))) if _sets(events[i], slot)), None)
    if latest is None:
        return False
    for event in reversed(events[:latest]):
        if isinstance(event, SessionStarted):
            return True
        if not isinstance(event, SlotSet):
            return False
    return False


def _sets(event: object, slot: str) -> bool:
    return isinstance(event, SlotSet) and event.key == slot


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(Policy):
    """Predicts ``action_listen`` while the handoff slot is true; abstains otherwise."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": HANDOFF_POLICY_PRIORITY, "slot": HANDOFF_SLOT}

    def train(self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any) -> Resource:
        """Nothing to learn."""
        return self._resource

    def predict_action_probabilities(
        self, tracker: DialogueStateTracker, domain: Domain, **kwargs: Any
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        slot = self.config.get("slot", HANDOFF_SLOT)
        if tracker.get_slot(slot) is True and not carried_over(tracker, slot):
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
            return self._prediction(probabilities, is_no_user_prediction=True)
        return self._prediction(probabilities)

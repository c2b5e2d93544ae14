"""The conversation contract (common/conversation.py) and what Rasa reads (domain.yml, config.yml,
credentials.yml) name the same slots, intents, entities, actions and channels, and no service
spells a contract name on its own."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.core.channels.socketio import SocketIOInput
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.core.constants import ACTION_DEFAULT_FALLBACK_NAME
from rasa.shared.core.domain import Domain

from actions.fallback import INTENT_LABELS as SUGGESTION_LABELS
from bot.channels.rest import GuardedRestInput
from bot.channels.socketio import GuardedSocketIOInput
from bot.channels.zalo.channel import ZaloInput
from bot.channels.zalo.settings import ZaloSettings
from bot.policies.handoff import HandoffPolicy
from common import conversation
from console.services.analytics import INTENT_LABELS as ANALYTICS_LABELS

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
CREDENTIALS = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
# Contract names distinctive enough that a quoted copy in a service's code can only be a second spelling.
DISTINCT_NAMES = (
    conversation.HANDOFF_SLOT,
    conversation.DOSSIER_LOOKUP_SLOT,
    conversation.FALLBACK_INTENT,
    conversation.FALLBACK_ACTION,
    conversation.HANDOFF_INTENT,
)
SERVICE_PACKAGES = ("actions", "bot", "console", "web", "launcher")


def _component(section: str, name: str) -> dict[str, Any]:
    return next(item for item in CONFIG[section] if item["name"].endswith(name))


@pytest.mark.parametrize(
    "slot",
    [
        conversation.HANDOFF_SLOT,
        conversation.PROCEDURE_CODE_SLOT,
        conversation.PROCEDURE_NAME_SLOT,
        conversation.DOSSIER_LOOKUP_SLOT,
    ],
)
def test_contract_slots_are_domain_slots_set_only_by_code(slot: str) -> None:
    """Each shared slot exists and has only a custom mapping: the actions or the console set it,
    never NLU (a from_entity mapping would let a citizen's words overwrite it)."""
    domain_slot = next(s for s in DOMAIN.slots if s.name == slot)
    assert [m["type"] for m in domain_slot.mappings] == ["custom"]


def test_handoff_slot_is_a_boolean_the_policy_reads() -> None:
    """The console sets true/false and HandoffPolicy reads the contract's slot (config.yml does not
    point it elsewhere)."""
    domain_slot = next(s for s in DOMAIN.slots if s.name == conversation.HANDOFF_SLOT)
    assert domain_slot.type_name == "bool" and domain_slot.initial_value is False
    policy = _component("policies", "HandoffPolicy")
    assert policy.get("slot", HandoffPolicy.get_default_config()["slot"]) == conversation.HANDOFF_SLOT


def test_intents_entities_and_actions_are_rasa_s() -> None:
    """The fallback names are Rasa's own, the handoff and FAQ intents and the procedure entity are
    in the domain, and config.yml uses the same fallback action, FAQ intent and entity."""
    assert conversation.FALLBACK_INTENT == DEFAULT_NLU_FALLBACK_INTENT_NAME
    assert conversation.FALLBACK_ACTION == ACTION_DEFAULT_FALLBACK_NAME
    assert {conversation.FALLBACK_INTENT, conversation.HANDOFF_INTENT, conversation.FAQ_INTENT} <= set(DOMAIN.intents)
    assert conversation.FALLBACK_ACTION in DOMAIN.action_names_or_texts
    assert conversation.PROCEDURE_ENTITY in DOMAIN.entities
    assert _component("policies", "RulePolicy")["core_fallback_action_name"] == conversation.FALLBACK_ACTION
    assert _component("pipeline", "RetrievalIntentResponseSelector")["retrieval_intent"] == conversation.FAQ_INTENT
    assert conversation.PROCEDURE_ENTITY in _component("pipeline", "StructuredEntityExtractor")["entities"]


def test_intent_labels_name_domain_intents() -> None:
    """The labels staff read in the analytics and citizens read on suggestion buttons belong to
    intents the model can predict (a renamed intent would silently lose its label)."""
    assert set(ANALYTICS_LABELS) <= set(DOMAIN.intents)
    assert set(SUGGESTION_LABELS) <= set(DOMAIN.intents)


def test_channels_use_the_contract_names() -> None:
    """User events carry the channel names the console labels, and credentials.yml leaves every
    channel's sender namespace at the contract's default (the web relay and the desk rely on it)."""
    assert GuardedRestInput.name() == conversation.REST_CHANNEL
    assert GuardedSocketIOInput.name() == SocketIOInput.name() == conversation.SOCKETIO_CHANNEL
    assert ZaloInput.name() == conversation.ZALO_CHANNEL
    assert ZaloSettings.sender_namespace == conversation.ZALO_NAMESPACE
    assert [channel for channel, settings in CREDENTIALS.items() if "sender_namespace" in (settings or {})] == []


def test_sender_ids_round_trip() -> None:
    """A namespaced sender id gives its namespace back; an id without one gives None."""
    sender = conversation.namespaced_sender(conversation.WEB_NAMESPACE, "3f1c")
    assert sender == "web:3f1c"
    assert conversation.sender_namespace(sender) == conversation.WEB_NAMESPACE
    assert conversation.sender_namespace(conversation.EVAL_SENDER_PREFIX + "x") is None


def test_staff_marker() -> None:
    """Only a bot event carrying the staff metadata counts as a staff message."""
    assert conversation.is_staff_message(dict(conversation.STAFF_METADATA))
    assert not conversation.is_staff_message({"source": "bot"})
    assert not conversation.is_staff_message(None)


def test_no_service_spells_a_contract_name() -> None:
    """Outside common/conversation.py no service's code quotes a distinctive contract name."""
    quoted = re.compile("|".join(rf"[\"']{re.escape(name)}[\"']" for name in DISTINCT_NAMES))
    spelled = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in SERVICE_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if quoted.search(line)
    ]
    assert spelled == []

"""The conversation contract: names the bot, the actions, the console and the web relay share.

Rasa keeps a conversation as events (slots set, intents recognised, actions run, bot messages) on a
tracker whose id carries the channel. Several services read or write those events without sharing
code: the bot's HandoffPolicy, the action server, the staff console (desk, review, analytics, its
Rasa API client) and the web page's relay (``web/server.py``). Each name they must spell alike is
written here once; ``domain.yml`` and ``config.yml`` still spell them for Rasa, and
``tests/common/test_conversation_contract.py`` checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

# ----- slots -----

# True while a staff member owns the conversation: the console sets it through Rasa's HTTP API,
# HandoffPolicy keeps the bot silent, the web relay tells the widget, review and analytics count it.
HANDOFF_SLOT = "handoff_active"
# The procedure under discussion, set by the actions; analytics counts the procedures asked about.
PROCEDURE_CODE_SLOT = "procedure_code"
PROCEDURE_NAME_SLOT = "procedure_name"
# The outcome of the latest dossier lookup, set by the actions and counted by the analytics.
DOSSIER_LOOKUP_SLOT = "dossier_lookup_result"
LOOKUP_FOUND = "found"
LOOKUP_NOT_FOUND = "not_found"
LOOKUP_THROTTLED = "throttled"
LOOKUP_ERROR = "error"

# ----- intents, entities, actions -----

# Rasa's FallbackClassifier predicts this intent below its confidence threshold.
FALLBACK_INTENT = "nlu_fallback"
# RulePolicy's core fallback (config.yml ``core_fallback_action_name``).
FALLBACK_ACTION = "action_default_fallback"
# The citizen asks for a person.
HANDOFF_INTENT = "request_human"
# What the console's review and analytics count as "the bot did not understand" and "a person was
# asked for" (a handoff also counts when HANDOFF_SLOT is set true).
FALLBACK_INTENTS = frozenset({FALLBACK_INTENT})
FALLBACK_ACTIONS = frozenset({FALLBACK_ACTION})
HANDOFF_INTENTS = frozenset({HANDOFF_INTENT})
# The retrieval intent of the FAQs (``faq/<key>``, answered by ``utter_faq/<key>``).
FAQ_INTENT = "faq"
FAQ_RESPONSE_PREFIX = f"utter_{FAQ_INTENT}/"
# The entity naming a procedure in a citizen's message.
PROCEDURE_ENTITY = "procedure"

# What the bot says when the action server cannot be reached or fails (bot/rasa_patches.py, fix 8):
# the citizen gets an answer and can resend; the load bench counts it as an "unavailable" turn.
SERVICE_UNAVAILABLE_TEXT = (
    "Xin lỗi, hệ thống đang bận nên chưa trả lời được câu này. Bạn vui lòng gửi lại sau ít phút nhé."
)

# ----- message metadata -----

# Where a channel puts the caller's pseudonymised network address (common/client_identity.py);
# the actions send it to the portal, which throttles dossier lookups by it.
CLIENT_METADATA_KEY = "client"

# ----- staff messages -----

# Metadata of a bot event written by a person (the console's replies); the web widget labels such
# messages "Cán bộ" and the transcripts show them as staff lines.
STAFF_METADATA: Mapping[str, str] = MappingProxyType({"source": "staff"})


def is_staff_message(metadata: Any) -> bool:
    """Whether a bot event's metadata marks it as written by a staff member."""
    return isinstance(metadata, Mapping) and all(metadata.get(k) == v for k, v in STAFF_METADATA.items())


# ----- channels and senders -----

# Channel names (a user event's ``input_channel``, an output channel's name): bot/channels.
REST_CHANNEL = "rest"
SOCKETIO_CHANNEL = "socketio"
ZALO_CHANNEL = "zalo"

# Channels namespace the tracker's sender id as ``<namespace>:<channel-local id>`` so one citizen's
# conversation never reaches another channel's tracker (bot/channels/guard.py).
SENDER_SEPARATOR = ":"
WEB_NAMESPACE = "web"  # the REST channel: the citizen page's widget (UUID ids)
WEBCHAT_NAMESPACE = "webchat"  # the socket.io channel (socket.io session ids)
ZALO_NAMESPACE = "zalo"  # the Zalo Official Account channel (Zalo user ids)
# Conversations the answer evaluation holds straight with the agent (no channel, no citizen).
EVAL_SENDER_PREFIX = "answer-eval-"


def namespaced_sender(namespace: str, local_id: str) -> str:
    """The tracker's sender id of a channel-local id."""
    return f"{namespace}{SENDER_SEPARATOR}{local_id}"


def sender_namespace(sender_id: str) -> str | None:
    """The channel namespace of a tracker's sender id, or None for an id without one."""
    namespace, separator, _ = sender_id.partition(SENDER_SEPARATOR)
    return namespace if separator else None

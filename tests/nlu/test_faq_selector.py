"""The FAQ ResponseSelector is asked only about messages whose intent is ``faq``.

Protects the saving measured by ``make bench`` (the selector ran on every message) without
changing what ``action_answer_faq`` reads: a ``faq`` message still gets Rasa's selection.
"""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.faq_selector import RetrievalIntentResponseSelector

CONTEXT = ExecutionContext(GraphSchema({}), node_name="faq_selector")


def _selector(tmp_path: Path, **config) -> RetrievalIntentResponseSelector:
    return RetrievalIntentResponseSelector.create(
        {**RetrievalIntentResponseSelector.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("faq_selector"),
        CONTEXT,
    )


def _message(text: str, intent: str) -> Message:
    return Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.9}})


def test_only_faq_messages_get_a_selection(tmp_path: Path) -> None:
    """A procedure question carries no selection; an FAQ question gets Rasa's (untrained here, so
    empty, but present: the key action_answer_faq reads)."""
    selector = _selector(tmp_path, retrieval_intent="faq")
    faq = _message("giờ làm việc của bộ phận một cửa", "faq")
    procedure = _message("làm căn cước cần giấy tờ gì", "ask_documents")
    assert selector.process([faq, procedure]) == [faq, procedure]
    assert "faq" in faq.get(RESPONSE_SELECTOR_PROPERTY_NAME)
    assert procedure.get(RESPONSE_SELECTOR_PROPERTY_NAME) is None


def test_without_a_configured_intent_every_retrieval_intent_is_asked(tmp_path: Path) -> None:
    """With no ``retrieval_intent`` Rasa trains on all retrieval intents; each of them is asked."""
    selector = _selector(tmp_path, retrieval_intent=None)
    selector.all_retrieval_intents = ["faq", "chitchat"]
    chitchat, greeting = _message("bạn là ai", "chitchat"), _message("xin chào", "greet")
    selector.process([chitchat, greeting])
    assert chitchat.get(RESPONSE_SELECTOR_PROPERTY_NAME) is not None
    assert greeting.get(RESPONSE_SELECTOR_PROPERTY_NAME) is None


def test_it_is_rasas_selector() -> None:
    """Training, persistence and the output format stay Rasa's own."""
    assert issubclass(RetrievalIntentResponseSelector, ResponseSelector)
    assert RetrievalIntentResponseSelector.train is ResponseSelector.train

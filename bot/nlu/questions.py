"""``FirstQuestionIntentRanker``: a message asking two things is labelled with the first one.

"làm căn cước mất bao lâu và phí bao nhiêu" asks about time and fee. The bag-of-features
classifiers cannot tell which came first, so they pick either, at random from one message to
the next. The actions answer every ``aspect`` entity anyway; the intent only has to be stable
and predictable, and the convention (also of the held-out slice) is the FIRST question.

After the intent classifiers: when the message has two or more clauses that each ask an aspect
(:func:`bot.nlu.aspects.question_aspects`) and the top intent is the intent of one of those
aspects, the intent of the first clause's aspect moves to the top of the ranking (it swaps
confidences with the old top). Nothing else changes: a message whose top intent is not one of
its asked aspects ("bán online thì thủ tục ra sao" stays ``ask_procedure``) is left alone.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.aspects import question_aspects

ASPECT_INTENTS = {
    "documents": "ask_documents",
    "fee": "ask_fee",
    "time": "ask_processing_time",
    "agency": "ask_agency",
    "steps": "ask_steps",
    "online": "ask_online",
}


def first_question_ranking(text: str, ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ranking`` (best first) with the first asked aspect's intent on top (see module doc)."""
    if not ranking:
        return ranking
    asked = [ASPECT_INTENTS[aspect] for aspect in question_aspects(text)]
    if len(asked) < 2 or ranking[0][INTENT_NAME_KEY] not in asked or ranking[0][INTENT_NAME_KEY] == asked[0]:
        return ranking
    index = next((i for i, item in enumerate(ranking) if item[INTENT_NAME_KEY] == asked[0]), None)
    if index is None:
        return ranking
    top, first = dict(ranking[0]), dict(ranking[index])
    top[PREDICTED_CONFIDENCE_KEY], first[PREDICTED_CONFIDENCE_KEY] = (
        first[PREDICTED_CONFIDENCE_KEY],
        top[PREDICTED_CONFIDENCE_KEY],
    )
    reordered = [first, *ranking[1:]]
    reordered[index] = top
    return sorted(reordered, key=lambda item: -item[PREDICTED_CONFIDENCE_KEY])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FirstQuestionIntentRanker(GraphComponent):
    """Puts the first asked aspect's intent on top when a message asks several (module doc)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FirstQuestionIntentRanker:
        """Creates a new component (see parent class for full docstring)."""
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        """Reorder ``intent_ranking`` and set ``intent`` to its new top."""
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            text = message.get(TEXT) or ""
            reordered = first_question_ranking(text, ranking)
            if reordered is not ranking:
                message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
                message.set(INTENT, reordered[0], add_to_output=True)
        return messages

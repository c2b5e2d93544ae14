"""``FirstQuestionIntentRanker``: the intent agrees with the aspect a message asks first.

"làm căn cước mất bao lâu và phí bao nhiêu" asks about time and fee. The bag-of-features
classifiers cannot tell which came first, so they pick either, at random from one message to
the next. The actions answer every ``aspect`` entity anyway; the intent only has to be stable
and predictable, and the convention (also of the held-out slice) is the FIRST question.

After the intent classifiers, with the aspects each clause asks
(:func:`bot.nlu.aspects.question_aspects`), the intent of the first asked aspect moves to the top
of the ranking (it swaps confidences with the old top) when

* two or more aspects are asked and the top intent is one of them, but not the first;
* the top intent is an aspect intent ("ask_fee") whose aspect has no cue in the message at all,
  while another aspect is asked ("cấp lại thẻ bhyt thì ra đâu làm": agency, not steps);
* the top intent is a general question (``ask_procedure``, ``search_procedure``) and the message
  asks a concrete aspect other than ``online``, which there mostly says how the citizen works or
  sells ("bán online thì thủ tục ra sao").

Nothing else changes: small talk, FAQ, dossier status and complaints are never overridden.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.aspects import find_aspects, question_aspects
from bot.nlu.component import ConfigComponent

ASPECT_INTENTS = {
    "documents": "ask_documents",
    "fee": "ask_fee",
    "time": "ask_processing_time",
    "agency": "ask_agency",
    "steps": "ask_steps",
    "online": "ask_online",
}


def _should_promote(text: str, top: str, asked: list[str]) -> bool:
    if not asked or top == ASPECT_INTENTS[asked[0]]:
        return False
    if len(asked) >= 2 and top in {ASPECT_INTENTS[aspect] for aspect in asked}:
        return True  # two questions: the first decides
    if top in ASPECT_INTENTS.values():  # an aspect intent none of whose cues is in the message
        return top not in {ASPECT_INTENTS[cue["value"]] for cue in find_aspects(text)}
    # A general question that names a concrete aspect asks for it; "online" there usually says
    # how the citizen works or sells ("bán online thì thủ tục ra sao"), so it does not count.
    return top in ("ask_procedure", "search_procedure") and asked[0] != "online"


def first_question_ranking(text: str, ranking: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ranking`` (best first) with the first asked aspect's intent on top (see module doc)."""
    if not ranking:
        return ranking
    aspects = question_aspects(text)
    if not _should_promote(text, ranking[0][INTENT_NAME_KEY], aspects):
        return ranking
    asked = [ASPECT_INTENTS[aspect] for aspect in aspects]
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
class FirstQuestionIntentRanker(ConfigComponent, GraphComponent):
    """Puts the first asked aspect's intent on top when a message asks several (module doc)."""

    def __init__(self, config: dict[str, Any]) -> None:
        """The ranker has no options."""

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

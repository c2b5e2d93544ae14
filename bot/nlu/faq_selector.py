"""``RetrievalIntentResponseSelector``: Rasa's ResponseSelector, asked only when it can matter.

Rasa runs every pipeline component on every message, so the ResponseSelector (a second DIET-sized
network plus its own copy of the sparse features) ranked the FAQ answers of every procedure
question, greeting and dossier code: about a fifth of the Rasa process's CPU under load
(py-spy, README "Benchmarks"). Its output is read only when the message's intent is its retrieval
intent (``action_answer_faq`` runs on intent ``faq``; nothing else reads ``response_selector``), so
for any other intent the prediction is skipped and the message carries no selection.

Training is Rasa's, unchanged; the skip happens after the intent classifiers and the
:class:`bot.nlu.questions.FirstQuestionIntentRanker` (earlier in the pipeline), and the
FallbackClassifier after it can only turn an intent into ``nlu_fallback``, never into ``faq``.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RetrievalIntentResponseSelector(ResponseSelector):
    """Selects a response only for messages whose intent is a retrieval intent it was trained on."""

    def _asks_retrieval_intent(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if self.retrieval_intent:
            return intent == self.retrieval_intent
        return intent in self.all_retrieval_intents

    def process(self, messages: list[Message]) -> list[Message]:
        """Rasa's selection for the messages that ask the retrieval intent; others are left as is."""
        asked = [message for message in messages if self._asks_retrieval_intent(message)]
        if asked:
            super().process(asked)
        return messages

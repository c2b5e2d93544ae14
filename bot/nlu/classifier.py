"""``BlendedIntentClassifier``: a linear model's intent probabilities averaged with DIET's ranking.

DIET learns intents and entities jointly from a few thousand examples; on held-out questions it
often hesitates between a task intent and ``faq`` or between neighbouring task intents. A
logistic regression on the same sparse sentence features (words, accent-free syllables, char
n-grams, lookup matches) makes different mistakes, and the average of the two rankings is more
accurate than either (measured: see the issue note of [3/7] and ``make evaluate``). Averaging
two diverse classifiers is a plain ensemble; no threshold or rule is tuned on the test set.

Place it after ``DIETClassifier``: it reads DIET's ``intent_ranking`` from the message
(``ranking_length: 0`` on DIET gives the full ranking) and replaces ``intent`` and
``intent_ranking`` with the blend. Without a DIET ranking it is the linear model alone.

The model is stored as plain arrays (``.npz``: weights, intercepts, intent names), so loading a
model never unpickles code.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component import StoredComponent

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_intent_model.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class BlendedIntentClassifier(StoredComponent, GraphComponent, IntentClassifier):
    """Logistic regression on sparse sentence features, blended with the previous ranking."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Features must exist."""
        return [Featurizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Component defaults."""
        return {
            # Share of the previous classifier (DIET) in the blend; the rest is the linear model.
            "previous_weight": 0.5,
            # Inverse L2 regularization strength of the logistic regression.
            "C": 1.0,
            "max_iter": 1000,
            "random_state": 42,
            # Intents kept in ``intent_ranking`` (0: all).
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        weights: np.ndarray | None = None,
        intercepts: np.ndarray | None = None,
        intents: list[str] | None = None,
    ) -> None:
        """Validate the config; ``weights``/``intercepts``/``intents`` form a trained model."""
        self._config = {**self.get_default_config(), **config}
        weight = self._config["previous_weight"]
        if not isinstance(weight, (int, float)) or not 0.0 <= weight <= 1.0:
            raise InvalidConfigException(f"{type(self).__name__}: 'previous_weight' must be in [0, 1], got {weight!r}")
        self._model_storage = model_storage
        self._resource = resource
        self._weights = weights
        self._weights_by_feature = _by_feature(weights)
        self._intercepts = intercepts
        self._intents = intents or []

    @classmethod
    def read_trained(cls, directory: Path) -> dict[str, Any]:
        """The stored arrays (untrained, the component passes rankings through)."""
        with np.load(directory / MODEL_FILE, allow_pickle=False) as stored:
            return {
                "weights": stored["weights"],
                "intercepts": stored["intercepts"],
                "intents": [str(name) for name in stored["intents"]],
            }

    def train(self, training_data: TrainingData) -> Resource:
        """Fit a class-balanced multinomial logistic regression on the sentence features."""
        from sklearn.linear_model import LogisticRegression

        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        rows = [_sentence_features(e) for e in examples]
        kept = [(row, e.get(INTENT)) for row, e in zip(rows, examples, strict=True) if row is not None]
        if len({intent for _, intent in kept}) < 2:
            logger.warning("%s needs two intents or more; it will pass rankings through.", type(self).__name__)
            return self._resource
        model = LogisticRegression(
            C=self._config["C"],
            max_iter=self._config["max_iter"],
            class_weight="balanced",
            random_state=self._config["random_state"],
        )
        model.fit(scipy.sparse.vstack([row for row, _ in kept]).tocsr(), [intent for _, intent in kept])
        self._weights, self._intercepts = model.coef_, model.intercept_
        self._weights_by_feature = _by_feature(self._weights)
        self._intents = [str(name) for name in model.classes_]
        with self._model_storage.write_to(self._resource) as directory:
            arrays = {"weights": self._weights, "intercepts": self._intercepts, "intents": np.array(self._intents)}
            np.savez(directory / MODEL_FILE, **arrays)
        return self._resource

    def probabilities(self, message: Message) -> dict[str, float]:
        """The linear model's intent probabilities for one featurized message (empty if none)."""
        row = _sentence_features(message)
        if row is None or self._weights_by_feature is None or self._intercepts is None:
            return {}
        scores = np.asarray(row @ self._weights_by_feature).ravel() + self._intercepts
        if len(self._intents) == 2:  # sklearn's binary model: one weight row for the second class
            second = 1.0 / (1.0 + np.exp(-scores[0]))
            return {self._intents[0]: float(1.0 - second), self._intents[1]: float(second)}
        exp = np.exp(scores - scores.max())
        return dict(zip(self._intents, (exp / exp.sum()).tolist(), strict=True))

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace ``intent`` and ``intent_ranking`` by the blend of the previous ranking and ours."""
        for message in messages:
            ours = self.probabilities(message)
            if not ours:
                continue
            previous = {item["name"]: float(item["confidence"]) for item in message.get(INTENT_RANKING_KEY) or []}
            weight = float(self._config["previous_weight"]) if previous else 0.0
            blended = {
                name: weight * previous.get(name, 0.0) + (1.0 - weight) * ours.get(name, 0.0)
                for name in set(previous) | set(ours)
            }
            ordered = sorted(blended.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by name: reproducible
            ranking = [{"name": n, "confidence": c} for n, c in ordered]
            length = int(self._config["ranking_length"])
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[:length] if length > 0 else ranking, add_to_output=True)
        return messages


def _by_feature(weights: np.ndarray | None) -> np.ndarray | None:
    """The weights one row per feature, contiguous: a sparse row times ``weights.T`` (a strided
    view) made scipy copy the whole matrix for every message, 60 times the product's cost."""
    return None if weights is None else np.ascontiguousarray(weights.T)


def _sentence_features(message: Message) -> scipy.sparse.csr_matrix | None:
    """The message's sparse sentence-level TEXT features (all sparse featurizers combined)."""
    _, sentence = message.get_sparse_features(TEXT)
    if sentence is None:
        return None
    return scipy.sparse.csr_matrix(sentence.features)

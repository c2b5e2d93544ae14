"""``FoldedTokensFeaturizer``: accent-free syllable features so "tra cuu ho so" ~ "tra cứu hồ sơ".

Citizens often type without diacritics. ``CountVectorsFeaturizer`` on accented lemmas keeps the
information accents carry ("hồ sơ" vs "hổ" ...), but then unaccented text shares almost no
features with the training data. This featurizer adds a second, accent-free view of the SAME
tokens, so the model sees both:

* every token lemma (already normalized and teencode-expanded by the tokenizer) is folded with
  :func:`common.text.normalize.fold_accents` and cut into syllables ("căn_cước" -> "can", "cuoc");
* a token's row holds its syllables ("u:can") and the syllable bigrams that END in it, including
  the one linking to the previous token's last syllable ("b:tra_cuu").

Because of that last rule, the sentence vector (sum of all rows) is identical whether
underthesea segmented "tra_cứu hồ_sơ" or, for unaccented input, produced one token per
syllable; word segmentation of unaccented text is unreliable, so features must not depend on it.

Sequence rows (one per token) and the sentence row share one vocabulary, learned in ``train``
from the TEXT tokens of the training data and persisted with the model; unseen units are
ignored at inference. Only the TEXT attribute is featurized.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

from bot.nlu.component import StoredComponent
from common.text.normalize import fold_accents

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "folded_vocabulary.json"
_SYLLABLE = re.compile(r"[^\W_]+")
_PLACEHOLDER = re.compile(r"__\w+?__")


def token_syllables(token: Token) -> list[str]:
    """Folded syllables of a token's lemma; placeholders ("__phone_number__") stay whole."""
    lemma = token.lemma or token.text
    if _PLACEHOLDER.fullmatch(lemma):
        return [lemma]
    syllables = _SYLLABLE.findall(fold_accents(lemma))
    return ["__number__" if syllable.isdigit() else syllable for syllable in syllables]


def token_units(tokens: list[Token], *, bigrams: bool) -> list[list[str]]:
    """Feature units per token: syllables and the bigrams ending in them (see module doc)."""
    rows: list[list[str]] = []
    previous: str | None = None
    for token in tokens:
        units: list[str] = []
        for syllable in token_syllables(token):
            units.append(f"u:{syllable}")
            if bigrams and previous is not None:
                units.append(f"b:{previous}_{syllable}")
            previous = syllable
        rows.append(units)
    return rows


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FoldedTokensFeaturizer(StoredComponent, SparseFeaturizer, GraphComponent):
    """Sparse accent-free syllable (and bigram) features for sequence and sentence."""

    @classmethod
    def required_components(cls) -> list[type]:
        """A tokenizer must run first."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Component defaults (``alias`` comes from ``SparseFeaturizer``)."""
        return {
            **SparseFeaturizer.get_default_config(),
            # Add syllable bigrams (within and across tokens).
            "bigrams": True,
            # Keep units seen at least this many times in the training data.
            "min_count": 1,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Bump when the feature units change, so Rasa's training cache is not reused."""
        return "folded-units-v1"

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """``min_count`` must be a positive integer."""
        min_count = config.get("min_count", 1)
        if not isinstance(min_count, int) or min_count < 1:
            raise InvalidConfigException(f"{cls.__name__}: 'min_count' must be an integer >= 1, got {min_count!r}")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        vocabulary: dict[str, int] | None = None,
    ) -> None:
        """Create the featurizer, optionally with a trained vocabulary."""
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._bigrams = bool(config.get("bigrams", True))
        self._min_count = int(config.get("min_count", 1))
        self.vocabulary: dict[str, int] = vocabulary or {}

    @classmethod
    def read_trained(cls, directory: Path) -> dict[str, Any]:
        """The trained vocabulary (untrained, the featurizer adds no features)."""
        return {"vocabulary": read_json_file(directory / VOCABULARY_FILE)}

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the unit vocabulary from the tokenized TEXT of the training examples."""
        counts: Counter[str] = Counter()
        for rows in self._rows(training_data.training_examples):
            for units in rows:
                counts.update(units)
        kept = sorted(unit for unit, count in counts.items() if count >= self._min_count)
        self.vocabulary = {unit: index for index, unit in enumerate(kept)}
        if not self.vocabulary:
            logger.warning("%s found no tokens in the training data; it will add no features.", self._identifier)
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / VOCABULARY_FILE, self.vocabulary)
        return self._resource

    def _rows(self, messages: Iterable[Message]) -> Iterable[list[list[str]]]:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if tokens:
                yield token_units(tokens, bigrams=self._bigrams)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize the training examples in place."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add sequence (one row per token) and sentence (sum of rows) features to TEXT."""
        if not self.vocabulary:
            return messages
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT])
            if not tokens:
                continue
            sequence = self.sequence_matrix(tokens)
            sentence = scipy.sparse.coo_matrix(sequence.sum(axis=0))
            self.add_features_to_message(sequence=sequence, sentence=sentence, attribute=TEXT, message=message)
        return messages

    def sequence_matrix(self, tokens: list[Token]) -> scipy.sparse.coo_matrix:
        """Multi-hot matrix: one row per token, one column per vocabulary unit."""
        rows: list[int] = []
        cols: list[int] = []
        for row, units in enumerate(token_units(tokens, bigrams=self._bigrams)):
            for column in {self.vocabulary[u] for u in units if u in self.vocabulary}:
                rows.append(row)
                cols.append(column)
        data = np.ones(len(rows), dtype=np.float32)
        shape = (len(tokens), len(self.vocabulary))
        return scipy.sparse.coo_matrix(
            (data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))), shape=shape
        )

"""FoldedTokensFeaturizer: accent-free sparse features for sequence and sentence."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.featurizer import FoldedTokensFeaturizer
from tests.nlu.conftest import HOSTILE_TEXTS

TRAINING_TEXTS = [
    "tra cứu hồ sơ của tôi",
    "làm căn cước công dân cần giấy tờ gì",
    "đăng ký thường trú mất bao lâu",
    "mã hồ sơ 000.00.01.H29-240115-0001",
]


def _messages(tokenizer, texts):
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    return messages


def _featurizer(tmp_path, **config):
    return FoldedTokensFeaturizer.create(
        {**FoldedTokensFeaturizer.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("folded"),
        ExecutionContext(GraphSchema({}), node_name="folded_featurizer"),
    )


@pytest.fixture()
def trained(tmp_path, tokenizer):
    featurizer = _featurizer(tmp_path)
    featurizer.train(TrainingData(_messages(tokenizer, TRAINING_TEXTS)))
    return featurizer


def _features(featurizer, tokenizer, text):
    [message] = featurizer.process(_messages(tokenizer, [text]))
    sequence, sentence = message.get_sparse_features(TEXT)
    return message, sequence, sentence


def test_unaccented_and_accented_input_have_the_same_sentence_features(trained, tokenizer):
    """The inputs "tra cuu ho so" and "tra cứu hồ sơ" look alike to the model even though underthesea
    segments them differently (one token per syllable vs compounds)."""
    _, _, accented = _features(trained, tokenizer, "tra cứu hồ sơ")
    _, _, plain = _features(trained, tokenizer, "tra cuu ho so")
    assert accented.features.nnz > 0
    assert (accented.features != plain.features).nnz == 0


def test_teencode_and_written_forms_share_features(trained, tokenizer):
    """Teencode "lam cccd can gi" reaches the features of "làm căn cước công dân cần gì" through the
    tokenizer's expanded lemma plus folding."""
    _, _, short = _features(trained, tokenizer, "lam cccd can gi")
    _, _, full = _features(trained, tokenizer, "làm căn cước công dân cần gì")
    assert (short.features != full.features).nnz == 0


def test_sequence_has_one_row_per_token_and_sentence_one_row(trained, tokenizer):
    """DIET needs sequence rows aligned with tokens and a single sentence row, both sparse,
    typed SEQUENCE/SENTENCE, with this featurizer as origin."""
    message, sequence, sentence = _features(trained, tokenizer, "Cho hỏi đăng ký thường trú ở đâu?")
    tokens = message.get("text_tokens")
    assert sequence.type == FEATURE_TYPE_SEQUENCE and sentence.type == FEATURE_TYPE_SENTENCE
    assert sequence.features.shape == (len(tokens), len(trained.vocabulary))
    assert sentence.features.shape == (1, len(trained.vocabulary))
    assert {(f.type, f.origin, f.attribute) for f in message.features} == {
        (FEATURE_TYPE_SEQUENCE, "folded_featurizer", TEXT),
        (FEATURE_TYPE_SENTENCE, "folded_featurizer", TEXT),
    }
    assert np.allclose(np.asarray(sequence.features.sum(axis=0)), sentence.features.toarray())


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_input_never_breaks_feature_shapes(trained, tokenizer, text):
    """Empty, emoji-only, NFD or odd input yields either no features (no tokens) or matrices
    whose rows match the tokens."""
    [message] = trained.process(_messages(tokenizer, [text]))
    tokens = message.get("text_tokens") or []
    sequence, sentence = message.get_sparse_features(TEXT)
    if not tokens:
        assert sequence is None and sentence is None
    else:
        assert sequence.features.shape[0] == len(tokens)
        assert sentence.features.shape[0] == 1


def test_vocabulary_survives_persist_and_load(trained, tmp_path, tokenizer):
    """A loaded model featurizes exactly like the trained one (vocabulary persisted)."""
    loaded = FoldedTokensFeaturizer.load(
        FoldedTokensFeaturizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("folded"),
        ExecutionContext(GraphSchema({}), node_name="folded_featurizer"),
    )
    assert loaded.vocabulary == trained.vocabulary
    _, _, a = _features(trained, tokenizer, "tra cuu ho so")
    _, _, b = _features(loaded, tokenizer, "tra cuu ho so")
    assert (a.features != b.features).nnz == 0


def test_untrained_or_missing_resource_adds_nothing(tmp_path, tokenizer):
    """Without a vocabulary (nothing trained) messages pass through without features."""
    featurizer = FoldedTokensFeaturizer.load(
        FoldedTokensFeaturizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("never_trained"),
        ExecutionContext(GraphSchema({}), node_name="folded_featurizer"),
    )
    [message] = featurizer.process(_messages(tokenizer, ["tra cứu hồ sơ"]))
    assert message.features == []


def test_min_count_prunes_rare_units(tmp_path, tokenizer):
    """min_count drops units seen fewer times; invalid values are rejected at config time."""
    featurizer = _featurizer(tmp_path, min_count=2)
    featurizer.train(TrainingData(_messages(tokenizer, TRAINING_TEXTS)))
    assert "u:ho" in featurizer.vocabulary and "u:lam" not in featurizer.vocabulary
    with pytest.raises(InvalidConfigException):
        _featurizer(tmp_path, min_count=0)


def test_registered_as_trainable_message_featurizer():
    """Rasa finds the class by module path and treats it as a trainable featurizer."""
    registered = DefaultV1Recipe._registered_components[FoldedTokensFeaturizer.__name__]
    assert DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER in registered.types
    assert registered.is_trainable is True

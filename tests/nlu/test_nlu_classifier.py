"""BlendedIntentClassifier: a linear intent model averaged with DIET's ranking."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.classifier import BlendedIntentClassifier
from bot.nlu.featurizer import FoldedTokensFeaturizer
from tests.nlu.conftest import HOSTILE_TEXTS

TRAINING = {
    "ask_fee": ["lệ phí làm căn cước bao nhiêu", "đổi bằng lái hết bao nhiêu tiền", "phí khai sinh là bao nhiêu"],
    "ask_processing_time": ["làm căn cước mất bao lâu", "đổi bằng lái bao lâu thì xong", "khai sinh mấy ngày có"],
    "greet": ["xin chào", "chào bạn", "alo có ai không"],
}
CONTEXT = ExecutionContext(GraphSchema({}), node_name="blended_intent_classifier")


@pytest.fixture()
def featurize(tmp_path, tokenizer):
    featurizer = FoldedTokensFeaturizer.create(
        FoldedTokensFeaturizer.get_default_config(), LocalModelStorage(tmp_path), Resource("folded"), CONTEXT
    )
    vocabulary_source = [Message(data={TEXT: t}) for texts in TRAINING.values() for t in texts]
    tokenizer.process(vocabulary_source)
    featurizer.train(TrainingData(vocabulary_source))

    def run(texts: list[str], intents: list[str] | None = None) -> list[Message]:
        labels = intents or [None] * len(texts)
        messages = [Message(data={TEXT: t, **({INTENT: i} if i else {})}) for t, i in zip(texts, labels, strict=True)]
        tokenizer.process(messages)
        return featurizer.process(messages)

    return run


def _classifier(storage: LocalModelStorage, **config) -> BlendedIntentClassifier:
    return BlendedIntentClassifier.create(
        {**BlendedIntentClassifier.get_default_config(), **config}, storage, Resource("blend"), CONTEXT
    )


@pytest.fixture()
def storage(tmp_path):
    (tmp_path / "model").mkdir()
    return LocalModelStorage(tmp_path / "model")


@pytest.fixture()
def trained(storage, featurize):
    classifier = _classifier(storage)
    texts = [t for texts in TRAINING.values() for t in texts]
    intents = [intent for intent, texts in TRAINING.items() for _ in texts]
    classifier.train(TrainingData(featurize(texts, intents)))
    return classifier


def test_linear_model_alone_picks_the_intent_of_the_question_words(trained, featurize):
    """Without a previous ranking the linear model decides: the question words "bao nhiêu" vs "bao lâu"."""
    fee, time = trained.process(featurize(["lệ phí đăng ký kết hôn bao nhiêu", "đăng ký kết hôn mất bao lâu"]))
    assert fee.get(INTENT)["name"] == "ask_fee"
    assert time.get(INTENT)["name"] == "ask_processing_time"
    assert sum(item["confidence"] for item in fee.get(INTENT_RANKING_KEY)) == pytest.approx(1.0)


@pytest.mark.parametrize(("weight", "expected"), [(1.0, "greet"), (0.0, "ask_fee")])
def test_previous_weight_sets_who_decides(storage, featurize, trained, weight, expected):
    """previous_weight 1 keeps DIET's choice, 0 the linear model's; the ranking is re-sorted."""
    classifier = BlendedIntentClassifier.load(
        {**BlendedIntentClassifier.get_default_config(), "previous_weight": weight}, storage, Resource("blend"), CONTEXT
    )
    [message] = featurize(["lệ phí làm hộ chiếu bao nhiêu"])
    message.set(INTENT_RANKING_KEY, [{"name": "greet", "confidence": 0.9}, {"name": "ask_fee", "confidence": 0.1}])
    [message] = classifier.process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == expected == ranking[0]["name"]
    assert [item["confidence"] for item in ranking] == sorted((item["confidence"] for item in ranking), reverse=True)


def test_stored_model_gives_the_same_probabilities(storage, featurize, trained):
    """The model is saved as plain arrays and loads back identically (no pickle)."""
    loaded = BlendedIntentClassifier.load(
        BlendedIntentClassifier.get_default_config(), storage, Resource("blend"), CONTEXT
    )
    [message] = featurize(["chào bạn nhé"])
    assert loaded.probabilities(message) == pytest.approx(trained.probabilities(message))


def test_untrained_component_passes_the_previous_ranking_through(storage, featurize):
    """A model without stored arrays (e.g. no training data) leaves DIET's result untouched."""
    classifier = BlendedIntentClassifier.load(
        BlendedIntentClassifier.get_default_config(), storage, Resource("missing"), CONTEXT
    )
    [message] = featurize(["xin chào"])
    message.set(INTENT, {"name": "greet", "confidence": 0.8})
    assert classifier.process([message])[0].get(INTENT) == {"name": "greet", "confidence": 0.8}


@pytest.mark.parametrize("text", [*HOSTILE_TEXTS, "lệ phí " * 715])
def test_hostile_input_gets_a_ranking_or_none(trained, featurize, text):
    """Empty, emoji-only or 5,000-character messages never raise."""
    [message] = trained.process(featurize([text]))
    intent = message.get(INTENT)
    assert intent is None or intent["name"] in TRAINING


def test_invalid_weight_is_a_config_error(storage):
    with pytest.raises(InvalidConfigException):
        _classifier(storage, previous_weight=1.5)


def test_registered_as_intent_classifier():
    registered = DefaultV1Recipe._registered_components[BlendedIntentClassifier.__name__]
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    assert registered.is_trainable is True


def test_probabilities_are_the_logistic_models_own(trained, featurize):
    """The scores computed per message are sklearn's: the same weights, intercepts and softmax."""
    import numpy as np
    import scipy.sparse
    from sklearn.linear_model import LogisticRegression

    messages = featurize(["lệ phí đổi bằng lái bao nhiêu", "chào bạn", "căn cước mất mấy ngày"])
    rows = scipy.sparse.vstack([message.get_sparse_features(TEXT)[1].features for message in messages]).tocsr()
    model = LogisticRegression()
    model.classes_ = np.array(trained._intents)
    model.coef_, model.intercept_ = trained._weights, trained._intercepts
    for message, expected in zip(messages, model.predict_proba(rows), strict=True):
        ours = trained.probabilities(message)
        assert [ours[name] for name in trained._intents] == pytest.approx(expected.tolist())

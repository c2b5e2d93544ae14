"""Unit tests of the NLU evaluation metrics (bot/evaluation): the numbers the quality gate trusts."""

from __future__ import annotations

from bot.evaluation.metrics import Prediction, entity_metrics, gate_failures, intent_metrics, summarize, worst_errors


def _p(intent: str, predicted: str, confidence: float = 0.9, **kwargs) -> Prediction:
    return Prediction(
        text=f"{intent}->{predicted}", intent=intent, predicted_intent=predicted, confidence=confidence, **kwargs
    )


def test_intent_macro_f1_averages_over_intents_not_examples():
    """Macro-F1 weighs a rare intent as much as a frequent one (a small intent cannot hide)."""
    predictions = [_p("a", "a")] * 8 + [_p("b", "a")] * 2
    metrics = intent_metrics(predictions)
    assert metrics["accuracy"] == 0.8
    assert metrics["per_intent"]["b"]["f1-score"] == 0.0
    assert metrics["macro_f1"] < 0.5


def test_entity_token_and_exact_span_scores():
    """Token-level F1 gives partial credit for a shorter span; exact-span F1 does not."""
    text_tokens = [(0, 3), (4, 7), (8, 12)]  # "cấp lại căn" style: three tokens
    gold = [{"entity": "procedure", "start": 0, "end": 12, "value": "x"}]
    found = [{"entity": "procedure", "start": 4, "end": 12, "value": "x"}]
    metrics = entity_metrics([_p("a", "a", entities=gold, predicted_entities=found, tokens=text_tokens)])
    procedure = metrics["procedure"]
    assert procedure["token"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8}
    assert procedure["span"]["f1"] == 0.0


def test_exact_span_checks_the_canonical_value():
    """An exact span with a different value than annotated is a value error, not a miss."""
    gold = [{"entity": "dossier_code", "start": 0, "end": 5, "value": "H29-1"}]
    found = [{"entity": "dossier_code", "start": 0, "end": 5, "value": "h29-1"}]
    metrics = entity_metrics([_p("a", "a", entities=gold, predicted_entities=found, tokens=[(0, 5)])])
    assert metrics["dossier_code"]["span"]["f1"] == 1.0
    assert metrics["dossier_code"]["value_accuracy"] == 0.0


def test_worst_errors_are_the_most_confident_mistakes():
    """The error list starts with the mistakes the model was surest about."""
    errors = worst_errors([_p("a", "b", 0.4), _p("a", "c", 0.99), _p("a", "a", 1.0)])
    assert [e["predicted"] for e in errors] == ["c", "b"]


def test_gate_reports_every_metric_below_its_threshold():
    """A gate failure names the file, metric, value and threshold; a missing entity counts as 0."""
    summary = summarize([_p("a", "a"), _p("b", "b")])
    gates = {"accented": {"intent_macro_f1": 0.9, "entity_f1:procedure": 0.85}}
    failures = gate_failures({"accented": summary}, gates)
    assert failures == ["accented: entity_f1:procedure = 0.0000 < 0.85"]


def test_entity_types_a_file_never_annotates_are_not_scored():
    """The first held-out set predates ``aspect``: predicted aspects there are not errors, while a
    type the file does annotate still counts its false positives."""
    tokens = [(0, 3), (4, 7)]
    gold = [{"entity": "procedure", "start": 0, "end": 3, "value": "x"}]
    found = [*gold, {"entity": "aspect", "start": 4, "end": 7, "value": "fee"}]
    metrics = entity_metrics([_p("a", "a", entities=gold, predicted_entities=found, tokens=tokens)])
    assert set(metrics) == {"procedure"}
    assert metrics["procedure"]["token"]["f1"] == 1.0

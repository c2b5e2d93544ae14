"""Metrics of NLU predictions: intents (per-intent P/R/F1, macro-F1), entities, worst errors.

Predictions come from :func:`bot.evaluation.run.parse_examples` as :class:`Prediction` records.

Entities are scored two ways:

* ``token``: the measure ``rasa test nlu`` reports. Every token of the message gets the type
  of the entity it overlaps most (or ``O``) on the target side and on the predicted side; per-type
  precision/recall/F1 are computed over tokens. It is what the quality gate uses.
* ``span``: an entity counts only when type, start and end all match exactly; ``value_accuracy``
  is the share of those exact matches that also carry the target's (canonical) value.

Retrieval intents follow Rasa's convention: the intent classifier is scored on the base intent
(``faq``) and the ResponseSelector on the full key (``faq/gio_lam_viec``), separately.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sklearn.metrics import classification_report, confusion_matrix

from common.quality_gates import GATES  # the thresholds CI and the console share

NO_ENTITY = "O"


@dataclass
class Prediction:
    """One held-out example with what the model made of it."""

    text: str
    intent: str
    predicted_intent: str
    confidence: float
    response_key: str | None = None
    predicted_response_key: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    predicted_entities: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    seconds: float = 0.0


def _rounded(value: float) -> float:
    return round(float(value), 4)


def intent_metrics(predictions: list[Prediction]) -> dict[str, Any]:
    """Accuracy, macro/weighted F1 and per-intent precision/recall/F1/support."""
    targets = [p.intent for p in predictions]
    predicted = [p.predicted_intent or "None" for p in predictions]
    labels = sorted(set(targets) | set(predicted))
    report = classification_report(targets, predicted, labels=labels, output_dict=True, zero_division=0)
    per_intent = {
        label: {key: _rounded(report[label][key]) for key in ("precision", "recall", "f1-score")}
        | {"support": int(report[label]["support"])}
        for label in labels
    }
    correct = sum(t == p for t, p in zip(targets, predicted, strict=True))
    return {
        "accuracy": _rounded(correct / len(targets)) if targets else 0.0,
        "macro_f1": _rounded(report["macro avg"]["f1-score"]),
        "weighted_f1": _rounded(report["weighted avg"]["f1-score"]),
        "per_intent": per_intent,
        "labels": labels,
    }


def response_metrics(predictions: list[Prediction]) -> dict[str, Any]:
    """ResponseSelector accuracy and macro-F1 on the examples of retrieval intents."""
    scored = [p for p in predictions if p.response_key]
    if not scored:
        return {"support": 0}
    targets = [p.response_key for p in scored]
    predicted = [p.predicted_response_key or "None" for p in scored]
    report = classification_report(targets, predicted, output_dict=True, zero_division=0)
    correct = sum(t == p for t, p in zip(targets, predicted, strict=True))
    return {
        "support": len(scored),
        "accuracy": _rounded(correct / len(scored)),
        "macro_f1": _rounded(report["macro avg"]["f1-score"]),
    }


def confusion(predictions: list[Prediction], labels: list[str]) -> list[list[int]]:
    """Confusion matrix (rows: target intent, columns: predicted) over ``labels``."""
    targets = [p.intent for p in predictions]
    predicted = [p.predicted_intent or "None" for p in predictions]
    return confusion_matrix(targets, predicted, labels=labels).tolist()


def _token_label(token: tuple[int, int], entities: list[dict[str, Any]]) -> str:
    best, best_overlap = NO_ENTITY, 0
    for entity in entities:
        overlap = min(token[1], entity["end"]) - max(token[0], entity["start"])
        if overlap > best_overlap:
            best, best_overlap = entity["entity"], overlap
    return best


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": _rounded(precision), "recall": _rounded(recall), "f1": _rounded(f1)}


def entity_metrics(predictions: list[Prediction]) -> dict[str, Any]:
    """Per entity type: token-level and exact-span precision/recall/F1, support, value accuracy.

    Only the types the file annotates somewhere are scored: a file written before a type existed
    (``aspect`` in the first held-out set) would count every prediction of it as an error."""
    annotated = {e["entity"] for p in predictions for e in p.entities}
    predictions = [
        replace(p, predicted_entities=[e for e in p.predicted_entities if e["entity"] in annotated])
        for p in predictions
    ]
    token_counts: dict[str, Counter[str]] = {}
    span_counts: dict[str, Counter[str]] = {}
    for p in predictions:
        for token in p.tokens:
            target, predicted = _token_label(token, p.entities), _token_label(token, p.predicted_entities)
            if target != NO_ENTITY:
                token_counts.setdefault(target, Counter())["tp" if predicted == target else "fn"] += 1
            if predicted != NO_ENTITY and predicted != target:
                token_counts.setdefault(predicted, Counter())["fp"] += 1
        gold = {(e["entity"], e["start"], e["end"]): e.get("value") for e in p.entities}
        found = {(e["entity"], e["start"], e["end"]): e.get("value") for e in p.predicted_entities}
        for key, value in gold.items():
            counts = span_counts.setdefault(key[0], Counter())
            counts["support"] += 1
            if key in found:
                counts["tp"] += 1
                counts["value_ok"] += found[key] == value
            else:
                counts["fn"] += 1
        for key in found.keys() - gold.keys():
            span_counts.setdefault(key[0], Counter())["fp"] += 1
    result = {}
    for entity in sorted(set(token_counts) | set(span_counts)):
        tokens, spans = token_counts.get(entity, Counter()), span_counts.get(entity, Counter())
        result[entity] = {
            "support": spans["support"],
            "token": _prf(tokens["tp"], tokens["fp"], tokens["fn"]),
            "span": _prf(spans["tp"], spans["fp"], spans["fn"]),
            "value_accuracy": _rounded(spans["value_ok"] / spans["tp"]) if spans["tp"] else 0.0,
        }
    return result


def worst_errors(predictions: list[Prediction], limit: int = 25) -> list[dict[str, Any]]:
    """Misclassified examples, most confident first (confident mistakes hurt most in a dialogue)."""
    wrong = [p for p in predictions if p.predicted_intent != p.intent]
    wrong.sort(key=lambda p: -p.confidence)
    return [
        {"text": p.text, "intent": p.intent, "predicted": p.predicted_intent, "confidence": _rounded(p.confidence)}
        for p in wrong[:limit]
    ]


def summarize(predictions: list[Prediction]) -> dict[str, Any]:
    """Every metric of one held-out file."""
    intents = intent_metrics(predictions)
    entities = entity_metrics(predictions)
    return {
        "examples": len(predictions),
        "intent": intents,
        "response_selection": response_metrics(predictions),
        "entities": entities,
        "entity_f1": {name: scores["token"]["f1"] for name, scores in entities.items()},
        "confusion": {"labels": intents["labels"], "matrix": confusion(predictions, intents["labels"])},
        "worst_errors": worst_errors(predictions),
    }


def gate_values(summary: dict[str, Any]) -> dict[str, float]:
    """The gated numbers of one file summary: ``intent_macro_f1`` and ``entity_f1:<type>``."""
    values = {"intent_macro_f1": summary["intent"]["macro_f1"]}
    values |= {f"entity_f1:{name}": f1 for name, f1 in summary["entity_f1"].items()}
    return values


def gate_failures(summaries: dict[str, dict[str, Any]], gates: dict[str, dict[str, float]] = GATES) -> list[str]:
    """Human-readable gate violations (empty when every threshold is met)."""
    failures = []
    for name, thresholds in gates.items():
        values = gate_values(summaries[name])
        for metric, minimum in thresholds.items():
            value = values.get(metric, 0.0)
            if value < minimum:
                failures.append(f"{name}: {metric} = {value:.4f} < {minimum}")
    return failures

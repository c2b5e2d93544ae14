"""The activation gate: exactly what CI's quality gate checks, with the same thresholds.

The thresholds are ONE table, :data:`common.quality_gates.GATES` (test set -> metric -> minimum),
read by ``tests/nlu/test_quality_gate.py`` and by the console (``ConsoleSettings.quality_gates``):
intent macro-F1 on the accented and the unaccented held-out sets, ``dossier_code`` and
``procedure`` entity F1. A test set added to that table (e.g. an answer-quality share) is evaluated
and shown here as soon as :data:`common.quality_gates.TEST_FILES` names its file; a metric the
evaluation did not produce counts as failed, so a model is never activated on a partial check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from common.quality_gates import ANSWER_GATES, TEST_FILES

if TYPE_CHECKING:
    from console.settings import ConsoleSettings

SET_LABELS = {"accented": "Câu có dấu", "unaccented": "Câu không dấu", "blind": "Bộ kiểm tra mù"}
METRIC_LABELS = {
    "intent_macro_f1": "F1 trung bình theo ý định",
    "entity_f1:dossier_code": "F1 thực thể mã hồ sơ (dossier_code)",
    "entity_f1:procedure": "F1 thực thể thủ tục (procedure)",
}


@dataclass(frozen=True)
class GateRow:
    """One gated number of a model: its value (None when not measured) against its threshold."""

    test_set: str
    metric: str
    value: float | None
    threshold: float

    @property
    def passed(self) -> bool:
        return self.value is not None and self.value >= self.threshold

    @property
    def label(self) -> str:
        metric = METRIC_LABELS.get(self.metric, self.metric)
        return f"{SET_LABELS.get(self.test_set, self.test_set)}: {metric}"


def answer_gates() -> dict[str, float]:
    """The answer-quality thresholds of CI (same table), shown on the training page; measured by
    ``make evaluate`` through the whole reply path, not by a console run."""
    return ANSWER_GATES


def gate_files(settings: ConsoleSettings) -> dict[str, Path]:
    """The file of each gated test set (the console's settings for the held-out pair, else CI's)."""
    configured = {"accented": settings.test_nlu_path, "unaccented": settings.test_nlu_unaccented_path}
    return {
        name: configured.get(name) or TEST_FILES[name]
        for name in settings.quality_gates
        if name in configured or name in TEST_FILES
    }


def gate_rows(evaluation: dict[str, Any] | None, gates: dict[str, dict[str, float]]) -> list[GateRow]:
    """Every threshold of ``gates`` with the model's value (``evaluation["gates"][set][metric]``)."""
    measured = (evaluation or {}).get("gates") or {}
    rows = []
    for test_set, thresholds in gates.items():
        values = measured.get(test_set) or {}
        for metric, threshold in thresholds.items():
            value = values.get(metric)
            rows.append(GateRow(test_set, metric, float(value) if value is not None else None, float(threshold)))
    return rows


def gate_passed(evaluation: dict[str, Any] | None, gates: dict[str, dict[str, float]]) -> bool:
    """True when every gated number was measured and meets its threshold."""
    rows = gate_rows(evaluation, gates)
    return bool(rows) and all(row.passed for row in rows)


def failures(evaluation: dict[str, Any] | None, gates: dict[str, dict[str, float]]) -> list[str]:
    """The missed thresholds in Vietnamese, e.g. "Câu không dấu: F1 … 0,850 < 0,88"."""
    out = []
    for row in gate_rows(evaluation, gates):
        if not row.passed:
            shown = f"{row.value:.3f}" if row.value is not None else "chưa đo"
            out.append(f"{row.label} {shown} < {row.threshold:.2f}")
    return out

"""Held-out evaluation of one model, in a child process, reduced to what the training page shows.

The scoring is the NLU team's (:func:`bot.evaluation.run.evaluate_model`: in-process parse of the
held-out file, per-intent F1 with scikit-learn), so the console's quality gate and ``make
evaluate`` can never disagree. It runs in a child process because loading a model pulls
TensorFlow (~1 GB) into memory: the console's web process stays small, and a crash while loading a
broken model fails the run instead of the console.

The first test set is the held-out one the per-intent comparison shows; every set's gated numbers
(:func:`bot.evaluation.metrics.gate_values`) go under ``"gates"`` for the activation gate.

The child is ``python -m bot.evaluation.scores`` (started by command line: the console imports no
Rasa-side code).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

EVAL_TIMEOUT_SECONDS = 900


class EvaluationError(RuntimeError):
    """The evaluation did not produce scores (message in Vietnamese, details in the run's log)."""


def reduce_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``{"macro_f1", "accuracy", "examples", "intents": {name: {"f1", "support"}}}`` of a summary
    from :func:`bot.evaluation.metrics.summarize` (labels never seen in the test set are dropped)."""
    intent = summary["intent"]
    per_intent = {
        name: {"f1": float(scores["f1-score"]), "support": int(scores["support"])}
        for name, scores in intent["per_intent"].items()
        if int(scores["support"]) > 0
    }
    return {
        "macro_f1": float(intent["macro_f1"]),
        "accuracy": float(intent["accuracy"]),
        "examples": int(summary.get("examples", 0)),
        "intents": per_intent,
    }


def evaluate(model: Path, test_files: dict[str, Path], out_json: Path, log_path: Path) -> dict[str, Any]:
    """Evaluate ``model`` on each test set in a child process; output appended to ``log_path``."""
    sets = [f"{name}={path}" for name, path in test_files.items()]
    command = [sys.executable, "-m", "bot.evaluation.scores", str(model), str(out_json), *sets]
    with log_path.open("a", encoding="utf-8") as log:
        names = ", ".join(path.name for path in test_files.values())
        log.write(f"\n=== Đánh giá trên bộ kiểm thử: {names} ===\n")
        log.flush()
        try:
            result = subprocess.run(
                command, stdout=log, stderr=subprocess.STDOUT, timeout=EVAL_TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise EvaluationError("Đánh giá mô hình quá lâu và đã bị dừng.") from exc
    if result.returncode != 0 or not out_json.exists():
        raise EvaluationError(f"Không đánh giá được mô hình (mã lỗi {result.returncode}). Xem nhật ký bên dưới.")
    scores = json.loads(out_json.read_text(encoding="utf-8"))
    reduced = reduce_summary(scores["summaries"][next(iter(test_files))])
    reduced["gates"] = scores["gates"]
    return reduced

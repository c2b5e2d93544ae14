"""``python -m bot.evaluation``: train (if needed), evaluate on the held-out set, write reports/nlu/.

Evaluates our model (``bot.train``: the same fingerprinted model ``make run`` and CI use) and,
unless ``--no-default``, an NLU-only model with Rasa's default pipeline on the same data
(``models/eval/``); then, unless ``--no-answers``, the quality of the assistant's answers
(``bot.evaluation.answers``, reports/answer_quality/). Exit status 1 when our model misses a gate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from bot.evaluation import answer_report
from bot.evaluation.answers import evaluate_answers
from bot.evaluation.metrics import gate_failures
from bot.evaluation.report import REPORT_DIR, write_reports
from bot.evaluation.run import evaluate_model, train_default_pipeline
from bot.train import REPO_ROOT, train, training_seconds


def _evaluate(model: Path) -> dict:
    summaries, predictions = evaluate_model(model)
    seconds = [p.seconds for items in predictions.values() for p in items]
    meta = {
        "model": str(model.relative_to(REPO_ROOT) if model.is_relative_to(REPO_ROOT) else model),
        "training_seconds": training_seconds(model),
        "parse_ms_mean": round(1000 * statistics.fmean(seconds), 2) if seconds else None,
    }
    return {"files": summaries, "meta": meta}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="evaluate this model instead of training ours")
    parser.add_argument("--no-default", action="store_true", help="skip Rasa's default pipeline")
    parser.add_argument("--out", type=Path, default=REPORT_DIR)
    parser.add_argument("--no-answers", action="store_true", help="skip the answer-quality evaluation")
    args = parser.parse_args(argv)

    ours = args.model or train(REPO_ROOT / "models")
    results = {"ours": _evaluate(ours)}
    if not args.no_default:
        results["rasa_default"] = _evaluate(train_default_pipeline())
    summary = write_reports(results, args.out)
    for name, result in results.items():
        for file_name, s in result["files"].items():
            f1 = ", ".join(f"{e} {v:.3f}" for e, v in s["entity_f1"].items())
            print(f"{name:13s} {file_name:10s} intent macro-F1 {s['intent']['macro_f1']:.3f}  entities: {f1}")
    print(f"reports: {summary.parent}")
    failures = gate_failures(results["ours"]["files"])
    if not args.no_answers:
        answers = evaluate_answers(ours)
        print("\n".join(answer_report.summary_lines(answers)))
        print(f"reports: {answer_report.REPORT_DIR}")
        failures += [f"answer quality: {failure}" for failure in answer_report.gate_failures(answers)]
    for failure in failures:
        print(f"GATE FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Scores of one model on named held-out sets, written as JSON for a caller that must not load Rasa.

The console's training worker (console/services/model_eval.py) runs this in a child process: loading
a model pulls TensorFlow (~1 GB), and the scoring must be the NLU team's (:func:`evaluate_model`),
so the console's gate and ``make evaluate`` never disagree.

Usage: ``python -m bot.evaluation.scores MODEL OUT_JSON NAME=TEST_FILE [NAME=TEST_FILE ...]``; the
file holds ``{"summaries": {name: summary}, "gates": {name: {metric: value}}}`` (see
:func:`bot.evaluation.metrics.summarize` and :func:`~bot.evaluation.metrics.gate_values`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.evaluation.metrics import gate_values
from bot.evaluation.run import evaluate_model

USAGE = "usage: python -m bot.evaluation.scores MODEL OUT_JSON NAME=TEST_FILE ..."


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 3 or not all("=" in a for a in args[2:]):
        print(USAGE, file=sys.stderr)
        return 2
    model, out_json = Path(args[0]), Path(args[1])
    files = {name: Path(path) for name, _, path in (a.partition("=") for a in args[2:])}
    summaries, _ = evaluate_model(model, files)
    gates = {name: gate_values(summary) for name, summary in summaries.items()}
    out_json.write_text(json.dumps({"summaries": summaries, "gates": gates}, ensure_ascii=False), encoding="utf-8")
    for name, values in gates.items():
        print(name, " ".join(f"{metric}={value:.4f}" for metric, value in sorted(values.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m bot.evaluation.answers``: ask the answer-quality questions, score the replies, write the report.

Shared by ``make evaluate`` (``python -m bot.evaluation``) and the gate test of ``make test``
(tests/answer_quality/test_answer_quality.py). Exit status 1 when the replies miss the gate.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from bot.evaluation.answer_facts import ITEMS_PATH, load_items
from bot.evaluation.answer_report import REPORT_DIR, gate_failures, score, summary_lines, write_report
from bot.evaluation.answer_run import collect_replies
from bot.train import REPO_ROOT, train


def evaluate_answers(model: Path, out_dir: Path = REPORT_DIR, items_path: Path = ITEMS_PATH) -> dict[str, Any]:
    """Replies of ``model`` (real servers started and stopped here) scored and written to ``out_dir``."""
    items = load_items(items_path)
    with tempfile.TemporaryDirectory(prefix="answer-eval-") as workdir:
        turns, seconds = collect_replies(model, items, Path(workdir))
    summary = score(items, turns)
    summary["model"] = str(model.relative_to(REPO_ROOT) if model.is_relative_to(REPO_ROOT) else model)
    summary["seconds"] = seconds
    write_report(summary, out_dir)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="evaluate this model instead of training ours")
    parser.add_argument("--out", type=Path, default=REPORT_DIR)
    args = parser.parse_args(argv)
    summary = evaluate_answers(args.model or train(REPO_ROOT / "models"), args.out)
    for line in summary_lines(summary):
        print(line)
    print(f"report: {args.out / 'report.md'}")
    failures = gate_failures(summary)
    for failure in failures:
        print(f"GATE FAILED answer quality: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

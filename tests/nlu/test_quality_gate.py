"""NLU quality gate: the model CI trains must understand the held-out set well enough.

Uses the session ``trained_model`` (no second training) and evaluates it in-process on
tests/nlu_data/test_nlu.yml and its unaccented copy. Thresholds live in
``bot.evaluation.gates.GATES``, the table the staff console's activation gate reads too; entity
F1 is token-level, as ``rasa test nlu`` reports it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.gates import GATES
from bot.evaluation.metrics import gate_failures
from bot.evaluation.run import TEST_FILES, evaluate_model
from bot.train import training_log_path

pytestmark = pytest.mark.slow


def test_training_log_has_no_misaligned_entity_annotation(trained_model: Path):
    """DIET silently drops entity annotations that do not sit on token boundaries; the training
    log of the CI model must not contain a single "Misaligned entity annotation" warning."""
    log = training_log_path(trained_model)
    assert log.exists(), f"no training log beside {trained_model}"
    misaligned = [line for line in log.read_text(encoding="utf-8").splitlines() if "Misaligned entity" in line]
    assert not misaligned, "\n".join(misaligned[:10])


@pytest.fixture(scope="module")
def held_out_summaries(trained_model: Path) -> dict:
    summaries, _ = evaluate_model(trained_model, TEST_FILES)
    assert set(GATES) <= set(summaries)
    return summaries


def test_held_out_scores_meet_the_quality_gate(held_out_summaries: dict):
    """CI fails when the model understands citizens worse than the targets: intent macro-F1
    (accented >= 0.92, unaccented >= 0.88), dossier_code F1 >= 0.98 and procedure F1 >= 0.85 on
    the held-out set."""
    failures = gate_failures(held_out_summaries)
    assert not failures, "NLU quality gate:\n" + "\n".join(failures)

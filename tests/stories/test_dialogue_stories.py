"""The test stories (tests/stories/*.yml) against the trained model: every predicted action must
match (``rasa test core --fail-on-prediction-errors``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

STORIES = Path(__file__).resolve().parent
REPO_ROOT = STORIES.parents[1]


@pytest.mark.slow
@pytest.mark.timeout(900)  # rasa test core loads the full model: minutes on a busy machine
def test_stories_have_no_prediction_errors(trained_model: Path, tmp_path: Path) -> None:
    log = tmp_path / "rasa-test-core.log"
    with log.open("w", encoding="utf-8") as output:
        command = [sys.executable, "-m", "rasa", "test", "core", "--stories", str(STORIES)]
        command += ["--model", str(trained_model), "--fail-on-prediction-errors", "--out", str(tmp_path / "results")]
        done = subprocess.run(command, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT, check=False)
    failed = tmp_path / "results" / "failed_test_stories.yml"
    details = failed.read_text(encoding="utf-8") if failed.exists() else log.read_text(encoding="utf-8")[-3000:]
    assert done.returncode == 0, details

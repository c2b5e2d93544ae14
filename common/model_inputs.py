"""What a trained model is made of, the fingerprint that names it and the command that trains it.

``make train``/``make run`` (bot/train.py) and the console's training runs name their models after
this fingerprint, so both agree on when the data, the configuration or the code of our pipeline
components changed, and train them with the same :func:`train_command` (the evaluation's
comparison model too). Kept free of Rasa: the console's web process computes it.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Rasa's own files and the code of our pipeline components, with every first-party module they
# import (a changed component must retrain even when config.yml is the same: Rasa's graph cache
# keys a trained component on its configuration and inputs, not on its code).
# tests/common/test_model_inputs.py checks that the components import nothing outside these.
MODEL_INPUTS = ("config.yml", "domain.yml", "data", "bot/nlu", "common/text")


def fingerprint(root: Path = REPO_ROOT) -> str:
    """A short hash over the model inputs' paths and contents under ``root``."""
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        base = root / name
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_command(
    out_dir: Path, model_name: str, *, config: Path | str = "config.yml", nlu_only: bool = False, force: bool = False
) -> list[str]:
    """``rasa train`` (or ``rasa train nlu``) on the project's domain and data, run from the project
    folder, writing ``<out_dir>/<model_name>.tar.gz``; ``force`` retrains even if Rasa's cache matches."""
    command = [sys.executable, "-m", "rasa", "train"]
    if nlu_only:
        command += ["nlu", "--config", str(config), "--nlu", "data/nlu"]
    else:
        command += ["--config", str(config), "--domain", "domain.yml", "--data", "data"]
    command += ["--out", str(out_dir), "--fixed-model-name", model_name]
    return [*command, "--force"] if force else command

"""Train a Rasa model only when none matches the current data, config and component code.

The model file is named after a fingerprint of everything that shapes it, so ``make run`` can
reuse a model across restarts and ``make train`` is a no-op when nothing changed.
Usage: ``python -m bot.train [--force] [--models-dir models]``; prints the model path.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from common.model_inputs import REPO_ROOT, fingerprint

MODEL_PREFIX = "assistant-"


def model_path(models_dir: Path, root: Path = REPO_ROOT) -> Path:
    return models_dir / f"{MODEL_PREFIX}{fingerprint(root)}.tar.gz"


def training_log_path(model: Path) -> Path:
    """The log of the run that trained ``model`` (kept beside it, checked by the quality gate)."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".train.log")


def train(models_dir: Path, force: bool = False) -> Path:
    """Train into ``models_dir`` unless a model for the current inputs exists; return its path."""
    target = model_path(models_dir)
    if target.exists() and not force:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
        "--out", str(models_dir), "--fixed-model-name", target.name.removesuffix(".tar.gz"), "--force",
    ]  # fmt: skip
    log_file = training_log_path(target)
    with log_file.open("w", encoding="utf-8") as log:
        result = subprocess.run(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
    if result.returncode != 0 or not target.exists():
        raise SystemExit(f"error: training failed (exit {result.returncode}); see {log_file}")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=REPO_ROOT / "models")
    parser.add_argument("--force", action="store_true", help="train even if a matching model exists")
    args = parser.parse_args()
    print(train(args.models_dir, force=args.force))


if __name__ == "__main__":
    main()

"""Train a Rasa model only when none matches the current data, config and component code.

The model file is named after a fingerprint of everything that shapes it, so ``make run`` can
reuse a model across restarts and ``make train`` is a no-op when nothing changed.
Usage: ``python -m bot.train [--force] [--models-dir models]``; prints the model path.

Also the one reading of a training log's duration (:func:`training_seconds`, for ``make evaluate``
and ``make bench``); the ``rasa train`` command itself is built by
:func:`common.model_inputs.train_command`, shared with the staff console's training runs.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import time
from datetime import datetime
from pathlib import Path

from common.model_inputs import REPO_ROOT, fingerprint, train_command

MODEL_PREFIX = "assistant-"
# Written at the end of a training log by run_logged (whole run, process start-up included).
_WALL_CLOCK = re.compile(r"wall-clock training seconds: ([0-9.]+)")
_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) ", re.MULTILINE)


def model_path(models_dir: Path, root: Path = REPO_ROOT) -> Path:
    return models_dir / f"{MODEL_PREFIX}{fingerprint(root)}.tar.gz"


def training_log_path(model: Path) -> Path:
    """The log of the run that trained ``model`` (kept beside it, checked by the quality gate)."""
    return model.with_name(model.name.removesuffix(".tar.gz") + ".train.log")


def training_seconds(model: Path | str) -> float | None:
    """How long training ``model`` took, from its training log (:func:`training_log_path`).

    The wall-clock line :func:`run_logged` writes, else (older logs) the span between the first
    and last timestamped lines (Rasa logs to the second; process start-up not included). ``None``
    when the log is missing or has neither."""
    log = training_log_path(Path(model))
    if not log.exists():
        return None
    text = log.read_text(encoding="utf-8", errors="replace")
    wall_clock = _WALL_CLOCK.search(text)
    if wall_clock:
        return float(wall_clock.group(1))
    stamps = _LOG_TIME.findall(text)
    if len(stamps) < 2:
        return None
    first, last = (datetime.strptime(s, "%Y-%m-%d %H:%M:%S") for s in (stamps[0], stamps[-1]))
    return (last - first).total_seconds()


def run_logged(command: list[str], log_file: Path, cwd: Path = REPO_ROOT) -> int:
    """Run a training ``command`` with its output in ``log_file``, ended by the wall-clock line
    :func:`training_seconds` reads; returns the exit code."""
    started = time.monotonic()
    with log_file.open("w", encoding="utf-8") as log:
        result = subprocess.run(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, check=False)
        log.write(f"\nwall-clock training seconds: {time.monotonic() - started:.1f}\n")
    return result.returncode


def train(models_dir: Path, force: bool = False) -> Path:
    """Train into ``models_dir`` unless a model for the current inputs exists; return its path."""
    target = model_path(models_dir)
    if target.exists() and not force:
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    command = train_command(models_dir, target.name.removesuffix(".tar.gz"), force=True)
    log_file = training_log_path(target)
    code = run_logged(command, log_file)
    if code != 0 or not target.exists():
        raise SystemExit(f"error: training failed (exit {code}); see {log_file}")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=REPO_ROOT / "models")
    parser.add_argument("--force", action="store_true", help="train even if a matching model exists")
    args = parser.parse_args()
    print(train(args.models_dir, force=args.force))


if __name__ == "__main__":
    main()

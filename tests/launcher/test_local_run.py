"""``make run`` on a developer's machine: secrets generated once (mode 600), and a model retrained
only when one of its inputs changed (which inputs: tests/common/test_model_inputs.py)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from bot import train as training
from launcher.local_secrets import LOCAL_SECRET_NAMES, load_local_secrets


def test_secrets_are_generated_once_with_mode_600(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first run writes every missing secret to a file only its owner can read; later runs reuse
    them unchanged (file untouched); a value from the environment wins and is not written."""
    for name in LOCAL_SECRET_NAMES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "var" / "secrets.env"
    first = load_local_secrets(path)
    assert set(first) == set(LOCAL_SECRET_NAMES) and all(len(value) >= 32 for value in first.values())
    assert len(set(first.values())) == len(first)  # one secret per name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.stat().st_mtime_ns
    assert load_local_secrets(path) == first
    assert path.stat().st_mtime_ns == written

    monkeypatch.setenv("RASA_AUTH_TOKEN", "from-the-environment")
    assert load_local_secrets(path)["RASA_AUTH_TOKEN"] == "from-the-environment"
    assert "from-the-environment" not in path.read_text(encoding="utf-8")


def test_train_reuses_the_model_of_unchanged_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``make train``/``make run`` do not start ``rasa train`` when the model for the current inputs
    exists; ``--force`` would."""
    models = tmp_path / "models"
    models.mkdir()
    existing = training.model_path(models)
    existing.write_bytes(b"a model")

    def no_training(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("rasa train must not run for unchanged inputs")

    monkeypatch.setattr(training.subprocess, "run", no_training)
    assert training.train(models) == existing
    with pytest.raises(AssertionError, match="must not run"):
        training.train(models, force=True)

"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.train import REPO_ROOT, train


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The full model for the current data and config: trained at most once per test session
    (and reused across sessions while data, config and NLU code are unchanged)."""
    return train(REPO_ROOT / "models")

"""Fixtures shared by every test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.train import REPO_ROOT, train
from tests.browser import CHROMIUM, NO_CHROMIUM
from tests.missing import missing


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The full model for the current data and config: trained at most once per test session
    (and reused across sessions while data, config and NLU code are unchanged)."""
    return train(REPO_ROOT / "models")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium for the browser tests; skipped without it, a failure under CI=true."""
    if not CHROMIUM:
        missing(NO_CHROMIUM)
    return CHROMIUM

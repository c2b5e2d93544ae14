"""A missing service or browser skips a test on a developer's machine but fails it under CI=true."""

from __future__ import annotations

import pytest

from tests.missing import import_or_missing, missing


def test_missing_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI machines have Chromium, PostgreSQL, Redis and RabbitMQ: their absence is a failure there."""
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no PostgreSQL"):
        missing("no PostgreSQL on 127.0.0.1:5432/test")
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        import_or_missing("a_module_that_does_not_exist", "the package is not installed")


def test_missing_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without CI the test is skipped with the reason, so a laptop without Redis still runs the rest."""
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Redis"):
        missing("no Redis")

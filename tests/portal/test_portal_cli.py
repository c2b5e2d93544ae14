"""``python -m portal``: ``init`` is idempotent and fast on a second run (what ``make run`` relies on),
and configuration mistakes (no PII key, a changed PII key) stop with an operator message, exit 2."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from portal.cli import main
from tests.portal.dossier_support import TEST_PII_KEY

pytest_plugins = ["tests.portal.dossier_fixtures"]


@pytest.fixture
def portal_env(tmp_path: Path, small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in {
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_CATALOG_PATH": str(small_catalog),
        "PORTAL_DOSSIER_COUNT": "150",
        "PORTAL_PII_KEY": "",
        "PORTAL_PII_KEY_FILE": str(tmp_path / "var" / "pii.key"),
        "PORTAL_DEMO_DOSSIERS_PATH": str(tmp_path / "var" / "demo_dossiers.json"),
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path


def test_init_is_idempotent_and_fast_the_second_time(portal_env: Path, capsys: pytest.CaptureFixture) -> None:
    """``init`` does the work once; the second run only checks."""
    assert main(["init"]) == 0
    first = capsys.readouterr().out
    assert "generated a development key" in first and "seeded 150" in first
    assert (portal_env / "var" / "pii.key").is_file()
    demo = json.loads((portal_env / "var" / "demo_dossiers.json").read_text(encoding="utf-8"))
    assert demo["dossiers"]
    started = time.perf_counter()
    assert main(["init"]) == 0
    assert time.perf_counter() - started < 5
    second = capsys.readouterr().out
    assert "catalog up to date" in second and "already holds 150" in second
    for entry in demo["dossiers"]:  # nothing the CLI prints carries an owner's identifiers
        assert entry["id_number"] not in first + second


def test_changed_pii_key_is_refused(portal_env: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A missing or changed PII key stops the CLI with exit code 2 and a clear message."""
    assert main(["seed-dossiers", "--count", "20"]) == 2  # no key at all: operator error
    assert "PORTAL_PII_KEY" in capsys.readouterr().err
    monkeypatch.setenv("PORTAL_PII_KEY", TEST_PII_KEY)
    assert main(["seed-dossiers", "--count", "20"]) == 0
    monkeypatch.setenv("PORTAL_PII_KEY", "a-different-key-0123456789")
    assert main(["seed-dossiers", "--count", "20"]) == 2
    assert "differs" in capsys.readouterr().err
    assert main(["serve", "--port", "1"]) == 2  # refuses before binding anything
    assert main(["seed-dossiers", "--count", "20", "--replace"]) == 0

"""With DEPLOY_ENV=production every service refuses unsafe settings at start, with one clear line
and before serving anything: placeholder or short secrets, SQLite, public API docs, an insecure
session cookie, and Rasa's HTTP API on a public interface without the router in front."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from common.production import database_url_problem, is_loopback, secret_problem
from launcher.stack import REPO_ROOT

STRONG = "k" * 40
PRODUCTION = {"DEPLOY_ENV": "production", "PYTHONPATH": str(REPO_ROOT)}


def refusal(command: list[str], env: dict[str, str], tmp_path: Path) -> str:
    """Run ``command`` expecting it to refuse: its last output line."""
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode != 0, done.stdout[-1000:] + done.stderr[-1000:]
    return (done.stdout + done.stderr).strip().splitlines()[-1]


def test_secret_checks_name_the_problem() -> None:
    """Placeholders, short values and missing values are named; a long random value passes."""
    assert secret_problem("X", "change-me") == "X is a placeholder"
    assert secret_problem("X", "abc123") == "X is shorter than 24 characters"
    assert secret_problem("X", "") == "X is not set"
    assert secret_problem("X", STRONG) is None
    assert database_url_problem("DB", "postgresql://u:change-me@db/x") == "DB has a placeholder password"
    assert database_url_problem("DB", "sqlite:///var/x.db") is not None
    assert is_loopback("127.0.0.1") and not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5")


def test_portal_refuses_placeholder_token_and_sqlite(tmp_path: Path) -> None:
    line = refusal(
        [sys.executable, "-m", "portal", "serve"],
        {"PORTAL_SERVICE_TOKEN": "change-me", "PORTAL_PII_KEY": STRONG, "PORTAL_DATABASE_URL": "sqlite:///x.db"},
        tmp_path,
    )
    assert line.startswith("error: portal refuses to start in production:")
    assert "PORTAL_SERVICE_TOKEN is a placeholder" in line and "PORTAL_DATABASE_URL points to SQLite" in line


def test_console_refuses_insecure_cookie_and_public_docs(tmp_path: Path) -> None:
    line = refusal(
        [sys.executable, "-m", "console", "serve"],
        {
            "CONSOLE_SERVICE_TOKEN": STRONG,
            "RASA_AUTH_TOKEN": STRONG,
            "PORTAL_SERVICE_TOKEN": STRONG,
            "CONSOLE_DATABASE_URL": "postgresql://console:" + STRONG + "@127.0.0.1/test",
            "CONSOLE_COOKIE_SECURE": "false",
            "CONSOLE_PUBLIC_DOCS": "true",
        },
        tmp_path,
    )
    assert line.startswith("error: console refuses to start in production:")
    assert "CONSOLE_COOKIE_SECURE must be true" in line and "CONSOLE_PUBLIC_DOCS=true" in line


def test_rasa_refuses_its_api_on_a_public_interface(tmp_path: Path) -> None:
    """Checked before the model is even looked at."""
    line = refusal(
        [sys.executable, "-m", "bot.rasa_server", "run", "--enable-api", "--interface", "0.0.0.0"],
        {"RASA_AUTH_TOKEN": STRONG, "CHANNEL_PAYLOAD_KEY": STRONG},
        tmp_path,
    )
    assert line.startswith("error: rasa refuses to start in production:")
    assert "reachable on 0.0.0.0" in line and "RASA_API_BEHIND_ROUTER" in line


def test_action_server_refuses_short_tokens(tmp_path: Path) -> None:
    line = refusal(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", "0"],
        {"PORTAL_SERVICE_TOKEN": "short", "CONSOLE_SERVICE_TOKEN": STRONG},
        tmp_path,
    )
    assert "actions refuses to start in production: PORTAL_SERVICE_TOKEN is shorter than 24 characters" in line


def test_portal_api_docs_are_off_in_production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In production /docs and /openapi.json do not exist at all (the action server needs neither)."""
    from portal.api.app import create_app
    from portal.settings import PortalSettings

    monkeypatch.setenv("DEPLOY_ENV", "production")
    settings = PortalSettings(database_url=f"sqlite:///{tmp_path / 'p.db'}", pii_key=STRONG)
    with TestClient(create_app(settings)) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404

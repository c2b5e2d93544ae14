"""``make run`` (``python -m launcher``) and the embedded configuration it starts.

The failing starts run the real supervisor in a subprocess with temporary databases, logs and
secrets from the environment, so the developer's var/ is never touched; they use the session's
trained model (``launcher.run`` only checks it). The embedded-configuration checks use the session stack.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from launcher.processes import free_port
from launcher.stack import REPO_ROOT, StackLayout

from .conftest import CONSOLE_TOKEN, stack_env

# The first slow test may also train the session model and start the session stack.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run_env(workdir: Path) -> dict[str, str]:
    """Every port free, every file under ``workdir``, every secret set (nothing generated in var/)."""
    return {
        **os.environ,
        **stack_env(workdir),
        "RASA_AUTH_TOKEN": "rasa-test-token",
        "PORTAL_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "CONSOLE_PORT": str(free_port()),
        "LOG_DIR": str(workdir / "log"),
        "TRACKER_DB_PATH": str(workdir / "tracker.db"),
        "PYTHONUNBUFFERED": "1",
    }


def run_supervisor(env: dict[str, str], timeout: float = 120) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "launcher"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    return done, time.monotonic() - started


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def test_port_in_use_stops_the_run_at_once_naming_process_and_port(trained_model: Path, tmp_path: Path) -> None:
    """When a port is taken (here Rasa's), ``make run`` exits non-zero within seconds, before importing
    or starting anything, with one line naming the process and the port."""
    env = run_env(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        env["RASA_PORT"] = str(port)
        done, elapsed = run_supervisor(env)
    assert done.returncode != 0
    assert error_lines(done.stderr) == [f"error: rasa: port {port} on 127.0.0.1 is already in use"], done.stderr
    assert elapsed < 60, f"took {elapsed:.0f}s"
    assert not (tmp_path / "portal.db").exists(), "nothing is prepared when a port is taken"


def test_broken_database_fails_in_one_line_with_its_log(trained_model: Path, tmp_path: Path) -> None:
    """A portal database that cannot be opened stops ``make run`` with one line naming the failing step
    and pointing at its log, and a non-zero exit code."""
    env = run_env(tmp_path)
    (tmp_path / "not-a-folder").write_text("a file where the database folder should be")
    env["PORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'not-a-folder' / 'portal.db'}"
    done, _elapsed = run_supervisor(env)
    assert done.returncode != 0
    lines = error_lines(done.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: portal-init failed:"), done.stderr
    assert str(tmp_path / "log" / "portal-init.log") in lines[0]


def test_embedded_tracker_store_keeps_masked_conversations_in_sqlite(assistant_stack: StackLayout) -> None:
    """With endpoints.yml the conversations survive in the SQLite file the console reads
    (TRACKER_DB_PATH), through MaskingTrackerStore: an ID number typed by the citizen is masked."""
    sender = str(uuid.uuid4())
    for message in ("Làm căn cước cần giấy tờ gì?", "Số căn cước của tôi là 001099012345"):
        requests.post(
            f"{assistant_stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        ).raise_for_status()
    with sqlite3.connect(assistant_stack.tracker_db) as db:
        rows = [row[0] for row in db.execute("SELECT data FROM events WHERE sender_id LIKE ?", (f"%{sender}",))]
    users = [json.loads(row)["text"] for row in rows if json.loads(row).get("event") == "user"]
    assert users[0] == "Làm căn cước cần giấy tờ gì?"
    assert "001099012345" not in "".join(rows) and "1099012345" not in "".join(rows)
    assert "**********" in users[1]


def test_console_runs_in_the_stack_with_the_shared_token(assistant_stack: StackLayout) -> None:
    """The staff console is started by the stack; its internal API accepts the token the action
    server is given (CONSOLE_SERVICE_TOKEN) and refuses requests without it."""
    assert requests.get(f"{assistant_stack.console_url}/health", timeout=10).status_code == 200
    url = f"{assistant_stack.console_url}/api/v1/faqs/match"
    assert requests.get(url, params={"q": "giờ làm việc"}, timeout=10).status_code == 401
    headers = {"Authorization": f"Bearer {CONSOLE_TOKEN}"}
    answered = requests.get(url, params={"q": "giờ làm việc"}, headers=headers, timeout=10)
    assert answered.status_code == 200, answered.text
    env = assistant_stack.process_env()
    assert env["CONSOLE_URL"] == assistant_stack.console_url
    assert env["CONSOLE_SERVICE_TOKEN"] == CONSOLE_TOKEN

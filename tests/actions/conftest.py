"""Real services for the action tests: the portal and the staff console on free localhost ports.

Both are started with their own CLIs (``init`` then ``serve``) on temporary SQLite databases, as
``make run`` does, once per test session. The actions' shared clients are pointed at them through
the environment. ``make_tracker`` builds the rasa_sdk ``Tracker`` an action receives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.console_client import reset_shared_console_client
from actions.portal_client import reset_shared_portal_client
from launcher.processes import ProcessSpec, free_port, start_all, stop

REPO_ROOT = Path(__file__).resolve().parents[2]
PORTAL_TOKEN = "actions-test-portal-token"
CONSOLE_TOKEN = "actions-test-console-token"


@dataclass(frozen=True)
class Services:
    portal_url: str
    console_url: str
    demo_dossiers: list[dict[str, Any]]
    console_db: Path


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """``python -m portal init/serve`` and ``python -m console init/serve`` on temporary SQLite."""
    workdir = tmp_path_factory.mktemp("action_services")
    portal_port, console_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
        "PORTAL_DEMO_DOSSIERS_PATH": str(workdir / "demo_dossiers.json"),
        "PORTAL_SERVICE_TOKEN": PORTAL_TOKEN,
        "PORTAL_PII_KEY": "actions-test-pii-key",
        "PORTAL_DOSSIER_COUNT": "60",
        "PORTAL_HOST": "127.0.0.1",
        "PORTAL_PORT": str(portal_port),
        "CONSOLE_DATABASE_URL": f"sqlite:///{workdir / 'console.db'}",
        "CONSOLE_SERVICE_TOKEN": CONSOLE_TOKEN,
        "CONSOLE_OFFICE_HOURS": "closed",  # never open: a handoff is always followed by the contact form
        "CONSOLE_HOST": "127.0.0.1",
        "CONSOLE_PORT": str(console_port),
        "PYTHONUNBUFFERED": "1",
    }
    _run([sys.executable, "-m", "portal", "init"], env)
    _run([sys.executable, "-m", "console", "init"], env)
    specs = [
        ProcessSpec(
            name="portal",
            command=[sys.executable, "-m", "portal", "serve"],
            port=portal_port,
            health_url=f"http://127.0.0.1:{portal_port}/health",
            log_file=workdir / "portal.log",
            env=env,
            cwd=REPO_ROOT,
        ),
        ProcessSpec(
            name="console",
            command=[sys.executable, "-m", "console", "serve", "--host", "127.0.0.1", "--port", str(console_port)],
            port=console_port,
            health_url=f"http://127.0.0.1:{console_port}/health",
            log_file=workdir / "console.log",
            env=env,
            cwd=REPO_ROOT,
        ),
    ]
    processes = start_all(specs)
    demo = json.loads((workdir / "demo_dossiers.json").read_text(encoding="utf-8"))["dossiers"]
    try:
        yield Services(
            f"http://127.0.0.1:{portal_port}", f"http://127.0.0.1:{console_port}", demo, workdir / "console.db"
        )
    finally:
        stop(processes)


@pytest.fixture
def live(services: Services, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """The actions' shared clients talk to the real services (fresh clients, empty caches)."""
    monkeypatch.setenv("PORTAL_URL", services.portal_url)
    monkeypatch.setenv("PORTAL_SERVICE_TOKEN", PORTAL_TOKEN)
    monkeypatch.setenv("CONSOLE_URL", services.console_url)
    monkeypatch.setenv("CONSOLE_SERVICE_TOKEN", CONSOLE_TOKEN)
    reset_shared_portal_client()
    reset_shared_console_client()
    yield services
    reset_shared_portal_client()
    reset_shared_console_client()


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    sender_id: str = "web:0f6c3b1e-8a0d-4d3e-9d6e-2b7a1c9e5f40",
    **message: Any,
) -> Tracker:
    """The tracker an action receives after the citizen said ``text``."""
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": [],
        **message,
    }
    history = [*(events or []), {"event": "user", "text": text, "parse_data": latest}]
    return Tracker(
        sender_id=sender_id,
        slots=slots or {},
        latest_message=latest,
        events=history,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def texts(dispatcher: Any) -> str:
    """Everything the action said, one message per line."""
    return "\n".join(message.get("text") or "" for message in dispatcher.messages)

"""The real assistant on free localhost ports: portal, staff console, action server, Rasa server
and web page.

Started once per test session with the same code ``make run`` uses (``launcher.stack``), on temporary
SQLite databases (portal, console, Rasa's conversations), and stopped at the end. Tests needing
another configuration (production endpoints, a failing start) start only what they need.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from launcher.processes import RunningProcess, start_all, stop
from launcher.stack import PYTHON, REPO_ROOT, StackLayout, assistant_specs, local_layout, run_init_steps

PORTAL_TOKEN = "portal-test-token"
CONSOLE_TOKEN = "console-test-token"
RASA_TOKEN = "rasa-test-token"


def stack_env(workdir: Path) -> dict[str, str]:
    """Secrets and database paths of a test stack: nothing under the developer's var/."""
    return {
        "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
        "PORTAL_DEMO_DOSSIERS_PATH": str(workdir / "demo_dossiers.json"),
        "PORTAL_SERVICE_TOKEN": PORTAL_TOKEN,
        "CHANNEL_PAYLOAD_KEY": "channel-test-payload-key",
        "PORTAL_PII_KEY": "portal-test-pii-key",
        "PORTAL_DOSSIER_COUNT": os.environ.get("TEST_DOSSIER_COUNT", "400"),
        "CONSOLE_DATABASE_URL": f"sqlite:///{workdir / 'console.db'}",
        "CONSOLE_SERVICE_TOKEN": CONSOLE_TOKEN,
        # No opening hours: every handoff is "after hours", so the contact form always follows
        # (deterministic whatever the time of the run; within-hours replies are tested in tests/console).
        "CONSOLE_OFFICE_HOURS": "closed",
    }


@pytest.fixture(scope="session")
def running_stack(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StackLayout, list[RunningProcess]]]:
    """The whole stack and its processes (a test that restarts a part replaces it in the list, so
    the restarted process is stopped at the end too)."""
    workdir = tmp_path_factory.mktemp("stack")
    layout = local_layout(trained_model, workdir, RASA_TOKEN, stack_env(workdir), web=True, log_dir=workdir)
    run_init_steps(layout)
    processes = start_all(assistant_specs(layout))
    try:
        yield layout, processes
    finally:
        stop(processes)


@pytest.fixture(scope="session")
def assistant_stack(running_stack: tuple[StackLayout, list[RunningProcess]]) -> StackLayout:
    """The whole stack; ``console_url`` and ``env["CONSOLE_SERVICE_TOKEN"]`` reach the console,
    ``tracker_db`` is the SQLite file Rasa writes the (masked) conversations to."""
    return running_stack[0]


STAFF_ADMIN = "stack-admin"
STAFF_PASSWORD = "quay-mot-cua-2026-pass"


@pytest.fixture(scope="session")
def stack_admin(assistant_stack: StackLayout) -> tuple[str, str]:
    """An admin account of the stack's console, created with ``python -m console create-admin``."""
    env = {**os.environ, **assistant_stack.console_env(), "CONSOLE_ADMIN_PASSWORD": STAFF_PASSWORD}
    done = subprocess.run(
        [PYTHON, "-m", "console", "create-admin", "--username", STAFF_ADMIN],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return STAFF_ADMIN, STAFF_PASSWORD


def say(stack: StackLayout, sender: str, message: str) -> list[dict[str, Any]]:
    """One citizen message through the stack's REST channel; the bot's replies."""
    response = requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def text_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def say_text(stack: StackLayout, sender: str, message: str) -> str:
    """The text of the bot's replies to one message."""
    return text_of(say(stack, sender, message))

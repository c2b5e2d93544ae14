"""The real assistant on free localhost ports: portal, action server and Rasa server.

Started once per test session with the same code ``make run`` uses (``bot.stack``), on a
temporary SQLite database, and stopped at the end.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.processes import free_port, start_all, stop
from bot.stack import REPO_ROOT, StackLayout, assistant_specs, portal_init_command

PORTAL_TOKEN = "portal-test-token"


@pytest.fixture(scope="session")
def assistant_stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackLayout]:
    workdir = tmp_path_factory.mktemp("stack")
    layout = StackLayout(
        model=trained_model,
        log_dir=workdir,
        rasa_token="rasa-test-token",
        portal_port=free_port(),
        actions_port=free_port(),
        rasa_port=free_port(),
        env={
            "PORTAL_DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
            "PORTAL_SERVICE_TOKEN": PORTAL_TOKEN,
            "CHANNEL_PAYLOAD_KEY": "channel-test-payload-key",
            "PORTAL_PII_KEY": "portal-test-pii-key",
            "PORTAL_DOSSIER_COUNT": os.environ.get("TEST_DOSSIER_COUNT", "400"),
        },
    )
    init = subprocess.run(
        portal_init_command(),
        cwd=REPO_ROOT,
        env={**os.environ, **layout.process_env()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stdout[-2000:] + init.stderr[-2000:]
    processes = start_all(assistant_specs(layout))
    try:
        yield layout
    finally:
        stop(processes)

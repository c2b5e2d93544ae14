"""Ctrl-C on ``make run`` stops every process it started and frees every port.

The real supervisor (``python -m launcher``) runs in its own session, as in a terminal, on free
ports and temporary files (``run_env``), with the session's trained model. Once it has printed
that the assistant is running, SIGINT goes to its whole process group, which is what Ctrl-C does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from launcher.stack import REPO_ROOT

from .test_make_run import run_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
PORTS = ("PORTAL_PORT", "ACTIONS_PORT", "RASA_PORT", "WEB_PORT", "CONSOLE_PORT")


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def is_running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def test_ctrl_c_stops_every_process_and_frees_every_port(trained_model: Path, tmp_path: Path) -> None:
    """All five servers answer, then Ctrl-C: the supervisor exits 0 within a minute, none of its
    processes is left, and every port can be bound again."""
    env = run_env(tmp_path)
    ports = [int(env[name]) for name in PORTS]
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "launcher"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = supervisor.stdout.readline()
            if not line and supervisor.poll() is not None:
                break
            output.append(line)
            if "Ctrl-C stops everything" in line:
                break
        assert "Ctrl-C stops everything" in "".join(output), "".join(output)[-3000:]
        assert not any(port_is_free(port) for port in ports), "every server listens before Ctrl-C"
        started = children_of(supervisor.pid)
        assert len(started) >= len(PORTS)

        os.killpg(supervisor.pid, signal.SIGINT)
        assert supervisor.wait(timeout=60) == 0, "".join(output)[-3000:] + supervisor.stdout.read()[-3000:]
        time.sleep(0.5)
        left = [pid for pid in started if is_running(pid)]
        assert left == [], f"processes left after Ctrl-C: {left}"
        assert [port for port in ports if not port_is_free(port)] == []
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait(timeout=30)

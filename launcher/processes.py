"""Start, watch and stop the assistant's server processes.

Used by ``make run`` (``launcher.run``) and by the integration tests, so both start the servers the
same way: each process logs to its own file, is ready when its health URL answers, and a process
that dies at start is reported in one line with the last line of its log.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Logs, databases and keys hold masked conversations and secrets: owner-only from the first byte.
PRIVATE_FILE_MODE = 0o600
PRIVATE_UMASK = 0o077


class StartupError(RuntimeError):
    """A process could not be started or did not become healthy; the message is one line."""


@dataclass
class ProcessSpec:
    """How to run one server and how to know it is ready."""

    name: str
    command: list[str]
    port: int
    health_url: str
    log_file: Path
    env: dict[str, str] = field(default_factory=dict)
    start_timeout: float = 60.0
    cwd: Path | None = None


@dataclass
class RunningProcess:
    spec: ProcessSpec
    popen: subprocess.Popen

    def alive(self) -> bool:
        return self.popen.poll() is None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (for tests)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def last_log_line(path: Path) -> str:
    """The last non-empty line of a log, to explain a failed start."""
    try:
        text = _ANSI_ESCAPE.sub("", path.read_text(encoding="utf-8", errors="replace"))
        lines = [line.strip() for line in text.splitlines()]
    except OSError:
        return ""
    meaningful = [line for line in lines if line]
    return meaningful[-1][:300] if meaningful else ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def open_private_log(path: Path, *, append: bool = False) -> BinaryIO:
    """A log file readable by its owner only: created so, or narrowed when an older run left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    log = os.fdopen(os.open(path, flags, PRIVATE_FILE_MODE), "ab" if append else "wb")
    os.chmod(path, PRIVATE_FILE_MODE)
    return log


def launch(spec: ProcessSpec) -> RunningProcess:
    """Start one process without waiting for it (see :func:`wait_ready`)."""
    if port_in_use(spec.port):
        raise StartupError(f"{spec.name}: port {spec.port} is already in use")
    # Logs and whatever the process creates (databases, key files) are readable by their owner only.
    log = open_private_log(spec.log_file, append=True)
    popen = subprocess.Popen(
        spec.command,
        cwd=spec.cwd,
        env={**os.environ, **spec.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: Ctrl-C is handled by us, once
        umask=PRIVATE_UMASK,
    )
    log.close()
    return RunningProcess(spec, popen)


def wait_ready(processes: Iterable[RunningProcess]) -> None:
    """Wait until every health URL answers; on a death or timeout stop them all and raise."""
    pending = list(processes)
    deadline = {id(process): time.monotonic() + process.spec.start_timeout for process in pending}
    while pending:
        for running in list(pending):
            spec = running.spec
            if not running.alive():
                stop(pending)
                detail = last_log_line(spec.log_file)
                code = running.popen.returncode
                raise StartupError(f"{spec.name} exited at start (code {code}): {detail} [{spec.log_file}]")
            if _healthy(spec.health_url):
                pending.remove(running)
            elif time.monotonic() > deadline[id(running)]:
                stop(pending)
                limit = f"{spec.start_timeout:.0f}s"
                raise StartupError(f"{spec.name} did not become ready within {limit} [{spec.log_file}]")
        if pending:
            time.sleep(0.25)


def start(spec: ProcessSpec) -> RunningProcess:
    """Start one process and wait until its health URL answers."""
    running = launch(spec)
    wait_ready([running])
    return running


def start_together(specs: Iterable[ProcessSpec]) -> list[RunningProcess]:
    """Start several independent processes at once (N Rasa servers load their models in parallel)."""
    started: list[RunningProcess] = []
    try:
        for spec in specs:
            started.append(launch(spec))
        wait_ready(started)
    except BaseException:
        stop(started)
        raise
    return started


def start_all(specs: Iterable[ProcessSpec]) -> list[RunningProcess]:
    """Start in order; on any failure stop what was started and re-raise."""
    started: list[RunningProcess] = []
    try:
        for spec in specs:
            started.append(start(spec))
    except BaseException:
        stop(started)
        raise
    return started


def stop(processes: Iterable[RunningProcess], grace: float = 10.0) -> None:
    """SIGTERM every process group, then SIGKILL what is still alive after ``grace`` seconds."""
    processes = list(processes)
    for process in reversed(processes):
        if process.alive():
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.popen.wait()


def _signal_group(process: RunningProcess, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.popen.pid, sig)


def first_dead(processes: Iterable[RunningProcess]) -> RunningProcess | None:
    return next((process for process in processes if not process.alive()), None)

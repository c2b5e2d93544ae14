"""The supervisor behind `make run`: a process that cannot start is reported in one line, fast."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from launcher.processes import ProcessSpec, StartupError, free_port, port_in_use, start, start_all, stop


def python_spec(tmp_path: Path, name: str, code: str, port: int, timeout: float = 10.0) -> ProcessSpec:
    return ProcessSpec(
        name=name,
        command=[sys.executable, "-c", code],
        port=port,
        health_url=f"http://127.0.0.1:{port}/",
        log_file=tmp_path / f"{name}.log",
        start_timeout=timeout,
    )


SERVE = (
    "import http.server; "
    "http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler).serve_forever()"
)


def test_port_in_use_is_reported_before_starting(tmp_path: Path) -> None:
    """A taken port gives one line naming the process and the port, without starting anything."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(StartupError) as error:
            start(python_spec(tmp_path, "portal", SERVE.format(port=port), port))
    assert str(error.value) == f"portal: port {port} is already in use"


def test_process_dying_at_start_reports_its_last_log_line(tmp_path: Path) -> None:
    """A crash at start is explained by the last line of its log, not by a hang."""
    code = "import sys; print('loading model'); print('\\x1b[91merror: no model found in models/\\x1b[0m'); sys.exit(3)"
    started = time.monotonic()
    with pytest.raises(StartupError) as error:
        start(python_spec(tmp_path, "rasa", code, free_port()))
    assert time.monotonic() - started < 5
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("rasa exited at start (code 3): error: no model found in models/")


def test_never_ready_times_out(tmp_path: Path) -> None:
    """A process that runs but never answers its health URL is stopped after its timeout."""
    with pytest.raises(StartupError, match="did not become ready within 1s"):
        start(python_spec(tmp_path, "slow", "import time; time.sleep(60)", free_port(), timeout=1.0))


def test_failed_start_stops_what_was_started(tmp_path: Path) -> None:
    """When a later process fails, the earlier ones are stopped too (no orphans)."""
    port = free_port()
    first = python_spec(tmp_path, "first", SERVE.format(port=port), port)
    broken = python_spec(tmp_path, "broken", "import sys; sys.exit(1)", free_port())
    with pytest.raises(StartupError):
        start_all([first, broken])
    assert not port_in_use(port)  # the first server was stopped and released its port


def test_healthy_process_starts_and_stops(tmp_path: Path) -> None:
    """The happy path: ready when the health URL answers; stop() ends it."""
    port = free_port()
    running = start(python_spec(tmp_path, "web", SERVE.format(port=port), port))
    assert running.alive()
    stop([running])
    assert not running.alive()


def test_ctrl_c_right_after_the_banner_stops_the_servers(tmp_path: Path) -> None:
    """A Ctrl-C that arrives as soon as "Ctrl-C stops everything" is printed is the supervisor's
    orderly stop (exit 0, servers stopped), not an interrupt of the supervisor itself."""
    import os
    import signal

    from launcher.run import watch

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    port = free_port()
    process = start(python_spec(tmp_path, "web", SERVE.format(port=port), port))
    try:
        code = watch([process], announce=lambda: os.kill(os.getpid(), signal.SIGINT))
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert code == 0
    assert not process.alive()

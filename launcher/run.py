"""``make run``: the whole assistant on embedded defaults, stopped together with Ctrl-C.

Starts the portal service (SQLite, catalog imported and dossiers seeded on first run), the staff
console, the action server, the Rasa server (REST and socket.io channels, HTTP API with a token,
conversations masked in SQLite) and the web page, prints their URLs and watches them: if one dies,
everything stops and the exit code is non-zero. Ports are checked before anything starts, so a
port in use fails in a second with the process and port named.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.train import train as train_model
from launcher.local_secrets import load_local_secrets
from launcher.processes import (
    PRIVATE_UMASK,
    RunningProcess,
    StartupError,
    first_dead,
    last_log_line,
    port_in_use,
    start_all,
    stop,
)
from launcher.settings import get_settings
from launcher.stack import REPO_ROOT, StackLayout, assistant_specs, run_init_steps

SHARED_SECRETS = ("PORTAL_SERVICE_TOKEN", "CHANNEL_PAYLOAD_KEY", "CONSOLE_SERVICE_TOKEN")


def check_ports(layout: StackLayout) -> None:
    """Fail before any work when a process's port is taken (one line: process and port)."""
    for spec in assistant_specs(layout):
        if port_in_use(spec.port, layout.host):
            raise StartupError(f"{spec.name}: port {spec.port} on {layout.host} is already in use")


def build_layout(model: Path) -> StackLayout:
    settings = get_settings()
    secrets = load_local_secrets(REPO_ROOT / "var" / "secrets.env")
    return StackLayout(
        model=model,
        log_dir=REPO_ROOT / settings.log_dir,
        rasa_token=secrets["RASA_AUTH_TOKEN"],
        portal_port=settings.portal_port,
        actions_port=settings.actions_port,
        rasa_port=settings.rasa_port,
        web_port=settings.web_port,
        console_port=settings.console_port,
        tracker_db=(REPO_ROOT / settings.tracker_db).resolve(),
        host=settings.host,
        rasa_public_url=settings.rasa_public_url,
        env={name: secrets[name] for name in SHARED_SECRETS},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=REPO_ROOT / "models")
    args = parser.parse_args()
    os.umask(PRIVATE_UMASK)  # databases, logs and keys created from here on: owner-only
    try:
        check_ports(build_layout(args.models_dir / "unused.tar.gz"))
        print("• Checking the model (trains only when data or config changed)…", flush=True)
        layout = build_layout(train_model(args.models_dir))
        layout.tracker_db.parent.mkdir(parents=True, exist_ok=True)
        print("• Preparing the portal and console databases (the first run imports the catalog)…", flush=True)
        run_init_steps(layout)
        specs = assistant_specs(layout)
        print("• Starting " + ", ".join(f"{spec.name} (:{spec.port})" for spec in specs) + "…", flush=True)
        processes = start_all(specs)
    except StartupError as error:  # a failed training or a bad setting exits with its own line (SystemExit)
        print(f"error: {error}", file=sys.stderr)
        return 1
    return watch(processes, announce=lambda: print_banner(layout, processes))


def print_banner(layout: StackLayout, processes: list[RunningProcess]) -> None:
    print("\nThe assistant is running:")
    for process in processes:
        base_url = process.spec.health_url.rsplit("/", 1)[0]
        print(f"  {process.spec.name:8} {base_url:28} log: {process.spec.log_file}")
    if layout.web_port is not None:
        print(f"\nOpen {layout.url(layout.web_port)}/ and ask: «Làm căn cước cần giấy tờ gì?»")
    if layout.console_port is not None:
        print(
            f"Staff console: {layout.console_url}/ (first admin: `make admin USERNAME=<name>`, "
            "i.e. python -m console create-admin --username <name>)"
        )
    print(f"Conversations (masked): {layout.tracker_db}")
    print("Rasa HTTP API token: RASA_AUTH_TOKEN (environment or var/secrets.env). Ctrl-C stops everything.", flush=True)


def watch(processes: list[RunningProcess], announce: Callable[[], None] = lambda: None) -> int:
    """Block until Ctrl-C/SIGTERM (exit 0) or until a process dies (exit 1).

    ``announce`` (the banner that says "Ctrl-C stops everything") runs once Ctrl-C is handled: a
    Ctrl-C right after that line used to interrupt the supervisor itself, which then exited without
    stopping the servers (tests/integration/test_make_run_stop.py, one CI run).
    """
    stopping = {"requested": False}

    def request_stop(_signum: int, _frame: object) -> None:
        stopping["requested"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    announce()
    code = 0
    while not stopping["requested"]:
        dead = first_dead(processes)
        if dead is not None:
            print(
                f"error: {dead.spec.name} stopped (code {dead.popen.returncode}): "
                f"{last_log_line(dead.spec.log_file)} [{dead.spec.log_file}]",
                file=sys.stderr,
            )
            code = 1
            break
        time.sleep(0.5)
    print("Stopping…", flush=True)
    stop(processes)
    return code

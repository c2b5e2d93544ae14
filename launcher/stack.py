"""The assistant's processes and how they are wired together, for ``make run`` and the tests.

portal service <- staff console <- action server <- Rasa server <- web page (browser); the console
also drives Rasa's HTTP API and reads the conversations Rasa writes to SQLite. Every process gets
the same environment (secrets, URLs of the others), so one :class:`StackLayout` describes a whole
stack.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from launcher.processes import PRIVATE_UMASK, ProcessSpec, StartupError, free_port, last_log_line, open_private_log

PYTHON = sys.executable
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class StackLayout:
    """Ports, model, logs and shared environment of one running assistant."""

    model: Path
    log_dir: Path
    rasa_token: str
    portal_port: int
    actions_port: int
    rasa_port: int
    web_port: int | None = None  # None: no web page (API-only tests)
    console_port: int | None = None  # None: no staff console
    # Rasa's conversations (SQLite, masked); endpoints.yml reads it as ${TRACKER_DB_PATH}.
    tracker_db: Path = REPO_ROOT / "var" / "tracker.db"
    # deploy/endpoints.production.yml for PostgreSQL, Redis and RabbitMQ (relative to the repository).
    endpoints_file: str = "endpoints.yml"
    host: str = "127.0.0.1"
    rasa_public_url: str = ""
    # SQLAlchemy URL of the conversations when they are not in ``tracker_db`` (cluster: PostgreSQL).
    tracker_url: str = ""
    # Shared secrets and per-stack settings (PORTAL_SERVICE_TOKEN, CONSOLE_SERVICE_TOKEN, ...).
    env: dict[str, str] = field(default_factory=dict)

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    @property
    def portal_url(self) -> str:
        return self.url(self.portal_port)

    @property
    def rasa_url(self) -> str:
        return self.url(self.rasa_port)

    @property
    def console_url(self) -> str:
        return self.url(self.console_port) if self.console_port is not None else ""

    @property
    def tracker_db_url(self) -> str:
        """SQLAlchemy URL of Rasa's conversations, for the console's review and analytics."""
        return self.tracker_url or f"sqlite:///{self.tracker_db}"

    def process_env(self) -> dict[str, str]:
        """What every process needs to find the others."""
        env = {
            **self.env,
            "PORTAL_HOST": self.host,
            "PORTAL_PORT": str(self.portal_port),
            "PORTAL_URL": self.portal_url,
            "ACTION_SERVER_URL": f"{self.url(self.actions_port)}/webhook",
            # Always set: Rasa refuses an endpoints.yml whose ${VAR} is unset.
            "TRACKER_DB_PATH": str(self.tracker_db),
            # Beside the conversations: what the console could not take yet (actions/outbox.py).
            "ACTIONS_OUTBOX_URL": self.env.get(
                "ACTIONS_OUTBOX_URL", f"sqlite:///{self.tracker_db.parent / 'actions_outbox.db'}"
            ),
            "PYTHONUNBUFFERED": "1",
        }
        if self.console_port is not None:
            env["CONSOLE_URL"] = self.console_url
        return env

    def console_env(self) -> dict[str, str]:
        """The console's own settings on top of :meth:`process_env`."""
        return {
            **self.process_env(),
            "CONSOLE_HOST": self.host,
            "CONSOLE_PORT": str(self.console_port),
            "CONSOLE_RASA_URL": self.rasa_url,
            "RASA_AUTH_TOKEN": self.rasa_token,
            "CONSOLE_TRACKER_DB_URL": self.tracker_db_url,
        }


def portal_init_command() -> list[str]:
    """Schema, catalog import and dossier seeding; idempotent."""
    return [PYTHON, "-m", "portal", "init"]


def console_init_command() -> list[str]:
    """The console's schema, and its FAQs imported from the Rasa data when it has none; idempotent."""
    return [PYTHON, "-m", "console", "init"]


def init_steps(layout: StackLayout) -> list[tuple[str, list[str], dict[str, str]]]:
    """One-shot preparation before the servers start: (name, command, environment)."""
    steps = [("portal-init", portal_init_command(), layout.process_env())]
    if layout.console_port is not None:
        steps.append(("console-init", console_init_command(), layout.console_env()))
    return steps


def run_init_steps(layout: StackLayout) -> None:
    """Portal (schema, catalog, dossiers) and console (schema, FAQs): idempotent, fast when done.

    Each step logs to ``<log_dir>/<name>.log``; what it creates is readable by its owner only."""
    for name, command, env in init_steps(layout):
        log = layout.log_dir / f"{name}.log"
        with open_private_log(log) as out:
            result = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
                check=False,
                umask=PRIVATE_UMASK,
            )
        if result.returncode != 0:
            raise StartupError(f"{name} failed: {last_log_line(log)} [{log}]")


def local_layout(
    model: Path, workdir: Path, rasa_token: str, env: dict[str, str], *, web: bool = False, **fields: object
) -> StackLayout:
    """The embedded stack on free loopback ports, logs and conversations under ``workdir``
    (benchmarks, the answer evaluation, tests); ``fields`` override any other layout field."""
    values: dict[str, object] = {
        "model": model,
        "log_dir": workdir / "log",
        "rasa_token": rasa_token,
        "portal_port": free_port(),
        "actions_port": free_port(),
        "rasa_port": free_port(),
        "web_port": free_port() if web else None,
        "console_port": free_port(),
        "tracker_db": workdir / "tracker.db",
        "env": env,
    }
    return StackLayout(**{**values, **fields})


def assistant_specs(layout: StackLayout) -> list[ProcessSpec]:
    """The servers in start order (each one's dependencies come before it)."""
    env = layout.process_env()
    specs = [
        ProcessSpec(
            name="portal",
            command=[PYTHON, "-m", "portal", "serve"],
            port=layout.portal_port,
            health_url=f"{layout.portal_url}/health",
            log_file=layout.log_dir / "portal.log",
            env=env,
            cwd=REPO_ROOT,
        ),
    ]
    if layout.console_port is not None:
        specs.append(
            ProcessSpec(
                name="console",
                command=[PYTHON, "-m", "console", "serve", "--host", layout.host, "--port", str(layout.console_port)],
                port=layout.console_port,
                health_url=f"{layout.console_url}/health",
                log_file=layout.log_dir / "console.log",
                env=layout.console_env(),
                cwd=REPO_ROOT,
            )
        )
    specs += [actions_spec(layout), rasa_spec(layout)]
    if layout.web_port is not None:
        specs.append(
            ProcessSpec(
                name="web",
                command=[PYTHON, "-m", "web.server", "--host", layout.host, "--port", str(layout.web_port)],
                port=layout.web_port,
                health_url=f"{layout.url(layout.web_port)}/health",
                log_file=layout.log_dir / "web.log",
                env={
                    **env,
                    "RASA_PUBLIC_URL": layout.rasa_public_url or layout.rasa_url,
                    # The staff-reply relay reads conversations server side; the token never
                    # reaches the browser.
                    "RASA_INTERNAL_URL": layout.rasa_url,
                    "RASA_AUTH_TOKEN": layout.rasa_token,
                },
                cwd=REPO_ROOT,
            )
        )
    return specs


def actions_spec(layout: StackLayout, port: int | None = None, name: str = "actions") -> ProcessSpec:
    """An action server (``port``: the layout's by default; the cluster runs several)."""
    port = layout.actions_port if port is None else port
    return ProcessSpec(
        name=name,
        command=[PYTHON, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        port=port,
        health_url=f"{layout.url(port)}/health",
        log_file=layout.log_dir / f"{name}.log",
        env={**layout.process_env(), "SANIC_HOST": layout.host},  # rasa_sdk reads its interface from here
        cwd=REPO_ROOT,
    )


def rasa_spec(layout: StackLayout, port: int | None = None, name: str = "rasa") -> ProcessSpec:
    """A Rasa server (``port``: the layout's by default; the cluster runs several)."""
    port = layout.rasa_port if port is None else port
    return ProcessSpec(
        name=name,
        command=rasa_command(layout, port),
        port=port,
        # Rasa opens its port only once the model is loaded, so "/" answering means ready.
        health_url=f"{layout.url(port)}/",
        log_file=layout.log_dir / f"{name}.log",
        env={**layout.process_env(), "RASA_AUTH_TOKEN": layout.rasa_token},
        cwd=REPO_ROOT,
        start_timeout=240.0,
    )


def rasa_command(layout: StackLayout, port: int | None = None) -> list[str]:
    """``rasa run`` with the HTTP API behind a token (``RASA_AUTH_TOKEN`` in its environment, never on
    the command line: bot/rasa_server.py) and CORS open for the web page."""
    return [
        PYTHON, "-m", "bot.rasa_server", "run",
        "--model", str(layout.model),
        "--interface", layout.host, "--port", str(layout.rasa_port if port is None else port),
        "--enable-api",
        "--cors", "*",
        "--credentials", "credentials.yml", "--endpoints", layout.endpoints_file,
    ]  # fmt: skip


def rasa_api_spec(
    model: Path,
    port: int,
    token: str,
    log_file: Path,
    *,
    endpoints: Path | None = None,
    credentials: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path = REPO_ROOT,
    start_timeout: float = 240.0,
) -> ProcessSpec:
    """A lone ``rasa run --enable-api`` on 127.0.0.1:``port`` behind ``token`` (benchmarks, tests);
    without ``endpoints``/``credentials`` Rasa reads the files of ``cwd``."""
    command = [
        PYTHON, "-m", "bot.rasa_server", "run", "--model", str(model), "--enable-api",
        "--interface", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    if endpoints is not None:
        command += ["--endpoints", str(endpoints)]
    if credentials is not None:
        command += ["--credentials", str(credentials)]
    return ProcessSpec(
        name="rasa",
        command=command,
        port=port,
        # Rasa opens its port only once the model is loaded, so "/" answering means ready.
        health_url=f"http://127.0.0.1:{port}/",
        log_file=log_file,
        env={**(env or {}), "RASA_AUTH_TOKEN": token},
        cwd=cwd,
        start_timeout=start_timeout,
    )

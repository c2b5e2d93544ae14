"""Settings of ``make run``: where each server of the assistant listens and where it logs.

Read from the environment only (the same variables each service reads for itself, so a service
started alone and one started by ``make run`` agree), never from the services' own settings
modules: the launcher starts the services, it does not import them. A bad value stops ``make run``
at start with one line (:mod:`common.env`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.env import env_port, env_str

# Ports the services default to when started alone (portal/settings.py, console/settings.py).
DEFAULT_PORTAL_PORT = 8100
DEFAULT_CONSOLE_PORT = 8200


@dataclass(frozen=True)
class LauncherSettings:
    """Interface, ports and files of one ``make run``."""

    host: str = field(default_factory=lambda: env_str("RASA_HOST", "127.0.0.1"))
    rasa_port: int = field(default_factory=lambda: env_port("RASA_PORT", 5005))
    # The Rasa URL the citizen's browser uses, when it is not http://host:rasa_port (a proxy).
    rasa_public_url: str = field(default_factory=lambda: env_str("RASA_PUBLIC_URL", ""))
    actions_port: int = field(default_factory=lambda: env_port("ACTIONS_PORT", 5055))
    web_port: int = field(default_factory=lambda: env_port("WEB_PORT", 8080))
    portal_port: int = field(default_factory=lambda: env_port("PORTAL_PORT", DEFAULT_PORTAL_PORT))
    console_port: int = field(default_factory=lambda: env_port("CONSOLE_PORT", DEFAULT_CONSOLE_PORT))
    # Relative paths are under the repository.
    log_dir: Path = field(default_factory=lambda: Path(env_str("LOG_DIR", "var/log")))
    tracker_db: Path = field(default_factory=lambda: Path(env_str("TRACKER_DB_PATH", "var/tracker.db")))


def get_settings() -> LauncherSettings:
    """Fresh settings from the current environment."""
    return LauncherSettings()

"""Settings of the assistant's processes (Rasa server, action server, run supervisor).

Read from the environment with documented defaults (see README, "Configuration"); the portal
service has its own ``portal.settings`` because a province may run it separately.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class AssistantSettings:
    """Where the assistant's processes listen and how they reach the portal."""

    portal_url: str = field(default_factory=lambda: _env("PORTAL_URL", "http://127.0.0.1:8100"))
    portal_token: str = field(default_factory=lambda: _env("PORTAL_SERVICE_TOKEN", ""))
    # Outbound calls to the portal: connect/read timeouts in seconds; the citizen must get a
    # reply within 5 s, so one try plus one retry must fit.
    portal_connect_timeout: float = field(default_factory=lambda: float(_env("PORTAL_CONNECT_TIMEOUT", "1.0")))
    portal_read_timeout: float = field(default_factory=lambda: float(_env("PORTAL_READ_TIMEOUT", "2.0")))
    # After this many consecutive failures the client fails fast for ``portal_cooldown`` seconds.
    portal_failure_threshold: int = field(default_factory=lambda: int(_env("PORTAL_FAILURE_THRESHOLD", "3")))
    portal_cooldown: float = field(default_factory=lambda: float(_env("PORTAL_COOLDOWN_SECONDS", "30")))
    # Wall-clock budget of all outbound calls of one action (retry included): Rasa adds its own
    # NLU and transport time, and the citizen must have a reply within 5 s.
    reply_budget: float = field(default_factory=lambda: float(_env("ACTION_REPLY_BUDGET_SECONDS", "3.5")))
    # Staff console (FAQ answers, handoffs, complaints): its internal API behind a bearer token.
    console_url: str = field(default_factory=lambda: _env("CONSOLE_URL", "http://127.0.0.1:8200"))
    console_token: str = field(default_factory=lambda: _env("CONSOLE_SERVICE_TOKEN", ""))
    console_timeout: float = field(default_factory=lambda: float(_env("CONSOLE_TIMEOUT_SECONDS", "1.5")))
    console_failure_threshold: int = field(default_factory=lambda: int(_env("CONSOLE_FAILURE_THRESHOLD", "3")))
    console_cooldown: float = field(default_factory=lambda: float(_env("CONSOLE_COOLDOWN_SECONDS", "30")))
    # Complaints and handoff requests the console could not take wait here and are retried (actions/outbox.py).
    outbox_url: str = field(
        default_factory=lambda: _env("ACTIONS_OUTBOX_URL", f"sqlite:///{REPO_ROOT / 'var' / 'actions_outbox.db'}")
    )
    outbox_retry_seconds: float = field(default_factory=lambda: float(_env("ACTIONS_OUTBOX_RETRY_SECONDS", "15")))
    # Published FAQ answers are cached this long, so an edit reaches citizens within a minute.
    faq_cache_seconds: float = field(default_factory=lambda: float(_env("FAQ_CACHE_SECONDS", "20")))
    rasa_host: str = field(default_factory=lambda: _env("RASA_HOST", "127.0.0.1"))
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    rasa_public_url: str = field(default_factory=lambda: _env("RASA_PUBLIC_URL", ""))
    actions_port: int = field(default_factory=lambda: int(_env("ACTIONS_PORT", "5055")))
    web_port: int = field(default_factory=lambda: int(_env("WEB_PORT", "8080")))
    log_dir: str = field(default_factory=lambda: _env("LOG_DIR", "var/log"))


def get_settings() -> AssistantSettings:
    """Fresh settings from the current environment."""
    return AssistantSettings()

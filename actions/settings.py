"""Settings of the action server: how it reaches the portal and the console, and its time budgets.

Read from the environment with documented defaults (see README, "Configuration") through
:mod:`common.env`, so a bad value stops the action server at start with one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.env import env_float, env_int, env_str

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class AssistantSettings:
    """Where the action server finds the portal and the console, and how long it may wait for them."""

    portal_url: str = field(default_factory=lambda: env_str("PORTAL_URL", "http://127.0.0.1:8100"))
    portal_token: str = field(default_factory=lambda: env_str("PORTAL_SERVICE_TOKEN", ""))
    # Outbound calls to the portal: connect/read timeouts in seconds; the citizen must get a
    # reply within 5 s, so one try plus one retry must fit.
    portal_connect_timeout: float = field(default_factory=lambda: env_float("PORTAL_CONNECT_TIMEOUT", 1.0))
    portal_read_timeout: float = field(default_factory=lambda: env_float("PORTAL_READ_TIMEOUT", 2.0))
    # After this many consecutive failures the client fails fast for ``portal_cooldown`` seconds.
    portal_failure_threshold: int = field(default_factory=lambda: env_int("PORTAL_FAILURE_THRESHOLD", 3, minimum=1))
    portal_cooldown: float = field(default_factory=lambda: env_float("PORTAL_COOLDOWN_SECONDS", 30.0))
    # Wall-clock budget of all outbound calls of one action (retry included): Rasa adds its own
    # NLU and transport time, and the citizen must have a reply within 5 s.
    reply_budget: float = field(default_factory=lambda: env_float("ACTION_REPLY_BUDGET_SECONDS", 3.5))
    # Staff console (FAQ answers, handoffs, complaints): its internal API behind a bearer token.
    console_url: str = field(default_factory=lambda: env_str("CONSOLE_URL", "http://127.0.0.1:8200"))
    console_token: str = field(default_factory=lambda: env_str("CONSOLE_SERVICE_TOKEN", ""))
    console_timeout: float = field(default_factory=lambda: env_float("CONSOLE_TIMEOUT_SECONDS", 1.5))
    console_failure_threshold: int = field(default_factory=lambda: env_int("CONSOLE_FAILURE_THRESHOLD", 3, minimum=1))
    console_cooldown: float = field(default_factory=lambda: env_float("CONSOLE_COOLDOWN_SECONDS", 30.0))
    # Complaints and handoff requests the console could not take wait here and are retried (actions/outbox.py).
    outbox_url: str = field(
        default_factory=lambda: env_str("ACTIONS_OUTBOX_URL", f"sqlite:///{REPO_ROOT / 'var' / 'actions_outbox.db'}")
    )
    outbox_retry_seconds: float = field(default_factory=lambda: env_float("ACTIONS_OUTBOX_RETRY_SECONDS", 15.0))
    # Published FAQ answers are cached this long, so an edit reaches citizens within a minute.
    faq_cache_seconds: float = field(default_factory=lambda: env_float("FAQ_CACHE_SECONDS", 20.0))


def get_settings() -> AssistantSettings:
    """Fresh settings from the current environment."""
    return AssistantSettings()

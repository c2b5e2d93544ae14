"""What a production deployment must not start with, checked by every service at start.

``DEPLOY_ENV=production`` (deploy/.env.example) turns the checks on; the embedded defaults of
``make run`` and the tests run as ``development``, where generated or test secrets are fine. A
service that finds a problem exits with one line naming every problem, before serving anything:
an operator reads it in the pod's or unit's log and fixes the setting, and a citizen never talks
to a deployment whose tokens are guessable or whose internal APIs are open.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from common.env import env_str

DEPLOY_ENV = "DEPLOY_ENV"
MIN_SECRET_LENGTH = 24
# Values found in examples and tutorials; a secret containing one of them was never generated.
PLACEHOLDER_WORDS = ("change-me", "changeme", "change_me", "replace-me", "example", "placeholder", "secret", "password")


def is_production(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``DEPLOY_ENV`` says production (the checks below then refuse an unsafe start)."""
    return env_str(DEPLOY_ENV, "development", environ).strip().lower() == "production"


def secret_problem(name: str, value: str) -> str | None:
    """Why ``value`` is not a production secret, or None."""
    if not value:
        return f"{name} is not set"
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS):
        return f"{name} is a placeholder"
    if len(value) < MIN_SECRET_LENGTH:
        return f"{name} is shorter than {MIN_SECRET_LENGTH} characters"
    return None


def database_url_problem(name: str, url: str) -> str | None:
    """A production database URL: not SQLite, and its password (if any) not a placeholder."""
    if url.startswith("sqlite"):
        return f"{name} points to SQLite (use PostgreSQL in production)"
    password = urlsplit(url).password or ""
    if password and any(word in password.lower() for word in PLACEHOLDER_WORDS):
        return f"{name} has a placeholder password"
    return None


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def interface_of(argv: Iterable[str]) -> str:
    """The ``--interface``/``-i`` of a ``rasa run`` argument list (Rasa's default: all interfaces)."""
    args = list(argv)
    for index, arg in enumerate(args):
        if arg in ("--interface", "-i") and index + 1 < len(args):
            return args[index + 1]
        match = re.fullmatch(r"--interface=(.+)", arg)
        if match:
            return match.group(1)
    return "0.0.0.0"


def refuse_unsafe_start(service: str, problems: Iterable[str | None], environ: Mapping[str, str] | None = None) -> None:
    """Exit with one line when running in production with any problem (None entries are fine)."""
    found = [problem for problem in problems if problem]
    if found and is_production(environ):
        raise SystemExit(f"error: {service} refuses to start in production: " + "; ".join(found))

"""Secrets for a local run: taken from the environment, else from an untracked file.

On a developer's machine nothing has to be configured: missing secrets are generated once into
``var/secrets.env`` (git-ignored, mode 600) and reused on later runs. Production sets them in the
environment, which always wins.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Shared between processes, so generated here. The portal's PII key is the portal's own
# (``python -m portal init`` creates var/pii.key on a development machine).
LOCAL_SECRET_NAMES = ("PORTAL_SERVICE_TOKEN", "RASA_AUTH_TOKEN", "CHANNEL_PAYLOAD_KEY", "CONSOLE_SERVICE_TOKEN")


def _read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        if sep and not name.lstrip().startswith("#"):
            values[name.strip()] = value.strip()
    return values


def load_local_secrets(path: Path, names: tuple[str, ...] = LOCAL_SECRET_NAMES) -> dict[str, str]:
    """Return a value for every name: environment first, then the file; generate what is missing."""
    stored = _read_env_file(path)
    missing = [name for name in names if not os.environ.get(name) and not stored.get(name)]
    if missing:
        for name in missing:
            stored[name] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created owner-only (never readable by others, even for an instant), then written.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # an older file keeps its mode on O_CREAT: force it
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("".join(f"{key}={value}\n" for key, value in stored.items()))
    return {name: os.environ.get(name) or stored[name] for name in names}

"""Portal service configuration, read once from the environment.

Every variable has a documented default that runs the embedded setup (SQLite under ``var/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class PortalSettings:
    """Settings of the portal service (``PORTAL_*`` variables)."""

    database_url: str = field(
        default_factory=lambda: _env("PORTAL_DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'portal.db'}")
    )
    catalog_path: Path = field(
        default_factory=lambda: Path(
            _env("PORTAL_CATALOG_PATH", str(REPO_ROOT.parent / "shared" / "data" / "tthc_catalog_2026.jsonl.gz"))
        )
    )
    # Date the catalog snapshot was taken from the national portal; shown to citizens with answers.
    catalog_data_date: str = field(default_factory=lambda: _env("PORTAL_CATALOG_DATA_DATE", "2026-06-30"))
    # Bearer token the action server and the staff console present; empty disables the API.
    service_token: str = field(default_factory=lambda: _env("PORTAL_SERVICE_TOKEN", ""))
    # Key for the keyed hash of owners' ID numbers and phone digits (never stored in clear).
    pii_key: str = field(default_factory=lambda: _env("PORTAL_PII_KEY", ""))
    dossier_count: int = field(default_factory=lambda: int(_env("PORTAL_DOSSIER_COUNT", "5000")))
    lookup_max_failures: int = field(default_factory=lambda: int(_env("PORTAL_LOOKUP_MAX_FAILURES", "5")))
    lookup_window_seconds: int = field(default_factory=lambda: int(_env("PORTAL_LOOKUP_WINDOW_SECONDS", "900")))
    host: str = field(default_factory=lambda: _env("PORTAL_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORTAL_PORT", "8100")))


def get_settings() -> PortalSettings:
    """Fresh settings from the current environment (cheap; tests change the environment)."""
    return PortalSettings()

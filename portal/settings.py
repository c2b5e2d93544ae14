"""Portal service configuration, read once from the environment.

Every variable has a documented default that runs the embedded setup (SQLite under ``var/``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.env import env_bool, env_float, env_int, env_port, env_str
from common.production import is_production

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PortalSettings:
    """Settings of the portal service (``PORTAL_*`` variables)."""

    database_url: str = field(
        default_factory=lambda: env_str("PORTAL_DATABASE_URL", f"sqlite:///{REPO_ROOT / 'var' / 'portal.db'}")
    )
    catalog_path: Path = field(
        default_factory=lambda: Path(
            env_str("PORTAL_CATALOG_PATH", str(REPO_ROOT.parent / "shared" / "data" / "tthc_catalog_2026.jsonl.gz"))
        )
    )
    # Date the catalog snapshot was taken from the national portal; shown to citizens with answers.
    catalog_data_date: str = field(default_factory=lambda: env_str("PORTAL_CATALOG_DATA_DATE", "2026-06-30"))
    # Bearer token the action server and the staff console present; empty disables the API.
    service_token: str = field(default_factory=lambda: env_str("PORTAL_SERVICE_TOKEN", ""))
    # Key for the keyed hash of owners' ID numbers and phone digits (never stored in clear).
    pii_key: str = field(default_factory=lambda: env_str("PORTAL_PII_KEY", ""))
    dossier_count: int = field(default_factory=lambda: env_int("PORTAL_DOSSIER_COUNT", 5000))
    lookup_max_failures: int = field(default_factory=lambda: env_int("PORTAL_LOOKUP_MAX_FAILURES", 5))
    lookup_window_seconds: int = field(default_factory=lambda: env_int("PORTAL_LOOKUP_WINDOW_SECONDS", 900))
    # Failed lookups of one dossier code with the 4-digit phone factor (from any client) per rolling
    # 24 hours; past it the code accepts only the 12-digit ID number. 3 a day is 90 of the 10,000
    # possible endings in 30 days: an attacker who knows a code has under 1% chance in a month.
    lookup_phone_failures_per_code_per_day: int = field(
        default_factory=lambda: env_int("PORTAL_LOOKUP_PHONE_FAILURES_PER_CODE_PER_DAY", 3)
    )
    # Every lookup answer takes at least this long, so timing does not tell which codes exist.
    lookup_min_seconds: float = field(default_factory=lambda: env_float("PORTAL_LOOKUP_MIN_SECONDS", 0.05))
    # Local key file used when PORTAL_PII_KEY is empty (development; created by ``python -m portal init``).
    pii_key_file: Path = field(
        default_factory=lambda: Path(env_str("PORTAL_PII_KEY_FILE", str(REPO_ROOT / "var" / "pii.key")))
    )
    dossier_seed: int = field(default_factory=lambda: env_int("PORTAL_DOSSIER_SEED", 20260630))
    # A few synthetic (code, ID, phone last 4) triples so developers can try lookups locally.
    demo_dossiers_path: Path = field(
        default_factory=lambda: Path(
            env_str("PORTAL_DEMO_DOSSIERS_PATH", str(REPO_ROOT / "var" / "demo_dossiers.json"))
        )
    )
    # /docs and /openapi.json: on for developers, off in production (where turning them on is refused).
    public_docs: bool = field(default_factory=lambda: env_bool("PORTAL_PUBLIC_DOCS", not is_production()))
    host: str = field(default_factory=lambda: env_str("PORTAL_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: env_port("PORTAL_PORT", 8100))


def get_settings() -> PortalSettings:
    """Fresh settings from the current environment (cheap; tests change the environment)."""
    return PortalSettings()

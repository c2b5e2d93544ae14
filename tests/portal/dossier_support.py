"""Helpers shared by the dossier and API tests (settings on a temporary SQLite, constants)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from portal.dossiers.generator import SyntheticOwner
from portal.settings import PortalSettings

TEST_PII_KEY = "test-pii-key-0123456789abcdef"
TEST_TOKEN = "test-service-token"
SEED_TODAY = date(2026, 11, 23)  # a Monday
SEED_NOW = datetime(2026, 11, 23, 10, 30)


def make_settings(tmp_path: Path, **overrides: object) -> PortalSettings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'portal.db'}",
        "pii_key": TEST_PII_KEY,
        "pii_key_file": tmp_path / "pii.key",
        "service_token": TEST_TOKEN,
        "lookup_min_seconds": 0.0,
        "lookup_max_failures": 5,
        "lookup_max_failures_per_code": 10,
        "lookup_window_seconds": 900,
        "demo_dossiers_path": tmp_path / "demo_dossiers.json",
        "dossier_count": 300,
    }
    values.update(overrides)
    return PortalSettings(**values)  # type: ignore[arg-type]


@dataclass
class SeededRegistry:
    settings: PortalSettings
    engine: Engine
    factory: sessionmaker
    owners: list[SyntheticOwner]
    db_path: Path

    def owner(self, status: int) -> SyntheticOwner:
        return next(o for o in self.owners if o.status == status)

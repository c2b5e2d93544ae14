"""Helpers shared by the dossier and API tests (settings on a temporary SQLite, constants)."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from portal.dossiers.generator import SyntheticOwner
from portal.dossiers.generator_data import PROCEDURES
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
        "lookup_phone_failures_per_code_per_day": 3,
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


COMMON_CODES = frozenset(spec.code for spec in PROCEDURES)  # the most-asked procedures


def write_small_catalog(path: Path, first: int = 60) -> Path:
    """Copy the common procedures and the first ``first`` records of the real catalog to ``path``."""
    settings = PortalSettings()
    kept = 0
    with (
        gzip.open(settings.catalog_path, "rt", encoding="utf-8") as source,
        gzip.open(path, "wt", encoding="utf-8") as out,
    ):
        for line in source:
            if not line.strip():
                continue
            code = json.loads(line).get("ma_thu_tuc")
            if kept < first or code in COMMON_CODES:
                out.write(line)
                kept += 1
    return path


REPO_ROOT_DIR = Path(__file__).resolve().parents[2]

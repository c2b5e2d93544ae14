"""A real portal service for console tests: a temporary database of real catalog records served by
uvicorn in a thread (the console talks to it over HTTP, as in production)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portal.api.app import create_app
from tests.live_server import serve_asgi
from tests.portal.brief_support import import_records, write_catalog
from tests.portal.dossier_support import make_settings


def live_portal(folder: Path, records: list[dict[str, Any]]) -> Iterator[str]:
    """Import ``records`` into a fresh portal under ``folder`` and serve it; yields the base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = make_settings(folder)
    import_records(settings.database_url, write_catalog(folder / "catalog.jsonl.gz", records))
    with serve_asgi(create_app(settings), "portal") as url:
        yield url

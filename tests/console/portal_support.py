"""A real portal service for console tests: a temporary database of real catalog records served by
uvicorn in a thread (the console talks to it over HTTP, as in production)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from launcher.processes import free_port
from portal.api.app import create_app
from tests.portal.brief_support import import_records, write_catalog
from tests.portal.dossier_support import make_settings


def live_portal(folder: Path, records: list[dict[str, Any]]) -> Iterator[str]:
    """Import ``records`` into a fresh portal under ``folder`` and serve it; yields the base URL."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = make_settings(folder)
    import_records(settings.database_url, write_catalog(folder / "catalog.jsonl.gz", records))
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "portal did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

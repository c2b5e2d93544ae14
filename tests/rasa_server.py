"""A real Rasa server for end-to-end tests: ``rasa run --enable-api`` on a trained model with our
masking SQL tracker store in a temporary SQLite file and the channels a test configures."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from launcher.processes import free_port, start, stop
from launcher.stack import rasa_api_spec


@contextlib.contextmanager
def rasa_with_sqlite_tracker(
    model: Path, work: Path, token: str, credentials: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, Path]]:
    """Serve ``model`` with the channels of ``credentials`` (credentials.yml text) and ``env``;
    yields the base URL and the tracker database (``work/tracker.db``)."""
    tracker_db = work / "tracker.db"
    (work / "endpoints.yml").write_text(
        "tracker_store:\n"
        "  type: bot.stores.masking_tracker_store.MaskingTrackerStore\n"
        "  wrapped:\n"
        "    type: sql\n"
        "    dialect: sqlite\n"
        f"    db: {tracker_db}\n",
        encoding="utf-8",
    )
    (work / "credentials.yml").write_text(credentials, encoding="utf-8")
    port = free_port()
    spec = rasa_api_spec(
        model,
        port,
        token,
        work / "rasa.log",
        endpoints=work / "endpoints.yml",
        credentials=work / "credentials.yml",
        env=env,
    )
    process = start(spec)
    try:
        yield f"http://127.0.0.1:{port}", tracker_db
    finally:
        stop([process])

"""``python -m bot.rasa_server`` (how every Rasa server of ours starts) refuses to run on a tracker
store it cannot load: Rasa 3.6 alone would warn and keep conversations in memory, losing them at the
next restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from launcher.processes import StartupError, free_port, start, stop
from launcher.stack import rasa_api_spec


def test_unloadable_tracker_store_stops_rasa_with_one_clear_line(tmp_path: Path) -> None:
    """An endpoints file naming a tracker store class that does not exist: Rasa exits at start and
    the last log line says which store and why, instead of serving with an in-memory store."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: bot.stores.no_such_module.NoSuchStore\n", encoding="utf-8")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\n", encoding="utf-8")
    model = tmp_path / "model.tar.gz"  # never read: the tracker store is built first
    model.write_bytes(b"")
    spec = rasa_api_spec(
        model, free_port(), "token", tmp_path / "rasa.log", endpoints=endpoints, credentials=credentials, cwd=tmp_path
    )
    spec.start_timeout = 120.0
    with pytest.raises(StartupError) as failed:
        stop([start(spec)])
    assert "tracker store 'bot.stores.no_such_module.NoSuchStore' could not be loaded" in str(failed.value)

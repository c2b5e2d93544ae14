"""bot/train.py's reading of a training log, shared by make evaluate and make bench."""

from __future__ import annotations

from bot.train import training_seconds


def test_training_seconds_from_the_wall_clock_line_else_log_timestamps(tmp_path):
    """Training time (make evaluate, make bench) is the wall-clock line bot.train writes at the end
    of the log; an older log without it gives the span of its timestamps; no log gives None."""
    stamped = "noise\n2026-01-01 10:00:00 INFO start\nbar\n2026-01-01 10:03:30 INFO done\n"
    (tmp_path / "assistant-x.train.log").write_text(stamped, encoding="utf-8")
    assert training_seconds(tmp_path / "assistant-x.tar.gz") == 210.0
    (tmp_path / "default-y.train.log").write_text(stamped + "\nwall-clock training seconds: 215.4\n", encoding="utf-8")
    assert training_seconds(tmp_path / "default-y.tar.gz") == 215.4
    assert training_seconds(tmp_path / "missing.tar.gz") is None

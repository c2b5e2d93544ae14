"""The load benchmark (``make bench``, ``--only load``) yields a well-formed report: a real headless
Locust run against a small local REST webhook records every turn, and its numbers become rows
with targets and PASS/FAIL. Timings are never asserted: only the shape and the verdict logic."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bench.load import LoadRun, growth, load_runs, run_locust, summarize
from bench.report import build_report, format_table
from bench.traffic import CYCLE, Dossier, mixed_conversation, repeating_conversation
from tests.bench import by_metric

DOSSIER = Dossier("000.00.01.H29-240115-0001", "079123456789")


class _Webhook(BaseHTTPRequestHandler):
    """Answers like Rasa's REST channel; a greeting gets an empty answer (an error for the bench)."""

    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(body)
        replies = [] if body["message"] == "xin chào" else [{"recipient_id": body["sender"], "text": "Dạ."}]
        payload = json.dumps(replies).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture()
def webhook() -> Iterator[str]:
    _Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_conversations_are_realistic_and_deterministic() -> None:
    """Mixed conversations have the asked length, repeat for a seed, and include procedure
    questions and dossier lookups (code, then ID number); the long script repeats one round."""
    conversations = [mixed_conversation(20, [DOSSIER], seed) for seed in range(30)]
    assert all(len(conversation) == 20 for conversation in conversations)
    assert conversations[3] == mixed_conversation(20, [DOSSIER], 3)
    messages = [message for conversation in conversations for message in conversation]
    assert "Làm căn cước cần giấy tờ gì?" in messages or "Đăng ký thường trú cần giấy tờ gì?" in messages
    assert DOSSIER.code.lower() in messages and f"số cccd của tôi là {DOSSIER.id_number}" in messages
    long = repeating_conversation(60, DOSSIER)
    assert len(long) == 60 and long[:CYCLE] == long[-CYCLE:]


def test_a_real_locust_run_records_every_turn(webhook: str, tmp_path: Path) -> None:
    """Three conversations of five turns through headless Locust: fifteen turns recorded, each
    with its conversation, turn number and duration; an empty answer counts as an error."""
    run = LoadRun("3x5", users=3, turns=5, time_limit_s=60)
    turns = run_locust(run, webhook, tmp_path / "no-dossiers.json", tmp_path)
    assert len(turns) == 15 == len(_Webhook.received)
    assert sorted({turn["conversation"] for turn in turns}) == [0, 1, 2]
    assert all(sorted(t["turn"] for t in turns if t["conversation"] == c) == [1, 2, 3, 4, 5] for c in range(3))
    assert len({body["sender"] for body in _Webhook.received}) == 3
    greetings = sum(body["message"] == "xin chào" for body in _Webhook.received)
    summary = summarize(turns, run.users)
    assert summary["turns"] == 15 and summary["errors"] == greetings
    assert summary["error_kinds"] == ({"empty reply": greetings} if greetings else {})
    assert summary["turns_per_s"] > 0 and summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"]


def _turns(latencies: dict[int, float], conversations: int = 2) -> list[dict]:
    return [
        {"conversation": c, "turn": turn, "began": 100.0 + turn, "ms": ms, "error": None}
        for c in range(conversations)
        for turn, ms in latencies.items()
    ]


def test_growth_compares_the_first_and_last_rounds() -> None:
    """The ratio is the last round's cost over the first round's (same messages, longer history):
    the Rasa process's CPU time when recorded, else the median latency."""
    turns = _turns({turn: 100.0 if turn <= CYCLE else 130.0 for turn in range(1, 61)})
    result = growth(turns, 60)
    assert result["ratio"] == 1.3 and result["last_turns"] == "51-60"
    assert result["measure"] == "p50 latency"
    for turn in turns:
        turn["rasa_cpu_ms"] = 40.0 if turn["turn"] <= CYCLE else 44.0
    result = growth(turns, 60)
    assert result["ratio"] == 1.1 and result["latency_ratio"] == 1.3
    assert result["measure"] == "Rasa CPU per turn"


def test_load_rows_judge_each_run_against_its_target() -> None:
    """Throughput is a minimum at 50 conversations, p95 a maximum at 8, errors must be zero, and
    the long run's growth at most 1.2x; other numbers are informational."""

    def run(users: int, turns_per_s: float, p95: float, errors: int = 0) -> dict:
        return {
            "users": users,
            "turns": users * 20,
            "errors": errors,
            "error_kinds": {"empty reply": errors} if errors else {},
            "seconds": 10.0,
            "turns_per_s": turns_per_s,
            "p50_ms": p95 / 2,
            "p95_ms": p95,
            "p99_ms": p95 * 1.5,
            "max_ms": p95 * 2,
            "rasa_cpu_ms_per_turn": 30.0,
            "rasa_cpu_share": 0.9,
        }

    load = {
        "runs": {
            "8x20": {**run(8, 20.0, 180.0), "cpu_ms_per_turn": {"rasa": 30.0, "actions": 8.5}, "load_avg_1m": 1.2},
            "50x20": run(50, 18.0, 2400.0, errors=2),
            "long": {**run(1, 10.0, 300.0), "script": "repeat", "growth": {"ratio": 1.1, "last_turns": "51-60"}},
        },
        "rasa_peak_rss_mib": 1500.0,
    }
    report = build_report(None, None, load)
    status = by_metric(report)
    assert status[("load/8x20", "p95 latency")] == "PASS"
    assert status[("load/8x20", "turns/s")] == "INFO"
    assert status[("load/50x20", "turns/s")] == "FAIL"
    assert status[("load/50x20", "p95 latency")] == "INFO"
    assert status[("load/50x20", "errors")] == "FAIL"
    assert status[("load/long", "late/early turn cost")] == "PASS"
    assert status[("load/long", "p95 latency")] == "INFO"  # the p95 target is for mixed traffic
    assert status[("load", "Rasa process peak RSS")] == "PASS"
    targets = by_metric(report, "target")
    assert targets[("load/50x20", "turns/s")] == ">= 24 turns/s"
    assert targets[("load/8x20", "p95 latency")] == "<= 250 ms"
    assert report["failed"] == ["load/50x20: turns/s", "load/50x20: errors"]
    assert report["load"] == load
    assert "late/early turn cost" in format_table(report)
    details = by_metric(report, "detail")
    assert "whole stack 38.5 ms/turn; load 1.2" in details[("load/8x20", "turns/s")]


def test_default_runs_match_the_targets() -> None:
    """``make bench`` runs 8 and 50 conversations of 20 turns, then one conversation of 60."""
    assert [(run.name, run.users, run.turns, run.script) for run in load_runs([8, 50])] == [
        ("8x20", 8, 20, "mixed"),
        ("50x20", 50, 20, "mixed"),
        ("long", 1, 60, "repeat"),
    ]


def test_a_single_conversation_records_the_server_cpu_of_each_turn(webhook: str, tmp_path: Path) -> None:
    """With the server's pid and one conversation, each turn carries the CPU time the server
    process (here: this test process, which serves the webhook) used meanwhile."""
    run = LoadRun("1x3", users=1, turns=3, script="repeat", time_limit_s=60)
    turns = run_locust(run, webhook, tmp_path / "no-dossiers.json", tmp_path, rasa_pid=os.getpid())
    assert [turn["turn"] for turn in turns] == [1, 2, 3]
    assert all(isinstance(turn["rasa_cpu_ms"], float) and turn["rasa_cpu_ms"] >= 0 for turn in turns)

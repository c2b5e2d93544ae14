"""The fault campaign's part of the bench report: each scenario's errors, turns not answered within
5 s and (PostgreSQL restart) answered messages missing from the trackers are judged against zero;
p95 and recovery times are informational; a campaign that could not run is reported, not hidden."""

from __future__ import annotations

from bench.report import build_report
from tests.bench import by_metric


def scenario(errors: int = 0, missed: int = 0, **extra: object) -> dict:
    return {
        "users": 8, "turns": 80, "seconds": 20.0, "p50_ms": 300.0, "p95_ms": 900.0, "max_ms": 2000.0,
        "errors": errors, "error_kinds": {"HTTP 503": errors} if errors else {}, "deadline_s": 5.0,
        "answered_in_time": 80 - missed, "missed": missed, "recovery_s": 12.0, **extra,
    }  # fmt: skip


def restart(lost: list[dict]) -> dict:
    return scenario(
        errors=2, missed=2, postgres_down_s=3.4, errors_outside_window=0, late_outside_window=0,
        first_answer_after_s=0.8, unstored_answers=lost,
    )  # fmt: skip


def test_every_scenario_is_judged_and_a_lost_message_fails() -> None:
    """Errors, late turns and lost messages FAIL above zero; p95 and recovery are INFO."""
    faults = {
        "scenarios": {"portal_down": scenario(), "portal_slow": scenario(missed=3)},
        "cluster": {"scenarios": {"postgres_restart": restart([{"sender": "x", "answered": 5, "stored": 4}])}},
    }
    rows = by_metric(build_report(None, None, faults=faults))
    assert rows[("faults/portal_down", "errors")] == "PASS"
    assert rows[("faults/portal_down", "turns not answered within 5 s")] == "PASS"
    assert rows[("faults/portal_slow", "turns not answered within 5 s")] == "FAIL"
    assert rows[("faults/portal_down", "p95 latency")] == "INFO"
    assert rows[("faults/cluster/postgres_restart", "answered but not in the tracker")] == "FAIL"
    assert rows[("faults/cluster/postgres_restart", "errors")] == "FAIL"
    kept = {"scenarios": {}, "cluster": {"scenarios": {"postgres_restart": restart([])}}}
    assert (
        by_metric(build_report(None, None, faults=kept))[
            ("faults/cluster/postgres_restart", "answered but not in the tracker")
        ]
        == "PASS"
    )


def test_a_campaign_that_could_not_run_is_reported() -> None:
    """A missing PostgreSQL program (or nginx, Redis, RabbitMQ) gives an N/A row with the reason."""
    faults = {"scenarios": {}, "cluster": {"error": "no PostgreSQL initdb in /usr/lib/postgresql/15/bin"}}
    rows = build_report(None, None, faults=faults)["rows"]
    assert [(row["part"], row["status"], row["detail"]) for row in rows] == [
        ("faults/cluster", "N/A", "no PostgreSQL initdb in /usr/lib/postgresql/15/bin")
    ]

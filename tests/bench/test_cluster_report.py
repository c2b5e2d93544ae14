"""The cluster part of the bench report: the 2-against-1 throughput ratio is judged "at least
1.6", the other cluster numbers are informational, and a missing service is reported, not hidden."""

from __future__ import annotations

from bench.report import build_report


def cluster_result(one: float, two: float) -> dict:
    run = {"users": 24, "turns": 240, "seconds": 20.0, "p50_ms": 300.0, "p95_ms": 900.0, "errors": 0}
    return {
        "users": 24,
        "turns": 10,
        "cores": 2,
        "runs": {
            "1": {**run, "turns_per_s": one, "rasa_cpu_share": [0.9, 0.0]},
            "2": {**run, "turns_per_s": two, "rasa_cpu_share": [0.7, 0.7]},
        },
        "throughput_ratio": round(two / one, 2),
        "rasa_memory": {"rasa-1": {"rss_mib": 900.0, "peak_rss_mib": 950.0}},
        "postgres": {"events": 2000, "user_turns": 240, "events_per_turn": 8.3, "avg_event_bytes": 600,
                     "table_bytes_per_turn": 6000},
    }  # fmt: skip


def ratio_row(report: dict) -> dict:
    return next(row for row in report["rows"] if row["metric"] == "throughput 2 Rasa / 1 Rasa")


def test_ratio_passes_at_or_above_target_and_fails_below() -> None:
    """1.7x passes, 1.3x fails; the target reads '>= 1.6 x'; turns/s and memory rows are INFO."""
    good = build_report(None, None, None, cluster_result(10.0, 17.0))
    bad = build_report(None, None, None, cluster_result(10.0, 13.0))
    assert ratio_row(good)["status"] == "PASS" and ratio_row(good)["target"] == ">= 1.6 x"
    assert ratio_row(bad)["status"] == "FAIL" and bad["failed"] == ["cluster: throughput 2 Rasa / 1 Rasa"]
    others = [row for row in good["rows"] if row is not ratio_row(good)]
    assert others and {row["status"] for row in others} == {"INFO"}
    assert good["cluster"]["runs"]["2"]["turns_per_s"] == 17.0


def test_a_cluster_that_could_not_run_is_reported() -> None:
    """No silent pass when PostgreSQL, Redis or RabbitMQ is missing: one N/A row with the reason."""
    report = build_report(None, None, None, {"error": "Redis 127.0.0.1:6379 does not answer"})
    assert [(row["status"], row["detail"]) for row in report["rows"]] == [
        ("N/A", "Redis 127.0.0.1:6379 does not answer")
    ]


def test_the_cluster_bench_runs_on_the_load_bench_it_reuses() -> None:
    """bench.cluster imports what it reuses of bench.load and bench.procstat (a rename there
    breaks make bench, not only the cluster part)."""
    import bench.cluster

    assert callable(bench.cluster.run_cluster_bench)

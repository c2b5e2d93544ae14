"""``python -m bench`` (``make bench``): catalog, NLU, load, cluster and fault-campaign numbers against their targets.

Prints a table and writes ``reports/bench/bench.json``. Exit code 0 even when a row FAILs (the
report says so); 2 when the bench itself could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from launcher.processes import StartupError
from launcher.stack import REPO_ROOT

from .report import build_report, format_table, write_report

DEFAULT_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("catalog", "nlu", "load", "cluster", "faults"), help="run one part")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="PostgreSQL for the second search engine ('' to skip); a throwaway schema is used",
    )
    parser.add_argument("--catalog", type=Path, help="catalog file (default: PORTAL_CATALOG_PATH)")
    parser.add_argument("--factor", type=int, default=10, help="size of the synthetic catalog (x real)")
    parser.add_argument("--repeat", type=int, default=5, help="search passes over the query set")
    parser.add_argument("--dossiers", type=int, default=2000, help="synthetic dossiers for the lookup bench")
    parser.add_argument("--lookups", type=int, default=200, help="dossier lookups timed")
    parser.add_argument("--parse-repeat", type=int, default=20, help="parse passes over the utterances")
    parser.add_argument(
        "--model", type=Path, help="our model (default: the one for the current data, trained if needed)"
    )
    parser.add_argument("--no-default-pipeline", action="store_true", help="skip Rasa's default pipeline")
    parser.add_argument(
        "--load-users", type=int, nargs="+", help="concurrent conversations of the load runs (default: 8 50)"
    )
    parser.add_argument("--load-turns", type=int, default=20, help="turns per conversation of the load runs")
    parser.add_argument("--long-turns", type=int, default=60, help="turns of the long-conversation run (0: skip)")
    parser.add_argument("--load-dir", type=Path, help="keep the load bench's logs and per-turn records here")
    parser.add_argument(
        "--cluster-users",
        type=int,
        default=96,  # hashed onto 2 servers: with 24, one server often got 15 and the run's tail was its alone
        help="concurrent conversations of the cluster runs",
    )
    parser.add_argument("--cluster-turns", type=int, default=10, help="turns per conversation of the cluster runs")
    parser.add_argument("--fault-users", type=int, default=8, help="concurrent conversations of each fault scenario")
    parser.add_argument("--fault-turns", type=int, default=10, help="turns per conversation of each fault scenario")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "reports" / "bench" / "bench.json")
    args = parser.parse_args(argv)

    catalog = nlu = load = cluster = faults = None
    if args.only in (None, "catalog"):
        from .catalog import run_catalog_bench

        print("• catalog: import, search (real and synthetic catalogs), dossier lookup…", flush=True)
        catalog = run_catalog_bench(
            args.catalog,
            args.postgres or None,
            factor=args.factor,
            repeat=args.repeat,
            dossiers=args.dossiers,
            lookups=args.lookups,
        )
    if args.only in (None, "nlu"):
        from bot.train import train

        from .nlu import run_nlu_bench

        print("• NLU: our model (trained if needed)…", flush=True)
        model = args.model or train(REPO_ROOT / "models")
        default_model = None
        if not args.no_default_pipeline:
            from bot.evaluation.run import train_default_pipeline

            print("• NLU: Rasa's default pipeline (trained once per data/config)…", flush=True)
            default_model = train_default_pipeline()
        try:
            nlu = run_nlu_bench(model, default_model, repeat=args.parse_repeat)
        except StartupError as error:  # keep the catalog numbers; the report says why NLU is missing
            print(f"error: NLU bench: {error}", file=sys.stderr)
            nlu = {"error": str(error)}
    if args.only in (None, "load"):
        from bot.train import train

        from .load import load_runs, run_load_bench

        print("• load: Locust conversations through the REST channel of one Rasa process…", flush=True)
        model = args.model or train(REPO_ROOT / "models")
        runs = load_runs(args.load_users or [8, 50], args.load_turns, args.long_turns)
        try:
            load = run_load_bench(model, runs, keep_dir=args.load_dir)
        except (StartupError, RuntimeError) as error:
            print(f"error: load bench: {error}", file=sys.stderr)
            load = {"error": str(error)}
    if args.only in (None, "cluster"):
        from bot.train import train

        from .cluster import run_cluster_bench

        print("• cluster: the same Locust load through nginx, 1 Rasa server then 2 (PostgreSQL, Redis, RabbitMQ)…")
        model = args.model or train(REPO_ROOT / "models")
        db_name = args.postgres.rsplit("/", 1)[-1] if args.postgres else "test"
        try:
            cluster = run_cluster_bench(model, args.cluster_users, args.cluster_turns, db_name=db_name)
        except (StartupError, RuntimeError) as error:
            print(f"error: cluster bench: {error}", file=sys.stderr)
            cluster = {"error": str(error)}
    if args.only == "faults":  # only on request: it stops and restarts parts of the stack
        from bot.train import train

        from .cluster_faults import run_cluster_fault_campaign
        from .faults import run_fault_campaign

        print("• faults: Locust conversations while the portal is down, slow, the console down, actions restarted…")
        model = args.model or train(REPO_ROOT / "models")
        try:
            faults = run_fault_campaign(model, users=args.fault_users, turns=args.fault_turns)
        except (StartupError, RuntimeError) as error:
            print(f"error: fault campaign: {error}", file=sys.stderr)
            faults = {"error": str(error)}
        print("• faults: PostgreSQL restarted under the cluster (a PostgreSQL server of its own)…", flush=True)
        try:
            cluster_faults = run_cluster_fault_campaign(model, users=args.fault_users, turns=args.fault_turns)
        except (StartupError, RuntimeError) as error:
            print(f"error: cluster fault campaign: {error}", file=sys.stderr)
            cluster_faults = {"error": str(error)}
        faults = {**faults, "cluster": cluster_faults}
    if args.only and args.out.exists():  # the part not run now is kept from the last report
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        catalog = catalog if catalog is not None else previous.get("catalog")
        nlu = nlu if nlu is not None else previous.get("nlu")
        load = load if load is not None else previous.get("load")
        cluster = cluster if cluster is not None else previous.get("cluster")
        faults = faults if faults is not None else previous.get("faults")
    report = build_report(catalog, nlu, load, cluster, faults)
    path = write_report(report, args.out)
    print()
    print(format_table(report))
    print(f"\nReport: {path}")
    if report["failed"]:
        print("Below target: " + "; ".join(report["failed"]), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``make cluster``: the assistant as a small cluster on this machine, stopped with Ctrl-C.

nginx (public :CLUSTER_PORT) in front of CLUSTER_RASA_SERVERS Rasa servers (default 2) on the
production stores (PostgreSQL tracker store, Redis lock store, RabbitMQ event broker of
deploy/endpoints.production.yml), two action servers, the portal and the console on PostgreSQL,
and the web page. One conversation always reaches the same Rasa server; another one when it dies.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from bot.train import train as train_model
from launcher.cluster.nginx import check_config, write_config
from launcher.cluster.settings import get_settings
from launcher.cluster.stack import Cluster, all_ports, build_cluster, cluster_specs, create_schemas
from launcher.processes import RunningProcess, StartupError, port_in_use, start_together, stop
from launcher.run import build_layout, watch
from launcher.stack import REPO_ROOT, run_init_steps


def start_cluster(cluster: Cluster) -> list[RunningProcess]:
    """Schemas, nginx configuration, portal/console preparation, then every server group in order."""
    nginx = cluster.settings.nginx
    if not os.access(nginx, os.X_OK):
        raise StartupError(f"nginx: {nginx} not found (Debian: `make nginx` installs nginx-light; NGINX=path)")
    try:
        create_schemas(cluster.settings)
    except Exception as error:  # psycopg2 errors carry the reason (refused, auth, no database)
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise StartupError(f"PostgreSQL {cluster.settings.db_host}:{cluster.settings.db_port}: {reason}") from error
    write_config(cluster.nginx)
    try:
        check_config(nginx, cluster.nginx)
    except ValueError as error:
        raise StartupError(str(error)) from error
    cluster.stack.log_dir.mkdir(parents=True, exist_ok=True)
    run_init_steps(cluster.stack)
    started: list[RunningProcess] = []
    try:
        for group in cluster_specs(cluster):
            started += start_together(group)
    except BaseException:
        stop(started)
        raise
    return started


def configured_cluster(model: Path) -> Cluster:
    """The cluster of the environment's settings around ``model`` (logs in var/log/cluster/)."""
    base = build_layout(model)
    base = dataclasses.replace(base, log_dir=base.log_dir / "cluster")
    return build_cluster(get_settings(), base, prefix=REPO_ROOT / "var" / "cluster" / "nginx")


def print_banner(cluster: Cluster, processes: list[RunningProcess]) -> None:
    print("\nThe cluster is running:")
    for process in processes:
        print(f"  {process.spec.name:10} :{process.spec.port:<6} log: {process.spec.log_file}")
    print(f"\nOpen {cluster.public_url}/ (nginx: web page, /webhooks/*, /socket.io/ only) and ask:")
    print("  «Làm căn cước cần giấy tờ gì?»")
    print(f"Rasa HTTP API for the console (loopback only): {cluster.internal_url}")
    print(f"Staff console: {cluster.stack.console_url}/   nginx logs: {cluster.nginx.prefix / 'logs'}")
    print("Ctrl-C stops everything.", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=REPO_ROOT / "models")
    args = parser.parse_args()
    try:
        for name, port in all_ports(configured_cluster(args.models_dir / "unused.tar.gz")):
            if port_in_use(port):
                raise StartupError(f"{name}: port {port} is already in use")
        print("• Checking the model (trains only when data or config changed)…", flush=True)
        cluster = configured_cluster(train_model(args.models_dir))
        print(
            f"• Starting nginx, {len(cluster.rasa_ports)} Rasa servers, {len(cluster.nginx.action_ports)} action "
            "servers, portal, console and web page (PostgreSQL, Redis, RabbitMQ)…",
            flush=True,
        )
        processes = start_cluster(cluster)
    except StartupError as error:  # a failed training or a bad setting exits with its own line (SystemExit)
        print(f"error: {error}", file=sys.stderr)
        return 1
    return watch(processes, announce=lambda: print_banner(cluster, processes))


if __name__ == "__main__":
    sys.exit(main())

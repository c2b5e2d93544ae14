"""The processes of a local cluster and how they are wired (``make cluster``, the cluster tests).

    browser / Zalo ──▶ nginx public ──hash(sender)──▶ Rasa server 1..N ──▶ nginx actions ──▶ action server 1..2
                          │                              │  PostgreSQL (conversations), Redis (locks),
                          └──▶ web page                  │  RabbitMQ (events)
    console, web relay ──▶ nginx internal ──hash(sender in the URL)──┘

The portal, console and web page are those of ``make run`` (launcher/stack.py) on PostgreSQL; Rasa
servers and action servers come from the same spec builders with their own ports and logs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from launcher.cluster.nginx import NginxLayout, nginx_command
from launcher.cluster.settings import ClusterSettings
from launcher.processes import ProcessSpec
from launcher.stack import REPO_ROOT, StackLayout, actions_spec, assistant_specs, rasa_spec

PRODUCTION_ENDPOINTS = str(REPO_ROOT / "deploy" / "endpoints.production.yml")
SERVICES = ("rasa", "portal", "console")
RASA_START_TIMEOUT = 600.0


@dataclass(frozen=True)
class Cluster:
    """One cluster: the shared stack layout (whose Rasa and action URLs are nginx's) and nginx's."""

    settings: ClusterSettings
    stack: StackLayout
    nginx: NginxLayout

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx.public_port}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx.internal_port}"

    @property
    def rasa_ports(self) -> list[int]:
        return list(self.nginx.rasa_ports)


def build_cluster(
    settings: ClusterSettings,
    base: StackLayout,
    prefix: Path,
    rasa_ports: list[int] | None = None,
    action_ports: list[int] | None = None,
) -> Cluster:
    """The cluster around ``base`` (model, secrets, portal/console/web ports, log folder).

    Ports of the Rasa and action servers default to the settings' ranges; tests pass free ports.
    """
    if rasa_ports is None:
        rasa_ports = [settings.rasa_base_port + i for i in range(settings.rasa_servers)]
    if action_ports is None:
        action_ports = [settings.actions_base_port + i for i in range(settings.action_servers)]
    if base.web_port is None or base.console_port is None:
        raise ValueError("a cluster runs the web page and the console")
    nginx = NginxLayout(
        prefix=prefix,
        public_port=settings.public_port,
        internal_port=settings.internal_port,
        actions_port=settings.actions_port,
        rasa_ports=rasa_ports,
        action_ports=action_ports,
        web_port=base.web_port,
    )
    stack = dataclasses.replace(
        base,
        # Everything that calls Rasa or the actions goes through nginx.
        rasa_port=nginx.internal_port,
        actions_port=nginx.actions_port,
        rasa_public_url=f"http://{base.host}:{nginx.public_port}",
        endpoints_file=PRODUCTION_ENDPOINTS,
        tracker_url=settings.database_url(settings.schema("rasa")),
        env={
            **base.env,
            **settings.production_env(),
            "PORTAL_DATABASE_URL": settings.database_url(settings.schema("portal")),
            "CONSOLE_DATABASE_URL": settings.database_url(settings.schema("console")),
            # nginx runs on this machine: the web channel believes its X-Forwarded-For, so the
            # dossier-lookup throttle sees each citizen's address, not nginx's.
            "CHANNEL_TRUSTED_PROXIES": "127.0.0.1",
        },
    )
    return Cluster(settings=settings, stack=stack, nginx=nginx)


def cluster_specs(cluster: Cluster) -> list[list[ProcessSpec]]:
    """The servers in start order, grouped: the processes of one group start together."""
    stack = cluster.stack
    by_name = {spec.name: spec for spec in assistant_specs(stack)}
    actions = [actions_spec(stack, port, f"actions-{i + 1}") for i, port in enumerate(cluster.nginx.action_ports)]
    # N servers load their models at the same time on the same cores: allow for it.
    rasa = [
        dataclasses.replace(rasa_spec(stack, port, f"rasa-{i + 1}"), start_timeout=RASA_START_TIMEOUT)
        for i, port in enumerate(cluster.rasa_ports)
    ]
    nginx = ProcessSpec(
        name="nginx",
        command=nginx_command(cluster.settings.nginx, cluster.nginx),
        port=cluster.nginx.public_port,
        health_url=f"{cluster.internal_url}/nginx-health",
        log_file=stack.log_dir / "nginx.log",
        cwd=REPO_ROOT,
        start_timeout=15.0,
    )
    return [[by_name["portal"]], [by_name["console"]], actions, rasa, [by_name["web"]], [nginx]]


def all_ports(cluster: Cluster) -> list[tuple[str, int]]:
    """Every port the cluster listens on, with the name of its process."""
    ports = [(spec.name, spec.port) for group in cluster_specs(cluster) for spec in group]
    return [*ports, ("nginx", cluster.nginx.internal_port), ("nginx", cluster.nginx.actions_port)]


def create_schemas(settings: ClusterSettings, services: tuple[str, ...] = SERVICES) -> None:
    """The cluster's schemas (Rasa requires POSTGRESQL_SCHEMA to exist); idempotent."""
    import psycopg2

    with psycopg2.connect(settings.dsn()) as conn, conn.cursor() as cursor:
        for service in services:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema(service)}"')
    conn.close()


def drop_schemas(settings: ClusterSettings, services: tuple[str, ...] = SERVICES) -> None:
    """Remove the cluster's schemas and everything in them (tests, ``--drop``)."""
    import psycopg2

    with psycopg2.connect(settings.dsn()) as conn, conn.cursor() as cursor:
        for service in services:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{settings.schema(service)}" CASCADE')
    conn.close()

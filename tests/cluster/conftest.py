"""A real cluster (nginx, Rasa servers on PostgreSQL/Redis/RabbitMQ, action servers, portal,
console, web page) on free localhost ports, started with the code of ``make cluster``.

Everything it creates is throwaway and removed afterwards: PostgreSQL schemas ``<name>_rasa``,
``<name>_portal``, ``<name>_console`` in the machine's ``test`` database, the RabbitMQ queue
``<name>_events`` and the Redis key prefix ``<name>``. A service that does not answer skips the
tests, except under CI=true, where it fails them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cluster.__main__ import start_cluster
from bot.cluster.settings import ClusterSettings
from bot.cluster.stack import Cluster, build_cluster, drop_schemas
from bot.processes import RunningProcess, free_port, stop
from bot.stack import StackLayout
from tests.integration.conftest import stack_env

RASA_TOKEN = "cluster-test-rasa-token"


def service_problem(settings: ClusterSettings) -> str | None:
    """The first of PostgreSQL, Redis, RabbitMQ that does not answer, with its error."""
    import psycopg2
    import redis

    try:
        psycopg2.connect(
            host=settings.db_host, port=settings.db_port, dbname=settings.db_name, user=settings.db_user,
            password=settings.db_password, connect_timeout=3,
        ).close()  # fmt: skip
    except Exception as error:  # any failure: the service is not usable here
        return f"PostgreSQL {settings.db_host}:{settings.db_port}/{settings.db_name} does not answer: {error}".strip()
    try:
        redis.Redis(host=settings.redis_host, port=settings.redis_port, socket_connect_timeout=3).ping()
    except Exception as error:
        return f"Redis {settings.redis_host}:{settings.redis_port} does not answer: {error}"
    try:
        asyncio.run(_amqp_ping(settings))
    except Exception as error:
        return f"RabbitMQ {settings.rabbitmq_host}:{settings.rabbitmq_port} does not answer: {error!r}"
    return None


def amqp_url(settings: ClusterSettings) -> str:
    return (
        f"amqp://{settings.rabbitmq_username}:{settings.rabbitmq_password}"
        f"@{settings.rabbitmq_host}:{settings.rabbitmq_port}/"
    )


async def _amqp_ping(settings: ClusterSettings) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=3)
    await connection.close()


async def drain_queue(settings: ClusterSettings, queue_name: str, quiet_seconds: float = 3.0) -> list[dict]:
    """Every message in ``queue_name``, reading until none arrives for ``quiet_seconds``."""
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=5)
    bodies: list[dict] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        loop = asyncio.get_running_loop()
        last = loop.time()
        while loop.time() - last < quiet_seconds:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.2)
                continue
            bodies.append(json.loads(message.body))
            last = loop.time()
    return bodies


async def _delete_queue(settings: ClusterSettings, queue_name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


def _delete_redis_keys(settings: ClusterSettings, prefix: str) -> None:
    import redis

    client = redis.Redis(host=settings.redis_host, port=settings.redis_port, db=settings.redis_db)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def throwaway_settings(name: str, rasa_servers: int) -> ClusterSettings:
    """Settings of a throwaway cluster in the machine's ``test`` database, on free ports."""
    return dataclasses.replace(
        ClusterSettings(),
        name=name,
        db_name=os.environ.get("CLUSTER_TEST_DB_NAME", "test"),
        rasa_servers=rasa_servers,
        public_port=free_port(),
        internal_port=free_port(),
        actions_port=free_port(),
    )


@contextlib.contextmanager
def throwaway_cluster(
    model: Path, workdir: Path, rasa_servers: int = 2
) -> Iterator[tuple[Cluster, list[RunningProcess]]]:
    """Start a cluster, yield it with its processes; then stop it and remove its schemas, queue and Redis keys."""
    settings = throwaway_settings(f"ct{uuid.uuid4().hex[:8]}", rasa_servers)
    problem = service_problem(settings)
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and a cluster service is missing: {problem}")
        pytest.skip(problem)
    base = StackLayout(
        model=model,
        log_dir=workdir / "log",
        rasa_token=RASA_TOKEN,
        portal_port=free_port(),
        actions_port=0,  # the cluster's nginx listener
        rasa_port=0,  # the cluster's nginx listener
        web_port=free_port(),
        console_port=free_port(),
        tracker_db=workdir / "unused-tracker.db",
        env=stack_env(workdir),
    )
    cluster = build_cluster(
        settings,
        base,
        prefix=workdir / "nginx",
        rasa_ports=[free_port() for _ in range(rasa_servers)],
        action_ports=[free_port() for _ in range(settings.action_servers)],
    )
    processes = []
    try:
        processes = start_cluster(cluster)
        yield cluster, processes
    finally:
        stop(processes)
        with contextlib.suppress(Exception):  # the queue exists only once a Rasa server declared it
            asyncio.run(_delete_queue(settings, cluster.stack.env["RABBITMQ_QUEUE"]))
        _delete_redis_keys(settings, cluster.stack.env["REDIS_LOCK_PREFIX"])
        drop_schemas(settings)

"""A cluster that leaves nothing behind, for the cluster tests and the cluster benchmark.

It runs on free localhost ports under a random name, so its PostgreSQL schemas
(``<name>_rasa``, ``<name>_portal``, ``<name>_console``), RabbitMQ queue (``<name>_events``) and
Redis lock keys never collide with another run, and removes all three when it stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

from launcher.cluster.__main__ import start_cluster
from launcher.cluster.settings import ClusterSettings
from launcher.cluster.stack import Cluster, build_cluster, drop_schemas
from launcher.processes import RunningProcess, free_port, stop
from launcher.stack import StackLayout


def throwaway_base(model: Path, workdir: Path, rasa_token: str, env: dict[str, str]) -> StackLayout:
    """Model, secrets and free ports of the portal, console and web page of a throwaway cluster; the
    actions and Rasa ports are nginx's listeners, which :func:`build_cluster` sets."""
    return StackLayout(
        model=model,
        log_dir=workdir / "log",
        rasa_token=rasa_token,
        portal_port=free_port(),
        actions_port=0,
        rasa_port=0,
        web_port=free_port(),
        console_port=free_port(),
        tracker_db=workdir / "unused-tracker.db",
        env=env,
    )


def throwaway_settings(rasa_servers: int, db_name: str, name: str = "") -> ClusterSettings:
    """Settings from the environment with a random name and free nginx ports."""
    return dataclasses.replace(
        ClusterSettings(),
        name=name or f"ct{uuid.uuid4().hex[:8]}",
        db_name=db_name,
        rasa_servers=rasa_servers,
        public_port=free_port(),
        internal_port=free_port(),
        actions_port=free_port(),
    )


def service_problem(settings: ClusterSettings) -> str | None:
    """The first of PostgreSQL, Redis, RabbitMQ that does not answer, with its error; None if all do."""
    import psycopg2
    import redis

    try:
        psycopg2.connect(settings.dsn(), connect_timeout=3).close()
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


def connect_postgres(settings: ClusterSettings):  # a psycopg2 connection
    import psycopg2

    return psycopg2.connect(settings.dsn())


def stored_user_texts(settings: ClusterSettings, sender_id: str) -> list[str]:
    """The user messages of ``sender_id`` (``web:<sender>``) in the cluster's tracker table, in order."""
    with connect_postgres(settings) as conn, conn.cursor() as cursor:
        cursor.execute(
            f'SELECT data FROM "{settings.schema("rasa")}".events WHERE sender_id = %s AND type_name = %s ORDER BY id',
            (sender_id, "user"),
        )
        rows = cursor.fetchall()
    conn.close()
    return [json.loads(row[0]).get("text") or "" for row in rows]


def stored_user_turns(settings: ClusterSettings) -> int:
    """How many user messages the cluster's tracker table holds (all conversations)."""
    with connect_postgres(settings) as conn, conn.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{settings.schema("rasa")}".events WHERE type_name = %s', ("user",))
        (count,) = cursor.fetchone()
    conn.close()
    return int(count)


def amqp_url(settings: ClusterSettings) -> str:
    return (
        f"amqp://{settings.rabbitmq_username}:{settings.rabbitmq_password}"
        f"@{settings.rabbitmq_host}:{settings.rabbitmq_port}/"
    )


async def _amqp_ping(settings: ClusterSettings) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=3)
    await connection.close()


async def drain_queue(
    settings: ClusterSettings, queue_name: str, quiet_seconds: float = 3.0
) -> list[tuple[str | None, dict]]:
    """Every message in ``queue_name`` as (message id, body), read until none arrives for ``quiet_seconds``."""
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=5)
    bodies: list[tuple[str | None, dict]] = []
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
            bodies.append((message.message_id, json.loads(message.body)))
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


@contextlib.contextmanager
def throwaway_cluster(
    settings: ClusterSettings, base: StackLayout, workdir: Path
) -> Iterator[tuple[Cluster, list[RunningProcess]]]:
    """Start a cluster around ``base`` (model, secrets, portal/console/web ports) and yield it with
    its processes; then stop it and remove its schemas, queue and Redis keys."""
    cluster = build_cluster(
        settings,
        base,
        prefix=workdir / "nginx",
        rasa_ports=[free_port() for _ in range(settings.rasa_servers)],
        action_ports=[free_port() for _ in range(settings.action_servers)],
    )
    processes: list[RunningProcess] = []
    try:
        processes = start_cluster(cluster)
        yield cluster, processes
    finally:
        stop(processes)
        with contextlib.suppress(Exception):  # the queue exists only once a Rasa server declared it
            asyncio.run(_delete_queue(settings, cluster.stack.env["RABBITMQ_QUEUE"]))
        _delete_redis_keys(settings, cluster.stack.env["REDIS_LOCK_PREFIX"])
        drop_schemas(settings)

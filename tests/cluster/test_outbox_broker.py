"""The outbox event broker against the machine's PostgreSQL and RabbitMQ.

A table shaped like Rasa's ``events`` in a throwaway schema, a throwaway queue: committed rows
reach RabbitMQ once each, in id order, with their row id as message id; rows that were there
before the broker first ran are not streamed again; two relays never publish a row twice.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator

import pytest

from bot.stores.outbox_broker import OutboxEventBroker, OutboxSettings
from launcher.cluster.throwaway import amqp_url, connect_postgres, drain_queue, service_problem, throwaway_settings
from tests.missing import missing

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(120)]

RASA_EVENTS = """CREATE TABLE "{schema}".events (
    id SERIAL PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


@pytest.fixture
def outbox() -> Iterator[dict]:
    settings = throwaway_settings(1, db_name=os.environ.get("CLUSTER_TEST_DB_NAME", "test"))
    problem = service_problem(settings)
    if problem:
        missing(problem)
    schema, queue = f"outbox_{uuid.uuid4().hex[:8]}", f"outbox_{uuid.uuid4().hex[:8]}"
    with connect_postgres(settings) as conn, conn.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(RASA_EVENTS.format(schema=schema))
    outbox_settings = OutboxSettings(amqp_url(settings), (queue,), settings.dsn(), schema=schema, poll_seconds=0.05)
    try:
        yield {"settings": settings, "conn": conn, "schema": schema, "queue": queue, "outbox": outbox_settings}
    finally:
        conn.close()
        with connect_postgres(settings) as cleanup, cleanup.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
        cleanup.close()
        asyncio.run(_delete_queue(settings, queue))


async def _delete_queue(settings, queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(amqp_url(settings), timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


def insert(outbox: dict, sender: str, count: int) -> None:
    table = f'"{outbox["schema"]}".events'
    with outbox["conn"], outbox["conn"].cursor() as cursor:
        for index in range(count):
            event = {"event": "user", "text": f"tin nhắn {index}", "timestamp": time.time()}
            cursor.execute(
                f"INSERT INTO {table} (sender_id, type_name, timestamp, data) VALUES (%s, %s, %s, %s)",
                (sender, "user", event["timestamp"], json.dumps(event)),
            )


def unpublished(outbox: dict) -> int:
    with outbox["conn"], outbox["conn"].cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{outbox["schema"]}".events WHERE NOT published')
        return cursor.fetchone()[0]


def run_relays(outbox: dict, relays: int) -> list[OutboxEventBroker]:
    brokers = [OutboxEventBroker(outbox["outbox"]) for _ in range(relays)]
    for broker in brokers:
        broker._thread.start()
    return brokers


def stop_relays(brokers: list[OutboxEventBroker]) -> None:
    for broker in brokers:
        asyncio.run(broker.close())


def wait_until_published(outbox: dict, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while unpublished(outbox) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert unpublished(outbox) == 0


def test_committed_rows_reach_rabbitmq_once_in_order(outbox: dict) -> None:
    """Rows committed before and while two relays run are each published exactly once, in id order,
    shaped like Rasa's events (sender_id added) and identified by their row id."""
    insert(outbox, "web:before", 1)  # makes Rasa's table exist before the relays prepare it
    brokers = run_relays(outbox, relays=2)
    try:
        time.sleep(1.0)
        insert(outbox, "web:a", 300)
        insert(outbox, "web:b", 300)
        wait_until_published(outbox)
    finally:
        stop_relays(brokers)
    messages = asyncio.run(drain_queue(outbox["settings"], outbox["queue"], quiet_seconds=1.0))
    ids = [int(message_id) for message_id, _ in messages]
    assert len(ids) == len(set(ids)) == 600
    assert ids == sorted(ids)
    first = messages[0][1]
    assert first["sender_id"] == "web:a" and first["event"] == "user" and first["text"] == "tin nhắn 0"


def test_rows_present_before_the_first_start_are_not_streamed_again(outbox: dict) -> None:
    """An existing deployment switching to the outbox does not flood its stream with history."""
    insert(outbox, "web:history", 50)
    brokers = run_relays(outbox, relays=1)
    try:
        time.sleep(1.0)
        insert(outbox, "web:new", 5)
        wait_until_published(outbox)
    finally:
        stop_relays(brokers)
    messages = asyncio.run(drain_queue(outbox["settings"], outbox["queue"], quiet_seconds=1.0))
    assert {body["sender_id"] for _, body in messages} == {"web:new"}
    assert len(messages) == 5

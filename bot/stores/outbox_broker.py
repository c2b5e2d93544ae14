"""An event broker that streams the tracker store's own table to RabbitMQ: a transactional outbox.

Why: Rasa's pika broker publishes a turn's events from memory, fire-and-forget, once the tracker
is committed. A Rasa server that dies in between keeps the turn in PostgreSQL and loses it from the
stream (tests/cluster/test_failover.py measured it: every turn in flight at a SIGKILL). Here the
committed rows of the ``events`` table are the outbox. A relay thread in every Rasa server takes the
unpublished rows in id order, publishes them to RabbitMQ with publisher confirms and marks them
published in the transaction that read them. One relay works at a time (a transaction-level
advisory lock); when its server dies, PostgreSQL drops the lock with the connection and another
server's relay carries on. Delivery is at least once: a relay killed between RabbitMQ's confirm
and its commit publishes that batch again; every message carries the row id as ``message_id`` so
consumers can de-duplicate. Messages have the shape Rasa's pika broker gives them (the event with
its ``sender_id``, masked as stored), on the same fanout exchange and durable queues.

endpoints (deploy/endpoints.production.yml)::

    event_broker:
      type: bot.stores.outbox_broker.OutboxEventBroker
      url: <RabbitMQ host>    port, username, password, queues: as for Rasa's pika broker
      db_host: ...            db_port, db_name, db_user, db_password, db_schema: the tracker store's
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

EXCHANGE = "rasa-exchange"  # Rasa's pika broker's fanout exchange: consumers need no change


@dataclass(frozen=True)
class OutboxSettings:
    """Where the relay reads (the tracker store's table) and writes (RabbitMQ)."""

    rabbitmq_url: str
    queues: tuple[str, ...]
    database_dsn: str
    schema: str = "public"
    poll_seconds: float = 0.2
    batch_size: int = 500

    @property
    def table(self) -> str:
        return f'"{self.schema}".events'

    @property
    def lock_key(self) -> int:
        """One advisory lock per schema: relays of other deployments in the database run freely."""
        return int.from_bytes(hashlib.sha256(f"outbox:{self.schema}".encode()).digest()[:8], "big", signed=True)


def settings_from_endpoint(config: EndpointConfig) -> OutboxSettings:
    """The endpoints entry: RabbitMQ as for Rasa's pika broker, PostgreSQL as for the tracker store."""
    kwargs = config.kwargs
    user, password = kwargs.get("username", "guest"), kwargs.get("password", "guest")
    rabbitmq_url = f"amqp://{user}:{password}@{config.url}:{kwargs.get('port', 5672)}/"
    dsn = " ".join(
        f"{key}='{value}'"
        for key, value in {
            "host": kwargs.get("db_host"),
            "port": kwargs.get("db_port", 5432),
            "dbname": kwargs.get("db_name"),
            "user": kwargs.get("db_user"),
            "password": kwargs.get("db_password") or "",
        }.items()
        if value not in (None, "")
    )
    queues = kwargs.get("queues") or ["rasa_production_events"]
    return OutboxSettings(
        rabbitmq_url=rabbitmq_url,
        queues=tuple(str(queue) for queue in queues),
        database_dsn=dsn,
        schema=str(kwargs.get("db_schema") or "public"),
    )


class OutboxEventBroker(EventBroker):
    """Publishes what the tracker store committed, from its table, not what Rasa holds in memory."""

    def __init__(self, settings: OutboxSettings) -> None:
        self.settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._prepared = False

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: EndpointConfig, event_loop: asyncio.AbstractEventLoop | None = None
    ) -> OutboxEventBroker:
        broker = cls(settings_from_endpoint(broker_config))
        broker._thread.start()
        return broker

    def publish(self, event: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Nothing to do: the committed row is the message, the relay sends it."""

    def is_ready(self) -> bool:
        return self._thread.is_alive()

    async def close(self) -> None:
        self._stop.set()
        await asyncio.get_running_loop().run_in_executor(None, self._thread.join, 5.0)

    # ----- the relay (own thread, own event loop: Rasa's loop is never blocked) -----

    def _run(self) -> None:
        asyncio.run(self._relay())

    async def _relay(self) -> None:
        import aio_pika
        import psycopg2

        while not self._stop.is_set():
            connection = database = None
            try:
                connection = await aio_pika.connect(self.settings.rabbitmq_url, timeout=10)
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.declare_exchange(EXCHANGE, type=aio_pika.ExchangeType.FANOUT)
                for name in self.settings.queues:
                    queue = await channel.declare_queue(name, durable=True)
                    await queue.bind(exchange, "")
                database = psycopg2.connect(self.settings.database_dsn, connect_timeout=10)
                while not self._stop.is_set():
                    if not await self.relay_once(database, exchange):
                        await asyncio.sleep(self.settings.poll_seconds)
            except Exception as error:  # broker or database away: retry, the rows wait in the table
                logger.warning("outbox.relay.retry error=%s", type(error).__name__)
                await asyncio.sleep(2.0)
            finally:
                if database is not None:
                    database.close()
                if connection is not None:
                    await connection.close()

    async def relay_once(self, database: Any, exchange: Any) -> int:
        """Publish one batch of unpublished rows and mark them; the number published."""
        import aio_pika

        with database, database.cursor() as cursor:  # one transaction: commit after the confirms
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", (self.settings.lock_key,))
            if not cursor.fetchone()[0]:
                return 0  # another server's relay is at work
            if not self._prepared and not self._prepare(cursor):
                return 0
            cursor.execute(
                f"SELECT id, sender_id, data FROM {self.settings.table} WHERE NOT published ORDER BY id LIMIT %s",
                (self.settings.batch_size,),
            )
            rows = cursor.fetchall()
            if not rows:
                return 0
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            json.dumps({"sender_id": sender_id, **json.loads(data)}).encode("utf-8"),
                            message_id=str(row_id),
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key="",
                    )
                    for row_id, sender_id, data in rows
                )
            )
            cursor.execute(
                f"UPDATE {self.settings.table} SET published = true WHERE id = ANY(%s)", ([row[0] for row in rows],)
            )
        return len(rows)

    def _prepare(self, cursor: Any) -> bool:
        """The ``published`` column on Rasa's table, once: rows already there count as published
        (no flood of history on the first start), new rows default to unpublished."""
        cursor.execute("SELECT to_regclass(%s)", (self.settings.table,))
        if cursor.fetchone()[0] is None:
            return False  # Rasa's tracker store has not created its table yet
        cursor.execute(
            f"ALTER TABLE {self.settings.table} ADD COLUMN IF NOT EXISTS published boolean NOT NULL DEFAULT true"
        )
        cursor.execute(f"ALTER TABLE {self.settings.table} ALTER COLUMN published SET DEFAULT false")
        cursor.execute(
            f'CREATE INDEX IF NOT EXISTS "{self.settings.schema}_events_unpublished" '
            f"ON {self.settings.table} (id) WHERE NOT published"
        )
        self._prepared = True
        return True

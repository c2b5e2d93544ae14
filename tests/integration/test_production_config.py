"""deploy/endpoints.production.yml against the machine's real PostgreSQL, Redis and RabbitMQ.

One extra Rasa server (same model, same action server as the session stack) runs with the
production endpoints: conversations go to PostgreSQL (a schema of its own, dropped afterwards),
locks to Redis (a key prefix of its own), events to RabbitMQ (a queue of its own, deleted
afterwards), so reruns and concurrent runs never collide. Skipped, with the reason, when one of
the three services does not answer; failed instead under CI=true (tests/missing.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
import uuid
from collections.abc import Callable, Iterator

import pytest
import requests

from launcher.processes import ProcessSpec, free_port, start, stop
from launcher.stack import REPO_ROOT, StackLayout, rasa_command
from tests.missing import missing

# The first slow test may also train the session model and start the session stack.
pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

PG = {"host": "127.0.0.1", "port": 5432, "dbname": "test", "user": "postgres"}
REDIS = {"host": "127.0.0.1", "port": 6379, "db": 1}
RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
ID_NUMBER = "001099012345"


def _service_problem() -> str | None:
    """The first of PostgreSQL, Redis, RabbitMQ that does not answer, with its error."""
    import aio_pika
    import psycopg2
    import redis

    try:
        psycopg2.connect(connect_timeout=3, **PG).close()
    except Exception as error:  # any failure: the service is not usable here
        return f"PostgreSQL {PG['host']}:{PG['port']}/{PG['dbname']} does not answer: {error}".strip()
    try:
        redis.Redis(socket_connect_timeout=3, **REDIS).ping()
    except Exception as error:
        return f"Redis {REDIS['host']}:{REDIS['port']} does not answer: {error}"

    async def amqp() -> None:
        connection = await aio_pika.connect_robust(RABBIT_URL, timeout=3)
        await connection.close()

    try:
        asyncio.run(amqp())
    except Exception as error:
        return f"RabbitMQ {RABBIT_URL.split('@')[-1]} does not answer: {error!r}"
    return None


class RedisMonitor(threading.Thread):
    """Records every Redis command mentioning ``needle`` (MONITOR), from start until the test ends."""

    def __init__(self, needle: str) -> None:
        super().__init__(daemon=True)
        import redis

        self.needle = needle
        self.seen: list[str] = []
        self.ready = threading.Event()
        self._client = redis.Redis(**REDIS)

    def run(self) -> None:
        with self._client.monitor() as monitor:
            self.ready.set()
            for command in monitor.listen():
                if self.needle in command.get("command", ""):
                    self.seen.append(command["command"])


async def _drain_queue(
    queue_name: str, timeout: float = 15.0, until: Callable[[list[dict]], bool] | None = None
) -> list[dict]:
    """Every message in ``queue_name``: until ``until(bodies)`` holds (the broker streams the stored
    events in the background, so a turn's events may arrive a moment later), else until messages
    stop arriving; ``timeout`` bounds it either way."""
    import aio_pika

    connection = await aio_pika.connect_robust(RABBIT_URL, timeout=5)
    bodies: list[dict] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_name, durable=True, passive=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                if bodies and (until is None or until(bodies)):
                    break
                await asyncio.sleep(0.5)
                continue
            bodies.append(json.loads(message.body))
    return bodies


async def _delete_queue(queue_name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(RABBIT_URL, timeout=5)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue_name)


def production_env(names: dict[str, str]) -> dict[str, str]:
    """The variables of deploy/.env.example for the machine's services and this run's names."""
    return {
        "TRACKER_DB_HOST": PG["host"],
        "TRACKER_DB_PORT": str(PG["port"]),
        "TRACKER_DB_NAME": PG["dbname"],
        "TRACKER_DB_USER": PG["user"],
        "TRACKER_DB_PASSWORD": "",
        "POSTGRESQL_SCHEMA": names["schema"],
        "REDIS_HOST": REDIS["host"],
        "REDIS_PORT": str(REDIS["port"]),
        "REDIS_PASSWORD": "",
        "REDIS_DB": str(REDIS["db"]),
        "REDIS_LOCK_PREFIX": names["prefix"],
        "RABBITMQ_HOST": "127.0.0.1",
        "RABBITMQ_PORT": "5672",
        "RABBITMQ_USERNAME": "guest",
        "RABBITMQ_PASSWORD": "guest",
        "RABBITMQ_QUEUE": names["queue"],
    }


@pytest.fixture(scope="module")
def production_rasa(assistant_stack: StackLayout, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A Rasa server on deploy/endpoints.production.yml, plus the names of its schema, prefix and queue."""
    problem = _service_problem()
    if problem:
        missing(problem)
    import psycopg2

    run_id = uuid.uuid4().hex[:10]
    names = {"schema": f"rasa_prod_{run_id}", "prefix": f"test{run_id}", "queue": f"rasa_events_test_{run_id}"}
    with psycopg2.connect(**PG) as conn, conn.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{names["schema"]}"')
    try:
        monitor = RedisMonitor(f"{names['prefix']}:lock:")
        monitor.start()
        monitor.ready.wait(5)
        log_dir = tmp_path_factory.mktemp("production")
        layout = dataclasses.replace(
            assistant_stack,
            rasa_port=free_port(),
            log_dir=log_dir,
            endpoints_file=str(REPO_ROOT / "deploy" / "endpoints.production.yml"),
        )
        process = start(
            ProcessSpec(
                name="rasa-production",
                command=rasa_command(layout),
                port=layout.rasa_port,
                health_url=f"{layout.rasa_url}/",
                log_file=log_dir / "rasa.log",
                env={**layout.process_env(), **production_env(names)},
                cwd=REPO_ROOT,
                start_timeout=240.0,
            )
        )
        try:
            yield {**names, "url": layout.rasa_url, "monitor": monitor, "log": log_dir / "rasa.log"}
        finally:
            stop([process])
    finally:
        with contextlib.suppress(Exception):  # the queue exists only if Rasa got as far as declaring it
            asyncio.run(_delete_queue(names["queue"]))
        with psycopg2.connect(**PG) as conn, conn.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{names["schema"]}" CASCADE')


@pytest.fixture(scope="module")
def conversation(production_rasa: dict) -> dict:
    """One citizen's conversation with an ID number in it, through the REST channel."""
    sender = str(uuid.uuid4())
    texts = []
    for message in ("Làm căn cước cần giấy tờ gì?", f"Số căn cước của tôi là {ID_NUMBER}"):
        response = requests.post(
            f"{production_rasa['url']}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
        )
        response.raise_for_status()
        texts.append(" ".join(reply.get("text", "") for reply in response.json()))
    return {"sender": sender, "replies": texts}


def _pg_events(schema: str, sender: str) -> list[dict]:
    import psycopg2

    with psycopg2.connect(**PG) as conn, conn.cursor() as cursor:
        cursor.execute(f'SELECT data FROM "{schema}".events WHERE sender_id LIKE %s ORDER BY id', (f"%{sender}",))
        return [json.loads(row[0]) for row in cursor.fetchall()]


def test_events_land_in_postgresql_masked(production_rasa: dict, conversation: dict) -> None:
    """The production tracker store is PostgreSQL behind MaskingTrackerStore: the conversation is
    there, answered from the catalog, and the citizen's ID number is stored masked."""
    events = _pg_events(production_rasa["schema"], conversation["sender"])
    user_texts = [event.get("text") or "" for event in events if event.get("event") == "user"]
    assert len(user_texts) == 2, user_texts
    assert "căn cước" in conversation["replies"][0].lower()
    stored = json.dumps(events, ensure_ascii=False)
    assert ID_NUMBER not in stored and ID_NUMBER[2:] not in stored
    assert "**********" in user_texts[1]


def test_lock_store_is_redis(production_rasa: dict, conversation: dict) -> None:
    """Each turn takes its conversation lock in Redis under the configured prefix (seen with MONITOR)."""
    commands = production_rasa["monitor"].seen
    assert any(conversation["sender"] in command for command in commands), commands[:5]
    assert any(command.split()[0].strip('"').upper() == "SET" for command in commands), commands[:5]


def test_events_are_published_to_rabbitmq_masked(production_rasa: dict, conversation: dict) -> None:
    """Every event of the conversation is published to the RabbitMQ queue, masked like the tracker store."""

    def mine_of(bodies: list[dict]) -> list[dict]:
        return [body for body in bodies if str(body.get("sender_id", "")).endswith(conversation["sender"])]

    def both_turns(bodies: list[dict]) -> bool:
        return len([body for body in mine_of(bodies) if body.get("event") == "user"]) >= 2

    mine = mine_of(asyncio.run(_drain_queue(production_rasa["queue"], timeout=60.0, until=both_turns)))
    assert [body["text"] for body in mine if body.get("event") == "user"][:1] == ["Làm căn cước cần giấy tờ gì?"]
    assert len([body for body in mine if body.get("event") == "user"]) == 2
    published = json.dumps(mine, ensure_ascii=False)
    assert ID_NUMBER not in published and ID_NUMBER[2:] not in published


def test_production_file_reads_every_value_from_the_environment() -> None:
    """No host, password or queue name is written in the production endpoints file: all are ${VAR}s,
    unquoted (Rasa expands only unquoted scalars), and each one is documented in deploy/.env.example."""
    import re

    lines = (REPO_ROOT / "deploy" / "endpoints.production.yml").read_text(encoding="utf-8").splitlines()
    text = "\n".join(line.split("#")[0] for line in lines)  # the settings, not the comments
    used = set(re.findall(r"\$\{([A-Z0-9_]+)\}", text))
    assert {"TRACKER_DB_HOST", "REDIS_HOST", "RABBITMQ_HOST", "RABBITMQ_QUEUE"} <= used
    assert not re.search(r"[\"']\$\{", text), "a quoted ${VAR} is not expanded by Rasa"
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (REPO_ROOT / "deploy" / ".env.example").read_text(), re.M))
    assert used <= documented, used - documented
    for line in text.splitlines():
        key, _, value = line.strip().partition(":")
        if key in ("url", "host", "password", "username", "port", "db", "key_prefix") and value.strip():
            assert value.strip().startswith("${"), line

"""A real cluster (nginx, Rasa servers on PostgreSQL/Redis/RabbitMQ, action servers, portal,
console, web page) on free localhost ports, started with the code of ``make cluster``
(:mod:`launcher.cluster.throwaway`: schemas, queue and Redis keys of its own, removed afterwards), in
the machine's ``test`` database, or on a PostgreSQL server of its own (the restart test). A service
or program that is missing skips the tests, except under CI=true, where it fails them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

from launcher.cluster.stack import Cluster
from launcher.cluster.throwaway import service_problem, throwaway_base, throwaway_cluster, throwaway_settings
from launcher.processes import RunningProcess
from tests.integration.conftest import stack_env
from tests.missing import missing

RASA_TOKEN = "cluster-test-rasa-token"


@contextlib.contextmanager
def running_cluster(
    model: Path, workdir: Path, rasa_servers: int = 2, postgres_port: int | None = None
) -> Iterator[tuple[Cluster, list[RunningProcess]]]:
    """A throwaway cluster of ``rasa_servers`` Rasa servers and its processes; on the throwaway
    PostgreSQL server listening on ``postgres_port`` when given (database ``postgres``)."""
    settings = throwaway_settings(rasa_servers, db_name=os.environ.get("CLUSTER_TEST_DB_NAME", "test"))
    if postgres_port is not None:
        settings = dataclasses.replace(settings, db_name="postgres", db_port=postgres_port)
    problem = service_problem(settings)
    if problem:
        missing(problem)
    base = throwaway_base(model, workdir, RASA_TOKEN, stack_env(workdir))
    with throwaway_cluster(settings, base, workdir) as running:
        yield running

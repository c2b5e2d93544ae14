"""Settings of ``make cluster``, read from the environment.

The stores are the production ones (deploy/endpoints.production.yml) and keep their production
variable names (``TRACKER_DB_*``, ``REDIS_*``, ``RABBITMQ_*``, deploy/.env.example); the defaults
here point at services on this machine. Every database object ``make cluster`` creates lives in
schemas named after ``CLUSTER_NAME``, so the cluster never touches another application's tables.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from common.env import env_int, env_port, env_str


def _newest_postgres_bin_dir() -> str:
    """Debian's layout, /usr/lib/postgresql/<major>/bin, the newest major; else the same path for 15."""
    majors = [Path(path).parent.name for path in glob.glob("/usr/lib/postgresql/*/bin")]
    found = [f"/usr/lib/postgresql/{major}/bin" for major in sorted(filter(str.isdigit, majors), key=int)]
    return found[-1] if found else "/usr/lib/postgresql/15/bin"


@dataclass(frozen=True)
class ClusterSettings:
    """Sizes, ports and external services of one local cluster."""

    rasa_servers: int = field(default_factory=lambda: env_int("CLUSTER_RASA_SERVERS", 2, minimum=1))
    action_servers: int = field(default_factory=lambda: env_int("CLUSTER_ACTION_SERVERS", 2, minimum=1))
    # nginx: the public listener (web page, /webhooks/*, /socket.io/), Rasa's HTTP API for the
    # console and the web page's relay, the action servers for the Rasa servers.
    public_port: int = field(default_factory=lambda: env_port("CLUSTER_PORT", 8000))
    internal_port: int = field(default_factory=lambda: env_port("CLUSTER_INTERNAL_PORT", 8001))
    actions_port: int = field(default_factory=lambda: env_port("CLUSTER_ACTIONS_PORT", 8002))
    # Rasa server i listens on rasa_base_port + i, action server i on actions_base_port + i.
    rasa_base_port: int = field(default_factory=lambda: env_port("CLUSTER_RASA_BASE_PORT", 5010))
    actions_base_port: int = field(default_factory=lambda: env_port("CLUSTER_ACTIONS_BASE_PORT", 5060))
    # Schemas <name>_rasa, <name>_portal, <name>_console; Redis key prefix and RabbitMQ queue.
    name: str = field(default_factory=lambda: env_str("CLUSTER_NAME", "cluster"))
    nginx: str = field(default_factory=lambda: env_str("NGINX", "/usr/sbin/nginx"))
    db_host: str = field(default_factory=lambda: env_str("TRACKER_DB_HOST", "127.0.0.1"))
    db_port: int = field(default_factory=lambda: env_port("TRACKER_DB_PORT", 5432))
    db_name: str = field(default_factory=lambda: env_str("TRACKER_DB_NAME", "postgres"))
    db_user: str = field(default_factory=lambda: env_str("TRACKER_DB_USER", "postgres"))
    db_password: str = field(default_factory=lambda: env_str("TRACKER_DB_PASSWORD", ""))
    redis_host: str = field(default_factory=lambda: env_str("REDIS_HOST", "127.0.0.1"))
    redis_port: int = field(default_factory=lambda: env_port("REDIS_PORT", 6379))
    redis_password: str = field(default_factory=lambda: env_str("REDIS_PASSWORD", ""))
    redis_db: int = field(default_factory=lambda: env_int("REDIS_DB", 1))
    rabbitmq_host: str = field(default_factory=lambda: env_str("RABBITMQ_HOST", "127.0.0.1"))
    rabbitmq_port: int = field(default_factory=lambda: env_port("RABBITMQ_PORT", 5672))
    rabbitmq_username: str = field(default_factory=lambda: env_str("RABBITMQ_USERNAME", "guest"))
    rabbitmq_password: str = field(default_factory=lambda: env_str("RABBITMQ_PASSWORD", "guest"))
    # A Rasa server killed mid-turn leaves its conversation's lock ticket behind: the next turn of
    # that conversation waits this long at most. A turn must end within 5 s, so 15 s is safe.
    lock_lifetime: int = field(default_factory=lambda: env_int("TICKET_LOCK_LIFETIME", 15))
    # Connections per Rasa server: PostgreSQL's default max_connections (100) is shared by all.
    sql_pool_size: int = field(default_factory=lambda: env_int("SQL_POOL_SIZE", 5))
    sql_max_overflow: int = field(default_factory=lambda: env_int("SQL_MAX_OVERFLOW", 5))
    # initdb and pg_ctl of the throwaway PostgreSQL the fault campaign restarts (launcher/cluster/postgres.py).
    postgres_bin_dir: Path = field(
        default_factory=lambda: Path(env_str("POSTGRES_BIN_DIR", _newest_postgres_bin_dir()))
    )

    def schema(self, service: str) -> str:
        return f"{self.name}_{service}"

    def database_url(self, schema: str) -> str:
        """SQLAlchemy URL of the cluster's database with ``schema`` first on the search path."""
        auth = quote(self.db_user, safe="")
        if self.db_password:
            auth += ":" + quote(self.db_password, safe="")
        # public stays on the path: extensions such as pg_trgm (portal search) live there.
        options = quote(f"-csearch_path={schema},public", safe="")
        return f"postgresql+psycopg2://{auth}@{self.db_host}:{self.db_port}/{self.db_name}?options={options}"

    def dsn(self) -> str:
        """libpq connection string of the cluster's database (psycopg2)."""
        return self.database_url("public").replace("postgresql+psycopg2://", "postgresql://").split("?")[0]

    def production_env(self) -> dict[str, str]:
        """The variables deploy/endpoints.production.yml reads, plus Rasa's own tuning knobs."""
        return {
            "TRACKER_DB_HOST": self.db_host,
            "TRACKER_DB_PORT": str(self.db_port),
            "TRACKER_DB_NAME": self.db_name,
            "TRACKER_DB_USER": self.db_user,
            "TRACKER_DB_PASSWORD": self.db_password,
            "POSTGRESQL_SCHEMA": self.schema("rasa"),
            "SQL_POOL_SIZE": str(self.sql_pool_size),
            "SQL_MAX_OVERFLOW": str(self.sql_max_overflow),
            "REDIS_HOST": self.redis_host,
            "REDIS_PORT": str(self.redis_port),
            "REDIS_PASSWORD": self.redis_password,
            "REDIS_DB": str(self.redis_db),
            "REDIS_LOCK_PREFIX": self.name.replace("_", ""),
            "RABBITMQ_HOST": self.rabbitmq_host,
            "RABBITMQ_PORT": str(self.rabbitmq_port),
            "RABBITMQ_USERNAME": self.rabbitmq_username,
            "RABBITMQ_PASSWORD": self.rabbitmq_password,
            "RABBITMQ_QUEUE": f"{self.name}_events",
            "TICKET_LOCK_LIFETIME": str(self.lock_lifetime),
        }


def get_settings() -> ClusterSettings:
    """Fresh settings from the current environment."""
    return ClusterSettings()

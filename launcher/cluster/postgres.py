"""A PostgreSQL server of its own for one cluster run, to stop and start at will.

The fault campaign restarts PostgreSQL under the cluster's Rasa servers, portal and console. The
machine's server is shared (other tests, other applications), so restarting it is not an option:
this one is initialised in a fresh directory (``initdb``, trust authentication, loopback only, its
Unix socket in its own directory) on a free port, and removed with everything in it when the
context ends. PostgreSQL refuses to run as root; as root, its commands run as the ``postgres``
user (or ``nobody``), who owns the directory.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from launcher.processes import free_port

SUPERUSER = "postgres"
START_TIMEOUT_S = 60


class PostgresMissingError(RuntimeError):
    """No PostgreSQL server binaries where the settings say (``POSTGRES_BIN_DIR``)."""


@dataclass(frozen=True)
class PostgresServer:
    """One initialised data directory and the port it serves on."""

    bin_dir: Path
    data_dir: Path
    port: int
    os_user: str | None  # run the commands as this user (when we are root)

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            [str(self.bin_dir / command[0]), *command[1:]],
            user=self.os_user,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=START_TIMEOUT_S + 30,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed (exit {done.returncode}): {done.stdout.strip()[-500:]}")

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        # fsync off: a throwaway server needs no crash safety, and a clean stop writes everything.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir.parent} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w",
                  "-t", str(START_TIMEOUT_S), "start")  # fmt: skip

    def stop(self) -> None:
        """Stop at once (``-m fast``: open sessions are disconnected, as in a real restart)."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def restart(self, down_s: float) -> tuple[float, float]:
        """Stop, stay down ``down_s`` seconds, start; the wall-clock times it went down and was back."""
        down_at = time.time()
        self.stop()
        time.sleep(down_s)
        self.start()
        return down_at, time.time()


def bin_dir_problem(bin_dir: Path) -> str | None:
    """Why PostgreSQL cannot be started from ``bin_dir``, or None."""
    missing = [name for name in ("initdb", "pg_ctl") if not os.access(bin_dir / name, os.X_OK)]
    if missing:
        return f"no PostgreSQL {' or '.join(missing)} in {bin_dir} (POSTGRES_BIN_DIR)"
    return None


def _os_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name).pw_name
    raise PostgresMissingError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


@contextlib.contextmanager
def throwaway_postgres(bin_dir: Path) -> Iterator[PostgresServer]:
    """A running server on a free loopback port, superuser ``postgres`` without password, database
    ``postgres``; stopped and deleted afterwards."""
    problem = bin_dir_problem(bin_dir)
    if problem:
        raise PostgresMissingError(problem)
    user = _os_user()
    # Not under pytest's tmp folder: that one is private to root, and the server may run as postgres.
    root = Path(tempfile.mkdtemp(prefix="throwaway-pg-"))
    server = PostgresServer(bin_dir, root / "data", free_port(), user)
    try:
        if user is not None:
            shutil.chown(root, user=user)
        server._run("initdb", "-D", str(server.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        server.start()
        yield server
    finally:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)

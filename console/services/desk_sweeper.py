"""The desk's background sweep: a conversation a staff member took and then left goes back to the
bot after ``CONSOLE_HANDOFF_IDLE_MINUTES`` (see :func:`console.services.desk.release_idle`).

Runs in a daemon thread of the console process, once a minute. With several console processes
each sweeps; the release is a compare-and-set on the request's row, so a conversation is handed
back once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import sessionmaker

from console.services import desk
from console.services.rasa_api import RasaApi

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 60.0


class IdleHandoffSweeper:
    def __init__(
        self,
        factory: sessionmaker,
        rasa: Callable[[], RasaApi],
        idle_minutes: int,
        interval_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self._factory = factory
        self._rasa = rasa
        self._idle_minutes = idle_minutes
        self._interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start sweeping (once, however often the app starts up)."""
        if self._idle_minutes > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="idle-handoff-sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def sweep(self) -> list[int]:
        released = desk.release_idle(self._factory, self._rasa(), self._idle_minutes)
        if released:
            logger.info("desk.idle_release count=%d", len(released))
        return released

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.sweep()
            except Exception as error:  # the next minute tries again; never the console's death
                logger.warning("desk.idle_release.failed error=%s", type(error).__name__)

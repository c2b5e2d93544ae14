"""Every synchronous custom action runs in a worker thread, never on the action server's event loop.

The Rasa SDK serves actions from one asyncio event loop and calls a synchronous ``Action.run``
directly on it. Our actions talk to the portal and the console with ``requests`` (blocking), so one
slow portal answer would hold every other conversation's action for as long as it takes: five
citizens looking up dossiers while the portal is slow would wait five times over. Here the executor
is told, once, to run each synchronous ``run`` with :func:`asyncio.to_thread`; ``run`` itself stays
an ordinary function (tests and other callers use it as is), and asynchronous ones (form
validation) are left as they are.

Installed by ``actions/__init__.py`` before the SDK registers the actions; checked against
``rasa-sdk==3.6.2`` (``ActionExecutor.register_function`` stores the callable it is given).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from typing import Any

import rasa_sdk
from rasa_sdk.executor import ActionExecutor

logger = logging.getLogger(__name__)
CHECKED_SDK_VERSION = "3.6.2"
_installed: list[bool] = []


def off_loop(run: Callable[..., Any]) -> Callable[..., Any]:
    """``run`` as a coroutine function that executes it in a worker thread."""
    if inspect.iscoroutinefunction(run):
        return run

    @functools.wraps(run)
    async def run_in_thread(*args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(run, *args, **kwargs)

    return run_in_thread


def install() -> None:
    """Make the SDK's executor register synchronous actions off the loop (idempotent)."""
    if _installed:
        return
    if rasa_sdk.__version__ != CHECKED_SDK_VERSION:
        logger.warning(
            "rasa-sdk %s is not %s: actions run on the event loop", rasa_sdk.__version__, CHECKED_SDK_VERSION
        )
        return
    register_function = ActionExecutor.register_function

    def register_off_loop(self: ActionExecutor, name: str, f: Callable[..., Any]) -> None:
        register_function(self, name, off_loop(f))

    ActionExecutor.register_function = register_off_loop  # type: ignore[method-assign]
    _installed.append(True)

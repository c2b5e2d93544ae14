"""What a test does when a machine service or tool it needs is absent.

On a developer's machine it is skipped, with the reason. Under ``CI=true`` it FAILS: CI machines
have Chromium, PostgreSQL, Redis and RabbitMQ (``.ci/run`` starts them), so a skip there would only
hide a broken setup while the run looks green.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """True when the run is CI's (``CI=true``, as set by .ci/run and every CI service)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(message: str) -> NoReturn:
    """Skip the test for ``message``, or fail it under CI."""
    if in_ci():
        pytest.fail(f"{message} (required under CI=true, never skipped)", pytrace=False)
    pytest.skip(message, allow_module_level=True)


def import_or_missing(module: str, message: str) -> ModuleType:
    """``import module``, or :func:`missing` when it is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(message)

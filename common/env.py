"""Typed reads of environment variables, for the settings modules only.

Every service reads its configuration in one settings module (``actions/settings.py``,
``portal/settings.py``, ``console/settings.py``, ``web/settings.py``, ``launcher/settings.py``, ...)
through these functions, so a bad value stops the service at start with one line naming the variable
and the value (``error: PORTAL_PORT must be an integer, got 'abc'``) instead of a traceback, or a
wrong default silently used. An unset or blank variable means its documented default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


class SettingsError(SystemExit):
    """A variable holds a value its setting cannot use.

    A :class:`SystemExit` on purpose, like the production checks (:mod:`common.production`): raised
    while a service reads its settings at start, it ends the process with its one-line message and
    exit code 1, whichever framework (uvicorn, Rasa, the Rasa SDK) is loading the service.
    """

    def __init__(self, name: str, value: str, expected: str) -> None:
        self.name, self.value = name, value
        super().__init__(f"error: {name} must be {expected}, got {value!r}")


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return value if value is not None and value.strip() else None


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    """The variable's value, or ``default`` when it is unset or blank."""
    value = _raw(name, environ)
    return default if value is None else value


def env_int(
    name: str,
    default: int,
    environ: Mapping[str, str] | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer within ``[minimum, maximum]`` (each bound optional)."""
    value = _raw(name, environ)
    if value is None:
        return default
    expected = _range("an integer", minimum, maximum)
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(name, value, expected) from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise SettingsError(name, value, expected)
    return number


def env_port(name: str, default: int, environ: Mapping[str, str] | None = None) -> int:
    """A TCP port (1-65535)."""
    return env_int(name, default, environ, minimum=1, maximum=65535)


def env_float(name: str, default: float, environ: Mapping[str, str] | None = None, *, minimum: float = 0.0) -> float:
    """A finite number of at least ``minimum`` (durations and thresholds are never negative)."""
    value = _raw(name, environ)
    if value is None:
        return default
    expected = _range("a number", minimum, None)
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(name, value, expected) from None
    if not minimum <= number < float("inf"):
        raise SettingsError(name, value, expected)
    return number


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    """``true/false``, ``yes/no``, ``on/off`` or ``1/0`` (any case)."""
    value = _raw(name, environ)
    if value is None:
        return default
    if value.strip().lower() in TRUE_WORDS:
        return True
    if value.strip().lower() in FALSE_WORDS:
        return False
    raise SettingsError(name, value, "true or false")


def _range(kind: str, minimum: float | None, maximum: float | None) -> str:
    if minimum is None and maximum is None:
        return kind
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum} to {maximum}"
    return f"{kind} of at least {minimum}" if minimum is not None else f"{kind} of at most {maximum}"

"""Structured logs: one JSON object per line, never personal data.

Request logs carry the method, the route template (``/api/v1/procedures/{code}``), status and
duration, never query strings or bodies (citizens type their ID numbers there). Exceptions are
logged as their type and source location only: exception messages can embed SQL parameters.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import datetime, timezone
from typing import Any

from common.text.log_redaction import install as install_log_redaction

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON line; extra fields (``extra={...}``) become keys."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key != "color_message" and not key.startswith("_"):
                payload[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            payload["exc_type"] = record.exc_info[0].__name__
            payload["exc_where"] = exception_locations(record.exc_info[2])
        return json.dumps(payload, ensure_ascii=False, default=str)


def exception_locations(tb: Any, depth: int = 6) -> list[str]:
    """The innermost ``depth`` frames as ``file:line function`` (no locals, no message)."""
    frames = traceback.extract_tb(tb)[-depth:] if tb is not None else []
    return [f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}" for frame in frames]


def configure_logging(level: str = "INFO") -> None:
    """Send every logger (ours and uvicorn's) to stderr as JSON lines."""
    install_log_redaction()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True

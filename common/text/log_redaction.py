"""Log hygiene shared by every process: no secret, no citizen text, no personal number in a log line.

Installed once at process start (:func:`install`) as a log-record factory, so it holds whatever
handlers and formatters a framework configures later (uvicorn, Rasa, the Rasa SDK): every record is
redacted when it is created. Two things are removed:

* the values of sensitive query parameters in any URL (``?token=`` of Rasa's HTTP API, ``?q=`` of a
  search or FAQ match, which carries what the citizen typed);
* personal data (:func:`common.text.pii.mask_pii`): ID numbers, phone numbers, e-mail addresses.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from common.text.pii import mask_pii

SENSITIVE_QUERY_KEYS = ("token", "access_token", "refresh_token", "secret", "password", "q", "query", "text")
_QUERY_VALUE = re.compile(rf"([?&](?:{'|'.join(SENSITIVE_QUERY_KEYS)})=)[^&\s\"'#]*", re.IGNORECASE)
REDACTED = "[redacted]"
# uvicorn's access records keep (client, method, path, http version, status) as arguments, and its
# formatter unpacks them: only the path is rewritten there.
_ACCESS_LOGGER = "uvicorn.access"
_ACCESS_PATH_INDEX = 2


def redact(text: str) -> str:
    """``text`` without sensitive query values and with personal data masked."""
    return mask_pii(_QUERY_VALUE.sub(rf"\1{REDACTED}", text))


def redact_record(record: logging.LogRecord) -> None:
    """Rewrite ``record`` in place (message, arguments and exception text)."""
    args = record.args
    if record.name == _ACCESS_LOGGER and isinstance(args, tuple) and len(args) > _ACCESS_PATH_INDEX:
        values = list(args)
        values[_ACCESS_PATH_INDEX] = redact(str(values[_ACCESS_PATH_INDEX]))
        record.args = tuple(values)
        return
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a malformed call: keep what can be kept, redacted
        message = f"{record.msg} {args!r}"
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        # Exception messages can embed URLs and values (requests puts the whole URL in its errors);
        # formatters print ``exc_text`` when it is set. ``exc_info`` stays for structured formatters
        # that log only the exception's type and location.
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


_installed = False


def install() -> None:
    """Redact every log record this process creates from now on (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True

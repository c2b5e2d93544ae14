"""Rows of Rasa's SQL tracker store (the ``events`` table of ``SQLTrackerStore``), read outside Rasa.

Each row keeps its event as JSON in the ``data`` column. Rows are written by Rasa and changed by the
console's retention job; one unreadable row must never break a transcript, a review queue or a
conversation, so reading it is one tolerant function.
"""

from __future__ import annotations

import json
from typing import Any


def decode_event(raw: str | None) -> dict[str, Any]:
    """The event stored in a row's ``data`` column; an empty dict when it is missing or not a JSON object."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

"""Masking of personal data (ID numbers, phone numbers) in free text.

Used wherever text leaves the turn it was typed in: the tracker store, logs, handoff transcripts.
Masking keeps the shape ("0791******89") so staff can still see that a number was given.
"""

from __future__ import annotations

import re

# 9-12 digit ID numbers (CMND/CCCD) and Vietnamese phone numbers, digits possibly spaced/dotted.
_NUMBER_RUN = re.compile(r"(?<![\w.-])\+?\d(?:[ .-]?\d){8,13}(?![\w-])")
MASK_CHAR = "*"


def mask_digits(value: str, keep_start: int = 2, keep_end: int = 0) -> str:
    """Replace the digits of ``value`` except the first ``keep_start`` and last ``keep_end``."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = set(positions[:keep_start]) | (set(positions[-keep_end:]) if keep_end else set())
    return "".join(MASK_CHAR if i in positions and i not in keep else ch for i, ch in enumerate(value))


def mask_pii(text: str, extra_values: tuple[str, ...] = ()) -> str:
    """Mask long digit runs (IDs, phones) and any ``extra_values`` (e.g. a 4-digit factor)."""
    masked = _NUMBER_RUN.sub(lambda match: mask_digits(match.group(0)), text)
    for value in extra_values:
        if value and value in masked:
            masked = masked.replace(value, MASK_CHAR * len(value))
    return masked

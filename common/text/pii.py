"""Masking of personal data (ID numbers, phone numbers, e-mail addresses) in free text.

Used wherever text leaves the turn it was typed in: the tracker store, logs, handoff transcripts.
Masking keeps the shape ("0791******89", "ng***@gmail.com") so staff can still see that a number or
an address was given.

What counts as a personal number is deliberately broad: 9 to 14 digits, whatever single separator
citizens put between them (space, dot, comma, hyphen: "0912 345 670", "0912,345,670") and glued to
letters ("sdt0912345678"). Dossier codes (``000.00.01.H29-240115-0001``) are not personal data and
stay readable: staff need them.
"""

from __future__ import annotations

import re

from common.text.patterns import DOSSIER_CODE_PATTERN

# A digit run of 9-14 digits with at most one separator between two digits.
_NUMBER_RUN = re.compile(r"(?<!\d)\+?\d(?:[ .,-]?\d){8,13}(?!\d)")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
# Dossier codes, as the tokenizer and the entity extractor recognise them (unit - YYMMDD - sequence).
_DOSSIER_CODE = re.compile(DOSSIER_CODE_PATTERN, re.IGNORECASE)
MASK_CHAR = "*"


def mask_digits(value: str, keep_start: int = 2, keep_end: int = 0) -> str:
    """Replace the digits of ``value`` except the first ``keep_start`` and last ``keep_end``."""
    positions = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = set(positions[:keep_start]) | (set(positions[-keep_end:]) if keep_end else set())
    return "".join(MASK_CHAR if i in positions and i not in keep else ch for i, ch in enumerate(value))


def _mask_numbers(text: str) -> str:
    return _NUMBER_RUN.sub(lambda match: mask_digits(match.group(0)), text)


def mask_pii(text: str, extra_values: tuple[str, ...] = ()) -> str:
    """Mask long digit runs (IDs, phones), e-mail addresses and any ``extra_values`` (e.g. a
    4-digit verification factor); dossier codes are kept as they are."""
    pieces: list[str] = []
    position = 0
    for code in _DOSSIER_CODE.finditer(text):
        pieces.append(_mask_numbers(text[position : code.start()]))
        pieces.append(code.group(0))
        position = code.end()
    pieces.append(_mask_numbers(text[position:]))
    masked = _EMAIL.sub(lambda match: f"{match.group(1)}***@{match.group(2)}", "".join(pieces))
    for value in extra_values:
        if value and value in masked:
            masked = masked.replace(value, MASK_CHAR * len(value))
    return masked

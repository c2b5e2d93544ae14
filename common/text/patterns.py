"""Spans that must stay ONE token, and the canonical values of the structured ones.

underthesea's regex tokenizer splits ``000.00.01.H29-240115-0001`` at dots and hyphens, reads
``0912 345 678`` as three numbers and cuts URLs. The tokenizer protects these spans before
segmentation, and the entity extractor reuses the very same patterns, so an extracted entity
always starts and ends on token boundaries (DIET warns "Misaligned entity annotation"
otherwise).

Patterns run on the normalized copy of a message (see :mod:`bot.nlu.alignment`),
case-insensitively. Order matters: the first alternative that matches at a position wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

DOSSIER_CODE = "dossier_code"
ID_NUMBER = "id_number"
PHONE_NUMBER = "phone_number"
URL = "url"
EMAIL = "email"
DATE = "date"
NUMBER = "number"

# Dossier code (Thông tư 01/2018/TT-VPCP, Điều 19): <unit>-<YYMMDD>-<4-digit sequence>.
# The unit is digit groups around one letter+2 digits group (H29 province, G12 ministry):
# "000.00.01.H29", "000.17.22.H56", "H56.14". Citizens drop dots, use spaces or lower case.
_UNIT = r"(?:\d{2,3}[.\s]?){0,4}[a-z]\d{2}(?:[.\s]?\d{2,3}){0,4}"
_CODE_SEP = r"(?:\s*[-–—]\s*|[.\s])"
# Public: log and transcript masking (common.text.pii) finds codes with the same pattern.
DOSSIER_CODE_PATTERN = rf"(?<![\w.]){_UNIT}{_CODE_SEP}\d{{6}}{_CODE_SEP}\d{{4}}(?![\w])"
_URL = r"(?:https?://|www\.)[^\s<>\"']+|(?<![\w@.])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|gov|edu|info|io)\b(?:/[^\s<>\"']*)?"
_EMAIL = r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# 12-digit personal ID (số định danh cá nhân / CCCD), contiguous or in groups of 3 or 4.
_ID = r"(?<![\d+])(?:\d{12}|\d{4}[ .]\d{4}[ .]\d{4}|\d{3}[ .]\d{3}[ .]\d{3}[ .]\d{3})(?![\d])"
# Vietnamese mobile: 0 or +84, then 3/5/7/8/9 and 8 more digits, optional single separators.
_PHONE = r"(?<![\d+])(?:\+84[\s.-]?|\(\+84\)\s?|0)[35789](?:[\s.-]?\d){8}(?![\d])"
_DATE = r"(?<![\d/])\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])"
_NUMBER = r"(?<![\d.,])\d+(?:[.,]\d+)+(?![\d])"

_PROTECTED = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in [
            (URL, _URL),
            (EMAIL, _EMAIL),
            (DOSSIER_CODE, DOSSIER_CODE_PATTERN),
            (ID_NUMBER, _ID),
            (PHONE_NUMBER, _PHONE),
            (DATE, _DATE),
            (NUMBER, _NUMBER),
        ]
    ),
    re.IGNORECASE,
)
_TRAILING_PUNCT = ".,;:!?)]}\"'”’»…"


@dataclass(frozen=True)
class ProtectedSpan:
    """A span of the normalized text that is one token, with its kind (a constant above)."""

    start: int
    end: int
    kind: str


def find_protected(text: str) -> Iterator[ProtectedSpan]:
    """Non-overlapping protected spans of ``text``, left to right."""
    for match in _PROTECTED.finditer(text):
        kind = match.lastgroup or NUMBER
        start, end = match.span()
        if kind in (URL, EMAIL):
            while end > start and text[end - 1] in _TRAILING_PUNCT:
                end -= 1
        if end > start:
            yield ProtectedSpan(start, end, kind)


def canonical_dossier_code(raw: str) -> str:
    """Upper-case canonical code: ``"000 00 01 h29 - 240115 - 0001"`` -> ``000.00.01.H29-240115-0001``.

    Separators inside the unit become dots; a unit typed without dots ("0000001H29") is
    regrouped 3-2-2 before the letter group and 2-2-... after it.
    """
    compact = re.sub(r"\s*[-–—]\s*", "-", raw.strip().upper())
    match = re.fullmatch(r"(.+?)[-.\s](\d{6})[-.\s](\d{4})", compact)
    if not match:
        return re.sub(r"\s+", "", compact)
    unit, day, sequence = match.groups()
    groups = [group for group in re.split(r"[.\s]+", unit) if group]
    regrouped: list[str] = []
    for group in groups:
        letter = re.search(r"[A-Z]\d{2}", group)
        if letter is None or len(group) == 3:
            regrouped.extend(_split_digits(group, before_letter=True))
            continue
        head, tail = group[: letter.start()], group[letter.end() :]
        regrouped.extend(_split_digits(head, before_letter=True) if head else [])
        regrouped.append(letter.group(0))
        regrouped.extend(_split_digits(tail, before_letter=False) if tail else [])
    return f"{'.'.join(regrouped)}-{day}-{sequence}"


def _split_digits(digits: str, *, before_letter: bool) -> list[str]:
    """Regroup an undotted digit run: 7 digits before the letter group are 3-2-2, else pairs."""
    if not digits.isdigit() or len(digits) <= 3:
        return [digits]
    if before_letter and len(digits) == 7:
        return [digits[:3], digits[3:5], digits[5:]]
    if len(digits) % 2:
        return [digits]
    return [digits[i : i + 2] for i in range(0, len(digits), 2)]


def canonical_id_number(raw: str) -> str:
    """The 12 digits without separators."""
    return re.sub(r"\D", "", raw)


def canonical_phone_number(raw: str) -> str:
    """National format ``0xxxxxxxxx`` ("+84 912 345 678" -> "0912345678")."""
    digits = re.sub(r"\D", "", raw)
    if raw.lstrip("( ").startswith("+84"):
        digits = "0" + digits[2:]
    return digits

"""Dossier codes (mã hồ sơ): parse what citizens type into the one canonical national form.

Format (Thông tư 01/2018/TT-VPCP, Điều 19): ``<unit code>-<YYMMDD received>-<4-digit daily sequence>``,
e.g. ``000.00.01.H29-240115-0001`` or ``H56.14-240823-0001``. Citizens read the code off a receipt
and type it with spaces, in lower case, or without the dots and dashes. The date and the sequence
have fixed widths, so the last ten digits can always be split off; the unit code is rebuilt from the
standard layouts (``AAA.BB.CC.Xnn`` and ``Xnn.NN``) or, for other layouts, from the separators the
citizen typed. Anything else is refused (``None``) rather than guessed: a guessed code would look
up somebody else's dossier number.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from datetime import date

MAX_CODE_INPUT = 100
_SEPARATORS = re.compile(r"[\s.\-_/–—:]+")
_FULL_UNIT = re.compile(r"^(\d{3})(\d{2})(\d{2})([A-Z]\d{2})$")  # 000.00.01.H29
_SHORT_UNIT = re.compile(r"^([A-Z]\d{2})(\d{2,3})?$")  # H56.14, H55.242, H56
_SEGMENT = re.compile(r"^[0-9A-Z]{1,4}$")
_LEVEL1 = re.compile(r"^[A-Z]\d{2}$")  # Gxx (ministries), Hxx (provinces)
_TAIL_LEN = 10  # YYMMDD + 4-digit sequence


def parse_dossier_code(text: str | None) -> str | None:
    """Return the canonical code for ``text``, or ``None`` when it is not a valid dossier code."""
    if not text or len(text) > MAX_CODE_INPUT:
        return None
    cleaned = unicodedata.normalize("NFKC", text).strip().upper()
    tokens = [t for t in _SEPARATORS.split(cleaned) if t]
    if not tokens or not all(t.isascii() and t.isalnum() for t in tokens):
        return None
    compact = "".join(tokens)
    # Positions in ``compact`` where the citizen typed a separator.
    cuts: set[int] = set()
    position = 0
    for token in tokens[:-1]:
        position += len(token)
        cuts.add(position)
    if len(compact) <= _TAIL_LEN:
        return None
    tail = compact[-_TAIL_LEN:]
    if not tail.isdigit():
        return None
    received, sequence = tail[:6], tail[6:]
    if received_date_of(received) is None or sequence == "0000":
        return None
    unit_compact = compact[:-_TAIL_LEN]
    # A separator inside the date or the sequence means a garbled code, not a missing dash.
    sequence_start = len(compact) - 4
    if any(len(unit_compact) < c < len(compact) and c != sequence_start for c in cuts):
        return None
    unit_cuts = sorted(c for c in cuts if 0 < c < len(unit_compact))
    unit = _canonical_unit(unit_compact, unit_cuts)
    if unit is None:
        return None
    return f"{unit}-{received}-{sequence}"


def received_date_of(yymmdd: str) -> date | None:
    """The calendar date of a ``YYMMDD`` code part (years 2000-2099), or ``None`` if impossible."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        return None
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return None


def _canonical_unit(unit: str, cuts: list[int]) -> str | None:
    """Rebuild the dotted unit code; standard layouts win over the citizen's separators."""
    for layout in (_FULL_UNIT, _SHORT_UNIT):
        match = layout.match(unit)
        if match is None:
            continue
        parts = [g for g in match.groups() if g]
        standard_cuts = set(itertools.accumulate(len(p) for p in parts[:-1]))
        if set(cuts) <= standard_cuts:  # the citizen's separators (if any) agree with the layout
            return ".".join(parts)
    if not cuts:
        return None  # an unknown layout without separators is ambiguous
    bounds = [0, *cuts, len(unit)]
    segments = [unit[a:b] for a, b in itertools.pairwise(bounds)]
    if len(segments) > 5 or not all(_SEGMENT.match(s) for s in segments):
        return None
    if not any(_LEVEL1.match(s) for s in segments):
        return None
    return ".".join(segments)


def code_received_date(code: str) -> date | None:
    """The received date encoded in a canonical code."""
    parts = code.rsplit("-", 2)
    return received_date_of(parts[1]) if len(parts) == 3 else None

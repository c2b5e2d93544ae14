"""Staff corrections (corrections.yml) applied to parsed procedures on import.

The national catalog is the source of truth, but some cells contradict their own notes (a fee cell
"Miễn phí" beside "Lệ phí ...: 135.000 đồng/lần"). Staff record each override with a reason and a
source; the importer applies it to the parsed record and stores it with the procedure, so an answer
can always say that a value was corrected, why, and from where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from portal.catalog.text import clean_text

DEFAULT_CORRECTIONS = Path(__file__).with_name("corrections.yml")
_REQUIRED = ("code", "field", "value", "reason", "source")
_CHANNEL_FIELD = re.compile(r"channels\[(?P<which>\*|in_person|online|post)\]\.(?P<attr>\w+)")
_CHANNEL_ATTRS = {"time_value", "time_unit", "time_text", "fee_amount", "fee_text", "description"}


@dataclass(frozen=True)
class Correction:
    """One override: set ``field`` of procedure ``code`` to ``value``."""

    code: str
    field: str
    value: Any
    reason: str
    source: str
    evidence: str = ""


def load_corrections(path: Path | None = None) -> list[Correction]:
    """Read and validate the corrections file; a malformed entry is an error, not a silent skip."""
    data = yaml.safe_load((path or DEFAULT_CORRECTIONS).read_text(encoding="utf-8")) or {}
    entries = data.get("corrections") or []
    corrections = []
    for i, entry in enumerate(entries):
        missing = [key for key in _REQUIRED if key not in entry]
        if missing:
            raise ValueError(f"correction #{i + 1} lacks {', '.join(missing)}")
        field = str(entry["field"])
        if not _valid_field(field):
            raise ValueError(f"correction #{i + 1}: unsupported field path {field!r}")
        corrections.append(
            Correction(
                code=str(entry["code"]).strip(),
                field=field,
                value=clean_text(entry["value"]) if isinstance(entry["value"], str) else entry["value"],
                reason=clean_text(" ".join(str(entry["reason"]).split())),
                source=clean_text(str(entry["source"])),
                evidence=clean_text(str(entry.get("evidence") or "")),
            )
        )
    return corrections


def _valid_field(field: str) -> bool:
    match = _CHANNEL_FIELD.fullmatch(field)
    if match:
        return match.group("attr") in _CHANNEL_ATTRS
    return field.isidentifier() and field not in {"code", "channels", "cases", "steps", "raw", "corrections"}


def apply_corrections(data: dict[str, Any], corrections: list[Correction], source_text: str) -> list[str]:
    """Apply the procedure's corrections to its parsed ``data`` in place; return problems found.

    Applied corrections are appended to ``data["corrections"]``. A correction whose evidence is no
    longer in the source text, or whose path matches nothing, is skipped and reported.
    """
    problems = []
    for correction in corrections:
        if correction.evidence and correction.evidence not in source_text:
            problems.append(f"{correction.field}: evidence {correction.evidence!r} no longer in the record; skipped")
            continue
        originals = _set(data, correction)
        if not originals:
            problems.append(f"{correction.field}: matches nothing in the parsed record; skipped")
            continue
        data.setdefault("corrections", []).append(
            {
                "field": correction.field,
                "value": correction.value,
                "original": originals[0] if len(set(map(repr, originals))) == 1 else originals,
                "reason": correction.reason,
                "source": correction.source,
            }
        )
    return problems


def _set(data: dict[str, Any], correction: Correction) -> list[Any]:
    """Set the value; return the previous value of every place it was set (empty: no match)."""
    match = _CHANNEL_FIELD.fullmatch(correction.field)
    if not match:
        if correction.field not in data:
            return []
        original = data[correction.field]
        data[correction.field] = correction.value
        return [original]
    which, attr = match.group("which"), match.group("attr")
    originals = []
    for channel in data.get("channels", []):
        if which in ("*", channel["channel"]):
            originals.append(channel[attr])
            channel[attr] = correction.value
            if attr == "fee_amount":
                channel["fee_flag"] = "corrected"
    return originals


def corrections_by_code(corrections: list[Correction]) -> dict[str, list[Correction]]:
    grouped: dict[str, list[Correction]] = {}
    for correction in corrections:
        grouped.setdefault(correction.code, []).append(correction)
    return grouped

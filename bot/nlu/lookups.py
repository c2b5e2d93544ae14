"""Gazetteer matching of procedures, fields (lĩnh vực) and locations, with canonical values.

Tables come from ``bot/nlu/gazetteer.json`` (``scripts/generate_nlu_lookups.py``: catalog names,
colloquial names, provinces; the same surfaces as the Rasa lookup tables) and, for communes and old districts, from
underthesea's offline address data ("xã Tân Phú, huyện Châu Thành, tỉnh Bến Tre" is one location
whose value is the current unit, "Xã Tân Phú, Tỉnh Vĩnh Long").

Matching is on whole words of the normalized message, longest match first, after the same
spelling correction the tokenizer applies ("đăg" -> "đăng", :mod:`bot.nlu.spelling`) and the
lexicon's expansions ("đky" -> "đăng ký", "bhyt" -> "bảo hiểm y tế"); a match covers the words as
sent. Accents decide as in the portal search: an accented span must match an accented surface
("sổ đỏ" is not "sơ đồ"); an unaccented span matches the accent-free form; in a span typed partly
without accents ("đăng ky kết hôn") each accented word must be the surface's word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.nlu.spelling import load_corrector
from common.text.normalize import fold_accents, has_diacritics, normalize_text
from common.text.teencode import load_lexicon
from common.text.underthesea_import import import_underthesea

GAZETTEER_FILE = Path(__file__).resolve().parent / "gazetteer.json"
LOOKUP_TYPES = ("procedure", "location", "field")  # matching order: earlier types win overlaps
_WORD = re.compile(r"[^\W_]+")
_UNIT_WORDS = ("xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "thành phố", "tỉnh")
MAX_WORDS = 12


@dataclass(frozen=True)
class Table:
    """Word-tuple keys -> canonical value, accented and accent-free."""

    accented: dict[tuple[str, ...], str]
    folded: dict[tuple[str, ...], str]
    longest: int
    spellings: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]  # folded key -> accented surfaces

    def lookup(self, words: tuple[str, ...], folded: tuple[str, ...], accents: tuple[bool, ...]) -> str | None:
        """Canonical value of a span of lower-case words, given their accent-free forms and which
        of them carry diacritics (see the module docstring for accents)."""
        if all(accents):
            return self.accented.get(words)
        value = self.folded.get(folded)
        if value is None or not any(accents):
            return value
        for surface in self.spellings.get(folded, ()):
            if all(
                not accented or word == spelt for word, spelt, accented in zip(words, surface, accents, strict=True)
            ):
                return self.accented[surface]
        return None


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(normalize_text(text).lower()))


def _table(entries: dict[str, str]) -> Table:
    accented: dict[tuple[str, ...], str] = {}
    folded: dict[tuple[str, ...], str] = {}
    spellings: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for surface, canonical in entries.items():
        words = _words(surface)
        if not words:
            continue
        key = tuple(fold_accents(w) for w in words)
        if has_diacritics(surface):
            accented.setdefault(words, canonical)
            spellings.setdefault(key, []).append(words)
        folded.setdefault(key, canonical)
    longest = max((len(k) for k in folded), default=0)
    return Table(accented, folded, min(longest, MAX_WORDS), {k: tuple(v) for k, v in spellings.items()})


def _address_units() -> dict[str, str]:
    """Unit-prefixed commune and old district names (underthesea data) -> themselves."""
    path = Path(import_underthesea().__file__).parent / "address" / "data" / "mapping.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    units: dict[str, str] = {}
    for row in data["ward_mapping"]:
        for key in ("old_ward", "new_ward", "old_district"):
            name = row.get(key) or ""
            if name.lower().startswith(_UNIT_WORDS):
                units.setdefault(name.lower(), name)
    return units


@lru_cache(maxsize=2)
def load_tables(path: str = str(GAZETTEER_FILE)) -> dict[str, Table]:
    """Entity type -> table, from the generated gazetteer (+ address units for location)."""
    entries: dict[str, dict[str, str]] = json.loads(Path(path).read_text(encoding="utf-8"))
    entries.setdefault("location", {}).update(
        {surface: value for surface, value in _address_units().items() if surface not in entries["location"]}
    )
    return {name: _table(values) for name, values in entries.items()}


def _canonical_location(span: str, value: str, parts: int) -> str:
    """Current unit of an address ("xã Tân Phú, huyện Châu Thành, tỉnh Bến Tre") when it converts."""
    if parts < 2 and not span.lower().startswith(_UNIT_WORDS[:4]):
        return value
    try:
        import_underthesea()
        from underthesea.address import convert_address

        result = convert_address(span)
    except Exception:  # pragma: no cover - the address data is an optional nicety
        return value
    return result.converted or value


def find_lookup_entities(text: str, types: tuple[str, ...] = LOOKUP_TYPES) -> list[dict[str, Any]]:
    """Entities of ``types`` in ``text`` (offsets into ``text`` as given, which must be NFC-length
    preserving; callers pass the normalized view's text and map offsets back)."""
    tables = load_tables()
    words = _corrected_words(text)
    folded = [fold_accents(w) for _, _, w in words]
    accents = [has_diacritics(w) for _, _, w in words]
    taken = [False] * len(words)
    found: list[dict[str, Any]] = []
    for entity in types:
        table = tables.get(entity)
        if table is None:
            continue
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(table.longest, len(words) - i), 0, -1):
                if any(taken[i : i + n]):
                    continue
                span = slice(i, i + n)
                value = table.lookup(tuple(w for _, _, w in words[span]), tuple(folded[span]), tuple(accents[span]))
                if value is not None:
                    hit = (n, value)
                    break
            if hit is None:
                i += 1
                continue
            n, value = hit
            for k in range(i, i + n):
                taken[k] = True
            found.append(
                {"entity": entity, "start": words[i][0], "end": words[i + n - 1][1], "value": value, "parts": 1}
            )
            i += n
    found.sort(key=lambda e: e["start"])
    return _merge_addresses(text, found)


def _corrected_words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of every word, spell-corrected and lexicon-expanded: an expansion's
    words all carry the span of the word as sent ("đky" -> "đăng", "ký")."""
    spell = load_corrector().correct
    expansions = load_lexicon().expansions
    words = []
    for match in _WORD.finditer(text):
        word = spell(match.group(0)).lower()
        for part in expansions.get(word, word).split():
            words.append((match.start(), match.end(), part))
    return words


def _merge_addresses(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join "xã A, huyện B, tỉnh C" (locations separated only by commas/spaces) into one."""
    merged: list[dict[str, Any]] = []
    for entity in entities:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and entity["entity"] == previous["entity"] == "location"
            and re.fullmatch(r"[\s,\-]*", text[previous["end"] : entity["start"]])
        ):
            previous["end"] = entity["end"]
            previous["parts"] += 1
            continue
        merged.append(dict(entity))
    for entity in merged:
        parts = entity.pop("parts")
        if entity["entity"] == "location":
            entity["value"] = _canonical_location(text[entity["start"] : entity["end"]], entity["value"], parts)
    return merged

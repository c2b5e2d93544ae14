"""Teencode and abbreviation lexicon (data in ``common/text/lexicon.yml``).

Citizens write "ko dc", "bn tiền", "lam cccd". The lexicon maps such single tokens to the
standard words they stand for. It is data, not code, so that reviewers who do not read Python
can extend it; this module only loads, validates and looks up.

Expansion is meant for *features* (token lemmas), never for message text: rewriting the text
would move every entity offset after the rewritten token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from common.text.normalize import normalize_text

DEFAULT_LEXICON_PATH = Path(__file__).with_name("lexicon.yml")
_EXPANDED_SECTIONS = ("teencode", "abbreviations")


class LexiconError(ValueError):
    """The lexicon file is malformed (duplicate or ambiguous keys, non-string values, ...)."""


def _key(token: str) -> str:
    """Lookup key: NFC, traditional tone placement, lower-case, surrounding spaces removed."""
    return normalize_text(token.strip()).lower()


@dataclass(frozen=True)
class Lexicon:
    """Token -> expansion map plus the ambiguous forms that must not be expanded."""

    expansions: Mapping[str, str]
    ambiguous: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def expand(self, token: str) -> str | None:
        """The standard form of ``token`` (a single token, any case or normalization) or None."""
        return self.expansions.get(_key(token))

    def __len__(self) -> int:
        return len(self.expansions)


def parse_lexicon(data: Mapping[str, object]) -> Lexicon:
    """Build a :class:`Lexicon` from the parsed YAML mapping, validating it."""
    expansions: dict[str, str] = {}
    for section in _EXPANDED_SECTIONS:
        entries = data.get(section) or {}
        if not isinstance(entries, Mapping):
            raise LexiconError(f"section '{section}' must be a mapping")
        for raw_key, raw_value in entries.items():
            if not isinstance(raw_key, str) or not isinstance(raw_value, str) or not raw_value.strip():
                raise LexiconError(f"{section}: entry {raw_key!r} must map a string to a non-empty string")
            key = _key(raw_key)
            if not key or len(key.split()) != 1:
                raise LexiconError(f"{section}: key {raw_key!r} must be exactly one token")
            if key in expansions:
                raise LexiconError(f"{section}: key {raw_key!r} is defined twice")
            expansions[key] = " ".join(normalize_text(raw_value).lower().split())
    ambiguous: dict[str, tuple[str, ...]] = {}
    for raw_key, senses in (data.get("ambiguous") or {}).items():
        key = _key(str(raw_key))
        if key in expansions:
            raise LexiconError(f"'{raw_key}' is listed as ambiguous and also expanded")
        ambiguous[key] = tuple(normalize_text(str(sense)) for sense in (senses or []))
    return Lexicon(expansions=expansions, ambiguous=ambiguous)


@lru_cache(maxsize=8)
def load_lexicon(path: str | Path = DEFAULT_LEXICON_PATH) -> Lexicon:
    """Load and validate the lexicon at ``path`` (cached: the file is read once per process)."""
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, Mapping):
        raise LexiconError(f"{path}: top level must be a mapping")
    return parse_lexicon(data)


def expand_token(token: str) -> str | None:
    """Expansion of one token with the default lexicon, e.g. "đc" -> "được"; None if unknown."""
    return load_lexicon().expand(token)

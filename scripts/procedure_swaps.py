"""Procedure swaps: the same question about another procedure.

Citizens ask the same things (papers, fees, time, office, steps, online) about hundreds of
procedures, but hand-written examples can only name a few dozen. A model trained on them learns
that "hoàn thuế" or "karaoke" never occur in a fee question, and sends such questions to the
nearest intent that happens to share a word (often ``faq``). A swap replaces the annotated
procedure of a hand-written example with another procedure name from the gazetteer
(``bot/nlu/gazetteer.json``: catalog short names and colloquial names), so that:

* the intent is learnt from the question words, not from which procedure is named;
* DIET sees many more procedure names in context, which sharpens the entity boundaries.

A swap carries the gazetteer's canonical value (as the Rasa synonyms of
``data/nlu/generated/procedure_lookup.yml`` do) and is dropped when the project tokenizer would
not put token boundaries at its edges. Used by ``scripts/generate_nlu_variants.py``;
deterministic for a given ``random.Random``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from common.text.normalize import fold_accents, has_diacritics

GAZETTEER = Path(__file__).resolve().parents[1] / "bot" / "nlu" / "gazetteer.json"
MIN_WORDS, MAX_WORDS = 2, 7  # names citizens would type in a chat
_CODE_LIKE = re.compile(r"\d")
_PLAIN_WORDS = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")  # no digits, slashes or brackets


def procedure_pool(path: Path = GAZETTEER) -> list[tuple[str, str]]:
    """(accented name, canonical value) of typable length from the gazetteer, sorted."""
    surfaces: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))["procedure"]
    return sorted(
        (surface, value)
        for surface, value in surfaces.items()
        if has_diacritics(surface)
        and MIN_WORDS <= len(surface.split()) <= MAX_WORDS
        and _PLAIN_WORDS.fullmatch(surface)
    )


def swappable(example: Any) -> list[int]:
    """Indices of the procedure annotations a swap may replace (named procedures, not codes)."""
    return [
        index
        for index, segment in enumerate(example.segments)
        if segment.entity == "procedure" and not _CODE_LIKE.search(segment.text)
    ]


def swap_procedure(example: Any, pool: list[tuple[str, str]], rng: random.Random) -> Any | None:
    """``example`` (an ``Example`` of the generator) naming another procedure, typed like the
    original (with accents or without); None when there is nothing to swap or it would not align."""
    indices = swappable(example)
    if not indices or not pool:
        return None
    index = rng.choice(indices)
    old = example.segments[index]
    name, value = rng.choice(pool)
    if fold_accents(name) == fold_accents(old.text.lower()):
        return None
    if not has_diacritics(example.text):
        name = fold_accents(name)
    segments = list(example.segments)
    segments[index] = replace(old, text=name, value=None if value == name else value)
    swapped = replace(example, segments=tuple(segments))
    start = sum(len(segment.text) for segment in segments[:index])
    return swapped if _aligned(swapped.text, start, start + len(name)) else None


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from bot.nlu.tokenizer import VietnameseTokenizer

    return VietnameseTokenizer(VietnameseTokenizer.get_default_config())


def _aligned(text: str, start: int, end: int) -> bool:
    """Whether the project tokenizer puts token edges at ``start`` and ``end`` of ``text``."""
    tokens = _tokenizer().tokenize_text(text)
    return start in {token.start for token in tokens} and end in {token.end for token in tokens}

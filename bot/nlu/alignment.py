"""A normalized copy of a message whose characters map back to the original text.

Citizens send NFD text, the "other" tone placement ("hoà"/"hòa") and all kinds of Unicode.
Segmenters and regexes work best on one canonical spelling, but Rasa needs token and entity
offsets that point into the message *as sent*. :func:`normalized_view` builds the canonical copy
one grapheme cluster (base character + combining marks) at a time, so we know exactly which
original characters every normalized character came from; no searching (``text.index``) is
ever needed to get back.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from common.text.normalize import normalize_text


@dataclass(frozen=True)
class NormalizedView:
    """``text`` normalized (NFC + traditional tone placement) with a map back to ``original``.

    ``starts[i]``/``ends[i]`` are the original span of the grapheme cluster that produced
    ``text[i]``. Both lists are non-decreasing.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` covering normalized ``text[start:end]`` (``end > start``)."""
        return self.starts[start], self.ends[end - 1]


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


def normalized_view(original: str) -> NormalizedView:
    """Normalize ``original`` cluster by cluster and remember where each character came from."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    size = len(original)
    i = 0
    while i < size:
        j = i + 1
        while j < size and _is_mark(original[j]):
            j += 1
        composed = unicodedata.normalize("NFC", original[i:j])
        chars.append(composed)
        starts.extend([i] * len(composed))
        ends.extend([j] * len(composed))
        i = j
    nfc = "".join(chars)
    canonical = normalize_text(nfc)
    # normalize_text is length-preserving on NFC input; composing per cluster can differ from
    # whole-string NFC for exotic scripts (Hangul jamo), so keep the plain copy in that case.
    text = canonical if len(canonical) == len(nfc) else nfc
    return NormalizedView(original=original, text=text, starts=tuple(starts), ends=tuple(ends))

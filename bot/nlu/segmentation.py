"""Vietnamese word segmentation whose words are spans of the message as sent.

Pipeline for one message:

1. :func:`~bot.nlu.alignment.normalized_view` gives an NFC copy with the traditional tone
   placement and a character map back to the original.
2. Protected spans (dossier codes, URLs, e-mails, IDs, phones, dates, numbers; see
   :mod:`common.text.patterns`) become single *atomic* pieces.
3. The rest is cut into pieces: letter runs (syllables), runs containing digits ("B2", "H29",
   "2024": atomic) and single punctuation/symbol characters.
4. Only the syllables go to ``underthesea.word_tokenize``, joined by single spaces, with ","
   standing in for anything between them. Such input contains nothing underthesea's own regex
   tokenizer would split or glue, so its output has exactly one unit per input piece and
   words are aligned by *counting units*, never by searching text (underthesea rewrites
   spellings: "Hoà" -> "Hòa", "nghành" -> "ngành"). If the count ever differs we fall back to
   one word per syllable and log it.
5. A word never spans a "," stand-in, so compounds do not cross punctuation or codes.

With a ``spell`` function (:mod:`bot.nlu.spelling`), every syllable is corrected before step 4:
underthesea groups "đăg ký kết hôn" as it would "đăng ký kết hôn", and the segments carry the
corrected syllables, while their spans stay those of the text as sent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.nlu.alignment import NormalizedView, normalized_view
from common.text.normalize import has_diacritics
from common.text.patterns import find_protected
from common.text.underthesea_import import import_underthesea

logger = logging.getLogger(__name__)

WORD = "word"  # one or more syllables (letters only)
ALNUM = "alnum"  # letters with digits or stray combining marks, not protected: "B2", "2024"
PUNCT = "punct"  # one punctuation or symbol character (emoji included)

# Combining marks that NFC could not compose onto a letter stay inside the word.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_PIECES = re.compile(rf"\w[\w{_MARKS}]*|[^\w\s]")
_SEPARATOR = ","


def word_tokenize(text: str) -> list[str]:
    """underthesea's word segmentation, imported on the first message: importing underthesea takes
    a second and its CRF model loads on first call, so importing this module stays cheap (tools
    that read the NLU constants, the action server, tests that never segment)."""
    return import_underthesea().word_tokenize(text)


@dataclass(frozen=True)
class Segment:
    """A word of the message: its span in the ORIGINAL text and its normalized syllables."""

    start: int
    end: int
    kind: str  # WORD, ALNUM, PUNCT or a protected kind from common.text.patterns
    syllables: tuple[str, ...]  # normalized (NFC, traditional tone placement), spell-corrected, original case


@dataclass(frozen=True)
class _Piece:
    start: int  # in the normalized text
    end: int
    kind: str


def _pieces(text: str) -> list[_Piece]:
    """Protected spans plus word/alnum/punct pieces of the normalized text, in order."""
    pieces: list[_Piece] = []
    position = 0
    for span in [*find_protected(text), None]:
        gap_end = len(text) if span is None else span.start
        for match in _PIECES.finditer(text, position, gap_end):
            piece = match.group(0)
            if piece[0].isalnum() or piece[0] == "_":
                is_word = any(ch.isalpha() for ch in piece) and all(ch.isalpha() or ch == "_" for ch in piece)
                kind = WORD if is_word else ALNUM
            else:
                kind = PUNCT
            pieces.append(_Piece(match.start(), match.end(), kind))
        if span is not None:
            pieces.append(_Piece(span.start, span.end, span.kind))
            position = span.end
    return pieces


def _group_syllables(syllables: dict[int, str], pieces: Sequence[_Piece]) -> list[list[int]] | None:
    """Indices of WORD pieces grouped into words by underthesea; None if alignment failed."""
    units: list[str] = []
    unit_piece: list[int | None] = []  # piece index per unit, None for a separator
    for index, piece in enumerate(pieces):
        if piece.kind == WORD:
            units.append(syllables[index])
            unit_piece.append(index)
        elif unit_piece and unit_piece[-1] is not None:
            units.append(_SEPARATOR)
            unit_piece.append(None)
    if not units:
        return []
    words = word_tokenize(" ".join(units))
    sizes = [len(word.split()) for word in words]
    if sum(sizes) != len(units):
        logger.debug("underthesea returned %d units for %d pieces; not merging syllables", sum(sizes), len(units))
        return None
    groups: list[list[int]] = []
    cursor = 0
    for size in sizes:
        current: list[int] = []
        for piece_index in unit_piece[cursor : cursor + size]:
            if piece_index is None:
                if current:
                    groups.append(current)
                current = []
            else:
                current.append(piece_index)
        if current:
            groups.append(current)
        cursor += size
    return groups


def segment(
    original: str, *, segment_unaccented: bool = False, spell: Callable[[str], str] | None = None
) -> list[Segment]:
    """Words of ``original`` in order, non-overlapping, each a span of ``original``.

    With ``segment_unaccented=False`` a message without any diacritic is not given to
    underthesea: its model was trained on accented text and glues unrelated syllables of
    unaccented input ("cuu ho", "can giay"), which only adds noise. ``spell`` maps a syllable
    to its corrected form (see the module docstring).
    """
    view = normalized_view(original)
    pieces = _pieces(view.text)
    syllables = {index: view.text[piece.start : piece.end] for index, piece in enumerate(pieces) if piece.kind == WORD}
    if spell is not None:
        syllables = {index: spell(syllable) for index, syllable in syllables.items()}
    groups: list[list[int]] | None = None
    if segment_unaccented or has_diacritics(view.text):
        groups = _group_syllables(syllables, pieces)
    if groups is None:
        groups = [[index] for index, piece in enumerate(pieces) if piece.kind == WORD]
    group_of = {members[0]: members for members in groups}
    segments: list[Segment] = []
    for index, piece in enumerate(pieces):
        if piece.kind == WORD and index not in group_of:
            continue  # a later syllable of a multi-syllable word
        members = group_of.get(index, [index])
        first, last = pieces[members[0]], pieces[members[-1]]
        word = tuple(syllables.get(m) or view.text[pieces[m].start : pieces[m].end] for m in members)
        _append(segments, view, first.start, last.end, piece.kind, word)
    return segments


def _append(
    segments: list[Segment], view: NormalizedView, start: int, end: int, kind: str, syllables: tuple[str, ...]
) -> None:
    """Append a segment, merging it into the previous one if both map into one grapheme cluster."""
    orig_start, orig_end = view.original_span(start, end)
    if segments and orig_start < segments[-1].end:
        previous = segments.pop()
        merged_kind = previous.kind if previous.kind != PUNCT else kind
        orig_start = previous.start
        orig_end = max(orig_end, previous.end)
        syllables = previous.syllables + syllables
        kind = merged_kind
    segments.append(Segment(orig_start, orig_end, kind, syllables))

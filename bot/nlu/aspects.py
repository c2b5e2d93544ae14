"""Aspect cues: which facts about a procedure a message asks for.

"làm căn cước mất bao lâu và phí bao nhiêu" asks two things. The intent classifier gives one
intent per message, so the aspects are marked as ``aspect`` entities, one per cue, with the
values the actions answer: ``documents``, ``fee``, ``time``, ``agency``, ``steps``, ``online``.

Cues are matched on the accent-folded, lower-case normalized text (so "bao lau" and "bao lâu" are
one cue), on whole words, earlier patterns first; a span already taken by a cue is not matched
again ("mất bao nhiêu ngày" is time, not fee), and nothing inside a code, URL or e-mail counts.
Offsets point into the message as sent (:mod:`bot.nlu.alignment`). A phrase that asks where a
dossier *is* ("hồ sơ đang ở đâu", "tới đâu rồi") is no agency cue.
"""

from __future__ import annotations

import re
from typing import Any

from bot.nlu.alignment import NormalizedView, normalized_view
from common.text.normalize import fold_accents
from common.text.patterns import find_protected

ASPECT = "aspect"
ASPECTS = ("documents", "fee", "time", "agency", "steps", "online")

_GI = r"(?:gi|j|gj)"
# (aspect, pattern on folded text). Order matters: earlier cues take their words first.
_CUES: tuple[tuple[str, str], ...] = (
    ("time", r"bao lau|(?:may|bao nhieu|bn|nhieu) (?:ngay|tuan|thang|hom|buoi)|thoi gian|thoi han"),
    ("time", r"(?<!lam )(?<!di )(?<!nop )bao gio|khi nao|trong ngay|lay (?:ngay|luon)|lam ngay"),
    ("documents", rf"giay to|giay {_GI}|ho so (?:gom|can|co)|thanh phan ho so|to khai|form|mau don"),
    (
        "documents",
        rf"(?:can |phai )?(?:mang|chuan bi|dem|nop)(?: theo)? (?:nhung |cai )?(?:{_GI}|nhung {_GI})"
        rf"|mang theo|can (?:nhung )?(?:{_GI}|nhung {_GI})",
    ),
    ("steps", r"(?:cac|may|nhung|tung) buoc|trinh tu|quy trinh|huong dan|bat dau tu dau|thao tac"),
    (
        "steps",
        r"(?:lam|thuc hien|tien hanh)(?: nhu)? (?:the nao|ntn|ra sao|sao)|(?:phai |can )?lam (?:nhung )?(?:gi|j)"
        r"|(?<!\w)cach(?= \w)",
    ),
    (
        "fee",
        r"(?:mat |ton |le |chi |thue |mien |thu )?phi(?: truoc ba)?|het (?:bao nhieu|bn|nhieu|nhiu)(?: tien)?"
        r"|(?:bao nhieu|bn|nhieu|nhiu) tien|(?:mat|ton|dong|nop) tien|ton (?:bao nhieu|bn|kem)"
        r"|gia bao nhieu|(?<!\w)gia(?= bao nhieu| bn)",
    ),
    (
        "agency",
        r"(?<!dang )(?<!bay gio )o (?:dau|cho nao)(?! roi)"
        r"|(?:len|di|den|toi|ra|nop|lam|tai|vao) (?:dau|cho nao)(?! roi)|noi nao|co quan nao|dia chi",
    ),
    ("online", r"online|truc tuyen|(?:qua|tren) mang|dich vu cong|dvc|vneid|link|website"),
)
_PATTERNS = tuple((aspect, re.compile(rf"(?<!\w)(?:{pattern})(?!\w)")) for aspect, pattern in _CUES)


def _find(view: NormalizedView, folded_text: str | None = None, original_offsets: bool = True) -> list[dict[str, Any]]:
    folded = fold_accents(view.text) if folded_text is None else folded_text
    taken = [False] * len(folded)
    for span in find_protected(view.text):  # "dvc" inside a URL is no cue
        taken[span.start : span.end] = [True] * (span.end - span.start)
    found = []
    for aspect, pattern in _PATTERNS:
        for match in pattern.finditer(folded):
            if any(taken[match.start() : match.end()]):
                continue
            taken[match.start() : match.end()] = [True] * (match.end() - match.start())
            start, end = match.start(), match.end()
            if original_offsets:
                start, end = view.original_span(start, end)
            found.append({"entity": ASPECT, "start": start, "end": end, "value": aspect})
    return sorted(found, key=lambda e: e["start"])


# Clause boundaries: punctuation, "và", "với lại", "còn" ("mất bao lâu và phí bao nhiêu").
_CLAUSE_BREAK = re.compile(r"[,;.?!\n]|(?<!\w)(?:va|voi lai|con|roi thi)(?!\w)")


def question_aspects(text: str) -> list[str]:
    """The aspect each clause asks about (its first cue), in order, without repeats.

    "đổi bằng lái làm online được không, mất phí bao nhiêu" -> ["online", "fee"]; "làm hộ
    chiếu online thì các bước thế nào" is one clause, so -> ["online"] (its first cue only)."""
    view = normalized_view(text)
    folded = fold_accents(view.text)
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(folded)]
    result: list[str] = []
    clause_seen: set[int] = set()
    for cue in _find(view, folded_text=folded, original_offsets=False):
        clause = sum(1 for b in breaks if b < cue["start"])
        if clause in clause_seen:
            continue
        clause_seen.add(clause)
        if cue["value"] not in result:
            result.append(cue["value"])
    return result


def find_aspects(text: str) -> list[dict[str, Any]]:
    """``aspect`` entities of ``text`` (offsets into ``text``), in order of appearance."""
    return _find(normalized_view(text))


def aspect_entities(view: NormalizedView) -> list[dict[str, Any]]:
    """The same for a normalized view (finder of :mod:`bot.nlu.entities`)."""
    return _find(view)

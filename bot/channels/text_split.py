"""Split long bot answers into parts a messaging platform accepts (Zalo: 2,000 characters).

Why here and not in the output channel: the rule (sentence boundaries, never mid-word, order kept,
nothing lost) is platform independent and worth testing on its own.
"""

from __future__ import annotations

import re

# A place after which a new part may start, best first: paragraph break, line break, end of a
# sentence (". ", "? ", "! ", "… ", also after a closing quote or bracket), then any whitespace.
_BOUNDARIES = (
    re.compile(r"\n\s*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.!?…][\"'”’)\]»]*\s+"),
    re.compile(r"\s+"),
)


def _cut(text: str, start: int, limit: int) -> int:
    """End (exclusive) of the part that starts at ``start``; at most ``limit`` characters long."""
    end = start + limit
    if end >= len(text):
        return len(text)
    window = text[start:end]
    if text[end].isspace():
        window += text[end]  # a word ending exactly at the limit is a valid cut
    # Prefer boundaries that leave a reasonably full part (no trail of tiny parts), best kind first;
    # then any boundary at all, since cutting a word is worse than a short part.
    for minimum in (limit // 3, 1):
        for pattern in _BOUNDARIES:
            ends = [min(m.end(), limit) for m in pattern.finditer(window) if m.start() >= minimum]
            if ends:
                return start + ends[-1]
    return end  # one "word" longer than the limit (a URL, say): cutting it is the only option


def split_text(text: str, limit: int = 2000) -> list[str]:
    """Consecutive parts of ``text``, each at most ``limit`` characters, cut at the best boundary.

    ``"".join(split_text(t)) == t``: whitespace at a cut stays with the part before it, so callers
    that strip parts before sending lose nothing but that whitespace.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    parts: list[str] = []
    start = 0
    while start < len(text):
        end = _cut(text, start, limit)
        parts.append(text[start:end])
        start = end
    return parts


def message_parts(text: str, limit: int = 2000) -> list[str]:
    """What to send: the non-empty, stripped parts of ``text``."""
    return [part.strip() for part in split_text(text.strip(), limit) if part.strip()]

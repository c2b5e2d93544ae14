"""Short elliptical follow-ups about the procedure under discussion.

"còn lệ phí thì sao?", "nộp ở đâu?", "mất bao lâu?" name no procedure and, read without context,
are as close to general FAQs ("hoàn phí", "giờ làm việc") as to a procedure question; the NLU
sees one message at a time and may pick the FAQ. The dialogue knows the context: when a procedure
is under discussion and a short message is only an aspect cue, it is a question about that
procedure. Only short messages qualify, so a real FAQ question is still answered as one.
"""

from __future__ import annotations

import re

from bot.text.normalize import fold_accents

MAX_FOLLOW_UP_WORDS = 7
# Accent-free cues (citizens often type without diacritics) -> the intent that asks that aspect.
_CUES = [
    ("ask_fee", r"le phi|phi|bao nhieu tien|het bao nhieu|mat bao nhieu|tien"),
    ("ask_processing_time", r"bao lau|may ngay|bao nhieu ngay|thoi gian|thoi han|khi nao co"),
    ("ask_agency", r"o dau|cho nao|noi nao|co quan nao|nop dau|lam dau"),
    ("ask_documents", r"giay to|ho so gom|can gi|can nhung gi|mang gi|chuan bi gi"),
    ("ask_steps", r"cac buoc|trinh tu|lam the nao|lam sao|cach lam|quy trinh"),
    ("ask_online", r"online|truc tuyen|qua mang|tren mang|dich vu cong"),
]
_COMPILED = [(intent, re.compile(rf"\b(?:{pattern})\b")) for intent, pattern in _CUES]


def follow_up_aspect(text: str) -> str | None:
    """The aspect intent of a short follow-up like "còn lệ phí thì sao?", else None."""
    folded = fold_accents(text or "").lower()
    words = re.findall(r"\w+", folded)
    if not words or len(words) > MAX_FOLLOW_UP_WORDS:
        return None
    for intent, pattern in _COMPILED:
        if pattern.search(" ".join(words)):
            return intent
    return None

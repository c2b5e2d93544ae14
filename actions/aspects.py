"""The aspects of a procedure a citizen asks about, and the words that ask for them.

One definition shared by the procedure answers, the follow-up detection and the fallback: the
``aspect`` entity of the NLU (values below), the intent that asks one aspect, and accent-free cues
found in the text itself, so "mất bao lâu và phí bao nhiêu" is read as two aspects even when the
NLU marks only one. Cues are matched on the accent-folded, lower-case text (citizens often type
without diacritics).
"""

from __future__ import annotations

import re

from common.text.normalize import fold_accents

DOCUMENTS, FEE, TIME, AGENCY = "documents", "fee", "time", "agency"
STEPS, ONLINE, OVERVIEW = "steps", "online", "overview"
ASPECTS = (DOCUMENTS, FEE, TIME, AGENCY, STEPS, ONLINE)
INTENT_OF_ASPECT = {
    DOCUMENTS: "ask_documents",
    FEE: "ask_fee",
    TIME: "ask_processing_time",
    AGENCY: "ask_agency",
    STEPS: "ask_steps",
    ONLINE: "ask_online",
    OVERVIEW: "ask_procedure",
}
ASPECT_OF_INTENT = {intent: aspect for aspect, intent in INTENT_OF_ASPECT.items()}
ASPECT_INTENTS = frozenset(ASPECT_OF_INTENT)

# Accent-free cues -> aspect. Kept tight: a cue that fires on ordinary words adds an aspect the
# citizen did not ask about.
_CUES = {
    FEE: r"le phi|phi|bao nhieu tien|het bao nhieu|mat bao nhieu tien|ton bao nhieu|nhieu tien|gia bao nhieu",
    TIME: r"bao lau|may ngay|bao nhieu ngay|thoi gian|thoi han|khi nao co|khi nao xong|mat may",
    AGENCY: r"o dau|cho nao|cho nop|noi nop|noi nao|co quan nao|nop dau|lam dau|len dau|den dau|nop tai dau|di dau",
    DOCUMENTS: r"giay to|ho so gom|can gi|can nhung gi|mang gi|mang theo|chuan bi gi|chuan bi nhung gi|thanh phan",
    STEPS: r"cac buoc|may buoc|nhung buoc|bao nhieu buoc|trinh tu|lam the nao|lam sao|cach lam|quy trinh",
    ONLINE: r"online|truc tuyen|qua mang|tren mang|dvc|vneid",
}
_COMPILED = {aspect: re.compile(rf"\b(?:{pattern})\b") for aspect, pattern in _CUES.items()}
# Words that point back to the procedure under discussion ("thủ tục này", "cái đó", "làm như vậy").
_CONTEXT = re.compile(
    r"\b(?:thu tuc (?:nay|do|tren|vua roi|vua hoi)|cai (?:nay|do|kia)|viec (?:nay|do)|"
    r"lam (?:nhu )?(?:vay|the)|nhu vay|ho so (?:nay|do)|giay (?:nay|do))\b"
)


def folded_words(text: str) -> str:
    """Lower-case, accent-free words separated by one space (punctuation dropped)."""
    return " ".join(re.findall(r"\w+", fold_accents(text or "")))


def aspects_in(text: str) -> list[str]:
    """The aspects the text asks about, in the order they are asked."""
    folded = folded_words(text)
    found = []
    for aspect, pattern in _COMPILED.items():
        match = pattern.search(folded)
        if match:
            found.append((match.start(), aspect))
    return [aspect for _, aspect in sorted(found)]


def refers_to_context(text: str) -> bool:
    """True when the text points back to the procedure under discussion ("thủ tục này")."""
    return bool(_CONTEXT.search(folded_words(text)))


def aspect_of(value: str | None) -> str | None:
    """An aspect from an entity value, an aspect name or an intent name; None otherwise."""
    if not value:
        return None
    value = value.strip().lower()
    if value in ASPECTS or value == OVERVIEW:
        return value
    return ASPECT_OF_INTENT.get(value)

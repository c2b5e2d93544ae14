"""Small text tools shared by the brief builders: bullets, sentences, clause-safe shortening."""

from __future__ import annotations

import functools
import re

# Leading list marks of catalog items: "- ", "+ ", "* ", "•", "(1) ", "1. ", "a) ".
_BULLET = re.compile(
    r"^(?:[\s\-–+*•·.;)]+|\((?:\d{1,2}(?:\.\d{1,2})?|i{1,3}|iv|v|vi{1,3})\)\.?\s*"
    r"|(?:i{1,3}|iv|vi{0,3})\)\.?\s+|\d{1,2}[.)]\s+|[a-zđ]\)\s+|[A-Za-zđ]\.\d{1,2}\)\s*|\d bản (?:chính|sao),?\s*)"
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\ufeff]")
# Words a shortened phrase must not end on ("… của công dân theo" -> "… của công dân").
_DANGLING = re.compile(
    r"(?:\s+(?:theo|của|và|hoặc|tại|về|cho|do|với|để|các|những|được|là|thì|trong|đối với|khi|nếu|có|đã|từ"
    r"|trên|ngày|số))+$"
)


@functools.lru_cache(maxsize=65536)
def strip_bullet(text: str) -> str:
    """Text without its leading list marks (repeated: "- + Giấy tờ" -> "Giấy tờ") and invisible marks."""
    text = _INVISIBLE.sub("", text or "")
    previous = None
    while previous != text:
        previous = text
        text = _BULLET.sub("", text, count=1)
    return " ".join(text.split())


def capitalize(text: str) -> str:
    """First letter upper-cased, the rest untouched (names keep their own capitals)."""
    return text[:1].upper() + text[1:] if text else text


def as_sentence(text: str) -> str:
    """Capitalised, one trailing full stop (a trailing ";" or "," becomes "."); "" stays ""."""
    text = " ".join((text or "").split()).rstrip(" ;,:-")
    if not text:
        return ""
    text = capitalize(text)
    return text if text[-1] in ".!?" else text + "."


def sentences(text: str) -> list[str]:
    """Split prose into sentences at ". " followed by a capital (numbers such as 53/2025/TT-BCA stay whole)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ])", " ".join(text.split()))
    return [part.strip() for part in parts if part.strip()]


_INNERMOST = re.compile(r"\([^()]*\)")


@functools.lru_cache(maxsize=65536)
def without_parentheses(text: str) -> str:
    """Drop every bracketed aside, nested ones included: "Tờ khai (mẫu CT01 (...))" -> "Tờ khai"."""
    if "(" not in text and ")" not in text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _INNERMOST.sub("", text)
    if "(" in text:
        text = text[: text.index("(")]  # an aside left open runs to the end
    text = text.replace(")", "")
    return " ".join(text.split()).replace(" ,", ",").replace(" .", ".")


def trim_dangling(text: str) -> str:
    """Without a trailing function word ("… đáp ứng các" -> "… đáp ứng")."""
    return _DANGLING.sub("", text.rstrip(" ,;:"))


def cut_at_word(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut after a clause mark if one is near, else between words."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    for mark in (";", ",", " hoặc ", " và "):
        at = head.rfind(mark)
        if at >= limit // 2:
            return _DANGLING.sub("", text[:at].rstrip(" ,;"))
    at = head.rfind(" ")
    return _DANGLING.sub("", text[: at if at > 0 else limit].rstrip(" ,;"))


def first_clause(text: str, markers: tuple[str, ...], minimum: int = 12) -> tuple[str, str]:
    """Split at the earliest clause marker found after ``minimum`` characters: (head, rest)."""
    best = len(text)
    for marker in markers:
        at = text.find(marker, minimum)
        if 0 <= at < best:
            best = at
    return text[:best].rstrip(" ,;:."), text[best:].strip(" ,;:")


def vnd(amount: int) -> str:
    """135000 -> "135.000 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"

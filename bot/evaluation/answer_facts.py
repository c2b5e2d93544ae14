"""Answer-quality items and how a reply is checked against them: required facts and template artefacts.

A fact is a list of alternatives; a reply contains it when one alternative occurs in the reply on word
boundaries, after both are normalised the same way: NFC, accents and case folded ("Ủy"/"Uỷ"/"uy"),
thousands separators dropped and leading zeros removed (135.000 = 135000 = 135,000; 07 = 7), digits
split from letters (135.000đ -> "135000 d"), punctuation turned into spaces. Loose enough for the
ways a reply may print a fact, strict enough to fail: "10.000" is not found in "110.000" and
"7 ngày làm việc" is not found in "17 ngày làm việc".

Artefacts are the marks of a broken template, each a named check over one message's text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from common.text.normalize import fold_accents

ITEMS_PATH = Path(__file__).resolve().parents[2] / "tests" / "answer_quality" / "items.yml"
ASPECTS = ("documents", "fee", "time", "where", "steps", "online", "address")
PROCEDURE_CODE = re.compile(r"\d\.\d{6}")

_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3})((?:[.,]\d{3})+)(?![.,]?\d)")
_LEADING_ZEROS = re.compile(r"(?<!\d)0+(?=\d)")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
_CURRENCY = re.compile(r"(?<=\d) (?:dong|vnd|d)(?!\w)")
_NOT_WORD = re.compile(r"[^\w%]+")


@dataclass(frozen=True)
class Fact:
    """One thing a correct reply must say; ``field`` is where in the catalog record it was read."""

    alternatives: tuple[str, ...]
    field: str

    @property
    def label(self) -> str:
        return " | ".join(self.alternatives)


@dataclass(frozen=True)
class Item:
    """A citizen's question about procedure ``code`` and the facts the reply must contain."""

    id: str
    code: str
    aspect: str
    question: str
    facts: tuple[Fact, ...]
    context: tuple[str, ...] = ()  # earlier messages of the same conversation, sent first


def normalize(text: str) -> str:
    """The comparison form of a reply or a fact (see the module docstring)."""
    text = fold_accents(unicodedata.normalize("NFC", text))
    text = _THOUSANDS.sub(lambda m: m.group(1) + re.sub(r"[.,]", "", m.group(2)), text)
    text = _LEADING_ZEROS.sub("", text)
    text = _DIGIT_LETTER.sub(" ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _CURRENCY.sub(" d", text)
    return " ".join(text.split())


def contains(reply: str, fact: Fact) -> bool:
    """Whether one of the fact's alternatives occurs in ``reply`` on word boundaries."""
    haystack = normalize(reply)
    for alternative in fact.alternatives:
        needle = normalize(alternative)
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", haystack):
            return True
    return False


def load_items(path: Path = ITEMS_PATH) -> list[Item]:
    """The items of ``path``; a malformed item raises ``ValueError`` naming it."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    items, seen = [], set()
    for entry in raw:
        item_id = entry.get("id", "?")
        facts = tuple(Fact(tuple(str(a) for a in fact["any"]), str(fact["field"])) for fact in entry.get("facts") or [])
        problems = [
            "duplicate id" if item_id in seen else "",
            "" if PROCEDURE_CODE.fullmatch(str(entry.get("code", ""))) else "bad procedure code",
            "" if entry.get("aspect") in ASPECTS else f"aspect not one of {ASPECTS}",
            "" if str(entry.get("question", "")).strip() else "empty question",
            ""
            if facts and all(f.alternatives and all(normalize(a) for a in f.alternatives) for f in facts)
            else "no facts",
        ]
        if any(problems):
            raise ValueError(f"answer-quality item {item_id}: {'; '.join(p for p in problems if p)}")
        seen.add(item_id)
        items.append(
            Item(
                item_id,
                str(entry["code"]),
                entry["aspect"],
                str(entry["question"]),
                facts,
                tuple(entry.get("context") or ()),
            )
        )
    return items


# --- template artefacts: (name, check over one message's text) ---------------------------------------

_FINAL_PUNCTUATION = tuple(".!?…)»”\"'")
_DANGLING_WORD = re.compile(
    r"(?:^|\s)(thì|và|hoặc|của|tại|để|nộp|cho|với|là|các|những|theo|từ|đến|gồm|bằng|nếu|khi|do)\s*$", re.IGNORECASE
)
_LIST_ITEM = re.compile(r"^\s*(?:[•·\-+*]|\d+[.)])\s+")
_CHECKS: list[tuple[str, re.Pattern[str]]] = [
    ("duplicated «Thủ tục»", re.compile(r"thủ tục\s*[«\"“]\s*thủ tục", re.IGNORECASE)),
    ("bullet followed by a dash «• -»", re.compile(r"^\s*[•·]\s*[-+–]", re.MULTILINE)),
    ("literal None/null", re.compile(r"\b(?:None|null|undefined|NaN)\b")),
    ("brace «{ }»", re.compile(r"[{}]")),
    ("«chưa có thông tin thực hiện»", re.compile(r"chưa có thông tin thực hiện", re.IGNORECASE)),
    ("cut with an ellipsis «word…»", re.compile(r"[^\W\d_](?:…|\.\.\.)\s*$", re.MULTILINE)),
]


def _raw_urls(text: str) -> list[str]:
    """URLs printed as text: not the target of a markdown link ``[label](url)`` or an HTML ``href``."""
    found = []
    for match in re.finditer(r"https?://\S+", text):
        before = text[max(0, match.start() - 6) : match.start()]
        if not (before.endswith("](") or before.endswith('href="') or before.endswith("href='")):
            found.append(match.group(0))
    return found


def _empty_headings(text: str, with_buttons: bool) -> list[str]:
    """Lines ending with ":" that announce nothing: last line (unless buttons follow), before a blank
    line, or a list item followed by another item at the same depth ("2. Cơ quan tiếp nhận hồ sơ
    thực hiện:" then "3. …")."""
    lines = text.rstrip().split("\n")
    found = []
    for index, line in enumerate(lines):
        if not line.rstrip().endswith(":") or (with_buttons and index == len(lines) - 1):
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        indent = len(line) - len(line.lstrip())
        next_indent = len(following) - len(following.lstrip())
        if not following.strip() or (_LIST_ITEM.match(line) and _LIST_ITEM.match(following) and next_indent <= indent):
            found.append(line.strip())
    return found


def _ends_complete(text: str, with_buttons: bool) -> bool:
    """A message ends a sentence, a list entry, or (before its buttons) a lead-in such as "Ý bạn là:"."""
    stripped = text.rstrip()
    last_line = stripped.rsplit("\n", 1)[-1]
    return (
        stripped.endswith(_FINAL_PUNCTUATION)
        or bool(_LIST_ITEM.match(last_line))
        or (with_buttons and stripped.endswith(":"))
    )


def artefacts(text: str, with_buttons: bool = False) -> list[str]:
    """The template artefacts in one message's text, each as "name: excerpt"; ``with_buttons`` when
    the message carries buttons (its text may then end with a lead-in ":")."""
    found = [f"{name}: {m.group(0).strip()[:60]}" for name, pattern in _CHECKS for m in pattern.finditer(text)]
    found += [f"raw URL: {url[:60]}" for url in _raw_urls(text)]
    found += [f"heading with nothing after it: {line[:60]}" for line in _empty_headings(text, with_buttons)]
    stripped = text.rstrip()
    if stripped and not _ends_complete(stripped, with_buttons):
        found.append(f"no final punctuation: …{stripped[-40:]}")
    for line in text.split("\n"):
        if _DANGLING_WORD.search(line.rstrip()):
            found.append(f"ends mid-sentence: …{line.rstrip()[-40:]}")
    return found

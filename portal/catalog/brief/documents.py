"""The documents part of a brief: the ordinary case first, chosen by content, other cases apart.

The catalog's document groups come in scraped order: for khai sinh the declaration form sits in an
untitled group at the end, after "Giấy tờ phải nộp", "Giấy tờ phải xuất trình" and "Lưu ý"; for
thường trú each group is a living situation, the first a boat. So groups are classified by their
title (to hand in, to show, notes, a named situation) and items by their wording (a form, a
condition "Trường hợp … thì nộp …", an authorisation, a note); the ordinary case is what is left
unconditional, forms first.
"""

from __future__ import annotations

import re
from typing import Any

from portal.catalog.brief.names import FORM_START, form_code, short_name
from portal.catalog.brief.text import (
    as_sentence,
    capitalize,
    cut_at_word,
    first_clause,
    strip_bullet,
    without_parentheses,
)

TITLE_LIMIT = 90
AUTHORISATION = "Ủy quyền cho người khác làm thủ tục"
ONLINE = "Nộp hồ sơ trực tuyến"

_CONDITION = re.compile(r"^(?:Trường hợp|Đối với|Nếu|Riêng|Khi)\b", re.IGNORECASE)
_CONDITION_HEAD = re.compile(r"^(?:Trường hợp|Đối với(?: trường hợp)?|Nếu|Riêng|Khi)\s+", re.IGNORECASE)
# What follows "… thì" when the condition asks for a document: "phải có / nộp / xuất trình <document>".
_CONSEQUENCE = re.compile(
    r"^(?:người yêu cầu |công dân )?"
    r"(?:phải có|cần có|(?:phải )?nộp(?: thêm| lại)?|(?:phải )?xuất trình|(?:phải )?gửi kèm(?: theo)?|kèm theo"
    r"|(?:phải )?bổ sung)\s+(?P<doc>.+)$",
    re.IGNORECASE,
)
# Without "thì": "Trường hợp <who> phải có <document>".
_CONDITION_VERB = re.compile(
    r"^(?P<cond>.+?),?\s+(?:kèm theo hồ sơ )?(?:phải có|phải nộp(?: thêm)?|phải xuất trình)\s+(?P<doc>.+)$",
    re.IGNORECASE,
)
_EMBEDDED_CONDITION = re.compile(r"\s(?:trong|đối với)\s+trường hợp\s+(?P<cond>.+)$", re.IGNORECASE)
_AUTHORISATION = re.compile(r"^(?:Văn bản|Giấy)\s+ủy quyền|trường hợp ủy quyền|\bủy quyền cho\b", re.IGNORECASE)
# An item that is a sentence about people, not a document: "Người ủy quyền … chịu trách nhiệm …".
_SENTENCE_ITEM = re.compile(
    r"^(?:\S+\s){1,2}này\s|^(?:Người|Cá nhân|Công dân|Cơ quan|Tổ chức|Cán bộ|Chủ|Doanh nghiệp|Bộ phận)\b[^.;:]{0,120}?"
    r"\s(?:chịu trách nhiệm|có trách nhiệm|phải|được|thực hiện|không|có thể|gửi|nộp|kê khai|cung cấp|lựa chọn)\b"
)
_NOT_A_DOCUMENT = re.compile(r"^(?:không|chỉ cần|được|có thể|thì)\b", re.IGNORECASE)


def build_documents(cases: list[dict[str, Any]], procedure_name: str = "") -> dict[str, Any]:
    """``{"submit", "show", "cases", "notes"}`` from the parsed document groups of one procedure.

    When no group is the ordinary case outright, the named situation that looks most like it (its
    title is the procedure itself or an ordinary citizen's case, it holds the form) is taken.
    """
    out = _Collector()
    situations: list[tuple[str, list[dict[str, Any]]]] = []
    for case in cases:
        kind = _group_kind(case["title"])
        if kind == "notes":
            out.add_notes(case["documents"])
        elif kind == "situation":
            situations.append((case["title"], case["documents"]))
        else:
            for row in case["documents"]:
                out.add_item(row, show=kind == "show")
    ordinary_title = ""
    if situations and not out.submit:
        best = max(range(len(situations)), key=lambda i: (_score(*situations[i], procedure_name), -i))
        title, rows = situations.pop(best)
        ordinary_title = _case_title(title)
        for row in rows:
            out.add_item(row, show=False)
    for title, rows in situations:
        title = _case_title(title)
        if title == ordinary_title:
            title = f"{title} (nhóm giấy tờ khác)"
        out.add_case(title, [doc for doc in map(_situation_document, rows) if doc])
    return out.result()


_LABELLED = re.compile(r"^(?:Đối với|Trường hợp)\s+(?P<who>[^:]{3,80}):\s*(?P<doc>.+)$")


def document(row: dict[str, Any]) -> dict[str, Any] | None:
    """One document in the brief's shape, or ``None`` when the row names no document."""
    text = strip_bullet(row["name"])
    if not text or text.endswith(":"):
        return None
    labelled = _LABELLED.match(text)
    name = short_name(labelled.group("doc")) if labelled else short_name(text)
    if labelled and name:
        name = f"{name} ({labelled.group('who').strip()})"
    if not name or _CONDITION.match(name):
        return None  # a bare condition names no document
    return {
        "name": name,
        "form": form_code(labelled.group("doc") if labelled else text, row.get("template") or ""),
        "originals": int(row.get("originals") or 0),
        "copies": int(row.get("copies") or 0),
    }


def _situation_document(row: dict[str, Any]) -> dict[str, Any] | None:
    """A document of a named situation; "Trường hợp X thì nộp Y" inside it becomes "Y (X)"."""
    text = strip_bullet(row["name"])
    if not _CONDITION.match(text) or _LABELLED.match(text):
        return document(row)
    split = _split_condition(text.split(". ")[0])
    if not split:
        return None
    doc = document({**row, "name": split[1]})
    if doc:
        doc["name"] = f"{doc['name']} ({cut_at_word(split[0], 60)})"
    return doc


def is_form(doc: dict[str, Any]) -> bool:
    return bool(doc["form"]) or bool(FORM_START.match(doc["name"]))


def _group_kind(title: str) -> str:
    low = strip_bullet(title).lower()
    if "lưu ý" in low[:12]:
        return "notes"
    if "xuất trình" in low and "nộp" not in low:
        return "show"
    if not low or low in ("--", "-") or re.match(r"^(giấy tờ|hồ sơ|thành phần)[^:]{0,30}(nộp|gồm)", low):
        return "submit"
    if re.match(r"^(?:bao gồm|gồm|hồ sơ (?:thu hồi|đăng ký|đề nghị)?:?$|hồ sơ (?:thu hồi|đăng ký)\b)", low):
        return "submit"  # parts of one dossier ("1. Hồ sơ thu hồi", "2. Hồ sơ đăng ký"), not alternatives
    return "situation"


def _case_title(title: str) -> str:
    text = strip_bullet(title).rstrip(" :")
    text = re.sub(r"^(?:Đối với\s+)?(?:trường hợp|Trường hợp)\s+", "", text)
    text = re.sub(r"^Đối với\s+", "", text)
    head, _ = first_clause(text, (":", ";", ". ", " thì ", " theo quy định", " theo các"), minimum=8)
    return capitalize(cut_at_word(without_parentheses(head) or head, TITLE_LIMIT))


# Situation titles of the ordinary citizen's case, and of cases that are never the ordinary one.
_ORDINARY_TITLE = re.compile(
    r"nhà ở riêng lẻ|hộ gia đình, cá nhân|người việt nam|công dân việt nam|thuộc quyền sở hữu của mình|cấp mới|lần đầu"
    r"|\bcủa cá nhân$",
)
_SPECIAL_TITLE = re.compile(
    r"nước ngoài|ngoại giao|tôn giáo|tín ngưỡng|quân đội|công an nhân dân|đóng quân|doanh nghiệp xã hội|chuyển đổi"
    r"|bảo trợ xã hội|tượng đài|theo tuyến|dầu khí|thương mại điện tử|cơ sở đào tạo"
)


def _score(title: str, rows: list[dict[str, Any]], procedure_name: str = "") -> int:
    """How much a situation group looks like the ordinary case: its title, its forms; conditions cost."""
    low = _case_title(title).lower()
    score = 0
    if "ủy quyền" in low:
        score -= 30
    if low and procedure_name and (low in procedure_name.lower() or procedure_name.lower() in low):
        score += 10
    if _ORDINARY_TITLE.search(low):
        score += 12
    if _SPECIAL_TITLE.search(low):
        score -= 6
    for row in rows:
        name = strip_bullet(row["name"])
        doc = document(row)
        if doc and doc["form"]:
            score += 8
        if doc and FORM_START.match(doc["name"]):
            score += 4
        if _CONDITION.match(name):
            score -= 3
    return score


class _Collector:
    """Accumulates the brief's document lists while items are classified."""

    def __init__(self) -> None:
        self.submit: list[dict[str, Any]] = []
        self.show: list[dict[str, Any]] = []
        self.cases: dict[str, list[dict[str, Any]]] = {}
        self.notes: list[str] = []
        self.remarks: list[str] = []  # the record's own "Lưu ý" group, shown before derived notes

    def add_item(self, row: dict[str, Any], show: bool) -> None:
        text = strip_bullet(row["name"])
        if not text:
            return
        if text.endswith(":") or text.lower().startswith(("lưu ý", "*lưu ý")):
            self._note_or_lead_in(text)
            return
        if _CONDITION.match(text):
            self._conditional(text, row)
            return
        doc = document(row)
        if doc is None:
            return
        if _AUTHORISATION.search(text[:80]):
            self.add_case(AUTHORISATION, [doc])
            return
        if _SENTENCE_ITEM.match(text):
            self.notes.append(as_sentence(text))
            return
        embedded = _EMBEDDED_CONDITION.search(without_parentheses(text))
        if embedded and not is_form(doc) and "ủy quyền" not in embedded.group("cond")[:40]:
            self.add_case(_case_title(embedded.group("cond")), [doc])
            return
        if _online_only(text):
            self.add_case(ONLINE, [doc])
            return
        (self.show if show else self.submit).append(doc)

    def _conditional(self, text: str, row: dict[str, Any]) -> None:
        split = _split_condition(text.split(". ")[0])
        if split:
            cond, name = split
            doc = document({**row, "name": name})
            if doc:
                title = AUTHORISATION if "ủy quyền" in cond.lower() else _case_title(cond)
                self.add_case(title, [doc])
                return
        colon = re.match(r"^(?:Đối với|Trường hợp)\s+(?P<cond>[^:]{5,200}):\s*(?P<doc>.+)$", text)
        if colon and " thì " not in colon.group("doc"):
            doc = document({**row, "name": colon.group("doc")})
            if doc and _ORDINARY_TITLE.search(colon.group("cond").lower()):
                self.submit.append(doc)  # "Đối với người Việt Nam: Tờ khai …" is the ordinary case
                return
            if doc:
                self.add_case(_case_title(colon.group("cond")), [doc])
                return
        self.notes.append(as_sentence(text))

    def _note_or_lead_in(self, text: str) -> None:
        body = re.sub(r"^\*?\s*Lưu ý\s*:?\s*", "", text, flags=re.IGNORECASE)
        if body.endswith(":"):
            return  # a lead-in ("… các giấy tờ sau:") or a heading without content
        for part in re.split(r"\s+-\s+", body):
            if part.strip():
                self.notes.append(as_sentence(strip_bullet(part)))

    def add_notes(self, rows: list[dict[str, Any]]) -> None:
        """Notes in source order; a heading ending with ":" is joined to the item after it."""
        heading = ""
        for row in rows:
            text = strip_bullet(row["name"])
            if not text:
                continue
            if text.endswith(":"):
                heading = text
                continue
            if heading:
                text = f"{heading} {text[:1].lower()}{text[1:]}"
                heading = ""
            self.remarks.append(as_sentence(text))

    def add_case(self, title: str, documents: list[dict[str, Any]]) -> None:
        if not title:
            return
        known = self.cases.setdefault(title, [])
        names = {doc["name"] for doc in known}
        known.extend(doc for doc in documents if doc["name"] not in names)

    def result(self) -> dict[str, Any]:
        submit = _dedupe([d for d in self.submit if is_form(d)] + [d for d in self.submit if not is_form(d)])
        return {
            "submit": submit,
            "show": _dedupe(self.show),
            "cases": [{"title": title, "documents": docs} for title, docs in self.cases.items()],
            "notes": _ordered_notes(self.remarks + self.notes),
        }


def _split_condition(text: str) -> tuple[str, str] | None:
    """(condition, document) of "Trường hợp X thì phải có Y"; ``None`` when Y is not a document."""
    body = _CONDITION_HEAD.sub("", text, count=1)
    if " thì " in body:
        cond, _, consequence = body.partition(" thì ")
        match = _CONSEQUENCE.match(consequence)
    else:
        match = _CONDITION_VERB.match(body)
        cond = match.group("cond") if match else ""
    if not match or _NOT_A_DOCUMENT.match(match.group("doc")):
        return None
    return cond.rstrip(" ,"), match.group("doc")


_DEADLINE = re.compile(r"trong thời hạn|kể từ ngày|chậm nhất|quá hạn", re.IGNORECASE)


# Notes about what the officials must do (the citizen cannot act on them) go last.
_OFFICIALS = re.compile(
    r"người tiếp nhận|cán bộ|cơ quan đăng ký hộ tịch (?:có trách nhiệm|từ chối|phải)", re.IGNORECASE
)


def _ordered_notes(notes: list[str]) -> list[str]:
    """Notes once each: a deadline first ("Trong thời hạn 15 ngày …"), duties of officials last."""
    unique = list(dict.fromkeys(note for note in notes if note))

    def rank(note: str) -> int:
        return 0 if _DEADLINE.search(note[:80]) else 2 if _OFFICIALS.search(note[:120]) else 1

    return sorted(unique, key=rank)


def _online_only(text: str) -> bool:
    """A document the text reserves for online filing ("… nếu … nộp hồ sơ theo hình thức trực tuyến")."""
    low = text.lower()
    if "điện tử tương tác" in low[:120]:
        return True
    return "trực tuyến" in low and "trực tiếp" not in low and "bưu chính" not in low and "nếu" in low


def _dedupe(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: dict[str, dict[str, Any]] = {}
    for doc in docs:
        known = kept.setdefault(doc["name"], doc)
        if known is not doc and not known["form"]:
            known["form"] = doc["form"]
    return list(kept.values())


__all__ = ["build_documents", "document", "form_code", "is_form", "short_name"]

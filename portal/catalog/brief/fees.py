"""Fees and processing times of a brief, one entry per channel, each in one plain phrase.

Starts from the parsed channel rows (portal.catalog.fees) and their flags: a "Miễn phí" cell whose
note states an amount gives the note's amount (``derived``); a staff-corrected fee is derived too;
a fee set by the provincial People's Council is ``by_province`` with no single amount.
"""

from __future__ import annotations

import re
from typing import Any

from portal.catalog.brief.text import cut_at_word, strip_bullet, vnd, without_parentheses

CHANNEL_ORDER = ("in_person", "online", "post")
CONDITION_LIMIT = 180
PROVINCIAL = "Theo mức do Hội đồng nhân dân tỉnh, thành phố quy định"
UNIT_NAMES = {
    "working_day": "ngày làm việc",
    "day": "ngày",
    "hour": "giờ",
    "month": "tháng",
    "year": "năm",
    "minute": "phút",
    "week": "tuần",
}
_PROSE_AMOUNT = re.compile(
    r"(\d{1,3}(?:\.\d{3})+|\d{4,})\s?(?:đồng|đ\b|VNĐ|vnđ|VND|(?=\s?/))"
    r"(?P<per>\s?/\s?[^\s.;,()]+(?: (?!trường|đối|từ|kể|cho|nếu|theo|tối)[^\s.;,()]+){0,2})?"
)
_CITATION = re.compile(
    r"\s*(?:\(?căn cứ|theo quy định (?:tại|của)|quy định tại|tại Thông tư|theo Thông tư|tại Nghị định|theo Nghị định"
    r"|Thông tư số|Nghị định số)\b.*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"(?:Thông tư|Nghị định|Nghị quyết|Quyết định)(?: liên tịch)? số \d+[^\s,;()]*")
_JUST_FREE = re.compile(r"^(?:miễn (?:lệ )?phí|không thu (?:phí|lệ phí))\.?$", re.IGNORECASE)
_LEGAL_ONLY = re.compile(r"^(?:theo|thực hiện theo|căn cứ|thông tư|nghị định|luật)\b", re.IGNORECASE)
_PROVINCIAL_NOTE = re.compile(r"HĐND|Hội đồng nhân dân", re.IGNORECASE)


def build_fees(channels: list[dict[str, Any]], data_date: str = "") -> list[dict[str, Any]]:
    """One fee per channel (the first row of a channel with fee information), in a stable order.

    ``data_date`` (ISO) drops conditions that had expired by then ("… đến hết ngày 31/12/2025 …").
    """
    fees = []
    for channel in _ordered_channels(channels):
        rows = [row for row in channels if row["channel"] == channel and row["fee_text"]]
        if rows:
            fees.append({"channel": channel, **_fee(rows[0], data_date)})
    return fees


def build_times(channels: list[dict[str, Any]], steps_text: str = "") -> list[dict[str, Any]]:
    """One processing time per channel; other times of the same channel are named after the first.

    When the time column is empty on every channel, the steps' own "trong thời hạn 03 ngày làm việc"
    gives it (the record's text, only in another cell).
    """
    if not any(row["time_text"] or row["time_value"] is not None for row in channels):
        return _times_from_steps(channels, steps_text)
    times = []
    for channel in _ordered_channels(channels):
        rows = [row for row in channels if row["channel"] == channel and (row["time_text"] or row["time_value"])]
        if not rows:
            continue
        texts = list(dict.fromkeys(_time_text(row) for row in rows))
        text = texts[0] if len(texts) == 1 else f"{texts[0]} (có trường hợp {' hoặc '.join(texts[1:])})"
        first = rows[0]
        times.append({"channel": channel, "text": text, "value": first["time_value"], "unit": first["time_unit"]})
    return times


_STEP_TIME = re.compile(r"(?:trong thời hạn|trong vòng|không quá)\s+(\d{1,3})\s+(ngày làm việc|ngày)\b", re.IGNORECASE)


def _times_from_steps(channels: list[dict[str, Any]], steps_text: str) -> list[dict[str, Any]]:
    found = _STEP_TIME.search(steps_text)
    if not found:
        return []
    value, unit = float(found.group(1)), "working_day" if found.group(2).lower() == "ngày làm việc" else "day"
    text = f"{value:g} {UNIT_NAMES[unit]}"
    return [{"channel": c, "text": text, "value": value, "unit": unit} for c in _ordered_channels(channels)]


def _ordered_channels(channels: list[dict[str, Any]]) -> list[str]:
    present = {row["channel"] for row in channels}
    return [channel for channel in CHANNEL_ORDER if channel in present]


def _time_text(row: dict[str, Any]) -> str:
    value, unit = row["time_value"], row["time_unit"]
    if unit == "same_day":
        return "Trong ngày"
    if value is not None and unit in UNIT_NAMES:
        return f"{value:g} {UNIT_NAMES[unit]}".replace(".", ",")
    return cut_at_word(strip_bullet(row["time_text"]), CONDITION_LIMIT)


def _fee(row: dict[str, Any], data_date: str = "") -> dict[str, Any]:
    flag, amount, text = row.get("fee_flag", ""), row["fee_amount"], row["fee_text"]
    head, note = _split_note(text)
    if flag == "corrected":
        return _entry(amount, strip_bullet(text), derived=True)
    if flag == "provincial" or (amount is None and _PROVINCIAL_NOTE.search(text)):
        portal_amount = _head_amount(head)
        extra = f" (mức ghi trên Cổng: {vnd(portal_amount)})" if portal_amount else ""
        condition = _condition(data_date, note, skip_provincial=True)
        return _entry(None, _join(PROVINCIAL + extra, condition), by_province=True)
    if flag == "free_but_fee_rule_cited":
        rule = _RULE.search(note)
        text = f"Theo mức thu tại {rule.group(0)}" if rule else "Theo mức thu do pháp luật quy định"
        return _entry(None, text + " (Cổng ghi “Miễn phí”)")
    if flag == "free_but_amount_in_text":
        source = note or row.get("description", "")
        found = _own_fee(source) or _PROSE_AMOUNT.search(source)
        if found:
            value = int(found.group(1).replace(".", ""))
            condition = _condition(data_date, note, skip=found.group(0))
            return _entry(value, _join(_amount_phrase(value, found), condition), derived=True)
    if amount == 0:
        return _entry(0, _join("Miễn phí", _condition(data_date, note)))
    if amount is not None and amount < IMPLAUSIBLE_VND:
        return _implausible(head, note, data_date)
    if amount is not None:
        found = next((m for m in _PROSE_AMOUNT.finditer(note) if _value(m) == amount), None)
        phrase = _amount_phrase(amount, found, note)
        tiny = note.startswith("/") and len(note) < 20
        condition = "" if tiny else _condition(data_date, note, skip=found.group(0) if found else "")
        return _entry(amount, _join(phrase, condition))
    return _entry(None, cut_at_word(without_parentheses(strip_bullet(text)) or strip_bullet(text), CONDITION_LIMIT))


_OWN_FEE = re.compile(r"Lệ phí[^.;:()]{0,80}?:?\s*(?=\d)")


def _own_fee(note: str) -> re.Match[str] | None:
    """The amount labelled "Lệ phí …" (the fee of the procedure itself, before exam or copy fees)."""
    label = _OWN_FEE.search(note)
    return _PROSE_AMOUNT.match(note, label.end()) if label else None


def _implausible(head: str, note: str, data_date: str) -> dict[str, Any]:
    """A fee cell under 1.000 đồng ("40 Việt Nam Đồng", "155 VNĐ") is a unit slip: the note's amount wins
    (derived); a note in USD is quoted; with no note the cell is quoted as the portal wrote it."""
    found = _PROSE_AMOUNT.search(note)
    if found:
        value = _value(found)
        condition = _condition(data_date, note, skip=found.group(0))
        return _entry(value, _join(_amount_phrase(value, found), condition), derived=True)
    usd = _USD.search(note)
    if usd:
        return _entry(None, cut_at_word(usd.group(0).replace(" /", "/"), CONDITION_LIMIT), derived=True)
    return _entry(None, f"Cổng Dịch vụ công ghi “{head}”; mức phí cụ thể hỏi cơ quan tiếp nhận hồ sơ")


def _entry(amount: int | None, text: str, derived: bool = False, by_province: bool = False) -> dict[str, Any]:
    return {"amount": amount, "text": text, "derived": derived, "by_province": by_province}


def _split_note(text: str) -> tuple[str, str]:
    """ "20,000 Việt Nam Đồng (note)" -> ("20,000 Việt Nam Đồng", "note")."""
    head, bracket, rest = text.partition("(")
    return head.strip(), rest[:-1].strip() if bracket and rest.endswith(")") else rest.strip()


def _head_amount(head: str) -> int | None:
    match = re.match(r"(\d+(?:,\d{3})+|\d+)", head)
    if not match:
        return None
    value = int(match.group(1).replace(",", ""))
    return value or None


def _value(match: re.Match[str]) -> int:
    return int(match.group(1).replace(".", ""))


def _amount_phrase(amount: int, found: re.Match[str] | None, note: str = "") -> str:
    per = found.group("per") if found and found.group("per") else ""
    if not found and note.startswith("/") and len(note) < 20:
        per = note
    per = " ".join(per.strip().lstrip("/").split())
    return vnd(amount) + (f"/{per}" if per else "")


def _condition(data_date: str, note: str, skip: str = "", skip_provincial: bool = False) -> str:
    """The note's first sentence that says something to the citizen (not the amount again, not a citation)."""
    heading = ""
    for raw in re.split(r"(?:^|\s)[-+]\s+|(?<=\.)\s+(?=[A-ZĐ])", note):
        sentence = strip_bullet(raw).strip().strip("()").strip()
        if sentence.endswith(":"):
            heading = sentence  # "Phí sát hạch lái xe:" belongs to what follows
            continue
        if heading and sentence:
            sentence, heading = f"{heading} {sentence[:1].lower()}{sentence[1:]}", ""
        if not sentence or (skip and skip in sentence):
            continue
        if _JUST_FREE.match(sentence) or _LEGAL_ONLY.match(sentence) or _expired(sentence, data_date):
            continue
        if skip_provincial and _PROVINCIAL_NOTE.search(sentence):
            continue
        cited = _CITATION.search(sentence)
        if cited:
            by_rule = re.match(r"\s*(?:theo quy định|quy định tại)", cited.group(0), re.IGNORECASE)
            sentence = sentence[: cited.start()].strip(" ,;(")
            sentence = re.sub(r"\s+(?:được )?thực hiện$", "", sentence)
            sentence = (sentence + " theo quy định" if by_rule else sentence) if len(sentence) > 15 else ""
        sentence = " ".join(sentence.split())
        sentence = without_parentheses(sentence) if len(sentence) > CONDITION_LIMIT else sentence
        sentence = re.sub(r"(\d{1,3}(?:\.\d{3})+)\s?đ\b", r"\1 đồng", sentence)
        if sentence.count("(") != sentence.count(")"):
            sentence = sentence.replace("(", "").replace(")", "")
        if len(sentence) >= 8:
            return cut_at_word(sentence.rstrip(" .;"), CONDITION_LIMIT)
    return ""


IMPLAUSIBLE_VND = 1000
_USD = re.compile(r"\d+(?:[.,]\d+)?\s?USD(?:\s?/\s?[^\s.;,()]+)?")
_UNTIL = re.compile(r"đến hết ngày (\d{1,2})/(\d{1,2})/(\d{4})")


def _expired(sentence: str, data_date: str) -> bool:
    """The sentence states a rule that ended before the data date (ISO dates compare as text)."""
    until = _UNTIL.search(sentence)
    if not until or not data_date:
        return False
    day, month, year = until.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}" < data_date


def _join(head: str, condition: str) -> str:
    if not condition:
        return head
    return f"{head}; {condition[:1].lower()}{condition[1:]}" if not condition[:2].isupper() else f"{head}; {condition}"


__all__ = ["build_fees", "build_times"]

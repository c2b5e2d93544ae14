"""Parse the channels cell (cách thức thực hiện): channel -> processing time + fee + description.

The portal's table has four columns, scraped glued together:
``Hình thức nộp | Thời gian | Phí, lệ phí | Mô tả``, one row per channel, e.g.
``"Trực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(Trường hợp ...)Trực tiếp7 Ngày làm việc..."``.
Traps handled here: bare times ("1") are working days; a bare time glued to an amount
("Trực tuyến120 VNĐ(20.000 vnđ/tờ khai)" is 1 day + 20 thousand đồng); "Miễn phí" cells whose
note states a real amount; provincial fees set by the HĐND (no fixed amount).
"""

from __future__ import annotations

import re
from typing import TypedDict

CHANNELS_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"
CHANNEL_NAMES = {"Trực tiếp": "in_person", "Trực tuyến": "online", "Dịch vụ bưu chính": "post"}
TIME_UNITS = {
    "ngày làm việc": "working_day",
    "ngày": "day",
    "giờ": "hour",
    "tháng": "month",
    "năm": "year",
    "phút": "minute",
    "tuần": "week",
}
# Placeholders in the time column; a bare "Không" only when the fee cell follows at once.
_NO_TIME = re.compile(r"\s*(?:Không có thông tin|Không quy định|Không(?=\s*(?:Không|Miễn phí|\d)))")
_CURRENCY = r"(?:Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD)"


class ChannelRow(TypedDict):
    channel: str
    time_value: float | None
    time_unit: str | None
    time_text: str
    fee_amount: int | None
    fee_text: str
    description: str
    # "" | "provincial" | "free_but_amount_in_text" | "free_but_fee_rule_cited" | "foreign_currency" | "multiple"
    fee_flag: str


# A channel name starts a row only when a time or fee follows at once ("Trực tiếp7 Ngày...");
# "- Trực tiếp tại trụ sở..." inside a description does not.
_ROW_START = re.compile(
    r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)"
    r"(?=\s*(?:\d|Không có thông tin|Không quy định|Không\s*Không|KhôngMiễn phí|Miễn phí|Trong ngày))"
)
# Fallback when no row starts the strict way: the time column holds a sentence (tax procedures:
# "Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phí..."); the fee cell follows it.
_FEE_CELL = re.compile(r"Miễn phí|Không có thông tin")
_LOOSE_ROW_START = re.compile(
    r"(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=[^\n]{1,200}?(?:Miễn phí|Không có thông tin))"
)
_TIME = re.compile(
    r"\s*(?:(?P<num>\d+(?:[.,]\d+)?)(?:\s?(?P<unit>Ngày làm việc|Ngày|Giờ|Tháng|Năm|Phút|Tuần)(?![a-z]))?"
    r"|(?P<same_day>Trong ngày))"
)
_AMOUNT = re.compile(rf"\s*(?P<amount>\d+(?:,\d{{3}})+|\d+)(?:\.\d+)?\s?(?P<cur>{_CURRENCY})")
_FREE = re.compile(r"\s*Miễn phí")
_NO_INFO = re.compile(r"\s*Không có thông tin")
# Amounts written in prose: "135.000 đồng", "20.000đ", "1.200.000 VNĐ".
_PROSE_AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d{4,})\s?(?:đồng|đ\b|Đ\b|VNĐ|vnđ|VND)")
_PROVINCIAL = re.compile(r"HĐND|Hội đồng nhân dân", re.IGNORECASE)
# A "Miễn phí" cell whose note points at a fee schedule ("Thông tư ... quy định mức thu ...") is
# the portal's default value, not a statement that the service is free (3.000333, 1.013076).
_FEE_RULE = re.compile(r"mức thu|mức phí|mức lệ phí|biểu phí|thu phí|thu lệ phí", re.IGNORECASE)
_SAYS_FREE = re.compile(r"miễn|không thu|không (?:được )?quy định|không phải nộp", re.IGNORECASE)


def parse_channels(text: str) -> list[ChannelRow]:
    """Rows of the channels table, in source order; [] when the cell has no recognisable row."""
    if not text:
        return []
    body = text.removeprefix(CHANNELS_HEADER)
    starts = list(_ROW_START.finditer(body)) or list(_LOOSE_ROW_START.finditer(body))
    rows = []
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(body)
        rows.append(_parse_row(CHANNEL_NAMES[match.group(1)], body[match.end() : end]))
    return rows


def _parse_row(channel: str, rest: str) -> ChannelRow:
    time, rest = _split_glued_time(rest) or _take_time(rest)
    fees, rest = _take_fees(rest)
    fee_amount, fee_text, flag = _fee_summary(fees, rest)
    return {
        "channel": channel,
        "time_value": time.get("value"),
        "time_unit": time.get("unit"),
        "time_text": time.get("text", ""),
        "fee_amount": fee_amount,
        "fee_text": fee_text,
        "description": rest.strip(),
        "fee_flag": flag,
    }


def _take_time(rest: str) -> tuple[dict, str]:
    """Read the time column: "7 Ngày làm việc", "10 Ngày", "4 Giờ", bare "1", "Trong ngày"."""
    placeholder = _NO_TIME.match(rest)
    if placeholder:
        return {"text": ""}, rest[placeholder.end() :]
    match = _TIME.match(rest)
    if not match:
        fee = _FEE_CELL.search(rest, 0, 200)
        return ({"text": rest[: fee.start()].strip()}, rest[fee.start() :]) if fee else ({}, rest)
    if match.group("same_day"):
        return {"value": 0.0, "unit": "same_day", "text": "Trong ngày"}, rest[match.end() :]
    number, unit = match.group("num"), match.group("unit")
    if unit:
        return {"value": _number(number), "unit": TIME_UNITS[unit.lower()], "text": match.group(0).strip()}, rest[
            match.end() :
        ]
    return {"value": _number(number), "unit": "working_day", "text": number}, rest[match.end() :]


def _split_glued_time(rest: str) -> tuple[dict, str] | None:
    """A bare time glued to the amount: "120 VNĐ(20.000 vnđ/tờ khai)" is 1 day + 20 (thousand).

    The split point is the one whose amount the note repeats in prose; otherwise one digit,
    since bare times are short ("1", "2") and amounts are not.
    """
    match = _AMOUNT.match(rest)
    if not match:
        return None
    digits = match.group("amount").lstrip()
    note, _ = _take_note(rest[match.end() :])
    prose = _prose_amounts(note)
    cut = 1
    for size in (1, 2, 3):
        amount = _amount_value(digits[size:])
        if amount and (amount in prose or amount * 1000 in prose):
            cut = size
            break
    if not _amount_value(digits[cut:]):
        return None
    time_digits = digits[:cut]
    time = {"value": _number(time_digits), "unit": "working_day", "text": time_digits}
    return time, rest[match.start("amount") + len(match.group("amount")) - len(digits) + cut :]


def _prose_amounts(text: str) -> set[int]:
    return {int(a.replace(".", "")) for a in _PROSE_AMOUNT.findall(text)}


def _take_fees(rest: str) -> tuple[list[dict], str]:
    """Read one or more "<amount> <currency>(note)" items, or "Miễn phí(note)", or no info."""
    if _NO_INFO.match(rest):
        return [{"amount": None, "text": "", "kind": "none"}], rest[_NO_INFO.match(rest).end() :]
    free = _FREE.match(rest)
    if free:
        note, rest = _take_note(rest[free.end() :])
        return [{"amount": 0, "text": _join("Miễn phí", note), "kind": "free", "note": note}], rest
    fees = []
    while match := _AMOUNT.match(rest):
        note, rest = _take_note(rest[match.end() :])
        value, currency = _amount_value(match.group("amount")), match.group("cur")
        fees.append({"amount": value, "currency": currency, "text": _join(match.group(0).strip(), note), "note": note})
    return fees, rest


def _take_note(rest: str) -> tuple[str, str]:
    """A parenthesised note right after the fee belongs to the fee column; balance the brackets."""
    if not rest.startswith("("):
        return "", rest
    depth = 0
    for i, char in enumerate(rest):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return rest[1:i].strip(), rest[i + 1 :]
    return rest[1:].strip(), ""


def _fee_summary(fees: list[dict], description: str) -> tuple[int | None, str, str]:
    """One amount for the channel, or None when there is no single fixed VND amount."""
    if not fees:
        return None, "", ""
    text = "; ".join(f["text"] for f in fees if f["text"])
    notes = " ".join([*(f.get("note", "") for f in fees), description])
    if _PROVINCIAL.search(text) or (fees[0].get("kind") in ("free", "none") and _PROVINCIAL.search(notes)):
        return None, text, "provincial"
    if len(fees) > 1:
        return None, text, "multiple"
    fee = fees[0]
    if fee.get("kind") == "none":
        return None, text, ""
    if fee.get("kind") == "free":
        return _free_fee(fee.get("note", ""), notes, text)
    if fee["currency"] == "USD":
        return None, text, "foreign_currency"
    return _vnd(fee["amount"], fee.get("note", "")), text, ""


def _free_fee(note: str, notes: str, text: str) -> tuple[int | None, str, str]:
    """0 only when nothing around the "Miễn phí" cell says a fee is charged."""
    if _PROSE_AMOUNT.search(notes):
        return None, text, "free_but_amount_in_text"
    if _FEE_RULE.search(note) and not _SAYS_FREE.search(note):
        return None, text, "free_but_fee_rule_cited"
    return 0, text, ""


def _vnd(amount: int, note: str) -> int:
    """Small bare "VNĐ" amounts are thousands when the note says so ("20 VNĐ(20.000 vnđ/tờ khai)")."""
    prose = _prose_amounts(note)
    if amount < 1000 and amount * 1000 in prose:
        return amount * 1000
    return amount


def _amount_value(digits: str) -> int | None:
    clean = digits.replace(",", "").strip()
    return int(clean) if clean.isdigit() and not clean.startswith("0") else None


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _join(head: str, note: str) -> str:
    return f"{head} ({note})" if note else head

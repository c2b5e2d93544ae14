"""Vietnamese answer texts about a procedure, one function per aspect a citizen asks about.

Input is the portal's structured procedure record (``GET /api/v1/procedures/{code}``). Answers
are short enough for a phone screen and always end with the source and the data date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

CHANNEL_LABELS = {"in_person": "Trực tiếp", "online": "Trực tuyến", "post": "Qua bưu chính"}
TIME_UNITS = {
    "working_day": "ngày làm việc",
    "day": "ngày",
    "hour": "giờ",
    "month": "tháng",
    "year": "năm",
    "week": "tuần",
}
MAX_DOCUMENTS_SHOWN = 6
MAX_STEPS_SHOWN = 5
MAX_STEP_CHARS = 160
NATIONAL_PORTAL_URL = "https://dichvucong.gov.vn"


def format_vnd(amount: int) -> str:
    """20000 -> "20.000đ"; 0 -> "miễn phí"."""
    if amount == 0:
        return "miễn phí"
    return f"{amount:,}".replace(",", ".") + "đ"


def format_date(iso: str) -> str:
    """ "2026-06-30" -> "30/06/2026"; other text is returned as it is."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return iso or ""


def source_line(procedure: dict[str, Any]) -> str:
    """Attribution required with every answer about a procedure."""
    line = "Nguồn: Cổng Dịch vụ công quốc gia"
    if procedure.get("source_url"):
        line += f" – {procedure['source_url']}"
    if procedure.get("data_date"):
        line += f" (dữ liệu ngày {format_date(procedure['data_date'])})"
    return line


def _with_source(procedure: dict[str, Any], body: str) -> str:
    return f"{body}\n\n{source_line(procedure)}"


def _time_text(channel: dict[str, Any]) -> str:
    value, unit = channel.get("time_value"), channel.get("time_unit")
    if value is not None and unit in TIME_UNITS:
        number = int(value) if float(value).is_integer() else value
        return f"{number} {TIME_UNITS[unit]}".replace(".", ",")
    return (channel.get("time_text") or "chưa có thông tin").strip()


def _fee_text(channel: dict[str, Any]) -> str:
    if channel.get("fee_amount") is not None:
        return format_vnd(int(channel["fee_amount"]))
    return (channel.get("fee_text") or "chưa có thông tin").strip()


def _per_channel(procedure: dict[str, Any], describe: Callable[[dict[str, Any]], str]) -> list[str]:
    lines = []
    for channel in procedure.get("channels") or []:
        label = CHANNEL_LABELS.get(channel.get("channel"), channel.get("channel", ""))
        lines.append(f"• {label}: {describe(channel)}")
    return lines


def answer_documents(procedure: dict[str, Any]) -> str:
    """Required documents (thành phần hồ sơ) of the first case, summarized when long."""
    cases = [case for case in procedure.get("cases") or [] if case.get("documents")]
    if not cases:
        return _with_source(procedure, f"Thủ tục «{procedure['name']}» chưa có danh sách giấy tờ trên Cổng.")
    case = cases[0]
    heading = f"Hồ sơ cho thủ tục «{procedure['name']}»"
    if case.get("title"):
        heading += f" ({case['title']})"
    lines = [heading + ":"]
    for document in case["documents"][:MAX_DOCUMENTS_SHOWN]:
        lines.append(f"• {document['name']}{_quantity(document)}")
    hidden = len(case["documents"]) - MAX_DOCUMENTS_SHOWN
    if hidden > 0:
        lines.append(f"… và {hidden} giấy tờ khác (xem đầy đủ ở đường dẫn bên dưới).")
    if len(cases) > 1:
        lines.append(f"Thủ tục này có {len(cases)} trường hợp; giấy tờ có thể khác theo trường hợp của bạn.")
    return _with_source(procedure, "\n".join(lines))


def _quantity(document: dict[str, Any]) -> str:
    parts = []
    if document.get("originals"):
        parts.append(f"{document['originals']} bản chính")
    if document.get("copies"):
        parts.append(f"{document['copies']} bản sao")
    return f" ({', '.join(parts)})" if parts else ""


def answer_fee(procedure: dict[str, Any]) -> str:
    """Fee (phí, lệ phí) per channel."""
    lines = _per_channel(procedure, _fee_text) or ["• Chưa có thông tin lệ phí trên Cổng."]
    url = online_url(procedure)
    if url:
        lines.append(f"Nộp trực tuyến tại: {url}")
    return _with_source(procedure, f"Lệ phí thủ tục «{procedure['name']}»:\n" + "\n".join(lines))


def answer_processing_time(procedure: dict[str, Any]) -> str:
    """Processing time (thời hạn giải quyết) per channel."""
    lines = _per_channel(procedure, _time_text) or ["• Chưa có thông tin thời hạn trên Cổng."]
    return _with_source(procedure, f"Thời hạn giải quyết thủ tục «{procedure['name']}»:\n" + "\n".join(lines))


def answer_agency(procedure: dict[str, Any]) -> str:
    """Where to file: the agency that handles it and the level."""
    agencies = procedure.get("agencies") or "chưa có thông tin"
    body = f"Thủ tục «{procedure['name']}» do {agencies} thực hiện"
    if procedure.get("level"):
        body += f" ({procedure['level'].lower()})"
    return _with_source(procedure, body + ".")


def online_url(procedure: dict[str, Any]) -> str | None:
    """Where to file online, when the procedure can be filed online at all."""
    channels = {channel.get("channel") for channel in procedure.get("channels") or []}
    if not procedure.get("online_filing") and "online" not in channels:
        return None
    return procedure.get("online_url") or procedure.get("source_url") or NATIONAL_PORTAL_URL


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def answer_steps(procedure: dict[str, Any]) -> str:
    """Steps (trình tự thực hiện), each shortened, the first few only: the link has the rest."""
    steps = [step.get("title") or step.get("description") or "" for step in procedure.get("steps") or []]
    steps = [step for step in steps if step.strip()]
    if not steps:
        return _with_source(procedure, f"Thủ tục «{procedure['name']}» chưa có trình tự thực hiện trên Cổng.")
    lines = [f"Các bước thực hiện thủ tục «{procedure['name']}»:"]
    for number, step in enumerate(steps[:MAX_STEPS_SHOWN], start=1):
        lines.append(f"{number}. {_shorten(step, MAX_STEP_CHARS)}")
    if len(steps) > MAX_STEPS_SHOWN:
        lines.append(f"… và {len(steps) - MAX_STEPS_SHOWN} bước nữa (xem đầy đủ ở đường dẫn bên dưới).")
    return _with_source(procedure, "\n".join(lines))


def answer_online(procedure: dict[str, Any]) -> str:
    """Whether it can be filed online, where, and the online time and fee."""
    url = online_url(procedure)
    if url is None:
        others = [
            CHANNEL_LABELS[channel["channel"]].lower()
            for channel in procedure.get("channels") or []
            if channel.get("channel") in CHANNEL_LABELS
        ]
        body = f"Thủ tục «{procedure['name']}» hiện chưa nộp trực tuyến được."
        if others:
            body += f" Bạn có thể nộp {' hoặc '.join(others)}."
        return _with_source(procedure, body)
    lines = [f"Thủ tục «{procedure['name']}» nộp trực tuyến được trên Cổng Dịch vụ công quốc gia: {url}"]
    for channel in procedure.get("channels") or []:
        if channel.get("channel") == "online":
            lines.append(f"Nộp trực tuyến: {_time_text(channel)}; lệ phí {_fee_text(channel)}.")
    lines.append("Bạn cần tài khoản định danh điện tử (VNeID) để đăng nhập.")
    return _with_source(procedure, "\n".join(lines))


def answer_overview(procedure: dict[str, Any]) -> str:
    """A short overview: what, who handles it, time and fee per channel."""
    lines = [f"Thủ tục «{procedure['name']}» (mã {procedure['code']})"]
    if procedure.get("agencies"):
        lines.append(f"Cơ quan thực hiện: {procedure['agencies']}")
    for channel in procedure.get("channels") or []:
        label = CHANNEL_LABELS.get(channel.get("channel"), channel.get("channel", ""))
        lines.append(f"• {label}: {_time_text(channel)}; lệ phí {_fee_text(channel)}")
    url = online_url(procedure)
    lines.append(f"Nộp trực tuyến: {url}" if url else "Thủ tục này chưa nộp trực tuyến được.")
    lines.append("Bạn có thể hỏi tiếp: cần giấy tờ gì, nộp ở đâu, các bước làm.")
    return _with_source(procedure, "\n".join(lines))


ANSWERS_BY_INTENT = {
    "ask_documents": answer_documents,
    "ask_fee": answer_fee,
    "ask_processing_time": answer_processing_time,
    "ask_agency": answer_agency,
    "ask_steps": answer_steps,
    "ask_online": answer_online,
    "ask_procedure": answer_overview,
}
# Aspects a citizen can ask about, by the intent that asks it; anything else gets the overview.
ASPECT_INTENTS = frozenset(ANSWERS_BY_INTENT)

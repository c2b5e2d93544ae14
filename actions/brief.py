"""The procedure *brief* the replies are built from (contract: the portal's ``detail["brief"]``).

The portal builds the brief at import time (documents of the ordinary case first, fees with their
condition, the office, whole-sentence steps). A portal that does not serve it yet (an older
deployment) still gets readable answers: :func:`brief_from_detail` derives a plainer brief from the
detail's structured fields, with the same shape, so the composer has one input.
"""

from __future__ import annotations

import re
from typing import Any

from actions.answers import clean_item, format_vnd

TIME_UNITS = {
    "working_day": "ngày làm việc",
    "day": "ngày",
    "hour": "giờ",
    "month": "tháng",
    "year": "năm",
    "week": "tuần",
}
NO_INFO = re.compile(r"^\s*(không có thông tin|chưa có thông tin|không)?\s*\.?\s*$", re.IGNORECASE)
_FORM = re.compile(r"^(tờ khai|đơn|phiếu)\b|\bmẫu\s+[A-Z]{1,4}\d", re.IGNORECASE)
_CONDITION = re.compile(r"^(trường hợp|đối với|nếu|lưu ý|ghi chú)\b", re.IGNORECASE)
MAX_NAME_CHARS = 140
_AMOUNT = re.compile(r"^(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:việt nam đồng|vnđ|vnd|đồng|đ)\b", re.IGNORECASE)


def display_name(name: str) -> str:
    """ "Thủ tục đăng ký khai sinh." -> "Đăng ký khai sinh"."""
    name = clean_item(name).rstrip(". ")
    if name.lower().startswith("thủ tục "):
        name = name[len("thủ tục ") :]
    return name[:1].upper() + name[1:]


def procedure_brief(detail: dict[str, Any]) -> dict[str, Any]:
    """The portal's brief when it serves one, else one derived from the detail."""
    brief = detail.get("brief")
    if isinstance(brief, dict) and brief.get("name"):
        return brief
    return brief_from_detail(detail)


def _short(name: str) -> str:
    """A long fallback name cut at a clause boundary (never mid-word), without a trailing mark."""
    name = clean_item(name)
    if len(name) <= MAX_NAME_CHARS:
        return name
    head = name[:MAX_NAME_CHARS]
    cut = max(head.rfind(mark) for mark in (";", ",", " (", ":"))
    return head[:cut].rstrip(" ,;:(") if cut > 40 else head.rsplit(" ", 1)[0]


def _document(document: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": _short(document.get("name") or ""),
        "form": (document.get("template") or None),
        "originals": document.get("originals") or 0,
        "copies": document.get("copies") or 0,
    }


def _documents(detail: dict[str, Any]) -> dict[str, Any]:
    """Groups by title: untitled or "phải nộp" to hand in, "xuất trình" to show, "Lưu ý" notes,
    any other title a named case (the portal's brief chooses the ordinary case by content)."""
    submit: list[dict[str, Any]] = []
    show: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    notes: list[str] = []
    for case in detail.get("cases") or []:
        title = clean_item(case.get("title") or "").rstrip(":")
        documents = [_document(doc) for doc in case.get("documents") or [] if clean_item(doc.get("name") or "")]
        lowered = title.lower()
        if lowered.startswith(("lưu ý", "ghi chú")):
            notes.extend(doc["name"] for doc in documents)
        elif "xuất trình" in lowered:
            show.extend(doc for doc in documents if not _CONDITION.match(doc["name"]))
        elif not title or "phải nộp" in lowered:
            submit.extend(doc for doc in documents if not _CONDITION.match(doc["name"]))
        elif documents and all(title != other["title"] for other in cases):
            cases.append({"title": _short(title), "documents": documents})
    if not submit and cases:
        submit = cases.pop(0)["documents"]  # every group is a situation: the first is the ordinary one
    submit.sort(key=lambda doc: 0 if (doc["form"] or _FORM.search(doc["name"])) else 1)
    return {"submit": submit, "show": show, "cases": cases, "notes": notes}


def _time_text(channel: dict[str, Any]) -> str:
    value, unit = channel.get("time_value"), channel.get("time_unit")
    if value is not None and unit in TIME_UNITS:
        number = int(value) if float(value).is_integer() else value
        return f"{number} {TIME_UNITS[unit]}".replace(".", ",")
    return clean_item(channel.get("time_text") or "")


def _fee_text(channel: dict[str, Any]) -> str:
    """The amount, or the fee cell's first phrase (its legal note stays on the portal page)."""
    if channel.get("fee_amount") is not None:
        return format_vnd(int(channel["fee_amount"]))
    text = clean_item(channel.get("fee_text") or "").split(" (", 1)[0]
    amount = _AMOUNT.match(text)
    return format_vnd(int(re.sub(r"\D", "", amount.group(1)))) if amount else text


def _where(detail: dict[str, Any]) -> dict[str, Any]:
    agency = clean_item(detail.get("agencies") or "")
    level_text = (detail.get("level") or "").lower()
    field = (detail.get("field") or "").lower()
    level = "commune" if "xã" in level_text else "province" if "tỉnh" in level_text else "central"
    police = any(word in field for word in ("cư trú", "căn cước", "xuất nhập cảnh")) or "công an" in agency.lower()
    derived = not agency or bool(NO_INFO.match(agency))
    if derived:
        agency = {
            "commune": "Công an cấp xã" if police else "Ủy ban nhân dân cấp xã",
            "province": "Công an cấp tỉnh" if police else "Trung tâm Phục vụ hành chính công cấp tỉnh",
        }.get(level, "cơ quan có thẩm quyền")
    authority = "police" if police else "people_committee" if "ủy ban" in agency.lower() else "other"
    return {"agency": agency, "authority": authority, "unit_level": level, "derived": derived}


def brief_from_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """A brief of the contract's shape from the detail's parsed fields (a portal without briefs)."""
    channels = detail.get("channels") or []
    steps = [clean_item(step.get("description") or step.get("title") or "") for step in detail.get("steps") or []]
    online_channel = any(channel.get("channel") == "online" for channel in channels)
    return {
        "name": display_name(detail.get("name") or ""),
        "documents": _documents(detail),
        "fees": [
            {"channel": c.get("channel"), "amount": c.get("fee_amount"), "text": _fee_text(c), "derived": False}
            for c in channels
            if _fee_text(c)
        ],
        "times": [{"channel": c.get("channel"), "text": _time_text(c)} for c in channels if _time_text(c)],
        "where": _where(detail),
        "steps": [step for step in steps if step and not step.endswith(":")],
        "online": {
            "available": bool(detail.get("online_filing") or online_channel),
            "url": detail.get("online_url") or None,
        },
        "source": {"url": detail.get("source_url") or "", "data_date": detail.get("data_date") or ""},
        "corrected_by_staff": False,
    }

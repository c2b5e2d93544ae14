"""Usage figures computed from Rasa's events (the tracker store), never from a second log.

Definitions (one place, shown on the page too):

* message: a ``user`` event (one thing the citizen sent); day = its local date (CONSOLE_TIMEZONE).
* conversation per day: a sender id with at least one message that day.
* understood: a message whose intent is not ``nlu_fallback`` and that the bot did not answer with
  ``action_default_fallback`` before the next message. Share = understood / messages.
* handoff rate: conversations (sender ids in the period) with an intent ``request_human`` or a
  ``handoff_active`` slot set to true, divided by conversations.
* top intents / procedures: intents of messages; values of the ``procedure`` entity in messages
  plus the procedures of the ``procedure_name``/``procedure_code`` slots set by actions (counted
  once per conversation and procedure, so a slot re-set on every turn does not inflate it). A
  procedure is always shown by its name: a code takes the name the actions set with it.
* dossier lookups: ``dossier_lookup_result`` slot events: found, not_found, throttled (other
  values are counted as "other").
* channel split: messages and conversations by the message's ``input_channel``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from common.conversation import (
    DOSSIER_LOOKUP_SLOT,
    FALLBACK_ACTIONS,
    FALLBACK_INTENT,
    FALLBACK_INTENTS,
    FAQ_INTENT,
    HANDOFF_INTENT,
    HANDOFF_INTENTS,
    HANDOFF_SLOT,
    LOOKUP_FOUND,
    LOOKUP_NOT_FOUND,
    LOOKUP_THROTTLED,
    PROCEDURE_CODE_SLOT,
    PROCEDURE_ENTITY,
    PROCEDURE_NAME_SLOT,
    REST_CHANNEL,
    SOCKETIO_CHANNEL,
    ZALO_CHANNEL,
)
from console.services.rasa_events import RawEvent, iter_events

# National procedure code (e.g. 1.004222): shown by the name the actions set with it, never bare.
CATALOG_CODE = re.compile(r"\d\.\d{6}")
# Lookup outcomes shown one by one; any other outcome (an error) is counted as "other".
LOOKUP_RESULTS = (LOOKUP_FOUND, LOOKUP_NOT_FOUND, LOOKUP_THROTTLED, "other")
# What staff read instead of Rasa's intent names (unknown intents are shown as they are).
INTENT_LABELS = {
    "greet": "Chào hỏi",
    "goodbye": "Chào tạm biệt",
    "thank": "Cảm ơn",
    "affirm": "Đồng ý",
    "deny": "Từ chối",
    "bot_challenge": "Hỏi có phải máy trả lời",
    "ask_procedure": "Hỏi về thủ tục",
    "ask_documents": "Hỏi giấy tờ cần chuẩn bị",
    "ask_fee": "Hỏi lệ phí",
    "ask_processing_time": "Hỏi thời gian giải quyết",
    "ask_agency": "Hỏi nơi nộp hồ sơ",
    "ask_steps": "Hỏi các bước thực hiện",
    "ask_online": "Hỏi nộp trực tuyến",
    "search_procedure": "Tìm thủ tục",
    "check_dossier_status": "Tra cứu hồ sơ",
    "inform": "Cung cấp thông tin",
    HANDOFF_INTENT: "Xin gặp cán bộ",
    "complain": "Phản ánh, kiến nghị",
    "out_of_scope": "Ngoài phạm vi",
    FAQ_INTENT: "Câu hỏi thường gặp",
    FALLBACK_INTENT: "Trợ lý chưa hiểu",
}
CHANNEL_LABELS = {
    REST_CHANNEL: "Trang web",
    SOCKETIO_CHANNEL: "Trang web (socket.io)",
    ZALO_CHANNEL: "Zalo",
    "": "Không rõ",
}


@dataclass
class Day:
    day: date
    conversations: int = 0
    messages: int = 0
    understood: int = 0


@dataclass
class Report:
    """Everything the analytics page and the CSV show for one period."""

    start: date
    end: date  # inclusive
    days: list[Day]
    conversations: int = 0
    messages: int = 0
    understood: int = 0
    handoff_conversations: int = 0
    intents: list[tuple[str, int]] = field(default_factory=list)
    procedures: list[tuple[str, int]] = field(default_factory=list)
    lookups: dict[str, int] = field(default_factory=dict)
    channels: list[tuple[str, int, int]] = field(default_factory=list)  # channel, conversations, messages

    @property
    def understood_share(self) -> float:
        return self.understood / self.messages if self.messages else 0.0

    @property
    def handoff_rate(self) -> float:
        return self.handoff_conversations / self.conversations if self.conversations else 0.0


def _bounds(start: date, end: date, tz: ZoneInfo) -> tuple[float, float]:
    first = datetime.combine(start, time.min, tzinfo=tz)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return first.timestamp(), after.timestamp()


def unnamed_procedure(code: str) -> str:
    """The label of a procedure whose name never appeared in the period (staff read names, not codes)."""
    return f"Thủ tục chưa rõ tên (mã {code})"


def _procedure_values(event: RawEvent) -> list[str]:
    parse = event.data.get("parse_data") if isinstance(event.data.get("parse_data"), dict) else {}
    entities = parse.get("entities") or event.data.get("entities") or []
    return [
        str(e.get("value")).strip()
        for e in entities
        if isinstance(e, dict) and e.get("entity") == PROCEDURE_ENTITY and str(e.get("value") or "").strip()
    ]


def compute(engine: Engine, start: date, end: date, tz: ZoneInfo, top: int = 10) -> Report:
    """The report for local days ``start``..``end`` (inclusive)."""
    since, until = _bounds(start, end, tz)
    days = {start + timedelta(days=i): Day(start + timedelta(days=i)) for i in range((end - start).days + 1)}
    day_senders: dict[date, set[str]] = defaultdict(set)
    senders: set[str] = set()
    handoff_senders: set[str] = set()
    intents: Counter[str] = Counter()
    procedures: Counter[str] = Counter()
    slot_procedures: set[tuple[str, str]] = set()  # (conversation, procedure name)
    slot_codes: set[tuple[str, str]] = set()  # (conversation, procedure code)
    names_by_code: dict[str, str] = {}
    last_code: dict[str, str] = {}
    lookups: Counter[str] = Counter({key: 0 for key in LOOKUP_RESULTS})
    channel_messages: Counter[str] = Counter()
    channel_senders: dict[str, set[str]] = defaultdict(set)
    pending: tuple[date, bool] | None = None  # the last message of the current sender, not yet counted
    current = None

    def settle() -> None:
        nonlocal pending
        if pending is not None and pending[1]:
            days[pending[0]].understood += 1
        pending = None

    for event in iter_events(engine, since, until):
        if event.sender_id != current:
            settle()
            current = event.sender_id
        if event.type_name == "user":
            settle()
            local_day = datetime.fromtimestamp(event.timestamp, tz).date()
            if local_day not in days:
                continue
            intent = event.intent_name or ""
            days[local_day].messages += 1
            day_senders[local_day].add(event.sender_id)
            senders.add(event.sender_id)
            intents[intent or "(không rõ)"] += 1
            procedures.update(_procedure_values(event))
            channel = str(event.data.get("input_channel") or "")
            channel_messages[channel] += 1
            channel_senders[channel].add(event.sender_id)
            if intent in HANDOFF_INTENTS:
                handoff_senders.add(event.sender_id)
            pending = (local_day, intent not in FALLBACK_INTENTS and bool(intent))
        elif event.type_name == "action" and event.action_name in FALLBACK_ACTIONS and pending is not None:
            pending = (pending[0], False)
        elif event.type_name == "slot":
            name, value = event.data.get("name"), event.data.get("value")
            if name == DOSSIER_LOOKUP_SLOT and value:
                lookups[value if value in LOOKUP_RESULTS else "other"] += 1
            elif name == HANDOFF_SLOT and value is True:
                handoff_senders.add(event.sender_id)
            elif name == PROCEDURE_CODE_SLOT and isinstance(value, str) and value.strip():
                slot_codes.add((event.sender_id, value.strip()))
                last_code[event.sender_id] = value.strip()
            elif name == PROCEDURE_NAME_SLOT and isinstance(value, str) and value.strip():
                slot_procedures.add((event.sender_id, value.strip()))
                if event.sender_id in last_code:  # actions set the code, then its name
                    names_by_code[last_code[event.sender_id]] = value.strip()
    settle()
    for sender, code in slot_codes:
        slot_procedures.add((sender, names_by_code.get(code) or unnamed_procedure(code)))
    for _sender, value in slot_procedures:
        procedures[value] += 1
    for value in [v for v in procedures if CATALOG_CODE.fullmatch(v)]:  # a code typed as the entity
        procedures[names_by_code.get(value) or unnamed_procedure(value)] += procedures.pop(value)
    for local_day, day_set in day_senders.items():
        days[local_day].conversations = len(day_set)
    ordered = [days[d] for d in sorted(days)]
    return Report(
        start=start,
        end=end,
        days=ordered,
        conversations=len(senders),
        messages=sum(d.messages for d in ordered),
        understood=sum(d.understood for d in ordered),
        handoff_conversations=len(handoff_senders & senders),
        intents=intents.most_common(top),
        procedures=procedures.most_common(top),
        lookups=dict(lookups),
        channels=sorted(
            ((c, len(channel_senders[c]), n) for c, n in channel_messages.items()), key=lambda row: (-row[2], row[0])
        ),
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a server-rendered SVG chart (coordinates in the SVG's own units)."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label: str


def bars(values: list[tuple[str, int]], width: float = 640, height: float = 160) -> list[Bar]:
    """Vertical bars scaled to the largest value; no JavaScript or chart library needed."""
    if not values:
        return []
    peak = max(v for _, v in values) or 1
    step = width / len(values)
    out = []
    for i, (label, value) in enumerate(values):
        h = height * value / peak
        out.append(Bar(x=i * step + step * 0.15, y=height - h, width=step * 0.7, height=h, value=value, label=label))
    return out


def csv_rows(report: Report) -> list[list[str]]:
    """Per-day rows then the period's totals, for the CSV export (stable column names)."""
    rows = [["ngay", "so_cuoc_tro_chuyen", "so_tin_nhan", "so_tin_hieu_duoc", "ty_le_hieu_duoc"]]
    for d in report.days:
        share = f"{d.understood / d.messages:.4f}" if d.messages else ""
        rows.append([d.day.isoformat(), str(d.conversations), str(d.messages), str(d.understood), share])
    rows.append([])
    rows.append(["chi_so", "gia_tri"])
    rows.append(["tong_cuoc_tro_chuyen", str(report.conversations)])
    rows.append(["tong_tin_nhan", str(report.messages)])
    rows.append(["ty_le_hieu_duoc", f"{report.understood_share:.4f}"])
    rows.append(["ty_le_chuyen_can_bo", f"{report.handoff_rate:.4f}"])
    for key in LOOKUP_RESULTS:
        rows.append([f"tra_cuu_ho_so_{key}", str(report.lookups.get(key, 0))])
    for name, n in report.intents:
        rows.append([f"y_dinh:{name}", str(n)])
    for name, n in report.procedures:
        rows.append([f"thu_tuc:{name}", str(n)])
    for channel, conversations, messages in report.channels:
        rows.append([f"kenh:{channel or 'khong_ro'}:cuoc_tro_chuyen", str(conversations)])
        rows.append([f"kenh:{channel or 'khong_ro'}:tin_nhan", str(messages)])
    return rows

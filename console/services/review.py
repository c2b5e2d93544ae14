"""Conversation review: recent citizen messages from the tracker store, and trainers' corrections.

The console reads Rasa's SQL tracker store (table ``events``, shared definition in
:mod:`console.services.rasa_events`) directly and read-only: a review
page must not slow down or lock the conversations the Rasa server is handling. The store already
masks personal data (``bot.stores.masking_tracker_store``); every text is masked again here in
case rows were written before that store was configured, then NFC-normalized, so the entity
offsets a trainer picks on screen are the offsets of the training example.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from common.conversation import FALLBACK_ACTIONS, FALLBACK_INTENTS, FAQ_INTENT, HANDOFF_INTENTS, HANDOFF_SLOT
from common.text.normalize import normalize_text
from common.text.pii import mask_pii
from common.tracker_rows import decode_event
from console.models import ReviewCorrection, User, utcnow
from console.services import audit
from console.services.rasa_events import TrackerUnavailableError, events

FILTERS = {
    "": "Tất cả tin nhắn",
    "low": "Độ tin cậy thấp",
    "fallback": "Trợ lý không hiểu (fallback)",
    "handoff": "Chuyển cán bộ",
    "corrected": "Đã sửa nhãn",
}
# How many recent user messages one review page looks through (filters apply inside this window).
WINDOW = 1000


class CorrectionError(ValueError):
    """A correction the console refuses; ``errors`` maps a form field to a Vietnamese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Message:
    """One citizen message as a trainer sees it."""

    event_id: int
    sender_id: str
    at: datetime
    text: str
    intent: str
    confidence: float | None
    entities: list[dict[str, Any]]
    fallback: bool = False
    handoff: bool = False
    correction: ReviewCorrection | None = None
    flags: list[str] = field(default_factory=list)


def display_text(raw: str) -> str:
    """Masked (again), NFC-normalized, one line: what the trainer sees and the example becomes.

    Every step keeps the length on NFC input, so Rasa's entity offsets still point at the same
    words; whitespace characters become plain spaces one for one for the same reason."""
    return re.sub(r"\s", " ", normalize_text(mask_pii(raw)))


def _message(row: Any, data: dict[str, Any]) -> Message | None:
    raw = data.get("text")
    if not isinstance(raw, str) or not raw.strip() or raw.startswith("/"):
        return None  # button payloads ("/intent{...}") are not natural language
    text = display_text(raw)
    parse = data.get("parse_data") if isinstance(data.get("parse_data"), dict) else {}
    intent = parse.get("intent") if isinstance(parse.get("intent"), dict) else {}
    entities = []
    if len(text) == len(raw):  # offsets are only trusted when masking/normalizing kept the length
        for entity in parse.get("entities") or []:
            start, end = entity.get("start"), entity.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                entities.append({"start": start, "end": end, "entity": str(entity.get("entity", ""))})
    confidence = intent.get("confidence")
    return Message(
        event_id=row.id,
        sender_id=row.sender_id,
        at=datetime.fromtimestamp(row.timestamp or 0, tz=timezone.utc).replace(tzinfo=None),
        text=text,
        intent=str(intent.get("name") or row.intent_name or ""),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
        entities=_dedupe_spans(entities),
    )


def _dedupe_spans(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        key = (span["start"], span["end"], span["entity"])
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


def _read(engine: Engine, query: Any) -> list[Any]:
    try:
        with engine.connect() as connection:
            return list(connection.execute(query).all())
    except SQLAlchemyError as exc:
        raise TrackerUnavailableError(type(exc).__name__) from exc


def _mark_followers(engine: Engine, messages: list[Message]) -> None:
    """Flag messages answered by the fallback action or followed by a handoff slot (same turn)."""
    if not messages:
        return
    by_sender: dict[str, list[Message]] = {}
    for message in messages:
        by_sender.setdefault(message.sender_id, []).append(message)
    query = (
        select(events.c.id, events.c.sender_id, events.c.type_name, events.c.action_name, events.c.data)
        .where(
            events.c.id >= min(m.event_id for m in messages),
            events.c.sender_id.in_(list(by_sender)),
            events.c.type_name.in_(("user", "action", "slot")),
        )
        .order_by(events.c.sender_id, events.c.id)
    )
    by_id = {m.event_id: m for m in messages}
    current: Message | None = None
    sender = None
    for row in _read(engine, query):
        if row.sender_id != sender:
            sender, current = row.sender_id, None
        if row.type_name == "user":
            current = by_id.get(row.id)
        elif current is not None and row.type_name == "action" and row.action_name in FALLBACK_ACTIONS:
            current.fallback = True
        elif current is not None and row.type_name == "slot":
            data = decode_event(row.data)
            if data.get("name") == HANDOFF_SLOT and data.get("value") not in (None, False, "", "false"):
                current.handoff = True


def recent_messages(
    engine: Engine, session: Session, kind: str = "", low_confidence: float = 0.7, limit: int = 50, offset: int = 0
) -> tuple[list[Message], int]:
    """The newest citizen messages matching ``kind`` (a key of :data:`FILTERS`) and their count."""
    messages = _recent(engine, session, kind, low_confidence)
    return messages[offset : offset + limit], len(messages)


@dataclass
class MessageGroup:
    """Citizen messages with the same normalised text: one problem for a trainer, however often it
    was typed. ``latest`` is the newest of them (the one a correction is made on)."""

    latest: Message
    count: int = 0
    intents: list[tuple[str, int]] = field(default_factory=list)  # (predicted intent, how many), most first
    flags: list[str] = field(default_factory=list)
    corrected: int = 0  # how many of the messages carry a correction


_MASKED_RUN = re.compile(r"[\d*]*\*[\d*]*")
_EDGE_PUNCTUATION = " .,;:!?…\"'“”()"


def grouping_key(text: str) -> str:
    """Case, spacing, end punctuation and masked numbers do not make two messages different."""
    folded = " ".join(_MASKED_RUN.sub("#", text).casefold().split())
    return folded.strip(_EDGE_PUNCTUATION)


def group_messages(messages: Iterable[Message]) -> list[MessageGroup]:
    """Groups by :func:`grouping_key`, most repeated first, then newest first (input: newest first)."""
    groups: dict[str, MessageGroup] = {}
    intents: dict[str, dict[str, int]] = {}
    for message in messages:
        key = grouping_key(message.text)
        group = groups.setdefault(key, MessageGroup(latest=message))
        group.count += 1
        group.corrected += message.correction is not None
        group.flags.extend(flag for flag in message.flags if flag not in group.flags)
        counts = intents.setdefault(key, {})
        counts[message.intent or "—"] = counts.get(message.intent or "—", 0) + 1
    for key, group in groups.items():
        group.intents = sorted(intents[key].items(), key=lambda item: (-item[1], item[0]))
    order = {key: position for position, key in enumerate(groups)}
    return sorted(groups.values(), key=lambda g: (-g.count, order[grouping_key(g.latest.text)]))


def recent_groups(
    engine: Engine, session: Session, kind: str = "", low_confidence: float = 0.7, limit: int = 50, offset: int = 0
) -> tuple[list[MessageGroup], int, int]:
    """A page of message groups matching ``kind``, the number of groups and of messages."""
    messages = _recent(engine, session, kind, low_confidence)
    groups = group_messages(messages)
    return groups[offset : offset + limit], len(groups), len(messages)


def _recent(engine: Engine, session: Session, kind: str, low_confidence: float) -> list[Message]:
    """The newest :data:`WINDOW` citizen messages with their flags and corrections, filtered by ``kind``."""
    rows = _read(
        engine,
        select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.intent_name, events.c.data)
        .where(events.c.type_name == "user")
        .order_by(events.c.id.desc())
        .limit(WINDOW),
    )
    messages = [m for m in (_message(row, decode_event(row.data)) for row in rows) if m is not None]
    _mark_followers(engine, messages)
    corrections = _corrections_for(session, [m.event_id for m in messages])
    for message in messages:
        message.fallback = message.fallback or message.intent in FALLBACK_INTENTS
        message.handoff = message.handoff or message.intent in HANDOFF_INTENTS
        message.correction = corrections.get(message.event_id)
        low = message.confidence is not None and message.confidence < low_confidence
        message.flags = [name for name, on in (("low", low), ("fallback", message.fallback)) if on]
        if message.handoff:
            message.flags.append("handoff")
        if message.correction is not None:
            message.flags.append("corrected")
    if kind:
        messages = [m for m in messages if kind in m.flags]
    return messages


def get_message(engine: Engine, session: Session, event_id: int) -> Message | None:
    """One user message by its tracker row id, with its correction if any."""
    rows = _read(
        engine,
        select(events.c.id, events.c.sender_id, events.c.timestamp, events.c.intent_name, events.c.data).where(
            events.c.id == event_id, events.c.type_name == "user"
        ),
    )
    message = _message(rows[0], decode_event(rows[0].data)) if rows else None
    if message is not None:
        _mark_followers(engine, [message])
        message.correction = _corrections_for(session, [event_id]).get(event_id)
    return message


def _corrections_for(session: Session, event_ids: list[int]) -> dict[int, ReviewCorrection]:
    if not event_ids:
        return {}
    query = select(ReviewCorrection).where(ReviewCorrection.event_id.in_(event_ids))
    return {c.event_id: c for c in session.execute(query).scalars()}


@dataclass(frozen=True)
class Vocabulary:
    """Intents and entities a correction may use: those the project's data and domain define."""

    intents: tuple[str, ...]
    entities: tuple[str, ...]


@lru_cache(maxsize=64)
def _parse_yaml(path: str, _mtime_ns: int, _size: int) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster on data/
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def load_yaml(path: Path) -> Any:
    """A parsed YAML file, cached until the file changes (pages read data/ on every request)."""
    try:
        stat = path.stat()
        return _parse_yaml(str(path), stat.st_mtime_ns, stat.st_size)
    except (OSError, yaml.YAMLError):
        return None


def vocabulary(project_dir: Path) -> Vocabulary:
    """Intents from ``data/**/*.yml`` (retrieval intents as ``faq/<key>``), entities from the domain.

    The bare retrieval intent ``faq`` is left out: a ResponseSelector example needs its key."""
    intents: set[str] = set()
    for path in sorted((project_dir / "data").rglob("*.yml")):
        document = load_yaml(path) or {}
        for block in document.get("nlu") or [] if isinstance(document, dict) else []:
            if isinstance(block, dict) and isinstance(block.get("intent"), str):
                intents.add(block["intent"])
    domain = load_yaml(project_dir / "domain.yml") or {}
    intents.update(i for i in domain.get("intents") or [] if isinstance(i, str) and i != FAQ_INTENT)
    entities = [e if isinstance(e, str) else next(iter(e)) for e in domain.get("entities") or []]
    return Vocabulary(intents=tuple(sorted(intents - {FAQ_INTENT})), entities=tuple(sorted(entities)))


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def check_spans(text: str, spans: Iterable[Any], allowed: Iterable[str]) -> list[dict[str, Any]]:
    """Validated entity spans, sorted; raises :class:`CorrectionError` with a Vietnamese reason.

    Spans must sit on whole words: DIET drops annotations that cut a token ("Misaligned entity
    annotation"), so a half-word selection is refused here rather than silently lost in training."""
    allowed = set(allowed)
    out: list[dict[str, Any]] = []
    for span in spans:
        if not isinstance(span, dict):
            raise CorrectionError({"entities": "Dữ liệu thực thể không hợp lệ. Hãy tải lại trang."})
        start, end, entity = span.get("start"), span.get("end"), span.get("entity")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            raise CorrectionError({"entities": "Vị trí thực thể nằm ngoài câu. Hãy chọn lại đoạn chữ."})
        if entity not in allowed:
            raise CorrectionError({"entities": f"Loại thực thể “{entity}” không có trong miền hội thoại."})
        piece = text[start:end]
        if piece != piece.strip() or (start > 0 and _word_char(text[start - 1]) and _word_char(text[start])):
            raise CorrectionError({"entities": f"“{piece}”: hãy chọn trọn từ, không lấy thừa dấu cách."})
        if end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
            raise CorrectionError({"entities": f"“{piece}”: hãy chọn trọn từ, không cắt giữa từ."})
        out.append({"start": start, "end": end, "entity": entity})
    out.sort(key=lambda s: (s["start"], s["end"]))
    for before, after in itertools.pairwise(out):
        if after["start"] < before["end"]:
            raise CorrectionError({"entities": "Hai thực thể chồng lên nhau. Mỗi đoạn chữ chỉ gán một loại."})
    return out


def correction_snapshot(correction: ReviewCorrection) -> dict[str, Any]:
    """What the audit log keeps of a correction."""
    return {
        "event_id": correction.event_id,
        "text": correction.text,
        "predicted_intent": correction.predicted_intent,
        "intent": correction.intent,
        "entities": list(correction.entities or []),
    }


def save_correction(
    session: Session, message: Message, intent: str, spans: list[Any], vocab: Vocabulary, user: User | None
) -> ReviewCorrection:
    """Create or replace the correction of ``message`` (audited); it is exported later, on demand."""
    if intent not in vocab.intents:
        raise CorrectionError({"intent": "Hãy chọn một ý định có trong danh sách."})
    entities = check_spans(message.text, spans, vocab.entities)
    correction = message.correction
    before = correction_snapshot(correction) if correction is not None else None
    if correction is None:
        correction = ReviewCorrection(
            event_id=message.event_id, sender_id=message.sender_id, created_by=user and user.id
        )
        session.add(correction)
    correction.text = message.text
    correction.predicted_intent = message.intent
    correction.predicted_confidence = message.confidence
    correction.intent = intent
    correction.entities = entities
    correction.updated_at = utcnow()
    correction.exported_at = None
    session.flush()
    action = "review.correct" if before is None else "review.recorrect"
    audit.record(session, user, action, "review_correction", correction.id, before, correction_snapshot(correction))
    return correction


def delete_correction(session: Session, correction: ReviewCorrection, user: User | None) -> None:
    """Withdraw a correction (it leaves the corrections file at the next export)."""
    audit.record(session, user, "review.withdraw", "review_correction", correction.id, correction_snapshot(correction))
    session.delete(correction)

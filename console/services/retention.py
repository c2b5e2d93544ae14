"""Retention: conversations older than N days leave the tracker store (and the console's copies).

A conversation is purged when its *latest* event is older than the cutoff, so a citizen who is
still talking never loses the start of their conversation mid-way (a tracker missing its first
events would replay into a wrong state). Two modes:

* delete (default): the conversation's rows are removed from Rasa's ``events`` table;
* anonymize: rows stay (analytics keep their counts: intents, actions, slots names) but every
  text, entity value, slot value and metadata is blanked.

Either way the console's related handoffs lose their transcript (``last_messages``), contact and
reason, staff replies to those conversations are deleted, and so are the trainers' corrections made
from them (the exported ``corrections.yml`` is rewritten by the caller). Complaints are an official
record: they and the staff answers to them are kept for their own period (``complaint_days``,
``CONSOLE_COMPLAINT_RETENTION_DAYS``), then deleted.

Order: the console's copies go first, committed, then the tracker's rows. A crash in between leaves
conversations without console copies (the next run finishes them), never console copies of
conversations that are gone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from common.tracker_rows import decode_event
from console.models import Complaint, Handoff, ReviewCorrection
from console.models.desk import StaffReply
from console.services.rasa_events import events

BATCH = 500


@dataclass(frozen=True)
class PurgeReport:
    conversations: int
    events: int
    handoffs: int
    staff_replies: int
    corrections: int = 0
    complaints: int = 0


def stale_senders(engine: Engine, cutoff: float) -> list[str]:
    """Sender ids whose latest event is older than ``cutoff`` (epoch seconds)."""
    query = select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)
    with engine.connect() as connection:
        return [row[0] for row in connection.execute(query)]


def _anonymized(raw: str | None) -> str:
    """The event JSON with everything a person typed or was told removed; structure kept."""
    data = decode_event(raw)
    if not data:
        return "{}"
    for key in ("text", "metadata", "data", "input_channel_metadata", "message_id"):
        if key in data:
            data[key] = None if key in ("text", "message_id") else {}
    if data.get("event") == "slot":
        data["value"] = None
    parse = data.get("parse_data")
    if isinstance(parse, dict):
        parse["text"] = ""
        parse["entities"] = [{"entity": e.get("entity")} for e in parse.get("entities") or [] if isinstance(e, dict)]
        parse.pop("response_selector", None)
    if isinstance(data.get("entities"), list):
        data["entities"] = [{"entity": e.get("entity")} for e in data["entities"] if isinstance(e, dict)]
    return json.dumps(data, ensure_ascii=False)


def _purge_tracker(engine: Engine, senders: list[str], anonymize: bool) -> int:
    touched = 0
    with engine.begin() as connection:
        for i in range(0, len(senders), BATCH):
            chunk = senders[i : i + BATCH]
            if not anonymize:
                touched += connection.execute(delete(events).where(events.c.sender_id.in_(chunk))).rowcount
                continue
            rows = connection.execute(select(events.c.id, events.c.data).where(events.c.sender_id.in_(chunk))).all()
            for row_id, raw in rows:
                connection.execute(update(events).where(events.c.id == row_id).values(data=_anonymized(raw)))
            touched += len(rows)
    return touched


def _purge_complaints(session: Session, cutoff: datetime) -> tuple[int, int]:
    """Complaints created before ``cutoff`` and the staff answers to them: (complaints, answers)."""
    old = select(Complaint.id).where(Complaint.created_at < cutoff)
    answers = session.execute(
        delete(StaffReply).where(StaffReply.complaint_id.in_(old)).execution_options(synchronize_session=False)
    ).rowcount
    complaints = session.execute(
        delete(Complaint).where(Complaint.created_at < cutoff).execution_options(synchronize_session=False)
    ).rowcount
    return complaints, answers


def _purge_corrections(session: Session, senders: list[str]) -> int:
    removed = 0
    for i in range(0, len(senders), BATCH):
        removed += session.execute(
            delete(ReviewCorrection)
            .where(ReviewCorrection.sender_id.in_(senders[i : i + BATCH]))
            .execution_options(synchronize_session=False)
        ).rowcount
    return removed


def _purge_console(session: Session, senders: list[str], cutoff: datetime) -> tuple[int, int]:
    handoffs = replies = 0
    for i in range(0, len(senders), BATCH):
        chunk = senders[i : i + BATCH]
        replies += session.execute(
            delete(StaffReply)
            .where(StaffReply.sender_id.in_(chunk), StaffReply.complaint_id.is_(None))
            .execution_options(synchronize_session=False)
        ).rowcount
        handoffs += session.execute(
            update(Handoff)
            .where(Handoff.sender_id.in_(chunk), Handoff.created_at < cutoff)
            .values(last_messages=[], contact=None, reason="")
            .execution_options(synchronize_session=False)
        ).rowcount
    return handoffs, replies


def purge(
    tracker: Engine,
    console: Session,
    older_than_days: int,
    now: datetime | None = None,
    anonymize: bool = False,
    dry_run: bool = False,
    complaint_days: int = 0,
) -> PurgeReport:
    """Purge conversations idle for more than ``older_than_days`` (and complaints older than
    ``complaint_days``, 0: kept); returns what was (or would be) touched."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=older_than_days)
    senders = stale_senders(tracker, cutoff.timestamp())
    if dry_run:
        with tracker.connect() as connection:
            count = 0
            for i in range(0, len(senders), BATCH):
                query = select(func.count()).select_from(events).where(events.c.sender_id.in_(senders[i : i + BATCH]))
                count += int(connection.execute(query).scalar_one())
        return PurgeReport(len(senders), count, 0, 0)
    naive_cutoff = cutoff.astimezone(timezone.utc).replace(tzinfo=None)
    handoffs, replies = _purge_console(console, senders, naive_cutoff)
    corrections = _purge_corrections(console, senders)
    complaints = answers = 0
    if complaint_days > 0:
        complaint_cutoff = (now - timedelta(days=complaint_days)).astimezone(timezone.utc).replace(tzinfo=None)
        complaints, answers = _purge_complaints(console, complaint_cutoff)
    console.commit()  # the console's copies are gone before the conversations (see the module docstring)
    touched = _purge_tracker(tracker, senders, anonymize)
    return PurgeReport(len(senders), touched, handoffs, replies + answers, corrections, complaints)

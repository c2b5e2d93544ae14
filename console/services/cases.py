"""Handoffs to a staff member and complaints, as filed by the assistant through the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.models import Complaint, Handoff, ReferenceCounter, User, utcnow
from console.services.office_hours import DAY_NAMES, OfficeHours

REFERENCE_PREFIX = "PA"


@dataclass(frozen=True)
class HandoffRequest:
    sender_id: str
    channel: str
    reason: str
    last_messages: list[dict[str, str]]
    contact: str | None = None


def citizen_message(hours: OfficeHours, now: datetime, has_contact: bool) -> tuple[bool, str]:
    """(within office hours, what the assistant tells the citizen)."""
    if hours.is_open(now):
        return True, (
            "Mình đã chuyển yêu cầu của bạn đến cán bộ tiếp nhận. Cán bộ sẽ trả lời bạn ngay tại đây, "
            "bạn vui lòng chờ trong giây lát nhé."
        )
    opening = hours.next_opening(now)
    when = f" từ {opening:%H:%M} {DAY_NAMES[opening.weekday()]}, ngày {opening:%d/%m/%Y}" if opening else ""
    contact = (
        "qua thông tin liên hệ bạn đã để lại"
        if has_contact
        else "tại đây; bạn cũng có thể để lại số điện thoại hoặc email để được gọi lại"
    )
    schedule = f" ({hours.describe()})" if hours.describe() else ""
    return False, (
        f"Hiện đang ngoài giờ làm việc{schedule}. Mình đã ghi nhận yêu cầu của bạn, "
        f"cán bộ sẽ liên hệ lại{when} {contact}."
    )


def open_handoff_for(session: Session, sender_id: str) -> Handoff | None:
    """The conversation's handoff that is still open or taken, if any."""
    query = (
        select(Handoff)
        .where(Handoff.sender_id == sender_id, Handoff.status.in_(("open", "taken")))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def request_handoff(
    session: Session, request: HandoffRequest, hours: OfficeHours, now: datetime
) -> tuple[Handoff, bool]:
    """Open a handoff, or return the one already open for this conversation (a citizen pressing the
    button twice must not queue twice), recording a contact given now. Returns (handoff, created)."""
    existing = open_handoff_for(session, request.sender_id)
    if existing is not None:
        if request.contact:  # left afterwards (the bot asks for it outside office hours)
            existing.contact = request.contact
        return existing, False
    within, _ = citizen_message(hours, now, bool(request.contact))
    handoff = Handoff(
        sender_id=request.sender_id,
        channel=request.channel,
        reason=request.reason,
        last_messages=request.last_messages,
        contact=request.contact,
        status="open",
        within_office_hours=within,
        created_at=_naive_utc(now),
    )
    session.add(handoff)
    session.flush()
    return handoff, True


def owner_of(session: Session, sender_id: str) -> tuple[Handoff | None, User | None]:
    """The taken handoff of this conversation and its owner, if a staff member owns it now."""
    handoff = open_handoff_for(session, sender_id)
    if handoff is None or handoff.status != "taken" or handoff.owner_id is None:
        return handoff, None
    return handoff, session.get(User, handoff.owner_id)


def _naive_utc(now: datetime) -> datetime:
    """Stored datetimes are naive UTC; ``now`` may be aware (tests freeze local time)."""
    return now if now.tzinfo is None else now.astimezone(timezone.utc).replace(tzinfo=None)


def _next_number(session: Session, day: str) -> int:
    """Increment the day's counter with an upsert; the row stays locked until the caller commits."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(ReferenceCounter).values(day=day, last=1)
    statement = statement.on_conflict_do_update(
        index_elements=[ReferenceCounter.day], set_={"last": ReferenceCounter.last + 1}
    )
    session.execute(statement)
    return int(session.execute(select(ReferenceCounter.last).where(ReferenceCounter.day == day)).scalar_one())


def file_complaint(
    session: Session,
    sender_id: str,
    channel: str,
    description: str,
    contact: str | None,
    hours: OfficeHours,
    now: datetime | None = None,
) -> Complaint:
    """Store a complaint under the next reference of the day, ``PA-YYYYMMDD-NNNN`` (local date).

    Numbers come from a per-day counter row (see :class:`ReferenceCounter`); if a reference is
    somehow taken already (rows imported by hand), the next number is tried."""
    now = now or utcnow()
    day = hours.local(now).strftime("%Y%m%d")
    for _attempt in range(20):
        complaint = Complaint(
            reference=f"{REFERENCE_PREFIX}-{day}-{_next_number(session, day):04d}",
            sender_id=sender_id,
            channel=channel,
            description=description,
            contact=contact,
            status="new",
            created_at=_naive_utc(now),
        )
        try:
            with session.begin_nested():
                session.add(complaint)
        except IntegrityError:
            continue
        return complaint
    raise RuntimeError("could not allocate a complaint reference")

"""Complaints (phản ánh, kiến nghị) as staff handle them: new → in progress → answered.

An answer goes back to the citizen the same way as a desk reply (a bot event through Rasa's
HTTP API, delivered on the conversation's latest channel) and is kept in ``StaffReply`` so the
complaint page shows it. Every status change and answer is audited.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from common.sql import session_scope
from common.text.pii import mask_pii
from console.models import Complaint, User
from console.models.desk import StaffReply
from console.services import audit
from console.services.desk import DeskError, Outcome, clean_reply
from console.services.rasa_api import NotDeliveredError, RasaApi, RasaUnavailableError

STATUS_LABELS = {"new": "Mới", "in_progress": "Đang xử lý", "answered": "Đã trả lời"}


def listing(session: Session, status: str = "", limit: int = 200) -> list[Complaint]:
    """Newest first, optionally one status."""
    query = select(Complaint).order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(limit)
    if status in STATUS_LABELS:
        query = query.where(Complaint.status == status)
    return list(session.execute(query).scalars())


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Complaint.status, func.count(Complaint.id)).group_by(Complaint.status)).all()
    return {status: int(n) for status, n in rows}


def by_reference(session: Session, reference: str) -> Complaint:
    complaint = session.execute(select(Complaint).where(Complaint.reference == reference[:32])).scalar_one_or_none()
    if complaint is None:
        raise DeskError("Không tìm thấy phản ánh này.")
    return complaint


def replies(session: Session, complaint: Complaint) -> list[tuple[StaffReply, str]]:
    """Answers sent so far with their authors' names, oldest first."""
    rows = session.execute(
        select(StaffReply, User)
        .outerjoin(User, User.id == StaffReply.author_id)
        .where(StaffReply.complaint_id == complaint.id)
        .order_by(StaffReply.id)
    ).all()
    return [(reply, (user.display_name or user.username) if user else "") for reply, user in rows]


def set_status(session: Session, complaint: Complaint, status: str, user: User) -> Outcome:
    if status not in STATUS_LABELS:
        raise DeskError("Trạng thái không hợp lệ.")
    if status == complaint.status:
        return Outcome(False, "Phản ánh đã ở trạng thái này.")
    before = {"status": complaint.status}
    complaint.status = status
    audit.record(session, user, "complaint.status", "complaint", complaint.reference, before, {"status": status})
    return Outcome(True, f"Đã chuyển sang trạng thái “{STATUS_LABELS[status]}”.")


def answer(factory: sessionmaker, rasa: RasaApi, reference: str, user: User, text: str) -> Outcome:
    """Send an answer to the citizen; marks the complaint answered only when Rasa accepted it."""
    text = clean_reply(text)
    with session_scope(factory) as session:
        complaint = by_reference(session, reference)
        sender_id, complaint_id = complaint.sender_id, complaint.id
    message = f"Trả lời phản ánh {reference}:\n{text}"
    failure: RasaUnavailableError | None = None
    try:
        rasa.send_staff_message(sender_id, message)
    except RasaUnavailableError as error:
        failure = error
    delivered = failure is None
    with session_scope(factory) as session:
        complaint = session.get(Complaint, complaint_id)
        before = {"status": complaint.status}
        session.add(
            StaffReply(
                complaint_id=complaint_id, sender_id=sender_id, author_id=user.id, text=text, delivered=delivered
            )
        )
        if delivered:
            complaint.status = "answered"
        audit.record(
            session,
            user,
            "complaint.answer",
            "complaint",
            reference,
            before,
            {"status": complaint.status, "text": mask_pii(text), "delivered": delivered},
        )
    if isinstance(failure, NotDeliveredError):
        return Outcome(False, failure.citizen_message)
    if failure is not None:
        return Outcome(False, "Đã lưu câu trả lời nhưng chưa gửi được cho người dân (không kết nối được trợ lý ảo).")
    return Outcome(True, "Đã gửi câu trả lời cho người dân và chuyển sang “Đã trả lời”.")

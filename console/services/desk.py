"""The handoff desk: take a conversation, reply to the citizen, hand it back to the bot.

Only one owner per conversation. Taking is one conditional ``UPDATE ... WHERE status = 'open'``:
the database applies it to at most one of two simultaneous requests (SQLite serialises writers,
PostgreSQL re-checks the WHERE clause after the row lock), so the loser sees ``rowcount == 0`` and
is told someone else took it; no read-then-write window exists. The change commits *before*
Rasa is called (never hold a database lock across an HTTP call); if Rasa cannot be told, the take
is undone with the same kind of conditional update, so the bot never stays silent for nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from common.sql import session_scope
from common.text.pii import mask_pii
from console.models import Handoff, User, utcnow
from console.models.desk import StaffReply
from console.services import audit
from console.services.rasa_api import RasaApi, RasaUnavailableError

MAX_REPLY_CHARS = 2000  # Zalo's limit for one message; the widget's too.


class DeskError(Exception):
    """An action staff cannot do now; the message is shown to them as is (Vietnamese)."""


@dataclass(frozen=True)
class Outcome:
    """What happened, for the notice on the page: ``ok`` False means nothing changed."""

    ok: bool
    notice: str


def queue(session: Session, include_closed: bool = False, limit: int = 100) -> list[Handoff]:
    """Waiting requests first (oldest first: first come, first served), then taken, then closed."""
    states = ("open", "taken", "closed") if include_closed else ("open", "taken")
    order = (Handoff.status != "open", Handoff.status != "taken", Handoff.created_at, Handoff.id)
    query = select(Handoff).where(Handoff.status.in_(states)).order_by(*order).limit(limit)
    return list(session.execute(query).scalars())


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Handoff.status, func.count(Handoff.id)).group_by(Handoff.status)).all()
    return {status: int(n) for status, n in rows}


def owner_names(session: Session, handoffs: list[Handoff]) -> dict[int, str]:
    ids = {h.owner_id for h in handoffs if h.owner_id}
    if not ids:
        return {}
    users = session.execute(select(User).where(User.id.in_(ids))).scalars()
    return {u.id: u.display_name or u.username for u in users}


def _snapshot(handoff: Handoff) -> dict[str, object]:
    return {"status": handoff.status, "owner_id": handoff.owner_id, "sender_id": handoff.sender_id}


def take(factory: sessionmaker, rasa: RasaApi, handoff_id: int, user: User) -> Outcome:
    """Make ``user`` the only owner of an open request and silence the bot in that conversation."""
    with session_scope(factory) as session:
        won = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "open")
            .values(status="taken", owner_id=user.id, taken_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise DeskError("Không tìm thấy yêu cầu này.")
        if won != 1:
            return Outcome(False, "Yêu cầu này đã có cán bộ khác nhận. Bạn không cần xử lý nữa.")
        audit.record(session, user, "handoff.take", "handoff", handoff_id, after=_snapshot(handoff))
        sender_id = handoff.sender_id
    try:
        rasa.set_handoff(sender_id, True)
    except RasaUnavailableError:
        _undo_take(factory, handoff_id, user)
        return Outcome(
            False, "Chưa kết nối được với trợ lý ảo nên chưa nhận được yêu cầu. Vui lòng thử lại sau ít phút."
        )
    return Outcome(True, "Bạn đã nhận cuộc trò chuyện. Trợ lý ảo tạm ngừng trả lời cho đến khi bạn trả lại.")


def _undo_take(factory: sessionmaker, handoff_id: int, user: User) -> None:
    with session_scope(factory) as session:
        session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "taken", Handoff.owner_id == user.id)
            .values(status="open", owner_id=None, taken_at=None)
            .execution_options(synchronize_session=False)
        )
        audit.record(session, user, "handoff.take_undone", "handoff", handoff_id, note="Rasa unreachable")


def _owned(session: Session, handoff_id: int, user: User) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise DeskError("Không tìm thấy yêu cầu này.")
    if handoff.status != "taken" or handoff.owner_id != user.id:
        raise DeskError("Bạn chưa nhận cuộc trò chuyện này nên không thể trả lời hoặc trả lại.")
    return handoff


def clean_reply(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise DeskError("Vui lòng nhập nội dung trả lời.")
    if len(text) > MAX_REPLY_CHARS:
        raise DeskError(f"Nội dung trả lời dài quá {MAX_REPLY_CHARS} ký tự.")
    return text


def reply(factory: sessionmaker, rasa: RasaApi, handoff_id: int, user: User, text: str) -> Outcome:
    """Send ``text`` to the citizen as the owner; recorded (masked) in the audit log either way."""
    text = clean_reply(text)
    with session_scope(factory) as session:
        sender_id = _owned(session, handoff_id, user).sender_id
    failure: RasaUnavailableError | None = None
    try:
        rasa.send_staff_message(sender_id, text)
    except RasaUnavailableError as error:
        failure = error
    delivered = failure is None
    with session_scope(factory) as session:
        session.add(
            StaffReply(handoff_id=handoff_id, sender_id=sender_id, author_id=user.id, text=text, delivered=delivered)
        )
        audit.record(
            session,
            user,
            "handoff.reply",
            "handoff",
            handoff_id,
            after={"text": mask_pii(text), "delivered": delivered},
        )
    if failure is not None:
        return Outcome(False, failure.citizen_message)
    return Outcome(True, "Đã gửi tin nhắn cho người dân.")


def release(factory: sessionmaker, rasa: RasaApi, handoff_id: int, user: User) -> Outcome:
    """Hand the conversation back to the bot and close the request (owner only)."""
    with session_scope(factory) as session:
        handoff = _owned(session, handoff_id, user)
        before = _snapshot(handoff)
        session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "taken", Handoff.owner_id == user.id)
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        audit.record(session, user, "handoff.release", "handoff", handoff_id, before=before, after={"status": "closed"})
        sender_id = handoff.sender_id
    try:
        rasa.set_handoff(sender_id, False)
    except RasaUnavailableError:
        return Outcome(
            False,
            "Đã đóng yêu cầu nhưng chưa báo được cho trợ lý ảo: trợ lý có thể vẫn im lặng trong cuộc trò chuyện "
            "này. Vui lòng báo quản trị viên.",
        )
    return Outcome(True, "Đã trả cuộc trò chuyện cho trợ lý ảo và đóng yêu cầu.")


IDLE_RELEASE_NOTE = "auto: owner idle"


def _hand_back(
    factory: sessionmaker, rasa: RasaApi, handoff_id: int, sender_id: str, owner_id: int | None, actor: User | None
) -> bool:
    """Tell Rasa first (a silent bot is what hurts the citizen; if Rasa cannot be told, the request
    stays taken and the next attempt retries), then close the request if it is still the same owner's."""
    try:
        rasa.set_handoff(sender_id, False)
    except RasaUnavailableError:
        return False
    with session_scope(factory) as session:
        done = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "taken", Handoff.owner_id == owner_id)
            .values(status="closed", closed_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if done == 1:
            action = "handoff.force_release" if actor is not None else "handoff.idle_release"
            note = "" if actor is not None else IDLE_RELEASE_NOTE
            audit.record(session, actor, action, "handoff", handoff_id, after={"status": "closed"}, note=note)
    return done == 1


def release_idle(factory: sessionmaker, rasa: RasaApi, idle_minutes: int, now: datetime | None = None) -> list[int]:
    """Hand back every taken conversation whose owner has not written for ``idle_minutes`` (since
    taking it or since their last reply): a staff member who left must not keep the bot silent."""
    if idle_minutes <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(minutes=idle_minutes)
    with session_scope(factory) as session:
        taken = session.execute(select(Handoff).where(Handoff.status == "taken")).scalars().all()
        latest_reply = dict(
            session.execute(
                select(StaffReply.handoff_id, func.max(StaffReply.created_at))
                .where(StaffReply.handoff_id.in_([handoff.id for handoff in taken]))
                .group_by(StaffReply.handoff_id)
            ).all()
        )
        idle = [
            (handoff.id, handoff.sender_id, handoff.owner_id)
            for handoff in taken
            if max(filter(None, (handoff.taken_at, latest_reply.get(handoff.id))), default=cutoff) < cutoff
        ]
    return [
        handoff_id for handoff_id, sender, owner in idle if _hand_back(factory, rasa, handoff_id, sender, owner, None)
    ]


def force_release(factory: sessionmaker, rasa: RasaApi, handoff_id: int, admin: User) -> Outcome:
    """An administrator hands back a conversation another staff member holds (audited)."""
    with session_scope(factory) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            raise DeskError("Không tìm thấy yêu cầu này.")
        if handoff.status != "taken":
            return Outcome(False, "Yêu cầu này không còn do cán bộ nào giữ.")
        sender_id, owner_id = handoff.sender_id, handoff.owner_id
    if not _hand_back(factory, rasa, handoff_id, sender_id, owner_id, admin):
        return Outcome(False, "Chưa trả lại được: không kết nối được với trợ lý ảo hoặc yêu cầu vừa thay đổi.")
    return Outcome(True, "Đã trả cuộc trò chuyện cho trợ lý ảo và đóng yêu cầu.")


def close_unanswered(factory: sessionmaker, handoff_id: int, user: User) -> Outcome:
    """Close a waiting request without taking it (e.g. the citizen was called back on the phone)."""
    with session_scope(factory) as session:
        done = session.execute(
            update(Handoff)
            .where(Handoff.id == handoff_id, Handoff.status == "open")
            .values(status="closed", closed_at=utcnow(), owner_id=user.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if done != 1:
            return Outcome(False, "Yêu cầu này không còn ở trạng thái chờ nên không đóng được.")
        audit.record(session, user, "handoff.close", "handoff", handoff_id, after={"status": "closed"})
    return Outcome(True, "Đã đóng yêu cầu.")

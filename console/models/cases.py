"""What the assistant hands over to people: handoffs to a staff member and complaints."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from console.models.base import Base, utcnow

HANDOFF_STATES = ("open", "taken", "closed")


class Handoff(Base):
    """A citizen asked for a person. ``open`` waits for staff, ``taken`` has an owner (the bot stays
    silent in that conversation), ``closed`` is done."""

    __tablename__ = "console_handoffs"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    reason = Column(String(500), nullable=False, default="")
    # Already masked by the action server: [{"role": "user"|"bot", "text": "..."}].
    last_messages = Column(JSON, nullable=False, default=list)
    contact = Column(String(200), nullable=True)
    status = Column(String(16), nullable=False, default="open", index=True)
    owner_id = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    within_office_hours = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    taken_at = Column(DateTime, nullable=True)
    closed_at = Column(DateTime, nullable=True)


class Complaint(Base):
    """A complaint (phản ánh) filed through the assistant, with a reference the citizen can quote."""

    __tablename__ = "console_complaints"

    id = Column(Integer, primary_key=True)
    reference = Column(String(32), unique=True, nullable=False)
    sender_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    description = Column(Text, nullable=False)
    contact = Column(String(200), nullable=True)
    status = Column(String(16), nullable=False, default="new")
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ReferenceCounter(Base):
    """Last complaint number handed out per local day; one row lock serialises allocation, so two
    simultaneous complaints never get the same reference (PostgreSQL and SQLite alike)."""

    __tablename__ = "console_reference_counters"

    day = Column(String(8), primary_key=True)
    last = Column(Integer, nullable=False, default=0)

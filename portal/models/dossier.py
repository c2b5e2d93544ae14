"""The dossier registry (hồ sơ): what citizens filed and how it is being handled.

Owners' ID numbers and phone digits are stored only as keyed hashes, so a database dump does not
reveal them; the owner's name is stored masked for display to staff.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from portal.models.base import Base


class Dossier(Base):
    """One dossier, keyed by its national code (<unit>-<YYMMDD>-<seq>)."""

    __tablename__ = "dossiers"

    id = Column(Integer, primary_key=True)
    code = Column(String(64), unique=True, nullable=False, index=True)  # mã hồ sơ, normalized
    procedure_code = Column(String(32), nullable=False, index=True)
    procedure_name = Column(Text, nullable=False)
    owner_name_masked = Column(String(255), nullable=False)  # "Nguyễn V. A."
    owner_id_hash = Column(String(64), nullable=False)  # keyed hash of số định danh / CCCD
    owner_phone_last4_hash = Column(String(64), nullable=False)  # keyed hash of the last 4 digits
    received_date = Column(Date, nullable=False)  # ngày tiếp nhận
    appointment_date = Column(Date, nullable=True)  # ngày hẹn trả
    finished_date = Column(Date, nullable=True)
    channel = Column(String(16), nullable=False)  # in_person | online | post
    handling_unit = Column(Text, nullable=False)  # đơn vị xử lý
    status = Column(Integer, nullable=False, index=True)  # national status code 1-10
    fee_amount = Column(Integer, nullable=False, default=0)  # VND
    fee_paid = Column(Integer, nullable=False, default=0)  # VND

    events = relationship(
        "DossierEvent", back_populates="dossier", cascade="all, delete-orphan", order_by="DossierEvent.at"
    )
    supplements = relationship("SupplementRequest", back_populates="dossier", cascade="all, delete-orphan")


class DossierEvent(Base):
    """One step of the processing timeline: who, which unit, when, what."""

    __tablename__ = "dossier_events"

    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime, nullable=False)
    unit = Column(Text, nullable=False)
    actor_role = Column(String(128), nullable=False)  # a role, never a person's name
    action = Column(Text, nullable=False)
    status = Column(Integer, nullable=False)

    dossier = relationship("Dossier", back_populates="events")


class SupplementRequest(Base):
    """A request to the citizen for more documents (yêu cầu bổ sung giấy tờ)."""

    __tablename__ = "supplement_requests"

    id = Column(Integer, primary_key=True)
    dossier_id = Column(Integer, ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False, index=True)
    requested_at = Column(DateTime, nullable=False)
    due_date = Column(Date, nullable=True)
    documents = Column(Text, nullable=False)  # newline-separated document names
    note = Column(Text, nullable=False, default="")
    resolved_at = Column(DateTime, nullable=True)

    dossier = relationship("Dossier", back_populates="supplements")


class LookupFailure(Base):
    """A failed lookup by one client, for throttling (shared across portal workers)."""

    __tablename__ = "lookup_failures"

    id = Column(Integer, primary_key=True)
    # Throttle key: "c:<keyed hash of the caller>" or "d:<keyed hash of the dossier code tried>".
    client_key = Column(String(128), nullable=False, index=True)
    at = Column(DateTime, nullable=False, index=True)

"""What staff wrote back to citizens from the console (handoff replies, complaint answers).

The reply itself reaches the citizen as a bot event in Rasa's tracker (so Zalo, the web widget and
the transcript all see it); this table is the console's own record of who answered what, which
the complaint page shows and the retention command removes with the conversation.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text

from console.models.base import Base, utcnow


class StaffReply(Base):
    """One message a staff member sent to a citizen; exactly one of handoff_id / complaint_id is set."""

    __tablename__ = "console_staff_replies"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(Integer, ForeignKey("console_handoffs.id"), nullable=True, index=True)
    complaint_id = Column(Integer, ForeignKey("console_complaints.id"), nullable=True, index=True)
    sender_id = Column(String(128), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    text = Column(Text, nullable=False)
    # False when Rasa could not be reached: the page says so and staff can send again.
    delivered = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

"""Frequently asked questions curated by staff and answered by the assistant."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Text

from console.models.base import Base, utcnow

FAQ_STATES = ("draft", "published")


class Faq(Base):
    """One FAQ: the Rasa retrieval intent ``faq/<key>`` and its response ``utter_faq/<key>``.

    There is one working copy: editing a published FAQ changes what the assistant says at once
    (through ``GET /api/v1/faqs/{key}``), which is what desks asked for when a fee changes.
    """

    __tablename__ = "console_faqs"

    id = Column(Integer, primary_key=True)
    key = Column(String(64), unique=True, nullable=False)
    title = Column(String(200), nullable=False)
    questions = Column(JSON, nullable=False, default=list)
    answer = Column(Text, nullable=False)
    tags = Column(JSON, nullable=False, default=list)
    status = Column(String(16), nullable=False, default="draft", index=True)
    # Accent-free, lower-case copy of key, title, questions, tags and answer for list search.
    search_text = Column(Text, nullable=False, default="")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    updated_by = Column(Integer, ForeignKey("console_users.id"), nullable=True)
    published_at = Column(DateTime, nullable=True)

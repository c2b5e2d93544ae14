"""Small key/value facts about the portal database itself (e.g. which catalog file was imported).

Lets ``python -m portal init`` be idempotent and fast: it re-imports the catalog only when the
file's fingerprint changed since the last successful import.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Text

from portal.models.base import Base


class PortalMeta(Base):
    __tablename__ = "portal_meta"

    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False, default="")
    updated_at = Column(DateTime, nullable=True)

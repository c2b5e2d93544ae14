"""Procedure briefs (built at catalog import) and the staff overlay that corrects them.

The brief is rebuilt from the catalog on every import; staff corrections live apart, keyed by
procedure code, and are applied when the brief is served, so they survive re-imports and take
effect for the bot at once. ``source_hash`` fingerprints the catalog text a brief was built from;
a correction remembers the hash it was made against, so a changed record marks it stale.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Text

from portal.models.base import Base


class ProcedureBrief(Base):
    """The brief of one procedure, as built by portal.catalog.brief at import time."""

    __tablename__ = "procedure_briefs"

    procedure_code = Column(String(32), primary_key=True)
    brief = Column(JSON, nullable=False, default=dict)
    source_hash = Column(String(64), nullable=False, default="")


class BriefCorrection(Base):
    """Staff overlay on one brief: document order and short names, agency, a note."""

    __tablename__ = "brief_corrections"

    procedure_code = Column(String(32), primary_key=True)
    # Imported names of the documents to hand in, in the order staff want them shown.
    document_order = Column(JSON, nullable=False, default=list)
    # Imported name -> the short name staff chose.
    document_names = Column(JSON, nullable=False, default=dict)
    agency = Column(Text, nullable=False, default="")
    note = Column(Text, nullable=False, default="")
    base_hash = Column(String(64), nullable=False, default="")  # source_hash of the brief staff corrected
    updated_by = Column(String(128), nullable=False, default="")
    updated_at = Column(DateTime, nullable=True)


class BriefCorrectionAudit(Base):
    """Every change of a brief correction: who, when, before and after."""

    __tablename__ = "brief_correction_audit"

    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(32), nullable=False, index=True)
    actor = Column(String(128), nullable=False)
    at = Column(DateTime, nullable=False)
    before = Column(JSON, nullable=True)
    after = Column(JSON, nullable=True)

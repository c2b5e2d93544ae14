"""The procedure catalog (danh mục thủ tục hành chính), structured from the national portal.

Model of the national database: procedure -> channels (kênh: time + fee + description);
procedure -> cases (trường hợp) -> required documents; procedure -> steps.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from portal.models.base import Base


class Procedure(Base):
    """One administrative procedure (thủ tục hành chính), keyed by its national code."""

    __tablename__ = "procedures"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False, index=True)  # mã thủ tục, e.g. 1.004222
    name = Column(Text, nullable=False)  # tên thủ tục
    field = Column(String(255), nullable=False, default="", index=True)  # lĩnh vực
    level = Column(String(64), nullable=False, default="", index=True)  # cấp thực hiện (bộ/tỉnh/xã)
    procedure_type = Column(String(255), nullable=False, default="")  # loại thủ tục
    decision_number = Column(String(255), nullable=False, default="")  # số quyết định công bố
    ministry = Column(String(128), nullable=False, default="")  # bộ ngành (slug from the portal)
    agencies = Column(Text, nullable=False, default="")  # cơ quan thực hiện
    competent_authority = Column(Text, nullable=False, default="")  # cơ quan có thẩm quyền
    receiving_address = Column(Text, nullable=False, default="")  # địa chỉ tiếp nhận
    audience = Column(Text, nullable=False, default="")  # đối tượng thực hiện
    requirements = Column(Text, nullable=False, default="")  # yêu cầu, điều kiện
    result = Column(Text, nullable=False, default="")  # kết quả xử lý, result names joined by "; "
    results = Column(JSON, nullable=False, default=list)  # [{"name", "code"}] from ket_qua_xu_ly
    legal_basis = Column(JSON, nullable=False, default=list)  # [{"title", "number"}]
    related = Column(Text, nullable=False, default="")  # thủ tục liên quan
    source_url = Column(Text, nullable=False, default="")  # detail_url on Cổng DVC quốc gia
    data_date = Column(String(10), nullable=False, default="")  # ISO date of the snapshot
    online_url = Column(Text, nullable=False, default="")  # link to file online, when one exists
    # The portal page showed a "Nộp hồ sơ" (file online) button; the snapshot has no link for it.
    online_filing = Column(Boolean, nullable=False, default=False)
    raw = Column(JSON, nullable=False, default=dict)  # the source record as imported
    # Staff corrections applied on import: [{"field", "value", "original", "reason", "source"}].
    corrections = Column(JSON, nullable=False, default=list)

    channels = relationship(
        "ProcedureChannel",
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureChannel.position",
    )
    cases = relationship(
        "DocumentCase",
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="DocumentCase.position",
    )
    steps = relationship(
        "ProcedureStep",
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureStep.position",
    )


class ProcedureChannel(Base):
    """How a procedure can be filed (cách thức thực hiện): in person, online or by post."""

    __tablename__ = "procedure_channels"

    id = Column(Integer, primary_key=True)
    procedure_id = Column(Integer, ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    channel = Column(String(16), nullable=False)  # in_person | online | post
    time_value = Column(Float, nullable=True)  # thời hạn giải quyết as a number
    time_unit = Column(String(32), nullable=True)  # working_day | day | hour | month | year | ...
    time_text = Column(Text, nullable=False, default="")
    fee_amount = Column(Integer, nullable=True)  # VND; 0 when free; None when not a fixed amount
    fee_text = Column(Text, nullable=False, default="")
    description = Column(Text, nullable=False, default="")
    # Why fee_amount is None or was changed: "provincial" (set by the HĐND), "free_but_amount_in_text",
    # "free_but_fee_rule_cited", "foreign_currency", "multiple", "corrected"; "" otherwise.
    fee_flag = Column(String(32), nullable=False, default="")

    procedure = relationship("Procedure", back_populates="channels")


class DocumentCase(Base):
    """A group of required documents (thành phần hồ sơ) for one case (trường hợp)."""

    __tablename__ = "document_cases"

    id = Column(Integer, primary_key=True)
    procedure_id = Column(Integer, ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    title = Column(Text, nullable=False, default="")  # "" when the procedure has a single case

    procedure = relationship("Procedure", back_populates="cases")
    documents = relationship(
        "RequiredDocument",
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="RequiredDocument.position",
    )


class RequiredDocument(Base):
    """One document (giấy tờ) to bring, with its form template and number of originals/copies."""

    __tablename__ = "required_documents"

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("document_cases.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    name = Column(Text, nullable=False)
    template = Column(Text, nullable=False, default="")  # mẫu đơn, tờ khai
    originals = Column(Integer, nullable=True)  # bản chính
    copies = Column(Integer, nullable=True)  # bản sao
    quantity_text = Column(Text, nullable=False, default="")

    case = relationship("DocumentCase", back_populates="documents")


class ProcedureStep(Base):
    """One step of trình tự thực hiện."""

    __tablename__ = "procedure_steps"

    id = Column(Integer, primary_key=True)
    procedure_id = Column(Integer, ForeignKey("procedures.id", ondelete="CASCADE"), nullable=False, index=True)
    position = Column(Integer, nullable=False, default=0)
    title = Column(Text, nullable=False, default="")
    description = Column(Text, nullable=False, default="")

    procedure = relationship("Procedure", back_populates="steps")


class CatalogImportIssue(Base):
    """A part of a source record that could not be parsed; kept raw for the import report."""

    __tablename__ = "catalog_import_issues"
    __table_args__ = (UniqueConstraint("procedure_code", "part"),)

    id = Column(Integer, primary_key=True)
    procedure_code = Column(String(32), nullable=False, index=True)
    part = Column(String(64), nullable=False)  # source field, e.g. "cach_thuc_thuc_hien"
    reason = Column(Text, nullable=False)
    raw_text = Column(Text, nullable=False, default="")

"""Request and response models of the portal HTTP API (they define the OpenAPI contract)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, constr

MAX_QUERY_CHARS = 500
MAX_FILTER_CHARS = 255


class ErrorBody(BaseModel):
    code: str = Field(..., description="Machine-readable error code, e.g. `dossier_not_found`.")
    message: str = Field(..., description="Message for the citizen, in Vietnamese.")


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str = Field(..., example="ok")
    database: str = Field(..., example="ok")


class ProcedureHit(BaseModel):
    code: str = Field(..., example="1.004222")
    name: str
    field: str = Field(..., description="Lĩnh vực")
    level: str = Field(..., description="Cấp thực hiện")
    score: float
    source_url: str = Field(..., description="Page of the procedure on Cổng Dịch vụ công quốc gia")
    matched_terms: list[str] = Field(
        default_factory=list, description="Content words of the query (accent-free) this procedure matched."
    )
    confident: bool = Field(
        False, description="The message's content words support this hit: answer it; otherwise ask the citizen."
    )


class ProcedureList(BaseModel):
    items: list[ProcedureHit]
    total: int = Field(..., description="Number of matching procedures (before `limit`).")
    data_date: str = Field(..., description="Date of the catalog snapshot (ISO), to show with answers.")


class LookupRequest(BaseModel):
    code: constr(strict=True, strip_whitespace=True, min_length=1, max_length=100) = Field(  # type: ignore[valid-type]
        ..., description="Dossier code as the citizen typed it.", example="000.00.01.H29-240115-0001"
    )
    factor: constr(strict=True, strip_whitespace=True, min_length=1, max_length=40) = Field(  # type: ignore[valid-type]
        ..., description="Owner's 12-digit ID number, or the last 4 digits of the registered phone."
    )


class TimelineEntryOut(BaseModel):
    at: datetime = Field(..., description="Vietnam local time (UTC+7), without offset.")
    unit: str
    actor_role: str
    action: str
    status: int
    status_name: str


class DossierOut(BaseModel):
    """The citizen's view of a dossier: never the ID number or phone."""

    code: str
    procedure_code: str
    procedure_name: str
    owner_name_masked: str = Field(..., example="Nguyễn V. A.")
    status: int = Field(..., ge=1, le=10, description="National status code 1-10.")
    status_name: str = Field(..., description="Official name of the status.")
    status_label: str = Field(..., description="What the status means, in plain Vietnamese.")
    channel: str = Field(..., description="in_person | online | post")
    channel_label: str
    handling_unit: str
    received_date: date
    appointment_date: date | None
    finished_date: date | None
    overdue: bool = Field(..., description="Past the appointment date and neither finished nor closed.")
    finished: bool = Field(..., description="Status 9 or 10.")
    closed: bool = Field(..., description="Status 3, 7 or 8.")
    fee_amount: int
    fee_paid: int
    fee_due: int
    next_step: str = Field(..., description="What the citizen should do next, in plain Vietnamese.")
    supplement_documents: list[str]
    supplement_due_date: date | None
    timeline: list[TimelineEntryOut]


class LookupResponse(BaseModel):
    dossier: DossierOut
    as_of: datetime = Field(..., description="Vietnam time of the answer.")


class BriefDocument(BaseModel):
    name: str = Field(..., description="Short name, cut at a clause boundary.", example="Tờ khai đăng ký khai sinh")
    form: str | None = Field(None, description="Numbered form, e.g. `mẫu CT01`; null when none is named.")
    originals: int = Field(..., description="Bản chính")
    copies: int = Field(..., description="Bản sao")


class BriefCase(BaseModel):
    title: str = Field(..., example="Trẻ em bị bỏ rơi")
    documents: list[BriefDocument]


class BriefDocuments(BaseModel):
    submit: list[BriefDocument] = Field(..., description="Ordinary case, to hand in; forms first.")
    show: list[BriefDocument] = Field(..., description="To show (xuất trình), not hand in.")
    cases: list[BriefCase] = Field(..., description="Other named cases: conditions, authorisation, online-only.")
    notes: list[str] = Field(..., description="Lưu ý and conditions that name no document, as sentences.")


class BriefFee(BaseModel):
    channel: str = Field(..., description="in_person | online | post")
    amount: int | None = Field(..., description="VND; 0 when free; null when not one fixed amount.")
    text: str = Field(..., description="One plain phrase with its condition.", example="135.000 đồng/lần")
    derived: bool = Field(..., description="The amount came from the note or a staff correction, not the fee cell.")
    by_province: bool = Field(..., description="Set by the provincial People's Council (HĐND tỉnh).")


class BriefTime(BaseModel):
    channel: str
    text: str = Field(..., example="7 ngày làm việc")
    value: float | None
    unit: str | None = Field(..., description="working_day | day | hour | month | year | minute | week | same_day")


class BriefWhere(BaseModel):
    agency: str = Field(..., example="Ủy ban nhân dân cấp xã")
    authority: str = Field(..., description="people_committee | police | admin_center | other")
    unit_level: str = Field(..., description="commune | province | central")
    derived: bool = Field(..., description="True when the record had no agency and it was derived from level + field.")


class BriefOnline(BaseModel):
    available: bool
    url: str | None


class BriefSource(BaseModel):
    url: str
    data_date: str


class Brief(BaseModel):
    """What a citizen needs from a procedure, built at catalog import (staff corrections applied)."""

    name: str = Field(..., description="Display name without a leading `Thủ tục`.", example="Đăng ký khai sinh")
    documents: BriefDocuments
    fees: list[BriefFee]
    times: list[BriefTime]
    where: BriefWhere
    steps: list[str] = Field(..., description="Complete sentences, no empty headings.")
    online: BriefOnline
    source: BriefSource
    corrected_by_staff: bool


class ProcedureDetail(BaseModel):
    """The full structured record (every catalog part, raw text where parsing failed) plus its brief."""

    code: str = Field(..., example="1.001193")
    name: str
    brief: Brief | None = Field(..., description="Null only when the catalog was imported before briefs existed.")

    class Config:
        extra = "allow"


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong service token."},
    422: {"model": ErrorResponse, "description": "Malformed input."},
    500: {"model": ErrorResponse, "description": "Unexpected failure (neutral message, no details)."},
    503: {"model": ErrorResponse, "description": "Service token not configured, or database unavailable."},
}


class BriefCorrectionIn(BaseModel):
    """A staff correction of a brief, as typed in the console; all empty removes the correction."""

    actor: constr(strip_whitespace=True, min_length=1, max_length=128) = Field(  # type: ignore[valid-type]
        ..., description="Username of the staff member (recorded in the audit)."
    )
    document_order: list[constr(max_length=300)] = Field(  # type: ignore[valid-type]
        default_factory=list, max_items=60, description="Imported names of the documents to hand in, in order."
    )
    document_names: dict[str, constr(max_length=300)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Imported name -> short name chosen by staff."
    )
    agency: constr(max_length=300) = ""  # type: ignore[valid-type]
    note: constr(max_length=1000) = ""  # type: ignore[valid-type]


class BriefCorrectionOut(BaseModel):
    document_order: list[str]
    document_names: dict[str, str]
    agency: str
    note: str
    updated_by: str
    updated_at: str | None


class BriefCorrectionHistory(BaseModel):
    actor: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class BriefCorrectionView(BaseModel):
    code: str
    imported: Brief = Field(..., description="The brief as imported from the catalog.")
    brief: Brief = Field(..., description="The brief as served (correction applied).")
    correction: BriefCorrectionOut | None
    stale: list[str] = Field(..., description="Why the correction may no longer fit the catalog ([] when it does).")
    history: list[BriefCorrectionHistory] = Field(..., description="Latest changes first.")


class BriefCorrectionSummary(BaseModel):
    code: str
    name: str
    updated_by: str
    updated_at: datetime | None
    stale: list[str]


class BriefCorrectionList(BaseModel):
    items: list[BriefCorrectionSummary]

"""The internal API the Rasa action server calls (Bearer ``CONSOLE_SERVICE_TOKEN``).

It reads the database on every call, so a FAQ published in the console is answered at once,
without retraining. Every error is ``{"error": {"code", "message"}}`` with a Vietnamese message.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from common.http_api import ApiError
from console.routes.deps import DbSession, require_service_token
from console.routes.schemas import (
    ComplaintIn,
    ComplaintOut,
    FaqMatch,
    FaqOut,
    HandoffIn,
    HandoffOut,
    MatchOut,
    OwnerOut,
)
from console.services import cases, matching
from console.services import faqs as faq_service
from console.services.cases import HandoffRequest

router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_service_token)], tags=["bot"])


def _now(request: Request):
    return request.app.state.clock()


@router.get("/faqs/match", response_model=MatchOut)
def match_faqs(
    db: DbSession,
    q: str = Query(..., min_length=1, max_length=500),
    limit: int = Query(3, ge=1, le=10),
    min_score: float = Query(0.35, ge=0.0, le=1.0),
) -> MatchOut:
    """Best published FAQs for a free-text question, by accent-insensitive lexical similarity."""
    found = matching.best_matches(q, faq_service.published(db), limit, min_score)
    return MatchOut(
        query=q,
        results=[
            FaqMatch(
                key=m.faq.key,
                title=m.faq.title,
                answer=m.faq.answer,
                score=m.score,
                matched_question=m.matched_question,
            )
            for m in found
        ],
    )


@router.get("/faqs/{key}", response_model=FaqOut)
def get_faq(key: str, db: DbSession) -> FaqOut:
    """The currently published answer; 404 when the FAQ is missing or not published."""
    faq = faq_service.get(db, key[:64])
    if faq is None or faq.status != "published":
        raise ApiError(404, "faq_not_found", "Không có câu trả lời đang được công bố cho câu hỏi này.")
    return FaqOut(
        key=faq.key, title=faq.title, answer=faq.answer, tags=faq.tags or [], updated_at=faq.updated_at.isoformat()
    )


@router.post("/handoffs", response_model=HandoffOut, status_code=201)
def create_handoff(body: HandoffIn, request: Request, db: DbSession) -> JSONResponse:
    """Queue the conversation for a person (or return the one already queued, with 200); a contact
    sent with a later call is recorded on the queued one."""
    hours = request.app.state.office_hours
    now = _now(request)
    handoff, created = cases.request_handoff(
        db,
        HandoffRequest(
            sender_id=body.sender_id,
            channel=body.channel,
            reason=body.reason,
            last_messages=[m.dict() for m in body.last_messages],
            contact=body.contact or None,
        ),
        hours,
        now,
    )
    within, message = cases.citizen_message(hours, now, bool(handoff.contact))
    out = HandoffOut(
        id=handoff.id,
        status=handoff.status,
        within_office_hours=within,
        message_for_citizen=message,
        has_contact=bool(handoff.contact),
    )
    return JSONResponse(out.dict(), status_code=201 if created else 200)


@router.post("/complaints", response_model=ComplaintOut, status_code=201)
def create_complaint(body: ComplaintIn, request: Request, db: DbSession) -> ComplaintOut:
    complaint = cases.file_complaint(
        db,
        body.sender_id,
        body.channel,
        body.description,
        body.contact or None,
        request.app.state.office_hours,
        _now(request),
    )
    return ComplaintOut(reference=complaint.reference, status=complaint.status)


@router.get("/conversations/{sender_id}/owner", response_model=OwnerOut)
def conversation_owner(sender_id: str, db: DbSession) -> OwnerOut:
    """Whether a staff member owns the conversation now (then the bot stays silent)."""
    handoff, owner = cases.owner_of(db, sender_id[:128])
    return OwnerOut(
        sender_id=sender_id,
        owned=owner is not None,
        handoff_id=handoff.id if handoff else None,
        handoff_status=handoff.status if handoff else None,
        owner_name=owner.display_name if owner else None,
    )

"""Complaint pages for staff: list by status, one complaint, change status, answer the citizen."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from console.routes.deps import Ctx, DeskForm, DeskUser
from console.routes.desk import CHANNEL_LABELS, rasa_api
from console.routes.errors import PageError
from console.services import complaints
from console.services.complaints import STATUS_LABELS
from console.services.desk import DeskError, Outcome

router = APIRouter(prefix="/complaints")


def _back(reference: str, outcome: Outcome) -> Response:
    kind = "ok" if outcome.ok else "error"
    return RedirectResponse(f"/complaints/{quote(reference)}?{kind}={quote(outcome.notice)}", status_code=303)


@router.get("")
def listing(ctx: DeskUser, status: str = "") -> Response:
    status = status if status in STATUS_LABELS else ""
    return ctx.render(
        "complaints/list.html",
        complaints=complaints.listing(ctx.db, status),
        counts=complaints.counts(ctx.db),
        status=status,
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


@router.get("/{reference}")
def show(ctx: DeskUser, reference: str, ok: str = "", error: str = "") -> Response:
    try:
        complaint = complaints.by_reference(ctx.db, reference)
    except DeskError as exc:
        raise PageError(404, str(exc)) from exc
    return ctx.render(
        "complaints/show.html",
        complaint=complaint,
        replies=complaints.replies(ctx.db, complaint),
        ok=ok[:300],
        error=error[:300],
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


@router.post("/{reference}/status")
async def set_status(request: Request, ctx: DeskForm, reference: str) -> Response:
    form = await request.form()
    try:
        complaint = complaints.by_reference(ctx.db, reference)
        outcome = complaints.set_status(ctx.db, complaint, str(form.get("status") or ""), ctx.user)
    except DeskError as exc:
        outcome = Outcome(False, str(exc))
    return _back(reference, outcome)


def _answer(ctx: Ctx, reference: str, text: str) -> Response:
    ctx.db.commit()  # one SQLite writer at a time: the service writes in its own sessions
    try:
        outcome = complaints.answer(
            ctx.request.app.state.session_factory, rasa_api(ctx.request), reference, ctx.user, text
        )
    except DeskError as exc:
        outcome = Outcome(False, str(exc))
    return _back(reference, outcome)


@router.post("/{reference}/answer")
async def answer(request: Request, ctx: DeskForm, reference: str) -> Response:
    form = await request.form()
    return await run_in_threadpool(_answer, ctx, reference, str(form.get("text") or ""))

"""Handoff desk pages: the queue, one conversation (transcript + reply), take / release / close.

Handlers stay thin: rules live in :mod:`console.services.desk`. Each state change is a POST with
the session's CSRF token, answered by a redirect carrying a notice (post/redirect/get).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from common.conversation import (
    REST_CHANNEL,
    SOCKETIO_CHANNEL,
    WEB_NAMESPACE,
    WEBCHAT_NAMESPACE,
    ZALO_NAMESPACE,
)
from console.models import Handoff
from console.routes.deps import Ctx, DeskAdminForm, DeskForm, DeskUser
from console.routes.errors import PageError
from console.services import desk
from console.services.desk import DeskError, Outcome
from console.services.rasa_api import RasaApi
from console.services.rasa_events import Line, TrackerUnavailableError, tracker_engine, transcript

router = APIRouter(prefix="/desk")
STATUS_LABELS = {"open": "Đang chờ", "taken": "Đang xử lý", "closed": "Đã xong"}
# A handoff's channel is its sender's namespace, else the conversation's input channel.
CHANNEL_LABELS = {
    WEB_NAMESPACE: "Trang web",
    WEBCHAT_NAMESPACE: "Trang web",
    ZALO_NAMESPACE: "Zalo",
    REST_CHANNEL: "Trang web",
    SOCKETIO_CHANNEL: "Trang web",
}


def rasa_api(request: Request) -> RasaApi:
    """The Rasa client (tests put a fake on ``app.state.rasa_api``)."""
    fake = getattr(request.app.state, "rasa_api", None)
    settings = request.app.state.settings
    return fake or RasaApi(settings.rasa_url, settings.rasa_token)


def tracker(request: Request) -> Engine:
    return tracker_engine(request.app.state.settings.tracker_database_url)


def _handoff(ctx: Ctx, handoff_id: int) -> Handoff:
    handoff = ctx.db.get(Handoff, handoff_id)
    if handoff is None:
        raise PageError(404, "Không tìm thấy yêu cầu này.")
    return handoff


def _lines(request: Request, handoff: Handoff) -> tuple[list[Line], bool]:
    """The transcript from the tracker store; the action's masked snapshot when it is unreadable."""
    try:
        lines = transcript(tracker(request), handoff.sender_id)
        if lines:
            return lines, True
    except TrackerUnavailableError:
        pass
    snapshot = [
        Line(role=m.get("role", "user"), text=str(m.get("text", "")), at=handoff.created_at)
        for m in handoff.last_messages or []
        if isinstance(m, dict)
    ]
    return snapshot, False


def _back(handoff_id: int, outcome: Outcome) -> Response:
    kind = "ok" if outcome.ok else "error"
    return RedirectResponse(f"/desk/{handoff_id}?{kind}={quote(outcome.notice)}", status_code=303)


@router.get("")
def queue(ctx: DeskUser, closed: int = 0) -> Response:
    items = desk.queue(ctx.db, include_closed=bool(closed))
    return ctx.render(
        "desk/queue.html",
        handoffs=items,
        owners=desk.owner_names(ctx.db, items),
        counts=desk.counts(ctx.db),
        closed=bool(closed),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        hours=ctx.request.app.state.office_hours,
        is_open=ctx.request.app.state.office_hours.is_open(ctx.request.app.state.clock()),
    )


@router.get("/{handoff_id}")
def show(ctx: DeskUser, handoff_id: int, ok: str = "", error: str = "") -> Response:
    handoff = _handoff(ctx, handoff_id)
    lines, live = _lines(ctx.request, handoff)
    return ctx.render(
        "desk/show.html",
        handoff=handoff,
        lines=lines,
        live=live,
        owner=desk.owner_names(ctx.db, [handoff]).get(handoff.owner_id or 0, ""),
        mine=handoff.status == "taken" and handoff.owner_id == ctx.user.id,
        ok=ok[:300],
        error=error[:300],
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        max_chars=desk.MAX_REPLY_CHARS,
    )


@router.get("/{handoff_id}/messages.json")
def messages(ctx: DeskUser, handoff_id: int) -> JSONResponse:
    """For the page's 3-second refresh: the transcript and the request's status."""
    handoff = _handoff(ctx, handoff_id)
    lines, _live = _lines(ctx.request, handoff)
    body = {
        "status": handoff.status,
        "lines": [{"role": line.role, "text": line.text, "at": line.at.isoformat() + "Z"} for line in lines],
    }
    return JSONResponse(body)


def _act(ctx: Ctx, handoff_id: int, action: str, text: str = "") -> Response:
    _handoff(ctx, handoff_id)
    # Release the request's own transaction first: the desk service writes in fresh sessions and
    # SQLite allows one writer at a time.
    ctx.db.commit()
    factory, rasa = ctx.request.app.state.session_factory, rasa_api(ctx.request)
    try:
        if action == "take":
            outcome = desk.take(factory, rasa, handoff_id, ctx.user)
        elif action == "reply":
            outcome = desk.reply(factory, rasa, handoff_id, ctx.user, text)
        elif action == "release":
            outcome = desk.release(factory, rasa, handoff_id, ctx.user)
        elif action == "force_release":
            outcome = desk.force_release(factory, rasa, handoff_id, ctx.user)
        else:
            outcome = desk.close_unanswered(factory, handoff_id, ctx.user)
    except DeskError as exc:
        outcome = Outcome(False, str(exc))
    return _back(handoff_id, outcome)


@router.post("/{handoff_id}/take")
def take(ctx: DeskForm, handoff_id: int) -> Response:
    return _act(ctx, handoff_id, "take")


@router.post("/{handoff_id}/reply")
async def reply(request: Request, ctx: DeskForm, handoff_id: int) -> Response:
    form = await request.form()
    return await run_in_threadpool(_act, ctx, handoff_id, "reply", str(form.get("text") or ""))


@router.post("/{handoff_id}/release")
def release(ctx: DeskForm, handoff_id: int) -> Response:
    return _act(ctx, handoff_id, "release")


@router.post("/{handoff_id}/force-release")
def force_release(ctx: DeskAdminForm, handoff_id: int) -> Response:
    return _act(ctx, handoff_id, "force_release")


@router.post("/{handoff_id}/close")
def close(ctx: DeskForm, handoff_id: int) -> Response:
    return _act(ctx, handoff_id, "close")

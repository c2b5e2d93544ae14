"""Conversation review pages (trainers): recent messages with filters, correcting one message,
withdrawing a correction, and exporting corrections as training data.

Handlers stay thin: reading the tracker store and the rules of a correction live in
:mod:`console.services.review`, the training file in :mod:`console.services.review_export`.
"""

# No "from __future__ import annotations": FastAPI evaluates the Annotated dependency aliases.

import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from console.routes.deps import Ctx, require, require_post
from console.routes.errors import PageError
from console.services import review, review_export
from console.services.rasa_events import TrackerUnavailableError, tracker_engine
from console.services.training_data import screened_sets

router = APIRouter(prefix="/review")
Reviewer = Annotated[Ctx, Depends(require("review.correct"))]
ReviewForm = Annotated[Ctx, Depends(require_post("review.correct"))]
PAGE_SIZE = 50
EXPORT_FIELDS = ("written", "duplicates", "held_out")
TRACKER_MESSAGE = (
    "Chưa đọc được kho hội thoại của trợ lý. Kiểm tra biến CONSOLE_TRACKER_DB_URL và việc trợ lý đã "
    "lưu hội thoại vào cơ sở dữ liệu (tracker_store trong endpoints.yml)."
)
NOTICES = {
    "saved": "Đã lưu nhãn đúng. Bấm “Xuất dữ liệu huấn luyện” để đưa vào lần huấn luyện tới.",
    "withdrawn": "Đã bỏ sửa nhãn của tin nhắn này.",
}
FLAG_LABELS = {
    "low": "Độ tin cậy thấp",
    "fallback": "Không hiểu",
    "handoff": "Chuyển cán bộ",
    "corrected": "Đã sửa nhãn",
}


def _tracker(request: Request) -> Engine:
    """The tracker database; a missing SQLite file is reported, never created by reading it."""
    url = request.app.state.settings.tracker_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise TrackerUnavailableError("no tracker database file")
    return tracker_engine(url)


@router.get("")
def list_messages(request: Request, ctx: Reviewer, kind: str = "", page: int = 1, notice: str = "") -> Response:
    settings = request.app.state.settings
    kind = kind if kind in review.FILTERS else ""
    page = max(1, page)
    error = ""
    try:
        groups, total, message_count = review.recent_groups(
            _tracker(request), ctx.db, kind, settings.low_confidence, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
    except TrackerUnavailableError:
        groups, total, message_count, error = [], 0, 0, TRACKER_MESSAGE
    export = None
    if request.query_params.get("exported"):
        q = request.query_params
        export = {name: int(q.get(name, "0")) if q.get(name, "0").isdigit() else 0 for name in EXPORT_FIELDS}
    return ctx.render(
        "review/list.html",
        groups=groups,
        total=total,
        message_count=message_count,
        kind=kind,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters=review.FILTERS,
        flag_labels=FLAG_LABELS,
        low_confidence=settings.low_confidence,
        error=error,
        notice=NOTICES.get(notice, ""),
        export=export,
    )


def _message(request: Request, ctx: Ctx, event_id: int) -> review.Message:
    try:
        message = review.get_message(_tracker(request), ctx.db, event_id)
    except TrackerUnavailableError as exc:
        raise PageError(503, TRACKER_MESSAGE) from exc
    if message is None:
        raise PageError(404, "Không tìm thấy tin nhắn này (có thể hội thoại đã bị xoá theo thời hạn lưu trữ).")
    return message


def _form_page(
    ctx: Ctx, message: review.Message, vocab: review.Vocabulary, status_code: int = 200, **values: object
) -> Response:
    correction = message.correction
    intent = values.get("intent") or (correction.intent if correction else message.intent)
    spans = values.get("spans")
    if spans is None:
        spans = correction.entities if correction else message.entities
    return ctx.render(
        "review/message.html",
        status_code=status_code,
        message=message,
        vocab=vocab,
        intent=intent,
        spans_json=json.dumps(spans, ensure_ascii=False),
        spans=spans,
        errors=values.get("errors") or {},
        flag_labels=FLAG_LABELS,
    )


@router.get("/messages/{event_id}")
def show_message(event_id: int, request: Request, ctx: Reviewer) -> Response:
    message = _message(request, ctx, event_id)
    return _form_page(ctx, message, review.vocabulary(request.app.state.settings.project_dir))


@router.post("/messages/{event_id}")
async def correct_message(event_id: int, request: Request, ctx: ReviewForm) -> Response:
    message = _message(request, ctx, event_id)
    vocab = review.vocabulary(request.app.state.settings.project_dir)
    form = await request.form()
    intent = str(form.get("intent") or "")
    try:
        spans = json.loads(str(form.get("entities") or "[]"))
        if not isinstance(spans, list):
            raise ValueError("not a list")
    except ValueError:
        errors = {"entities": "Dữ liệu thực thể không đọc được. Hãy tải lại trang và chọn lại."}
        return _form_page(ctx, message, vocab, 400, intent=intent, spans=[], errors=errors)
    try:
        review.save_correction(ctx.db, message, intent, spans, vocab, ctx.user)
    except review.CorrectionError as exc:
        return _form_page(ctx, message, vocab, 400, intent=intent, spans=spans, errors=exc.errors)
    return RedirectResponse("/review?kind=corrected&notice=saved", status_code=303)


@router.post("/messages/{event_id}/withdraw")
def withdraw(event_id: int, request: Request, ctx: ReviewForm) -> Response:
    message = _message(request, ctx, event_id)
    if message.correction is not None:
        review.delete_correction(ctx.db, message.correction, ctx.user)
    return RedirectResponse("/review?notice=withdrawn", status_code=303)


@router.post("/export")
def export(request: Request, ctx: ReviewForm) -> Response:
    settings = request.app.state.settings
    report = review_export.export_corrections(
        ctx.db, settings.corrections_path, settings.project_dir / "data", screened_sets(settings), ctx.user
    )
    counts = f"written={report.written}&duplicates={len(report.duplicates)}&held_out={len(report.held_out)}"
    return RedirectResponse(f"/review?kind=corrected&exported=1&{counts}", status_code=303)

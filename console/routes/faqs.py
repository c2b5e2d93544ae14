"""FAQ pages for staff: list and search, create, edit with preview, publish and unpublish."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.models import Faq
from console.routes.deps import Ctx, FaqEditForm, FaqEditor, FaqPublishForm, FaqReader
from console.routes.errors import PageError
from console.services import faqs as faq_service
from console.services.faqs import FaqConflictError, FaqInput, FaqValidationError
from console.services.preview import render_answer

router = APIRouter(prefix="/faqs")
NOTICES = {
    "created": "Đã tạo câu hỏi ở trạng thái nháp. Hãy xem trước rồi bấm “Công bố” khi đã sẵn sàng.",
    "saved": "Đã lưu thay đổi.",
    "saved_live": "Đã lưu thay đổi. Câu hỏi đang được công bố nên trợ lý dùng nội dung mới ngay.",
    "unchanged": "Không có thay đổi nào để lưu.",
    "published": "Đã công bố: trợ lý trả lời bằng nội dung này trong vòng một phút.",
    "unpublished": "Đã ngừng công bố: trợ lý không còn dùng câu trả lời này.",
}
STATUS_LABELS = {"draft": "Nháp", "published": "Đã công bố"}


def _faq_or_404(ctx: Ctx, key: str) -> Faq:
    faq = faq_service.get(ctx.db, key)
    if faq is None:
        raise PageError(404, "Không tìm thấy câu hỏi này.")
    return faq


def _form_input(form: dict[str, str]) -> FaqInput:
    return FaqInput(
        key=form.get("key", ""),
        title=form.get("title", ""),
        questions=form.get("questions", ""),
        answer=form.get("answer", ""),
        tags=form.get("tags", ""),
    )


async def _read_form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(value) for name, value in form.items() if isinstance(value, str)}


@router.get("")
def list_faqs(ctx: FaqReader, q: str = "", status: str = "") -> Response:
    status = status if status in STATUS_LABELS else ""
    items = faq_service.search(ctx.db, q[:200], status)
    return ctx.render("faqs/list.html", faqs=items, q=q[:200], status=status, status_labels=STATUS_LABELS)


@router.get("/new")
def new_form(ctx: FaqEditor) -> Response:
    return ctx.render("faqs/form.html", faq=None, values={}, errors={}, preview=None)


@router.post("/new")
async def create(request: Request, ctx: FaqEditForm) -> Response:
    form = await _read_form(request)
    data = _form_input(form)
    preview = render_answer(faq_service.clean_answer(data.answer)) if form.get("action") == "preview" else None
    if preview is not None:
        return ctx.render("faqs/form.html", faq=None, values=form, errors={}, preview=preview)
    try:
        faq = faq_service.create(ctx.db, data, ctx.user)
    except FaqValidationError as exc:
        return ctx.render("faqs/form.html", status_code=400, faq=None, values=form, errors=exc.errors, preview=None)
    return RedirectResponse(f"/faqs/{faq.key}?notice=created", status_code=303)


@router.get("/{key}")
def show(ctx: FaqReader, key: str, notice: str = "") -> Response:
    faq = _faq_or_404(ctx, key)
    return ctx.render(
        "faqs/show.html",
        faq=faq,
        preview=render_answer(faq.answer),
        notice=NOTICES.get(notice, ""),
        errors={},
        status_labels=STATUS_LABELS,
    )


def _values(faq: Faq) -> dict[str, str]:
    return {
        "key": faq.key,
        "title": faq.title,
        "questions": "\n".join(faq.questions or []),
        "answer": faq.answer,
        "tags": ", ".join(faq.tags or []),
        "version": faq_service.version_of(faq),
    }


@router.get("/{key}/edit")
def edit_form(key: str, ctx: FaqEditor) -> Response:
    faq = _faq_or_404(ctx, key)
    return ctx.render("faqs/form.html", faq=faq, values=_values(faq), errors={}, preview=None)


@router.post("/{key}/edit")
async def edit(key: str, request: Request, ctx: FaqEditForm) -> Response:
    faq = _faq_or_404(ctx, key)
    form = {**await _read_form(request), "key": faq.key}
    if form.get("action") == "preview":
        preview = render_answer(faq_service.clean_answer(form.get("answer", "")))
        return ctx.render("faqs/form.html", faq=faq, values=form, errors={}, preview=preview)
    try:
        changed = faq_service.update(ctx.db, faq, _form_input(form), ctx.user, form.get("version") or None)
    except FaqValidationError as exc:
        return ctx.render("faqs/form.html", status_code=400, faq=faq, values=form, errors=exc.errors, preview=None)
    except FaqConflictError as exc:
        # The editor's text stays; saving again, after seeing the newer version, is a deliberate choice.
        values = {**form, "version": faq_service.version_of(faq)}
        return ctx.render(
            "faqs/form.html", status_code=409, faq=faq, values=values, errors={}, preview=None, conflict=str(exc)
        )
    notice = "unchanged" if not changed else ("saved_live" if faq.status == "published" else "saved")
    return RedirectResponse(f"/faqs/{faq.key}?notice={notice}", status_code=303)


@router.post("/{key}/publish")
def publish(key: str, ctx: FaqPublishForm) -> Response:
    faq = _faq_or_404(ctx, key)
    try:
        faq_service.publish(ctx.db, faq, ctx.user)
    except FaqValidationError as exc:
        return ctx.render(
            "faqs/show.html",
            status_code=400,
            faq=faq,
            preview=render_answer(faq.answer),
            notice="",
            errors=exc.errors,
            status_labels=STATUS_LABELS,
        )
    return RedirectResponse(f"/faqs/{faq.key}?notice=published", status_code=303)


@router.post("/{key}/unpublish")
def unpublish(key: str, ctx: FaqPublishForm) -> Response:
    faq = _faq_or_404(ctx, key)
    faq_service.unpublish(ctx.db, faq, ctx.user)
    return RedirectResponse(f"/faqs/{faq.key}?notice=unpublished", status_code=303)

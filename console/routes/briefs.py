"""Pages where staff correct a procedure brief (what the assistant says about a procedure).

The portal stores the correction and serves it to the bot at once; these pages read the brief from
the portal, show it as a simple form (document order and short names, agency, a note) and send
what staff typed back with their username. Each change is also written to the console's audit log.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from console.routes.deps import BriefEditForm, BriefEditor, Ctx
from console.routes.errors import PageError
from console.services import audit
from console.services.portal_api import (
    PortalApi,
    PortalNotFoundError,
    PortalRejectedError,
    PortalUnavailableError,
)

router = APIRouter(prefix="/briefs")
CODE = re.compile(r"^\d{1,2}\.\d{6}$")
UNAVAILABLE = (
    "Không kết nối được với cổng dữ liệu thủ tục. Thay đổi chưa được lưu; vui lòng thử lại sau ít phút "
    "hoặc báo quản trị viên."
)
NOT_FOUND = "Không tìm thấy thủ tục có mã này. Mã thủ tục có dạng 1.001193."
NOTICES = {
    "saved": "Đã lưu. Trợ lý dùng tóm tắt đã sửa ngay cho các câu trả lời tiếp theo.",
    "cleared": "Đã xóa mọi chỉnh sửa. Trợ lý dùng lại tóm tắt theo danh mục.",
}


def _portal(ctx: Ctx) -> PortalApi:
    settings = ctx.request.app.state.settings
    return PortalApi(settings.portal_url, settings.portal_token)


@router.get("")
def list_briefs(ctx: BriefEditor, code: str = "") -> Response:
    code = code.strip()
    if code:
        if not CODE.match(code):
            return _render_list(ctx, code=code, error=NOT_FOUND, status_code=400)
        return RedirectResponse(f"/briefs/{code}", status_code=303)
    return _render_list(ctx)


def _render_list(ctx: Ctx, code: str = "", error: str = "", status_code: int = 200) -> Response:
    try:
        items = [{**item, "updated_at": _when(item["updated_at"])} for item in _portal(ctx).list_corrections()]
    except PortalUnavailableError:
        items, error = [], error or UNAVAILABLE
    return ctx.render("briefs/list.html", status_code=status_code, items=items, code=code, error=error)


@router.get("/{code}")
def edit_form(ctx: BriefEditor, code: str, notice: str = "") -> Response:
    view = _load(ctx, code)
    return _render_form(ctx, view, notice=NOTICES.get(notice, ""))


@router.post("/{code}")
async def save(request: Request, ctx: BriefEditForm, code: str) -> Response:
    view = _load(ctx, code)
    form = {name: str(value) for name, value in (await request.form()).items() if isinstance(value, str)}
    clear = form.get("action") == "clear"
    payload = {"actor": ctx.user.username} if clear else {"actor": ctx.user.username, **_correction(form, view)}
    try:
        saved = _portal(ctx).save_correction(code, payload)
    except PortalRejectedError as exc:
        return _render_form(ctx, view, status_code=400, error=str(exc), values=form)
    except PortalUnavailableError as exc:
        raise PageError(503, UNAVAILABLE) from exc
    if saved["correction"] != view["correction"]:
        audit.record(ctx.db, ctx.user, "brief.correct", "brief", code, view["correction"], saved["correction"])
    return RedirectResponse(f"/briefs/{code}?notice={'cleared' if clear else 'saved'}", status_code=303)


def _load(ctx: Ctx, code: str) -> dict[str, Any]:
    if not CODE.match(code):
        raise PageError(404, NOT_FOUND)
    try:
        return _portal(ctx).get_correction(code)
    except PortalNotFoundError as exc:
        raise PageError(404, NOT_FOUND) from exc
    except PortalUnavailableError as exc:
        raise PageError(503, UNAVAILABLE) from exc


def _rows(view: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Documents to hand in (in the served order) and to show, each with its imported name as key."""
    correction = view["correction"] or {}
    names = correction.get("document_names") or {}
    order = correction.get("document_order") or []
    documents = view["imported"]["documents"]
    imported = [doc["name"] for doc in documents["submit"]]

    def rank(name: str) -> tuple[int, int]:
        return (order.index(name) if name in order else len(order), imported.index(name))

    submit = [
        {"key": name, "name": names.get(name, name), "position": i + 1}
        for i, name in enumerate(sorted(imported, key=rank))
    ]
    show = [{"key": doc["name"], "name": names.get(doc["name"], doc["name"])} for doc in documents["show"]]
    return submit, show


def _correction(form: dict[str, str], view: dict[str, Any]) -> dict[str, Any]:
    """What staff typed, as the portal's correction (documents keyed by their imported names)."""
    submit, show = _rows(view)
    known = {row["key"] for row in submit + show}
    ranked = []
    names = {}
    for i in range(len(submit)):
        key = form.get(f"doc_{i}_key", "")
        if key not in known:
            continue
        ranked.append((_number(form.get(f"doc_{i}_position", ""), i + 1), i, key))
        names[key] = form.get(f"doc_{i}_name", "").strip()
    for i in range(len(show)):
        key = form.get(f"show_{i}_key", "")
        if key in known:
            names[key] = form.get(f"show_{i}_name", "").strip()
    return {
        "document_order": [key for _, _, key in sorted(ranked)],
        "document_names": {key: name for key, name in names.items() if name and name != key},
        "agency": form.get("agency", "").strip(),
        "note": form.get("note", "").strip(),
    }


def _when(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _summary(after: dict[str, Any] | None) -> list[str]:
    """A change in words for staff ("Thứ tự: …", "Tên ngắn: A → B", "Cơ quan: …", "Ghi chú: …")."""
    if not after:
        return ["Đã xóa mọi chỉnh sửa, dùng lại tóm tắt theo danh mục."]
    lines = []
    if after.get("document_order"):
        lines.append("Thứ tự giấy tờ: " + "; ".join(after["document_order"]))
    lines += [f"Tên ngắn: {old} → {new}" for old, new in (after.get("document_names") or {}).items()]
    if after.get("agency"):
        lines.append(f"Cơ quan thực hiện: {after['agency']}")
    if after.get("note"):
        lines.append(f"Ghi chú: {after['note']}")
    return lines


def _number(value: str, default: int) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else default


def _render_form(
    ctx: Ctx,
    view: dict[str, Any],
    status_code: int = 200,
    notice: str = "",
    error: str = "",
    values: dict[str, str] | None = None,
) -> Response:
    submit, show = _rows(view)
    correction = view["correction"] or {}
    fields = values or {"agency": correction.get("agency", ""), "note": correction.get("note", "")}
    history = [
        {"at": _when(entry["at"]), "actor": entry["actor"], "summary": _summary(entry["after"])}
        for entry in view["history"]
    ]
    return ctx.render(
        "briefs/form.html",
        history=history,
        status_code=status_code,
        view=view,
        brief=view["imported"],
        submit=submit,
        show=show,
        values=fields,
        notice=notice,
        error=error,
    )

"""Analytics page and CSV export, computed from Rasa's events (see console.services.analytics)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi import APIRouter
from fastapi.responses import Response

from console.routes.deps import AnalyticsReader, Ctx
from console.routes.desk import tracker
from console.services import analytics
from console.services.rasa_events import TrackerUnavailableError

router = APIRouter(prefix="/analytics")
MAX_DAYS = 366
LOOKUP_LABELS = {"found": "Tìm thấy", "not_found": "Không tìm thấy", "throttled": "Bị tạm chặn", "other": "Khác"}


def _period(ctx: Ctx, start: str, end: str) -> tuple[date, date, str]:
    """The requested local days, or the last 30 days; an error message when the input is odd."""
    today = ctx.request.app.state.office_hours.local(ctx.request.app.state.clock()).date()
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        return today - timedelta(days=29), today, "Ngày không hợp lệ; đang hiển thị 30 ngày gần nhất."
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_DAYS:
        return last - timedelta(days=MAX_DAYS - 1), last, f"Chỉ xem tối đa {MAX_DAYS} ngày một lần."
    return first, last, ""


@router.get("")
def page(ctx: AnalyticsReader, start: str = "", end: str = "") -> Response:
    first, last, warning = _period(ctx, start[:10], end[:10])
    tz = ctx.request.app.state.office_hours.tz
    try:
        report = analytics.compute(tracker(ctx.request), first, last, tz)
    except TrackerUnavailableError:
        report, warning = (
            None,
            "Chưa đọc được dữ liệu hội thoại của trợ lý ảo (kho hội thoại chưa cấu hình hoặc trống).",
        )
    days = report.days if report else []
    return ctx.render(
        "analytics/page.html",
        report=report,
        start=first.isoformat(),
        end=last.isoformat(),
        warning=warning,
        message_bars=analytics.bars([(d.day.strftime("%d/%m"), d.messages) for d in days]),
        conversation_bars=analytics.bars([(d.day.strftime("%d/%m"), d.conversations) for d in days]),
        lookup_labels=LOOKUP_LABELS,
        channel_labels=analytics.CHANNEL_LABELS,
        intent_labels=analytics.INTENT_LABELS,
    )


@router.get(".csv")
def export(ctx: AnalyticsReader, start: str = "", end: str = "") -> Response:
    first, last, _warning = _period(ctx, start[:10], end[:10])
    try:
        report = analytics.compute(tracker(ctx.request), first, last, ctx.request.app.state.office_hours.tz)
    except TrackerUnavailableError:
        return Response("Chưa đọc được dữ liệu hội thoại.\n", status_code=503, media_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(analytics.csv_rows(report))
    # BOM: Excel, which most desks use, otherwise reads UTF-8 Vietnamese as mojibake.
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="thong-ke-{first}-{last}.csv"'},
    )

"""Plausible processing timelines for synthetic dossiers.

A timeline is the list of steps a real one-stop system records: who (a role, never a person),
which unit, when, what, and the status after the step. Times fall on working days during office
hours and never after the generation day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from portal.dossiers import statuses as st
from portal.dossiers.generator_data import REJECTION_REASONS, STOP_REASONS

ONE_STOP = "Bộ phận một cửa"
OFFICER = "Chuyên viên xử lý"
LEADER = "Lãnh đạo phê duyệt"
CITIZEN = "Người nộp hồ sơ"


@dataclass(frozen=True)
class Step:
    day: date
    unit: str
    role: str
    action: str
    status: int


@dataclass(frozen=True)
class Plan:
    """Everything the generator needs to know about one dossier's life so far."""

    status: int
    channel: str
    received: date
    appointment: date | None
    finished: date | None
    one_stop_unit: str
    handling_unit: str
    fee: int
    supplement_documents: tuple[str, ...]
    had_resolved_supplement: bool


def working_days_between(start: date, end: date) -> list[date]:
    days = []
    current = start
    while current <= end:
        if current.weekday() < 5:
            days.append(current)
        current += timedelta(days=1)
    return days or [start]


def _spread(rng: random.Random, start: date, end: date, count: int) -> list[date]:
    """``count`` non-decreasing working days between ``start`` and ``end``."""
    pool = working_days_between(start, max(start, end))
    return sorted(rng.choice(pool) for _ in range(count))


def build_steps(plan: Plan, rng: random.Random, today: date) -> list[Step]:
    """The steps leading to ``plan.status``, in order."""
    received, one_stop, handler = plan.received, plan.one_stop_unit, plan.handling_unit
    steps: list[Step] = []
    if plan.channel == "online":
        steps.append(Step(received, "Cổng Dịch vụ công", CITIZEN, "Nộp hồ sơ trực tuyến", st.NEW))
    elif plan.channel == "post":
        steps.append(Step(received, one_stop, "Nhân viên bưu chính", "Chuyển hồ sơ qua dịch vụ bưu chính", st.NEW))
    if plan.status == st.NEW:
        return steps
    if plan.status == st.REJECTED:
        reason = rng.choice(REJECTION_REASONS)
        return [*steps, Step(received, one_stop, ONE_STOP, f"Từ chối tiếp nhận hồ sơ: {reason}", st.REJECTED)]
    promise = f", hẹn trả kết quả ngày {st.format_date(plan.appointment)}" if plan.appointment else ""
    steps.append(Step(received, one_stop, ONE_STOP, f"Tiếp nhận hồ sơ{promise}", st.RECEIVED))
    if plan.status == st.RECEIVED:
        return steps

    end = plan.finished or min(today, plan.appointment or today)
    d_assign, d_mid, d_late = _spread(rng, received, end, 3)
    steps.append(Step(d_assign, handler, OFFICER, "Tiếp nhận hồ sơ từ Bộ phận một cửa, thẩm định hồ sơ", st.PROCESSING))
    if plan.had_resolved_supplement:
        steps.append(Step(d_mid, handler, OFFICER, "Yêu cầu bổ sung giấy tờ", st.SUPPLEMENT))
        steps.append(Step(d_mid, one_stop, ONE_STOP, "Công dân đã nộp bổ sung giấy tờ", st.PROCESSING))
    if plan.status == st.PROCESSING:
        return steps
    if plan.status == st.SUPPLEMENT:
        listed = "; ".join(plan.supplement_documents)
        return [*steps, Step(d_late, handler, OFFICER, f"Yêu cầu bổ sung giấy tờ: {listed}", st.SUPPLEMENT)]
    if plan.status == st.PAYMENT:
        action = f"Thông báo nộp phí, lệ phí: {st.format_vnd(plan.fee)}"
        return [*steps, Step(d_late, one_stop, ONE_STOP, action, st.PAYMENT)]
    if plan.status == st.WITHDRAWN:
        return [*steps, Step(d_late, one_stop, ONE_STOP, "Công dân có văn bản đề nghị rút hồ sơ", st.WITHDRAWN)]
    if plan.status == st.STOPPED:
        return [*steps, Step(d_late, handler, LEADER, f"Dừng xử lý hồ sơ: {rng.choice(STOP_REASONS)}", st.STOPPED)]

    finished = plan.finished or d_late
    steps.append(Step(finished, handler, LEADER, "Phê duyệt kết quả giải quyết", st.PROCESSING))
    steps.append(Step(finished, one_stop, ONE_STOP, "Nhận kết quả từ cơ quan giải quyết, chờ trả", st.DONE))
    if plan.status == st.RETURNED:
        returned = _spread(rng, finished, min(today, finished + timedelta(days=7)), 1)[0]
        how = "Gửi kết quả qua dịch vụ bưu chính" if plan.channel == "post" else "Trả kết quả cho công dân"
        steps.append(Step(returned, one_stop, ONE_STOP, how, st.RETURNED))
    return steps


def stamp_steps(steps: list[Step], rng: random.Random, today: date) -> list[datetime]:
    """Office-hour times for the steps, strictly increasing (today's steps stay in the morning)."""
    stamps: list[datetime] = []
    previous: datetime | None = None
    for step in steps:
        latest_hour = 10 if step.day >= today else 16
        at = datetime.combine(step.day, time(rng.randint(7, latest_hour), rng.choice((0, 10, 20, 30, 40, 50))))
        if previous is not None and at <= previous:
            at = previous + timedelta(minutes=rng.randint(5, 90))
        stamps.append(at)
        previous = at
    return stamps

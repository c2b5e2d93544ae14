"""Office hours of the one-stop desk, e.g. ``"mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"``,
or ``closed``: no desk answers live (every request for a person is called back, e.g. over Tết).

Used to tell a citizen asking for a person whether someone can answer now, and if not, when.
Public holidays are not modelled (a known gap: the desk would be promised on a holiday).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "closed"  # the whole value: never open
DAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class OfficeHoursError(ValueError):
    """The CONSOLE_OFFICE_HOURS value cannot be read."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening intervals per weekday (0 = Monday), in the desk's timezone."""

    week: tuple[tuple[tuple[time, time], ...], ...]
    tz: ZoneInfo
    spec: str

    def local(self, now: datetime) -> datetime:
        """``now`` in the desk's timezone (naive values are taken as UTC)."""
        if now.tzinfo is None:
            now = now.replace(tzinfo=ZoneInfo("UTC"))
        return now.astimezone(self.tz)

    def is_open(self, now: datetime) -> bool:
        local = self.local(now)
        return any(start <= local.time() < end for start, end in self.week[local.weekday()])

    def next_opening(self, now: datetime) -> datetime | None:
        """The next moment the desk opens after ``now`` (local time); None if it never opens."""
        local = self.local(now)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for start, _end in self.week[day.weekday()]:
                opening = datetime.combine(day, start, tzinfo=self.tz)
                if opening > local:
                    return opening
        return None

    def describe(self) -> str:
        """Vietnamese summary: "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30"."""
        groups: list[tuple[list[int], tuple[tuple[time, time], ...]]] = []
        for day, ranges in enumerate(self.week):
            if not ranges:
                continue
            if groups and groups[-1][1] == ranges and groups[-1][0][-1] == day - 1:
                groups[-1][0].append(day)
            else:
                groups.append(([day], ranges))
        parts = []
        for days, ranges in groups:
            label = DAY_NAMES[days[0]] if len(days) == 1 else f"{DAY_NAMES[days[0]]} – {DAY_NAMES[days[-1]]}"
            spans = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in ranges)
            parts.append(f"{label}: {spans}")
        return "; ".join(parts)


def _days(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise OfficeHoursError(f"Unknown day in office hours: {part!r}")
        a, b = DAYS.index(first), DAYS.index(last or first)
        if b < a:
            raise OfficeHoursError(f"Day range goes backwards: {part!r}")
        out.extend(range(a, b + 1))
    return out


def _ranges(text: str) -> list[tuple[time, time]]:
    out = []
    for part in text.split(","):
        match = _RANGE.match(part.strip())
        if not match:
            raise OfficeHoursError(f"Bad time range in office hours: {part!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise OfficeHoursError(f"Bad time in office hours: {part!r}") from exc
        if end <= start:
            raise OfficeHoursError(f"Time range ends before it starts: {part!r}")
        out.append((start, end))
    return out


def parse(spec: str, timezone: str = "Asia/Ho_Chi_Minh") -> OfficeHours:
    """Read ``"<days> <ranges>; <days> <ranges>"``; raises :class:`OfficeHoursError` on any mistake."""
    week: list[list[tuple[time, time]]] = [[] for _ in DAYS]
    groups = [] if spec.strip().lower() == CLOSED else spec.lower().split(";")
    for group in filter(None, (g.strip() for g in groups)):
        days_text, _, ranges_text = group.partition(" ")
        ranges = _ranges(ranges_text)
        for day in _days(days_text):
            week[day].extend(ranges)
    try:
        tz = ZoneInfo(timezone)
    except Exception as exc:  # ZoneInfoNotFoundError or a malformed key
        raise OfficeHoursError(f"Unknown timezone: {timezone!r}") from exc
    return OfficeHours(week=tuple(tuple(sorted(day)) for day in week), tz=tz, spec=spec)

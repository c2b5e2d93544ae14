"""Office hours: parsing CONSOLE_OFFICE_HOURS, open/closed in Asia/Ho_Chi_Minh, next opening."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.services.office_hours import OfficeHoursError, parse
from console.settings import DEFAULT_OFFICE_HOURS

VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = parse(DEFAULT_OFFICE_HOURS)


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        (datetime(2026, 11, 23, 7, 30), True),  # Monday opening
        (datetime(2026, 11, 23, 11, 30), False),  # lunch starts (end is exclusive)
        (datetime(2026, 11, 23, 12, 0), False),
        (datetime(2026, 11, 23, 16, 59), True),
        (datetime(2026, 11, 28, 9, 0), True),  # Saturday morning
        (datetime(2026, 11, 28, 14, 0), False),  # Saturday afternoon
        (datetime(2026, 11, 29, 9, 0), False),  # Sunday
    ],
)
def test_open_and_closed_times(local: datetime, is_open: bool) -> None:
    """Opening times follow CONSOLE_OFFICE_HOURS in Hà Nội time, end times exclusive."""
    assert HOURS.is_open(local.replace(tzinfo=VN)) is is_open


def test_naive_times_are_utc() -> None:
    """00:30 UTC is 07:30 in Hà Nội: open."""
    assert HOURS.is_open(datetime(2026, 11, 23, 0, 30))


def test_next_opening_skips_lunch_and_weekend() -> None:
    """The next opening skips the lunch break and Sunday."""
    assert HOURS.next_opening(datetime(2026, 11, 23, 12, 0, tzinfo=VN)) == datetime(2026, 11, 23, 13, 30, tzinfo=VN)
    assert HOURS.next_opening(datetime(2026, 11, 28, 12, 0, tzinfo=VN)) == datetime(2026, 11, 30, 7, 30, tzinfo=VN)


def test_vietnamese_description() -> None:
    """Citizens are told the hours in plain Vietnamese."""
    assert HOURS.describe() == "Thứ Hai – Thứ Sáu: 07:30–11:30, 13:30–17:00; Thứ Bảy: 07:30–11:30"


@pytest.mark.parametrize(
    "spec", ["mon-fri", "funday 08:00-10:00", "mon 10:00-09:00", "mon 25:00-26:00", "fri-mon 08:00-09:00"]
)
def test_bad_specs_are_refused(spec: str) -> None:
    """A typo in the configuration stops the service at start instead of misinforming citizens."""
    with pytest.raises(OfficeHoursError):
        parse(spec)


def test_unknown_timezone_is_refused() -> None:
    """A wrong timezone name stops the service at start."""
    with pytest.raises(OfficeHoursError):
        parse(DEFAULT_OFFICE_HOURS, "Mars/Olympus")


@pytest.mark.parametrize("spec", ["closed", " Closed "])
def test_a_closed_desk_is_never_open(spec: str) -> None:
    """``closed`` (not a blank value, which means the default hours) keeps the desk shut all week:
    every handoff is called back, whatever the time of day the tests or the province run at."""
    hours = parse(spec)
    week = [datetime(2026, 11, 23, 0, 0, tzinfo=VN) + timedelta(minutes=30 * k) for k in range(7 * 48)]
    assert not any(hours.is_open(moment) for moment in week)
    assert hours.next_opening(week[0]) is None
    assert hours.describe() == ""


def test_a_blank_value_means_the_default_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty CONSOLE_OFFICE_HOURS is unset: the documented default, not a closed desk."""
    from console.settings import ConsoleSettings

    monkeypatch.setenv("CONSOLE_OFFICE_HOURS", "")
    assert ConsoleSettings().office_hours == DEFAULT_OFFICE_HOURS
    monkeypatch.setenv("CONSOLE_OFFICE_HOURS", "closed")
    assert ConsoleSettings().office_hours == "closed"

"""The analytics page in a real browser shows the numbers of a scripted set of conversations
(written with Rasa's own SQLTrackerStore), draws its charts and offers the CSV download."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.browser.conftest import playwright_api, screenshot, sign_in
from tests.console.conftest import make_settings
from tests.console.desk_support import DAY1, DAY2, scripted_conversations, write_conversations

pytestmark = pytest.mark.browser
expect = playwright_api.expect


@pytest.fixture
def settings(tmp_path: Path):
    write_conversations(tmp_path / "tracker.db", scripted_conversations())
    return make_settings(tmp_path, tracker_database_url=f"sqlite:///{tmp_path / 'tracker.db'}")


def test_analytics_page_matches_scripted_conversations(live_console, users, browser_page) -> None:
    """KPIs, tables and chart bars match the hand-counted figures; the CSV downloads with them too."""
    page = browser_page
    sign_in(page, live_console, users["admin"], next_path="/analytics")
    page.get_by_label("Từ ngày").fill(DAY1.isoformat())
    page.get_by_label("Đến ngày").fill(DAY2.isoformat())
    page.get_by_role("button", name="Xem").click()
    expect(page.locator("#kpi-conversations")).to_have_text("3")
    expect(page.locator("#kpi-messages")).to_have_text("9")
    expect(page.locator("#kpi-understood")).to_have_text("78%")
    expect(page.locator("#kpi-handoff")).to_have_text("33%")
    expect(page.locator("#chart-messages rect")).to_have_count(2)
    assert page.locator("#chart-messages rect").nth(0).get_attribute("data-value") == "5"
    expect(page.locator("#top-procedures")).to_contain_text("cấp căn cước")
    expect(page.locator("#lookup-throttled")).to_contain_text("1")
    expect(page.locator("#channel-zalo")).to_contain_text("3")
    screenshot(page, "analytics")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải về CSV").click()
    content = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert f"{DAY1.isoformat()},2,5,4,0.8000" in content and "tong_tin_nhan,9" in content

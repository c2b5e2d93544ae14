"""Correcting a procedure brief in a real browser: staff find the procedure by code, reorder and
rename documents, name the agency, save, and clear the correction after the confirmation dialog; the
portal (a real service) serves each state to the bot. No JavaScript error or CSP violation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.console.browser.conftest import playwright_api, screenshot, sign_in
from tests.console.conftest import make_settings
from tests.console.portal_support import live_portal
from tests.portal.brief_support import real_records, require_catalog
from tests.portal.dossier_support import TEST_TOKEN

pytestmark = pytest.mark.browser
expect = playwright_api.expect


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[str]:
    require_catalog()
    yield from live_portal(tmp_path / "portal", list(real_records().values()))


@pytest.fixture
def settings(tmp_path: Path, portal: str):
    return make_settings(tmp_path, portal_url=portal, portal_token=TEST_TOKEN)


def _served(portal: str) -> dict:
    headers = {"Authorization": f"Bearer {TEST_TOKEN}"}
    return httpx.get(f"{portal}/api/v1/procedures/1.001193", headers=headers, timeout=5).json()["brief"]


def test_staff_correct_and_clear_a_brief(live_console, users, browser_page, portal: str) -> None:
    """The whole flow through the visible form, as a desk officer would do it."""
    page = browser_page
    sign_in(page, live_console, users["staff"], next_path="/briefs")
    page.get_by_label("Mã thủ tục").fill("1.001193")
    page.get_by_role("button", name="Mở tóm tắt").click()
    expect(page.locator("#brief-heading")).to_have_text("Đăng ký khai sinh")
    page.get_by_label("Thứ tự của Giấy chứng sinh").fill("1")
    page.get_by_label("Thứ tự của Tờ khai đăng ký khai sinh").fill("2")
    page.get_by_label("Tên ngắn của Tờ khai đăng ký khai sinh").fill("Tờ khai khai sinh")
    page.get_by_label("Cơ quan thực hiện").fill("UBND phường nơi cha hoặc mẹ cư trú")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#notice")).to_contain_text("Đã lưu")
    expect(page.locator("#brief-history")).to_contain_text(users["staff"])
    screenshot(page, "brief-correction")
    brief = _served(portal)
    assert [doc["name"] for doc in brief["documents"]["submit"]] == ["Giấy chứng sinh", "Tờ khai khai sinh"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Xóa mọi chỉnh sửa").click()
    expect(page.locator("#notice")).to_contain_text("Đã xóa mọi chỉnh sửa")
    assert _served(portal)["corrected_by_staff"] is False

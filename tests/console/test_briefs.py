"""Staff correct a procedure brief in the console: the page reads the brief from a real portal
service (uvicorn on a temporary database of real catalog records), the form's change is stored by
the portal, served to the bot at once, audited on both sides; roles, CSRF and a down portal are handled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from console.app import create_app
from console.db import create_schema, make_engine, session_factory, session_scope
from console.models import AuditEntry
from console.services import accounts
from launcher.processes import free_port
from tests.console.conftest import PASSWORD, csrf_of, login
from tests.console.conftest import make_settings as console_settings
from tests.console.portal_support import live_portal
from tests.portal.brief_support import real_records, require_catalog
from tests.portal.dossier_support import TEST_TOKEN

PAGE = "/briefs/1.001193"
PORTAL_AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    require_catalog()
    return real_records()


@pytest.fixture
def portal(tmp_path: Path, records: dict[str, dict[str, Any]]) -> Iterator[str]:
    """A real portal service over HTTP with khai sinh and thường trú imported; yields its URL."""
    yield from live_portal(tmp_path / "portal", list(records.values()))


def _console(tmp_path: Path, portal_url: str, token: str = TEST_TOKEN):
    settings = console_settings(tmp_path, portal_url=portal_url, portal_token=token)
    create_schema(make_engine(settings.database_url))
    return create_app(settings)


@pytest.fixture
def console(tmp_path: Path, portal: str, users_for) -> TestClient:
    app = _console(tmp_path, portal)
    users_for(app)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def users_for():
    """Create one account per role in a console app (the shared ``users`` fixture is bound to ``app``)."""

    def create(app) -> None:
        with session_scope(session_factory(app.state.engine)) as session:
            for role in ("admin", "staff", "trainer"):
                accounts.create_user(session, f"{role}1", PASSWORD, role, f"Người {role}")

    return create


def _served_brief(portal: str) -> dict[str, Any]:
    response = httpx.get(f"{portal}/api/v1/procedures/1.001193", headers=PORTAL_AUTH, timeout=5)
    return response.json()["brief"]


def _form(page: str, **changes: str) -> dict[str, str]:
    """The form's fields as the page filled them, with ``changes`` typed over them."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    fields.update({name: value for name, value in changes.items()})
    return fields


def test_staff_correct_a_brief_and_the_bot_gets_it(console: TestClient, portal: str) -> None:
    """Reorder, rename, agency and note typed in the form are served by the portal at once and audited."""
    login(console, "staff1")
    page = console.get(PAGE)
    assert page.status_code == 200
    assert "Tờ khai đăng ký khai sinh" in page.text and "Ủy ban nhân dân cấp xã" in page.text
    form = _form(
        page.text,
        doc_0_position="2",
        doc_1_position="1",
        doc_0_name="Tờ khai khai sinh",
        agency="UBND phường nơi cha hoặc mẹ cư trú",
        note="Mang theo giấy tờ tùy thân của người đi đăng ký.",
        action="save",
    )
    response = console.post(PAGE, data=form, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"{PAGE}?notice=saved"
    brief = _served_brief(portal)
    assert [doc["name"] for doc in brief["documents"]["submit"]] == ["Giấy chứng sinh", "Tờ khai khai sinh"]
    assert brief["where"]["agency"] == "UBND phường nơi cha hoặc mẹ cư trú"
    assert brief["documents"]["notes"][0] == "Mang theo giấy tờ tùy thân của người đi đăng ký."
    assert brief["corrected_by_staff"] is True
    shown = console.get(f"{PAGE}?notice=saved").text
    assert "Đã lưu" in shown and 'id="brief-history"' in shown and "staff1" in shown
    with console.app.state.session_factory() as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.entity_type == "brief")).scalar_one()
    assert (entry.actor_name, entry.action, entry.entity_id, entry.before) == (
        "staff1",
        "brief.correct",
        "1.001193",
        None,
    )
    assert entry.after["agency"] == "UBND phường nơi cha hoặc mẹ cư trú"
    listed = console.get("/briefs").text
    assert 'id="brief-row-1.001193"' in listed and "Đăng ký khai sinh" in listed


def test_clearing_restores_the_catalog_brief(console: TestClient, portal: str) -> None:
    """ "Xóa mọi chỉnh sửa" removes the correction; the bot gets the imported brief again."""
    login(console, "admin1")
    page = console.get(PAGE).text
    console.post(PAGE, data=_form(page, agency="UBND phường", action="save"))
    page = console.get(PAGE).text
    assert 'id="brief-clear"' in page
    response = console.post(PAGE, data={"csrf_token": csrf_of(page), "action": "clear"}, follow_redirects=False)
    assert response.headers["location"] == f"{PAGE}?notice=cleared"
    assert _served_brief(portal)["corrected_by_staff"] is False


def test_trainers_cannot_correct_briefs(console: TestClient, portal: str) -> None:
    """Trainers get the 403 page, and a post from them changes nothing."""
    token = login(console, "trainer1")
    assert console.get(PAGE).status_code == 403
    response = console.post(PAGE, data={"csrf_token": token, "agency": "X", "action": "save"})
    assert response.status_code == 403
    assert _served_brief(portal)["corrected_by_staff"] is False


def test_form_without_csrf_token_is_refused(console: TestClient, portal: str) -> None:
    """A forged post (no CSRF token) is refused and nothing reaches the portal."""
    login(console, "staff1")
    response = console.post(PAGE, data={"agency": "X", "action": "save"})
    assert response.status_code == 403
    assert _served_brief(portal)["corrected_by_staff"] is False


def test_unknown_code_and_bad_input(console: TestClient) -> None:
    """An unknown code is a Vietnamese 404 page; a malformed code in the search box is explained."""
    login(console, "staff1")
    assert console.get("/briefs/9.999999").status_code == 404
    found = console.get("/briefs", params={"code": "1.001193"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == PAGE
    assert "Mã thủ tục có dạng" in console.get("/briefs", params={"code": "khai sinh"}).text


def test_portal_down_is_explained(tmp_path: Path, users_for) -> None:
    """When the portal does not answer, staff read why and that nothing was saved (503), not a trace."""
    app = _console(tmp_path, f"http://127.0.0.1:{free_port()}")
    users_for(app)
    with TestClient(app) as client:
        login(client, "staff1")
        response = client.get(PAGE)
    assert response.status_code == 503
    assert "Không kết nối được với cổng dữ liệu thủ tục" in response.text

"""The same console on PostgreSQL (production): schema, JSON columns, LIKE search, references.

Runs in a throw-away schema of the machine's database ``test`` (127.0.0.1:5432, trust auth) so
parallel runs and other suites sharing the database do not collide.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from console.db import create_schema, make_engine, session_scope
from console.services import accounts
from tests.console.conftest import PASSWORD, SERVICE_TOKEN, Clock, login, make_settings
from tests.missing import missing

pytestmark = pytest.mark.postgres
HOST = os.environ.get("CONSOLE_TEST_PG_HOST", "127.0.0.1")
PORT = os.environ.get("CONSOLE_TEST_PG_PORT", "5432")
DATABASE = os.environ.get("CONSOLE_TEST_PG_DATABASE", "test")


def _server_user() -> str | None:
    import psycopg2

    for user in (os.environ.get("CONSOLE_TEST_PG_USER"), "postgres", "root"):
        if not user:
            continue
        try:
            psycopg2.connect(host=HOST, port=PORT, dbname=DATABASE, user=user, connect_timeout=3).close()
        except psycopg2.Error:
            continue
        return user
    return None


@pytest.fixture
def pg_app(tmp_path) -> Iterator:
    import psycopg2

    user = _server_user()
    if user is None:
        missing("no PostgreSQL on 127.0.0.1:5432/test")
    schema = f"console_test_{secrets.token_hex(4)}"
    admin = psycopg2.connect(host=HOST, port=PORT, dbname=DATABASE, user=user)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    url = f"postgresql+psycopg2://{user}@{HOST}:{PORT}/{DATABASE}?options=-csearch_path%3D{schema}"
    try:
        settings = make_settings(tmp_path, database_url=url)
        create_schema(make_engine(url))
        clock = Clock()
        app = create_app(settings, clock=clock)
        app.state.test_clock = clock
        with session_scope(app.state.session_factory) as session:
            accounts.create_user(session, "staff1", PASSWORD, "staff", "Cán bộ Một")
        yield app
        app.state.engine.dispose()
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


def test_faq_lifecycle_search_match_and_complaints_on_postgres(pg_app) -> None:
    """Create, search (with LIKE wildcards escaped), publish, match, references and handoffs work on PostgreSQL."""
    page, api = TestClient(pg_app), TestClient(pg_app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    token = login(page, "staff1")
    form = {
        "csrf_token": token,
        "title": "Cấp lại hộ chiếu",
        "questions": "mất hộ chiếu thì làm sao\nlàm lại hộ chiếu 100%",
        "answer": "Nộp tờ khai.",
        "tags": "hộ chiếu",
    }
    assert page.post("/faqs/new", data=form, follow_redirects=False).status_code == 303
    assert 'id="faq-row-cap_lai_ho_chieu"' in page.get("/faqs", params={"q": "HO chieu 100%"}).text
    assert 'id="faq-empty"' in page.get("/faqs", params={"q": "ho_chieu%x"}).text
    page.post("/faqs/cap_lai_ho_chieu/publish", data={"csrf_token": token})
    assert api.get("/api/v1/faqs/cap_lai_ho_chieu").json()["tags"] == ["hộ chiếu"]
    assert api.get("/api/v1/faqs/match", params={"q": "mat ho chieu"}).json()["results"][0]["key"] == "cap_lai_ho_chieu"

    pg_app.state.test_clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    body = {"sender_id": "s", "channel": "web", "description": "Chậm trả kết quả."}
    refs = [api.post("/api/v1/complaints", json=body).json()["reference"] for _ in range(3)]
    assert refs == ["PA-20261123-0001", "PA-20261123-0002", "PA-20261123-0003"]
    handoff = api.post(
        "/api/v1/handoffs",
        json={"sender_id": "s", "channel": "web", "last_messages": [{"role": "user", "text": "gặp cán bộ"}]},
    )
    assert handoff.status_code == 201 and handoff.json()["within_office_hours"] is True


def test_simultaneous_complaints_get_distinct_consecutive_references(pg_app) -> None:
    """Many complaints at the same instant (16 threads): every one is stored, none shares a
    reference and the numbers have no gaps (the per-day counter row serialises allocation)."""
    from concurrent.futures import ThreadPoolExecutor

    api = TestClient(pg_app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, raise_server_exceptions=False)
    pg_app.state.test_clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    def post(i: int):
        return api.post("/api/v1/complaints", json={"sender_id": f"s{i}", "channel": "web", "description": "x"})

    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(post, range(48)))
    assert {r.status_code for r in responses} == {201}
    numbers = sorted(int(r.json()["reference"].rsplit("-", 1)[1]) for r in responses)
    assert numbers == list(range(1, 49))

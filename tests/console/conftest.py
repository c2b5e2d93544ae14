"""Shared fixtures: a console app on a temporary SQLite database, users of each role, sign-in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from console.app import create_app
from console.db import create_schema, make_engine, session_factory, session_scope
from console.services import accounts
from console.settings import ConsoleSettings

if TYPE_CHECKING:
    from tests.console.desk_support import FakeRasaApi

SERVICE_TOKEN = "console-test-token"
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_settings(tmp_path: Path, **overrides: object) -> ConsoleSettings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'console.db'}",
        "service_token": SERVICE_TOKEN,
        "faq_nlu_path": tmp_path / "data" / "nlu" / "faq.yml",
        "faq_responses_path": tmp_path / "data" / "nlu" / "faq_responses.yml",
        "corrections_path": tmp_path / "data" / "nlu" / "corrections.yml",
        "domain_path": tmp_path / "domain.yml",
    }
    values.update(overrides)
    return ConsoleSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fast_scrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheaper scrypt cost for fixtures (the cost travels inside each hash, so verification still
    exercises the real code path); test_passwords checks the production parameters."""
    from console.services import passwords

    monkeypatch.setattr(passwords, "SCRYPT_N", 2**10)


@pytest.fixture
def settings(tmp_path: Path) -> ConsoleSettings:
    return make_settings(tmp_path)


class Clock:
    """A settable clock for office hours (tests freeze time instead of sleeping)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        from datetime import timezone

        return self.now or datetime.now(timezone.utc)


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasaApi]:
    """Rasa's HTTP API stand-in for desk and complaint tests (started only where requested)."""
    from tests.console.desk_support import FakeRasaApi  # imports Rasa: only for the tests using it

    server = FakeRasaApi()
    yield server
    server.stop()


def settings_with_rasa(tmp_path: Path, fake_rasa: FakeRasaApi, *, tracker: bool = True) -> ConsoleSettings:
    """Console settings that talk to ``fake_rasa`` and, with ``tracker``, read an SQLite tracker store."""
    from tests.console.desk_support import RASA_TOKEN

    overrides: dict[str, object] = {"rasa_url": fake_rasa.url, "rasa_token": RASA_TOKEN}
    if tracker:
        overrides["tracker_database_url"] = f"sqlite:///{tmp_path / 'tracker.db'}"
    return make_settings(tmp_path, **overrides)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(settings: ConsoleSettings, clock: Clock):
    create_schema(make_engine(settings.database_url))
    return create_app(settings, clock=clock)


@pytest.fixture
def db(app) -> Callable:
    """``with db() as session:`` a transaction on the app's database."""
    return lambda: session_scope(app.state.session_factory)


@pytest.fixture
def users(app) -> dict[str, str]:
    """One account per role, all with :data:`PASSWORD`; returns role -> username."""
    factory = session_factory(app.state.engine)
    with session_scope(factory) as session:
        for role in ("admin", "staff", "trainer"):
            accounts.create_user(session, f"{role}1", PASSWORD, role, f"Người {role}")
    return {role: f"{role}1" for role in ("admin", "staff", "trainer")}


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no csrf_token field in page"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the form; returns the session's CSRF token for later forms."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text), "next": "/faqs"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return csrf_of(client.get("/faqs").text)


@dataclass
class StaffDesk:
    """A console against a real Rasa: the action server's API client and one signed-in staff member."""

    api: TestClient
    staff: TestClient
    csrf: str


def staff_desk(tmp_path: Path, username: str, display_name: str, **overrides: object) -> StaffDesk:
    """A fresh console (settings ``overrides``, e.g. ``rasa_url``) with staff member ``username``
    signed in; the API client presents the service token, like the action server."""
    settings = make_settings(tmp_path, **overrides)
    create_schema(make_engine(settings.database_url))
    app = create_app(settings)
    with session_scope(app.state.session_factory) as session:
        accounts.create_user(session, username, PASSWORD, "staff", display_name)
    staff = TestClient(app)
    csrf = login(staff, username)
    return StaffDesk(TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}), staff, csrf)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api(app) -> Iterator[TestClient]:
    """A client that presents the service token, like the action server."""
    with TestClient(app, headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}) as test_client:
        yield test_client

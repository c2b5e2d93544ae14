"""The API over the whole imported national catalog (2,642 procedures): every most-asked procedure
has a detail record with its source, and citizen-style or hostile queries answer 200 with JSON.
Read-only: it reuses the shared ``imported_catalog_engine`` indexed by the search fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portal.api.app import create_app
from tests.portal.dossier_support import COMMON_CODES, TEST_TOKEN, make_settings
from tests.portal.search_support import SearchSetup

pytest_plugins = ["tests.portal.search_fixtures"]

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}


@pytest.fixture(scope="module")
def full_client(sqlite_search: SearchSetup, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path: Path = tmp_path_factory.mktemp("full_api")
    settings = make_settings(tmp_path, database_url=str(sqlite_search.engine.url))
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("code", sorted(COMMON_CODES))
def test_most_asked_procedures_have_a_detail_record(full_client: TestClient, code: str) -> None:
    """Each most-asked procedure (the dossier generator's) is served from the real catalog."""
    response = full_client.get(f"/api/v1/procedures/{code}", headers=AUTH)
    assert response.status_code == 200
    assert response.json()["code"] == code


def test_detail_serves_the_brief(full_client: TestClient) -> None:
    """GET /procedures/{code} carries the brief: khai sinh's form first, its agency derived, raw record kept."""
    body = full_client.get("/api/v1/procedures/1.001193", headers=AUTH).json()
    brief = body["brief"]
    assert brief["documents"]["submit"][0]["name"] == "Tờ khai đăng ký khai sinh"
    assert brief["where"]["derived"] is True and brief["corrected_by_staff"] is False
    assert brief["source"]["url"] == body["source_url"]
    assert body["cases"], "the full structured record stays available"


@pytest.mark.parametrize(
    ("q", "expected"),
    [("lam cccd gan chip", "1.014061"), ("đăng ký khai sinh cho con", "1.001193"), ("1.004222", "1.004222")],
)
def test_citizen_queries_find_the_procedure(full_client: TestClient, q: str, expected: str) -> None:
    """Typical citizen wordings reach the right procedure through the API."""
    response = full_client.get("/api/v1/procedures", params={"q": q, "limit": 5}, headers=AUTH)
    assert response.status_code == 200
    assert expected in [item["code"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "q", ["\" * NEAR ' OR -", "') OR 1=1; --", "*", "NEAR", "🙂" * 100, "a" * 500, "hồ sơ\u0000 hộ tịch"]
)
def test_hostile_queries_answer_json(full_client: TestClient, q: str) -> None:
    """Hostile queries over the full index still answer 200 JSON."""
    response = full_client.get("/api/v1/procedures", params={"q": q, "limit": 50}, headers=AUTH)
    assert response.status_code == 200
    assert isinstance(response.json()["items"], list)

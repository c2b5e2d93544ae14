"""Staff corrections of a brief through the portal API: applied when the brief is served, audited,
kept across re-imports, reported as stale when the catalog text they were made against changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.api.app import create_app
from portal.db import make_engine
from portal.models.catalog import CatalogImportIssue
from tests.portal.brief_support import import_records, real_records, require_catalog, write_catalog
from tests.portal.dossier_support import TEST_TOKEN, make_settings

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
URL = "/api/v1/procedures/1.001193/brief-correction"
CORRECTION = {
    "actor": "canbo.hotich",
    "document_order": ["Giấy chứng sinh", "Tờ khai đăng ký khai sinh"],
    "document_names": {"Tờ khai đăng ký khai sinh": "Tờ khai khai sinh (mẫu của Bộ Tư pháp)"},
    "agency": "UBND phường nơi cư trú của cha hoặc mẹ",
    "note": "Mang theo bản chính giấy tờ tùy thân của người đi đăng ký.",
}


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, Any]]:
    require_catalog()
    return real_records()


@pytest.fixture
def setup(tmp_path: Path, records: dict[str, dict[str, Any]]) -> Iterator[tuple[TestClient, Path, str]]:
    settings = make_settings(tmp_path)
    catalog = write_catalog(tmp_path / "catalog.jsonl.gz", list(records.values()))
    import_records(settings.database_url, catalog)
    with TestClient(create_app(settings)) as client:
        yield client, catalog, settings.database_url


def _brief(client: TestClient) -> dict[str, Any]:
    return client.get("/api/v1/procedures/1.001193", headers=AUTH).json()["brief"]


def test_correction_is_served_at_once_and_audited(setup: tuple[TestClient, Path, str]) -> None:
    """Order, short name, agency and note apply to the served brief; the audit says who and what."""
    client, _, _ = setup
    response = client.put(URL, json=CORRECTION, headers=AUTH)
    assert response.status_code == 200, response.text
    brief = _brief(client)
    assert [d["name"] for d in brief["documents"]["submit"]] == [
        "Giấy chứng sinh",
        "Tờ khai khai sinh (mẫu của Bộ Tư pháp)",
    ]
    assert brief["where"]["agency"] == CORRECTION["agency"] and brief["where"]["derived"] is False
    assert brief["documents"]["notes"][0] == CORRECTION["note"]
    assert brief["corrected_by_staff"] is True
    view = client.get(URL, headers=AUTH).json()
    assert view["imported"]["documents"]["submit"][0]["name"] == "Tờ khai đăng ký khai sinh"
    assert [(h["actor"], h["before"]) for h in view["history"]] == [("canbo.hotich", None)]
    assert view["history"][0]["after"]["agency"] == CORRECTION["agency"]
    assert view["stale"] == []


def test_same_correction_twice_is_one_audit_entry(setup: tuple[TestClient, Path, str]) -> None:
    """Saving unchanged values writes nothing new to the audit."""
    client, _, _ = setup
    client.put(URL, json=CORRECTION, headers=AUTH)
    client.put(URL, json=CORRECTION, headers=AUTH)
    assert len(client.get(URL, headers=AUTH).json()["history"]) == 1


def test_empty_correction_removes_it(setup: tuple[TestClient, Path, str]) -> None:
    """All fields empty removes the overlay; the removal is audited with its previous value."""
    client, _, _ = setup
    client.put(URL, json=CORRECTION, headers=AUTH)
    response = client.put(URL, json={"actor": "truongphong"}, headers=AUTH)
    assert response.status_code == 200 and response.json()["correction"] is None
    assert _brief(client)["corrected_by_staff"] is False
    latest = client.get(URL, headers=AUTH).json()["history"][0]
    assert latest["actor"] == "truongphong" and latest["after"] is None and latest["before"]["note"]


def test_correction_survives_reimport(setup: tuple[TestClient, Path, str]) -> None:
    """A re-import rebuilds the brief; the correction still applies and is not stale."""
    client, catalog, database_url = setup
    client.put(URL, json=CORRECTION, headers=AUTH)
    report = import_records(database_url, catalog)
    assert report.brief_corrections_stale == {}
    assert _brief(client)["documents"]["submit"][0]["name"] == "Giấy chứng sinh"
    listed = client.get("/api/v1/brief-corrections", headers=AUTH).json()["items"]
    assert [(item["code"], item["name"], item["stale"]) for item in listed] == [("1.001193", "Đăng ký khai sinh", [])]


def test_changed_catalog_text_makes_the_correction_stale(
    setup: tuple[TestClient, Path, str], records: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    """When the record's documents change, the import reports the correction as stale (issue row too)."""
    client, _, database_url = setup
    client.put(URL, json=CORRECTION, headers=AUTH)
    changed = dict(records["1.001193"])
    changed["thanh_phan_ho_so"] = changed["thanh_phan_ho_so"].replace("Giấy chứng sinh", "Giấy chứng nhận sinh")
    catalog = write_catalog(tmp_path / "changed.jsonl.gz", [changed, records["1.004222"]])
    report = import_records(database_url, catalog)
    assert list(report.brief_corrections_stale) == ["1.001193"]
    assert "Giấy chứng sinh" in " ".join(report.brief_corrections_stale["1.001193"])
    view = client.get(URL, headers=AUTH).json()
    assert len(view["stale"]) == 2
    engine = make_engine(database_url)
    with Session(engine) as session:
        parts = session.execute(select(CatalogImportIssue.part).where(CatalogImportIssue.procedure_code == "1.001193"))
        assert "brief_correction" in parts.scalars().all()
    engine.dispose()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({**CORRECTION, "document_order": ["Giấy tờ không có"]}, 422, "invalid_correction"),
        ({**CORRECTION, "document_names": {"Không có": "X"}}, 422, "invalid_correction"),
        ({**CORRECTION, "actor": ""}, 422, None),
    ],
)
def test_invalid_corrections_are_refused(
    setup: tuple[TestClient, Path, str], body: dict[str, Any], status: int, code: str | None
) -> None:
    """Names that are not in the brief and a missing actor are refused; nothing is stored."""
    client, _, _ = setup
    response = client.put(URL, json=body, headers=AUTH)
    assert response.status_code == status
    if code:
        assert response.json()["error"]["code"] == code
    assert client.get(URL, headers=AUTH).json()["correction"] is None


def test_corrections_need_the_service_token(setup: tuple[TestClient, Path, str]) -> None:
    """Without the token nothing is read or changed."""
    client, _, _ = setup
    assert client.put(URL, json=CORRECTION).status_code == 401
    assert client.get(URL).status_code == 401
    assert client.get("/api/v1/procedures/9.999999/brief-correction", headers=AUTH).status_code == 404

"""The portal HTTP API contract: token auth (health public), procedure search and detail, dossier
lookup (200 / one neutral 404 / 422 / 429), and JSON errors everywhere: bad input of any kind must
never produce a 500 or a stack trace, and logs must not carry personal data."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from portal.api import services
from portal.api.app import create_app
from portal.api.logs import JsonFormatter
from portal.dossiers import statuses as st
from tests.portal.dossier_support import TEST_TOKEN, SeededRegistry, make_settings

pytest_plugins = ["tests.portal.dossier_fixtures"]

AUTH = {"Authorization": f"Bearer {TEST_TOKEN}"}
LOOKUP = "/api/v1/dossiers/lookup"


@pytest.fixture
def client(api_registry: SeededRegistry) -> Iterator[TestClient]:
    with api_registry.engine.begin() as connection:  # each test starts unthrottled
        connection.exec_driver_sql("DELETE FROM lookup_failures")
    with TestClient(create_app(api_registry.settings)) as test_client:
        yield test_client


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert "Traceback" not in response.text
    return body["error"]


def test_health_is_public(client: TestClient) -> None:
    """Health needs no token (process supervisors poll it)."""
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database(tmp_path) -> None:
    """A database that cannot be opened makes health 503 JSON, so supervisors see it."""
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path}")  # a directory, not a database
    with TestClient(create_app(settings)) as broken:
        response = broken.get("/health")
    assert response.status_code == 503 and _error(response)["code"] == "database_unavailable"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TEST_TOKEN}, {"Authorization": "Basic eDp5"}]
)
def test_api_requires_the_service_token(client: TestClient, headers: dict[str, str]) -> None:
    """Every /api/v1 route answers 401 JSON without the right Bearer token."""
    for method, path in (("get", "/api/v1/procedures?q=khai+sinh"), ("get", "/api/v1/procedures/1.004222")):
        response = getattr(client, method)(path, headers=headers)
        assert response.status_code == 401 and _error(response)["code"] == "unauthorized"
    response = client.post(LOOKUP, json={"code": "x", "factor": "y"}, headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


def test_empty_token_disables_the_api(api_registry: SeededRegistry) -> None:
    """An unconfigured token disables the API instead of opening it."""
    with TestClient(create_app(replace(api_registry.settings, service_token=""))) as disabled:
        response = disabled.get("/api/v1/procedures?q=x", headers={"Authorization": "Bearer "})
        assert response.status_code == 503 and _error(response)["code"] == "api_disabled"
        assert disabled.get("/health").status_code == 200


def test_search_returns_ranked_items_with_source(client: TestClient) -> None:
    """Search items carry the fields the bot shows, including the source URL."""
    response = client.get("/api/v1/procedures", params={"q": "đăng ký thường trú", "limit": 3}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert 1 <= len(body["items"]) <= 3 and body["total"] >= len(body["items"]) and body["data_date"]
    top = body["items"][0]
    assert set(top) == {"code", "name", "field", "level", "score", "source_url", "matched_terms", "confident"}
    assert top["code"] == "1.004222" and top["source_url"].startswith("http")
    assert top["confident"] is True and {"thuong", "tru"} <= set(top["matched_terms"])


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "\" * NEAR ' OR -",
        "NEAR(a b) AND NOT c*",
        "'; DROP TABLE procedures; --",
        '1.004222" OR 1=1 --',
        "khai sinh UNION SELECT * FROM dossiers",
        "🙂🙂 làm căn cước 🇻🇳",
        "\u0000\u202e",
        "%",
        "x" * 500,
    ],
)
def test_odd_queries_never_fail(client: TestClient, q: str) -> None:
    """FTS syntax, SQL fragments, emoji, control characters and blanks answer 200."""
    response = client.get("/api/v1/procedures", params={"q": q, "field": q[:50], "level": q[:50]}, headers=AUTH)
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["items"], list)


@pytest.mark.parametrize(
    "params",
    [{"q": "x" * 10_000}, {"limit": 10**12}, {"limit": 0}, {"limit": -5}, {"limit": "abc"}, {"field": "f" * 300}],
)
def test_out_of_bounds_parameters_are_422_json(client: TestClient, params: dict) -> None:
    """Oversized or out-of-range parameters are 422 in the project's error shape."""
    response = client.get("/api/v1/procedures", params={"q": "khai sinh", **params}, headers=AUTH)
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid_request" and error["message"].startswith("Yêu cầu không hợp lệ")


def test_procedure_detail_and_json_404(client: TestClient) -> None:
    """Known codes return the full record; unknown or hostile ones a Vietnamese 404."""
    response = client.get("/api/v1/procedures/1.004222", headers=AUTH)
    assert response.status_code == 200 and response.json()["code"] == "1.004222"
    for code in ("9.999999", "'; DROP TABLE procedures; --", "x" * 5000, "%F0%9F%99%82"):
        missing = client.get(f"/api/v1/procedures/{code}", headers=AUTH)
        assert missing.status_code == 404
        assert _error(missing) == {"code": "procedure_not_found", "message": missing.json()["error"]["message"]}
        assert "Không tìm thấy thủ tục" in missing.json()["error"]["message"]


def test_unknown_routes_and_methods_answer_json(client: TestClient) -> None:
    """Even framework-level 404/405 use the JSON error shape."""
    assert _error(client.get("/nope", headers=AUTH))["code"] == "not_found"
    response = client.delete("/api/v1/procedures", headers=AUTH)
    assert response.status_code == 405 and _error(response)["code"] == "method_not_allowed"


def test_lookup_success(client: TestClient, api_registry: SeededRegistry) -> None:
    """The owner gets the dossier over HTTP, without identifiers in the response."""
    owner = api_registry.owner(st.SUPPLEMENT)
    response = client.post(LOOKUP, json={"code": owner.code.lower(), "factor": owner.phone[-4:]}, headers=AUTH)
    assert response.status_code == 200
    dossier = response.json()["dossier"]
    assert dossier["code"] == owner.code and dossier["status"] == 5 and dossier["supplement_documents"]
    assert owner.id_number not in response.text and owner.phone not in response.text


def test_lookup_wrong_code_and_wrong_factor_are_one_answer(client: TestClient, api_registry: SeededRegistry) -> None:
    """The HTTP answers for unknown code and wrong factor are byte-identical."""
    owner = api_registry.owner(st.RETURNED)
    wrong_factor = client.post(LOOKUP, json={"code": owner.code, "factor": "999999999999"}, headers=AUTH)
    wrong_code = client.post(
        LOOKUP, json={"code": "000.00.01.H29-240115-9999", "factor": owner.id_number}, headers=AUTH
    )
    assert wrong_factor.status_code == wrong_code.status_code == 404
    assert wrong_factor.json() == wrong_code.json()
    assert _error(wrong_code)["code"] == "dossier_not_found"


@pytest.mark.parametrize(
    ("content", "expected_code"),
    [
        ('{"code": "000.00.01.H29-240115-0001", "factor": ', "malformed_json"),
        ("not json at all", "malformed_json"),
        ("[1, 2, 3]", "invalid_request"),
        ('{"code": "000.00.01.H29-240115-0001"}', "invalid_request"),
        ('{"code": "000.00.01.H29-240115-0001", "factor": 1234}', "invalid_request"),
        ('{"code": "", "factor": "1234"}', "invalid_request"),
        ('{"code": "' + "x" * 10_000 + '", "factor": "1234"}', "invalid_request"),
        ('{"code": "hello", "factor": "1234"}', "invalid_dossier_code"),
        ('{"code": "000.00.01.H29-240115-0001", "factor": "12"}', "invalid_factor"),
        ('{"code": "000.00.01.H29-240115-0001", "factor": "🙂🙂🙂🙂"}', "invalid_factor"),
    ],
)
def test_lookup_malformed_input_is_422(client: TestClient, content: str, expected_code: str) -> None:
    """Malformed JSON, missing or mistyped fields and bad formats are 422, never 500."""
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(LOOKUP, content=content.encode(), headers=headers)
    assert response.status_code == 422 and _error(response)["code"] == expected_code


def test_lookup_is_throttled_per_client(client: TestClient, api_registry: SeededRegistry) -> None:
    """X-Client-Id identifies the caller for throttling; 429 carries Retry-After."""
    owner = api_registry.owner(st.PROCESSING)
    me = {**AUTH, "X-Client-Id": "sender-hash-1"}
    for _ in range(5):
        assert client.post(LOOKUP, json={"code": owner.code, "factor": "999999999999"}, headers=me).status_code == 404
    throttled = client.post(LOOKUP, json={"code": owner.code, "factor": owner.id_number}, headers=me)
    assert throttled.status_code == 429 and _error(throttled)["code"] == "too_many_attempts"
    assert int(throttled.headers["retry-after"]) > 0
    other = client.post(
        LOOKUP, json={"code": owner.code, "factor": owner.id_number}, headers={**AUTH, "X-Client-Id": "2"}
    )
    assert other.status_code == 200


def test_unexpected_errors_are_neutral_json_and_logs_hold_no_personal_data(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, api_registry: SeededRegistry
) -> None:
    """A crash is a neutral JSON 500; logs keep the type and place, not the data."""
    secret = "001203004567"

    def explode(*_args, **_kwargs):
        raise RuntimeError(f"database said something about {secret}")

    monkeypatch.setattr(services, "search_procedures", explode)
    owner = api_registry.owner(st.DONE)
    with caplog.at_level(logging.INFO):
        response = client.get("/api/v1/procedures", params={"q": f"cccd {secret}"}, headers=AUTH)
        client.post(LOOKUP, json={"code": owner.code, "factor": owner.id_number}, headers=AUTH)
    assert response.status_code == 500
    assert _error(response) == {"code": "internal_error", "message": response.json()["error"]["message"]}
    assert secret not in response.text
    # the test client's own request log (httpx) shows the URL it sent; the server's logs must not
    lines = [JsonFormatter().format(record) for record in caplog.records if not record.name.startswith("httpx")]
    assert any(json.loads(line).get("exc_type") == "RuntimeError" for line in lines)
    assert any(json.loads(line).get("route") == "/api/v1/dossiers/lookup" for line in lines)
    for line in lines:
        assert secret not in line and owner.id_number not in line and owner.phone not in line

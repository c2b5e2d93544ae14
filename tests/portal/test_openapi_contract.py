"""The served OpenAPI spec is the committed contract (``portal/api/openapi.json``): the action server
and the staff console are written against it, so any change must be regenerated and reviewed
(``python -m portal.api.export_openapi``)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from portal.api.app import create_app
from portal.api.export_openapi import SPEC_PATH, current_spec, render
from tests.portal.dossier_support import make_settings


def test_served_spec_equals_committed_file(tmp_path) -> None:
    """The served spec and the exporter both match the committed contract."""
    committed = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    with TestClient(create_app(make_settings(tmp_path))) as client:
        served = client.get("/openapi.json").json()
    assert served == committed, "API changed: run `python -m portal.api.export_openapi` and review the diff"
    assert render(current_spec()) == SPEC_PATH.read_text(encoding="utf-8")


def test_spec_documents_auth_and_error_shape() -> None:
    """The contract documents the Bearer scheme and the error responses."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    lookup = spec["paths"]["/api/v1/dossiers/lookup"]["post"]["responses"]
    assert {"200", "401", "404", "422", "429"} <= set(lookup)
    assert lookup["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")

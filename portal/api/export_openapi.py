"""Write the API contract to ``portal/api/openapi.json``: ``python -m portal.api.export_openapi``.

The committed file is the contract the action server and the staff console are written against;
a test fails when the served spec drifts from it, so regenerate and review the diff deliberately.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from portal.settings import PortalSettings

SPEC_PATH = Path(__file__).with_name("openapi.json")


def current_spec() -> dict[str, Any]:
    """The spec as the app serves it (built on an in-memory database, no secrets needed)."""
    from portal.api.app import create_app

    settings = PortalSettings(database_url="sqlite://", pii_key="openapi-export-only-key", service_token="x")
    return create_app(settings).openapi()


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    SPEC_PATH.write_text(render(current_spec()), encoding="utf-8")
    print(f"wrote {SPEC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

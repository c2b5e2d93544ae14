"""Headless Chromium for the browser tests: Debian's build, never a downloaded one.

Shared by the web widget, staff console and real-stack tests so they start the browser the
same way (flags from the machine notes: no background networking on this closed network).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "no Chromium found: run `make browser` (apt-get install chromium) or set CHROMIUM_PATH"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "reports" / "screenshots"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_context(playwright: Any, profile: Path, width: int = 1280, height: int = 800, **options: Any) -> Any:
    """A persistent Chromium context on a new, empty profile, Vietnamese locale.

    ``options`` go to Playwright (e.g. ``is_mobile=True, has_touch=True`` for a phone).
    """
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        viewport={"width": width, "height": height},
        locale="vi-VN",
        **options,
    )
    context.set_default_timeout(8000)
    return context

"""axe-core, the accessibility engine, run inside the browser tests' pages.

The npm package is vendored by ``make axe`` (pinned version, from the npm registry, into the
git-ignored ``tests/assets/vendor/``; never a CDN). The script is evaluated through the DevTools
protocol, so the console's Content-Security-Policy does not have to allow it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.missing import missing

AXE_VERSION = "4.10.2"  # also in the Makefile (make axe)
AXE_JS = Path(__file__).resolve().parent / "assets" / "vendor" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA rules; a violation of impact "serious" or "critical" fails the test.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def axe_source() -> str:
    """The vendored axe-core script (skipped without it, a failure under CI=true)."""
    if not AXE_JS.is_file():
        missing(f"axe-core {AXE_VERSION} is not vendored at {AXE_JS}: run `make axe`")
    return AXE_JS.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is now."""
    page.evaluate(axe_source())
    version = page.evaluate("axe.version")
    assert version == AXE_VERSION, f"vendored axe-core is {version}, expected {AXE_VERSION}: run `make axe`"
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]

"""The import graph of the house: the ground floor (``common/``) imports no service, and each service
imports only itself and the ground floor.

Read from the source (every import, including those inside functions and ``TYPE_CHECKING``
blocks), so a lazy import cannot hide a dependency. The supervisor (``launcher/``) and the Rasa
side (``bot/``) start the services by command line and are not limited here, except that they never
import a service's code.
"""

from __future__ import annotations

import pytest

from tests.imports import REPO_ROOT, imported_modules, python_files

# Package -> the top-level packages its modules may import.
ALLOWED = {
    "common": {"common"},
    "actions": {"actions", "common"},
    "portal": {"portal", "common"},
    "console": {"console", "common"},
    "web": {"web", "common"},
}


def _violations(package: str, allowed: set[str]) -> list[str]:
    found = []
    for path in python_files(package):
        for line, name in imported_modules(path):
            if name.split(".")[0] not in allowed:
                found.append(f"{path.relative_to(REPO_ROOT)}:{line}: {name}")
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_itself_and_the_ground_floor(package: str) -> None:
    """``common`` imports no first-party package; actions, portal, console and web import only
    themselves and ``common`` (never ``bot``, ``launcher`` or each other)."""
    assert _violations(package, ALLOWED[package]) == []


@pytest.mark.parametrize("package", ["bot", "launcher"])
def test_rasa_side_and_supervisor_never_import_a_service(package: str) -> None:
    """The Rasa plug-ins and the supervisor reach the services over HTTP or start them by command
    line; importing one would tie their releases together."""
    assert _violations(package, {"bot", "common", "launcher"}) == []

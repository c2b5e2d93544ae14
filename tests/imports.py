"""What a module of the repository imports, read from its source (AST), without importing it.

Used by the import-graph test and by the model-inputs test: both must see every import, including
the ones inside functions and ``TYPE_CHECKING`` blocks, and must not pay for loading Rasa.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# The repository's own top-level packages; everything else is the standard library or third party.
FIRST_PARTY = ("actions", "bench", "bot", "common", "console", "launcher", "portal", "scripts", "tests", "web")


def python_files(package: str) -> list[Path]:
    """Every ``.py`` file of a top-level package."""
    return sorted((REPO_ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    """``bot/nlu/tokenizer.py`` -> ``bot.nlu.tokenizer``; a package's ``__init__.py`` -> the package."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every first-party import in ``path``; ``from a import b``
    yields ``a.b`` (``b`` may be a submodule) and relative imports are resolved."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in FIRST_PARTY:
                yield node.lineno, name


def module_file(name: str) -> Path | None:
    """The file of a first-party module (longest existing prefix of ``name``), or None."""
    parts = name.split(".")
    while parts:
        base = REPO_ROOT.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        parts.pop()
    return None

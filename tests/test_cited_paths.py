"""Documents, comments and docstrings cite repository paths that exist, and nothing outside the
repository except the data the services really read at run time: a reader following a reference
lands on the file it names, never on a file that moved or on another machine's notes."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Build outputs, caches and vendored files: not written by hand, not scanned.
SKIPPED_DIRS = frozenset(
    {".git", ".venv", "models", "reports", "results", "var", "node_modules", ".rasa", ".pytest_cache", ".ruff_cache"}
)
# Paths that exist only once a make target or a service has written them (all git-ignored).
GENERATED = ("tests/assets/vendor/", "data/nlu/corrections.yml")
# Files outside the repository a service reads at run time, as documented (PORTAL_CATALOG_PATH's
# default, relative to the repository root like every path the services read).
OUTSIDE_DATA = frozenset({"../shared/data/tthc_catalog_2026.jsonl.gz"})
TOP_DIRS = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name not in SKIPPED_DIRS)
# A path into a top-level folder ending in a file name with an extension, or a folder ending in "/"
# ("portal/console/web" is prose, "portal/catalog/" a folder); or a path starting with "../".
CITED = re.compile(
    rf"(?<![\w./-])((?:\.\./)+[\w./-]*\w|(?:{'|'.join(map(re.escape, TOP_DIRS))})/[\w./-]*(?:\.\w+|/)(?![\w.-]))"
)
# A project document named in capitals (like README.md), wherever it would live.
DOCUMENT = re.compile(r"(?<![\w./-])([A-Z][A-Z_]*\.md)\b")
OTHER_MACHINE = re.compile(r"(?<![\w:/.])/(?:work|home|Users)/\S*")
COMMENTED = (".yml", ".yaml", ".toml", ".cfg", ".txt", ".sh")


def _python_prose(text: str) -> Iterator[tuple[int, str]]:
    """Docstrings and comments of a Python file, with their first line numbers."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                yield first.lineno, first.value.value
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def _prose(path: Path) -> Iterator[tuple[int, str]]:
    """The human-written text of a file: all of a Markdown file, the comments of a configuration
    file, the docstrings and comments of Python code."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        yield from _python_prose(text)
    elif path.suffix == ".md":
        yield from enumerate(text.splitlines(), 1)
    else:
        for number, line in enumerate(text.splitlines(), 1):
            if "#" in line:
                yield number, line[line.index("#") :]


def _scanned() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part in SKIPPED_DIRS for part in parts) or "/".join(parts).startswith(GENERATED) or not path.is_file():
            continue
        if path.suffix in (".py", ".md", *COMMENTED) or path.name in ("Makefile", "run"):
            yield path


def _broken(path: Path, cited: str) -> bool:
    """Whether ``cited`` (relative to the repository root, or a ``../`` link relative to the citing
    file) names nothing: neither a file or folder here, nor a generated one, nor outside data."""
    if cited in OUTSIDE_DATA or cited.startswith(GENERATED):
        return False
    target = ((path.parent if cited.startswith("../") else ROOT) / cited).resolve()
    return not target.is_relative_to(ROOT) or not target.exists()


def test_cited_paths_exist() -> None:
    """Every ``folder/.../file.ext`` (or ``folder/``) a document, comment or docstring names exists
    in the repository (or is written by a make target or a service); a ``../`` path leaves the
    repository only for data a service reads at run time."""
    broken = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)}"
        for path in _scanned()
        for number, prose in _prose(path)
        for match in CITED.finditer(prose)
        if _broken(path, match.group(1))
    ]
    assert broken == []


def test_no_reference_leaves_the_repository() -> None:
    """No document, comment or docstring points at another machine's files (absolute paths of a
    workstation) or at a Markdown document the repository does not have."""
    documents = {p.name for p in _scanned() if p.suffix == ".md"}
    outside = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in _scanned()
        for number, prose in _prose(path)
        for match in [*OTHER_MACHINE.finditer(prose), *DOCUMENT.finditer(prose)]
        if match.re is OTHER_MACHINE or match.group(1) not in documents
    ]
    assert outside == []

"""Heavy loads happen on first use, not at import (issue 17 item 5): importing the NLU components,
the text helpers or the action server does not import underthesea (a second of imports, then its
CRF model and address data); the first segmented message does."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.imports import REPO_ROOT, module_name, python_files

PACKAGES = ("bot/nlu", "common", "actions")
CHECK = """
import importlib, json, sys
for name in {modules!r}:
    importlib.import_module(name)
after_import = "underthesea" in sys.modules
from bot.nlu.segmentation import word_tokenize
words = word_tokenize("làm căn cước")
print(json.dumps({{"after_import": after_import, "after_use": "underthesea" in sys.modules, "words": words}}))
"""


def test_importing_the_modules_does_not_load_underthesea() -> None:
    """Every module of the NLU components, the shared helpers and the action server imports without
    underthesea; the first call to the word segmenter loads it (so the check is not vacuous)."""
    modules = sorted({module_name(path) for package in PACKAGES for path in python_files(package)})
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(modules=modules)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"after_import": False, "after_use": True, "words": ["làm", "căn cước"]}

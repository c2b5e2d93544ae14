"""Importing underthesea must not shut down logging handlers other code relies on."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHECK = textwrap.dedent(
    """
    import logging, sys, tempfile
    handler = logging.FileHandler(tempfile.mktemp())
    logging.getLogger().addHandler(handler)
    {importer}
    sys.exit(0 if handler.stream is not None else 3)
    """
)


def run(importer: str) -> int:
    return subprocess.run([sys.executable, "-c", CHECK.format(importer=importer)], check=False).returncode


def test_plain_import_closes_existing_handlers() -> None:
    """Documents the upstream behaviour the wrapper exists for (if this starts failing,
    underthesea stopped resetting logging and the wrapper can go)."""
    assert run("import underthesea") == 3


def test_wrapped_import_keeps_existing_handlers() -> None:
    """Rasa's log handlers (and pytest's captured stderr) stay open after we load underthesea."""
    assert run("from common.text.underthesea_import import import_underthesea; import_underthesea()") == 0

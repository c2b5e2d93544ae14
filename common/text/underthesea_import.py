"""The one place the project imports underthesea.

underthesea configures logging when it is imported (``logging.config.dictConfig`` in
``underthesea.utils``), and ``dictConfig`` first shuts down every handler already installed in
the process. That closes files other code still writes to: under pytest, TensorFlow's absl
handler holds pytest's captured stderr, and closing it crashes the test session; in the Rasa
server, log file handlers are closed under Rasa's feet. Importing underthesea through
:func:`import_underthesea` applies its logger configuration without that reset.
"""

from __future__ import annotations

import functools
import logging.config
from types import ModuleType
from unittest import mock


@functools.cache
def import_underthesea() -> ModuleType:
    """Import underthesea (once) without letting it shut down existing logging handlers."""
    # _clearExistingHandlers is what dictConfig calls to close all handlers; skip it only here.
    with mock.patch.object(logging.config, "_clearExistingHandlers", lambda: None):
        import underthesea
        import underthesea.utils
    return underthesea

"""``python -m console <command>``: see :mod:`console.cli`."""

import sys

from console.cli import main

sys.exit(main())

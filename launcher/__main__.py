"""``python -m launcher`` (``make run``): the whole assistant on embedded defaults (see :mod:`launcher.run`)."""

import sys

from launcher.run import main

sys.exit(main())

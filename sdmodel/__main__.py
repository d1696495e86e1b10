"""``python -m sdmodel``: the ``sdmodel`` command line."""

import sys

from .cli import main

sys.exit(main())

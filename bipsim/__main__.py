"""``python -m bipsim`` is the ``bipsim`` command."""

import sys

from .cli import main

sys.exit(main())

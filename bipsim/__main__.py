"""``python -m bipsim`` is the ``bipsim`` command."""

from .cli import entry

entry()

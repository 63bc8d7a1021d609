"""``bipsim`` as typed, stopped at the end of its first simulated week.

``python benchmarks/first_week.py run baseline ...`` runs the command line as
``python -m bipsim`` does, and when the first week has been simulated prints the
system-wide monotonic clock (``time.monotonic()``) and ends the process at once,
so the parent (``bench_startup.py``) reads the time from its own start to that
week. The only change to the run is the stop: the progress callback that the run
calls after each week is replaced, before the command starts.
"""

from __future__ import annotations

import os
import sys
import time

from bipsim import commands
from bipsim.cli import main


def _stop_after_first_week(self: commands._WeeklyProgress, n: int = 1) -> None:
    print(f"{time.monotonic():.6f}", flush=True)
    os._exit(0)


if __name__ == "__main__":
    commands._WeeklyProgress.advance = _stop_after_first_week
    raise SystemExit(main(sys.argv[1:]))

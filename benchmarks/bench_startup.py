"""Start-up time of the command line: ``bipsim --help`` and friends, in fresh processes.

Each repeat starts a new interpreter (the console script, as a user types it), so
nothing is cached in-process; the operating system's file cache is warm after the
first, untimed, call. Wall time and CPU time (user + system of the child) are
recorded; the median over repeats is reported, min and max show the spread. CPU
time is the steadier figure on a shared machine. Target: ``bipsim --help`` under
0.5 s.

    python benchmarks/bench_startup.py                # 15 repeats of each command
    python benchmarks/bench_startup.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_sweep import machine, save_results

#: What is timed: a label and the argv after the ``bipsim`` executable.
COMMANDS = {
    "bipsim --help": ["--help"],
    "bipsim --version": ["--version"],
    "bipsim run --help": ["run", "--help"],
    "bipsim (usage error)": ["run", "baseline", "--sed", "3"],
    "bipsim run baseline --check": ["run", "baseline", "--check"],
}


def bipsim_executable() -> list[str]:
    """The console script beside this Python, else ``python -m bipsim``."""
    script = Path(sys.executable).with_name("bipsim")
    if script.exists():
        return [str(script)]
    found = shutil.which("bipsim")
    return [found] if found else [sys.executable, "-m", "bipsim"]


def time_once(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(label: str, argv: list[str], repeats: int) -> dict[str, Any]:
    """Median, min and max wall and CPU seconds over ``repeats`` fresh processes."""
    time_once(argv)  # untimed: warms the file cache and writes .pyc files
    walls, cpus, loads = [], [], []
    for _ in range(repeats):
        loads.append(os.getloadavg()[0])
        wall, cpu = time_once(argv)
        walls.append(wall)
        cpus.append(cpu)
    return {"command": label, "argv": argv, "repeats": repeats,
            "wall_s_median": statistics.median(walls), "wall_s_min": min(walls),
            "wall_s_max": max(walls), "cpu_s_median": statistics.median(cpus),
            "loadavg_1m_median": statistics.median(loads), "wall_s": walls, "cpu_s": cpus}


def main(argv: list[str] | None = None) -> int:
    """Time each command, print a table, save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="fresh processes per command")
    args = parser.parse_args(argv)
    facts = machine()
    print(" | ".join(f"{k}: {v}" for k, v in facts.items()), flush=True)
    exe = bipsim_executable()
    rows = [measure(label, exe + rest, args.repeats) for label, rest in COMMANDS.items()]
    print(f"\n{' '.join(exe)}: {args.repeats} fresh processes per command")
    print(f"{'command':<30}{'wall median':>13}{'min-max':>15}{'CPU median':>12}")
    for r in rows:
        spread = f"{r['wall_s_min']:.2f}-{r['wall_s_max']:.2f}"
        print(f"{r['command']:<30}{r['wall_s_median']:>11.3f} s{spread:>15}"
              f"{r['cpu_s_median']:>10.3f} s")
    save_results("bench_startup", {"machine": facts, "executable": exe, "cases": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

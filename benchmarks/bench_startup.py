"""Start-up time of the command line, in fresh processes: ``bipsim --help`` and friends,
and the time from ``bipsim run`` to the end of its first simulated week.

Each repeat starts a new interpreter (the console script, as a user types it), so
nothing is cached in-process; the operating system's file cache is warm after the
first, untimed, call. Wall time and CPU time (user + system of the child) are
recorded; the median over repeats is reported, min and max show the spread. CPU
time is the steadier figure on a shared machine. Targets: ``bipsim --help`` under
0.5 s; the first simulated week under 1 s, numba's cache included (issue 10).

The first week: ``first_week.py`` runs ``bipsim run SCENARIO`` and ends the process
when week 1 is simulated. Timed with numba's cache warm (the untimed first call
fills it), and once with an empty cache (``NUMBA_CACHE_DIR`` a new folder): that
is what a fresh install's first run pays to compile the kernels. The floor rows
are what any process that imports numpy, numba and Mesa pays, bipsim or not.

``--paired TREE`` instead times ``run --check`` and the first week of this tree and of
the source tree ``TREE`` (put first on ``PYTHONPATH``) alternately, process by
process, so a before/after comparison shares the machine's load.

    python benchmarks/bench_startup.py                # 15 repeats of each
    python benchmarks/bench_startup.py --repeats 5 --scenario national
    python benchmarks/bench_startup.py --paired /path/to/copy/of/main --repeats 9
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


HERE = Path(__file__).resolve().parent

#: What any process with numpy, numba and Mesa pays: a label and the Python code.
FLOOR = {
    "python (nothing imported)": "pass",
    "import numpy": "import numpy",
    "numpy + numba + 1 cached kernel": "import numpy, tiny; tiny.one(numpy.ones(3))",
    "import mesa": "import mesa",
}

#: The smallest cached kernel, for the floor.
TINY_KERNEL = """import numba

@numba.njit(cache=True)
def one(a):
    return a.sum()
"""


def bipsim_executable() -> list[str]:
    """The console script beside this Python, else ``python -m bipsim``."""
    script = Path(sys.executable).with_name("bipsim")
    if script.exists():
        return [str(script)]
    found = shutil.which("bipsim")
    return [found] if found else [sys.executable, "-m", "bipsim"]


def time_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process running ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                   check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(label: str, argv: list[str], repeats: int,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median, min and max wall and CPU seconds over ``repeats`` fresh processes."""
    time_once(argv, env)  # untimed: warms the file cache and writes .pyc files
    walls, cpus, loads = [], [], []
    for _ in range(repeats):
        loads.append(os.getloadavg()[0])
        wall, cpu = time_once(argv, env)
        walls.append(wall)
        cpus.append(cpu)
    return summary(label, argv, walls, cpus, loads)


def summary(label: str, argv: list[str], walls: list[float], cpus: list[float],
            loads: list[float]) -> dict[str, Any]:
    """One row of the table: medians, spread, and every figure."""
    return {"command": label, "argv": argv, "repeats": len(walls),
            "wall_s_median": statistics.median(walls), "wall_s_min": min(walls),
            "wall_s_max": max(walls), "cpu_s_median": statistics.median(cpus),
            "loadavg_1m_median": statistics.median(loads), "wall_s": walls, "cpu_s": cpus}


def first_week_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds from starting ``first_week.py argv`` to the end of its first
    simulated week, and the CPU seconds of the process until then."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as outputs:
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(HERE / "first_week.py"), *argv,
                               "--outputs", outputs], capture_output=True, text=True,
                              env=env, check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"first_week.py {' '.join(argv)} failed:\n{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return float(done.stdout.split()[-1]) - started, cpu


def first_week(scenario: str, repeats: int) -> list[dict[str, Any]]:
    """The first week with a warm cache (median of ``repeats``), then once with an
    empty cache (what a fresh install's first run pays: the kernels compile)."""
    argv = ["run", scenario, "--quiet", "--no-plots"]
    label = f"bipsim run {scenario}: first week"
    first_week_once(argv)  # untimed: fills the cache if this source has none yet
    walls, cpus, loads = [], [], []
    for _ in range(repeats):
        loads.append(os.getloadavg()[0])
        wall, cpu = first_week_once(argv)
        walls.append(wall)
        cpus.append(cpu)
    rows = [summary(label, argv, walls, cpus, loads)]
    with tempfile.TemporaryDirectory() as cache:
        load = os.getloadavg()[0]
        wall, cpu = first_week_once(argv, {**os.environ, "NUMBA_CACHE_DIR": cache})
    rows.append(summary(f"{label}, empty numba cache", argv, [wall], [cpu], [load]))
    return rows


def paired(tree: str, scenario: str, repeats: int) -> list[dict[str, Any]]:
    """``run --check`` and the first week (warm cache) of ``tree`` ("before") and of
    this process's bipsim ("after"), alternating process by process."""
    envs = {"before": {**os.environ, "PYTHONPATH": tree}, "after": dict(os.environ)}
    run = ["run", scenario, "--quiet", "--no-plots"]
    check = [sys.executable, "-m", "bipsim", "run", scenario, "--check"]
    figures: dict[tuple[str, str], list[tuple[float, float]]] = {
        (side, what): [] for side in envs for what in ("check", "first week")}
    loads = []
    for env in envs.values():
        first_week_once(run, env)  # untimed: fills each tree's numba cache
    for _ in range(repeats):
        loads.append(os.getloadavg()[0])
        for side, env in envs.items():
            figures[side, "check"].append(time_once(check, env))
            figures[side, "first week"].append(first_week_once(run, env))
    return [summary(f"{side}: bipsim run {scenario}" + (" --check" if what == "check" else
                                                           ": first week"),
                    check if what == "check" else run, [w for w, _ in got], [c for _, c in got],
                    loads) for (side, what), got in figures.items()]


def floor(repeats: int) -> list[dict[str, Any]]:
    """What Python, numpy, numba (one cached kernel) and Mesa cost on their own."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "tiny.py").write_text(TINY_KERNEL, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": folder, "NUMBA_CACHE_DIR": folder}
        return [measure(label, [sys.executable, "-c", code], repeats, env)
                for label, code in FLOOR.items()]


def main(argv: list[str] | None = None) -> int:
    """Time each command, print a table, save the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="fresh processes per command")
    parser.add_argument("--scenario", default="baseline",
                        help="scenario of the first-week timing (default: baseline)")
    parser.add_argument("--paired", metavar="TREE",
                        help="compare with the bipsim source tree TREE, alternating")
    args = parser.parse_args(argv)
    facts = machine()
    print(" | ".join(f"{k}: {v}" for k, v in facts.items()), flush=True)
    exe = bipsim_executable()
    if args.paired:
        rows = paired(args.paired, args.scenario, args.repeats)
    else:
        rows = [measure(label, exe + rest, args.repeats) for label, rest in COMMANDS.items()]
        rows += first_week(args.scenario, args.repeats)
        rows += floor(args.repeats)
    how = f"python -m bipsim, {args.paired} vs this tree" if args.paired else " ".join(exe)
    print(f"\n{how}: {args.repeats} fresh processes per command")
    print(f"{'command':<48}{'wall median':>13}{'min-max':>13}{'CPU median':>12}")
    for r in rows:
        spread = f"{r['wall_s_min']:.2f}-{r['wall_s_max']:.2f}"
        print(f"{r['command']:<48}{r['wall_s_median']:>11.3f} s{spread:>13}"
              f"{r['cpu_s_median']:>10.3f} s")
    save_results("bench_startup" + ("-paired" if args.paired else ""),
                 {"machine": facts, "executable": exe, "paired_with": args.paired,
                  "cases": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

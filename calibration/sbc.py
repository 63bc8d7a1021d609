"""Simulation-based calibration of ``bipsim calibrate``: do its intervals cover known truths?

For ``--truths`` parameter sets drawn from the prior, simulate the study at each,
make synthetic published targets from it (errors of the stated size), fit the
posterior exactly as ``bipsim calibrate`` does, and report per parameter how often
the 50 % and 90 % posterior intervals cover the truth, with rank histograms.

    python calibration/sbc.py --truths 20 --out outputs/sbc

The fits run on the experiments engine (``--workers``, ``--dask-local``); each truth
keeps its studies in ``OUT/truth-NNN/runs``, so a stopped run is continued by
running the same command again. Writes ``OUT/sbc.md``, ``OUT/ranks.csv`` and
``OUT/ranks.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from bipsim.calibration.cli import CALIBRATION
from bipsim.calibration.priors import calibrated_priors
from bipsim.calibration.sbc import SbcResult, run_sbc
from bipsim.calibration.settings import QUICK, Settings
from bipsim.calibration.simulations import StudySimulations
from bipsim.calibration.targets import load_targets
from bipsim.experiments.executors import open_workers
from bipsim.experiments.store import RunStore
from bipsim.scenario import load_scenario


def main(argv: list[str] | None = None) -> int:
    """Run the SBC; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--truths", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--population", type=int, default=QUICK.population)
    parser.add_argument("--generations", type=int, default=QUICK.generations)
    parser.add_argument("--max-simulations", type=int, default=QUICK.max_simulations)
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--min-ess", type=int, default=Settings().min_ess,
                        help="effective particles each fit needs (see Settings.min_ess)")
    parser.add_argument("--adjust", action=argparse.BooleanOptionalAction,
                        default=Settings().adjust,
                        help="regression-adjust each fit (default: as bipsim calibrate)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a parameter of the study (e.g. a smaller study)")
    parser.add_argument("--workers", type=int)
    parser.add_argument("--dask-local", type=int)
    parser.add_argument("--out", default="outputs/sbc")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    settings = dataclasses.replace(Settings(), population=args.population,
                                   generations=args.generations,
                                   max_simulations=args.max_simulations, draws=args.draws,
                                   min_ess=args.min_ess, adjust=args.adjust)
    targets = load_targets(CALIBRATION / "targets.yaml")
    base = load_scenario("bip_study", args.set).params
    started = time.perf_counter()
    with ExitStack() as stack:
        workers = stack.enter_context(open_workers(args.workers, None, args.dask_local))
        made = []

        def simulate_for(j: int) -> StudySimulations:
            store = RunStore(out / f"truth-{j:03d}")
            store.runs.mkdir(parents=True, exist_ok=True)
            sims = StudySimulations(base, store, lambda: workers, quiet=True)
            made.append(sims)
            return sims

        def write_so_far(result: SbcResult) -> None:
            studies = sum(s.made for s in made)
            setup = {"truths": args.truths, "seed": args.seed,
                     "settings": dataclasses.asdict(settings), "study_overrides": args.set,
                     "executor": workers.description,
                     "minutes": round((time.perf_counter() - started) / 60, 1),
                     "studies_made_this_session": studies}
            _write(out, result, setup)

        run_sbc(targets, calibrated_priors(), simulate_for, settings, args.truths, args.seed,
                out, note=print, on_truth=write_so_far)
    print((out / "sbc.md").read_text(encoding="utf-8"))
    return 0


def _write(out: Path, result: SbcResult, setup: dict) -> None:
    result.ranks.to_csv(out / "ranks.csv", index=False)
    coverage = result.coverage()
    hist = result.histogram()
    fits = result.ranks.groupby("truth").first()
    lines = ["# Simulation-based calibration of `bipsim calibrate`", "",
             f"Settings: `{json.dumps(setup)}`.", "",
             f"Fits whose last epsilon reached the floor: {fits.reached_floor.mean():.0%}. "
             f"Per fit (median, range): {fits.studies.median():.0f} studies "
             f"({fits.studies.min()}-{fits.studies.max()}), the particles' epsilon "
             f"{fits.epsilon.median():.3g} ({fits.epsilon.min():.3g}-{fits.epsilon.max():.3g}), "
             f"effective particles {fits.ess.median():.0f} ({fits.ess.min():.0f}-"
             f"{fits.ess.max():.0f}); regression-adjusted: {fits.adjusted.mean():.0%}.", "",
             "| parameter | truths | 50 % interval covers | 90 % interval covers | rank "
             "histogram (5 bins) |", "|---|---|---|---|---|"]
    for row in coverage.itertuples():
        counts = " ".join(str(int(c)) for c in hist.loc[row.parameter])
        lines.append(f"| `{row.parameter}` | {row.truths} | {row.coverage_50:.0%} | "
                     f"{row.coverage_90:.0%} | {counts} |")
    pooled = result.ranks
    lines += ["", f"All parameters together ({len(pooled)} truth-parameter pairs): the 50 % "
                  f"intervals cover {pooled.covered_50.mean():.0%}, the 90 % intervals "
                  f"{pooled.covered_90.mean():.0%}. By where the truth lies in its prior:", "",
              "| truth | pairs | 50 % interval covers | 90 % interval covers |",
              "|---|---|---|---|"]
    for where, row in result.coverage_by_position().iterrows():
        lines.append(f"| {where} | {row.pairs:.0f} | {row.coverage_50:.0%} | "
                     f"{row.coverage_90:.0%} |")
    n = int(coverage.truths.iloc[0]) if len(coverage) else 0
    if n:
        lines += ["", f"With {n} truths a coverage share has a binomial standard error of "
                      f"about {np.sqrt(0.25 / n):.0%} at 50 % and {np.sqrt(0.09 / n):.0%} at 90 %."]
    (out / "sbc.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fig = Figure(figsize=(12, 1.8 * -(-len(hist) // 5) + 0.5), dpi=90)
    axes = fig.subplots(-(-len(hist) // 5), 5, squeeze=False).ravel()
    for ax, (name, counts) in zip(axes, hist.iterrows(), strict=False):
        ax.bar(range(len(counts)), counts.to_numpy(), color="#2a7fbf")
        ax.axhline(counts.sum() / len(counts), color="black", lw=0.8)
        ax.set_title(name, fontsize=8)
        ax.set_xticks([])
    for ax in axes[len(hist):]:
        ax.set_visible(False)
    fig.suptitle("Rank of the truth among the posterior draws (flat = calibrated)")
    fig.tight_layout()
    fig.savefig(out / "ranks.png")


if __name__ == "__main__":
    sys.exit(main())

"""How many replicates (worlds) a stable ``compare --uncertainty parameters`` answer needs.

Reads a finished comparison folder with many worlds and, for each smaller number of
worlds n, draws B subsets of n worlds (without replacement, seed 1) and measures how
much the answer moves between subsets: the standard deviation of the probability of
being better, of the 2.5 % and 97.5 % bounds of the difference (as a share of the
full interval's width), and how often the top driver and the top-five set agree with
those of all worlds.

    bipsim compare baseline early_placement --reps 200 --out outputs/stability
    python tools/replicates_needed.py outputs/stability [--outcome exits_job] [--b 300]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from bipsim.experiments.plan import Plan
from bipsim.uncertainty.worlds import BETTER, better, drivers


def stability(folder: Path, outcome: str, b: int, sizes: list[int]) -> pd.DataFrame:
    """One row per alternative and subset size: the spread of the answer."""
    plan = Plan.from_json((folder / "plan.json").read_text(encoding="utf-8"))
    table = pd.read_parquet(folder / "results.parquet")
    worlds = table[table["uncertainty"] == "parameters"]
    base_label = plan.design["baseline"]
    base = worlds[worlds["scenario"] == base_label].set_index("replicate").sort_index()
    runs = sorted((r for r in plan.runs if r.uncertainty == "parameters"
                   and r.scenario == base_label), key=lambda r: r.replicate)
    draws = pd.DataFrame([r.draws for r in runs], index=[r.replicate for r in runs])
    rng = np.random.default_rng(1)
    rows = []
    for label in plan.design["alternatives"]:
        alt = worlds[worlds["scenario"] == label].set_index("replicate").sort_index()
        d = (alt[outcome] - base[outcome]).to_numpy(float)
        full_low, full_high = np.quantile(d, [0.025, 0.975])
        width = full_high - full_low
        full = drivers(draws, d)
        full_top = {row["parameter"] for row in full}
        for n in sizes:
            if n > len(d):
                continue
            p, lows, highs, same_first, overlap = [], [], [], [], []
            for _ in range(b):
                pick = rng.choice(len(d), n, replace=False)
                p.append(better(d[pick], BETTER[outcome])["p_better"])
                low, high = np.quantile(d[pick], [0.025, 0.975])
                lows.append(low)
                highs.append(high)
                found = drivers(draws.iloc[pick], d[pick])
                same_first.append(bool(found) and found[0]["parameter"] == full[0]["parameter"])
                overlap.append(len({row["parameter"] for row in found} & full_top) / 5)
            rows.append({"alternative": label, "worlds": n,
                         "p_better_sd": float(np.std(p)),
                         "low_bound_sd_share_of_width": float(np.std(lows) / width),
                         "high_bound_sd_share_of_width": float(np.std(highs) / width),
                         "top_driver_same": float(np.mean(same_first)),
                         "top_five_overlap": float(np.mean(overlap))})
    return pd.DataFrame(rows)


def main() -> None:
    """Print the stability table of a comparison folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--outcome", default="exits_job")
    parser.add_argument("--b", type=int, default=300, help="subsets per size")
    args = parser.parse_args()
    sizes = [10, 20, 50, 100, 150]
    frame = stability(args.folder, args.outcome, args.b, sizes)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(frame.round(3).to_string(index=False))


if __name__ == "__main__":
    main()

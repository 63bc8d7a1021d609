"""The numbers behind the README's three dashboard demonstrations.

Runs each demonstration exactly as the page does (a :class:`ModelPair` of the
trainer's jobcentre, levers set at week 0): seed 1 week by week, and the mean
difference at the end over seeds 1-20. Rerun after a change of the model or its
parameters, and update the README's "Three demonstrations" from the output::

    python tools/dashboard_demos.py            # about a minute
"""

from __future__ import annotations

import argparse

import numpy as np

from bipsim.dashboard.pair import ModelPair
from bipsim.dashboard.settings import load_settings

#: The demonstrations: lever settings of the chosen practice (model units).
DEMOS: dict[str, dict[str, object]] = {
    "1 belief (expectations training 1 SD)": {"expectations_training": 1.0},
    "2 changes (turnover 40 %, 2 reorganisations a year)": {
        "annual_turnover": 0.40, "reorganisations_per_year": 2.0},
    "3 early company placement, 25 places per 100": {
        "placement_timing": "early", "company_slots_per_100": 25.0},
}
COUNTS = ("cum_job", "cum_education", "cum_other_benefit", "n_company", "n_passive",
          "cum_caseworker_changes")


def run(levers: dict[str, object], seed: int, weeks: int | None = None) -> ModelPair:
    """A pair of the trainer's jobcentre with ``levers`` set at week 0, run ``weeks``."""
    pair = ModelPair(load_settings().scenario, seed)
    for name, value in levers.items():
        pair.set_lever(name, value)
    pair.step(pair.weeks if weeks is None else weeks)
    return pair


def main() -> None:
    """Print seed 1 at weeks 8, 26, 52, 104 and the mean over seeds 1-20."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 1..N for the means")
    args = parser.parse_args()
    for title, levers in DEMOS.items():
        print(f"\n## {title}")
        pair = run(levers, seed=1, weeks=0)
        for week in (8, 26, 52, 104):
            pair.step(week - pair.week)
            a, b = pair.practice.current, pair.baseline.current
            cells = [f"{k} {a[k]:.0f}/{b[k]:.0f}" for k in COUNTS]
            cells.append(f"believes {a['share_believes']:.0%}/{b['share_believes']:.0%}")
            shares = [pair.logs[k].share_ever_changed() for k in ("practice", "baseline")]
            cells.append(f"changed {shares[0]:.0%}/{shares[1]:.0%}")
            print(f"seed 1, week {week} (chosen/today): " + ", ".join(cells))
        diffs, changed = [], []
        for seed in range(1, args.seeds + 1):
            pair = run(levers, seed)
            a, b = pair.practice.current, pair.baseline.current
            diffs.append([a[k] - b[k] for k in ("cum_job", "cum_education")]
                         + [b["cum_job"], a["mean_readiness"] - b["mean_readiness"]])
            changed.append([pair.logs[k].share_ever_changed() for k in ("practice", "baseline")])
        d, c = np.array(diffs), np.array(changed).mean(axis=0)
        print(f"seeds 1-{args.seeds}, week 104: job {d[:, 0].mean():+.1f} "
              f"(today {d[:, 2].mean():.1f}; more in {(d[:, 0] > 0).sum()}, fewer in "
              f"{(d[:, 0] < 0).sum()}), education {d[:, 1].mean():+.1f}, readiness "
              f"{d[:, 3].mean():+.2f} SD, with a change {c[0]:.0%}/{c[1]:.0%}")


if __name__ == "__main__":
    main()

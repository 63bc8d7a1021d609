"""Print the README's table of scenario outcomes: mean and SD over replicate seeds.

    python tools/scenario_table.py [--seeds 5]

Every scenario runs the same seeds (common random numbers). This is a quick
overview, not a paired comparison with intervals (that is ``bipsim compare``'s job).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from bipsim.formatting import spread
from bipsim.model import BipModel
from bipsim.outcomes import OUTCOMES, summarise
from bipsim.scenario import load_scenario

SCENARIOS = ("baseline", "early_placement", "continuity", "positive_expectations",
             "low_caseload", "combined", "trainer_jobcentre", "bip_study", "national")
SHOWN = ("share_job_12m", "exits_job", "exits_education", "exits_other_benefit",
         "mean_weeks_on_benefit", "caseworker_changes_per_citizen", "share_passive",
         "share_ever_company", "cost_per_job_entry_dkk")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    header = ["scenario", "s/run", *SHOWN]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in SCENARIOS:
        runs, seconds = [], []
        for seed in range(1, args.seeds + 1):
            model = BipModel.from_scenario(load_scenario(name), seed=seed)
            started = time.perf_counter()
            model.run()
            seconds.append(time.perf_counter() - started)
            runs.append(summarise(model))
        cells = [name, f"{np.median(seconds):.2f}"]
        for key in SHOWN:
            values = np.array([r[key] for r in runs], dtype=float)
            sd = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(spread(key, float(values.mean()), float(sd)))
        print("| " + " | ".join(cells) + " |")
    print(f"\nmean ± SD over seeds 1..{args.seeds}; labels: "
          + "; ".join(f"{k} = {OUTCOMES[k].label}" for k in SHOWN))


if __name__ == "__main__":
    main()

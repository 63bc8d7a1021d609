"""How exact the pairing of two scenarios is: the gain of common random numbers.

Two measurements, both with the shipped scenarios:

* ``sd``: the SD over seeds of the paired difference in exits to job, ``early_placement``
  minus ``baseline`` (seeds 1..N, default 20), with the unpaired SDs for reference and the
  95 % interval half-width (Student t) at 5 and at N seeds.
* ``entrants``: the baseline at one seed with ``interventions.company_slots_per_100`` 8 and
  9: the share of citizens present in both runs (same uid) whose traits at entry (indicator
  levels, age band) are identical, and the share entering in a different week, for the
  week-0 stock and for entrants separately.

It uses only the model's public interface, so it runs unchanged on older commits (to
measure before and after a change). Results go to ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

RESULTS = Path(__file__).resolve().parent / "results"


def _exits_job(name: str, seed: int, overrides: list[str]) -> int:
    from bipsim.model import BipModel
    from bipsim.scenario import load_scenario

    model = BipModel.from_scenario(load_scenario(name, overrides), seed=seed)
    model.run()
    return int(model.weekly()["cum_job"].iloc[-1])


def paired_sd(seeds: list[int], overrides: list[str]) -> dict[str, Any]:
    """Exits to job of both scenarios per seed, and the spread of their difference."""
    base = np.array([_exits_job("baseline", s, overrides) for s in seeds])
    alt = np.array([_exits_job("early_placement", s, overrides) for s in seeds])
    diff = alt - base

    def half_width(sd: float, n: int) -> float:
        return float(stats.t.ppf(0.975, n - 1) * sd / np.sqrt(n))

    sd = float(diff.std(ddof=1))
    return {"seeds": seeds, "baseline": base.tolist(), "early_placement": alt.tolist(),
            "mean_difference": float(diff.mean()), "sd_paired_difference": sd,
            "sd_baseline": float(base.std(ddof=1)), "sd_early_placement": float(alt.std(ddof=1)),
            "half_width_95_at_5_seeds": half_width(sd, 5),
            f"half_width_95_at_{len(seeds)}_seeds": half_width(sd, len(seeds))}


def entrant_pairing(seed: int, overrides: list[str]) -> dict[str, Any]:
    """Same seed, company places 8 vs 9 per 100: how many same-uid citizens match."""
    from bipsim.model import BipModel
    from bipsim.scenario import load_scenario

    cols = []
    for slots in (8, 9):
        s = load_scenario("baseline", [*overrides, f"interventions.company_slots_per_100={slots}"])
        model = BipModel.from_scenario(s, seed=seed)
        model.run()
        cols.append(model.citizens.all_columns())
    a, b = cols
    common, ia, ib = np.intersect1d(a["uid"], b["uid"], return_indices=True)
    same_traits = ((a["anchor"][ia] == b["anchor"][ib]).all(axis=1)
                   & (a["under_30"][ia] == b["under_30"][ib]))
    other_week = a["ti_entry"][ia] != b["ti_entry"][ib]
    same_exit = (a["status"][ia] == b["status"][ib]) & (a["ti_exit"][ia] == b["ti_exit"][ib])
    stock = (a["ti_entry"][ia] <= 0) & (b["ti_entry"][ib] <= 0)
    out: dict[str, Any] = {"seed": seed, "n_common": len(common),
                           "n_only_one_run": int(len(a["uid"]) + len(b["uid"]) - 2 * len(common))}
    for label, mask in (("stock", stock), ("entrants", ~stock)):
        out[label] = {"n": int(mask.sum()),
                      "share_same_traits": float(same_traits[mask].mean()),
                      "share_other_entry_week": float(other_week[mask].mean()),
                      "share_same_exit": float(same_exit[mask].mean())}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds 1..N for the paired SD")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override for every run (repeatable)")
    ap.add_argument("--label", default="", help="added to the results file name")
    args = ap.parse_args(argv)
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                         text=True, cwd=RESULTS.parent).stdout.strip()
    now = dt.datetime.now()
    result = {"date": now.isoformat(timespec="seconds"), "git": git, "overrides": args.set,
              "entrants": entrant_pairing(1, args.set),
              "sd": paired_sd(list(range(1, args.seeds + 1)), args.set)}
    sd, ent = result["sd"], result["entrants"]
    print(f"exits to job, early_placement - baseline over {args.seeds} seeds: mean "
          f"{sd['mean_difference']:+.1f}, SD of the paired difference "
          f"{sd['sd_paired_difference']:.1f} (unpaired SDs {sd['sd_baseline']:.1f}, "
          f"{sd['sd_early_placement']:.1f}); 95 % half-width "
          f"±{sd['half_width_95_at_5_seeds']:.1f} at 5 seeds, "
          f"±{sd[f'half_width_95_at_{args.seeds}_seeds']:.1f} at {args.seeds}")
    for label in ("stock", "entrants"):
        e = ent[label]
        print(f"company places 8 vs 9, {label} (n={e['n']}): same traits "
              f"{100 * e['share_same_traits']:.1f} %, other entry week "
              f"{100 * e['share_other_entry_week']:.1f} %, same exit "
              f"{100 * e['share_same_exit']:.1f} %")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"bench_pairing{args.label}-{now:%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

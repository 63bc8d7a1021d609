"""``bipsim optimise``: the search finds a known best answer, judges every candidate on
the baseline's worlds, and gives the same front on any executor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiment_helpers import SMALL, run_cli

from bipsim.experiments import optimise

WORLDS = 10
#: The known case: one lever x in [0, 1]; extra entries 100 x (plus world noise that
#: scales with x, so more x is better in every world), extra cost 10 mio. DKK x in
#: every year, benefit saved 12 mio. DKK x a year. Within 6 mio. DKK a year the best
#: mix is x = 0.6 exactly: the most entries and the lowest net cost that fit.
SLOPE_DKK, SAVED_DKK, BUDGET_DKK, YEARS = 10e6, 12e6, 6e6, 4
BEST = BUDGET_DKK / SLOPE_DKK
#: 10 generations of 8 (80 proposals) on one lever: the seeded search must get within
#: 2 % of the lever's range of the limit (checked for three seeds; random proposals
#: alone would leave a gap of about 1/80 on average below the limit, and NSGA-II's
#: crossover near the front closes it).
TOLERANCE = 0.02


def _known_case(points: list[dict], first: int) -> list[optimise.Evaluation]:
    noise = np.random.default_rng(5).normal(0.0, 1.0, WORLDS)
    out = []
    for point in points:
        x = point["expectations_training"]
        cost = np.full((WORLDS, YEARS), SLOPE_DKK * x)
        out.append(optimise.Evaluation(entries=(100 + noise) * x,
                                       net_cost=(cost - SAVED_DKK * x).sum(axis=1),
                                       extra_cost=cost))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_search_finds_the_lever_value_at_the_budget_limit(seed: int) -> None:
    levers = optimise.parse_levers(["caseworkers.expectations_training=0:1"])
    candidates = optimise.search(levers, BUDGET_DKK, YEARS * 52, population=8,
                                 generations=10, seed=seed, evaluate=_known_case)
    within = [c for c in candidates if c.feasible]
    assert all(c.levers["expectations_training"] <= BEST for c in within)
    assert all(c.levers["expectations_training"] > BEST for c in candidates
               if not c.feasible)
    front = optimise.pareto_front(candidates)
    assert len(front) == 1  # both objectives improve with x: one best mix
    assert BEST - TOLERANCE <= front[0].levers["expectations_training"] <= BEST


def test_the_same_seed_gives_the_same_candidates() -> None:
    levers = optimise.parse_levers(["caseworkers.expectations_training=0:1",
                                    "interventions.staircase_steps=0:4"])
    runs = [optimise.search(levers, BUDGET_DKK, 208, 4, 3, 7, _known_case) for _ in range(2)]
    assert [c.levers for c in runs[0]] == [c.levers for c in runs[1]]
    other = optimise.search(levers, BUDGET_DKK, 208, 4, 3, 8, _known_case)
    assert [c.levers for c in other] != [c.levers for c in runs[0]]
    assert all(isinstance(c.levers["staircase_steps"], int) for c in other)


def test_a_part_year_has_its_share_of_the_budget() -> None:
    assert optimise.year_budgets(52e6, 78).tolist() == [52e6, 26e6]


def _optimise(capsys, folder: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli(capsys, "optimise", "baseline", "--budget-per-year", "3e5", "--lever",
                   "caseworkers.expectations_training=0:1", "--lever",
                   "caseworkers.caseload=60:80", "--weeks", "6", *SMALL, "--reps", "2",
                   "--population", "4", "--generations", "2", "--out", folder, *extra)


def test_candidates_run_in_the_baselines_worlds_on_any_executor(tmp_path: Path,
                                                                capsys) -> None:
    code, out, err = _optimise(capsys, tmp_path / "a", "--workers", "0")
    assert code == 0, err
    assert "Pareto front within 300,000 DKK a year" in out
    folder = tmp_path / "a"
    plan = json.loads((folder / "plan.json").read_text())
    runs = plan["runs"]
    base = {r["replicate"]: r for r in runs if r["point"] == 0}
    assert len(base) == 2 and all(r["uncertainty"] == "parameters" for r in runs)
    for run in runs:  # common random numbers: the baseline's seed and draws, world by world
        assert run["seed"] == base[run["replicate"]]["seed"]
        assert run["draws"] == base[run["replicate"]]["draws"]
        assert "caseload" not in run["draws"]  # a searched lever is held, never drawn
    table = pd.read_csv(folder / "candidates.csv")
    assert len(runs) == 2 * (1 + len(table))
    over = table["worst_year_over_budget_dkk"]
    assert (table["within_budget"] == (over <= 0)).all()
    assert np.allclose(table["extra_cost_y1_dkk_mean"] - 3e5 * 6 / 52, over)
    pareto = pd.read_csv(folder / "pareto.csv")
    assert set(pareto["candidate"]) <= set(table.loc[table["within_budget"], "candidate"])
    assert (folder / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    assert json.loads((folder / "manifest.json").read_text())["kind"] == "optimise"

    code, _, err = _optimise(capsys, tmp_path / "b", "--workers", "2")
    assert code == 0, err
    assert (folder / "candidates.csv").read_bytes() == \
        (tmp_path / "b" / "candidates.csv").read_bytes()


def test_mixes_with_the_same_outcomes_appear_once_on_the_front() -> None:
    same = _known_case([{"expectations_training": 0.5}], 1)[0]
    twins = [optimise.Candidate(n, 1, {"expectations_training": 0.5 + n * 1e-9}, same, True)
             for n in (1, 2)]
    assert [c.number for c in optimise.pareto_front(twins)] == [1]


#: The known case in the model itself: expectations training is the only cost that
#: changes (company places and other activities cost nothing, no caseworker leaves, so
#: nobody new is trained), so the extra cost is the training of the 13 caseworkers in
#: post in week 1 at 100,000 DKK per SD of shift: linear in the lever, in every world.
#: More training gives more entries (the search's proposals show it, with plateaus: a
#: few entries among 1,000 citizens), so the best mix is the training the budget just
#: pays for, x* = budget / slope.
MODEL_CASE = ("--set", "population.n_citizens=1000", "--set", "population.n_jobcentres=1",
              "--set", "costs.company_dkk=0", "--set", "costs.other_dkk=0", "--set",
              "costs.expectations_training_dkk=100000", "--set",
              "caseworkers.annual_turnover=0", "--weeks", "52")
#: Whole kroner per caseworker trained: the cost is linear up to 1 DKK per caseworker.
ROUNDING_DKK = 13.0
#: 5 generations of 8 with seed 1: the best mix found within 5 % of the lever's range
#: below x* (entries are flat within a few hundredths of the lever, so the search
#: cannot tell those mixes apart in 2 worlds).
MODEL_TOLERANCE = 0.05


def test_in_the_model_the_search_finds_the_training_the_budget_pays_for(tmp_path: Path,
                                                                        capsys) -> None:
    budget = 5e5
    code, _, err = run_cli(capsys, "optimise", "baseline", "--budget-per-year", str(budget),
                           "--lever", "caseworkers.expectations_training=0:1", *MODEL_CASE,
                           "--reps", "2", "--population", "8", "--generations", "5",
                           "--seed", "1", "--workers", "2", "--out", tmp_path / "k")
    assert code == 0, err
    table = pd.read_csv(tmp_path / "k" / "candidates.csv")
    x = table["caseworkers.expectations_training"].to_numpy(float)
    cost = table["extra_cost_y1_dkk_mean"].to_numpy(float)
    slope = cost[np.argmax(x)] / x.max()
    assert slope == pytest.approx(13 * 100_000, rel=1e-3)
    assert np.abs(cost - slope * x).max() <= ROUNDING_DKK
    best = budget / slope
    assert (x[table["within_budget"]] <= best + 1e-4).all()
    assert (x[~table["within_budget"]] > best - 1e-4).all()
    front = pd.read_csv(tmp_path / "k" / "pareto.csv")
    most = front.loc[front["extra_entries_mean"].idxmax(),
                     "caseworkers.expectations_training"]
    assert best - MODEL_TOLERANCE <= most <= best

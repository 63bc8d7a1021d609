"""The 98 municipalities: the packaged table, one municipality at its own size, names
checked with a did-you-mean, and per-jobcentre results that add up to the run's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bipsim import municipalities
from bipsim.by_jobcentre import FILE, apportion
from bipsim.cli import main
from bipsim.model import BipModel
from bipsim.population import _split
from bipsim.rules.costs import COST_FLOWS, COST_KINDS
from bipsim.scenario import ScenarioError, load_scenario

#: A national run small enough for seconds: every municipality, a few citizens each.
SMALL_NATIONAL = ["run", "national", "--weeks", "14", "--set", "population.n_citizens=3000",
                  "--no-plots", "--quiet"]


def test_table_has_98_unique_names_with_sources_and_positive_sizes() -> None:
    rows = municipalities.table()
    names = [m.name for m in rows]
    assert len(rows) == 98 and len(set(names)) == 98
    assert {"København", "Aarhus", "Odense", "Aalborg", "Læsø", "Ærø"} <= set(names)
    assert {m.region for m in rows} == {"Hovedstaden", "Sjælland", "Syddanmark",
                                        "Midtjylland", "Nordjylland"}
    assert all(m.population > 0 and m.stock > 0 for m in rows)
    assert all(m.population_source and m.population_date[:2] == "20" for m in rows)


def test_stocks_are_the_documented_total_scaled_by_population() -> None:
    rows = municipalities.table()
    stocks = np.array([m.stock for m in rows])
    assert stocks.sum() == municipalities.NATIONAL_STOCK == 66_254
    scaled = apportion(municipalities.NATIONAL_STOCK, np.array([m.population for m in rows]))
    np.testing.assert_array_equal(stocks, scaled)


def test_one_municipality_runs_at_its_own_size() -> None:
    aarhus = municipalities.find("Aarhus")
    scenario = load_scenario("baseline", ["population.municipality=Aarhus"])
    assert scenario.params["n_citizens"] == aarhus.stock == 4041
    assert scenario.params["n_jobcentres"] == 1
    assert scenario.sources["n_citizens"] == "population.municipality=Aarhus"
    model = BipModel.from_scenario(scenario, weeks=1)
    assert model.jobcentres.size.tolist() == [aarhus.stock]
    assert model.jobcentres.names == ("Aarhus",)
    # the keyword route the dashboard and Mesa's tools use says the same
    assert BipModel(municipality="Læsø", weeks=1, seed=1).jobcentres.size.tolist() == [
        municipalities.find("Læsø").stock]


def test_a_scenario_key_names_the_municipality(tmp_path: Path) -> None:
    path = tmp_path / "odense.yaml"
    path.write_text("extends: baseline\npopulation:\n  municipality: Odense\n",
                    encoding="utf-8")
    scenario = load_scenario(str(path))
    assert scenario.params["n_citizens"] == municipalities.find("Odense").stock


def test_unknown_name_exits_2_with_close_names(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    code = main(["run", "baseline", "--set", "population.municipality=Arhus", "--weeks", "1",
                 "--no-plots", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "population.municipality" in err and "did you mean 'Aarhus'?" in err
    assert not out.exists()
    with pytest.raises(KeyError, match="did you mean 'København'"):
        municipalities.find("Kobenhavn")


def test_municipality_sizes_need_98_jobcentres() -> None:
    with pytest.raises(ScenarioError, match=r"set population\.n_jobcentres to 98"):
        load_scenario("baseline", ["population.jobcentre_sizes=municipalities"])


def test_national_has_the_municipalities_in_proportion_to_their_stock() -> None:
    model = BipModel.from_scenario(load_scenario("national"), weeks=1)
    stocks = np.array([m.stock for m in municipalities.table()], dtype=np.float64)
    assert model.jobcentres.names == municipalities.names()
    np.testing.assert_array_equal(model.jobcentres.size, _split(80_000, stocks))


def test_jobcentres_csv_adds_up_to_the_run_exactly(tmp_path: Path) -> None:
    out = tmp_path / "national"
    # training from week 1 on, so its cost is shared out too
    assert main([*SMALL_NATIONAL, "--set", "caseworkers.expectations_training=0.5",
                 "--out", str(out)]) == 0
    table = pd.read_csv(out / FILE)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["outcomes"]
    weekly = pd.read_csv(out / "weekly.csv")
    citizens = pd.read_parquet(out / "citizens.parquet")
    assert table["name"].tolist() == list(municipalities.names())
    assert table["citizens_week0"].sum() == 3000
    assert table["citizens_ever"].sum() == len(citizens)
    for outcome in ("exits_job", "exits_education", "exits_other_benefit", "total_cost_dkk"):
        assert table[outcome].sum() == summary[outcome], outcome
    for flow, kind in zip(COST_FLOWS, COST_KINDS, strict=True):
        assert table[f"cost_{kind}_dkk"].sum() == weekly[flow].sum(), kind
    assert table["cost_training_dkk"].sum() > 0
    assert (table["total_cost_dkk"] == table[[f"cost_{k}_dkk" for k in COST_KINDS]]
            .sum(axis=1)).all()


def test_one_jobcentre_writes_no_jobcentres_csv(tmp_path: Path) -> None:
    out = tmp_path / "samso"
    assert main(["run", "baseline", "--set", "population.municipality=Samsø", "--weeks", "2",
                 "--no-plots", "--quiet", "--out", str(out)]) == 0
    assert not (out / FILE).exists()


@pytest.mark.parametrize("total", [0, 7, 1_000_003])
def test_apportion_shares_whole_kroner_that_add_up(total: int) -> None:
    shares = apportion(float(total), np.array([3.0, 0.0, 1.0, 1.0]))
    assert shares.sum() == total and (shares == np.floor(shares)).all()
    assert shares[1] == 0 or total == 0


def test_ranking_intervals_are_the_replicates_percentiles_on_any_executor(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--reps 3``: each jobcentre's median and 5th-95th percentile are those of three
    runs made directly on the replicate seeds (compare's seeds of --seed 4), the same
    in this process and on two worker processes, and recorded in the manifest."""
    from bipsim.by_jobcentre import INTERVALS_FILE, table
    from bipsim.experiments.plan import replicate_seeds

    folders = {}
    for workers in ("0", "2"):
        folders[workers] = tmp_path / f"w{workers}"
        assert main([*SMALL_NATIONAL, "--seed", "4", "--reps", "3", "--workers", workers,
                     "--out", str(folders[workers])]) == 0
    frame = pd.read_csv(folders["0"] / INTERVALS_FILE)
    pd.testing.assert_frame_equal(frame, pd.read_csv(folders["2"] / INTERVALS_FILE))
    seeds = replicate_seeds(4, 3)
    manifest = json.loads((folders["0"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["ranking_replicates"]["seeds"] == seeds
    scenario = load_scenario("national", ["run.weeks=14", "population.n_citizens=3000"])
    runs = []
    for seed in seeds:
        model = BipModel.from_scenario(scenario, seed=seed)
        model.run()
        runs.append(table(model, model.citizen_table())["job_entries_per_100"].to_numpy())
    values = np.array(runs)
    np.testing.assert_allclose(frame["job_entries_per_100_median"], np.median(values, axis=0))
    np.testing.assert_allclose(frame["job_entries_per_100_p05"],
                               np.percentile(values, 5, axis=0))
    assert (frame["job_entries_per_100_p05"] <= frame["job_entries_per_100_median"]).all()
    assert (frame["replicates"] == 3).all() and len(frame) == 98
    # the places are ranks among the 98 jobcentres
    assert frame["place_job_entries_per_100_p95"].max() <= 98
    assert frame["place_job_entries_per_100_p05"].min() >= 1
    capsys.readouterr()


def test_reps_needs_several_jobcentres_and_two_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    one = ["run", "baseline", "--set", "population.municipality=Samsø", "--weeks", "2",
           "--no-plots", "--quiet"]
    assert main([*one, "--reps", "3"]) == 2
    assert "--reps: given 3, but baseline has one jobcentre" in capsys.readouterr().err
    assert main([*SMALL_NATIONAL, "--reps", "1"]) == 2
    assert "--reps: given 1; allowed: 2 or more" in capsys.readouterr().err


def test_intervals_of_constructed_replicates_and_their_printout(tmp_path: Path) -> None:
    """Three jobcentres, five replicates with known values: medians, 5th-95th
    percentiles, places (ties share the mean place), replicates without a job entry
    left out of the cost ranking; the printout and the plot show them."""
    from bipsim.by_jobcentre import ranking
    from bipsim.jobcentre_plot import write_ranking_plot
    from bipsim.ranking import intervals

    entries = [[1.0, 2.0, 3.0], [2.0, 2.0, 1.0], [3.0, 1.0, 2.0], [4.0, 2.0, 2.0],
               [5.0, 3.0, 0.0]]
    cost = [[9.0, 5.0, np.nan], [8.0, 5.0, 7.0], [7.0, 6.0, np.nan], [6.0, 5.0, 4.0],
            [5.0, 5.0, np.nan]]
    records = [{"jobcentres": {"job_entries_per_100": e, "cost_per_job_entry_dkk": c}}
               for e, c in zip(entries, cost, strict=True)]
    frame = intervals(records, ["A", "B", "C"], np.array([10, 20, 30]))
    values = np.array(entries)
    np.testing.assert_allclose(frame["job_entries_per_100_median"], [3.0, 2.0, 2.0])
    np.testing.assert_allclose(frame["job_entries_per_100_p05"],
                               np.percentile(values, 5, axis=0))
    # replicate 2: A 2, B 2, C 1 -> places 1.5, 1.5, 3
    places = np.array([[3, 2, 1], [1.5, 1.5, 3], [1, 3, 2], [1, 2.5, 2.5], [1, 2, 3]])
    np.testing.assert_allclose(frame["place_job_entries_per_100_median"],
                               np.median(places, axis=0))
    assert frame["cost_per_job_entry_dkk_replicates"].tolist() == [5, 5, 2]
    np.testing.assert_allclose(frame["cost_per_job_entry_dkk_median"], [7.0, 5.0, 5.5])
    # cost ranks among the defined only: in replicate 1, C (7) is second of three
    assert frame["place_cost_per_job_entry_dkk_p95"].iloc[2] <= 3
    text = ranking(frame.assign(exits_job=1), intervals=frame)
    assert "Median over 5 replicate seeds" in text
    assert "C" in text and "; in 2 of 5)" in text
    table = frame[["jobcentre", "name", "citizens_week0"]].assign(
        job_entries_per_100=[3.0, 2.0, 2.0], cost_per_job_entry_dkk=[7.0, 5.0, 5.5],
        exits_job=[3, 4, 6], citizens_ever=[100, 200, 300], total_cost_dkk=[21, 20, 33])
    assert write_ranking_plot(table, tmp_path, "test", frame).stat().st_size > 0

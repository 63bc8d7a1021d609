"""The 98 municipalities: the packaged table, one municipality at its own size, names
checked with a did-you-mean, and per-jobcentre results that add up to the run's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bipsim import municipalities
from bipsim.by_jobcentre import FILE, INTERVALS_FILE, REPLICATES_FILE, apportion
from bipsim.by_jobcentre import main as by_jobcentre
from bipsim.cli import main
from bipsim.jobcentre_pair import compare_pair
from bipsim.model import BipModel
from bipsim.population import _split
from bipsim.ranking import intervals
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
    from bipsim.by_jobcentre import table
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
    # every replicate's values are kept, per seed, in jobcentre order
    kept = pd.read_csv(folders["0"] / REPLICATES_FILE)
    pd.testing.assert_frame_equal(kept, pd.read_csv(folders["2"] / REPLICATES_FILE))
    assert kept["seed"].tolist() == [s for s in seeds for _ in range(98)]
    assert kept["name"].tolist() == list(municipalities.names()) * 3
    np.testing.assert_allclose(kept["job_entries_per_100"], values.ravel())
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


#: Five constructed replicates of three jobcentres (long format, as
#: jobcentre_replicates.csv): Aarhus minus Odense is [1, 0, -1, 2, 2] job entries per
#: 100, and, where both have a job entry (not replicate 2), [-100,000, 0, -200,000,
#: +200,000] DKK per job entry.
PAIR_VALUES = {"Aarhus": ([6.0, 7.0, 5.0, 8.0, 6.0],
                          [1_000_000, 900_000, np.nan, 800_000, 1_200_000]),
               "Odense": ([5.0, 7.0, 6.0, 6.0, 4.0],
                          [1_100_000, 900_000, 1_000_000, 1_000_000, 1_000_000]),
               "Læsø": ([9.0, 0.0, 3.0, 1.0, 2.0], [np.nan] * 5)}


def constructed_replicates() -> pd.DataFrame:
    return pd.DataFrame([{"replicate": r, "seed": 100 + r, "jobcentre": j, "name": name,
                          "job_entries_per_100": entries[r],
                          "cost_per_job_entry_dkk": cost[r]}
                         for r in range(5)
                         for j, (name, (entries, cost)) in enumerate(PAIR_VALUES.items())])


def test_pair_of_constructed_replicates_is_paired_by_replicate() -> None:
    """The median and 5th-95th percentile of the replicate-by-replicate differences, the
    share in which the first is better (a tie half; lower cost is better), replicates
    without a cost left out; swapping the two negates the differences."""
    pair = compare_pair(constructed_replicates(), "Aarhus", "Odense").set_index("outcome")
    entries, cost = pair.loc["job_entries_per_100"], pair.loc["cost_per_job_entry_dkk"]
    d = np.array([1.0, 0.0, -1.0, 2.0, 2.0])
    assert entries["difference_median"] == 1.0
    np.testing.assert_allclose([entries["difference_p05"], entries["difference_p95"]],
                               np.percentile(d, [5, 95]))
    assert entries["first_better"] == (3 + 0.5) / 5  # 3 better, 1 tie, 1 worse
    assert (entries["first_median"], entries["second_median"]) == (6.0, 6.0)
    assert (entries["replicates"], entries["of"]) == (5, 5)
    assert cost["replicates"] == 4 and cost["difference_median"] == -50_000
    assert cost["first_better"] == (2 + 0.5) / 4  # lower is better: -100k, -200k; a tie
    assert (cost["first_median"], cost["second_median"]) == (950_000, 1_000_000)
    swapped = compare_pair(constructed_replicates(), "Odense", "Aarhus").set_index("outcome")
    np.testing.assert_allclose(swapped["difference_median"], -pair["difference_median"])
    np.testing.assert_allclose(swapped["first_better"], 1 - pair["first_better"])
    # a jobcentre without any job entry has no cost to compare
    none = compare_pair(constructed_replicates(), "Læsø", "Aarhus").set_index("outcome")
    assert none.loc["cost_per_job_entry_dkk", "replicates"] == 0
    assert np.isnan(none.loc["cost_per_job_entry_dkk", "difference_median"])


def write_constructed_folder(folder: Path) -> Path:
    """A run folder with the constructed replicates and a jobcentres.csv of their names."""

    folder.mkdir()
    constructed_replicates().to_csv(folder / REPLICATES_FILE, index=False)
    pd.DataFrame({"jobcentre": [0, 1, 2], "name": list(PAIR_VALUES),
                  "citizens_week0": [4879, 2804, 24]}).to_csv(folder / FILE, index=False)
    return folder


def test_pair_printout_in_english_and_danish(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:

    folder = write_constructed_folder(tmp_path / "run")
    assert by_jobcentre([str(folder), "--pair", "aarhus", "Odense"]) == 0  # case aside
    text = capsys.readouterr().out
    assert "Aarhus against Odense over 5 replicate seeds" in text
    assert "Chance only" in text
    assert ("Job entries per 100 citizens: exits to a job per 100 citizens ever present at "
            "the jobcentre, higher is better\n") in text
    assert "Cost per job entry (DKK): the jobcentre's public cost per exit to a job, lower" in text
    assert ("median Aarhus 6.00 and Odense 6.00; difference +1.00 (-0.80 to +2.00); Aarhus "
            "better in 70% of 5 replicates\n") in text
    assert ("median Aarhus 950,000 and Odense 1,000,000 (in the 4 of 5 replicates where "
            "both are defined); difference -50,000 (-185,000 to +170,000); Aarhus better in "
            "62% of 4 replicates\n") in text  # 2.5 of 4
    assert "(Aarhus 4,879 and Odense 2,804 citizens at week 0)" in text
    assert by_jobcentre([str(folder), "--pair", "Aarhus", "Odense", "--locale", "da"]) == 0
    text = capsys.readouterr().out
    assert "Odense 6,00; difference +1,00 (-0,80 to +2,00); Aarhus better in 70 % of 5" in text
    assert "median Aarhus 950.000 and Odense 1.000.000" in text
    assert "Cost per job entry (kr.): " in text and "Aarhus 4.879 and" in text


def test_ranking_printout_in_danish(tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_constructed_folder(tmp_path / "run")
    records = [{"jobcentres": {column: [PAIR_VALUES[n][k][r] for n in PAIR_VALUES]
                               for k, column in enumerate(("job_entries_per_100",
                                                           "cost_per_job_entry_dkk"))}}
               for r in range(5)]
    intervals(records, list(PAIR_VALUES), np.array([4879, 2804, 24])).to_csv(
        folder / INTERVALS_FILE, index=False)
    assert by_jobcentre([str(folder), "--locale", "da"]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    # Aarhus: 6, 7, 5, 8, 6 job entries per 100; places 2, 1.5, 2, 1, 1
    entries = next(line for line in lines if "1. Aarhus" in line)
    assert entries.endswith("6,0 (5,2 to 7,8; place 1-2)   (4.879 citizens at week 0)")
    # where defined: 1.0, 0.9, 0.8, 1.2 mio. DKK; places 1, 1.5, 1, 2
    assert "950.000 (815.000 to 1.170.000; place 1-2; in 4 of 5)" in text
    assert "(4.879 citizens at week 0)" in text and "Cost per job entry (kr.) (2 " in text


@pytest.mark.parametrize(("names", "expected"), [
    (["Arhus", "Odense"], "given 'Arhus', not a jobcentre of this run; allowed: one of its "
                          "3 jobcentres ('Aarhus', 'Odense', 'Læsø'); did you mean 'Aarhus'?"),
    (["Aarhus", "aarhus"], "given 'Aarhus' and 'aarhus', the same jobcentre"),
])
def test_pair_of_unknown_or_same_names_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], names: list[str],
        expected: str) -> None:

    folder = write_constructed_folder(tmp_path / "run")
    assert by_jobcentre([str(folder), "--pair", *names]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{folder / REPLICATES_FILE}: --pair: {expected}" in captured.err


def test_pair_without_replicates_exits_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:

    folder = write_constructed_folder(tmp_path / "run")
    (folder / REPLICATES_FILE).unlink()
    assert by_jobcentre([str(folder), "--pair", "Aarhus", "Odense"]) == 2
    assert f"--pair: no {REPLICATES_FILE}: the pair needs" in capsys.readouterr().err
    assert by_jobcentre([str(tmp_path), "--pair", "Aarhus", "Odense"]) == 2
    assert f"no {FILE}" in capsys.readouterr().err

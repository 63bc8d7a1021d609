"""Calibration: the estimator, the study's statistics, the targets file, the
``calibrate`` command (on the experiments engine: executors, resume, the shipped
fit left alone) and the shipped fit."""

from __future__ import annotations

import json
import signal
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from bipsim.calibration import cli as calibrate_cli
from bipsim.calibration.check import CHECK_SEED_OFFSET, summarise
from bipsim.calibration.cli import CALIBRATION
from bipsim.calibration.estimate import fit_cloglog
from bipsim.calibration.study import STATISTICS, run_study
from bipsim.calibration.targets import TargetsError, load_targets
from bipsim.cli import main
from bipsim.experiments import engine
from bipsim.experiments.engine import StoppedError
from bipsim.experiments.plan import replicate_seeds
from bipsim.scenario import load_scenario

#: A small study (2,000 citizens, two years) for tests that run many of them.
SMALL_STUDY = ["population.n_citizens=2000", "run.weeks=104"]
#: A smaller study still, as calibrate's options.
TINY_STUDY = ["--set", "population.n_citizens=800", "--set", "run.weeks=104"]
#: A tiny fit of it: 6 particles, 2 generations, 1 check replicate.
TINY_FIT = ["--quick", "--population", "6", "--check-reps", "1", "--draws", "12", *TINY_STUDY]


def small_study_params(**changes) -> dict:
    return {**load_scenario("bip_study", SMALL_STUDY).params, **changes}


def test_study_produces_every_statistic():
    stats = run_study(small_study_params(), seed=3)
    assert set(stats) == set(STATISTICS)
    assert all(np.isfinite(v) for v in stats.values())
    assert 0.5 < stats["hr_believes"] < 3 and 0.3 < stats["hr_per_change"] < 1.5
    for name in ("share_job_12m_belief_yes", "share_job_12m_belief_no",
                 "share_no_activation_65w", "company_share_of_activation"):
        assert 0 <= stats[name] <= 1, name
    # the caseworker's top answer predicts a job far better than the bottom one
    assert stats["share_job_12m_belief_yes"] > stats["share_job_12m_belief_no"]


def test_no_activation_share_follows_the_offer_rate():
    """T9's statistic: with (almost) no offers nobody long-term is activated; with an
    offer at every meeting almost everybody is."""
    rare = run_study(small_study_params(p_offer=1e-6), seed=4)["share_no_activation_65w"]
    often = run_study(small_study_params(p_offer=0.99), seed=4)["share_no_activation_65w"]
    # rare: only those in an activity at week 0 (from p_offer, so none) escape
    assert rare > 0.95 and often < 0.05, (rare, often)


def test_cloglog_fit_matches_statsmodels():
    """The fast IRLS gives statsmodels' GLM estimates and standard errors (seed 5,
    20,000 rows: both converge to the same maximum, to 1e-6)."""
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    x = np.column_stack([np.ones(20_000), rng.normal(size=20_000), rng.random(20_000) < 0.3,
                         rng.integers(0, 4, 20_000)]).astype(float)
    eta = x @ np.array([-3.0, 0.5, 0.3, -0.2])
    y = (rng.random(20_000) < -np.expm1(-np.exp(eta))).astype(float)
    coef, se = fit_cloglog(x, y)
    ref = sm.GLM(y, x, family=sm.families.Binomial(link=sm.families.links.CLogLog())).fit()
    assert np.allclose(coef, ref.params, atol=1e-6)
    assert np.allclose(se, ref.bse, rtol=1e-5)


def test_cloglog_fit_does_not_depend_on_blas_threads():
    """OpenBLAS splits a matrix-vector product's rows over its threads, and the rows
    at the seams come out different in the last bits when the halves are odd; the
    fit must give the same bits with one BLAS thread and with two (seed 7, a
    column-major design of 47,923 rows and 15 columns, about the study's size)."""
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(7)
    n = 47_923
    x = np.asfortranarray(np.column_stack([np.ones(n), rng.normal(size=(n, 14))]))
    eta = x @ np.r_[-3.0, rng.normal(0, 0.2, 14)]
    y = (rng.random(n) < -np.expm1(-np.exp(eta))).astype(float)
    fits = []
    for threads in (1, 2):
        with threadpool_limits(threads, user_api="blas"):
            fits.append(fit_cloglog(x, y))
    (coef1, se1), (coef2, se2) = fits
    assert coef1.tobytes() == coef2.tobytes() and se1.tobytes() == se2.tobytes()


def test_estimator_sees_a_strong_structural_belief_effect():
    """With no confounding (belief ignores readiness) and no progression path, the
    estimated hazard ratio must move with the structural one."""
    params = small_study_params(belief_readiness_weight=0.0, gain_belief=0.0)
    weak = np.mean([np.log(run_study({**params, "hr_belief": 1.0}, s)["hr_believes"])
                    for s in (1, 2, 3)])
    strong = np.mean([np.log(run_study({**params, "hr_belief": 2.5}, s)["hr_believes"])
                      for s in (1, 2, 3)])
    # log(2.5) = 0.92; each estimate has SE ~0.1, the mean of three ~0.06
    assert strong - weak > 0.5
    assert abs(weak) < 0.3


def test_shipped_fit_reproduces_every_target_as_its_report_shows():
    """The baseline's fitted parameters, rerun on the fresh replicates the
    calibration report was checked on, give the z-scores the report shows and put
    every target within 1.96 combined standard errors (slow: 20 full studies)."""
    fitted = yaml.safe_load((CALIBRATION / "fitted.yaml").read_text(encoding="utf-8"))
    meta = fitted["calibration"]
    reported = {row["target"]: row["z"] for row in meta["fit"]}
    reported_misses = {row["target"] for row in meta["fit"] if not row["within_tolerance"]}
    # the targets the fit was made to (targets added since wait for the next fit)
    targets = [t for t in load_targets(CALIBRATION / "targets.yaml") if t.name in reported]
    params = load_scenario("bip_study").params
    seeds = replicate_seeds(meta["seed"] + CHECK_SEED_OFFSET, meta["check_reps"])
    check = summarise(targets, [run_study(params, s) for s in seeds])
    misses = {name for name, z in check.z.items() if abs(z) > 1.96}
    assert misses == reported_misses == set(), misses
    for name, z in check.z.items():  # and it is the fit the report shows
        assert z == pytest.approx(reported[name], abs=0.01), name


def test_shipped_targets_file_loads():
    targets = load_targets(CALIBRATION / "targets.yaml")
    names = {t.name.split("_")[0] for t in targets}
    assert {"T1", "T2", "T4", "T5", "T6", "T7", "T8", "T9", "T10"} <= names
    kinds = {t.name: t.kind for t in targets}
    assert kinds["T10_company_share"] == "upper_bound"
    # one-sided: only a share above the bound costs
    t10 = next(t for t in targets if t.name == "T10_company_share")
    assert t10.z(0.2) == 0.0 and t10.z(0.4) > 0
    t4 = next(t for t in targets if t.name.startswith("T4"))
    low, high = t4.interval()
    assert low < 1.33 < high and t4.scale == "log"


GOOD = """
    T4:
      statistic: hr_believes
      value: 1.33
      interval: [1.15, 1.54]
      scale: log
    """


@pytest.mark.parametrize(("text", "expected"), [
    (GOOD.replace("hr_believes", "hr_belief"), ["line 2", "T4", "hr_belief",
                                                "did you mean 'hr_believes'"]),
    (GOOD.replace("      value: 1.33\n", ""), ["T4", "value missing"]),
    (GOOD.replace("[1.15, 1.54]", "[1.54, 1.15]"), ["impossible interval [1.54, 1.15]"]),
    (GOOD.replace("[1.15, 1.54]", "[1.4, 1.5]"), ["impossible interval", "contain the value"]),
    (GOOD.replace("[1.15, 1.54]", "[-1, 1.54]"), ["must be positive on the log scale"]),
    (GOOD.rstrip(" ") + "      se: 0.1\n", ["exactly one of se or interval"]),
    (GOOD.rstrip(" ") + "      colour: red\n", ["unknown key(s) ['colour']"]),
    ("T1: 0.06\n", ["line 1", "T1", "expected a mapping"]),
    ("T1: [\n", ["line 2", "invalid YAML"]),
])
def test_bad_targets_file_is_a_clear_error(tmp_path: Path, text: str, expected: list[str]):
    path = tmp_path / "targets.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.raises(TargetsError) as err:
        load_targets(path)
    message = str(err.value)
    assert str(path) in message
    for part in expected:
        assert part in message, (part, message)


def test_calibrate_cli_rejects_bad_targets_with_exit_2(tmp_path: Path, capsys):
    path = tmp_path / "targets.yaml"
    path.write_text("T9:\n  statistic: nothing\n  value: 1\n  se: 1\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["calibrate", "--targets", str(path), "--out", str(out), "--quick"]) == 2
    assert "nothing" in capsys.readouterr().err
    assert not out.exists()


def _posterior(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "posterior.parquet")


def test_calibrate_writes_a_new_folder_and_leaves_the_shipped_fit_alone(tmp_path: Path):
    """By default a fit goes to a new folder under --outputs: draws, predictive,
    fitted.yaml (loadable as a scenario), report, manifest; calibration/ is untouched."""
    shipped = {p.name: p.read_bytes() for p in CALIBRATION.iterdir() if p.is_file()}
    assert main(["calibrate", *TINY_FIT, "--workers", "0", "--outputs", str(tmp_path)]) == 0
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("calibration-")
    for name in (*calibrate_cli.SHIPPED, "particles.parquet", "manifest.json",
                 "calibration.json"):
        assert (folder / name).exists(), name
    draws = _posterior(folder)
    assert len(draws) == 12 and {"p_job", "hr_readiness_job", "p_offer"} <= set(draws)
    fitted = load_scenario(str(folder / "fitted.yaml"))
    assert fitted.params["p_job"] == pytest.approx(np.median(draws.p_job), rel=1e-5)
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "T6_job_12m_belief_yes" in report and "width ratio" in report
    assert {p.name: p.read_bytes() for p in CALIBRATION.iterdir() if p.is_file()} == shipped


def test_same_seed_same_posterior_whatever_runs_it(tmp_path: Path):
    """This process, two local processes and a local Dask cluster: the same draws,
    bit for bit (pyabc's own parallel samplers accept in completion order)."""
    runs = {}
    for label, where in (("inline", ["--workers", "0"]), ("pool", ["--workers", "2"]),
                         ("dask", ["--dask-local", "2"])):
        assert main(["calibrate", *TINY_FIT, *where, "--out", str(tmp_path / label),
                     "--quiet"]) == 0
        runs[label] = _posterior(tmp_path / label)
    pd.testing.assert_frame_equal(runs["inline"], runs["pool"], check_exact=True)
    pd.testing.assert_frame_equal(runs["inline"], runs["dask"], check_exact=True)
    other = tmp_path / "other-seed"
    assert main(["calibrate", *TINY_FIT, "--seed", "7", "--workers", "0", "--out",
                 str(other), "--quiet"]) == 0
    assert not _posterior(other).equals(runs["inline"])


def test_min_ess_and_adjust_are_the_fits_settings(tmp_path: Path):
    """--min-ess and --adjust reach the fit and are recorded in its calibration.json,
    from which --resume takes them."""
    folder = tmp_path / "fit"
    assert main(["calibrate", *TINY_FIT, "--min-ess", "3", "--adjust", "--workers", "0",
                 "--out", str(folder), "--quiet"]) == 0
    settings = json.loads((folder / "calibration.json").read_text(encoding="utf-8"))["settings"]
    assert (settings["min_ess"], settings["adjust"]) == (3, True)


def test_an_interrupted_fit_resumes_to_the_same_posterior(tmp_path: Path, monkeypatch):
    """Stopped after some studies (as by Ctrl-C: the running ones saved), the fit
    exits 130; --resume reuses the saved studies and gives the uninterrupted fit's
    posterior."""
    whole = tmp_path / "whole"
    assert main(["calibrate", *TINY_FIT, "--workers", "0", "--out", str(whole),
                 "--quiet"]) == 0
    real = engine.execute
    made = []

    def stop_after_ten(tasks, workers, save, progress=None, run=engine.simulate):
        tasks = list(tasks)
        room = 10 - len(made)
        real(tasks[:room], workers, lambda r: (made.append(r), save(r)), progress, run=run)
        if len(tasks) > room:
            raise StoppedError(signal.SIGINT)

    monkeypatch.setattr("bipsim.calibration.simulations.execute", stop_after_ten)
    stopped = tmp_path / "stopped"
    assert main(["calibrate", *TINY_FIT, "--workers", "0", "--out", str(stopped),
                 "--quiet"]) == 130
    assert len(list((stopped / "runs").iterdir())) == 10
    monkeypatch.setattr("bipsim.calibration.simulations.execute", real)
    assert main(["calibrate", "--resume", str(stopped), "--workers", "0", "--quiet"]) == 0
    pd.testing.assert_frame_equal(_posterior(stopped), _posterior(whole), check_exact=True)
    timings = json.loads((stopped / "manifest.json").read_text(encoding="utf-8"))["timings"]
    assert timings["studies_reused"] >= 10
    # a fit's settings come from its folder
    assert main(["calibrate", "--resume", str(stopped), "--seed", "3"]) == 2
    assert main(["calibrate", "--resume", str(stopped), "--no-adjust"]) == 2


def test_replace_shipped_shows_the_difference_and_replaces(tmp_path: Path, monkeypatch,
                                                           capsys):
    shipped = tmp_path / "calibration"
    shipped.mkdir()
    (shipped / "fitted.yaml").write_text("exits:\n  p_job: 0.5\n", encoding="utf-8")
    monkeypatch.setattr(calibrate_cli, "CALIBRATION", shipped)
    assert main(["calibrate", *TINY_FIT, "--workers", "0", "--out", str(tmp_path / "fit"),
                 "--replace-shipped", "--quiet", "--targets",
                 str(CALIBRATION / "targets.yaml")]) == 0
    err = capsys.readouterr().err
    assert "-  p_job: 0.5" in err and "+  p_job:" in err
    for name in calibrate_cli.SHIPPED:
        assert (shipped / name).read_bytes() == (tmp_path / "fit" / name).read_bytes()


def _small_copy_of_the_shipped_fit(folder: Path) -> Path:
    """The shipped fitted.yaml, checked on 2 replicates instead of its 20."""
    text = (CALIBRATION / "fitted.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    doc["calibration"]["check_reps"] = 2
    folder.mkdir()
    (folder / "fitted.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return folder


def test_recheck_prints_the_targets_table_writes_nothing_and_exits_3_on_a_miss(
        tmp_path: Path, capsys):
    fit = _small_copy_of_the_shipped_fit(tmp_path / "fit")
    before = (fit / "fitted.yaml").read_bytes()
    code = main(["calibrate", "--recheck", str(fit), "--workers", "0", *TINY_STUDY])
    out = capsys.readouterr().out
    assert code in (0, calibrate_cli.EXIT_MISSES)
    rows = [line for line in out.splitlines() if line.startswith("| T")]
    targets = load_targets(CALIBRATION / "targets.yaml")
    assert len(rows) == len(targets)
    missed = [row.split(" | ")[0][2:].split(" ")[0] for row in rows if row.endswith("| no |")]
    verdict = out.splitlines()[-1]
    assert verdict.startswith(f"Rechecked {fit / 'fitted.yaml'} on 2 replicates")
    assert (code == calibrate_cli.EXIT_MISSES) == bool(missed)
    assert all(name in verdict for name in missed)
    assert (fit / "fitted.yaml").read_bytes() == before
    assert [p.name for p in fit.iterdir()] == ["fitted.yaml"]


def test_recheck_replace_shipped_rewrites_only_the_table_and_shows_it(
        tmp_path: Path, monkeypatch, capsys):
    shipped = _small_copy_of_the_shipped_fit(tmp_path / "calibration")
    (shipped / "targets.yaml").write_bytes((CALIBRATION / "targets.yaml").read_bytes())
    old = yaml.safe_load((shipped / "fitted.yaml").read_text(encoding="utf-8"))
    monkeypatch.setattr(calibrate_cli, "CALIBRATION", shipped)
    code = main(["calibrate", "--recheck", "--replace-shipped", "--workers", "0",
                 *TINY_STUDY])
    assert code in (0, calibrate_cli.EXIT_MISSES)
    assert "before the recheck" in capsys.readouterr().err
    new = yaml.safe_load((shipped / "fitted.yaml").read_text(encoding="utf-8"))
    assert new["description"] == old["description"]
    assert new["calibration"]["date"] == old["calibration"]["date"]
    assert "rechecked" in new["calibration"]
    assert {k: v for k, v in new.items() if k not in ("calibration",)} == \
        {k: v for k, v in old.items() if k not in ("calibration",)}
    assert [r["target"] for r in new["calibration"]["fit"]] == \
        [t.name for t in load_targets(CALIBRATION / "targets.yaml")]


@pytest.mark.parametrize("extra, expected", [
    (["--out", "x"], "a recheck writes no folder"),
    (["--replace-shipped"], "only the shipped fit's table can be rewritten"),
])
def test_recheck_refuses_what_it_cannot_do(tmp_path: Path, capsys, extra, expected):
    fit = _small_copy_of_the_shipped_fit(tmp_path / "fit")
    assert main(["calibrate", "--recheck", str(fit), *extra]) == 2
    assert expected in capsys.readouterr().err

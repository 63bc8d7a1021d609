"""The packaged parameter table: its schema, roles, priors, the one value per parameter
(the shipped fit for calibrated parameters), and the one validation."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import mesa
import numpy as np
import pytest
import yaml

from bipsim import parameters
from bipsim.model import BipModel
from bipsim.parameters import (
    BY_NAME,
    FIT_FILE,
    FROM_FIT,
    PARAMETERS,
    ROLES,
    ParameterError,
    defaults,
    of_role,
)
from bipsim.scenario import load_scenario

#: What ``bipsim calibrate`` fits (issues 3 and 11); the table must say so.
CALIBRATED = {"p_job", "p_education", "p_other", "hr_belief", "hr_caseworker_change",
              "belief_readiness_weight", "optimism_mean", "optimism_sd", "annual_turnover",
              "hr_readiness_job", "p_offer", "offer_readiness_slope", "gain_passive"}
TINY = {"n_citizens": 200, "n_jobcentres": 1, "caseload": 40, "weeks": 8}


def fit_values() -> dict[str, float]:
    doc = yaml.safe_load(FIT_FILE.read_text(encoding="utf-8"))
    return {name: value for group, entries in doc.items() if group in parameters.GROUPS
            for name, value in entries.items()}


# --- the table ----------------------------------------------------------------------------
def test_every_parameter_declares_role_liveness_and_a_valid_documented_value():
    assert len(PARAMETERS) >= 60
    for spec in PARAMETERS.values():
        assert spec.role in ROLES, spec.path
        assert isinstance(spec.live, bool), spec.path
        assert spec.doc and spec.source, spec.path
        assert spec.validate(spec.first_guess) == spec.first_guess, spec.path
    assert {s.role for s in PARAMETERS.values()} == set(ROLES)
    assert [s.name for s in of_role("lever")] == [s.name for s in PARAMETERS.values()
                                                 if s.role == "lever"]


def test_calibrated_parameters_have_priors_around_their_first_guesses():
    assert {s.name for s in PARAMETERS.values() if s.calibrated} == CALIBRATED
    for spec in PARAMETERS.values():
        if spec.calibrated:
            prior = spec.prior
            assert prior is not None and prior.why, spec.path
            assert prior.low <= spec.first_guess <= prior.high, spec.path
            assert spec.low <= prior.low < prior.high <= spec.high, spec.path
            assert spec.uncertainty == "calibrated"
    # a lever that is also fitted: its default is the fit, its prior says how well known
    turnover = BY_NAME["annual_turnover"]
    assert (turnover.role, turnover.calibrated, turnover.uncertainty) == (
        "lever", True, "calibrated")
    assert BY_NAME["gain_company"].uncertainty == "prior"
    assert BY_NAME["caseload"].uncertainty is None


@pytest.mark.parametrize(("prior", "median"), [
    ({"dist": "uniform", "low": 0.1, "high": 0.3}, 0.2),
    ({"dist": "loguniform", "low": 0.01, "high": 1.0}, 0.1),
    ({"dist": "normal", "mean": 0.2, "sd": 0.05}, 0.2),
    ({"dist": "lognormal", "median": 0.2, "sdlog": 0.3}, 0.2),
    ({"dist": "beta", "a": 2.0, "b": 2.0}, 0.5),
])
def test_prior_quantiles_stay_inside_the_range(tmp_path: Path, prior: dict, median: float):
    table = write_table(tmp_path, prior={**prior, "why": "test"})
    spec = parameters._load(table, tmp_path / "no_fit.yaml")["caseworkers.annual_turnover"]
    values = spec.prior.ppf(np.linspace(0, 1, 101))
    assert spec.low <= values.min() and values.max() <= spec.high
    assert np.all(np.diff(values) >= 0)
    assert spec.prior.ppf(0.5) == pytest.approx(median, rel=1e-4)  # truncation at 4 SD
    draws = spec.prior.sample(np.random.default_rng(1), 2000)
    assert ((draws >= spec.prior.low) & (draws <= spec.prior.high)).all()


def write_table(folder: Path, prior: dict | None = None, extra: str = "") -> Path:
    entry = {"kind": "float", "default": 0.17, "range": [0, 1], "unit": "share per year",
             "role": "lever", "calibrated": True, "live": True, "doc": "Turnover.",
             "source": "test"}
    if prior is not None:
        entry["prior"] = prior
    path = folder / "parameters.yaml"
    path.write_text(yaml.safe_dump({"caseworkers": {"annual_turnover": entry}}) + extra,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(("prior", "message"), [
    (None, "needs a prior"),
    ({"dist": "uniform", "low": 0.1, "high": 0.3}, "needs dist .* and why"),
    ({"dist": "gamma", "low": 0.1, "high": 0.3, "why": "x"}, "needs dist"),
    ({"dist": "uniform", "low": 0.1, "why": "x"}, "takes low, high"),
    ({"dist": "uniform", "low": 0.1, "high": 2.0, "why": "x"}, "inside the range"),
    ({"dist": "normal", "mean": 0.1, "sd": -1, "why": "x"}, "positive spreads"),
    ({"dist": "loguniform", "low": 0.0, "high": 0.5, "why": "x"}, "low < high"),
])
def test_table_refuses_bad_priors(tmp_path: Path, prior: dict | None, message: str):
    with pytest.raises(ParameterError, match=message):
        parameters._load(write_table(tmp_path, prior), tmp_path / "no_fit.yaml")


def test_table_refuses_a_key_given_twice_and_unknown_fields(tmp_path: Path):
    path = tmp_path / "parameters.yaml"
    path.write_text(textwrap.dedent("""
        run:
          weeks: {kind: int, default: 5, range: [1, 9], role: context, live: true,
                  doc: d, source: s}
          weeks: {kind: int, default: 6, range: [1, 9], role: context, live: true,
                  doc: d, source: s}
    """), encoding="utf-8")
    with pytest.raises(ParameterError, match=r"line 5: key 'weeks' given twice \(first on "
                                             r"line 3\)"):
        parameters._load(path, tmp_path / "no_fit.yaml")
    path.write_text("run:\n  weeks: {kind: int, default: 5, range: [1, 9], role: context,"
                    " live: true, doc: d, source: s, colour: red}\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"unknown fields \['colour'\]"):
        parameters._load(path, tmp_path / "no_fit.yaml")


# --- one value per parameter --------------------------------------------------------------
def test_defaults_are_the_shipped_fit_and_the_first_guesses_otherwise():
    fit = fit_values()
    # a fit made before a parameter became calibrated leaves it at its first guess
    assert set(fit) <= CALIBRATED
    for spec in PARAMETERS.values():
        if spec.name in fit:
            assert (spec.default, spec.default_from) == (fit[spec.name], FROM_FIT)
        else:
            assert (spec.default, spec.default_from) == (spec.first_guess, "default")
    baseline = load_scenario("baseline")
    for name in fit:  # the baseline runs the defaults, which are the fit
        assert baseline.params[name] == fit[name]
        assert baseline.source_of(name) == FROM_FIT


def test_a_fit_of_an_uncalibrated_or_unknown_parameter_is_refused(tmp_path: Path):
    table = write_table(tmp_path, {"dist": "uniform", "low": 0.1, "high": 0.3, "why": "x"})
    fit = tmp_path / "fitted.yaml"
    fit.write_text("calibration: {seed: 1}\ncaseworkers:\n  annual_turnover: 0.2\n",
                   encoding="utf-8")
    assert parameters._load(table, fit)["caseworkers.annual_turnover"].default == 0.2
    fit.write_text("caseworkers:\n  caseload: 50\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"caseworkers\.caseload is not a calibrated"):
        parameters._load(table, fit)
    fit.write_text("caseworkers:\n  annual_turnover: 7\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="given 7, out of range"):
        parameters._load(table, fit)


def test_model_defaults_are_the_baselines_calibrated_values():
    model = BipModel(seed=1, **TINY)
    for name, value in fit_values().items():
        assert model.p[name] == value
    assert model.p == {**defaults(), **TINY, "seed": 1}


# --- the one validation --------------------------------------------------------------------
def test_validate_coerces_and_refuses_with_one_message():
    assert BY_NAME["interval"].validate(2.0) == 2
    assert isinstance(BY_NAME["caseload"].validate(40), float)
    for name, value, reason in [("interval", 2.5, "not an integer"),
                                ("caseload", True, "not a number (bool)"),
                                ("caseload", math.nan, "out of range"),
                                ("placement_timing", "late", "not an allowed choice")]:
        with pytest.raises(ParameterError) as info:
            BY_NAME[name].validate(value)
        assert str(info.value).startswith(f"{BY_NAME[name].path}: given {value!r}, {reason}; "
                                          "allowed: ")


def test_model_reports_every_bad_keyword_at_once():
    with pytest.raises(ParameterError) as info:
        BipModel(caseload=1, anual_turnover=0.1, interval=0.5)
    message = str(info.value)
    assert "caseworkers.caseload: given 1" in message
    assert "unknown parameter 'anual_turnover'" in message
    assert "meetings.interval: given 0.5" in message


# --- Mesa conventions ----------------------------------------------------------------------
def test_seed_none_draws_a_fresh_seed_and_records_it():
    first, second = BipModel(**TINY), BipModel(**TINY)
    assert first.p["seed"] != second.p["seed"]  # 1 in 2**32 to collide
    again = BipModel(seed=first.p["seed"], **TINY)
    first.run()
    again.run()
    assert first.weekly().equals(again.weekly())


def test_batch_run_without_a_seed_gives_distinct_replicates():
    results = mesa.batch_run(BipModel, parameters=TINY, iterations=2, max_steps=8,
                             number_processes=1, display_progress=False)
    assert len(results) == 2
    # different citizens: their mean readiness (a float over 200 draws) differs
    assert results[0]["mean_readiness"] != results[1]["mean_readiness"]

"""The dashboard's parts without a browser: levers, the model pair,
marker states, the week record, the jobcentre picture, charts, settings and the CLI.

Models are the trainer's jobcentre (300 citizens) or smaller, so the file takes seconds.
"""

from __future__ import annotations

import re
import socket

import numpy as np
import pytest

from bipsim.agents import EDUCATION, JOB, OTHER_BENEFIT
from bipsim.cli import main
from bipsim.dashboard import charts
from bipsim.dashboard.jobcentre import jobcentre_html, legend_html
from bipsim.dashboard.levers import LEVERS, Lever, LeverError, check_levers, slider_range
from bipsim.dashboard.pair import ModelPair
from bipsim.dashboard.record import ModelLog
from bipsim.dashboard.settings import (
    ENV_SCENARIO,
    ENV_SEED,
    MAX_CITIZENS,
    is_calibrated,
    load_settings,
    settings_from_environment,
)
from bipsim.dashboard.states import (
    COLOUR,
    COMPANY,
    LEFT_EDUCATION,
    LEFT_JOB,
    LEFT_OTHER,
    OTHER,
    PASSIVE,
    activity_state,
    exit_state,
)
from bipsim.dashboard.view import page_data
from bipsim.model import BipModel
from bipsim.parameters import BY_NAME, FROM_FIT, PARAMETERS
from bipsim.scenario import ScenarioError

#: One small jobcentre: 120 citizens, 4 caseworkers.
SMALL = {"n_citizens": 120, "n_jobcentres": 1, "caseload": 30, "weeks": 52}


@pytest.fixture(scope="module")
def trainer():
    """The dashboard's default scenario, loaded once."""
    return load_settings().scenario


def small_scenario(trainer, **params):
    """The trainer's scenario with a smaller population (and other changes)."""
    return trainer.with_params(n_citizens=120, caseload=30, **params)


# --- levers -------------------------------------------------------------------------------
def test_levers_are_checked_against_the_schema():
    check_levers()
    names = {lever.name for lever in LEVERS}
    assert names <= set(BY_NAME)
    # every control the issue asks for is there
    assert {"expectations_training", "annual_turnover", "reorganisations_per_year",
            "placement_timing", "caseload", "interval"} <= names
    # what is live comes from the table: caseload shapes the model, the rest move it live
    assert [lever.name for lever in LEVERS if not lever.live] == ["caseload"]
    assert all(BY_NAME[lever.name].role == "lever" for lever in LEVERS)


@pytest.mark.parametrize(("lever", "message"), [
    (Lever("anual_turnover", "x", "x"), "no such parameter"),
    (Lever("annual_turnover", "x", "x", low=0, high=200, scale=0.01), "out of range"),
    (Lever("placement_timing", "x", "x", choices=(("sideways", "x"),)), "sideways"),
    (Lever("optimism_sd", "x", "x", low=0, high=2), "not a lever"),
    (Lever("interval", "x", "x", low=1, high=13, step=0.5), "not whole"),
    (Lever("interval", "x", "x", low=5, high=5), "empty range"),
])
def test_check_levers_rejects_definitions_that_do_not_fit(lever, message):
    with pytest.raises(LeverError, match=message):
        check_levers([lever])


def test_check_levers_rejects_a_duplicate():
    with pytest.raises(LeverError, match="twice"):
        check_levers([LEVERS[0], LEVERS[0]])


def test_lever_units_round_trip():
    turnover = next(lever for lever in LEVERS if lever.name == "annual_turnover")
    assert turnover.to_model(25) == pytest.approx(0.25)
    assert turnover.to_display(0.17) == 17
    assert turnover.describe(0.17) == "17 % pr. år"
    training = next(lever for lever in LEVERS if lever.name == "expectations_training")
    assert training.describe(0.5) == "0,5 SD"  # Danish decimal comma
    assert slider_range(turnover, 0.9) == (0, 90)  # widened to show a scenario's value


# --- the pair ------------------------------------------------------------------------------
def test_pair_steps_in_lockstep_and_is_identical_without_a_change(trainer):
    pair = ModelPair(small_scenario(trainer), seed=7)
    assert pair.step(10) == 10
    assert pair.week == pair.baseline.week == 10
    a, b = pair.practice.weekly(), pair.baseline.weekly()
    assert a.equals(b)  # same scenario and seed: same citizens, same luck


def test_pair_changes_only_the_chosen_practice(trainer):
    pair = ModelPair(small_scenario(trainer), seed=7)
    assert pair.set_lever("annual_turnover", 1.0) is True
    pair.step(26)
    assert pair.practice.p["annual_turnover"] == 1.0
    assert pair.baseline.p["annual_turnover"] == trainer.params["annual_turnover"]
    changes = [m.current["cum_caseworker_changes"] for m in (pair.practice, pair.baseline)]
    assert changes[0] > changes[1]


def test_caseload_waits_for_reset_and_reset_restarts_both(trainer):
    pair = ModelPair(small_scenario(trainer), seed=8)
    pair.step(5)
    assert pair.set_lever("caseload", 15) is False
    assert pair.pending == {"caseload": 15}
    assert len(pair.practice.caseworkers) == 4  # structure fixed until the reset
    pair.reset(seed=9)
    assert (pair.week, pair.seed, pair.pending) == (0, 9, {})
    assert len(pair.practice.caseworkers) == 8
    assert len(pair.baseline.caseworkers) == 4
    with pytest.raises(LeverError, match="seed"):
        pair.reset(seed=-1)
    with pytest.raises(LeverError, match="not a dashboard lever"):
        pair.set_lever("p_job", 0.1)


def test_pair_stops_at_the_end_of_the_run(trainer):
    pair = ModelPair(small_scenario(trainer, weeks=6), seed=1)
    assert pair.step(10) == 6
    assert pair.finished
    assert pair.step() == 0
    assert len(pair.logs["practice"].records) == 7  # weeks 0..6


# --- states, record, picture, charts ----------------------------------------------------
def test_marker_states_and_colours():
    in_company = np.array([True, True, False, False])
    in_other = np.array([False, True, True, False])
    assert activity_state(in_company, in_other).tolist() == [COMPANY, COMPANY, OTHER, PASSIVE]
    assert exit_state(np.array([JOB, EDUCATION, OTHER_BENEFIT])).tolist() == [
        LEFT_JOB, LEFT_EDUCATION, LEFT_OTHER]
    with pytest.raises(ValueError, match="on benefit"):
        exit_state(np.array([0]))
    assert len(set(COLOUR.values())) == 6  # six states, six colours


def test_record_follows_a_citizen_to_the_exit():
    m = BipModel(seed=2, n_citizens=200, n_jobcentres=1, caseload=50, p_job=0.05)
    log = ModelLog(m)
    for _ in range(20):
        m.step()
        log.record()
    leavers = np.concatenate([r.left_uid for r in log.records])
    assert len(leavers) > 0
    uid = int(leavers[0])
    history = log.history(uid)
    assert history.week.is_monotonic_increasing
    assert history.state.iloc[-1] in (LEFT_JOB, LEFT_EDUCATION, LEFT_OTHER)
    assert history.state.iloc[:-1].isin([COMPANY, OTHER, PASSIVE]).all()
    assert m.citizen(uid)["status"] != "on_benefit"
    assert log.history(10**9).empty


def test_record_counts_caseworker_changes():
    # turnover 1 a year is certain departure each week: every post changes hands at once
    m = BipModel(seed=3, n_citizens=200, n_jobcentres=1, caseload=50, annual_turnover=1.0,
                 dur_vacancy=0)
    log = ModelLog(m)
    m.step()
    log.record()
    assert log.current.changed.all()
    assert log.current.hired.all()
    since = log.weeks_since_change()
    assert (since[log.current.changed] == 0).all()
    expected = np.count_nonzero(m.citizen_table().n_changes > 0) / m.citizens.n_ever
    assert log.share_ever_changed() == pytest.approx(expected)


def test_jobcentre_picture_has_a_marker_per_citizen_and_shows_changes():
    m = BipModel(seed=4, n_citizens=200, n_jobcentres=1, caseload=25, annual_turnover=1.0,
                 dur_vacancy=3, reorganisations_per_year=12.0)
    log = ModelLog(m)
    pictures = []
    for _ in range(30):
        m.step()
        log.record()
        pictures.append(jobcentre_html(log, followed=int(m.citizens.uid[0])))
    html = pictures[-1]
    assert len(re.findall(r'class="bip-dot[ "]', html)) == len(m.citizens)
    assert html.count('id="cw-') == len(m.caseworkers)
    assert "followed" in html
    assert any('class="bip-cw vacant"' in p for p in pictures)  # a post left empty
    assert any('class="bip-cw hired"' in p for p in pictures)  # and filled again
    assert any("bip-dot chg" in p for p in pictures)  # its citizens ringed
    assert any("Gået videre" in p for p in pictures)
    assert any('id="reorganisation"' in p for p in pictures)  # the week's banner
    assert "Gået i job" in legend_html()


def test_charts_span_the_run_and_carry_both_practices(trainer):
    pair = ModelPair(small_scenario(trainer), seed=2)
    pair.set_lever("expectations_training", 1.0)
    pair.step(12)
    data = page_data(pair, followed=int(pair.logs["practice"].current.uid[0]))
    a, b = data.weekly["practice"], data.weekly["baseline"]
    for option in (charts.stock_chart(a, b, 104), charts.job_chart(a, b, 104),
                   charts.change_chart(a, b, 104), charts.indicator_chart(a, b, 104)):
        axes = option["xAxis"] if isinstance(option["xAxis"], list) else [option["xAxis"]]
        assert all(axis["max"] == 104 for axis in axes)
        assert all(len(s["data"]) == 13 for s in option["series"])  # weeks 0..12
        styles = {s["lineStyle"]["type"] for s in option["series"]}
        assert styles == {"solid", "dashed"}
    job = charts.job_chart(a, b, 104)["series"][0]["data"]
    assert job[-1] == [12, data.now["practice"]["cum_job"]]
    follow = charts.citizen_chart(data.follow["practice"], data.follow["baseline"], 104,
                                  data.followed)
    assert follow["series"][0]["data"][0][0] == 0


def test_page_data_reads_levers_back_from_the_models(trainer):
    pair = ModelPair(small_scenario(trainer), seed=2)
    pair.set_lever("annual_turnover", 0.3)
    pair.set_lever("caseload", 20)
    data = page_data(pair, shown="baseline")
    assert data.settings["annual_turnover"] == 0.3
    assert data.baseline_settings["annual_turnover"] == trainer.params["annual_turnover"]
    assert data.pending == {"caseload": 20}
    assert data.jobcentre.count('id="cw-') == len(pair.baseline.caseworkers)


# --- settings and CLI ----------------------------------------------------------------------
def test_settings_check_the_scenario_and_pass_through_the_environment(monkeypatch):
    settings = load_settings("trainer_jobcentre", seed=5)
    assert settings.seed == 5
    with pytest.raises(ScenarioError, match=f"at most {MAX_CITIZENS:,}"):
        load_settings("baseline")
    monkeypatch.setenv(ENV_SCENARIO, settings.environment()[ENV_SCENARIO])
    monkeypatch.setenv(ENV_SEED, "5")
    again = settings_from_environment()
    assert (again.scenario.params, again.seed) == (settings.scenario.params, settings.seed)
    scenario = settings.scenario
    # calibrated only when every calibrated uncertainty runs its fitted value: while the
    # shipped fit lacks some (a parameter made calibrated after the fit), the page must not
    # call the model calibrated
    calibrated = [s for s in PARAMETERS.values() if s.calibrated and s.role == "uncertainty"]
    fit_complete = all(s.default_from == FROM_FIT for s in calibrated)
    assert is_calibrated(scenario) == fit_complete
    assert is_calibrated(scenario.with_params(annual_turnover=0.3)) == fit_complete  # a lever
    assert not is_calibrated(scenario.with_params(p_job=0.002))


def test_cli_rejects_a_bad_scenario_before_starting_anything(capsys):
    assert main(["dashboard", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert "no scenario named 'no_such_scenario'" in err
    assert main(["dashboard", "national"]) == 2
    assert "more than the dashboard draws" in capsys.readouterr().err


def test_cli_check_validates_and_prints_the_server_command(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["dashboard", "--check", "--port", str(port), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"solara run bipsim\.dashboard\.app:Page --port {port} --host 127\.0\.0\.1",
                     out)


def test_cli_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["dashboard", "--check", "--port", str(port)]) == 2
    assert "in use" in capsys.readouterr().err
    assert main(["dashboard", "--port", "70000"]) == 2  # argparse's usage error
    assert "between 1 and 65535" in capsys.readouterr().err

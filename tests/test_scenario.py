"""Tests for bipsim.scenario: loading, extends, overrides and error messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from bipsim.parameters import PARAMETERS, defaults
from bipsim.scenario import (
    COMMAND_LINE,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_override,
    resolve_path,
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error(source: Path | str, overrides: tuple[str, ...] = ()) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(source, overrides)
    return info.value


def test_extends_chain_child_wins_and_defaults_filled(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", """
        name: base
        description: the base
        caseworkers:
          annual_turnover: 0.25
          caseload: 120
        interventions:
          dur_company: 6
    """)
    write(tmp_path, "middle.yaml", """
        extends: base.yaml
        caseworkers:
          caseload: 60
    """)
    child = write(tmp_path, "child.yaml", """
        extends: middle.yaml
        interventions:
          placement_timing: early
    """)
    scenario = load_scenario(child)
    assert scenario.name == "child"  # not inherited from base
    assert scenario.description == ""
    assert scenario.files == [str(tmp_path / f) for f in ("base.yaml", "middle.yaml")] + [
        str(child)]
    assert scenario.params["annual_turnover"] == 0.25  # from base
    assert scenario.params["meetings_per_week"] == defaults()["meetings_per_week"]
    assert scenario.params["caseload"] == 60.0  # middle wins over base
    assert isinstance(scenario.params["caseload"], float)  # coerced from int
    assert scenario.params["placement_timing"] == "early"
    assert scenario.params["dur_company"] == 6
    assert set(scenario.params) == set(defaults())

    nested = scenario.nested()
    assert list(nested)[2:] == list(dict.fromkeys(s.group for s in PARAMETERS.values()))
    assert nested["caseworkers"]["caseload"] == 60.0
    resolved = write(tmp_path, "resolved.yaml", yaml.safe_dump(nested, sort_keys=False))
    assert load_scenario(resolved).params == scenario.params


def test_bare_name_extends_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, "baseline.yaml", "caseworkers:\n  caseload: 100\n")
    write(folder, "fast.yaml", "name: Fast\nextends: baseline\nrun:\n  weeks: 52\n")
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario("fast")
    assert scenario.name == "Fast"
    assert scenario.files == [str(Path("scenarios", n)) for n in ("baseline.yaml", "fast.yaml")]
    assert scenario.params["caseload"] == 100.0
    assert scenario.params["weeks"] == 52


def test_override_wins_and_is_coerced(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "caseworkers:\n  annual_turnover: 0.3\nrun:\n  weeks: 10\n")
    scenario = load_scenario(path, ["caseworkers.annual_turnover=0.1", "run.weeks=20.0",
                                    "interventions.placement_timing=early"])
    assert scenario.params["annual_turnover"] == 0.1
    assert scenario.params["weeks"] == 20 and isinstance(scenario.params["weeks"], int)
    assert scenario.params["placement_timing"] == "early"
    assert scenario.overrides[0] == "caseworkers.annual_turnover=0.1"
    assert parse_override("a.b= true") == ("a.b", True)

    changed = scenario.with_params(caseload=50)
    assert changed.params["caseload"] == 50.0 and scenario.params["caseload"] == 80.0
    assert isinstance(changed, Scenario)
    with pytest.raises(ScenarioError, match=r"caseworkers\.caseload: given 1, out of range"):
        scenario.with_params(caseload=1)


def test_override_value_error_names_command_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "{}\n")
    err = error(path, ("caseworkers.annual_turnover=high",))
    assert str(err).startswith(f"{COMMAND_LINE}: caseworkers.annual_turnover: given 'high'")
    assert err.file == COMMAND_LINE and err.line is None
    assert "annual_turnover" in str(error(path, ("caseworker.turnover=0.1",)))


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", """
        run:
          weeks: 10
          seed: [1, 2
        caseworkers:
          caseload: 80
    """)
    err = error(path)
    assert str(err).startswith(f"{path}, line ")
    assert "invalid YAML" in str(err)
    assert err.line in (3, 4, 5)


def test_missing_file_lists_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    write(folder, "alpha.yaml", "{}\n")
    write(folder, "beta.yaml", "{}\n")
    monkeypatch.chdir(tmp_path)
    message = str(error("gamma"))
    assert "no scenario named 'gamma'" in message
    assert str(Path("scenarios", "gamma.yaml")) in message
    listed = message.split("available scenarios: ")[1]
    assert {"alpha", "beta", "baseline"} <= set(listed.split(", "))  # here, then shipped
    message = str(error(tmp_path / "nowhere.yaml"))
    assert "nowhere.yaml: file not found" in message
    assert {"alpha", "beta"} <= set(message.split("available scenarios: ")[1].split(", "))


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, "typo.yaml", "run:\n  weeks: 10\ncaseworkers:\n  annual_turnovr: 0.2\n")
    err = error(path)
    assert str(err).startswith(f"{path}, line 4: caseworkers.annual_turnovr: unknown parameter")
    assert "did you mean caseworkers.annual_turnover" in str(err)
    assert (err.file, err.line, err.key) == (str(path), 4, "caseworkers.annual_turnovr")
    with pytest.raises(ScenarioError, match=r"caseworkers\.annual_turnover"):
        resolve_path("caseworker.turnover")
    assert resolve_path("interventions.dur_other").name == "dur_other"


def test_unknown_group(tmp_path: Path) -> None:
    path = write(tmp_path, "group.yaml", "run:\n  weeks: 10\ncaseworker:\n  caseload: 50\n")
    message = str(error(path))
    assert message.startswith(f"{path}, line 3: caseworker: unknown section")
    assert "did you mean caseworkers" in message


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "type.yaml", "caseworkers:\n  caseload: 80\n  annual_turnover: high\n")
    message = str(error(path))
    assert message.startswith(f"{path}, line 3: caseworkers.annual_turnover: given 'high'")
    assert "allowed: a number from 0 to 1" in message


def test_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "range.yaml", "exits:\n  p_job: 0.7\n")
    err = error(path)
    assert str(err) == (f"{path}, line 2: exits.p_job: given 0.7, out of range; "
                        "allowed: a number from 0 to 0.5 (probability per week)")


def test_extends_loop(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "run:\n  weeks: 5\nextends: a\n")
    message = str(error(a))
    assert message.startswith(f"{tmp_path / 'b.yaml'}, line 3: extends: extends loop: ")
    assert message.endswith(f"{a} -> {tmp_path / 'b.yaml'} -> {a}")
    self_loop = write(tmp_path, "self.yaml", "extends: self.yaml\n")
    assert "extends loop" in str(error(self_loop))


def test_python_tag_rejected_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path, "evil.yaml",
                 f'run:\n  seed: !!python/object/apply:os.system ["touch {marker}"]\n')
    message = str(error(path))
    assert not marker.exists()
    assert message.startswith(f"{path}, line 2: run.seed: tag !!python/object/apply:os.system")
    assert "tags that construct objects are not allowed" in message
    custom = write(tmp_path, "custom.yaml", "!foo\nrun: {weeks: 3}\n")
    assert "tag !foo is not allowed" in str(error(custom))


def test_duplicate_key(tmp_path: Path) -> None:
    path = write(tmp_path, "dup.yaml", "run:\n  weeks: 10\n  seed: 3\n  weeks: 20\n")
    message = str(error(path))
    assert message == f"{path}, line 4: run.weeks: duplicate key (first set on line 2)"


def test_non_scalar_value(tmp_path: Path) -> None:
    path = write(tmp_path, "list.yaml", "interventions:\n  dur_company: [4, 8]\n")
    message = str(error(path))
    assert message.startswith(f"{path}, line 2: interventions.dur_company: given [4, 8] (a list)")
    assert "allowed: an integer from 1 to 104" in message
    group = write(tmp_path, "group.yaml", "interventions: 4\n")
    assert str(error(group)).startswith(f"{group}, line 1: interventions: given 4")
    top = write(tmp_path, "top.yaml", "- run\n")
    assert "top level must be a mapping" in str(error(top))


def test_bad_override_syntax(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "{}\n")
    message = str(error(path, ("caseworkers.annual_turnover:0.1",)))
    assert message.startswith(f"{COMMAND_LINE}: given 'caseworkers.annual_turnover:0.1'")
    assert "expected group.name=value" in message


def test_int_parameter_given_fraction(tmp_path: Path) -> None:
    path = write(tmp_path, "frac.yaml", "# placements\ninterventions:\n  dur_company: 2.5\n")
    message = str(error(path))
    assert message == (f"{path}, line 3: interventions.dur_company: given 2.5, not an integer; "
                       "allowed: an integer from 1 to 104 (weeks)")


# --- extends lists, sources, strictness (issue 8) -----------------------------------------
def test_extends_list_later_parents_override_earlier_and_the_file_overrides_all(
        tmp_path: Path) -> None:
    write(tmp_path, "root.yaml", "caseworkers:\n  caseload: 100\n  dur_vacancy: 9\n")
    write(tmp_path, "a.yaml", "extends: root.yaml\ncaseworkers:\n  caseload: 60\n"
                              "  dur_vacancy: 2\n")
    write(tmp_path, "b.yaml", "extends: root.yaml\ncaseworkers:\n  caseload: 50\n")
    child = write(tmp_path, "child.yaml", """
        extends: [a.yaml, b.yaml]
        interventions:
          dur_company: 6
    """)
    scenario = load_scenario(child)
    assert scenario.params["caseload"] == 50          # b, listed later, beats a
    assert scenario.params["dur_vacancy"] == 2        # a beats root, which b does not repeat
    assert scenario.files == [str(tmp_path / f) for f in ("root.yaml", "a.yaml", "b.yaml",
                                                          "child.yaml")]  # root applied once
    assert scenario.sources["caseload"] == f"{tmp_path / 'b.yaml'}:3"
    assert scenario.sources["dur_company"] == f"{child}:3"
    swapped = write(tmp_path, "swapped.yaml", "extends: [b.yaml, a.yaml]\n"
                                              "caseworkers:\n  caseload: 70\n")
    again = load_scenario(swapped)
    assert (again.params["caseload"], again.params["dur_vacancy"]) == (70, 2)


def test_combined_holds_no_copies_and_equals_its_four_parents() -> None:
    combined = load_scenario("combined")
    parents = [load_scenario(n) for n in ("early_placement", "continuity",
                                          "positive_expectations", "low_caseload")]
    baseline = load_scenario("baseline")
    expected = dict(baseline.params)
    for parent in parents:
        expected.update({k: v for k, v in parent.params.items() if v != baseline.params[k]})
    assert combined.params == expected
    text = Path(combined.files[-1]).read_text(encoding="utf-8")
    assert not any(f"{group}:" in text for group in ("caseworkers", "interventions"))


def test_sources_name_default_fit_file_line_and_flag(tmp_path: Path) -> None:
    from bipsim.scenario import Override

    path = write(tmp_path, "s.yaml", "extends: baseline\nmeetings:\n  interval: 2\n")
    scenario = load_scenario(path, ["caseworkers.caseload=40",
                                    Override("run.weeks", 10, "--weeks")])
    assert scenario.sources["interval"] == f"{path}:3"
    assert scenario.sources["caseload"] == "--set"
    assert scenario.sources["weeks"] == "--weeks"
    assert scenario.sources["p_job"] == "fit"
    assert scenario.sources["gain_company"] == "default"
    where, _, line = scenario.sources["n_citizens"].rpartition(":")
    assert where.endswith("baseline.yaml")  # the line that sets it, wherever the file grows
    assert Path(where).read_text().splitlines()[int(line) - 1].lstrip().startswith("n_citizens:")
    assert scenario.overrides == ["caseworkers.caseload=40", "run.weeks=10"]


def test_a_key_given_twice_on_the_command_line_is_refused(tmp_path: Path) -> None:
    from bipsim.scenario import Override

    path = write(tmp_path, "s.yaml", "{}\n")
    err = error(path, ("run.weeks=5", "run.weeks=6"))
    assert "run.weeks: given twice (by --set and --set)" in str(err)
    with pytest.raises(ScenarioError, match=r"given twice \(by --set and --weeks\)"):
        load_scenario(path, ["run.weeks=5", Override("run.weeks", 6, "--weeks")])


def test_a_bad_flag_value_is_blamed_on_the_flag(tmp_path: Path) -> None:
    from bipsim.scenario import Override

    path = write(tmp_path, "s.yaml", "{}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, [Override("run.weeks", 0, "--weeks")])
    assert str(info.value).startswith("--weeks: run.weeks: given 0, out of range")
    assert info.value.file == "--weeks"


def test_all_problems_of_one_file_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, "many.yaml", """
        run:
          weeks: 0
          weeks: 5
        caseworker:
          caseload: 50
        caseworkers:
          anual_turnover: 0.1
          caseload: many
        extends: [baseline, {a: 1}]
    """)
    err = error(path)
    assert [(e.line, e.key) for e in err.errors] == [
        (2, "run.weeks"), (3, "run.weeks"), (4, "caseworker"),
        (7, "caseworkers.anual_turnover"), (8, "caseworkers.caseload"), (9, "extends")]
    assert str(err).startswith("6 problems:\n  ")
    assert f"{path}, line 3: run.weeks: duplicate key (first set on line 2)" in str(err)
    overrides = error(write(tmp_path, "ok.yaml", "{}\n"), ("run.weeks=0", "nope.x=1"))
    assert len(overrides.errors) == 2


def test_errors_survive_pickling_between_processes(tmp_path: Path) -> None:
    import pickle

    path = write(tmp_path, "two.yaml", "run:\n  weeks: 0\n  seed: -1\n")
    err = pickle.loads(pickle.dumps(error(path)))
    assert [e.key for e in err.errors] == ["run.weeks", "run.seed"]
    assert str(err) == str(error(path))

"""The data dictionary is complete: every column a small run, compare and sweep write
is documented, and everything documented is written; categories carry labels and a
missing value is null."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bipsim import data_dictionary
from bipsim.cli import main
from bipsim.data_dictionary import BELIEF, STATUS, TABLES, undocumented

DOC = Path(__file__).resolve().parents[1] / "docs" / "data_dictionary.md"
#: Small enough for seconds: a survey wave, exits, a caseworker leaving.
SMALL = ["--weeks", "14", "--set", "population.n_citizens=300", "--set",
         "population.n_jobcentres=2"]
EXPERIMENT = [*SMALL, "--workers", "0", "--quiet"]


def flatten(data: dict, prefix: str = "") -> list[str]:
    """Keys of nested JSON objects as dotted paths (leaves only)."""
    keys = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        keys += flatten(value, path + ".") if isinstance(value, dict) else [path]
    return keys


def read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


#: A criteria file for a small validate run: one pattern of each rule.
CRITERIA = """
version: 1
design: {base: baseline, set: [run.weeks=14, population.n_citizens=300,
         population.n_jobcentres=2], reps: 2, seed: 1, uncertainty: parameters}
experiments:
  caseload: {high: {caseworkers.caseload: 150}, low: {caseworkers.caseload: 40}}
patterns:
  - {id: A, name: a, source: s, definition: d, experiment: caseload, criterion_text: c,
     statistic: {kind: relative, quantity: jobs, window: [0, 14], alt: low, ref: high},
     criterion: {share_above: {value: 0, at_least: 0.5}, share_below: {value: 9, at_least: 0}}}
"""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A run (with a survey), a compare, a grid sweep, a Sobol' and a Morris sweep, and
    a validation."""
    root = tmp_path_factory.mktemp("written")
    criteria = root / "criteria.yaml"
    criteria.write_text(CRITERIA, encoding="utf-8")
    commands = {
        # every caseworker leaves in week 1 and the posts stay vacant to week 14, so the
        # survey at week 13 has no caseworker, whatever the random numbers
        "run": ["run", "bip_study", *SMALL, "--set", "caseworkers.annual_turnover=1",
                "--set", "caseworkers.dur_vacancy=13", "--no-plots", "--quiet",
                "--reps", "2", "--workers", "0"],
        "compare": ["compare", "baseline", "continuity", "--reps", "2", *EXPERIMENT],
        "grid": ["sweep", "baseline", "--grid", "caseworkers.caseload=40,80", *EXPERIMENT],
        "sobol": ["sweep", "baseline", "--sample", "sobol", "--n", "2", "--bounds",
                  "caseworkers.caseload=40:80", "--bounds", "caseworkers.annual_turnover=0.1:0.9",
                  *EXPERIMENT],
        "morris": ["sweep", "baseline", "--sample", "morris", "--n", "2", "--bounds",
                   "caseworkers.caseload=40:80", "--bounds",
                   "caseworkers.annual_turnover=0.1:0.9", *EXPERIMENT],
        "validate": ["validate", "--criteria", str(criteria), "--workers", "0", "--quiet"],
    }
    for name, argv in commands.items():
        assert main([*argv, "--out", str(root / name)]) == 0, name
    return {name: root / name for name in commands}


#: (table, folder) pairs that together write every table of the dictionary.
WRITTEN = [("weekly", "run"), ("citizens", "run"), ("survey", "run"), ("summary", "run"),
           ("budget", "run"), ("jobcentres", "run"),
           ("jobcentre_intervals", "run"), ("jobcentre_replicates", "run"),
           ("compare_budget", "compare"),
           ("compare_payback", "compare"),
           ("compare_results", "compare"), ("compare_weekly", "compare"),
           ("compare_outcomes", "compare"), ("compare_differences", "compare"),
           ("compare_costs", "compare"), ("compare_worlds", "compare"),
           ("compare_ceac", "compare"), ("compare_drivers", "compare"),
           ("validate_verdicts", "validate"), ("validate_values", "validate"),
           ("sweep_results", "grid"), ("sweep_points", "grid"),
           ("sweep_results", "sobol"), ("sweep_points", "sobol")]


def test_every_table_is_checked_against_what_is_written() -> None:
    assert {table for table, _ in WRITTEN} | {"sweep_indices"} == set(TABLES)


@pytest.mark.parametrize(("table", "folder"), WRITTEN, ids=[f"{t}-{f}" for t, f in WRITTEN])
def test_written_columns_are_exactly_the_documented(
        table: str, folder: str, folders: dict[str, Path]) -> None:
    for name in TABLES[table].files:
        path = folders[folder] / name
        if path.suffix == ".json":
            columns = flatten(json.loads(path.read_text(encoding="utf-8")))
        else:
            columns = list(read(path).columns)
        extra, missing = undocumented(table, columns)
        assert not extra, f"{name}: columns not in the data dictionary: {extra}"
        assert not missing, f"{name}: documented but not written: {missing}"


def test_indices_columns_of_both_methods_are_documented(folders: dict[str, Path]) -> None:
    written = set()
    for folder in ("sobol", "morris"):
        columns = list(pd.read_csv(folders[folder] / "indices.csv").columns)
        extra, _ = undocumented("sweep_indices", columns)
        assert not extra, (folder, extra)
        written |= set(columns)
    assert written == set(TABLES["sweep_indices"].columns)


def test_categories_have_labels_and_missing_values_are_null(folders: dict[str, Path]) -> None:
    citizens = pd.read_parquet(folders["run"] / "citizens.parquet")
    survey = pd.read_parquet(folders["run"] / "survey.parquet")
    assert list(citizens.status.cat.categories) == list(STATUS)
    for frame in (citizens, survey):
        assert list(frame.belief.cat.categories) == list(BELIEF)
        assert frame.belief.cat.ordered
        assert frame.belief.notna().any()
    # every post is vacant at the week-13 survey (see the fixture)
    assert survey.caseworker_uid.dtype == "Int64"
    assert survey.caseworker_uid.isna().any()
    assert (survey.caseworker_uid.dropna() >= 0).all()
    still = citizens.status == "on_benefit"
    assert citizens.ti_exit[still].isna().all() and citizens.ti_exit[~still].notna().all()
    for column in ("ti_meeting", "ti_company_end", "ti_other_end", "ti_exit"):
        assert (citizens[column].dropna() > -1000).all(), column  # no sentinel weeks


def test_every_column_has_a_meaning_and_the_doc_is_current() -> None:
    for table in TABLES.values():
        for name, column in table.columns.items():
            assert column.meaning.strip(), name
    assert DOC.read_text(encoding="utf-8") == data_dictionary.markdown(), (
        "docs/data_dictionary.md is stale: python -m bipsim.data_dictionary > "
        "docs/data_dictionary.md")

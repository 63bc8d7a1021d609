"""The compiled rules: the same results with any number of threads, and compiled
shortcuts that agree exactly with what they replace."""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd
import pytest

from bipsim.chunks import CHUNK
from bipsim.model import BipModel
from bipsim.rules.meetings import choose_in_groups, first_in_group
from bipsim.scenario import load_scenario
from bipsim.streams import Streams
from bipsim.threads import PARALLEL_FROM, available_cores, get_threads, run_default, set_threads


def run_with_threads(threads: int, scenario: str, **params) -> BipModel:
    before = get_threads()
    set_threads(threads)
    try:
        model = BipModel.from_scenario(load_scenario(scenario), seed=5, **params)
        model.run()
    finally:
        set_threads(before)
    return model


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
@pytest.mark.parametrize(("scenario", "params"), [
    ("national", {"n_citizens": 6 * CHUNK + 123, "weeks": 60}),  # many chunks
    ("bip_study", {"n_citizens": 3 * CHUNK, "weeks": 53}),       # survey, closed cohort
])
def test_one_and_two_threads_give_identical_results(scenario, params):
    one = run_with_threads(1, scenario, **params)
    two = run_with_threads(2, scenario, **params)
    pd.testing.assert_frame_equal(one.weekly(), two.weekly(), check_exact=True)
    pd.testing.assert_frame_equal(one.citizen_table(), two.citizen_table(), check_exact=True)
    pd.testing.assert_frame_equal(one.survey_panel(), two.survey_panel(), check_exact=True)


def test_bipsim_run_uses_one_thread_below_a_million_citizens(monkeypatch, tmp_path):
    # measured (bipsim/threads.py): below it a second thread slows a run down
    assert run_default(80_000) == run_default(PARALLEL_FROM - 1) == 1
    assert run_default(PARALLEL_FROM) == available_cores()
    from bipsim.cli import main

    monkeypatch.delenv("BIPSIM_THREADS", raising=False)
    before = get_threads()
    try:
        set_threads(2)
        assert main(["run", "baseline", "--weeks", "1", "--quiet", "--no-plots",
                     "--out", tmp_path / "run"]) == 0
        assert get_threads() == 1
    finally:
        set_threads(before)


def test_compiled_stream_keys_are_seed_sequences():
    rng = np.random.default_rng(0)
    seeds = [0, 1, 2**32 - 1, 2**32, 2**63 - 1, *rng.integers(0, 2**63 - 1, 20).tolist()]
    for seed in seeds:
        streams = Streams(seed)
        for name in ("exit", "meeting_order", ""):
            for week in (-1, 0, 1, 207, 2080):
                expected = streams._sequence(name, week).generate_state(2, np.uint64)
                assert streams.keys(name, week) == tuple(expected), (seed, name, week)


def test_compiled_generators_are_numpys():
    for seed in (0, 7, 2**40 + 3):
        streams = Streams(seed)
        for name, week in (("staff_turnover", 0), ("reorganisation", 99), ("inflow", -1)):
            fast = streams.generator(name, week).random(8)
            numpys = np.random.Generator(np.random.PCG64(streams._sequence(name, week)))
            np.testing.assert_array_equal(fast, numpys.random(8))


@pytest.mark.parametrize("seed", range(20))
def test_choosing_within_groups_by_level_is_first_in_group(seed):
    """The compiled choice (levels first, a draw only where the room runs out at
    a level) keeps exactly the rows :func:`first_in_group` keeps."""
    rng = np.random.default_rng(seed)
    n_rows, n_groups = 3000, 40
    group = rng.integers(0, n_groups, 2 * n_rows).astype(np.int32)
    rows = np.sort(rng.choice(2 * n_rows, n_rows, replace=False))
    uid = rng.permutation(10 * n_rows)[: 2 * n_rows].astype(np.int64)
    level = rng.choice([4, 4, 4, 5, 5, 6, 9, 40, 10_000], n_rows).astype(np.int64)
    room = rng.integers(0, 120, n_groups)
    key0, key1 = Streams(seed).keys("meeting_order", 3)

    def priority(pos):
        return level[pos] + Streams(seed).uniform("meeting_order", 3, uid[rows[pos]])

    expected = first_in_group(group[rows], room, priority)
    chosen = choose_in_groups(rows, group, room, n_groups, uid, level, key0, key1)
    np.testing.assert_array_equal(np.flatnonzero(chosen), expected)

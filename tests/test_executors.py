"""Executors, persistence and resume: the same results whatever runs them, nothing
lost or duplicated when a sweep is stopped by a real signal and resumed.

The Dask tests start a real scheduler and worker processes on loopback.
"""

from __future__ import annotations

import io
import json
import logging
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time

import distributed
import pandas as pd
import pytest
from experiment_helpers import SMALL, results, run_cli, run_files
from rich.console import Console

from bipsim.experiments.engine import RunError, execute
from bipsim.experiments.executors import ExecutorError, InlineExecutor, Workers, open_workers
from bipsim.experiments.progress import RunProgress
from bipsim.experiments.store import RunStore, StoreError, atomic_write
from bipsim.experiments.worker import Task

#: A 3 x 2 grid, 2 replicates: 12 small runs.
SWEEP = ("sweep", "baseline", "--grid", "caseworkers.annual_turnover=0.1,0.25,0.4",
         "--grid", "interventions.placement_timing=staircase,early", "--reps", "2",
         "--weeks", "15", *SMALL)


@pytest.fixture(scope="module")
def dask_cluster():
    """A real Dask scheduler with two worker processes, on loopback."""
    logging.getLogger("distributed").setLevel(logging.WARNING)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep made in this process, one run at a time: what every executor must match."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    from bipsim.cli import main
    assert main([*SWEEP, "--workers", "0", "--quiet", "--out", str(out)]) == 0
    return results(out)


# --- the same results whatever the executor -------------------------------------------------
@pytest.mark.parametrize("executor", [["--workers", "2"], ["--dask-local", "2"]],
                         ids=["process-pool", "dask-local"])
def test_results_are_identical_on_every_executor(tmp_path, capsys, reference, executor):
    out = tmp_path / "sweep"
    code, _, stderr = run_cli(capsys, *SWEEP, *executor, "--quiet", "--out", out)
    assert code == 0, stderr
    pd.testing.assert_frame_equal(results(out), reference, check_exact=True)


def test_results_are_identical_on_an_existing_dask_cluster(tmp_path, capsys, reference,
                                                            dask_cluster):
    out = tmp_path / "sweep"
    code, _, stderr = run_cli(capsys, *SWEEP, "--scheduler", dask_cluster.scheduler_address,
                              "--out", out)
    assert code == 0, stderr
    assert "the Dask cluster at tcp://127.0.0.1" in stderr and "2 threads" in stderr
    pd.testing.assert_frame_equal(results(out), reference, check_exact=True)


def test_a_comparison_is_identical_on_a_dask_cluster(tmp_path, capsys, dask_cluster):
    argv = ("compare", "baseline", "early_placement", "--reps", "2", "--weeks", "15", *SMALL,
            "--quiet")
    here, there = tmp_path / "here", tmp_path / "there"
    assert run_cli(capsys, *argv, "--workers", "0", "--out", here)[0] == 0
    assert run_cli(capsys, *argv, "--scheduler", dask_cluster.scheduler_address,
                   "--out", there)[0] == 0
    for name in ("results.parquet", "weekly.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(there / name),
                                      pd.read_parquet(here / name), check_exact=True)


# --- executors that cannot be used fail fast, leaving nothing --------------------------------
def test_an_unreachable_scheduler_fails_fast_with_exit_1(tmp_path, capsys):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "never"
    started = time.perf_counter()
    code, _, stderr = run_cli(capsys, *SWEEP, "--scheduler", f"tcp://127.0.0.1:{port}",
                              "--connect-timeout", "3", "--out", out)
    assert code == 1
    assert time.perf_counter() - started < 3
    assert "cannot connect" in stderr and "--dask-local" in stderr
    assert not out.exists()


def test_a_server_that_is_not_a_scheduler_is_refused(tmp_path, capsys):
    class Http(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")

    with socketserver.TCPServer(("127.0.0.1", 0), Http) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        out = tmp_path / "never"
        code, _, stderr = run_cli(capsys, *SWEEP, "--scheduler", f"tcp://127.0.0.1:{port}",
                                  "--connect-timeout", "2", "--out", out)
        server.shutdown()
    assert code == 1
    assert "did not answer as a Dask scheduler" in stderr
    assert not out.exists()


def test_a_scheduler_without_workers_is_refused(tmp_path, capsys):
    with distributed.LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=":0",
                                  processes=True) as empty:
        out = tmp_path / "never"
        code, _, stderr = run_cli(capsys, *SWEEP, "--scheduler", empty.scheduler_address,
                                  "--connect-timeout", "1", "--out", out)
    assert code == 1 and "no workers joined" in stderr
    assert not out.exists()


def test_one_executor_at_a_time():
    with pytest.raises(ExecutorError, match="choose one"), open_workers(2, "tcp://x:1"):
        pass
    with pytest.raises(ExecutorError, match="--dask-local 0"), open_workers(dask_local=0):
        pass


# --- the engine -----------------------------------------------------------------------------
def test_inline_executor_delivers_errors_through_the_future():
    future = InlineExecutor().submit(int, "not a number")
    assert isinstance(future.exception(), ValueError)
    assert InlineExecutor().submit(int, "7").result() == 7


def test_a_failing_run_stops_the_experiment_and_keeps_finished_runs():
    good = {"n_citizens": 200, "n_jobcentres": 1, "weeks": 3}
    tasks = [Task(0, good, 1), Task(1, {**good, "no_such_parameter": 1}, 2), Task(2, good, 3)]
    saved = []
    with pytest.raises(RunError, match="run 1 failed: ParameterError") as failure:
        execute(tasks, Workers(InlineExecutor(), 1, "test"), saved.append)
    assert failure.value.run_id == 1
    assert [r["run_id"] for r in saved] == [0]


def test_progress_without_a_terminal_prints_runs_done_left_and_time_remaining():
    console = Console(file=io.StringIO(), width=200)
    with RunProgress(20, 5, "sweep", console) as progress:
        for _ in range(15):
            progress.advance()
    lines = console.file.getvalue().splitlines()
    assert lines[0] == "sweep: 5/20 runs done, 15 left"
    assert any("runs done" in line and "left, about" in line and "remaining" in line
               for line in lines)
    assert lines[-1] == "sweep: 20/20 runs done, 0 left"
    assert len(lines) <= 12  # one line per tenth, not per run


# --- the store ----------------------------------------------------------------------------
def test_atomic_write_leaves_the_old_file_or_the_new_one(tmp_path):
    path = tmp_path / "a.json"
    atomic_write(path, "old")
    atomic_write(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_stray_temporary_files_are_not_runs_and_are_removed(tmp_path):
    store = RunStore(tmp_path)
    store.runs.mkdir()
    store.save({"run_id": 3, "outcomes": {}})
    (store.runs / ".tmp-run-000004.json.999").write_text('{"run_id": 4, "outc')  # killed
    assert store.done() == {3}
    assert [p.name for p in store.runs.iterdir()] == ["run-000003.json"]
    (store.runs / "run-000005.json").write_text('{"run_id": 6}')
    with pytest.raises(StoreError, match="holds run 6, not 5"):
        store.load([5])


def test_one_process_at_a_time_per_folder(tmp_path):
    store = RunStore(tmp_path)
    with store.lock(), pytest.raises(StoreError, match="in use by another bipsim process"), \
            RunStore(tmp_path).lock():
        pass
    with store.lock():  # free again
        pass


# --- stopped by a real signal, then resumed ----------------------------------------------------
#: 32 small runs: long enough to stop midway, short enough to finish in seconds.
STOPPABLE = ("sweep", "baseline", "--grid", "caseworkers.annual_turnover=0.1,0.2,0.3,0.4",
             "--reps", "8", "--weeks", "15", *SMALL)
STOPPABLE_RUNS = 32


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The stoppable sweep run straight through, in this process."""
    out = tmp_path_factory.mktemp("whole") / "sweep"
    from bipsim.cli import main
    assert main([*STOPPABLE, "--workers", "0", "--quiet", "--out", str(out)]) == 0
    return results(out)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stopped_sweep_resumes_with_nothing_lost_or_duplicated(tmp_path, capsys, signum,
                                                                 uninterrupted):
    """A real signal to a ``python -m bipsim sweep`` process once a few runs are saved:
    it exits 128 + signal with complete run files only; ``--resume`` runs exactly the
    missing ones (the saved files are not touched) and the final table equals an
    uninterrupted sweep's, run for run."""
    out = tmp_path / "stopped"
    proc = subprocess.Popen([sys.executable, "-m", "bipsim", *STOPPABLE, "--workers", "2",
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(run_files(out) if out.exists() else []) < 3:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no runs saved within 60 s"
        time.sleep(0.02)
    proc.send_signal(signum)  # to the sweep's pid only, as a job scheduler or kill does
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    assert "--resume" in stderr
    first = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in run_files(out)}
    assert 3 <= len(first) < STOPPABLE_RUNS, "the signal came too late to stop it midway"
    assert [p.name for p in (out / "runs").iterdir() if not p.name.startswith("run-")] == []
    assert not (out / "results.parquet").exists()

    code, _, stderr = run_cli(capsys, "sweep", "--resume", out, "--workers", "0")
    assert code == 0, stderr
    left = STOPPABLE_RUNS - len(first)
    assert f"{left} to run on this process, {len(first)} done before" in stderr
    files = run_files(out)
    assert [json.loads(p.read_text())["run_id"] for p in files] == list(range(STOPPABLE_RUNS))
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in files
            if p.name in first} == first  # the first session's runs are untouched
    pd.testing.assert_frame_equal(results(out), uninterrupted, check_exact=True)

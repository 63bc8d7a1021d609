"""``bipsim calibrate``: the posterior of the calibrated parameters given the BIP targets.

A fit writes a new folder under ``outputs/`` (never the shipped fit):
``calibration.json`` (everything the fit depends on, fixed before the first
study), ``runs/`` (one file per simulated study, as it finishes), pyabc's
``abc.db``, then the draws, the baseline's values (``fitted.yaml``), the report
and a manifest. ``--replace-shipped`` then copies them over the shipped fit in
``calibration/``, showing the difference first. ``--resume DIR`` finishes an
interrupted fit: the stored studies are reused and the result is the same as an
uninterrupted fit's.

Exit codes as for compare and sweep: 0 done; 1 a study failed or the executor
cannot be used; 2 bad input; 128 + signal number when stopped (studies saved);
3 ``--recheck`` found a target outside its tolerance.

``bipsim --help`` imports this module to build the parser: keep its top-level
imports to the standard library; the command imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import resource
import shutil
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from .. import options
from ..resources import calibration_folder
from .settings import Settings

#: The shipped calibration (the repository's calibration/, or its copy in an installed wheel).
CALIBRATION = calibration_folder()
SETTINGS_FILE = "calibration.json"
#: Layout version of ``calibration.json``; another version is refused on resume.
SETTINGS_VERSION = 1
#: The files a fit writes that replace the shipped ones with ``--replace-shipped``.
SHIPPED = ("fitted.yaml", "posterior.parquet", "predictive.parquet", "report.md",
           "posterior_marginals.png", "posterior_pairs.png", "posterior_predictive.png")
#: Run ids of the check replicates (beyond any generation's particles).
CHECK_RUNS = 999_000_000
DEFAULT_CHECK_REPS = 20
#: Exit code of ``--recheck`` when a target is outside its tolerance.
EXIT_MISSES = 3
#: Options that define a fit (refused with --resume: the fit's own are used).
FIT_OPTIONS = ("targets", "scenario", "set", "seed", "population", "generations",
               "max_simulations", "draws", "min_ess", "adjust", "check_reps", "quick")


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``calibrate`` with the ``bipsim`` command line."""
    d = Settings()
    cal = sub.add_parser(
        "calibrate", help="sample the posterior of the calibrated parameters (ABC-SMC)",
        description="Sample parameter sets whose simulated BIP study, analysed as BIP did, "
                    "reproduces every target (likelihood-free Bayesian inference, pyabc's "
                    "ABC-SMC). Writes a new folder under --outputs; the defaults reproduce "
                    "the shipped fit.",
        epilog="examples: bipsim calibrate --quick;  bipsim calibrate --resume "
               "outputs/calibration-20261201-220000;  bipsim calibrate --replace-shipped")
    cal.add_argument("--targets", help="targets file (default: calibration/targets.yaml)")
    cal.add_argument("--scenario", help="the study (default: bip_study)")
    options.add_set(cal, "the study")
    options.add_seed(cal, f"seed of the whole fit (default {d.seed})")
    cal.add_argument("--population", type=int,
                     help=f"accepted particles per generation (default {d.population})")
    cal.add_argument("--generations", type=int,
                     help=f"most generations (default {d.generations})")
    cal.add_argument("--max-simulations", type=int,
                     help=f"stop after the generation that passes this many evaluations "
                          f"(default {d.max_simulations})")
    cal.add_argument("--draws", type=int,
                     help=f"equally weighted posterior draws written (default {d.draws})")
    cal.add_argument("--min-ess", type=int,
                     help="effective particles the posterior needs; epsilon is widened until "
                          f"its weights have them (default {d.min_ess})")
    cal.add_argument("--adjust", action=argparse.BooleanOptionalAction,
                     help="regression-adjust the particles (default: "
                          f"{'on' if d.adjust else 'off'}; the coverage check found the "
                          "adjusted intervals too narrow)")
    cal.add_argument("--check-reps", type=int,
                     help="fresh replicates to check the baseline's values (default "
                          f"{DEFAULT_CHECK_REPS})")
    cal.add_argument("--quick", action="store_true", default=None,  # None: not given
                     help="a tiny fit for trying things out and for tests (12 particles, 2 "
                          "generations, 2 check replicates)")
    options.add_output(cal, "calibration")
    cal.add_argument("--resume", metavar="DIR", help="finish an interrupted fit")
    cal.add_argument("--replace-shipped", action="store_true",
                     help="after the fit, show how it differs from the shipped fit in "
                          "calibration/ and replace that (the baseline extends it); with "
                          "--recheck, rewrite the shipped fit's table of targets")
    cal.add_argument("--recheck", nargs="?", const=str(CALIBRATION), metavar="FIT",
                     help="no fit: check a fit's baseline values (FIT: a calibration folder "
                          "or its fitted.yaml; default the shipped fit) again on its check "
                          "replicates, after a change of the model, and print the targets "
                          f"table; exit {EXIT_MISSES} if a target is outside its tolerance. "
                          "Writes nothing (see --replace-shipped)")
    options.add_executor(cal)
    options.add_quiet(cal)
    cal.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``bipsim calibrate``."""
    from .targets import TargetsError

    if args.recheck:
        return _recheck(args)
    if args.resume:
        given = [f"--{name.replace('_', '-')}" for name in FIT_OPTIONS
                 if getattr(args, name) not in (None, [])]
        if given:
            raise TargetsError(f"--resume {args.resume}: the fit's settings come from its "
                               f"{SETTINGS_FILE}; drop {', '.join(given)}")
        return _carry_out(args, _read_setup(Path(args.resume)), Path(args.resume))
    return _carry_out(args, _new_setup(args), None)


def _new_setup(args: argparse.Namespace) -> dict[str, Any]:
    """Everything the fit depends on, validated, as plain data."""
    from ..scenario import load_scenario
    from .priors import calibrated_priors
    from .settings import QUICK
    from .simulations import fingerprint
    from .targets import TargetsError, load_targets

    base = QUICK if args.quick else Settings()
    changes = {k: getattr(args, k) for k in ("seed", "population", "generations",
                                             "max_simulations", "draws", "min_ess", "adjust")
               if getattr(args, k) is not None}
    try:
        settings = dataclasses.replace(base, **changes)
    except ValueError as err:
        raise TargetsError(f"bipsim calibrate: {err}") from None
    if settings.seed < 0:
        raise TargetsError(f"--seed {settings.seed}: allowed: a whole number, 0 or more")
    check_reps = args.check_reps if args.check_reps is not None else (
        2 if args.quick else DEFAULT_CHECK_REPS)
    if check_reps < 1:
        raise TargetsError(f"--check-reps {check_reps}: must be at least 1")
    targets_file = args.targets or str(CALIBRATION / "targets.yaml")
    targets = load_targets(targets_file)
    scenario = load_scenario(args.scenario or "bip_study", args.set or [])
    return {"settings_version": SETTINGS_VERSION, "settings": dataclasses.asdict(settings),
            "check_reps": check_reps,
            # as given, or the shipped file by its place in the repository (not this
            # machine's path: the fit's record is shipped)
            "targets_file": args.targets or "calibration/targets.yaml",
            "targets": [dataclasses.asdict(t) for t in targets],
            "priors": [dataclasses.asdict(p) for p in calibrated_priors()],
            "scenario": scenario.name, "scenario_files": scenario.files,
            "overrides": scenario.overrides, "base": scenario.params,
            "fingerprint": fingerprint()}


def _read_setup(folder: Path) -> dict[str, Any]:
    from ..experiments.store import StoreError
    from .simulations import fingerprint

    path = folder / SETTINGS_FILE
    try:
        setup = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StoreError(f"--resume {folder}: no readable {SETTINGS_FILE} ({err}); not a "
                         "calibration folder") from None
    if setup.get("settings_version") != SETTINGS_VERSION:
        raise StoreError(f"--resume {folder}: {SETTINGS_FILE} is not of layout version "
                         f"{SETTINGS_VERSION}")
    if setup["fingerprint"] != fingerprint():
        raise StoreError(f"--resume {folder}: the model or study code has changed since this "
                         f"fit started (fingerprint {setup['fingerprint']}, now {fingerprint()})"
                         "; stored and new studies would come from different models. Start a "
                         "new fit.")
    return setup


def _carry_out(args: argparse.Namespace, setup: dict[str, Any], folder: Path | None) -> int:
    """Fit (or finish a fit), check the baseline's values, write every output."""
    from rich.console import Console

    from ..experiments.engine import RunError, StoppedError
    from ..experiments.executors import ExecutorError
    from ..experiments.store import RunStore, StoreError, atomic_write
    from ..runfolder import choose_folder
    from .posterior import fit_posterior
    from .priors import Prior
    from .simulations import StudySimulations
    from .targets import Target

    err = Console(stderr=True, quiet=args.quiet)
    settings = Settings(**setup["settings"])
    targets = [Target(**t) for t in setup["targets"]]
    priors = [Prior(**p) for p in setup["priors"]]
    fresh = folder is None
    folder = choose_folder(args.out, args.outputs, "calibration") if fresh else folder
    started, cpu_started = time.perf_counter(), _cpu_s()
    try:
        with ExitStack() as stack:
            pool: list[Any] = []

            def workers() -> Any:
                if not pool:
                    pool.append(stack.enter_context(_open_workers(args)))
                return pool[0]

            store = RunStore(folder)
            if fresh:
                workers()  # a bad executor fails before any folder is made
                store.runs.mkdir(parents=True, exist_ok=True)
                atomic_write(folder / SETTINGS_FILE, json.dumps(setup, indent=1))
            elif not store.runs.is_dir():
                raise StoreError(f"--resume {folder}: no runs/ folder; not a calibration folder")
            stack.enter_context(store.lock())
            sims = StudySimulations(setup["base"], store, workers, quiet=args.quiet)
            err.print(f"calibrate: {len(priors)} parameters, {len(targets)} targets, "
                      f"population {settings.population}, seed {settings.seed}"
                      + (f", {len(sims.done)} studies stored before" if sims.done else "")
                      + f" -> {folder}", highlight=False, soft_wrap=True)
            posterior = fit_posterior(targets, priors, sims, settings, folder / "abc.db",
                                      note=None if args.quiet else err.print)
            central = {k: float(f"{v:.6g}") for k, v in posterior.central().items()}
            check, check_seed = _check(sims, central, targets, settings.seed,
                                       setup["check_reps"])
            executor = sims.description
            made, reused = sims.made, sims.reused
    except ExecutorError as error:
        return _fail(error, 1)
    except StoreError as error:
        return _fail(error, 2)
    except (StoppedError, KeyboardInterrupt) as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        what = stop if isinstance(stop, StoppedError) else "abandoned by a second SIGINT"
        return _fail(f"{what}: the finished studies are saved in {folder}; finish with: "
                     f"bipsim calibrate --resume {folder}", 128 + signum)
    except RunError as error:
        return _fail(f"{error}; the finished studies are saved in {folder}", 1)
    timing = {"minutes": round((time.perf_counter() - started) / 60, 2),
              "cpu_minutes": round((_cpu_s() - cpu_started) / 60, 2),
              "studies_made": made, "studies_reused": reused, "executor": executor}
    meta = _write(folder, setup, posterior, targets, central, check, check_seed, timing, args)
    if not args.quiet:
        from rich.markdown import Markdown

        Console().print(Markdown((folder / "report.md").read_text(encoding="utf-8")))
    err.print(f"Results in {folder} ({meta['minutes']:.1f} min wall, "
              f"{meta['cpu_minutes']:.1f} min CPU)", highlight=False)
    if args.replace_shipped:
        _replace_shipped(folder)
    return 0


def _check(sims: Any, central: dict[str, float], targets: list, seed: int,
           reps: int) -> tuple[Any, int]:
    """The baseline's values on ``reps`` fresh replicate studies."""
    from ..experiments.plan import replicate_seeds
    from .check import CHECK_SEED_OFFSET, summarise
    from .sampler import Request

    check_seed = seed + CHECK_SEED_OFFSET
    requests = [Request(CHECK_RUNS + r, central, s)
                for r, s in enumerate(replicate_seeds(check_seed, reps))]
    return summarise(targets, sims(requests, label="check")), check_seed


def _write(folder: Path, setup: dict[str, Any], posterior: Any, targets: list,
           central: dict[str, float], check: Any, check_seed: int, timing: dict[str, Any],
           args: argparse.Namespace) -> dict[str, Any]:
    from ..experiments.store import atomic_write
    from ..provenance import manifest
    from .check import fit_table
    from .report import write_fitted, write_report

    settings = posterior.settings
    ident = posterior.identification()
    meta = {
        "method": "ABC-SMC (pyabc), executor-independent ordered sampler; every study "
                  "within the particles' epsilon (the last generation's, widened to "
                  "min_ess effective particles) weighted by multiple importance sampling "
                  "over all generations' proposals"
                  + (", then regression-adjusted" if posterior.adjusted else ""),
        "scenario": setup["scenario"], "targets_file": setup["targets_file"],
        "seed": settings.seed, "settings": dataclasses.asdict(settings),
        "epsilon_floor": round(posterior.epsilon_floor, 4),
        "epsilon_final": round(float(posterior.generations.epsilon.iloc[-1]), 4),
        "epsilon_particles": round(posterior.epsilon, 4),
        "effective_particles": round(posterior.ess, 1),
        "reached_floor": posterior.reached_floor,
        "generations": len(posterior.generations),
        "simulations": int(posterior.generations.simulated.sum()),
        "check_reps": setup["check_reps"], "check_seed": check_seed,
        "distance_check": round(check.distance, 3),
        **timing,
        "posterior_90": {r.parameter: [float(f"{r.q05:.6g}"), float(f"{r.q95:.6g}")]
                         for r in ident.itertuples()},
        "width_ratio": {r.parameter: round(r.width_ratio, 3) for r in ident.itertuples()},
    }
    table = fit_table(targets, check)
    write_fitted(folder / "fitted.yaml", central, table, meta)
    posterior.draws.to_parquet(folder / "posterior.parquet", index=False)
    predictive = posterior.predictive()
    predictive.insert(0, "draw", posterior.draws.draw.to_numpy())
    predictive.to_parquet(folder / "predictive.parquet", index=False)
    posterior.particles.to_parquet(folder / "particles.parquet", index=False)
    files = write_report(folder, posterior, targets, table, meta)
    info = manifest("calibrate", getattr(args, "argv", None), executor=timing["executor"],
                    timings=timing, files=["fitted.yaml", "posterior.parquet",
                                           "predictive.parquet", "particles.parquet", "abc.db",
                                           *files])
    atomic_write(folder / "manifest.json", json.dumps(info, indent=2, ensure_ascii=False))
    return meta


def _replace_shipped(folder: Path) -> None:
    """Show how the new fit's ``fitted.yaml`` differs from the shipped one (even with
    --quiet: the baseline changes); replace the shipped fit's files with the new ones."""
    old = CALIBRATION / "fitted.yaml"
    before = old.read_text(encoding="utf-8").splitlines() if old.exists() else []
    _show_difference(before, folder / "fitted.yaml", str(old))
    for name in SHIPPED:
        shutil.copyfile(folder / name, CALIBRATION / name)
    print(f"Replaced the shipped fit in {CALIBRATION}: {', '.join(SHIPPED)}", file=sys.stderr)


def _show_difference(before: list[str], path: Path, label: str) -> None:
    """Print, on stderr, how ``path`` differs from ``before`` (the lines labelled
    ``label``)."""
    after = path.read_text(encoding="utf-8").splitlines()
    diff = difflib.unified_diff(before, after, label, str(path), lineterm="", n=1)
    print("\n".join(diff), file=sys.stderr)


def _recheck(args: argparse.Namespace) -> int:
    """Check a fit's baseline values again on its check replicates (after a change of
    the model) and print the targets table; no fit. Nothing is written unless
    ``--replace-shipped`` (the shipped fit only): then its table is rewritten, its
    parameters, description and fit date kept, and the difference shown."""
    import yaml

    from ..experiments.engine import execute
    from ..experiments.executors import ExecutorError
    from ..experiments.plan import replicate_seeds
    from ..experiments.worker import Task
    from ..scenario import load_scenario
    from .check import CHECK_SEED_OFFSET, fit_table, summarise
    from .report import check_table, write_fitted
    from .simulations import study_run
    from .targets import TargetsError, load_targets

    path = Path(args.recheck)
    if path.is_dir():
        path = path / "fitted.yaml"
    shipped = path.resolve() == (CALIBRATION / "fitted.yaml").resolve()
    if args.out:
        raise TargetsError(f"--recheck with --out {args.out}: a recheck writes no folder; "
                           "name the fit to check: --recheck FOLDER")
    if args.replace_shipped and not shipped:
        raise TargetsError(f"--recheck {args.recheck} --replace-shipped: only the shipped "
                           "fit's table can be rewritten; drop the folder or --replace-shipped")
    if not path.is_file():
        raise TargetsError(f"--recheck: {path} not found; name a calibration folder or its "
                           "fitted.yaml")
    scenario = load_scenario(str(path), args.set or [])  # refuses a bad file clearly
    before = path.read_text(encoding="utf-8")
    doc = yaml.safe_load(before)
    meta = doc.get("calibration")
    if not isinstance(meta, dict) or not {"seed", "check_reps"} <= set(meta):
        raise TargetsError(f"--recheck: {path} is not a fit written by bipsim calibrate (no "
                           "calibration: section with its seed and check_reps)")
    names = meta.get("posterior_90") or meta.get("plausible_ranges") or {}
    study = load_scenario(args.scenario or "bip_study", args.set or []).params
    fitted = {k: scenario.params[k] for k in names}
    targets = load_targets(args.targets or str(CALIBRATION / "targets.yaml"))
    seeds = replicate_seeds(meta["seed"] + CHECK_SEED_OFFSET, meta["check_reps"])
    records: list[dict[str, Any]] = []
    try:
        with _open_workers(args) as workers:
            execute([Task(r, {**study, **fitted}, s) for r, s in enumerate(seeds)], workers,
                    records.append, run=study_run)
    except ExecutorError as error:
        return _fail(error, 1)
    records.sort(key=lambda r: r["run_id"])
    runs = [{k: (float("nan") if v is None else v) for k, v in r["statistics"].items()}
            for r in records]
    check = summarise(targets, runs)
    table = fit_table(targets, check)
    print("\n".join(check_table(table)))
    misses = [r["target"] for r in table if not r["within_tolerance"]]
    print(f"Rechecked {path} on {len(seeds)} replicates (seeds from "
          f"{meta['seed'] + CHECK_SEED_OFFSET}): "
          + (f"outside tolerance: {', '.join(misses)}" if misses else
             "every target within tolerance"))
    if args.replace_shipped:
        meta.pop("fit", None)
        meta.update(distance_check=round(check.distance, 3),
                    rechecked=time.strftime("%Y-%m-%d"))
        write_fitted(path, fitted, table, meta, description=doc["description"])
        _show_difference(before.splitlines(), path, f"{path} before the recheck")
    return EXIT_MISSES if misses else 0


def _open_workers(args: argparse.Namespace) -> Any:
    from ..experiments.executors import open_workers

    return open_workers(args.workers, args.scheduler, args.dask_local, args.connect_timeout)


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished child processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _fail(message: object, code: int) -> int:
    print(f"bipsim: error: {message}", file=sys.stderr)
    return code

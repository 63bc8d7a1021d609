"""Parameter draws: which parameters a comparison draws, and draw ``r`` of each.

A comparison with parameter uncertainty runs replicate ``r`` of every scenario in
*world* ``r``: the calibrated parameters take posterior draw ``r`` (one row of the
shipped posterior, so they keep their joint shape), every first guess with a prior
takes prior draw ``r``, and the run uses replicate seed ``r``.

**What is drawn.** Only uncertainties: parameters the table marks ``calibrated``
or gives a ``prior`` (``ParamSpec.uncertainty``). Levers and context are never
drawn. A scenario (or ``--set``) that sets an uncertain parameter keeps its value:
the parameter is drawn only where its value comes from the table or the shipped fit
(``Scenario.source_of``). One calibrated parameter is also a lever,
``caseworkers.annual_turnover``: today's turnover is estimated (T8), so the baseline
draws it, and a policy that sets turnover (``continuity``) keeps its own value. So
two scenarios share every draw except where a policy sets the parameter: they differ
only where their policies do.

**Deterministic, and stable.** Draw ``r`` of parameter ``p`` comes from its own
stream, word ``r`` of ``SeedSequence(seed, spawn_key=(PRIOR_DOMAIN, crc32(p)))``,
mapped through the prior's quantile function. So the draws depend on the base
seed, the parameter and ``r`` only: more replicates extend fewer, and adding a
parameter to the table shifts no other parameter's draws. The posterior row of
world ``r`` comes from a stream of its own the same way.

**Without a posterior.** Until ``calibration/posterior.parquet`` is shipped (or for
a calibrated parameter it lacks), calibrated parameters are drawn from their priors,
the box the calibration searched: much wider than what the targets allow. The
draws say so (:attr:`WorldDraws.note`), and the printout and report repeat it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bipsim.parameters import BY_NAME, FROM_FIT, FROM_TABLE, PARAMETERS, ParamSpec
from bipsim.resources import calibration_folder
from bipsim.scenario import Scenario

log = logging.getLogger(__name__)

#: The shipped posterior draws: one row per draw, a column per calibrated parameter
#: (keyword name or dotted key), optionally a ``weight`` column.
POSTERIOR_FILE = calibration_folder() / "posterior.parquet"
#: First element of every prior stream's spawn key (keeps them apart from the
#: replicate seeds, which use ``SeedSequence(seed)`` itself).
PRIOR_DOMAIN = 0x5052494F  # "PRIO"
#: Name of the stream that picks the posterior row of each world.
POSTERIOR_STREAM = "posterior row"
#: Values of a parameter that come from the table or the fit, not from a scenario.
UNSET = (FROM_TABLE, FROM_FIT)


def uncertain_parameters() -> list[ParamSpec]:
    """Every parameter that a comparison with parameter uncertainty may draw."""
    return [spec for spec in PARAMETERS.values()
            if spec.uncertainty is not None and spec.prior is not None]


def drawn_names(scenario: Scenario, exclude: Iterable[str] = ()) -> list[str]:
    """The uncertain parameters ``scenario`` leaves to the draws (keyword names).

    Args:
        scenario: A loaded scenario.
        exclude: Names held by something else (a sweep's design factors).
    """
    excluded = set(exclude)
    return [spec.name for spec in uncertain_parameters()
            if spec.name not in excluded and scenario.source_of(spec.name) in UNSET]


def uniforms(seed: int, stream: str, n: int) -> np.ndarray:
    """Uniforms in (0, 1) of one named stream, world 0 first (``n`` of them)."""
    key = (PRIOR_DOMAIN, zlib.crc32(stream.encode("utf-8")))
    words = np.random.SeedSequence(seed, spawn_key=key).generate_state(n, dtype=np.uint64)
    return ((words >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def prior_draws(spec: ParamSpec, seed: int, n: int) -> list[Any]:
    """Draws ``0..n-1`` of one parameter from its prior (integers rounded)."""
    values = np.asarray(spec.prior.ppf(uniforms(seed, spec.path, n)), dtype=float)
    values = np.clip(values, spec.low, spec.high)
    if spec.kind == "int":
        return [int(v) for v in np.rint(values)]
    return [float(v) for v in values]


@dataclass(frozen=True)
class Posterior:
    """The shipped posterior draws.

    Attributes:
        file: Where they were read from.
        values: Keyword name to the draws of that parameter (one per row).
        weights: Normalised weight of each row (equal when the file has none).
    """

    file: str
    values: dict[str, np.ndarray]
    weights: np.ndarray

    @property
    def size(self) -> int:
        """Number of rows (posterior draws)."""
        return len(self.weights)

    def rows(self, seed: int, n: int) -> np.ndarray:
        """The posterior row of worlds ``0..n-1``, drawn by weight from its own stream."""
        cumulative = np.cumsum(self.weights)
        cumulative /= cumulative[-1]
        picked = np.searchsorted(cumulative, uniforms(seed, POSTERIOR_STREAM, n), side="right")
        return np.minimum(picked, self.size - 1)


def read_posterior(path: Path = POSTERIOR_FILE) -> Posterior | None:
    """The posterior draws in ``path``, or None if there is no such file.

    Columns are matched to uncertain parameters by keyword name or dotted key (a
    column for a parameter makes it drawn from the posterior, whatever the table
    says); other columns (a draw id, a particle) are ignored.

    Raises:
        ValueError: The file exists but has no usable rows or a bad weight column.
    """
    if not path.is_file():
        return None
    import pandas as pd

    frame = pd.read_parquet(path)
    if frame.empty:
        raise ValueError(f"{path}: no posterior draws")
    values: dict[str, np.ndarray] = {}
    for column in frame.columns:
        spec = BY_NAME.get(column) or PARAMETERS.get(column)
        if spec is not None and spec.uncertainty is not None:
            values[spec.name] = frame[column].to_numpy(float)
    if "weight" in frame.columns:
        weights = frame["weight"].to_numpy(float)
        if not (np.isfinite(weights).all() and (weights >= 0).all() and weights.sum() > 0):
            raise ValueError(f"{path}: weights must be finite, >= 0 and not all 0")
    else:
        weights = np.ones(len(frame))
    return Posterior(str(path), values, weights / weights.sum())


@dataclass
class WorldDraws:
    """The values of every drawn parameter in worlds ``0..n-1``.

    Attributes:
        values: Keyword name to its ``n`` draws.
        origin: Keyword name to ``posterior`` or ``prior``: where its draws come from.
        posterior_file: The posterior read, or None when there was none.
        posterior_rows: The posterior row of each world (empty without a posterior).
        note: What a reader must know about the draws (empty when all is as designed).
    """

    values: dict[str, list[Any]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    posterior_file: str | None = None
    posterior_rows: list[int] = field(default_factory=list)
    note: str = ""

    def world(self, r: int, names: Iterable[str]) -> dict[str, Any]:
        """The drawn values of ``names`` in world ``r``."""
        return {name: self.values[name][r] for name in names}

    def describe(self) -> dict[str, Any]:
        """A JSON-ready record for the plan: origins, posterior, note."""
        return {"origin": dict(self.origin), "posterior_file": self.posterior_file,
                "posterior_rows": list(self.posterior_rows), "note": self.note}


def draw_worlds(names: Sequence[str], seed: int, n: int,
                posterior: Posterior | bool | None = True) -> WorldDraws:
    """Draws ``0..n-1`` of the parameters ``names``.

    Args:
        names: Keyword names of uncertain parameters.
        seed: The experiment's base seed.
        n: Number of worlds (replicates).
        posterior: The posterior to draw calibrated parameters from; True reads the
            shipped one (:data:`POSTERIOR_FILE`), None or False uses the priors.
    """
    if posterior is True:
        posterior = read_posterior()
    posterior = posterior or None
    draws = WorldDraws(posterior_file=posterior.file if posterior else None)
    rows = posterior.rows(seed, n) if posterior else np.empty(0, dtype=np.int64)
    draws.posterior_rows = [int(i) for i in rows]
    from_prior = []
    for name in names:
        spec = BY_NAME[name]
        if posterior and name in posterior.values:
            column = np.clip(posterior.values[name][rows], spec.low, spec.high)
            draws.values[name] = ([int(v) for v in np.rint(column)] if spec.kind == "int"
                                  else [float(v) for v in column])
            draws.origin[name] = "posterior"
        else:
            draws.values[name] = prior_draws(spec, seed, n)
            draws.origin[name] = "prior"
            if spec.calibrated:
                from_prior.append(spec.path)
    if from_prior:
        where = (f"{posterior.file} has no column for them" if posterior
                 else f"no posterior draws are shipped yet ({POSTERIOR_FILE.name} missing)")
        draws.note = (f"{len(from_prior)} calibrated parameters drawn from their priors, "
                      f"not from a posterior, because {where}: "
                      + ", ".join(from_prior) + ". Their priors are the box the "
                      "calibration searched, far wider than the targets allow, so the "
                      "parameter intervals are wider than they should be.")
        log.warning(draws.note)
    return draws

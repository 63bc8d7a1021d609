"""Sweep designs: a full factorial grid, or a sampled design from SALib.

Factors are read from the command line (``--grid caseworkers.caseload=40,80``,
``--bounds caseworkers.annual_turnover=0.05:0.4``) and checked against the
parameter table before anything runs: unknown keys (with a did-you-mean), values
or bounds outside the allowed range, a non-integer for an integer parameter, the
same key twice. Errors are :class:`~bipsim.scenario.ScenarioError`, which the
command line reports with exit code 2.

Sampled designs: ``lhs`` (Latin hypercube; for response surfaces), ``sobol``
(Saltelli's extension of a scrambled Sobol' sequence, first-order and total
indices; ``N * (D + 2)`` points), ``morris`` (elementary effects on a 4-level grid;
``N * (D + 1)`` points). An integer parameter is sampled over its bounds and rounded
to the nearest whole number; its indices are then approximate.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from bipsim.parameters import ParameterError, ParamSpec
from bipsim.scenario import ScenarioError, resolve_path

METHODS = ("lhs", "sobol", "morris")
GRID = "command line (--grid)"
BOUNDS = "command line (--bounds)"
LEVERS = "command line (--levers)"
#: Keys a sweep cannot vary: replicate seeds come from --seed and --reps.
FIXED = ("run.seed",)


@dataclass(frozen=True)
class Factor:
    """One swept parameter.

    Attributes:
        spec: The parameter, from :data:`bipsim.parameters.PARAMETERS`.
        values: Grid levels (grid designs).
        bounds: ``(low, high)`` sampled between (sampled designs).
    """

    spec: ParamSpec
    values: tuple[Any, ...] = ()
    bounds: tuple[float, float] | None = None

    @property
    def path(self) -> str:
        """Dotted key, the factor's column name in the results table."""
        return self.spec.path


@dataclass
class Design:
    """The points of a sweep.

    Attributes:
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        factors: The swept parameters, in command-line order.
        points: One ``{keyword name: value}`` per design point, values as run.
        x: Raw sampled matrix (points x factors) as SALib made it; None for a grid.
        n: The ``--n`` base sample size (None for a grid).
    """

    method: str
    factors: list[Factor]
    points: list[dict[str, Any]]
    x: np.ndarray | None = None
    n: int | None = None

    def problem(self) -> dict[str, Any]:
        """The SALib problem: names (dotted keys) and bounds."""
        return {"num_vars": len(self.factors), "names": [f.path for f in self.factors],
                "bounds": [list(f.bounds or (0, 1)) for f in self.factors]}


def parse_grid(texts: Sequence[str]) -> list[Factor]:
    """``KEY=V1,V2,...`` per factor; values are YAML (``0.1``, ``early``, ``true``).

    Raises:
        ScenarioError: Bad syntax, unknown key, a value not allowed, a repeat.
    """
    factors = []
    for text in texts:
        key, values_text = _split(text, GRID, "KEY=V1,V2,...",
                                  "caseworkers.caseload=40,80,120")
        spec = _spec(key, GRID)
        values = []
        for piece in values_text.split(","):
            value = _validated(spec, _read_value(piece, spec, GRID), GRID)
            if value in values:
                raise ScenarioError(f"value {value!r} given twice", GRID, key=key)
            values.append(value)
        factors.append(Factor(spec, values=tuple(values)))
    _no_repeats(factors, GRID)
    return factors


def parse_bounds(texts: Sequence[str], where: str = BOUNDS) -> list[Factor]:
    """``KEY=LOW:HIGH`` per factor, inside the parameter's allowed range; errors name
    ``where`` (the flag that gave them).

    Raises:
        ScenarioError: Bad syntax, unknown key, a parameter that is not a number,
            ``LOW >= HIGH``, bounds outside the allowed range, a repeat.
    """
    factors = []
    for text in texts:
        key, bounds_text = _split(text, where, "KEY=LOW:HIGH",
                                  "caseworkers.annual_turnover=0.05:0.4")
        spec = _spec(key, where)
        if spec.kind not in ("int", "float"):
            raise ScenarioError(f"a {spec.kind} parameter cannot be sampled between bounds "
                                f"({spec.allowed()}); sweep it with --grid", where, key=key)
        low_text, sep, high_text = bounds_text.partition(":")
        if not sep:
            raise ScenarioError(f"given {bounds_text!r}, expected LOW:HIGH "
                                f"(e.g. {spec.low:g}:{spec.high:g})", where, key=key)
        bounds = []
        for piece in (low_text, high_text):
            bounds.append(float(_validated(spec, _read_value(piece, spec, where), where,
                                           "bound ")))
        if bounds[0] >= bounds[1]:
            raise ScenarioError(f"given {bounds_text!r}: the low bound must be below the high "
                                "bound", where, key=key)
        factors.append(Factor(spec, bounds=(bounds[0], bounds[1])))
    _no_repeats(factors, where)
    return factors


def lever_factors(text: str | None, bounds: Sequence[Factor] = ()) -> list[Factor]:
    """The levers a ``--levers`` sweep samples, each over its allowed range.

    Args:
        text: ``all`` (every lever that is a number) or ``KEY,KEY,...``, lever keys
            of the parameter table (role ``lever``).
        bounds: Factors from ``--bounds``: a lever among them is sampled between its
            given bounds instead, and other parameters are added after the levers.

    Raises:
        ScenarioError: An unknown key, a parameter that is not a lever, a lever that
            is a choice (sweep it with ``--grid``), a key given twice.
    """
    from bipsim.parameters import of_role

    levers = of_role("lever")
    if text in (None, "all"):
        chosen = [spec for spec in levers if spec.kind in ("int", "float")]
    else:
        chosen = []
        for key in (piece.strip() for piece in text.split(",")):
            spec = _spec(key, LEVERS)
            if spec.role != "lever":
                raise ScenarioError(f"not a lever (its role is {spec.role}); levers: "
                                    + ", ".join(s.path for s in levers), LEVERS, key=key)
            if spec.kind not in ("int", "float"):
                raise ScenarioError(f"a {spec.kind} lever cannot be sampled over a range "
                                    f"({spec.allowed()}); sweep it with --grid", LEVERS,
                                    key=key)
            chosen.append(spec)
    given = {factor.path: factor for factor in bounds}
    factors = [given.pop(spec.path, Factor(spec, bounds=(float(spec.low), float(spec.high))))
               for spec in chosen]
    factors += given.values()
    _no_repeats(factors, LEVERS)
    return factors


def grid_design(factors: list[Factor]) -> Design:
    """Every combination of the factors' levels, the first factor varying slowest."""
    names = [f.spec.name for f in factors]
    points = [dict(zip(names, combo, strict=True))
              for combo in itertools.product(*(f.values for f in factors))]
    return Design("grid", factors, points)


def sample_design(method: str, factors: list[Factor], n: int, seed: int) -> Design:
    """A sampled design from SALib, reproducible from ``seed``.

    Args:
        method: ``lhs``, ``sobol`` or ``morris``.
        factors: Factors with bounds.
        n: Base sample size: points for ``lhs``; ``N`` of Saltelli's scheme for
            ``sobol`` (a power of 2); trajectories for ``morris``.
        seed: Seed of the design (the experiment's ``--seed``).

    Raises:
        ScenarioError: Unknown method, ``n`` too small, or not a power of 2 for sobol.
    """
    from SALib.sample import latin, morris, sobol  # only imported when sampling

    if method not in METHODS:
        raise ScenarioError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}",
                            key="--sample")
    minimum = 2 if method != "lhs" else 1
    if n < minimum:
        raise ScenarioError(f"given {n}, need at least {minimum}", key="--n")
    if method == "sobol" and n & (n - 1):
        lower = 2 ** int(math.log2(n))
        raise ScenarioError(f"given {n}: Sobol' sampling needs a power of 2 to keep its "
                            f"balance; try {lower} or {2 * lower}", key="--n")
    design = Design(method, factors, [], n=n)
    problem = design.problem()
    if method == "lhs":
        x = latin.sample(problem, n, seed=seed)
    elif method == "sobol":
        x = sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    else:
        x = morris.sample(problem, n, num_levels=4, seed=seed)
    design.x = np.asarray(x, dtype=float)
    design.points = [_point(factors, row) for row in design.x]
    return design


def _point(factors: list[Factor], row: np.ndarray) -> dict[str, Any]:
    point = {}
    for factor, x in zip(factors, row, strict=True):
        low, high = factor.bounds or (-math.inf, math.inf)
        if factor.spec.kind == "int":
            point[factor.spec.name] = int(min(max(round(float(x)), low), high))
        else:  # clip: a sample may sit a rounding error outside its bounds
            point[factor.spec.name] = float(min(max(float(x), low), high))
    return point


def _split(text: str, where: str, form: str, example: str) -> tuple[str, str]:
    key, sep, rest = text.partition("=")
    key = key.strip()
    if not sep or not key or not rest.strip():
        raise ScenarioError(f"given {text!r}, expected {form} (e.g. {example})", where)
    return key, rest


def _spec(key: str, where: str) -> ParamSpec:
    spec = resolve_path(key, where)
    if spec.path in FIXED:
        raise ScenarioError("cannot be swept: replicate seeds come from --seed and --reps",
                            where, key=key)
    return spec


def _validated(spec: ParamSpec, value: Any, where: str, what: str = "") -> Any:
    """``spec.validate(value)``, its refusal reported where the value was given."""
    try:
        return spec.validate(value)
    except ParameterError as err:
        raise ScenarioError(what + err.problem, where, key=spec.path) from None


def _read_value(text: str, spec: ParamSpec, where: str) -> Any:
    """A value as YAML reads it, except that numbers read as Python reads them
    (YAML 1.1 reads ``1e-3`` as text)."""
    text = text.strip()
    if not text:
        raise ScenarioError("an empty value", where, key=spec.path)
    if spec.kind in ("int", "float"):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise ScenarioError(f"given {text!r}, not a value", where, key=spec.path) from None


def _no_repeats(factors: list[Factor], where: str) -> None:
    seen = set()
    for factor in factors:
        if factor.path in seen:
            raise ScenarioError("given twice; give each key once", where, key=factor.path)
        seen.add(factor.path)

"""Every model parameter, declared once in the packaged table ``bipsim/parameters.yaml``.

The table gives each parameter its kind, documented default, allowed range, unit,
meaning and source, and its **role**: ``context`` (size, scale, study design,
prices), ``lever`` (what a jobcentre chooses) or ``uncertainty`` (how the world
works). An uncertainty is either *calibrated* (fitted to the BIP estimates) or
known only through its *prior*. ``live`` says whether it may change while a model
runs (:meth:`bipsim.model.BipModel.set_lever`). The header of the table documents
every field.

**One value per parameter.** A calibrated parameter's default is its fitted value,
read from the shipped fit (``calibration/fitted.yaml``, written by ``bipsim
calibrate``); its first guess stays in the table, inside its prior. Every other
default is the table's. ``BipModel()``, ``mesa.batch_run`` and a scenario that sets
nothing all run these defaults, which are the baseline's.

:meth:`ParamSpec.validate` is the one check of a value, used by scenario files,
``--set``, sweeps and the model itself.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .resources import calibration_folder
from .yamlsafe import shorten

if TYPE_CHECKING:
    import numpy as np

#: The packaged table.
TABLE_FILE = Path(__file__).with_name("parameters.yaml")
#: The shipped fit: fitted values of the calibrated parameters (a scenario fragment).
FIT_FILE = calibration_folder() / "fitted.yaml"
ROLES = ("context", "lever", "uncertainty")
KINDS = ("int", "float", "bool", "choice")
#: A choice with more values than this is described by a count, not a full listing.
LISTED_CHOICES = 12
#: Where a default comes from: the table, or the shipped fit.
FROM_TABLE, FROM_FIT = "default", "fit"
#: Keys of a fit file that are records for readers, not parameter groups.
FIT_META_KEYS = ("name", "description", "calibration")


class ParameterError(ValueError):
    """A value a parameter does not allow, values that do not fit together, or a bad name.

    Attributes:
        key: Dotted key concerned (``caseworkers.annual_turnover``), None if none.
        problem: What is wrong, without the key (``given 1.5, out of range; allowed: ...``).
    """

    def __init__(self, problem: str, key: str | None = None) -> None:
        self.problem, self.key = problem, key
        super().__init__(f"{key}: {problem}" if key else problem)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the attributes when pickled between processes (parallel sweeps).
        return type(self), (self.problem, self.key)


#: Parameters of each prior distribution: required, then optional.
PRIOR_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uniform": (("low", "high"), ()),
    "loguniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sdlog"), ("low", "high")),
    "beta": (("a", "b"), ("low", "high")),
}


@dataclass(frozen=True)
class Prior:
    """What is believed about an uncertain parameter before (or instead of) a fit.

    Attributes:
        dist: ``uniform``, ``loguniform``, ``normal``, ``lognormal`` or ``beta``.
        params: The distribution's numbers (see :data:`PRIOR_FIELDS`); ``low`` and
            ``high`` always present after loading (the support).
        why: Where the distribution comes from.
    """

    dist: str
    params: dict[str, float]
    why: str

    @property
    def low(self) -> float:
        """Smallest value the prior gives."""
        return self.params["low"]

    @property
    def high(self) -> float:
        """Largest value the prior gives."""
        return self.params["high"]

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Quantiles: the values at cumulative probabilities ``u`` (for LHS, Sobol').

        Args:
            u: Probabilities in [0, 1].
        """
        import numpy as np
        from scipy import stats

        u = np.asarray(u, dtype=float)
        lo, hi, q = self.low, self.high, self.params
        if self.dist == "uniform":
            return lo + u * (hi - lo)
        if self.dist == "loguniform":
            return np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))
        if self.dist == "beta":
            return lo + (hi - lo) * stats.beta.ppf(u, q["a"], q["b"])
        if self.dist == "normal":
            mean, sd = q["mean"], q["sd"]
            return stats.truncnorm.ppf(u, (lo - mean) / sd, (hi - mean) / sd, mean, sd)
        # lognormal: a truncated normal on the log scale
        mu, sd = math.log(q["median"]), q["sdlog"]
        log_lo = math.log(lo) if lo > 0 else -math.inf
        return np.exp(stats.truncnorm.ppf(u, (log_lo - mu) / sd, (math.log(hi) - mu) / sd,
                                          mu, sd))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws."""
        return self.ppf(rng.random(n))

    def describe(self) -> str:
        """One line, e.g. ``loguniform(low=0.0003, high=0.005)``."""
        shown = {k: v for k, v in self.params.items()
                 if k in PRIOR_FIELDS[self.dist][0] or self.dist in ("normal", "lognormal")}
        return f"{self.dist}(" + ", ".join(f"{k}={v:g}" for k, v in shown.items()) + ")"


@dataclass(frozen=True)
class ParamSpec:
    """One parameter, as the table declares it.

    Attributes:
        group: Section of the scenario file (``caseworkers``).
        name: Key inside the section, also the model's keyword argument.
        default: The value in use when no scenario sets it: the fitted value of a
            calibrated parameter, else ``first_guess``.
        kind: ``int``, ``float``, ``bool`` or ``choice``.
        unit: Unit of the value, in words.
        doc: What the parameter means.
        source: Where the documented value comes from.
        low: Smallest allowed value (numbers only).
        high: Largest allowed value (numbers only).
        choices: Allowed values (``choice`` only).
        role: ``context``, ``lever`` or ``uncertainty``.
        calibrated: Fitted by ``bipsim calibrate`` (then ``prior`` is set).
        live: May change while a model runs.
        prior: Plausible values, or None.
        first_guess: The table's documented value (the default unless fitted).
        default_from: ``default`` (the table) or ``fit`` (the shipped fit).
    """

    group: str
    name: str
    default: Any
    kind: str
    unit: str
    doc: str
    source: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    role: str = "context"
    calibrated: bool = False
    live: bool = False
    prior: Prior | None = None
    first_guess: Any = None
    default_from: str = FROM_TABLE

    @property
    def path(self) -> str:
        """Dotted key as written in YAML and on the command line."""
        return f"{self.group}.{self.name}"

    @property
    def uncertainty(self) -> str | None:
        """``calibrated`` or ``prior`` if the value is uncertain (calibrated levers too)."""
        if self.calibrated:
            return "calibrated"
        return "prior" if self.role == "uncertainty" else None

    def describe_role(self) -> str:
        """Role in words: ``lever, live``, ``uncertainty (calibrated)``, ..."""
        words = self.role
        if self.uncertainty and self.role != "uncertainty":
            words += ", calibrated"
        elif self.uncertainty:
            words += f" ({self.uncertainty})"
        return words + (", live" if self.live else ", build-time")

    def mid_run_refusal(self) -> str | None:
        """Why this parameter cannot change while a model runs, None if it can.

        The one rule of what may change mid-run, used by
        :meth:`bipsim.model.BipModel.set_lever` and the scenario ``timeline:``: a
        lever whose table entry says ``live: true``.
        """
        if self.role != "lever":
            return f"not a lever ({self.describe_role()})"
        if not self.live:
            return "fixed when the model is built (it shapes its structure)"
        return None

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "choice" and len(self.choices) > LISTED_CHOICES:
            return (f"one of {len(self.choices)} names ({self.choices[0]!r}, "
                    f"{self.choices[1]!r}, ... {self.choices[-1]!r})")
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "int":
            return f"an integer from {int(self.low):,} to {int(self.high):,} ({self.unit})"
        return f"a number from {self.low:g} to {self.high:g} ({self.unit})"

    def validate(self, value: Any) -> Any:
        """The value coerced to the parameter's kind (``2.0`` to ``2`` for an int).

        Raises:
            ParameterError: Not allowed; ``problem`` says what was given, why it is
                refused and what is allowed, ``key`` is :attr:`path`.
        """
        reason = self._refusal(value)
        if reason is None:
            if self.kind == "int":
                return int(value)
            return float(value) if self.kind == "float" else value
        raise ParameterError(f"given {shorten(value)}, {reason}; allowed: {self.allowed()}",
                             self.path)

    def _refusal(self, value: Any) -> str | None:
        if self.kind == "bool":
            return None if isinstance(value, bool) else "not true/false"
        if self.kind == "choice":
            if value in self.choices:
                return None
            close = difflib.get_close_matches(str(value), self.choices, n=3)
            return "not an allowed choice" + (
                f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else "")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"not a number ({type(value).__name__})"
        if self.kind == "int" and isinstance(value, float) and not value.is_integer():
            return "not an integer"
        if not (self.low <= value <= self.high):  # NaN fails this too
            return "out of range"
        return None


# --- reading the table and the fit ------------------------------------------------------
class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ParameterError(f"line {line}: key {key!r} given twice (first on line "
                                     f"{seen[key]})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path) -> Any:
    """A YAML file of plain values, refusing repeated keys.

    Raises:
        ParameterError: Cannot read it, invalid YAML, or a repeated key (naming the file).
    """
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ParameterError(f"cannot read {path}: {exc}") from None
    except ParameterError as exc:
        raise ParameterError(f"{path}, {exc.problem}") from None


_FIELDS = {"kind", "default", "range", "choices", "unit", "role", "calibrated", "live", "prior",
           "doc", "source"}
_REQUIRED = {"kind", "default", "role", "live", "doc", "source"}


def _spec(group: str, name: str, entry: Any, fitted: dict[str, Any]) -> ParamSpec:
    where = f"{TABLE_FILE}: {group}.{name}"
    if not isinstance(entry, dict):
        raise ParameterError(f"{where}: expected a mapping of fields, given {entry!r}")
    unknown, missing = set(entry) - _FIELDS, _REQUIRED - set(entry)
    if unknown or missing:
        raise ParameterError(f"{where}: unknown fields {sorted(unknown)}, missing "
                             f"{sorted(missing)}; fields: {sorted(_FIELDS)}")
    kind, role = entry["kind"], entry["role"]
    if kind not in KINDS or role not in ROLES:
        raise ParameterError(f"{where}: kind {kind!r} / role {role!r}; allowed kinds {KINDS}, "
                             f"roles {ROLES}")
    low = high = None
    if kind in ("int", "float"):
        low, high = entry.get("range") or (None, None)
    calibrated = bool(entry.get("calibrated", False))
    spec = ParamSpec(group, name, entry["default"], kind, entry.get("unit", ""), entry["doc"],
                     entry["source"], low, high, _choices(entry.get("choices", ())), role,
                     calibrated, bool(entry["live"]), None, entry["default"])
    prior = _prior(spec, entry.get("prior"), where) if "prior" in entry else None
    if calibrated and prior is None:
        raise ParameterError(f"{where}: a calibrated parameter needs a prior")
    changes: dict[str, Any] = {"prior": prior, "default": spec.validate(spec.first_guess)}
    if name in fitted:
        changes.update(default=fitted[name], default_from=FROM_FIT)
    return dataclasses.replace(spec, **changes)


def _choices(given: Any) -> tuple[str, ...]:
    """A choice's allowed values; ``municipalities`` stands for ``none`` and the names in
    :mod:`bipsim.municipalities` (kept in one place, its table)."""
    if given == "municipalities":
        from . import municipalities
        return (municipalities.NONE, *municipalities.names())
    return tuple(given)


def _prior(spec: ParamSpec, entry: Any, where: str) -> Prior:
    if spec.kind not in ("int", "float") or not isinstance(entry, dict):
        raise ParameterError(f"{where}: prior must be a mapping, on a number parameter")
    entry = dict(entry)
    dist, why = entry.pop("dist", None), entry.pop("why", None)
    if dist not in PRIOR_FIELDS or not why:
        raise ParameterError(f"{where}: prior needs dist (one of {', '.join(PRIOR_FIELDS)}) "
                             "and why")
    required, optional = PRIOR_FIELDS[dist]
    if set(required) - set(entry) or set(entry) - {*required, *optional}:
        raise ParameterError(f"{where}: a {dist} prior takes {', '.join(required)}"
                             + (f" and optionally {', '.join(optional)}" if optional else "")
                             + f"; given {', '.join(entry)}")
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in entry.values()):
        raise ParameterError(f"{where}: prior values must be finite numbers, given {entry}")
    params = {k: float(v) for k, v in entry.items()}
    fallback = (0.0, 1.0) if dist == "beta" else (spec.low, spec.high)
    params.setdefault("low", fallback[0])
    params.setdefault("high", fallback[1])
    lo, hi = params["low"], params["high"]
    positive = [params[k] for k in ("sd", "sdlog", "a", "b", "median") if k in params]
    if (not lo < hi or not spec.low <= lo or not hi <= spec.high or min(positive, default=1) <= 0
            or (dist == "loguniform" and lo <= 0) or (dist == "lognormal" and hi <= 0)):
        raise ParameterError(f"{where}: prior {dist}({params}) must have low < high inside the "
                             f"range [{spec.low:g}, {spec.high:g}] and positive spreads")
    return Prior(dist, params, str(why))


def _read_fit(path: Path) -> dict[str, Any]:
    """Raw fitted values by parameter name (validated in :func:`_load`); none if no file."""
    if not path.is_file():
        return {}
    doc = read_yaml(path) or {}
    values: dict[str, Any] = {}
    for group, entries in doc.items():
        if group in FIT_META_KEYS:
            continue
        if not isinstance(entries, dict):
            raise ParameterError(f"{path}: {group}: expected a mapping of fitted values")
        for name, value in entries.items():
            values[f"{group}.{name}"] = value
    return values


def _load(table: Path, fit: Path) -> dict[str, ParamSpec]:
    doc = read_yaml(table)
    raw_fit = _read_fit(fit)
    fitted_names = {path.rsplit(".", 1)[-1]: value for path, value in raw_fit.items()}
    specs = {f"{g}.{n}": _spec(g, n, entry, fitted_names)
             for g, entries in doc.items() for n, entry in entries.items()}
    for path, value in raw_fit.items():
        spec = specs.get(path)
        if spec is None or not spec.calibrated:
            raise ParameterError(f"{fit}: {path} is not a calibrated parameter of {table}")
        try:
            specs[path] = dataclasses.replace(spec, default=spec.validate(value))
        except ParameterError as exc:
            raise ParameterError(f"{fit}: {exc}") from None
    return specs


#: All parameters by dotted path, in table order.
PARAMETERS: dict[str, ParamSpec] = _load(TABLE_FILE, FIT_FILE)
#: The same parameters by keyword name.
BY_NAME: dict[str, ParamSpec] = {spec.name: spec for spec in PARAMETERS.values()}
if len(BY_NAME) != len(PARAMETERS):
    raise ParameterError(f"{TABLE_FILE}: parameter names must be unique across groups")
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in PARAMETERS.values()))


def defaults() -> dict[str, Any]:
    """Value in use of every parameter when nothing sets it, by keyword name."""
    return {spec.name: spec.default for spec in PARAMETERS.values()}


def of_role(role: str) -> list[ParamSpec]:
    """Parameters of one role (``context``, ``lever``, ``uncertainty``), in table order."""
    if role not in ROLES:
        raise ParameterError(f"no role {role!r}; roles: {', '.join(ROLES)}")
    return [spec for spec in PARAMETERS.values() if spec.role == role]


def markdown_table(specs: list[ParamSpec] | None = None) -> str:
    """Parameters as a Markdown table: key, default in use, allowed, role, meaning, source."""
    rows = ["| key | default | allowed | role | meaning | source |", "|---|---|---|---|---|---|"]
    for spec in specs if specs is not None else PARAMETERS.values():
        source = spec.source
        if spec.default_from == FROM_FIT:
            source = f"fitted (calibration/fitted.yaml); first guess `{spec.first_guess}`: {source}"
        role = spec.describe_role()
        if spec.prior is not None:
            role += f"; prior {spec.prior.describe()}"
        cells = (f"`{spec.path}`", f"`{spec.default}`", spec.allowed(), role, spec.doc, source)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)

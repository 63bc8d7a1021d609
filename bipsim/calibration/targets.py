"""Calibration targets: loading and checking ``calibration/targets.yaml``.

A bad file (unknown statistic or key, a missing value, an impossible interval) raises
:class:`TargetsError` naming the file, line and target.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .study import STATISTICS

Z95 = 1.959964
_KEYS = {"statistic", "value", "se", "interval", "scale", "kind", "definition", "source",
         "uncertainty_note"}


class TargetsError(Exception):
    """A targets file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Target:
    """One published estimate and how far a simulated one may be from it.

    Attributes:
        name: Target id (``T4_hr_belief``).
        statistic: The simulated statistic compared with it (see ``STATISTICS``).
        value: Published value.
        se: Standard error, on the log scale when ``scale == "log"``.
        scale: ``linear`` or ``log`` (ratios are compared as logs).
        kind: ``estimate`` (two-sided) or ``lower_bound`` (only lower values cost).
        definition: What the number means in this model.
        source: Where it comes from.
    """

    name: str
    statistic: str
    value: float
    se: float
    scale: str = "linear"
    kind: str = "estimate"
    definition: str = ""
    source: str = ""

    def z(self, simulated: float, mc_se: float = 0.0) -> float:
        """Signed distance in standard errors (target and Monte Carlo error combined)."""
        sd = float(np.hypot(self.se, mc_se))
        if self.scale == "log":
            gap = np.log(simulated) - np.log(self.value)
        else:
            gap = simulated - self.value
        if self.kind == "lower_bound":
            gap = min(gap, 0.0)
        return float(gap / sd)

    def interval(self) -> tuple[float, float]:
        """The 95 % interval of the published value."""
        if self.scale == "log":
            factor = float(np.exp(Z95 * self.se))
            return (self.value / factor, self.value * factor)
        return (self.value - Z95 * self.se, self.value + Z95 * self.se)


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file."""
    path = Path(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except FileNotFoundError:
        raise TargetsError(f"{path}: file not found") from None
    except yaml.YAMLError as err:
        raise TargetsError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise TargetsError(f"{path}: expected a mapping of target names to targets")
    return [_target(path, key.value, node) for key, node in root.value]


def _target(path: Path, name: str, node: yaml.Node) -> Target:
    where = f"{path}, line {node.start_mark.line + 1}: target {name}"
    if not isinstance(node, yaml.MappingNode):
        raise TargetsError(f"{where}: expected a mapping with statistic, value and se")
    spec = yaml.safe_load(yaml.serialize(node))
    unknown = set(spec) - _KEYS
    if unknown:
        raise TargetsError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: "
                           + ", ".join(sorted(_KEYS)))
    statistic = spec.get("statistic")
    if statistic not in STATISTICS:
        close = difflib.get_close_matches(str(statistic), STATISTICS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TargetsError(f"{where}: statistic {statistic!r} is not one the study "
                           f"produces{hint} (known: {', '.join(STATISTICS)})")
    value = spec.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TargetsError(f"{where}: value {value!r} missing or not a number")
    scale = spec.get("scale", "linear")
    kind = spec.get("kind", "estimate")
    if scale not in ("linear", "log") or kind not in ("estimate", "lower_bound"):
        raise TargetsError(f"{where}: scale must be linear or log, kind estimate or "
                           f"lower_bound; given {scale!r}, {kind!r}")
    if scale == "log" and value <= 0:
        raise TargetsError(f"{where}: value {value} must be positive on the log scale")
    se = _standard_error(where, spec, float(value), scale)
    return Target(name, statistic, float(value), se, scale, kind,
                  " ".join(str(spec.get("definition", "")).split()),
                  str(spec.get("source", "")))


def _standard_error(where: str, spec: dict, value: float, scale: str) -> float:
    if ("se" in spec) == ("interval" in spec):
        raise TargetsError(f"{where}: give exactly one of se or interval")
    if "se" in spec:
        se = spec["se"]
        if isinstance(se, bool) or not isinstance(se, (int, float)) or se <= 0:
            raise TargetsError(f"{where}: se {se!r} must be a positive number")
        return float(se)
    interval = spec["interval"]
    if (not isinstance(interval, list) or len(interval) != 2
            or not all(isinstance(v, (int, float)) for v in interval)):
        raise TargetsError(f"{where}: interval {interval!r} must be [low, high]")
    low, high = (float(v) for v in interval)
    if not low < value < high:
        raise TargetsError(f"{where}: impossible interval [{low}, {high}]: it must "
                           f"contain the value {value} with low < high")
    if scale == "log":
        if low <= 0:
            raise TargetsError(f"{where}: interval [{low}, {high}] must be positive "
                               "on the log scale")
        return (np.log(high) - np.log(low)) / (2 * Z95)
    return (high - low) / (2 * Z95)

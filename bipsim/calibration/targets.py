"""Calibration targets: loading and checking ``calibration/targets.yaml``.

A bad file (unknown statistic or key, a target or key given twice, a missing, NaN or
infinite number, an impossible interval, a tag, an oversized or non-UTF-8 file) raises
:class:`TargetsError` naming the file, line, target and key, what was given and what
is allowed; the file is read with :mod:`bipsim.yamlsafe`'s limits.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .. import yamlsafe
from ..errors import InputError, shorten
from .study import STATISTICS

Z95 = 1.959964
_KEYS = {"statistic", "value", "se", "interval", "scale", "kind", "definition", "source",
         "uncertainty_note"}


#: Two-sided estimates and one-sided bounds.
KINDS = ("estimate", "lower_bound", "upper_bound")


class TargetsError(InputError):
    """A targets file or option that cannot be used; ``str()`` says where and why.

    Attributes:
        problem: What is wrong, without the location.
        file: The targets file, None if not about a file.
        line: 1-based line in ``file``, None if unknown.
        key: ``target`` or ``target.key`` concerned, None if none.
    """


@dataclass(frozen=True)
class Target:
    """One published estimate and how far a simulated one may be from it.

    Attributes:
        name: Target id (``T4_hr_belief``).
        statistic: The simulated statistic compared with it (see ``STATISTICS``).
        value: Published value.
        se: Standard error, on the log scale when ``scale == "log"``.
        scale: ``linear`` or ``log`` (ratios are compared as logs).
        kind: ``estimate`` (two-sided), ``lower_bound`` (only lower values cost) or
            ``upper_bound`` (only higher values cost).
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
        elif self.kind == "upper_bound":
            gap = max(gap, 0.0)
        return float(gap / sd)

    def interval(self) -> tuple[float, float]:
        """The 95 % interval of the published value."""
        if self.scale == "log":
            factor = float(np.exp(Z95 * self.se))
            return (self.value / factor, self.value * factor)
        return (self.value - Z95 * self.se, self.value + Z95 * self.se)


def load_targets(path: str | Path) -> list[Target]:
    """Read and check a targets file, as strictly as a scenario.

    Raises:
        TargetsError: Anything wrong: unreadable or oversized file, invalid YAML, a
            tag, a target or key given twice, an unknown key, a missing, non-finite or
            impossible number, an unknown statistic.
    """
    shown = str(path)
    try:
        root = yamlsafe.compose_file(path)
        if root is not None:
            yamlsafe.check_tags(root)
    except yamlsafe.YamlInputError as err:
        raise TargetsError(err.problem, shown, err.line) from None
    if not isinstance(root, MappingNode) or not root.value:
        raise TargetsError("expected a mapping of target names to targets (T1_job_12m: "
                           "{statistic: ..., value: ..., se: ...})", shown,
                           _line(root) if root is not None else None)
    return [_target(shown, name, node) for name, node in _pairs(shown, root, None)]


def _target(path: str, name: str, node: Node) -> Target:
    if not isinstance(node, MappingNode):
        raise TargetsError(f"given {_given(node)}, expected a mapping with statistic, value "
                           "and se (or interval)", path, _line(node), name)
    spec: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value_node in _pairs(path, node, name):
        field = key.rsplit(".", 1)[-1]
        if field not in _KEYS:
            close = difflib.get_close_matches(field, _KEYS, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise TargetsError(f"unknown key(s) [{shorten(field)}]; allowed: "
                               + ", ".join(sorted(_KEYS)) + hint, path, _line(value_node), key)
        spec[field] = _plain(path, key, value_node)
        lines[field] = _line(value_node)

    def fail(field: str, problem: str) -> TargetsError:
        return TargetsError(problem, path, lines.get(field, _line(node)), f"{name}.{field}")

    statistic = spec.get("statistic")
    if not isinstance(statistic, str) or statistic not in STATISTICS:
        close = difflib.get_close_matches(str(statistic), STATISTICS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise fail("statistic", f"statistic {shorten(statistic)} is not one the study "
                                f"produces{hint}; allowed: {', '.join(STATISTICS)}")
    value = _number(spec, "value", fail)
    scale = spec.get("scale", "linear")
    kind = spec.get("kind", "estimate")
    if scale not in ("linear", "log"):
        raise fail("scale", f"given {shorten(scale)}; allowed: linear, log")
    if kind not in KINDS:
        raise fail("kind", f"given {shorten(kind)}; allowed: {', '.join(KINDS)}")
    if scale == "log" and value <= 0:
        raise fail("value", f"value {value} must be positive on the log scale")
    for text in ("definition", "source", "uncertainty_note"):
        if not isinstance(spec.get(text, ""), str):
            raise fail(text, f"given {shorten(spec[text])}; allowed: text")
    se = _standard_error(spec, value, scale, fail)
    return Target(name, statistic, value, se, scale, kind,
                  " ".join(str(spec.get("definition", "")).split()),
                  str(spec.get("source", "")))


def _standard_error(spec: dict, value: float, scale: str,
                    fail: Callable[[str, str], TargetsError]) -> float:
    if ("se" in spec) == ("interval" in spec):
        raise fail("se", "give exactly one of se or interval")
    if "se" in spec:
        se = _number(spec, "se", fail)
        if se <= 0:
            raise fail("se", f"se {se!r} must be a positive number")
        return se
    interval = spec["interval"]
    if (not isinstance(interval, list) or len(interval) != 2
            or not all(_is_number(v) for v in interval)):
        raise fail("interval", f"interval {shorten(interval)} must be [low, high], two "
                               "finite numbers")
    low, high = (float(v) for v in interval)
    if not low < value < high:
        raise fail("interval", f"impossible interval [{low}, {high}]: it must contain the "
                               f"value {value} with low < high")
    if scale == "log":
        if low <= 0:
            raise fail("interval", f"interval [{low}, {high}] must be positive on the log "
                                   "scale")
        return float((np.log(high) - np.log(low)) / (2 * Z95))
    return (high - low) / (2 * Z95)


def _number(spec: dict, field: str, fail: Callable[[str, str], TargetsError]) -> float:
    given = spec.get(field)
    if not _is_number(given):
        what = "missing" if given is None else f"given {shorten(given)}, not a finite number"
        raise fail(field, f"{field} {what}; allowed: a finite number")
    return float(given)


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool, NaN or infinity)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _pairs(path: str, node: MappingNode, prefix: str | None) -> Iterator[tuple[str, Node]]:
    """``(dotted key, value node)`` of a mapping, refusing odd and duplicate keys."""
    first: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or not key_node.value:
            raise TargetsError("keys must be plain names", path, _line(key_node), prefix)
        key = f"{prefix}.{key_node.value}" if prefix else key_node.value
        if key in first:
            what = "key" if prefix else "target"
            raise TargetsError(f"{what} given twice (first on line {first[key]})", path,
                               _line(key_node), key)
        first[key] = _line(key_node)
        yield key, value_node


def _plain(path: str, key: str, node: Node) -> Any:
    """The plain value of a node (tags checked already; lists of scalars allowed)."""
    try:
        if isinstance(node, ScalarNode):
            return yamlsafe.scalar(node)
        if isinstance(node, SequenceNode) and all(isinstance(v, ScalarNode) for v in node.value):
            return [yamlsafe.scalar(v) for v in node.value]
    except yamlsafe.YamlInputError as err:
        raise TargetsError(err.problem, path, err.line, key) from None
    raise TargetsError(f"given {_given(node)}; allowed: a single value (or [low, high] for "
                       "interval)", path, _line(node), key)


def _given(node: Node) -> str:
    kind = {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a value")
    return f"{shorten(node.value)} ({kind})" if isinstance(node, ScalarNode) else kind


def _line(node: Node) -> int:
    return node.start_mark.line + 1

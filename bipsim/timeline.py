"""Reforms on a date: a scenario's ``timeline:`` of dated lever changes.

In the spirit of OpenFisca's dated parameter values, a scenario lists changes that
apply from a given week, each setting one or more levers::

    start_date: 2026-01-05         # the day week 1 begins (optional)
    timeline:
      - from: 2027-01-04           # or from_week: 53
        phase_in_weeks: 26         # optional; 0 (the default) means at once
        set:
          caseworkers.expectations_training: 0.5
          interventions.placement_timing: early

**When.** A change applies at the start of its week, before that week's steps,
through :meth:`bipsim.model.BipModel.set_lever` (the path the dashboard uses), so
weeks 0 .. ``from_week - 1`` are exactly the run without it (common random
numbers). A date acts from the first week that begins on or after it.

**Phase-in.** A number moves linearly from the value in use the week before to
the target over ``phase_in_weeks`` weeks: in week ``from_week + k`` (``k = 0 ..
n - 1``) it has gone ``(k + 1) / n`` of the way, so it reaches the target in week
``from_week + n - 1``. An integer lever takes the nearest integer (halves up). A
choice or a true/false lever switches in ``from_week`` whatever the phase-in.

**What may change.** Live levers (:meth:`bipsim.parameters.ParamSpec.mid_run_refusal`),
and the build-time levers of :data:`RESHAPED`, whose structure the model re-derives
at the start of the week (``caseworkers.caseload``: each jobcentre's caseworker
posts, :mod:`bipsim.posts`; phased in, the posts grow or shrink step by step). An
uncertainty and the context are refused. Two changes of one lever may not overlap:
the second starts after the first has reached its target.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .parameters import BY_NAME, PARAMETERS, ParameterError, ParamSpec
from .yamlsafe import shorten

#: Keys of one change, as written in a scenario.
ENTRY_KEYS = ("from_week", "from", "phase_in_weeks", "set")
#: Longest phase-in, in weeks (the longest run the table allows).
MAX_PHASE_IN = int(PARAMETERS["run.weeks"].high)


#: Build-time levers a timeline may change all the same, and what the model re-derives
#: at the start of the week they change in (:meth:`bipsim.model.BipModel.step`).
RESHAPED = {"caseload": "each jobcentre's caseworker posts (bipsim/posts.py)"}


def dated_levers() -> list[str]:
    """Dotted keys of every lever a timeline may change, in table order."""
    return [spec.path for spec in PARAMETERS.values()
            if spec.mid_run_refusal() is None or spec.name in RESHAPED]


def lever_spec(key: str) -> ParamSpec:
    """The parameter a timeline's ``set:`` key names, if it may change mid-run.

    Raises:
        ParameterError: Unknown key (with close matches), or not a live lever.
    """
    spec = PARAMETERS.get(key)
    if spec is None:
        allowed = dated_levers()
        hits = difflib.get_close_matches(key, allowed, n=3) or difflib.get_close_matches(
            key, PARAMETERS, n=3)
        hint = f"did you mean {' or '.join(hits)}?" if hits else f"allowed: {', '.join(allowed)}"
        raise ParameterError(f"unknown parameter; {hint}", key)
    refusal = spec.mid_run_refusal()
    if refusal is not None and spec.name not in RESHAPED:
        reshaped = ", ".join(BY_NAME[name].path for name in RESHAPED)
        raise ParameterError(f"{refusal}, so it cannot change on a timeline; set it in its "
                             f"section ({spec.group}:) instead; allowed: a live lever "
                             "(`bipsim params --role lever` lists them, role 'lever, live')"
                             f" or {reshaped}", key)
    return spec


def check_week(value: Any, key: str, low: int) -> int:
    """A whole number of weeks of at least ``low``.

    Raises:
        ParameterError: Not a whole number, or below ``low``.
    """
    whole = (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())
    if not whole or value < low:
        what = "a week from 1 (week 0 is the model as built)" if low else "0 or more weeks"
        raise ParameterError(f"given {shorten(value)}; allowed: {what}, a whole number", key)
    return int(value)


def week_of_date(date: dt.date, start: dt.date) -> int:
    """The first week that begins on or after ``date``; week 1 begins on ``start``.

    Raises:
        ParameterError: ``date`` before ``start``.
    """
    days = (date - start).days
    if days < 0:
        raise ParameterError(f"given {date.isoformat()}, before start_date "
                             f"{start.isoformat()}; allowed: a date on or after it", "from")
    return 1 + math.ceil(days / 7)


@dataclass(frozen=True)
class Change:
    """One dated change of one or more levers.

    Attributes:
        from_week: First week it acts in (1-based; week 0 is the model as built).
        values: Target value by keyword name, validated, in table order.
        phase_in_weeks: Weeks over which numbers move to their targets (0: at once).
        from_date: The date as written (``from:``), or None if given as a week.
        file: Scenario file that gave it, or None (Python, a plan).
        line: Its line in ``file``.
    """

    from_week: int
    values: dict[str, Any]
    phase_in_weeks: int = 0
    from_date: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def last_week(self) -> int:
        """The week in which every lever of the change has reached its target."""
        return self.from_week + max(self.phase_in_weeks, 1) - 1

    @property
    def source(self) -> str | None:
        """``FILE:LINE`` of the change, None if it came from Python."""
        return f"{self.file}:{self.line}" if self.file else None

    def value_in(self, name: str, week: int, before: Any) -> Any:
        """Value of lever ``name`` in ``week`` (at least ``from_week``), moving from
        ``before``, the value in use the week before the change."""
        target, spec = self.values[name], BY_NAME[name]
        n = self.phase_in_weeks
        if spec.kind not in ("int", "float") or n <= 1 or week >= self.last_week:
            return target
        share = (week - self.from_week + 1) / n
        value = before + (target - before) * share
        return math.floor(value + 0.5) if spec.kind == "int" else value

    def to_plain(self) -> dict[str, Any]:
        """JSON/YAML-ready record; :meth:`Timeline.from_plain` reads it back."""
        out: dict[str, Any] = {"from_week": self.from_week,
                               "phase_in_weeks": self.phase_in_weeks,
                               "set": {BY_NAME[k].path: v for k, v in self.values.items()}}
        if self.from_date:
            out["from"] = self.from_date
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Timeline:
    """Every dated change of a scenario, in the order given (``extends`` first)."""

    changes: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def first_week(self) -> int | None:
        """The first week any change acts in; None without changes."""
        return min((c.from_week for c in self.changes), default=None)

    def problems(self, weeks: int, weeks_from: str) -> list[tuple[Change, str, str]]:
        """What does not fit: changes beyond the run, changes of one lever overlapping.

        Args:
            weeks: The run's length (``run.weeks``).
            weeks_from: Where that length comes from, for the message.

        Returns:
            ``(change, key, problem)`` for each problem, in the order given.
        """
        found: list[tuple[Change, str, str]] = []
        for change in self.changes:
            if change.last_week > weeks:
                acts = (f"week {change.from_week}" if change.last_week == change.from_week
                        else f"weeks {change.from_week}-{change.last_week}")
                found.append((change, "timeline.from_week" if change.from_date is None else
                              "timeline.from", f"acts in {acts}, beyond the run's {weeks} weeks "
                              f"(run.weeks from {weeks_from}); allowed: changes that reach "
                              f"their target by week {weeks}"))
        busy: dict[str, Change] = {}
        for change in sorted(self.changes, key=lambda c: c.from_week):
            for name in change.values:
                earlier = busy.get(name)
                if earlier is not None and change.from_week <= earlier.last_week:
                    where = f" ({earlier.source})" if earlier.source else ""
                    found.append((change, f"timeline.set.{BY_NAME[name].path}",
                                  f"overlaps the change from week {earlier.from_week} to week "
                                  f"{earlier.last_week}{where}; allowed: a change of the same "
                                  f"lever from week {earlier.last_week + 1} on"))
                busy[name] = change
        return found

    def schedule(self, base: Mapping[str, Any]) -> dict[int, dict[str, Any]]:
        """The values to set at the start of each week, from the values ``base`` in
        use before any change; a week lists only levers whose value changes."""
        weekly: dict[int, dict[str, Any]] = {}
        current = dict(base)
        for change in sorted(self.changes, key=lambda c: c.from_week):
            for name in change.values:
                before = current[name]
                for week in range(change.from_week, change.last_week + 1):
                    value = BY_NAME[name].validate(change.value_in(name, week, before))
                    if value != current[name]:
                        weekly.setdefault(week, {})[name] = current[name] = value
        return {week: weekly[week] for week in sorted(weekly)}

    def describe(self, base: Mapping[str, Any]) -> list[str]:
        """One line per change, e.g. ``from week 53 (2027-01-04): company_slots_per_100
        12 -> 24 over 26 weeks``, with ``base`` the values before any change."""
        current, lines = dict(base), []
        for change in sorted(self.changes, key=lambda c: c.from_week):
            when = f"from week {change.from_week}" + (
                f" ({change.from_date})" if change.from_date else "")
            parts = []
            for name, target in change.values.items():
                phased = (change.phase_in_weeks > 1
                          and BY_NAME[name].kind in ("int", "float"))
                parts.append(f"{BY_NAME[name].path} {_shown(current[name])} -> "
                             f"{_shown(target)}"
                             + (f" over {change.phase_in_weeks} weeks" if phased else ""))
                current[name] = target
            lines.append(f"{when}: " + ", ".join(parts))
        return lines

    def to_plain(self) -> list[dict[str, Any]]:
        """JSON/YAML-ready records, one per change."""
        return [change.to_plain() for change in self.changes]

    @classmethod
    def from_plain(cls, items: Timeline | Iterable[Mapping[str, Any]] | None) -> Timeline:
        """A timeline from records such as :meth:`to_plain` writes (``from_week``,
        optional ``phase_in_weeks``, ``set`` of dotted lever keys; ``from`` and
        ``source`` are kept as records only).

        Raises:
            ParameterError: Every problem found, together.
        """
        if items is None or isinstance(items, Timeline):
            return items or cls()
        changes, problems = [], []
        for item in items:
            try:
                changes.append(_change_from_plain(item))
            except ParameterError as exc:
                problems.append(str(exc))
        if problems:
            raise ParameterError("timeline: " + "; ".join(problems))
        return cls(tuple(changes))


def _change_from_plain(item: Mapping[str, Any]) -> Change:
    if not isinstance(item, Mapping) or not isinstance(item.get("set"), Mapping):
        raise ParameterError(f"given {shorten(item)}; allowed: a mapping with from_week, "
                             "phase_in_weeks (optional) and set: {lever: value}")
    unknown = set(item) - {*ENTRY_KEYS, "source"}
    if unknown:
        raise ParameterError(f"unknown keys {sorted(unknown)}; allowed: "
                             + ", ".join(ENTRY_KEYS))
    week = check_week(item.get("from_week"), "from_week", 1)
    phase = check_week(item.get("phase_in_weeks", 0), "phase_in_weeks", 0)
    values = {}
    for key, raw in item["set"].items():
        spec = lever_spec(key)
        values[spec.name] = spec.validate(raw)
    if not values:
        raise ParameterError("set: empty; allowed: one or more lever: value")
    return Change(week, in_table_order(values), phase, item.get("from"))


def _shown(value: Any) -> str:
    """A lever value for a sentence: ``12`` rather than ``12.0``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def in_table_order(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` by keyword name, ordered as the parameter table (a fixed order of
    :func:`bipsim.live.set_lever` calls within a week)."""
    return {name: values[name] for name in BY_NAME if name in values}

"""Scenario files: YAML ``group: {name: value}`` with ``extends`` and ``--set`` overrides.

Every value is checked with :meth:`bipsim.parameters.ParamSpec.validate`; a problem
raises :class:`ScenarioError` naming file, line, key, the value given and what is
allowed, so a typo never silently falls back to a default. All problems of one
file (or of the command line's overrides) are reported together.

**extends.** ``extends: baseline`` or a list, ``extends: [early_placement,
continuity]``. Values are applied in this order: the defaults (the shipped fit for
calibrated parameters), then each parent in the order listed (a later parent
overrides an earlier one), then the file itself, which overrides all its parents.
Each parent brings its own parents first, and a file reached twice (two parents
that both extend ``baseline``) is applied once, the first time, so a parent always
overrides the files it extends. Overrides from the command line come last.

**timeline.** Dated lever changes (:mod:`bipsim.timeline`), optionally with a
``start_date:`` (the day week 1 begins) so changes can be given ``from:`` a date.
The timelines of all files are joined in the order the files apply (a scenario
extending two reforms gets both); ``start_date`` is the last file's that gives one.
``--set`` changes the value in use *before* the changes, which still apply from
their weeks; a change beyond ``run.weeks`` (however set) or two changes of one lever
that overlap are refused.

**Where a value comes from.** :attr:`Scenario.sources` records, for every
parameter, ``default``, ``fit``, ``FILE:LINE`` or the flag that set it (``--set``,
``--weeks``); ``bipsim params SCENARIO`` shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bipsim import municipalities, yamlsafe
from bipsim.errors import InputError, shorten
from bipsim.parameters import BY_NAME, GROUPS, PARAMETERS, ParameterError, ParamSpec
from bipsim.resources import scenarios_folder
from bipsim.timeline import (
    ENTRY_KEYS,
    MAX_PHASE_IN,
    Change,
    Timeline,
    check_week,
    in_table_order,
    lever_spec,
    week_of_date,
)

#: Scenarios shipped with the package, searched after ``./scenarios``.
PACKAGE_SCENARIOS = scenarios_folder()
#: Source of a value given with ``--set`` (stands in for the file in errors).
COMMAND_LINE = "--set"

_META_KEYS = ("extends", "name", "description", "calibration", "start_date", "timeline")
# ``calibration:`` holds the provenance of fitted parameters (calibration/fitted.yaml):
# a record for readers, not parameters, so it is not validated or inherited.
_SUFFIXES = (".yaml", ".yml")
_STD = yamlsafe.STANDARD_TAG
_NULL = _STD + "null"
# Tags the safe resolver gives plain values. Anything else (``!!python/...``, ``!foo``)
# asks a loader to build objects, so it is refused before anything is constructed.
_SAFE_TAGS = yamlsafe.SAFE_TAGS
# What PyYAML's safe constructors raise when an explicit tag does not fit ('!!int abc').
_CONSTRUCT_ERRORS = (yaml.YAMLError, ValueError, TypeError, KeyError, AttributeError)


class ScenarioError(InputError):
    """A scenario that cannot be loaded; ``str()`` says where and why.

    One error may carry several problems of the same file (``errors``); its own
    attributes are those of the first.

    Attributes:
        problem: What is wrong, without the location.
        file: File as given, or the flag (``--set``, ``--weeks``); None if unknown.
        line: 1-based line in ``file``, None if unknown.
        key: Dotted key concerned (``caseworkers.annual_turnover``), None if none.
        errors: Every problem, this one first.
    """

    def __init__(self, problem: str, file: str | None = None, line: int | None = None,
                 key: str | None = None, more: Sequence[ScenarioError] = ()) -> None:
        super().__init__(problem, file, line, key)
        self.errors: tuple[ScenarioError, ...] = (self, *more)
        if more:
            self.args = (f"{len(self.errors)} problems:\n  "
                         + "\n  ".join(e.location() for e in self.errors),)

    def location(self) -> str:
        """This problem alone, with its file, line and key."""
        where = f"{self.file}, line {self.line}" if self.file and self.line else self.file
        return ": ".join(part for part in (where, self.key, self.problem) if part)

    @classmethod
    def combine(cls, errors: Sequence[ScenarioError]) -> ScenarioError:
        """One error reporting all ``errors`` (at least one)."""
        first = errors[0]
        return cls(first.problem, first.file, first.line, first.key, errors[1:])

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the attributes when pickled between processes (parallel sweeps).
        return type(self), (self.problem, self.file, self.line, self.key, self.errors[1:])


@dataclass(frozen=True)
class Override:
    """A value given on the command line, after all files.

    Attributes:
        key: Dotted key, ``run.weeks``.
        value: The value as given (validated when the scenario loads).
        source: The flag that gave it, ``--set`` or e.g. ``--weeks``; errors blame it.
    """

    key: str
    value: Any
    source: str = COMMAND_LINE


@dataclass
class Scenario:
    """A fully resolved scenario.

    Attributes:
        name: ``name:`` of the requested file, else its stem (not inherited).
        description: ``description:`` of the requested file, else "" (not inherited).
        files: Every file applied, in the order applied (``extends`` first), the
            requested file last.
        params: Every parameter by keyword name, defaults filled in, values coerced.
        overrides: ``group.name=value`` changes applied after the files.
        sources: Where each parameter's value comes from, by keyword name:
            ``default``, ``fit``, ``FILE:LINE``, ``--set``, another flag, or
            ``with_params``.
        timeline: Dated lever changes of every file, weeks resolved.
        start_date: The day week 1 begins (``YYYY-MM-DD``), None if not given.
    """

    name: str
    description: str
    files: list[str]
    params: dict[str, Any]
    overrides: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    timeline: Timeline = field(default_factory=Timeline)
    start_date: str | None = None

    def nested(self) -> dict[str, Any]:
        """Name, description and ``{group: {name: value}}`` for every parameter.

        Loads back with :func:`load_scenario`; dump with ``sort_keys=False`` to keep
        declaration order.
        """
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        if self.start_date:
            out["start_date"] = self.start_date
        for spec in PARAMETERS.values():
            out.setdefault(spec.group, {})[spec.name] = self.params[spec.name]
        if self.timeline:  # weeks resolved, so it loads back without the start date
            out["timeline"] = [{k: v for k, v in change.items() if k in ENTRY_KEYS
                                and k != "from"} for change in self.timeline.to_plain()]
        return out

    def source_of(self, name: str) -> str:
        """Where a parameter's value comes from (the default's origin if unrecorded)."""
        return self.sources.get(name) or BY_NAME[name].default_from

    def with_params(self, **changes: Any) -> Scenario:
        """Validated copy with parameters changed by keyword name, noted in ``overrides``.

        Raises:
            ScenarioError: Unknown names or values not allowed (all of them).
        """
        params, notes, sources, errors = dict(self.params), [], dict(self.sources), []
        for name, raw in changes.items():
            if name not in BY_NAME:
                errors.append(ScenarioError("unknown parameter" + _suggest(name), key=name))
                continue
            try:
                params[name] = BY_NAME[name].validate(raw)
            except ParameterError as exc:
                errors.append(ScenarioError(exc.problem, key=exc.key))
                continue
            sources[name] = "with_params"
            notes.append(f"{BY_NAME[name].path}={json.dumps(params[name])}")
        if errors:
            raise ScenarioError.combine(errors)
        _one_municipality(params, sources)
        return dataclasses.replace(self, params=params, overrides=[*self.overrides, *notes],
                                   sources=sources)


def resolve_path(key: str, file: str | None = None, line: int | None = None) -> ParamSpec:
    """Look up a dotted ``group.name`` key.

    Raises:
        ScenarioError: Unknown key; the message suggests close matches.
    """
    if key not in PARAMETERS:
        raise ScenarioError("unknown parameter" + _suggest(key), file, line, key)
    return PARAMETERS[key]


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``group.name=value``; the value is YAML, so ``0.1``, ``early``, ``true`` work.

    Raises:
        ScenarioError: No ``=``, empty key, or a value YAML cannot read.
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"given {shorten(text)}, expected group.name=value "
                            "(e.g. caseworkers.annual_turnover=0.25)", COMMAND_LINE)
    try:
        return key, yamlsafe.load_value(value)
    except yamlsafe.YamlInputError as exc:
        raise ScenarioError(f"given {shorten(value)}, not a valid value ({exc})", COMMAND_LINE,
                            key=key) from None


def load_scenario(source: str | os.PathLike[str],
                  overrides: Sequence[str | Override] = ()) -> Scenario:
    """Load a scenario file, the files it extends, and command-line overrides.

    Args:
        source: Path to a YAML file, or a bare name (``baseline``) looked up as
            ``<name>.yaml`` in ``./scenarios``, then in the package's ``scenarios``.
        overrides: ``group.name=value`` strings (from ``--set``) or
            :class:`Override` values from other flags, applied after all files. A
            key given twice is refused.

    Raises:
        ScenarioError: Anything wrong with the files or overrides.
    """
    files = _resolve_files(_locate(os.fspath(source)))
    top = files[-1]
    return _resolve(top.name or Path(top.path).stem, top.description or "", files, overrides)


def defaults_scenario(overrides: Sequence[str | Override] = ()) -> Scenario:
    """The defaults alone (no file), with overrides: what ``BipModel()`` runs.

    Raises:
        ScenarioError: Anything wrong with the overrides.
    """
    return _resolve("defaults", "Every parameter at its default.", [], overrides)


def _resolve(name: str, description: str, files: list[_File],
             overrides: Sequence[str | Override]) -> Scenario:
    params = {spec.name: spec.default for spec in PARAMETERS.values()}
    sources = {spec.name: spec.default_from for spec in PARAMETERS.values()}
    for loaded in files:
        for key, value in loaded.values.items():
            params[key] = value
            sources[key] = f"{loaded.path}:{loaded.lines[key]}"
    notes = _apply_overrides(overrides, params, sources)
    _one_municipality(params, sources)
    start = next((loaded.start_date for loaded in reversed(files) if loaded.start_date), None)
    timeline = _resolve_timeline(files, start, params["weeks"], sources["weeks"]
                                 if sources["weeks"] != "default" else "the default")
    return Scenario(name, description, [loaded.path for loaded in files], params, notes,
                    sources, timeline, start.isoformat() if start else None)


def _one_municipality(params: dict[str, Any], sources: dict[str, str]) -> None:
    """With ``population.municipality`` set, its size replaces ``n_citizens`` and
    ``n_jobcentres`` (noted as their source); then the number of jobcentres must fit
    (:func:`bipsim.municipalities.count_problem`)."""
    name = params["municipality"]
    if name != municipalities.NONE:
        municipalities.apply(params)
        for key in ("n_citizens", "n_jobcentres"):
            sources[key] = f"population.municipality={name}"
    problem = municipalities.count_problem(params)
    if problem:
        raise ScenarioError(f"{problem} (n_jobcentres given by {sources['n_jobcentres']})",
                            key="population.n_jobcentres")


def _resolve_timeline(files: list[_File], start: dt.date | None, weeks: int,
                      weeks_from: str) -> Timeline:
    """Every file's changes, dates turned into weeks, checked against the run's length."""
    changes, errors = [], []
    for loaded in files:
        for change, date in loaded.timeline:
            if date is not None:
                if start is None:
                    errors.append(ScenarioError(
                        f"given {date.isoformat()}, but no file gives start_date: (the day "
                        "week 1 begins); allowed: from_week: N, or a date with start_date: "
                        "YYYY-MM-DD at the top level", change.file, change.line,
                        "timeline.from"))
                    continue
                try:
                    week = week_of_date(date, start)
                except ParameterError as exc:
                    errors.append(ScenarioError(exc.problem, change.file, change.line,
                                                "timeline.from"))
                    continue
                change = dataclasses.replace(change, from_week=week)
            changes.append(change)
    timeline = Timeline(tuple(changes))
    errors += [ScenarioError(problem, change.file, change.line, key)
               for change, key, problem in timeline.problems(weeks, weeks_from)]
    if errors:
        raise ScenarioError.combine(errors)
    return timeline


@dataclass(frozen=True)
class Listed:
    """A scenario file found by :func:`available_scenarios`.

    Attributes:
        name: What ``bipsim run`` takes (the file's stem).
        description: Its ``description:``, or the reason it does not load.
        extends: Its parents as written.
        path: The file.
    """

    name: str
    description: str
    extends: tuple[str, ...]
    path: Path


def available_scenarios() -> list[Listed]:
    """Scenarios a bare name finds: ``./scenarios`` first, then the shipped ones."""
    found: dict[str, Listed] = {}
    for folder in _search_folders():
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            if path.stem in found:
                continue  # shadowed by ./scenarios
            try:
                loaded = _parse(str(path))
                found[path.stem] = Listed(path.stem, loaded.description or "",
                                          tuple(value for value, _ in loaded.extends), path)
            except ScenarioError as err:
                found[path.stem] = Listed(path.stem, f"does not load: {err}", (), path)
    return list(found.values())


def _apply_overrides(overrides: Sequence[str | Override], params: dict[str, Any],
                     sources: dict[str, str]) -> list[str]:
    """Validate and apply overrides in order; every problem reported together."""
    errors: list[ScenarioError] = []
    given: dict[str, str] = {}  # name -> flag that set it
    notes = []
    for item in overrides:
        try:
            if isinstance(item, Override):
                key, raw, flag = item.key, item.value, item.source
            else:
                (key, raw), flag = parse_override(item), COMMAND_LINE
            spec = resolve_path(key, flag)
            if spec.name in given:
                raise ScenarioError(f"given twice (by {given[spec.name]} and {flag}); give "
                                    "each key once", flag, key=spec.path)
            params[spec.name] = _check(spec, raw, flag, None)
        except ScenarioError as exc:
            errors.extend(exc.errors)
            continue
        given[spec.name] = sources[spec.name] = flag
        notes.append(item if isinstance(item, str) else f"{key}={json.dumps(params[spec.name])}")
    if errors:
        raise ScenarioError.combine(errors)
    return notes


@dataclass
class _File:
    """What one file says, values already validated."""

    path: str
    extends: list[tuple[str, int]] = field(default_factory=list)
    name: str | None = None
    description: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    errors: list[ScenarioError] = field(default_factory=list)
    start_date: dt.date | None = None
    #: Each change with its date (``from:``), or None when given as ``from_week``.
    timeline: list[tuple[Change, dt.date | None]] = field(default_factory=list)

    def refuse(self, problem: str, line: int | None, key: str | None) -> None:
        """Note a problem; all of a file's problems are raised together."""
        self.errors.append(ScenarioError(problem, self.path, line, key))


def _resolve_files(first: str) -> list[_File]:
    """The file and everything it extends, in the order their values apply."""
    order: list[_File] = []
    done: set[Path] = set()

    def visit(path: str, stack: dict[Path, str]) -> None:
        loaded = _parse(path)
        for value, line in loaded.extends:
            target = _extends_target(loaded.path, value, line)
            resolved = Path(target).resolve()
            if resolved in stack:
                loop = [*list(stack.values())[list(stack).index(resolved):], target]
                raise ScenarioError("extends loop: " + " -> ".join(loop), loaded.path, line,
                                    "extends")
            if resolved not in done:
                visit(target, {**stack, resolved: target})
        done.add(Path(path).resolve())
        order.append(loaded)

    visit(first, {Path(first).resolve(): first})
    return order


def _parse(path: str) -> _File:
    try:
        # bounded: a regular file of sensible size; nodes with line marks, never objects
        root = yamlsafe.compose_file(path)
    except yamlsafe.YamlInputError as exc:
        raise ScenarioError(exc.problem, path, exc.line) from None
    out = _File(path)
    _read_root(out, root)
    if out.errors:
        raise ScenarioError.combine(out.errors)
    return out


def _read_root(out: _File, root: Node | None) -> None:
    """Fill ``out`` from the composed document, noting every problem."""
    if root is None or root.tag == _NULL:  # empty file: all defaults
        return
    if not _tags_allowed(root, out, None, set()):
        return
    if not isinstance(root, MappingNode):
        out.refuse("the top level must be a mapping of sections such as "
                   f"'caseworkers:', given {_given(root)}", _line(root), None)
        return
    for key, key_node, node in _pairs(root, out, ""):
        if key in GROUPS:
            _parse_group(out, key, node)
        elif key not in _META_KEYS:
            allowed = (*_META_KEYS, *GROUPS)
            out.refuse(f"unknown section; allowed: {', '.join(allowed)}"
                       + _suggest(key, allowed), _line(key_node), key)
        elif key == "extends":
            _parse_extends(out, node)
        elif key == "timeline":
            _parse_timeline(out, node)
        elif key == "start_date":
            out.start_date = _date(out, node, key)
        elif key != "calibration":
            if isinstance(node, ScalarNode):
                setattr(out, key, "" if node.tag == _NULL else node.value)  # 'yes' stays 'yes'
            else:
                out.refuse(f"given {_given(node)}, expected text", _line(node), key)


def _parse_extends(out: _File, node: Node) -> None:
    items = node.value if isinstance(node, SequenceNode) else [node]
    for item in items:
        if isinstance(item, ScalarNode) and item.tag != _NULL and item.value:
            out.extends.append((item.value, _line(item)))
        else:
            out.refuse(f"given {_given(item)}, expected a file or scenario name, or a list "
                       "of them", _line(item), "extends")
    if not items:
        out.refuse("given an empty list, expected a file or scenario name, or a list of them",
                   _line(node), "extends")


def _parse_timeline(out: _File, node: Node) -> None:
    """The ``timeline:`` list: each change checked, every problem noted."""
    if node.tag == _NULL:
        return
    if not isinstance(node, SequenceNode):
        out.refuse(f"given {_given(node)}, expected a list of changes (- from_week: N, "
                   "set: {lever: value})", _line(node), "timeline")
        return
    for item in node.value:
        if not isinstance(item, MappingNode):
            out.refuse(f"given {_given(item)}, expected a change: a mapping with "
                       f"{', '.join(ENTRY_KEYS)}", _line(item), "timeline")
            continue
        _parse_change(out, item)


def _parse_change(out: _File, node: MappingNode) -> None:
    given = {key.removeprefix("timeline."): (key_node, value) for key, key_node, value
             in _pairs(node, out, "timeline")}
    line, before = _line(node), len(out.errors)
    for key, (key_node, _) in given.items():
        if key not in ENTRY_KEYS:
            hits = difflib.get_close_matches(key, ENTRY_KEYS, n=2)
            out.refuse(f"unknown key; allowed: {', '.join(ENTRY_KEYS)}"
                       + (f"; did you mean {' or '.join(hits)}?" if hits else ""),
                       _line(key_node), f"timeline.{key}")
    if ("from_week" in given) == ("from" in given):
        out.refuse("give exactly one of from_week: N (a week of the run) or from: "
                   "YYYY-MM-DD (a date, with start_date:)", line, "timeline")
    week, date, phase = 1, None, 0
    if "from_week" in given:
        week = _whole(out, given["from_week"][1], "timeline.from_week", 1) or week
    if "from" in given:
        date = _date(out, given["from"][1], "timeline.from")
    if "phase_in_weeks" in given:
        phase = _whole(out, given["phase_in_weeks"][1], "timeline.phase_in_weeks", 0) or 0
    values = _change_values(out, given["set"][1]) if "set" in given else {}
    if "set" not in given:
        out.refuse("missing set: {lever: value} (what the change sets)", line, "timeline")
    if len(out.errors) == before:
        out.timeline.append((Change(week, in_table_order(values), phase,
                                    date.isoformat() if date else None, out.path, line),
                             date))


def _change_values(out: _File, node: Node) -> dict[str, Any]:
    """The ``set:`` mapping of one change: live levers and their validated targets."""
    if not isinstance(node, MappingNode) or not node.value:
        out.refuse(f"given {_given(node)}, expected a mapping of levers and values "
                   "(caseworkers.expectations_training: 0.5)", _line(node), "timeline.set")
        return {}
    values = {}
    for key, key_node, value_node in _pairs(node, out, ""):
        where = f"timeline.set.{key}"
        try:
            spec = lever_spec(key)
        except ParameterError as exc:
            out.refuse(exc.problem, _line(key_node), where)
            continue
        if not isinstance(value_node, ScalarNode):
            out.refuse(f"given {_given(value_node)}, expected a single value; allowed: "
                       f"{spec.allowed()}", _line(value_node), where)
            continue
        try:
            values[spec.name] = spec.validate(yamlsafe.scalar(value_node))
        except (yamlsafe.YamlInputError, ParameterError) as exc:
            out.refuse(exc.problem + ("" if isinstance(exc, ParameterError) else
                                      f"; allowed: {spec.allowed()}"), _line(value_node), where)
    return values


def _whole(out: _File, node: Node, key: str, low: int) -> int | None:
    """A whole number of weeks (``low`` or more) at ``node``, None (noted) if not."""
    try:
        raw = yamlsafe.scalar(node) if isinstance(node, ScalarNode) else None
        value = check_week(raw, key, low)
    except (yamlsafe.YamlInputError, ParameterError) as exc:
        out.refuse(exc.problem, _line(node), key)
        return None
    if value > MAX_PHASE_IN:
        out.refuse(f"given {value:,}; allowed: at most {MAX_PHASE_IN:,} weeks (the longest "
                   "run)", _line(node), key)
        return None
    return value


def _date(out: _File, node: Node, key: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date at ``node``, None (noted) if it is not one."""
    text = node.value if isinstance(node, ScalarNode) else None
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        given = shorten(text) if text is not None else _given(node)
        out.refuse(f"given {given}; allowed: a date YYYY-MM-DD", _line(node), key)
        return None


def _parse_group(out: _File, group: str, node: Node) -> None:
    if node.tag == _NULL:  # a section with every entry commented out
        return
    if not isinstance(node, MappingNode):
        out.refuse(f"given {_given(node)}, expected a mapping of parameters (name: value)",
                   _line(node), group)
        return
    for key, key_node, value_node in _pairs(node, out, group):
        try:
            spec = resolve_path(key, out.path, _line(key_node))
            line = _line(value_node)
            if not isinstance(value_node, ScalarNode):
                raise ScenarioError(f"given {_given(value_node)}, expected a single value; "
                                    f"allowed: {spec.allowed()}", out.path, line, key)
            try:
                raw = yamlsafe.scalar(value_node)
            except yamlsafe.YamlInputError as exc:
                raise ScenarioError(f"{exc.problem}; the parameter allows {spec.allowed()}",
                                    out.path, line, key) from None
            out.values[spec.name] = _check(spec, raw, out.path, line)
            out.lines[spec.name] = line
        except ScenarioError as exc:
            out.errors.append(exc)


def _pairs(node: MappingNode, out: _File, prefix: str) -> Iterator[tuple[str, Node, Node]]:
    """Yield ``(dotted key, key node, value node)``, noting odd and duplicate keys."""
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            out.refuse("keys must be plain names", _line(key_node), prefix or None)
            continue
        key = f"{prefix}.{key_node.value}" if prefix else key_node.value
        if key in first_line:
            out.refuse(f"duplicate key (first set on line {first_line[key]})", _line(key_node),
                       key)
            continue
        first_line[key] = _line(key_node)
        yield key, key_node, value_node


def _tags_allowed(node: Node, out: _File, key: str | None, seen: set[int]) -> bool:
    """Note every non-standard tag below ``node``, naming the nearest dotted key.

    Returns:
        True if there was none.
    """
    if id(node) in seen:  # aliases can make the node graph cyclic
        return True
    seen.add(id(node))
    fine = node.tag in _SAFE_TAGS
    if not fine:
        tag = node.tag.replace(_STD, "!!")
        out.refuse(f"tag {tag} is not allowed: tags that construct objects are not "
                   "allowed, write a plain value", _line(node), key)
    if isinstance(node, SequenceNode):
        for item in node.value:
            fine = _tags_allowed(item, out, key, seen) and fine
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            fine = _tags_allowed(key_node, out, key, seen) and fine
            label = key_node.value if isinstance(key_node, ScalarNode) else "?"
            fine = _tags_allowed(value_node, out, f"{key}.{label}" if key else label,
                                 seen) and fine
    return fine


def _extends_target(child: str, value: str, line: int) -> str:
    folder = Path(child).parent
    target = folder / value
    if not target.is_file() and target.suffix not in _SUFFIXES:
        # bare name: a sibling <name>.yaml, else a shipped scenario, so a planner's own
        # file anywhere can say ``extends: baseline``
        target = folder / f"{value}.yaml"
        shipped = PACKAGE_SCENARIOS / f"{value}.yaml"
        if not target.is_file() and len(Path(value).parts) == 1 and shipped.is_file():
            target = shipped
    if target.is_file():
        return str(target)
    raise ScenarioError(f"given {shorten(value)}, file not found: {shorten(str(target))}"
                        + _listing([folder, PACKAGE_SCENARIOS]), child, line, "extends")


def _search_folders() -> list[Path]:
    """Where a bare scenario name is looked up: ``./scenarios``, then the shipped ones."""
    folders = [Path("scenarios")]
    if folders[0].resolve() != PACKAGE_SCENARIOS.resolve():
        folders.append(PACKAGE_SCENARIOS)
    return folders


def _locate(source: str) -> str:
    as_path, folders = Path(source), _search_folders()
    if len(as_path.parts) == 1 and as_path.suffix not in _SUFFIXES:  # bare scenario name
        tried = [folder / f"{source}.yaml" for folder in folders]
        for candidate in tried:
            if candidate.is_file():
                return str(candidate)
        problem = f"no scenario named {shorten(source)} (tried {', '.join(map(str, tried))})"
    elif as_path.exists():  # a folder or device is refused by the reader, saying so
        return source
    else:
        problem = "file not found"
    raise ScenarioError(problem + _listing(folders), source)


def _listing(folders: list[Path]) -> str:
    names = sorted({p.stem for f in folders if f.is_dir() for p in f.glob("*.yaml")})
    if names:
        return "; available scenarios: " + ", ".join(names)
    return "; no scenarios found in " + ", ".join(map(str, folders))


def _suggest(key: str, words: Sequence[str] = ()) -> str:
    """``; did you mean ...?`` from close dotted paths, flat names and ``words``."""
    name = key.rsplit(".", 1)[-1]
    hits = [*difflib.get_close_matches(key, words, n=2),
            *difflib.get_close_matches(key, PARAMETERS, n=3),
            *(BY_NAME[n].path for n in difflib.get_close_matches(name, BY_NAME, n=3))]
    hits = list(dict.fromkeys(hits))[:4]
    return f"; did you mean {' or '.join(hits)}?" if hits else ""


def _check(spec: ParamSpec, raw: Any, path: str | None, line: int | None) -> Any:
    try:
        return spec.validate(raw)
    except ParameterError as exc:
        raise ScenarioError(exc.problem, path, line, spec.path) from None


def _given(node: Node) -> str:
    """Describe a value node for a message (its tags were checked before)."""
    kind = {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a value")
    try:
        return f"{shorten(SafeConstructor().construct_object(node, deep=True))} ({kind})"
    except _CONSTRUCT_ERRORS:  # decoration only: the kind will do
        return kind


def _line(node: Node) -> int:
    return node.start_mark.line + 1


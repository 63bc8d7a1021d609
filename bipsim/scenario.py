"""Scenario files: YAML ``group: {name: value}`` with ``extends`` and ``--set`` overrides.

Every value is checked against :mod:`bipsim.parameters`; any problem raises
:class:`ScenarioError` with one message naming file, line, key, the value given and
what is allowed, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
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

from bipsim import yamlsafe
from bipsim.errors import InputError
from bipsim.parameters import BY_NAME, GROUPS, PARAMETERS, ParamSpec, check_value
from bipsim.yamlsafe import shorten

#: Scenarios shipped with the package, searched after ``./scenarios``.
PACKAGE_SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
#: Stands in for file and line in errors from ``--set`` overrides.
COMMAND_LINE = "command line (--set)"

_META_KEYS = ("extends", "name", "description", "calibration")
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
    """A scenario that cannot be loaded; ``str()`` is one message saying where and why.

    Attributes:
        problem: What is wrong, without the location.
        file: File as given (or ``command line (--set)``), None if unknown.
        line: 1-based line in ``file``, None if unknown.
        key: Dotted key concerned (``caseworkers.annual_turnover``), None if none.
    """


@dataclass
class Scenario:
    """A fully resolved scenario.

    Attributes:
        name: ``name:`` of the requested file, else its stem (not inherited).
        description: ``description:`` of the requested file, else "" (not inherited).
        files: The ``extends`` chain, base first, requested file last.
        params: Every parameter by keyword name, defaults filled in, values coerced.
        overrides: ``group.name=value`` changes applied after the files.
    """

    name: str
    description: str
    files: list[str]
    params: dict[str, Any]
    overrides: list[str] = field(default_factory=list)

    def nested(self) -> dict[str, Any]:
        """Name, description and ``{group: {name: value}}`` for every parameter.

        Loads back with :func:`load_scenario`; dump with ``sort_keys=False`` to keep
        declaration order.
        """
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        for spec in PARAMETERS.values():
            out.setdefault(spec.group, {})[spec.name] = self.params[spec.name]
        return out

    def with_params(self, **changes: Any) -> Scenario:
        """Validated copy with parameters changed by keyword name, noted in ``overrides``.

        Raises:
            ScenarioError: Unknown name or value not allowed.
        """
        params, notes = dict(self.params), []
        for name, raw in changes.items():
            if name not in BY_NAME:
                raise ScenarioError("unknown parameter" + _suggest(name), key=name)
            params[name] = _check(BY_NAME[name], raw, None, None)
            notes.append(f"{BY_NAME[name].path}={json.dumps(params[name])}")
        return dataclasses.replace(self, params=params, overrides=[*self.overrides, *notes])


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


def load_scenario(source: str | os.PathLike[str], overrides: Sequence[str] = ()) -> Scenario:
    """Load a scenario file, its ``extends`` chain and ``--set`` overrides.

    Args:
        source: Path to a YAML file, or a bare name (``baseline``) looked up as
            ``<name>.yaml`` in ``./scenarios``, then in the package's ``scenarios``.
        overrides: ``group.name=value`` strings, applied after all files.

    Raises:
        ScenarioError: Anything wrong with the files or overrides.
    """
    first = _locate(os.fspath(source))
    chain = [_parse(first)]
    seen = {Path(first).resolve(): first}  # resolved -> as shown, in chain order
    while chain[-1].extends:
        child = chain[-1]
        target = _extends_target(child.path, *child.extends)
        resolved = Path(target).resolve()
        if resolved in seen:
            loop = [*list(seen.values())[list(seen).index(resolved):], target]
            raise ScenarioError("extends loop: " + " -> ".join(loop), child.path,
                                child.extends[1], "extends")
        seen[resolved] = target
        chain.append(_parse(target))
    chain.reverse()

    params = {name: check_value(spec, spec.default)[0] for name, spec in BY_NAME.items()}
    for loaded in chain:
        params.update(loaded.values)
    for text in overrides:
        key, raw = parse_override(text)
        spec = resolve_path(key, COMMAND_LINE)
        params[spec.name] = _check(spec, raw, COMMAND_LINE, None)
    top = chain[-1]
    return Scenario(top.name or Path(top.path).stem, top.description or "",
                    [loaded.path for loaded in chain], params, list(overrides))


@dataclass
class _File:
    """What one file says, values already validated."""

    path: str
    extends: tuple[str, int] | None = None
    name: str | None = None
    description: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _parse(path: str) -> _File:
    try:
        # bounded: a regular file of sensible size; nodes with line marks, never objects
        root = yamlsafe.compose_file(path)
    except yamlsafe.YamlInputError as exc:
        raise ScenarioError(exc.problem, path, exc.line) from None
    out = _File(path)
    if root is None or root.tag == _NULL:  # empty file: all defaults
        return out
    _check_tags(root, path, None, set())
    if not isinstance(root, MappingNode):
        raise ScenarioError("the top level must be a mapping of sections such as "
                            f"'caseworkers:', given {_given(root)}", path, _line(root))
    for key, key_node, node in _pairs(root, path, ""):
        if key in GROUPS:
            _parse_group(out, key, node)
            continue
        if key not in _META_KEYS:
            allowed = (*_META_KEYS, *GROUPS)
            raise ScenarioError(f"unknown section; allowed: {', '.join(allowed)}"
                                + _suggest(key, allowed), path, _line(key_node), key)
        if key == "calibration":
            continue
        if not isinstance(node, ScalarNode):
            raise ScenarioError(f"given {_given(node)}, expected text", path, _line(node), key)
        value = "" if node.tag == _NULL else node.value  # raw text: 'yes' stays 'yes'
        if key != "extends":
            setattr(out, key, value)
        elif value:
            out.extends = (value, _line(node))
        else:
            raise ScenarioError("expected a file or scenario name", path, _line(node), key)
    return out


def _parse_group(out: _File, group: str, node: Node) -> None:
    if node.tag == _NULL:  # a section with every entry commented out
        return
    if not isinstance(node, MappingNode):
        raise ScenarioError(f"given {_given(node)}, expected a mapping of parameters "
                            "(name: value)", out.path, _line(node), group)
    for key, key_node, value_node in _pairs(node, out.path, group):
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


def _pairs(node: MappingNode, path: str, prefix: str) -> Iterator[tuple[str, Node, Node]]:
    """Yield ``(dotted key, key node, value node)``, refusing odd and duplicate keys."""
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise ScenarioError("keys must be plain names", path, _line(key_node), prefix or None)
        key = f"{prefix}.{key_node.value}" if prefix else key_node.value
        if key in first_line:
            raise ScenarioError(f"duplicate key (first set on line {first_line[key]})", path,
                                _line(key_node), key)
        first_line[key] = _line(key_node)
        yield key, key_node, value_node


def _check_tags(node: Node, path: str, key: str | None, seen: set[int]) -> None:
    """Refuse non-standard tags anywhere below ``node``, naming the nearest dotted key."""
    if id(node) in seen:  # aliases can make the node graph cyclic
        return
    seen.add(id(node))
    if node.tag not in _SAFE_TAGS:
        tag = node.tag.replace(_STD, "!!")
        raise ScenarioError(f"tag {tag} is not allowed: tags that construct objects are not "
                            "allowed, write a plain value", path, _line(node), key)
    if isinstance(node, SequenceNode):
        for item in node.value:
            _check_tags(item, path, key, seen)
    elif isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            _check_tags(key_node, path, key, seen)
            label = key_node.value if isinstance(key_node, ScalarNode) else "?"
            _check_tags(value_node, path, f"{key}.{label}" if key else label, seen)


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


def _locate(source: str) -> str:
    as_path, folders = Path(source), [Path("scenarios")]
    if folders[0].resolve() != PACKAGE_SCENARIOS:
        folders.append(PACKAGE_SCENARIOS)
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
    value, reason = check_value(spec, raw)
    if reason:
        raise ScenarioError(f"given {shorten(raw)}, {reason}; allowed: {spec.allowed()}", path,
                            line, spec.path)
    return value


def _given(node: Node) -> str:
    """Describe a value node for a message (its tags were checked before)."""
    kind = {MappingNode: "a mapping", SequenceNode: "a list"}.get(type(node), "a value")
    try:
        return f"{shorten(SafeConstructor().construct_object(node, deep=True))} ({kind})"
    except _CONSTRUCT_ERRORS:  # decoration only: the kind will do
        return kind


def _line(node: Node) -> int:
    return node.start_mark.line + 1


"""Subcommands that read scenarios without running them.

- ``bipsim params [SCENARIO]``: every parameter with the value in use and where it
  comes from (``default``, ``fit``, ``FILE:LINE``, ``--set``), its role and range.
- ``bipsim scenarios``: the shipped scenarios (and ``./scenarios``) with descriptions.
- ``bipsim run SCENARIO --check``: :func:`resolved_yaml` prints the resolved scenario.

Imports stay light at module level (no Mesa, NumPy or Rich) so ``bipsim --help``
is quick; the table and the scenario loader load when a command runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from . import options

if TYPE_CHECKING:
    from .scenario import Scenario

#: Shown for a value that is the table's default or the shipped fit.
_ORIGIN = {"default": "default", "fit": "fit (calibration/fitted.yaml)"}


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``params`` and ``scenarios`` with the ``bipsim`` command line."""
    params = sub.add_parser(
        "params", help="list every parameter, or the values a scenario uses and their source",
        description="Every parameter with its value in use, where that value comes from "
                    "(default, fit, scenario file and line, --set), role and allowed values.")
    params.add_argument("scenario", nargs="?",
                        help="scenario file or name; without it, the defaults")
    options.add_set(params, "the scenario")
    params.add_argument("--group", help="only this group, e.g. caseworkers")
    params.add_argument("--role", choices=("context", "lever", "uncertainty"),
                        help="only parameters of this role")
    params.add_argument("--markdown", action="store_true",
                        help="print the README's Markdown table of the defaults")
    params.set_defaults(func=cmd_params)
    listing = sub.add_parser("scenarios", help="list the shipped scenarios",
                             description="The scenarios shipped with bipsim (and any in "
                                         "./scenarios), with their descriptions.")
    listing.set_defaults(func=cmd_scenarios)


def cmd_params(args: argparse.Namespace) -> int:
    """``bipsim params [SCENARIO]``: values in use, their source, role and range."""
    from . import parameters
    from .scenario import ScenarioError, defaults_scenario, load_scenario

    if args.group is not None and args.group not in parameters.GROUPS:
        raise ScenarioError(f"given {args.group!r}, no such group; groups: "
                            f"{', '.join(parameters.GROUPS)}", "--group")
    specs = [s for s in parameters.PARAMETERS.values()
             if args.group in (None, s.group) and args.role in (None, s.role)]
    if args.markdown:
        if args.scenario or args.set:
            raise ScenarioError("--markdown prints the defaults; give no scenario or --set",
                                "--markdown")
        print(parameters.markdown_table(specs))
        return 0
    scenario = None
    if args.scenario:
        scenario = load_scenario(args.scenario, args.set or [])
    elif args.set:
        scenario = defaults_scenario(args.set)
    from rich.table import Table

    title = f"bipsim parameters of {scenario.name}" if args.scenario else "bipsim parameters"
    table = Table(title=title, show_lines=False)
    for column in ("key", "value", "from"):
        table.add_column(column, no_wrap=True)
    for column in ("role", "allowed", "meaning"):
        table.add_column(column, overflow="fold")
    for spec in specs:
        value = spec.default if scenario is None else scenario.params[spec.name]
        origin = spec.default_from if scenario is None else scenario.source_of(spec.name)
        table.add_row(spec.path, str(value), _origin(origin), spec.describe_role(),
                      spec.allowed(), spec.doc)
    _print(table, width=170)
    if scenario is not None and scenario.timeline:
        print("The values above are those before the timeline's dated changes:")
        for line in scenario.timeline.describe(scenario.params):
            print(f"  {line}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``bipsim scenarios``: name, description and parents of every scenario found."""
    from rich.table import Table

    from .scenario import available_scenarios

    table = Table(title="bipsim scenarios")
    for column in ("name", "extends", "description", "file"):
        table.add_column(column, overflow="fold", no_wrap=column == "name")
    for entry in available_scenarios():
        table.add_row(entry.name, ", ".join(entry.extends), entry.description, str(entry.path))
    _print(table, width=150)
    return 0


def resolved_yaml(scenario: Scenario) -> str:
    """The resolved scenario as a YAML scenario file, each value commented with its source.

    Loading the text back with :func:`bipsim.scenario.load_scenario` gives the same
    parameters.
    """
    import json

    from .parameters import BY_NAME, PARAMETERS

    lines = [f"# {scenario.name}, resolved from: {', '.join(scenario.files)}",
             *(f"# override: {text}" for text in scenario.overrides),
             f"name: {json.dumps(scenario.name)}",
             f"description: {json.dumps(scenario.description, ensure_ascii=False)}"]
    if scenario.start_date:
        lines.append(f"start_date: {scenario.start_date}")
    group = None
    for spec in PARAMETERS.values():
        if spec.group != group:
            group = spec.group
            lines.append(f"{group}:")
        value = json.dumps(scenario.params[spec.name])  # JSON scalars are YAML
        origin = scenario.source_of(spec.name)
        lines.append(f"  {spec.name}: {value}".ljust(44) + f"  # {_origin(origin)}")
    if scenario.timeline:
        lines.append("timeline:")
    for change in scenario.timeline.changes:
        entry = {"from_week": change.from_week, "phase_in_weeks": change.phase_in_weeks,
                 "set": {BY_NAME[name].path: v for name, v in change.values.items()}}
        note = f"from {change.from_date}, " if change.from_date else ""
        lines.append(f"  - {json.dumps(entry)}  # {note}{_origin(change.source or '')}")
    return "\n".join(lines) + "\n"


def _origin(origin: str) -> str:
    """A source for a reader: ``fit (calibration/fitted.yaml)``, ``shipped scenarios/...``."""
    from .scenario import PACKAGE_SCENARIOS

    if origin in _ORIGIN:
        return _ORIGIN[origin]
    shipped = str(PACKAGE_SCENARIOS.resolve()) + "/"
    return "shipped scenarios/" + origin.removeprefix(shipped) if origin.startswith(
        shipped) else origin


def _print(table: object, width: int) -> None:
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console.width = width  # piped into a file or pager: keep rows readable
    console.print(table)

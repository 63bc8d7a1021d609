"""Alternatives made on the command line: ``compare baseline --alt LABEL:KEY=VALUE,...``.

An alternative is the first scenario (the baseline) with some parameters changed,
named by its label: ``--alt caseload40:caseworkers.caseload=40``, or several changes
separated by commas, ``--alt both:caseworkers.caseload=40,interventions.placement_
timing=early``. It is the scenario a file with ``extends: baseline`` and those values
would give: the same parameters, checked by the same code as ``--set`` (an unknown
key gets a did-you-mean, a bad value what is allowed), and a value it sets is held,
never drawn, under ``--uncertainty parameters``. So it runs on the same seeds and
gives the same tables as that file, bit for bit. Its changes are the scenario's
``overrides`` in ``plan.json`` and ``manifest.json``; ``--resume`` reads them there.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bipsim.errors import shorten
from bipsim.scenario import Override, Scenario, ScenarioError, load_scenario, parse_override

#: The flag, as errors name it.
FLAG = "--alt"
#: What ``--alt`` takes, for messages.
SYNTAX = "LABEL:KEY=VALUE[,KEY=VALUE...], e.g. caseload40:caseworkers.caseload=40"
#: A label names a column, a plot's legend entry and part of the folder name.
LABEL = re.compile(r"\w[\w-]*")
MAX_LABEL = 40
#: A comma starts a new change only before ``group.name=``: a value's own comma stays.
_NEXT_CHANGE = re.compile(r",\s*(?=[A-Za-z_]\w*\.[\w.]+\s*=)")


@dataclass(frozen=True)
class Alternative:
    """One ``--alt``: a label and the changes it makes to the baseline.

    Attributes:
        label: Its name in tables, plots and the folder name.
        changes: The values given, in order, each naming this ``--alt`` as its source.
    """

    label: str
    changes: tuple[Override, ...]


def parse_alternative(text: str) -> Alternative:
    """Read one ``--alt LABEL:KEY=VALUE[,KEY=VALUE...]``.

    Raises:
        ScenarioError: What is wrong with it (one problem per change, together).
    """
    label, colon, body = text.partition(":")
    label = label.strip()
    if not colon:
        raise ScenarioError(f"given {shorten(text)}, expected {SYNTAX}", FLAG)
    if not label:
        raise ScenarioError(f"given {shorten(text)}: the label before ':' is empty; "
                            f"expected {SYNTAX}", FLAG)
    if not LABEL.fullmatch(label) or len(label) > MAX_LABEL:
        raise ScenarioError(f"given label {shorten(label)}: use letters, digits, '_' and '-' "
                            f"(not first), at most {MAX_LABEL} characters", FLAG)
    flag = f"{FLAG} {label}"
    if not body.strip():
        raise ScenarioError(f"no changes after '{label}:'; expected {SYNTAX}", flag)
    changes, errors = [], []
    for change in _NEXT_CHANGE.split(body):
        try:
            key, value = parse_override(change)
        except ScenarioError as error:  # parse_override blames --set
            errors.append(ScenarioError(error.problem, flag, key=error.key))
            continue
        if any(key == given.key for given in changes):
            errors.append(ScenarioError("given twice in this --alt; give each key once",
                                        flag, key=key))
            continue
        changes.append(Override(key, value, flag))
    if errors:
        raise ScenarioError.combine(errors)
    return Alternative(label, tuple(changes))


def load_alternatives(texts: Sequence[str], baseline: str, taken: Mapping[str, str],
                      overrides: Sequence[str | Override] = ()) -> list[Scenario]:
    """Each ``--alt`` as a scenario: ``baseline`` with ``overrides`` (``--set``,
    ``--weeks``, as every scenario gets) and then its own changes, named by its label.

    Args:
        texts: The ``--alt`` values, in command-line order.
        baseline: The first scenario on the command line (file or name).
        taken: Names an alternative may not have, each with what holds it (the
            scenarios on the command line, the scenario files a bare name finds).
        overrides: What every scenario of the comparison gets.

    Raises:
        ScenarioError: Every problem of every ``--alt`` together, each naming its
            ``--alt LABEL``: no ``:``, an empty or odd label, no changes, a change
            without ``=``, a label given twice or already a scenario's name, an
            unknown key (with a did-you-mean), a value not allowed, a key given
            twice (also by ``--set``).
    """
    scenarios: list[Scenario] = []
    errors: list[ScenarioError] = []
    labels: set[str] = set()
    for text in texts:
        try:
            alternative = parse_alternative(text)
            flag = f"{FLAG} {alternative.label}"
            if alternative.label in labels:
                raise ScenarioError("label given twice; give each alternative once, its "
                                    "changes separated by commas", flag)
            labels.add(alternative.label)
            if alternative.label in taken:
                raise ScenarioError(f"label is the name of {taken[alternative.label]}; "
                                    "choose another label, so no reader takes one for the "
                                    "other", flag)
            loaded = load_scenario(baseline, [*overrides, *alternative.changes])
        except ScenarioError as error:
            errors.extend(error.errors)
            continue
        given = ", ".join(f"{change.key}={change.value}" for change in alternative.changes)
        scenarios.append(dataclasses.replace(
            loaded, name=alternative.label,
            description=f"{loaded.name} with {given} ({flag})."))
    if errors:
        raise ScenarioError.combine(errors)
    return scenarios

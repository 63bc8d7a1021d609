"""The validation criteria file (``validation/criteria.yaml``): read and checked.

The file is written before the model is run against it, so its patterns and pass
rules are fixed in advance; this module only reads it and refuses a file that
does not say precisely what to compute (naming the file and key).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yaml.constructor import SafeConstructor

from bipsim import yamlsafe
from bipsim.resources import shipped_folder
from bipsim.scenario import ScenarioError, resolve_path

#: The shipped criteria.
CRITERIA_FILE = shipped_folder("validation") / "criteria.yaml"
KINDS = ("relative", "share", "difference", "per_meeting", "later_minus_earlier")
QUANTITIES = ("jobs", "benefit", "meetings", "cost")
RULES = ("median_between", "share_above", "share_below")


@dataclass(frozen=True)
class Pattern:
    """One published pattern and its pass rule.

    Attributes:
        id: Short id (``V1``).
        name: The pattern in a sentence.
        source: Where it is published.
        definition: What is computed, in words.
        experiment: The experiment whose arms it compares.
        statistic: How the value of one world is computed (see the file's header).
        criterion: The pass rule on the values over worlds.
        criterion_text: The rule in words.
    """

    id: str
    name: str
    source: str
    definition: str
    experiment: str
    statistic: dict[str, Any]
    criterion: dict[str, Any]
    criterion_text: str


@dataclass(frozen=True)
class Criteria:
    """The whole file.

    Attributes:
        file: Where it was read from.
        design: Base scenario, ``set`` overrides, ``reps``, ``seed``, ``uncertainty``.
        experiments: Experiment to arm to parameter values (dotted keys).
        patterns: The patterns, in file order.
    """

    file: str
    design: dict[str, Any]
    experiments: dict[str, dict[str, dict[str, Any]]]
    patterns: list[Pattern]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready copy (kept in the plan, so a resume uses the same criteria)."""
        return {"file": self.file, "design": self.design, "experiments": self.experiments,
                "patterns": [vars(p) for p in self.patterns]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Criteria:
        """The inverse of :meth:`to_json`."""
        return cls(data["file"], data["design"], data["experiments"],
                   [Pattern(**p) for p in data["patterns"]])


def load_criteria(path: str | Path = CRITERIA_FILE) -> Criteria:
    """Read and check a criteria file.

    Raises:
        ScenarioError: Unreadable, or a key missing or not allowed (file and key named).
    """
    path = str(path)
    try:  # the project's bounded reader: size, nesting, aliases, no object tags
        node = yamlsafe.compose_file(path)
        if node is not None:
            yamlsafe.check_tags(node)
        data = SafeConstructor().construct_document(node) if node is not None else None
    except yamlsafe.YamlInputError as err:
        raise ScenarioError(err.problem, path, err.line) from None

    def need(mapping: Any, key: str, where: str, kind: type = dict) -> Any:
        if not isinstance(mapping, dict) or key not in mapping:
            raise ScenarioError(f"missing key {key!r}", path, key=where)
        if not isinstance(mapping[key], kind):
            raise ScenarioError(f"given {mapping[key]!r}, expected a {kind.__name__}", path,
                                key=f"{where}.{key}" if where else key)
        return mapping[key]

    design = need(data, "design", "")
    for key, kind in (("base", str), ("set", list), ("reps", int), ("seed", int),
                      ("uncertainty", str)):
        need(design, key, "design", kind)
    experiments = need(data, "experiments", "")
    for name, arms in experiments.items():
        if not isinstance(arms, dict) or len(arms) < 2:
            raise ScenarioError("an experiment needs at least two arms", path,
                                key=f"experiments.{name}")
        for arm, values in arms.items():
            for key in values or {}:
                resolve_path(key, path)  # an unknown parameter is refused here
            arms[arm] = values or {}
    patterns = []
    for i, raw in enumerate(need(data, "patterns", "", list)):
        where = f"patterns[{i}]"
        fields = {k: need(raw, k, where, str) for k in
                  ("id", "name", "source", "definition", "experiment", "criterion_text")}
        statistic, criterion = need(raw, "statistic", where), need(raw, "criterion", where)
        arms = experiments.get(fields["experiment"])
        if arms is None:
            raise ScenarioError(f"no experiment {fields['experiment']!r}", path,
                                key=f"{where}.experiment")
        if statistic.get("kind") not in KINDS:
            raise ScenarioError(f"statistic kind must be one of {', '.join(KINDS)}", path,
                                key=f"{where}.statistic.kind")
        if statistic["kind"] not in ("per_meeting",) and \
                statistic.get("quantity") not in QUANTITIES:
            raise ScenarioError(f"quantity must be one of {', '.join(QUANTITIES)}", path,
                                key=f"{where}.statistic.quantity")
        for arm in (statistic.get("alt"), statistic.get("ref")):
            if arm not in arms:
                raise ScenarioError(f"{arm!r} is not an arm of {fields['experiment']}", path,
                                    key=f"{where}.statistic")
        if not criterion or set(criterion) - set(RULES):
            raise ScenarioError(f"criterion rules must be among {', '.join(RULES)}", path,
                                key=f"{where}.criterion")
        patterns.append(Pattern(**fields, statistic=statistic, criterion=criterion))
    return Criteria(path, design, experiments, patterns)

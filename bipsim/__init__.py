"""bipsim: agent-based simulation of Danish jobcentre caseloads, after the BIP study.

>>> from bipsim import BipModel, load_scenario
>>> model = BipModel.from_scenario(load_scenario("baseline"), seed=1)
>>> model.run()

The names below are imported when first used (PEP 562), so ``import bipsim.cli``
(``bipsim --help``) does not pay for Mesa, numpy and pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import BipModel
    from .scenario import Scenario, ScenarioError, load_scenario

#: Where each public name lives.
_LAZY = {"BipModel": ".model", "Scenario": ".scenario", "ScenarioError": ".scenario",
         "load_scenario": ".scenario"}

__all__ = ["BipModel", "Scenario", "ScenarioError", "__version__", "load_scenario"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module 'bipsim' has no attribute {name!r}")
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("bipsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"

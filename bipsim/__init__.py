"""bipsim: agent-based simulation of Danish jobcentre caseloads, after the BIP study.

>>> from bipsim import BipModel, load_scenario
>>> model = BipModel.from_scenario(load_scenario("baseline"), seed=1)
>>> model.run()
"""

from importlib.metadata import PackageNotFoundError, version

from .model import BipModel
from .scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("bipsim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["BipModel", "Scenario", "ScenarioError", "__version__", "load_scenario"]

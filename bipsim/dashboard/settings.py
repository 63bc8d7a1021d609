"""Which scenario and seed the dashboard server shows, handed from the CLI to the page.

``bipsim dashboard`` validates the scenario, then starts the Solara server in a
child process with the scenario's file and the seed in environment variables; each
browser session reads them when its page is first drawn (never at import).

``bipsim --help`` imports this module (for :data:`DEFAULT_SCENARIO`), so the
scenario loader and the parameter table are imported when first needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bipsim.scenario import Scenario

#: Environment variables read by the page.
ENV_SCENARIO = "BIPSIM_DASHBOARD_SCENARIO"
ENV_SEED = "BIPSIM_DASHBOARD_SEED"
#: Scenario shown when none is given.
DEFAULT_SCENARIO = "trainer_jobcentre"
#: Largest population drawn live: every citizen is a marker, and each session keeps
#: two models and their week records.
MAX_CITIZENS = 3_000


@dataclass(frozen=True)
class DashboardSettings:
    """What one dashboard server shows.

    Attributes:
        scenario: The validated scenario.
        seed: Seed of the first pair; the page can change it.
    """

    scenario: Scenario
    seed: int

    def environment(self) -> dict[str, str]:
        """The environment variables that pass these settings to the server process."""
        return {ENV_SCENARIO: str(Path(self.scenario.files[-1]).resolve()),
                ENV_SEED: str(self.seed)}


def load_settings(source: str = DEFAULT_SCENARIO, seed: int | None = None) -> DashboardSettings:
    """Load and check the scenario for the dashboard.

    Args:
        source: Scenario file or name.
        seed: Seed; None uses the scenario's ``run.seed``.

    Raises:
        ScenarioError: The scenario does not load, has more citizens than the
            dashboard draws (:data:`MAX_CITIZENS`), or the seed is not allowed.
    """
    from bipsim.scenario import ScenarioError, load_scenario

    overrides = [] if seed is None else [f"run.seed={seed}"]
    scenario = load_scenario(source, overrides)
    n = scenario.params["n_citizens"]
    if n > MAX_CITIZENS:
        raise ScenarioError(f"{n:,} citizens is more than the dashboard draws live (at most "
                            f"{MAX_CITIZENS:,}); use trainer_jobcentre or a smaller scenario",
                            scenario.files[-1], key="population.n_citizens")
    return DashboardSettings(scenario, int(scenario.params["seed"]))


def is_calibrated(scenario: Scenario) -> bool:
    """Whether the scenario runs the fitted values (``calibration/fitted.yaml``, written
    by ``bipsim calibrate``) of every calibrated uncertainty, so the page can say how
    far to trust its numbers. Levers (turnover) may differ: that is the practice."""
    from bipsim.parameters import FROM_FIT, PARAMETERS

    fitted = [spec for spec in PARAMETERS.values()
              if spec.calibrated and spec.role == "uncertainty"]
    return bool(fitted) and all(scenario.source_of(spec.name) == FROM_FIT for spec in fitted)


def settings_from_environment() -> DashboardSettings:
    """The settings the CLI passed to this server process (the default scenario if none)."""
    seed = os.environ.get(ENV_SEED)
    return load_settings(os.environ.get(ENV_SCENARIO, DEFAULT_SCENARIO),
                         None if seed is None else int(seed))

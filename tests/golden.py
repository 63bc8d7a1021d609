"""The fixed-seed golden summary: what it runs, and the command that updates it.

Update after an intended change of model behaviour, and say why in the commit:

    python tests/golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bipsim.model import BipModel
from bipsim.outcomes import summarise
from bipsim.scenario import load_scenario

GOLDEN_FILE = Path(__file__).with_name("golden") / "baseline_small.json"
SEED = 2026
OVERRIDES = ["population.n_citizens=3000", "population.n_jobcentres=3", "run.weeks=104"]


def golden_summary() -> dict:
    """The summary of the baseline scenario, scaled down, at the golden seed."""
    model = BipModel.from_scenario(load_scenario("baseline", OVERRIDES), seed=SEED)
    model.run()
    return summarise(model)


if __name__ == "__main__":
    GOLDEN_FILE.write_text(json.dumps(golden_summary(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN_FILE}", file=sys.stderr)

"""Small, fast models for rule and statistical tests."""

from __future__ import annotations

from bipsim.model import BipModel

#: The default small system: 2,000 citizens in 4 jobcentres for a year.
SMALL = {"n_citizens": 2_000, "n_jobcentres": 4, "weeks": 52}


def run_model(seed: int = 11, **params) -> BipModel:
    """Build and run a small model (SMALL, updated by ``params``)."""
    model = BipModel(seed=seed, **{**SMALL, **params})
    model.run()
    return model

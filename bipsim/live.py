"""Changing a lever of a model that is already running (:meth:`BipModel.set_lever`).

Most rules read ``model.p`` every week, so setting the value is enough. A few
levers were turned into model state when the model was built; their change is
carried into that state here (:data:`RE_DERIVE`), with the same arithmetic the
build uses (:mod:`bipsim.population`). What the table (``bipsim/parameters.yaml``)
marks ``live: false`` shapes the model's structure (sizes, caseload, seed) and can
only be set when a model is built; a parameter that is not a lever (an uncertainty,
the context) is not changed mid-run either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .parameters import BY_NAME, ParameterError
from .population import TURNOVER_CLIP, company_slots

if TYPE_CHECKING:
    from .model import BipModel


def set_lever(model: BipModel, name: str, value: Any) -> Any:
    """Change a live lever of ``model`` from the next week on, and what depends on it.

    Returns:
        The value as stored (coerced to the parameter's kind).

    Raises:
        ParameterError: Unknown name, not a lever, fixed at build time, or a value
            the parameter does not allow.
    """
    spec = BY_NAME.get(name)
    if spec is None:
        raise ParameterError(f"no parameter named {name!r}")
    refusal = spec.mid_run_refusal()
    if refusal:
        how = "it is set when a model is built," if spec.role != "lever" else (
            "build a new model with")
        raise ParameterError(f"{refusal}: {how} BipModel({name}=...)", spec.path)
    value = spec.validate(value)
    before = dict(model.p)
    model.p[name] = value
    effect = RE_DERIVE.get(name)
    if effect is not None:
        effect(model, before)
    return value


def _shift_optimism(model: BipModel, before: dict[str, Any]) -> None:
    """Move the optimism of the caseworkers in post with training.

    Optimism is drawn when a caseworker is hired (``population.draw_optimism``), so a
    new training shift would otherwise reach only future hires. Every caseworker
    moves by the same amount: training lifts everyone, the sceptic stays the most
    sceptical. Beliefs follow at each citizen's next meeting.
    """
    shift = model.p["expectations_training"] - before["expectations_training"]
    model.caseworkers.optimism[:] += np.float32(shift)


def _rescale_turnover(model: BipModel, before: dict[str, Any]) -> None:
    """Carry the new turnover into each jobcentre's rate, drawn once at build."""
    jc, new, old = model.jobcentres, model.p["annual_turnover"], before["annual_turnover"]
    if model.p["turnover_spread"] == 0 or old == 0:
        jc.turnover[:] = new
    else:  # keep the jobcentres' differences, as the build draws them around the mean
        jc.turnover[:] = np.clip(jc.turnover * (new / old), *TURNOVER_CLIP)


def _recount_company_slots(model: BipModel, before: dict[str, Any]) -> None:
    """Recount each jobcentre's company places from its size, as the build does."""
    jc = model.jobcentres
    jc.company_slots[:] = company_slots(model.p["company_slots_per_100"], jc.size)


#: Live levers whose build-time state :func:`set_lever` re-derives, and how.
RE_DERIVE: dict[str, Callable[[BipModel, dict[str, Any]], None]] = {
    "expectations_training": _shift_optimism,
    "annual_turnover": _rescale_turnover,
    "company_slots_per_100": _recount_company_slots,
}

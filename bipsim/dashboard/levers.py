"""The dashboard's levers: which parameters a trainer moves, and how a move reaches a model.

``LEVERS`` declares every control once (label, range, display unit), like Mesa's
``model_params`` dicts, and :func:`check_levers` checks it against the parameter
schema (:data:`bipsim.parameters.BY_NAME`) when the dashboard starts.

:func:`apply_lever` changes a parameter of a model that is already running. Most
rules read ``model.p`` every week, so setting the value is enough; a few values
are turned into model state when the model is built, and those are carried over
here (:data:`LIVE_EFFECTS`), or refused until the next reset (:data:`BUILD_ONLY`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bipsim.parameters import BY_NAME, ParameterError, check_value
from bipsim.population import TURNOVER_CLIP

if TYPE_CHECKING:
    from bipsim.model import BipModel


class LeverError(ParameterError):
    """A lever definition that does not fit the schema, or a value a model cannot take now."""


@dataclass(frozen=True)
class Lever:
    """One control of the dashboard.

    A slider shows the value in display units (``percent`` of turnover, not a
    share); the model gets ``display value * scale``.

    Attributes:
        name: Parameter keyword (a key of ``BY_NAME``).
        label: Danish label, BIP terms where there are any.
        help: One line for the trainer: what moving it means.
        low: Smallest slider value, display units.
        high: Largest slider value, display units.
        step: Slider step, display units.
        unit: Display unit, Danish.
        scale: Model value per display unit.
        live: False if the value shapes the model's structure and applies on reset.
        choices: ``(model value, Danish label)`` pairs for a choice; empty for a slider.
    """

    name: str
    label: str
    help: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    unit: str = ""
    scale: float = 1.0
    live: bool = True
    choices: tuple[tuple[str, str], ...] = ()

    def to_model(self, shown: float | str) -> Any:
        """The model value of a displayed slider value (a choice passes through)."""
        if self.choices:
            return shown
        value = shown * self.scale
        return round(value) if BY_NAME[self.name].kind == "int" else float(value)

    def to_display(self, value: Any) -> float | str:
        """The displayed slider value of a model value."""
        if self.choices:
            return value
        shown = value / self.scale
        # round away float noise (0.17 / 0.01 = 17.000000000000004)
        return round(shown, 6) if isinstance(self.step, float) else round(shown)

    def describe(self, value: Any) -> str:
        """The value as a trainer reads it, in Danish (``17 % pr. år``, ``Trappetrin``)."""
        if self.choices:
            return dict(self.choices).get(value, str(value))
        shown = self.to_display(value)
        text = f"{shown:g}".replace(".", ",")  # Danish decimal comma
        return f"{text} {self.unit}".strip()


#: The controls, in the order the page shows them.
LEVERS: tuple[Lever, ...] = (
    Lever("expectations_training", "Sagsbehandlernes tro på borgerne (forventningstræning)",
          "Flytter alle sagsbehandleres optimisme op: de svarer oftere 'gode chancer' eller "
          "'ja' til, om borgeren kommer i job inden for et år (BIP-indikatoren "
          "sagsbehandlers tro). 0 = i dag.",
          low=0.0, high=2.0, step=0.1, unit="SD"),
    Lever("annual_turnover", "Udskiftning af sagsbehandlere",
          "Andel af sagsbehandlerne, der stopper i løbet af et år. Stillingen står tom "
          "nogle uger, og den nye sagsbehandler er et sagsbehandlerskift for alle "
          "stillingens borgere.",
          low=0, high=60, step=1, unit="% pr. år", scale=0.01),
    Lever("reorganisations_per_year", "Omorganiseringer",
          "Hver omorganisering flytter 30 % af sagerne til en anden sagsbehandler "
          "(et sagsbehandlerskift for hver af dem).",
          low=0.0, high=4.0, step=0.1, unit="pr. år"),
    Lever("placement_timing", "Virksomhedsrettet indsats (praktik, løntilskud)",
          "Trappetrin: først når borgeren er tæt på parat og har været i anden aktivitet. "
          "Tidligt og parallelt: virksomhedspraktik fra start, sideløbende med "
          "behandling eller opkvalificering.",
          choices=(("staircase", "Trappetrin"), ("early", "Tidligt og parallelt"))),
    Lever("company_slots_per_100", "Virksomhedspladser",
          "Pladser i virksomhedspraktik og løntilskud pr. 100 borgere; tidlig "
          "virksomhedsrettet indsats kræver pladser nok.",
          low=0, high=40, step=1, unit="pr. 100 borgere"),
    Lever("interval", "Samtaleinterval",
          "Uger mellem borgerens samtaler med sagsbehandleren (når der er tid).",
          low=1, high=13, step=1, unit="uger"),
    Lever("caseload", "Sagsstamme (gælder fra næste Nulstil)",
          "Borgere pr. sagsbehandler. Ændrer antallet af sagsbehandlere, som ligger fast, "
          "mens modellen kører: tryk Nulstil for at starte forfra med den nye sagsstamme.",
          low=10, high=100, step=5, unit="borgere pr. sagsbehandler", live=False),
)
BY_LEVER: dict[str, Lever] = {lever.name: lever for lever in LEVERS}

#: Parameters turned into model structure when it is built: they apply on reset only.
BUILD_ONLY: frozenset[str] = frozenset({
    "seed", "n_citizens", "n_jobcentres", "jobcentre_size_spread", "dur_initial_mean",
    "factor_loading", "caseload", "caseload_spread", "turnover_spread",
})


def check_levers(levers: Sequence[Lever] = LEVERS) -> None:
    """Check lever definitions against the parameter schema.

    Raises:
        LeverError: An unknown parameter, a range outside the parameter's allowed
            range, choices the parameter does not have, a live lever on a
            build-only parameter, or a duplicate.
    """
    seen: set[str] = set()
    for lever in levers:
        spec = BY_NAME.get(lever.name)
        where = f"dashboard lever {lever.name!r}"
        if spec is None:
            raise LeverError(f"{where}: no such parameter")
        if lever.name in seen:
            raise LeverError(f"{where}: declared twice")
        seen.add(lever.name)
        if lever.live and lever.name in BUILD_ONLY:
            raise LeverError(f"{where}: {spec.path} is fixed when the model is built; "
                             "declare it live=False")
        if spec.kind == "choice":
            unknown = {value for value, _ in lever.choices} - set(spec.choices)
            if not lever.choices or unknown:
                raise LeverError(f"{where}: choices {sorted(unknown) or 'missing'} not in "
                                 f"{spec.path}: {spec.allowed()}")
            continue
        if lever.choices or spec.kind not in ("int", "float"):
            raise LeverError(f"{where}: {spec.path} is {spec.kind}, not a slider")
        if not (lever.low < lever.high and lever.step > 0):
            raise LeverError(f"{where}: empty range or step {lever.low}..{lever.high}")
        for end in (lever.low, lever.high):
            _, problem = check_value(spec, lever.to_model(end))
            if problem:
                raise LeverError(f"{where}: slider end {end} {lever.unit} gives "
                                 f"{spec.path}={lever.to_model(end)!r}, {problem}; "
                                 f"allowed: {spec.allowed()}")
        if spec.kind == "int" and not float(lever.step * lever.scale).is_integer():
            raise LeverError(f"{where}: step {lever.step} is not whole for integer {spec.path}")


def slider_range(lever: Lever, value: Any) -> tuple[float, float]:
    """The lever's slider range, widened to show ``value`` (a scenario may go beyond it)."""
    shown = lever.to_display(value)
    return min(lever.low, shown), max(lever.high, shown)


def apply_lever(model: BipModel, name: str, value: Any) -> Any:
    """Change a parameter of a running model from the next week on.

    Checks the value against the schema, sets ``model.p[name]``, and carries the
    change into the state that was derived from it at build time
    (:data:`LIVE_EFFECTS`): caseworkers' optimism, the jobcentres' turnover and
    company places.

    Args:
        model: A built model, possibly mid-run.
        name: Parameter keyword, e.g. ``"annual_turnover"``.
        value: New value in model units.

    Returns:
        The value as stored (coerced to the parameter's kind).

    Raises:
        LeverError: Unknown parameter, value not allowed, or a parameter that
            applies on reset only (:data:`BUILD_ONLY`).
    """
    spec = BY_NAME.get(name)
    if spec is None:
        raise LeverError(f"no parameter named {name!r}")
    value, problem = check_value(spec, value)
    if problem:
        raise LeverError(f"{spec.path}={value!r}: {problem}; allowed: {spec.allowed()}")
    if name in BUILD_ONLY:
        raise LeverError(f"{spec.path} is fixed when the model is built; it applies on reset")
    before = dict(model.p)
    model.p[name] = value
    effect = LIVE_EFFECTS.get(name)
    if effect is not None:
        effect(model, before)
    return value


def _shift_optimism(model: BipModel, before: dict[str, Any]) -> None:
    """Move the optimism of the caseworkers in post with its distribution.

    Optimism is drawn when a caseworker is hired, so a new mean or spread would
    otherwise reach only future hires. Each caseworker keeps its place in the
    distribution (its z-score): training lifts everyone, the sceptic stays the
    most sceptical. Beliefs follow at each citizen's next meeting.
    """
    p, cw = model.p, model.caseworkers
    old_mean = before["optimism_mean"] + before["expectations_training"]
    new_mean = p["optimism_mean"] + p["expectations_training"]
    if before["optimism_sd"] > 0:
        z = (cw.optimism - old_mean) / before["optimism_sd"]
        cw.optimism[:] = new_mean + p["optimism_sd"] * z
    else:  # everyone was at the mean: no ranks to keep
        cw.optimism[:] = new_mean


def _set_turnover(model: BipModel, before: dict[str, Any]) -> None:
    """Carry the new turnover into each jobcentre's rate, drawn once at build."""
    jc, new, old = model.jobcentres, model.p["annual_turnover"], before["annual_turnover"]
    if model.p["turnover_spread"] == 0 or old == 0:
        jc.turnover[:] = new
    else:  # keep the jobcentres' differences, as the build does
        jc.turnover[:] = np.clip(jc.turnover * (new / old), *TURNOVER_CLIP)


def _set_company_slots(model: BipModel, before: dict[str, Any]) -> None:
    """Recount each jobcentre's company places, as the build does from its size."""
    jc = model.jobcentres
    jc.company_slots[:] = np.round(model.p["company_slots_per_100"] * jc.size / 100)


#: Parameters whose build-time state :func:`apply_lever` updates, and how.
LIVE_EFFECTS: dict[str, Callable[[BipModel, dict[str, Any]], None]] = {
    "optimism_mean": _shift_optimism,
    "optimism_sd": _shift_optimism,
    "expectations_training": _shift_optimism,
    "annual_turnover": _set_turnover,
    "company_slots_per_100": _set_company_slots,
}

"""The dashboard's levers: which parameters a trainer moves, shown how.

``LEVERS`` declares every control once (Danish label, slider range, display unit),
like Mesa's ``model_params`` dicts, and :func:`check_levers` checks it against the
parameter table (:data:`bipsim.parameters.BY_NAME`) when the dashboard starts. What
a lever *is* comes from the table alone: that it is a lever, and whether it is live
(changes a running model through :meth:`bipsim.model.BipModel.set_lever`) or
applies on the next reset (``live: false``, e.g. ``caseload``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bipsim.parameters import BY_NAME, ParameterError


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
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def live(self) -> bool:
        """Whether a move reaches the running model (else it applies on reset); the table's."""
        return BY_NAME[self.name].live

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
          low=10, high=100, step=5, unit="borgere pr. sagsbehandler"),
)
BY_LEVER: dict[str, Lever] = {lever.name: lever for lever in LEVERS}


def check_levers(levers: Sequence[Lever] = LEVERS) -> None:
    """Check lever definitions against the parameter schema.

    Raises:
        LeverError: An unknown parameter, one the table does not call a lever, a
            range outside the parameter's allowed range, choices the parameter does
            not have, or a duplicate.
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
        if spec.role != "lever":
            raise LeverError(f"{where}: {spec.path} is {spec.describe_role()}, not a lever "
                             "(bipsim/parameters.yaml)")
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
            try:
                spec.validate(lever.to_model(end))
            except ParameterError as err:
                raise LeverError(f"{where}: slider end {end} {lever.unit}: {err}") from None
        if spec.kind == "int" and not float(lever.step * lever.scale).is_integer():
            raise LeverError(f"{where}: step {lever.step} is not whole for integer {spec.path}")


def slider_range(lever: Lever, value: Any) -> tuple[float, float]:
    """The lever's slider range, widened to show ``value`` (a scenario may go beyond it)."""
    shown = lever.to_display(value)
    return min(lever.low, shown), max(lever.high, shown)

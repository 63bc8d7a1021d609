"""Every model parameter, declared once: key, default, unit, allowed range and source.

A scenario file is a nested mapping ``group: {name: value}``; the model takes the
same parameters as flat keyword arguments (``BipModel(annual_turnover=0.1)``), so
every ``name`` is unique across groups. Defaults marked *first guess* are not yet
calibrated (see issue "Calibration"): they are plausible values read off
EVIDENCE.md, not fitted ones.

Unit prefixes follow STYLE.md: ``p_`` probability per week, ``dur_`` weeks,
``hr_`` hazard ratio, ``rel_`` multiplier, ``gain_`` change in indicator
standard deviations per week.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FIRST_GUESS = "first guess, not yet calibrated"


class ParameterError(ValueError):
    """Parameter values that are each allowed but do not fit together, or a bad keyword."""


@dataclass(frozen=True)
class ParamSpec:
    """One scenario parameter.

    Attributes:
        group: Section of the scenario file (``caseworkers``).
        name: Key inside the section, also the model's keyword argument.
        default: Value used when no scenario sets it.
        kind: ``int``, ``float``, ``bool`` or ``choice``.
        unit: Unit of the value, in words.
        doc: What the parameter means.
        source: Where the default comes from.
        low: Smallest allowed value (numbers only).
        high: Largest allowed value (numbers only).
        choices: Allowed values (``choice`` only).
    """

    group: str
    name: str
    default: Any
    kind: str
    unit: str
    doc: str
    source: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """Dotted key as written in YAML and on the command line."""
        return f"{self.group}.{self.name}"

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "int":
            return f"an integer from {int(self.low):,} to {int(self.high):,} ({self.unit})"
        return f"a number from {self.low:g} to {self.high:g} ({self.unit})"


def _p(group, name, default, kind, unit, low, high, doc, source=FIRST_GUESS, choices=()):
    return ParamSpec(group, name, default, kind, unit, doc, source, low, high, tuple(choices))


_SPECS = [
    # --- run -----------------------------------------------------------------
    _p("run", "weeks", 208, "int", "weeks", 1, 2080,
       "Length of the simulation.", "BIP follow-up of four years"),
    _p("run", "seed", 1, "int", "integer", 0, 2**63 - 1,
       "Seed of all random streams (overridden by --seed).", "convention"),
    # --- population ------------------------------------------------------------
    _p("population", "n_citizens", 10_000, "int", "citizens", 1, 5_000_000,
       "Citizens on benefit at week 0 (aktivitetsparate kontanthjælpsmodtagere).",
       "scale choice; national stock 66,254-86,200 (jobindsats.dk, Danmarks Statistik)"),
    _p("population", "n_jobcentres", 10, "int", "jobcentres", 1, 500,
       "Number of jobcentres (one per municipality).", "BIP: 10 jobcentres; Denmark: 98"),
    _p("population", "jobcentre_size_spread", 0.0, "float", "log-sd", 0, 2,
       "Spread of jobcentre sizes: standard deviation of log size (0 = equal sizes).",
       "0.8 in `national` gives sizes from ~100 to ~5,000, as Danish municipalities"),
    _p("population", "dur_initial_mean", 104.0, "float", "weeks", 0, 1040,
       "Mean time on benefit already spent by the week-0 stock (exponential).",
       FIRST_GUESS + "; aktivitetsparate are typically long-term recipients"),
    _p("population", "share_under_30", 0.35, "float", "share", 0, 1,
       "Share of citizens under 30 (more likely to leave for education).", FIRST_GUESS),
    _p("population", "factor_loading", 0.6, "float", "correlation", 0, 0.95,
       "Loading of every indicator on the common factor (health and resources); "
       "indicators correlate by factor_loading squared.", FIRST_GUESS),
    # --- inflow ----------------------------------------------------------------
    _p("inflow", "mode", "replace", "choice", "", None, None,
       "`replace`: each exit is replaced next week by a new citizen of the same "
       "caseworker (holds the stock); `rate`: entrants_per_1000 each week; `none`: closed cohort.",
       "modelling choice", choices=("replace", "rate", "none")),
    _p("inflow", "entrants_per_1000", 5.0, "float", "entrants per 1,000 initial citizens per week",
       0, 1000, "Weekly inflow in `rate` mode.", FIRST_GUESS),
    # --- caseworkers -------------------------------------------------------------
    _p("caseworkers", "caseload", 80.0, "float", "citizens per caseworker", 5, 400,
       "Citizens per caseworker; sets the number of caseworkers per jobcentre.",
       "mean ≈82, range 40-200 in 2013 (Dansk Socialrådgiverforening)"),
    _p("caseworkers", "caseload_spread", 0.0, "float", "coefficient of variation", 0, 1,
       "Variation of caseload across jobcentres (clipped to 25-220).",
       "range 40-200 (2013); 180-220 central Copenhagen 2017; guideline 25-40"),
    _p("caseworkers", "annual_turnover", 0.17, "float", "share leaving per year", 0, 1,
       "Share of caseworkers who leave the jobcentre per year.",
       "16.7 %/yr municipal staff, Roskilde (sn.dk); 1 in 4 in Copenhagen"),
    _p("caseworkers", "turnover_spread", 0.0, "float", "coefficient of variation", 0, 1,
       "Variation of turnover across jobcentres (clipped to 0.05-0.40 per year).",
       "7-8 years tenure (≈13 %/yr) in well-run jobcentres; 25 %/yr Copenhagen"),
    _p("caseworkers", "dur_vacancy", 4.0, "float", "weeks", 0, 52,
       "Weeks a post stays empty before the replacement starts; its citizens have no "
       "meetings meanwhile.", FIRST_GUESS),
    _p("caseworkers", "reorganisations_per_year", 0.2, "float", "per jobcentre per year", 0, 12,
       "Rate of reorganisations that reassign cases between caseworkers.", FIRST_GUESS),
    _p("caseworkers", "share_reassigned", 0.3, "float", "share of cases", 0, 1,
       "Share of a jobcentre's cases moved to another caseworker in a reorganisation.",
       FIRST_GUESS),
    _p("caseworkers", "optimism_mean", 0.0, "float", "belief SD units", -3, 3,
       "Mean of the caseworkers' stable optimism trait.",
       "scale origin; IZA WoL 'Believing in clients'"),
    _p("caseworkers", "optimism_sd", 0.5, "float", "belief SD units", 0, 3,
       "Spread of optimism between caseworkers.", FIRST_GUESS),
    _p("caseworkers", "expectations_training", 0.0, "float", "belief SD units", 0, 3,
       "Shift of optimism from training in positive expectations (added to optimism_mean).",
       "lever; 0 = today's practice"),
    _p("caseworkers", "belief_readiness_weight", 0.6, "float", "belief SD per readiness SD", 0, 3,
       "How strongly the caseworker's belief tracks the citizen's true readiness.", FIRST_GUESS),
    _p("caseworkers", "belief_noise_sd", 0.6, "float", "belief SD units", 0, 3,
       "Spread of a caseworker's impression of a citizen (kept while the pair lasts).",
       FIRST_GUESS),
    _p("caseworkers", "meetings_per_week", 15.0, "float", "meetings per caseworker per week",
       1, 200,
       "Meetings a caseworker can hold in a week; due meetings beyond it are postponed.",
       FIRST_GUESS + "; 3 meetings a day"),
    # --- meetings ----------------------------------------------------------------
    _p("meetings", "interval", 4, "int", "weeks", 1, 52,
       "Weeks between a citizen's meetings when the caseworker has capacity.",
       "contact rules: at least quarterly; monthly practice (first guess)"),
    # --- interventions -------------------------------------------------------------
    _p("interventions", "placement_timing", "staircase", "choice", "", None, None,
       "`staircase`: company placement only above staircase_threshold after "
       "staircase_steps other activities; `early`: company placement offered from the "
       "start, in parallel with other support.", "seed 003; BIP research summary",
       choices=("staircase", "early")),
    _p("interventions", "staircase_threshold", 0.25, "float", "readiness SD", -5, 5,
       "Readiness a citizen must reach for company placement under the staircase.", FIRST_GUESS),
    _p("interventions", "staircase_steps", 1, "int", "activities", 0, 10,
       "Other activities a citizen must complete before company placement under the staircase.",
       FIRST_GUESS),
    _p("interventions", "company_slots_per_100", 12.0, "float", "slots per 100 citizens", 0, 100,
       "Company placement places (virksomhedspraktik, løntilskud) per 100 citizens of a jobcentre.",
       FIRST_GUESS + "; company-directed ≈30 % of activation (Rosholm & Svarer)"),
    _p("interventions", "p_offer", 0.3, "float", "probability per meeting", 0, 1,
       "Chance that a meeting with a citizen of average readiness starts an activity.",
       FIRST_GUESS + "; 1 in 4 had no offer within 65 weeks (DA)"),
    _p("interventions", "offer_readiness_slope", 0.5, "float", "log-odds per readiness SD", 0, 5,
       "How much more often ready citizens get offers (the least ready are more often passive).",
       "seeds 001, 004 (direction); size first guess"),
    _p("interventions", "dur_company", 13, "int", "weeks", 1, 104,
       "Length of a company placement.", "virksomhedspraktik typically 4-13 weeks"),
    _p("interventions", "dur_other", 26, "int", "weeks", 1, 104,
       "Length of another activity (treatment, upskilling, mentor).", FIRST_GUESS),
    _p("interventions", "p_interrupt_on_change", 0.3, "float", "probability", 0, 1,
       "Chance that an ongoing activity is interrupted when the caseworker changes.", FIRST_GUESS),
    # --- progression ---------------------------------------------------------------
    _p("progression", "rel_drift", 0.05, "float", "share per week", 0, 1,
       "Share of the gap to the citizen's own level closed each week.", FIRST_GUESS),
    _p("progression", "rel_level_decay", 0.02, "float", "share per week", 0, 1,
       "Share of the gap between the own level and the level at entry closed each week: "
       "gains (and setbacks) fade unless sustained (half-life 34 weeks at 0.02).",
       FIRST_GUESS),
    _p("progression", "gain_company", 0.015, "float", "SD per week", -0.5, 0.5,
       "Rise of every indicator's own level per week in company placement.",
       "seeds 003, 004: moves all indicators; size first guess"),
    _p("progression", "gain_other", 0.005, "float", "SD per week", -0.5, 0.5,
       "Rise per week in another activity.", "seed 004: less than company; first guess"),
    _p("progression", "gain_passive", -0.003, "float", "SD per week", -0.5, 0.5,
       "Change per week with no activity (passivity).", "seeds 001, 004: least; first guess"),
    _p("progression", "gain_belief", 0.004, "float", "SD per week per belief step", -0.5, 0.5,
       "Rise per week per step of caseworker belief above 'in between' (negative below).",
       "IZA WoL; Swedish BIP summaries; first guess"),
    _p("progression", "gain_meeting", 0.005, "float", "SD per meeting", -0.5, 0.5,
       "Rise of the own level at each meeting.", "Maibom, Rosholm & Svarer 2017 (direction)"),
    _p("progression", "setback_change", 0.1, "float", "SD", 0, 2,
       "Fall of every indicator (and its own level) at a caseworker change.",
       "Swedish BIP summaries (direction); size first guess"),
    _p("progression", "setback_interruption", 0.1, "float", "SD", 0, 2,
       "Fall of every indicator (and its own level) when an activity is interrupted.",
       "Swedish BIP summaries (direction); size first guess"),
    _p("progression", "noise_sd", 0.08, "float", "SD per week", 0, 2,
       "Weekly random variation of each indicator.", FIRST_GUESS),
    # --- exits -----------------------------------------------------------------------
    _p("exits", "p_job", 0.0012, "float", "probability per week", 0, 0.5,
       "Weekly job hazard at readiness 0, no belief, no changes, first weeks on benefit.",
       "T1: ≈6 % in job within 12 months (first guess)"),
    _p("exits", "p_education", 0.0008, "float", "probability per week", 0, 0.5,
       "Weekly education hazard at the same reference.", "T2 exit mix (first guess)"),
    _p("exits", "p_other", 0.0025, "float", "probability per week", 0, 0.5,
       "Weekly hazard of moving to another benefit at the same reference.",
       "T2: 34 % of leavers to other benefit (first guess)"),
    _p("exits", "hr_readiness_job", 2.0, "float", "hazard ratio per readiness SD", 0.1, 10,
       "Effect of readiness on the job hazard.", "BIP: predictive indicators (first guess)"),
    _p("exits", "hr_readiness_education", 1.5, "float", "hazard ratio per readiness SD", 0.1, 10,
       "Effect of readiness on the education hazard.", FIRST_GUESS),
    _p("exits", "hr_readiness_other", 0.8, "float", "hazard ratio per readiness SD", 0.1, 10,
       "Effect of readiness on moving to another benefit.", FIRST_GUESS),
    _p("exits", "hr_belief", 1.2, "float", "hazard ratio", 0.1, 10,
       "Structural effect on job and education of a caseworker who believes "
       "(answers 'yes' or 'good chances').", "T4 (+33 %) includes confounding; first guess"),
    _p("exits", "hr_caseworker_change", 0.85, "float", "hazard ratio per change", 0.1, 2,
       "Structural effect of each caseworker change on job and education.",
       "T7 (-22 %) includes the setback path; first guess"),
    _p("exits", "hr_company_lockin", 0.6, "float", "hazard ratio", 0.01, 2,
       "Job hazard during company placement (lock-in).", "Skipper 2010; Rigsrevisionen 1/2010"),
    _p("exits", "hr_after_company", 1.3, "float", "hazard ratio", 0.1, 5,
       "Job hazard in the weeks after a company placement.", "Skipper 2010 (small net effect)"),
    _p("exits", "dur_after_company", 26, "int", "weeks", 0, 208,
       "Weeks after a company placement in which hr_after_company applies.", FIRST_GUESS),
    _p("exits", "hr_per_year_on_benefit", 0.85, "float", "hazard ratio per year", 0.1, 2,
       "Duration dependence of job and education hazards (capped at 5 years).", FIRST_GUESS),
    _p("exits", "hr_education_under_30", 3.0, "float", "hazard ratio", 0.1, 20,
       "Education hazard of citizens under 30 relative to older.", FIRST_GUESS),
    # --- survey ----------------------------------------------------------------------
    _p("survey", "wave_interval", 13, "int", "weeks", 0, 52,
       "Weeks between BIP survey waves (0 = no survey).", "BIP: every 3 months"),
    _p("survey", "measurement_noise_sd", 0.5, "float", "SD", 0, 3,
       "Noise of a measured indicator answer around the latent score.", FIRST_GUESS),
    # --- costs -----------------------------------------------------------------------
    _p("costs", "benefit_dkk", 3_100.0, "float", "DKK per citizen-week", 0, 100_000,
       "Benefit paid per citizen-week on kontanthjælp.",
       "kontanthjælp ≈13,500 DKK/month, over 30, no children (first guess)"),
    _p("costs", "company_dkk", 1_000.0, "float", "DKK per week", 0, 100_000,
       "Cost of a company placement per week (administration, wage subsidy share).", FIRST_GUESS),
    _p("costs", "other_dkk", 1_500.0, "float", "DKK per week", 0, 100_000,
       "Cost of another activity per week (course, treatment, mentor).", FIRST_GUESS),
    _p("costs", "caseworker_dkk", 11_000.0, "float", "DKK per FTE-week", 0, 1_000_000,
       "Cost of one caseworker post per week, overhead included.",
       "≈570,000 DKK/year incl. overhead (first guess)"),
]

#: All parameters by dotted path, in declaration order.
PARAMETERS: dict[str, ParamSpec] = {spec.path: spec for spec in _SPECS}
#: The same parameters by keyword name.
BY_NAME: dict[str, ParamSpec] = {spec.name: spec for spec in _SPECS}
if len(BY_NAME) != len(PARAMETERS):
    raise RuntimeError("parameter names must be unique across groups")
GROUPS: tuple[str, ...] = tuple(dict.fromkeys(spec.group for spec in _SPECS))


def defaults() -> dict[str, Any]:
    """Default value of every parameter, by keyword name."""
    return {spec.name: spec.default for spec in _SPECS}


def markdown_table(specs: list[ParamSpec] | None = None) -> str:
    """Parameters as a Markdown table: key, default, unit and range, meaning, source."""
    rows = ["| key | default | allowed | meaning | source |", "|---|---|---|---|---|"]
    for spec in specs if specs is not None else PARAMETERS.values():
        cells = (f"`{spec.path}`", f"`{spec.default}`", spec.allowed(), spec.doc, spec.source)
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def check_value(spec: ParamSpec, value: Any) -> tuple[Any, str | None]:
    """Coerce ``value`` to the parameter's kind, or explain why it is not allowed.

    Returns:
        ``(value, None)`` when allowed, else ``(value, reason)``.
    """
    if spec.kind == "bool":
        return (value, None) if isinstance(value, bool) else (value, "not true/false")
    if spec.kind == "choice":
        return (value, None) if value in spec.choices else (value, "not an allowed choice")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, f"not a number ({type(value).__name__})"
    if spec.kind == "int":
        if isinstance(value, float) and not value.is_integer():
            return value, "not an integer"
        value = int(value)
    else:
        value = float(value)
    if not (spec.low <= value <= spec.high):
        return value, "out of range"
    return value, None

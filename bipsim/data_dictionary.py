"""The data dictionary: every column of every table bipsim writes, its meaning and unit.

One place for what a run folder (``weekly.csv``, ``citizens.parquet``,
``survey.parquet``, ``summary.json``) and a compare or sweep folder hold. Columns
that other tables already define are taken from there, not repeated: outcomes from
:data:`bipsim.outcomes.OUTCOMES`, indicators from :mod:`bipsim.indicators`, swept
parameters from the parameter table. ``docs/data_dictionary.md`` is rendered from
here (``python -m bipsim.data_dictionary > docs/data_dictionary.md``), and a test
compares the columns a small run, compare and sweep actually write with this
dictionary, both ways.

Conventions of the tables: categorical codes are stored as (ordered) categories
with their labels, not integers; a missing value is null (a vacant post has no
caseworker; an event that has not happened has no week), never a sentinel number.
Weeks are counted from 0, the state before the first step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .agents import BELIEF_ANSWERS, STATUS_NAMES
from .budget import YEARLY
from .experiments.compare import SERIES as COMPARE_SERIES
from .indicators import INDICATORS, LABELS_EN
from .outcomes import OUTCOMES
from .rules.costs import COST_KINDS


@dataclass(frozen=True)
class Column:
    """One column: what it means and in which unit (``""`` for text and identifiers)."""

    meaning: str
    unit: str


@dataclass(frozen=True)
class Table:
    """One table a command writes.

    Attributes:
        files: The files holding it, relative to the folder.
        written_by: The command that writes it.
        about: What one row is.
        columns: Column name to its meaning and unit, in the order written.
        parameters: Also one column per swept parameter, named by its dotted key.
    """

    files: tuple[str, ...]
    written_by: str
    about: str
    columns: dict[str, Column]
    parameters: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


#: Labels of the categorical columns, in code order.
STATUS = tuple(STATUS_NAMES.values())
#: A caseworker's answer to "will the citizen get a job within the next year?";
#: code 0 ("not yet formed", just after a caseworker change) is stored as null.
BELIEF = tuple(label for code, label in BELIEF_ANSWERS.items() if code > 0)

_PARAMETER = Column("value of this swept parameter (a dotted key of `bipsim params`) at "
                    "this design point", "the parameter's unit (`bipsim params`)")


def _outcomes(what: str = "") -> dict[str, Column]:
    return {k: Column(o.doc + what, o.unit) for k, o in OUTCOMES.items()}


def _indicators(meaning: str, unit: str, prefix: str = "") -> dict[str, Column]:
    return {prefix + k: Column(meaning.format(LABELS_EN[k]), unit) for k in INDICATORS}


def _interval(prefix: str, what: str, unit: str) -> dict[str, Column]:
    return {
        f"{prefix}_mean": Column(f"{what}: mean over paired replicates", unit),
        f"{prefix}_low": Column(f"{what}: lower end of the 95 % interval of the mean", unit),
        f"{prefix}_high": Column(f"{what}: upper end of the 95 % interval of the mean", unit),
        f"{prefix}_sd": Column(f"{what}: standard deviation over replicates", unit),
        f"{prefix}_n": Column(f"{what}: replicates", "runs"),
    }


_FLOWS = {
    "entrants": ("citizens entering benefit", "citizens"),
    "caseworkers_leaving": ("caseworkers leaving their post", "caseworkers"),
    "reorganisations": ("reorganisations that reassign cases", "reorganisations"),
    "meetings": ("meetings held", "meetings"),
    "company_starts": ("company placements started", "placements"),
    "other_starts": ("other activities started", "activities"),
    "job": ("exits to a job", "citizens"),
    "education": ("exits to education", "citizens"),
    "other_benefit": ("moves to another benefit", "citizens"),
    "caseworker_changes": ("caseworker changes (one per citizen whose caseworker changed)",
                           "changes"),
    "cost_dkk": ("public cost of every kind below (benefit, activities, caseworker posts, "
                 "training)", "DKK"),
    **{f"cost_{kind}_dkk": (f"public cost, {what}, in whole DKK", "DKK")
       for kind, what in COST_KINDS.items()},
    "returns": ("job and education leavers back on benefit (budget accounting only, "
                "bipsim/budget.py)", "citizens"),
    "benefit_avoided_dkk": ("benefit not paid to job and education leavers off benefit "
                            "(benefit_dkk x n_off_benefit_after_exit, whole DKK)", "DKK"),
}
_CUMULATED = ("job", "education", "other_benefit", "entrants", "company_starts",
              "caseworker_changes", "cost_dkk", *(f"cost_{kind}_dkk" for kind in COST_KINDS))

WEEKLY: dict[str, Column] = {
    "week": Column("week of the run; 0 is the state before the first step", "week"),
    "n_on_benefit": Column("citizens on benefit at the end of the week", "citizens"),
    "n_company": Column("citizens on benefit in a company placement", "citizens"),
    "n_other_activity": Column("citizens on benefit in another activity and not in a "
                               "company placement", "citizens"),
    "n_passive": Column("citizens on benefit in no activity", "citizens"),
    "n_caseworkers": Column("occupied caseworker posts", "caseworkers"),
    "n_posts_vacant": Column("vacant caseworker posts (their citizens have no meetings)",
                             "posts"),
    "share_believes": Column("share of citizens on benefit whose caseworker answers 'good "
                             "chances' or 'yes'; null when nobody is on benefit", "share"),
    "mean_readiness": Column("mean readiness of citizens on benefit; null when nobody is",
                             "SD of readiness among entrants"),
    "mean_readiness_company": Column("mean readiness of citizens in a company placement; "
                                     "null when nobody is", "SD of readiness among entrants"),
    "mean_readiness_other": Column("mean readiness of citizens in another activity only; "
                                   "null when nobody is", "SD of readiness among entrants"),
    "mean_readiness_passive": Column("mean readiness of passive citizens; null when nobody "
                                     "is", "SD of readiness among entrants"),
    **{f"new_{k}": Column(f"{what} this week", unit) for k, (what, unit) in _FLOWS.items()},
    **{f"cum_{k}": Column(f"{_FLOWS[k][0]} from week 1 to this week", _FLOWS[k][1])
       for k in _CUMULATED},
    "n_off_benefit_after_exit": Column(
        "citizens who left for a job or education and are off benefit this week, net of "
        "returns (budget accounting: the benefit-weeks avoided this week)", "citizens"),
    "cum_benefit_avoided_dkk": Column("benefit avoided from week 1 to this week", "DKK"),
    **_indicators("mean latent score of citizens on benefit: {}", "SD among entrants",
                  "mean_"),
}

CITIZENS: dict[str, Column] = {
    "uid": Column("citizen id, unique within the run; the week-0 stock is 0 to "
                  "n_citizens - 1, the k-th entrant of jobcentre j is n_citizens + "
                  "k * n_jobcentres + j (so ids have gaps; see Reproducibility)", ""),
    "jobcentre": Column("jobcentre index, 0 to n_jobcentres - 1", ""),
    "under_30": Column("under 30 years of age (more likely to leave for education)",
                       "true/false"),
    "readiness": Column("readiness at the end: weighted mean of the predictive indicators",
                        "SD among entrants"),
    "ti_entry": Column("week the spell on benefit began (negative: before the run)", "week"),
    "n_changes": Column("caseworker changes during the run", "changes"),
    "n_changes_before": Column("caseworker changes before week 0 (the week-0 stock's "
                               "history, drawn at set-up; 0 for entrants); not in "
                               "n_changes, as BIP counted changes during its follow-up",
                               "changes"),
    "belief": Column("the current caseworker's answer to 'will the citizen get a job within "
                     f"the next year?': {', '.join(BELIEF)}; null when not yet formed "
                     "(after a caseworker change, before a meeting)", "category"),
    "ti_meeting": Column("week of the last meeting; null if none", "week"),
    "n_meetings": Column("meetings during the run", "meetings"),
    "in_company": Column("in a company placement at the end (or at exit)", "true/false"),
    "in_other": Column("in another activity at the end (or at exit)", "true/false"),
    "ti_company_end": Column("planned or actual end of the last company placement; null if "
                             "none", "week"),
    "ti_other_end": Column("planned or actual end of the last other activity; null if none",
                           "week"),
    "n_other_done": Column("other activities completed (steps of the staircase)",
                           "activities"),
    "weeks_company": Column("weeks in a company placement during the run", "weeks"),
    "weeks_other": Column("weeks in another activity during the run", "weeks"),
    "weeks_passive": Column("weeks on benefit in no activity during the run", "weeks"),
    "weeks_on_benefit": Column("weeks on benefit during the run", "weeks"),
    "status": Column(f"state at the end: {', '.join(STATUS)}", "category"),
    "ti_exit": Column("week the citizen left benefit; null if still on benefit", "week"),
    "caseworker_post": Column("caseworker post (a post keeps its citizens when its holder "
                              "changes; it may be vacant)", ""),
    **_indicators("latent score at the end (or at exit): {}", "SD among entrants"),
}

SURVEY: dict[str, Column] = {
    "week": Column("week of the survey wave", "week"),
    "uid": CITIZENS["uid"],
    "jobcentre": CITIZENS["jobcentre"],
    "caseworker_uid": Column("id of the caseworker in the citizen's post; null while the "
                             "post is vacant", ""),
    "weeks_on_benefit": Column("weeks since the spell on benefit began", "weeks"),
    "n_changes": Column("caseworker changes so far in the run", "changes"),
    "belief": Column("the caseworker's answer to the belief question: "
                     f"{', '.join(BELIEF)}; null when not yet formed", "category"),
    "in_company": Column("in a company placement this week", "true/false"),
    "in_other": Column("in another activity this week", "true/false"),
    "under_30": CITIZENS["under_30"],
    **_indicators("measured answer (latent score plus measurement noise, cut into five "
                  "steps): {}", "answer 1-5"),
}

BUDGET: dict[str, Column] = {
    "year": Column("budget year: weeks 52(y-1)+1 to 52y (the last may be shorter)", ""),
    "first_week": Column("first week of the year", "week"),
    "last_week": Column("last week of the year", "week"),
    **{name: Column(f"{what}, summed over the year's weeks", unit)
       for name, (_, _, what, unit) in YEARLY.items()},
}

SUMMARY: dict[str, Column] = {
    "scenario": Column("scenario name", ""),
    "seed": Column("seed of the run", ""),
    "weeks": Column("weeks simulated", "weeks"),
    "reform_from_week": Column("first week a change of the scenario's timeline acts in "
                               "(weeks before it are the run without the reform); null "
                               "without a timeline", "week"),
    "start_date": Column("the day week 1 begins (the scenario's start_date:), null if not "
                         "given", "date YYYY-MM-DD"),
    "timeline": Column("the dated changes, a list of {from_week, phase_in_weeks, set: "
                       "{lever: value}, from (the date, if given), source (FILE:LINE)}; "
                       "empty without a timeline", ""),
    **{f"outcomes.{k}": c for k, c in _outcomes("; null where undefined").items()},
    **{f"definitions.{k}": Column(f"definition of outcomes.{k}, in words", "")
       for k in OUTCOMES},
    "budget.per_year": Column("the rows of budget.csv, one object per budget year", ""),
    **{f"budget.by_kind.{name}": Column(f"{what} over the run", "DKK")
       for name, (_, _, what, _) in YEARLY.items() if name.startswith("cost_")},
    "budget.benefit_avoided_dkk": Column("benefit avoided by job and education exits over "
                                         "the run, net of returns", "DKK"),
    "budget.accounting": Column("how the benefit saved is counted, in words", ""),
}

JOBCENTRES: dict[str, Column] = {
    "jobcentre": Column("jobcentre index (the `jobcentre` of citizens.parquet)", ""),
    "name": Column("municipality (population.jobcentre_sizes: municipalities, or "
                   "population.municipality), else `jobcentre <index>`", ""),
    "citizens_week0": Column("citizens on benefit at week 0", "citizens"),
    "citizens_ever": Column("citizens ever present during the run", "citizens"),
    "caseload": Column("citizens per caseworker: the jobcentre's target at the end of the "
                       "run (drawn at set-up; a dated caseload change re-derives it)",
                       "citizens"),
    "caseworker_posts": Column("caseworker posts at the end of the run", "posts"),
    "company_slots": Column("company placement places", "places"),
    "exits_job": Column("exits to a job during the run; they add up to summary.json's",
                        "citizens"),
    "exits_education": Column("exits to education during the run", "citizens"),
    "exits_other_benefit": Column("moves to another benefit during the run", "citizens"),
    "share_job_12m": Column("share of this jobcentre's week-0 stock entering a job within "
                            "52 weeks (null for runs under 52 weeks)", "share"),
    "mean_weeks_on_benefit": Column("citizen-weeks on benefit during the run over citizens "
                                    "ever present", "weeks"),
    "job_entries_per_100": Column("exits to a job per 100 citizens ever present (ranked in "
                                  "jobcentre_ranking.png)", "per 100 citizens"),
    **{f"cost_{kind}_dkk": Column(f"public cost of {meaning}, this jobcentre's share in "
                                  "whole kroner (the kind's weekly amount shared out by use; "
                                  "jobcentres add up to the run's cost exactly)", "DKK")
       for kind, meaning in COST_KINDS.items()},
    "total_cost_dkk": Column("sum of this jobcentre's costs; the jobcentres add up to "
                             "summary.json's total_cost_dkk exactly", "DKK"),
    "cost_per_job_entry_dkk": Column("total_cost_dkk over exits_job (null without a job "
                                     "entry; ranked in jobcentre_ranking.png)", "DKK"),
}

def _ranking_intervals() -> dict[str, Column]:
    """The columns of ``jobcentre_intervals.csv`` (``bipsim run --reps``)."""
    from .by_jobcentre import RANKED

    columns = {
        "jobcentre": JOBCENTRES["jobcentre"], "name": JOBCENTRES["name"],
        "citizens_week0": JOBCENTRES["citizens_week0"],
        "replicates": Column("replicate seeds run (--reps; the seeds are in manifest.json)",
                             "runs"),
    }
    for column, label, higher in RANKED:
        unit = JOBCENTRES[column].unit
        for name, what, where in ((column, label.lower(), unit),
                                  (f"place_{column}", f"place on {label.lower()} among the "
                                   "jobcentres (1 = best; ties share the mean place)",
                                   "place")):
            columns[f"{name}_median"] = Column(f"median over the replicates of the {what}",
                                               where)
            columns[f"{name}_p05"] = Column(f"5th percentile over the replicates of the "
                                            f"{what} (90 % range: chance only)", where)
            columns[f"{name}_p95"] = Column(f"95th percentile over the replicates of the "
                                            f"{what}", where)
        columns[f"{column}_replicates"] = Column(
            f"replicates in which the {label.lower()} is defined "
            f"({'always' if higher else 'those with a job entry'})", "runs")
    return columns


def _ranking_replicates() -> dict[str, Column]:
    """The columns of ``jobcentre_replicates.csv`` (``bipsim run --reps``)."""
    return {
        "replicate": Column("replicate index, 0 to N - 1; replicate r is one run of every "
                            "jobcentre, so two jobcentres pair by it", ""),
        "seed": Column("the replicate's seed (compare's replicate seeds of --seed, as in "
                       "manifest.json)", ""),
        "jobcentre": JOBCENTRES["jobcentre"], "name": JOBCENTRES["name"],
        "job_entries_per_100": Column("exits to a job per 100 citizens ever present at the "
                                      "jobcentre, in this replicate", "per 100 citizens"),
        "cost_per_job_entry_dkk": Column("the jobcentre's public cost over its exits to a "
                                         "job, in this replicate (null without a job entry)",
                                         "DKK"),
    }


_RUN_ID = {
    "run_id": Column("run id in the experiment's plan (plan.json); rows sorted by it", ""),
}
_INTERVAL = {
    "mean": Column("mean over replicates", "the outcome's unit"),
    "low": Column("lower end of the 95 % t interval of the mean (model randomness only)",
                  "the outcome's unit"),
    "high": Column("upper end of the 95 % t interval of the mean", "the outcome's unit"),
    "sd": Column("standard deviation over replicates", "the outcome's unit"),
    "n": Column("replicates", "runs"),
}
_OUTCOME_KEY = {
    "outcome": Column("outcome key (summary.json, `OUTCOMES`)", ""),
    "label": Column("the outcome's label, as printed", ""),
    "unit": Column("the outcome's unit: share, citizens, weeks, changes or DKK", ""),
}

TABLES: dict[str, Table] = {
    "weekly": Table(("weekly.csv",), "bipsim run", "one week of the run, from week 0",
                    WEEKLY),
    "citizens": Table(("citizens.parquet",), "bipsim run",
                      "one citizen ever present: the final state, or the state at exit",
                      CITIZENS),
    "survey": Table(("survey.parquet",), "bipsim run",
                    "one citizen on benefit at one survey wave (every survey.wave_interval "
                    "weeks; no file when the scenario has no survey)", SURVEY),
    "summary": Table(("summary.json",), "bipsim run",
                     "one run: the summary outcomes (keys as dotted paths)", SUMMARY),
    "budget": Table(("budget.csv",), "bipsim run", "one budget year of the run", BUDGET),
    "jobcentres": Table(("jobcentres.csv",), "bipsim run",
                        "one jobcentre of a run with more than one (no file for one "
                        "jobcentre: its results are the run's)", JOBCENTRES),
    "jobcentre_intervals": Table(
        ("jobcentre_intervals.csv",), "bipsim run --reps N",
        "one jobcentre: its ranked outcomes and places over N replicate seeds (the median "
        "and the 5th-95th percentile, a 90 % range covering chance only, not parameter "
        "uncertainty)", _ranking_intervals()),
    "jobcentre_replicates": Table(
        ("jobcentre_replicates.csv",), "bipsim run --reps N",
        "one jobcentre in one of the N replicate seeds: its ranked outcomes (the values "
        "jobcentre_intervals.csv summarises; python -m bipsim.by_jobcentre FOLDER --pair "
        "A B compares two jobcentres by them)", _ranking_replicates()),
    "compare_results": Table(
        ("results.csv", "results.parquet"), "bipsim compare", "one run",
        {**_RUN_ID, "scenario": Column("scenario label (the first is the baseline)", ""),
         "replicate": Column("replicate index; replicate r of every scenario shares its seed",
                             ""),
         "seed": Column("the run's seed (replicate seed)", ""),
         "uncertainty": Column("chance: the run uses the central parameter values; "
                               "parameters: it runs in world `replicate` (its parameter "
                               "draws)", ""), **_outcomes()},
        parameters=True,
        notes=("with --uncertainty parameters, one column per drawn parameter (its dotted "
               "key): its value in the run's world, null in runs at the central values",)),
    "compare_weekly": Table(
        ("weekly.parquet",), "bipsim compare", "one week of one run",
        {**_RUN_ID, "scenario": Column("scenario label", ""),
         "replicate": Column("replicate index", ""),
         **{k: WEEKLY[k] for k in ("week", *COMPARE_SERIES)}}),
    "compare_outcomes": Table(
        ("outcomes.csv",), "bipsim compare", "one outcome of one scenario",
        {"scenario": Column("scenario label", ""), **_OUTCOME_KEY, **_INTERVAL}),
    "compare_differences": Table(
        ("differences.csv",), "bipsim compare",
        "one outcome of one alternative minus the baseline, paired by replicate seed",
        {"alternative": Column("the alternative scenario's label", ""), **_OUTCOME_KEY,
         "baseline_mean": Column("the baseline's mean", "the outcome's unit"),
         "alternative_mean": Column("the alternative's mean", "the outcome's unit"),
         "chance_mean": Column("mean paired difference, alternative minus baseline, at the "
                               "central parameter values", "the outcome's unit"),
         "chance_low": Column("lower end of the 95 % t interval of the paired difference "
                              "(chance only)", "the outcome's unit"),
         "chance_high": Column("upper end of the 95 % t interval of the paired difference "
                               "(chance only)", "the outcome's unit"),
         "chance_sd": Column("standard deviation of the paired differences",
                             "the outcome's unit"),
         "chance_n": Column("pairs (replicates) at the central values", "runs"),
         "relative": Column("chance_mean over the baseline's mean; null when that is 0",
                            "ratio"),
         "excludes_zero": Column("the chance-only 95 % interval excludes 0", "true/false"),
         "parameters_mean": Column("mean paired difference over the plausible worlds "
                                   "(chance and parameters)", "the outcome's unit"),
         "parameters_low": Column("2.5 % quantile of the paired difference over the worlds",
                                  "the outcome's unit"),
         "parameters_high": Column("97.5 % quantile of the paired difference over the "
                                   "worlds", "the outcome's unit"),
         "parameters_sd": Column("standard deviation of the difference over the worlds",
                                 "the outcome's unit"),
         "n_worlds": Column("worlds with the difference defined", "worlds"),
         "p_better": Column("share of worlds in which the alternative is better (ties "
                            "half); null for outcomes without a better direction", "share"),
         "p_better_se": Column("binomial standard error of p_better", "share")},
        notes=("the parameters_ columns, n_worlds and p_better with --uncertainty "
               "parameters only",)),
    "compare_worlds": Table(
        ("worlds.csv",), "bipsim compare --uncertainty parameters",
        "one alternative in one world",
        {"alternative": Column("the alternative scenario's label", ""),
         "replicate": Column("the world (replicate index)", ""),
         "extra_jobs": Column("extra exits to job against the baseline", "citizens"),
         "extra_cost_dkk": Column("extra total public cost against the baseline", "DKK"),
         "cost_per_extra_job_dkk": Column("extra cost over extra job entries; null unless "
                                          "the extra job entries are > 0",
                                          "DKK per job entry")}),
    "compare_ceac": Table(
        ("ceac.csv",), "bipsim compare --uncertainty parameters",
        "one alternative at one price per extra job entry",
        {"alternative": Column("the alternative scenario's label", ""),
         "price_dkk": Column("what a planner would pay per extra job entry",
                             "DKK per job entry"),
         "share_worth_it": Column("share of worlds with price x extra jobs - extra cost > 0",
                                  "share")}),
    "compare_drivers": Table(
        ("drivers.csv",), "bipsim compare --uncertainty parameters",
        "one of the five drawn parameters most rank-correlated with one difference",
        {"alternative": Column("the alternative scenario's label", ""),
         "outcome": _OUTCOME_KEY["outcome"],
         "rank": Column("1 = the strongest (largest absolute rank correlation)", ""),
         "parameter": Column("the parameter's dotted key", ""),
         "rank_correlation": Column("Spearman's rank correlation of the parameter's draws "
                                    "with the difference over the worlds", "correlation"),
         "rank_correlation_low": Column("lower end of its 95 % interval (Fisher's z)",
                                        "correlation"),
         "rank_correlation_high": Column("upper end of its 95 % interval", "correlation"),
         "clear": Column("distinguishable from 0 with all drawn parameters tested together "
                         "(Bonferroni)", "true/false")}),
    "validate_verdicts": Table(
        ("verdicts.csv",), "bipsim validate", "one published pattern",
        {"id": Column("the pattern's id in the criteria file", ""),
         "pattern": Column("the pattern in a sentence", ""),
         "source": Column("where it is published", ""),
         "definition": Column("what is computed", ""),
         "criterion": Column("the pass rule, in words", ""),
         "n_worlds": Column("worlds run", "worlds"),
         "n_defined": Column("worlds where the statistic is defined", "worlds"),
         "median": Column("median of the statistic over the worlds", "the statistic's unit"),
         "low": Column("2.5 % quantile over the worlds", "the statistic's unit"),
         "high": Column("97.5 % quantile over the worlds", "the statistic's unit"),
         "share_above": Column("share of worlds above the criterion's value (share_above "
                               "rules)", "share"),
         "share_below": Column("share of worlds below the criterion's value (share_below "
                               "rules)", "share"),
         "passed": Column("every rule of the criterion holds", "true/false")},
        notes=("share_above and share_below only when some pattern's criterion uses them",)),
    "validate_values": Table(
        ("values.csv",), "bipsim validate", "one pattern in one world",
        {"id": Column("the pattern's id", ""), "world": Column("the world (replicate)", ""),
         "value": Column("the pattern's statistic in that world", "the statistic's unit")}),
    "compare_budget": Table(
        ("budget.csv",), "bipsim compare", "one measure of one alternative in one budget "
        "year, alternative minus baseline (bipsim/experiments/yearly.py)",
        {"alternative": Column("the alternative scenario's label", ""),
         "year": BUDGET["year"], "first_week": BUDGET["first_week"],
         "last_week": BUDGET["last_week"],
         "measure": Column("extra_cost_dkk (activities, caseworker posts, training; no "
                           "benefit), extra_job_entries, extra_education_entries, "
                           "benefit_saved_dkk, net_cost_dkk (extra cost - benefit saved), "
                           "cumulative_net_cost_dkk (net cost from year 1 to this year)", ""),
         "chance_mean": Column("mean paired difference at the central parameter values",
                               "the measure's unit (DKK or citizens)"),
         "chance_low": Column("lower end of its 95 % t interval (chance only)",
                              "the measure's unit"),
         "chance_high": Column("upper end of its 95 % t interval (chance only)",
                               "the measure's unit"),
         "chance_n": Column("pairs at the central values", "runs"),
         "parameters_mean": Column("mean paired difference over the plausible worlds",
                                   "the measure's unit"),
         "parameters_low": Column("2.5 % quantile of the difference over the worlds",
                                  "the measure's unit"),
         "parameters_high": Column("97.5 % quantile of the difference over the worlds",
                                   "the measure's unit"),
         "parameters_sd": Column("standard deviation of the difference over the worlds",
                                 "the measure's unit"),
         "n_worlds": Column("worlds with the difference defined", "worlds")},
        notes=("the parameters_ columns and n_worlds with --uncertainty parameters only",)),
    "compare_payback": Table(
        ("payback.csv",), "bipsim compare", "one alternative on one basis: when the reform "
        "has paid for itself (net public cost from year 1 on at most 0)",
        {"alternative": Column("the alternative scenario's label", ""),
         "basis": Column("chance: the pairs at the central parameter values; parameters: "
                         "the plausible worlds", ""),
         "paid_back_y1": Column("share of pairs paid back by the end of year 1 (one such "
                                "column per budget year: paid_back_y2, ...)", "share"),
         "payback_year_median": Column("median payback year over the pairs; inf when not "
                                       "within the horizon", "year"),
         "payback_year_low": Column("2.5 % quantile of the payback year (an observed year)",
                                    "year"),
         "payback_year_high": Column("97.5 % quantile of the payback year; inf when not "
                                     "within the horizon", "year"),
         "pairs": Column("pairs (seeds or worlds)", "runs")},
        notes=("one paid_back_y column per budget year of the run",)),
    "compare_costs": Table(
        ("costs.csv",), "bipsim compare", "one alternative against the baseline",
        {"alternative": Column("the alternative scenario's label", ""),
         **_interval("extra_jobs", "extra exits to job", "citizens"),
         **_interval("extra_cost_dkk", "extra total public cost", "DKK"),
         "cost_per_extra_job_dkk": Column("extra cost over extra exits to job (ratio of the "
                                          "means)", "DKK per job entry"),
         "cost_per_extra_job_low": Column("lower end of Fieller's 95 % interval of the "
                                          "ratio; null when unbounded", "DKK per job entry"),
         "cost_per_extra_job_high": Column("upper end of Fieller's 95 % interval; null when "
                                           "unbounded", "DKK per job entry"),
         "bounded": Column("Fieller's interval is bounded (the extra job entries are "
                           "distinguishable from 0)", "true/false"),
         "reading": Column("the result in words", "")}),
    "sweep_results": Table(
        ("results.csv", "results.parquet"), "bipsim sweep", "one run",
        {**_RUN_ID, "point": Column("design point index", ""),
         "replicate": Column("replicate index; replicate r of every point shares its seed",
                             ""),
         "seed": Column("the run's seed (replicate seed)", ""), **_outcomes()},
        parameters=True),
    "sweep_points": Table(
        ("points.csv",), "bipsim sweep", "one design point: the mean over its replicates",
        {"point": Column("design point index", ""),
         "reps": Column("replicates at this point", "runs"),
         **_outcomes(" Mean over the point's replicates.")},
        parameters=True),
    "sweep_indices": Table(
        ("indices.csv",), "bipsim sweep --sample sobol|morris",
        "one outcome and one parameter: sensitivity indices (SALib)",
        {"outcome": _OUTCOME_KEY["outcome"],
         "parameter": Column("the parameter's dotted key", ""),
         "S1": Column("Sobol' first-order index (sobol)", "share of variance"),
         "S1_conf": Column("half-width of the 95 % bootstrap interval of S1",
                           "share of variance"),
         "ST": Column("Sobol' total-order index (sobol)", "share of variance"),
         "ST_conf": Column("half-width of the 95 % bootstrap interval of ST",
                           "share of variance"),
         "mu_star": Column("Morris mean absolute elementary effect (morris)",
                           "the outcome's unit per parameter range"),
         "mu_star_conf": Column("half-width of the 95 % bootstrap interval of mu_star",
                                "the outcome's unit per parameter range"),
         "mu": Column("Morris mean elementary effect (morris)",
                      "the outcome's unit per parameter range"),
         "sigma": Column("standard deviation of the elementary effects (morris)",
                         "the outcome's unit per parameter range")},
        notes=("S1 to ST_conf for --sample sobol, mu_star to sigma for --sample morris",)),
}


def undocumented(table: str, columns: list[str]) -> tuple[list[str], list[str]]:
    """Columns written but not in the dictionary, and documented but not written.

    Swept parameter columns (dotted keys of the parameter table) count as documented
    in tables with ``parameters``; indices columns of the other method as not written.
    """
    from .parameters import PARAMETERS

    spec = TABLES[table]
    keys = {p.path for p in PARAMETERS.values()} if spec.parameters else set()
    extra = [c for c in columns if c not in spec.columns and c not in keys]
    missing = [c for c in spec.columns if c not in columns]
    return extra, missing


def markdown() -> str:
    """The dictionary as Markdown (``docs/data_dictionary.md``)."""
    lines = ["# Data dictionary", "",
             "Every column of every table bipsim writes. Generated from "
             "`bipsim/data_dictionary.py` by `python -m bipsim.data_dictionary > "
             "docs/data_dictionary.md`; a test keeps both in step with what the commands "
             "write.", "",
             "Conventions: categorical codes are stored as categories with their labels "
             f"(`status`: {', '.join(STATUS)}; `belief`: {', '.join(BELIEF)}, ordered); "
             "a missing value is null, never a sentinel number (a vacant post has no "
             "caseworker; an event that has not happened has no week). Weeks count from "
             "0, the state before the first step. Outcome definitions come from "
             "`bipsim/outcomes.py`; units of swept parameters from `bipsim params`.", ""]
    for table in TABLES.values():
        files = ", ".join(f"`{f}`" for f in table.files)
        lines += [f"## {files} ({table.written_by})", "", f"One row: {table.about}.", ""]
        lines += [f"{note[0].upper()}{note[1:]}.\n" for note in table.notes]
        lines += ["| column | unit | meaning |", "|---|---|---|"]
        for column, spec in table.columns.items():
            lines.append(f"| `{column}` | {spec.unit or '-'} | {spec.meaning} |")
        if table.parameters:
            lines.append(f"| `<group.name>` | {_PARAMETER.unit} | {_PARAMETER.meaning} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(), end="")

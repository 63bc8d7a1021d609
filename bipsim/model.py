"""The bipsim model: one jobcentre system, one tick per week.

The week, in this order (``WEEK`` below drives :meth:`BipModel.step`):

1. **Staff**: caseworkers leave and are replaced after a vacancy delay; a new
   caseworker is a caseworker change for the post's citizens; reorganisations move
   cases between posts (``rules.staff``).
2. **Inflow**: new citizens enter and get a caseworker (``rules.inflow``).
3. **Meetings**: citizens due a meeting meet, within their caseworker's capacity;
   the caseworker re-forms belief (``rules.meetings``).
4. **Interventions**: finished activities end; meetings start new ones per the
   placement policy, within company capacity (``rules.interventions``).
5. **Progression**: indicators move with activity, belief, meetings and setbacks
   (``rules.progression``); the week's costs are counted (``rules.costs``).
6. **Exits**: competing risks to job, education and other benefit (``rules.exits``).
7. **Survey**: every ``wave_interval`` weeks the BIP questionnaire (``rules.survey``).
8. **Results**: stocks, flows, cumulative counts and costs into the DataCollector.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

import mesa
import numpy as np
import pandas as pd

from . import municipalities, parameters
from .agents import BELIEF_ANSWERS, NEVER, STATUS_NAMES, WORKING_COLUMNS, CitizenSet
from .budget import with_ledger
from .by_jobcentre import account_by_jobcentre
from .indicators import INDICATORS, readiness_weights
from .live import set_lever
from .population import (
    assign_posts,
    build_caseworkers,
    build_jobcentres,
    draw_past_changes,
    draw_time_on_benefit,
    draw_traits,
)
from .posts import resize_posts
from .rules.costs import COST_FLOWS, USED, TrainingRecord, account_costs
from .rules.exits import leave_benefit
from .rules.inflow import admit_entrants
from .rules.interventions import end_activities, initial_activities, start_activities
from .rules.meetings import BELIEVES, form_belief, hold_meetings
from .rules.progression import progress_indicators
from .rules.staff import reorganise, staff_turnover
from .rules.survey import survey_wave
from .streams import Streams
from .threads import use_default_threads
from .timeline import RESHAPED, Timeline

#: The steps of the week, in order (steps 1-7; step 8 is :meth:`BipModel.record`).
WEEK: tuple[Callable[[BipModel], None], ...] = (
    staff_turnover, reorganise,            # 1 staff
    admit_entrants,                        # 2 inflow
    hold_meetings,                         # 3 meetings
    end_activities, start_activities,      # 4 interventions
    progress_indicators, account_costs,    # 5 progression, and the week's costs
    account_by_jobcentre,                  #   (shared out over the jobcentres)
    leave_benefit,                         # 6 exits
    survey_wave,                           # 7 survey
)

#: Weekly flows reset to 0 at the start of each week.
FLOWS = ("new_entrants", "new_caseworkers_leaving", "new_reorganisations", "new_meetings",
         "new_company_starts", "new_other_starts", "new_job", "new_education",
         "new_other_benefit", "new_caseworker_changes", "new_cost_dkk", *COST_FLOWS)
CUMULATED = ("new_job", "new_education", "new_other_benefit", "new_entrants",
             "new_company_starts", "new_caseworker_changes", "new_cost_dkk", *COST_FLOWS)
#: The weekly stocks (step 8), and the names of the cumulative and indicator series.
STOCKS = ("week", "n_on_benefit", "n_company", "n_other_activity", "n_passive",
          "n_caseworkers", "n_posts_vacant", "share_believes", "mean_readiness",
          "mean_readiness_company", "mean_readiness_other", "mean_readiness_passive")
CUMULATIVE_NAMES = tuple("cum_" + name.removeprefix("new_") for name in CUMULATED)
MEAN_NAMES = tuple(f"mean_{k}" for k in INDICATORS)


class BipModel(mesa.Model):
    """Citizens and caseworkers of one or more jobcentres, week by week.

    Build it from keyword parameters (every name in ``parameters.PARAMETERS``; the
    rest take their defaults, the calibrated baseline's), so
    ``mesa.batch_run(BipModel, parameters={...})`` and Mesa's ``SolaraViz`` with a
    plain ``model_params`` dict work, or from a scenario with :meth:`from_scenario`.

    Args:
        seed: Seed of every random stream. None draws a fresh one, recorded as
            ``model.p["seed"]``, so repeated runs differ (as Mesa's models do).
        track: Citizen uids whose weekly history to keep, or ``"all"``.
        timeline: Dated lever changes (a :class:`bipsim.timeline.Timeline`, or records
            ``{"from_week": 53, "phase_in_weeks": 26, "set": {"group.name": value}}``),
            applied at the start of their weeks through :meth:`set_lever`.
        **kwargs: Parameter values by name (Mesa's tools need this exact name).

    Raises:
        ParameterError: Unknown names or values not allowed (all of them at once).
    """

    def __init__(self, seed: int | None = None, track: Iterable[int] | str = (),
                 timeline: Timeline | Iterable[dict[str, Any]] | None = None,
                 **kwargs: Any) -> None:
        p = parameters.defaults()
        p["seed"] = secrets.randbelow(2**32) if seed is None else seed
        problems = []
        for name, value in [*kwargs.items(), ("seed", p["seed"])]:
            spec = parameters.BY_NAME.get(name)
            try:
                if spec is None:
                    raise parameters.ParameterError(f"unknown parameter {name!r}")
                p[name] = spec.validate(value)
            except parameters.ParameterError as err:
                problems.append(str(err))
        municipalities.apply(p)  # a single municipality: its own size
        self.timeline = Timeline.from_plain(timeline)
        problems += [f"{key}: {problem}" for _, key, problem in self.timeline.problems(
            p["weeks"], "run.weeks")]
        if problems:
            raise parameters.ParameterError("; ".join(problems))
        super().__init__(rng=p["seed"])
        use_default_threads()
        self.p = p
        #: Lever values to set at the start of each week, from the timeline.
        self.reforms = self.timeline.schedule(p)
        self.week = 0
        self.streams = Streams(p["seed"])
        self.readiness_weights = readiness_weights(p["factor_loading"])
        self.flows: dict[str, float] = dict.fromkeys(FLOWS, 0)
        self.totals: dict[str, float] = dict.fromkeys(CUMULATED, 0)
        self.survey_rows: list[dict[str, np.ndarray]] = []
        self.vacated_posts = np.empty(0, dtype=np.int32)
        self._track_all = track == "all"
        self._tracked = set() if self._track_all else {int(u) for u in track}
        self._history: list[pd.DataFrame] = []
        self._populate()
        self.current: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in self.series_names()})
        self.record()
        survey_wave(self)

    @classmethod
    def from_scenario(cls, scenario: Any, seed: int | None = None, **kwargs: Any) -> BipModel:
        """Build from a loaded :class:`bipsim.scenario.Scenario` (its ``run.seed``
        unless ``seed`` is given, and its timeline)."""
        params = {**scenario.params, **kwargs}
        if seed is not None:
            params["seed"] = seed
        return cls(timeline=getattr(scenario, "timeline", None), **params)

    def set_lever(self, name: str, value: Any) -> Any:
        """Change a live lever from the next week on, re-deriving what depends on it
        (caseworkers' optimism, jobcentres' turnover, company places; see
        :mod:`bipsim.live`).

        Returns:
            The value as stored (coerced to the parameter's kind).

        Raises:
            ParameterError: Not a lever, fixed when the model is built (``live: false``
                in the table, e.g. ``caseload``), or a value not allowed.
        """
        return set_lever(self, name, value)

    def _reform(self, name: str, value: Any) -> None:
        """Apply one dated change at the start of the week: a live lever through
        :meth:`set_lever`, the caseload by re-deriving the posts (:mod:`bipsim.posts`),
        after the week's flows are reset so its caseworker changes count this week."""
        if name in RESHAPED:
            self.p[name] = value
            resize_posts(self)
        else:
            self.set_lever(name, value)

    # --- set-up ------------------------------------------------------------------
    def _populate(self) -> None:
        """Jobcentres, caseworkers and the week-0 stock; every citizen's draws are
        keyed by its uid (``bipsim.streams``)."""
        p, streams = self.p, self.streams
        self.jobcentres = build_jobcentres(p, streams)
        self.caseworkers = build_caseworkers(self.jobcentres, p, streams)
        self.training_record = TrainingRecord.untrained(self.caseworkers.uid)
        #: Each cost kind's running total per jobcentre (:mod:`bipsim.by_jobcentre`).
        self.jobcentre_costs = np.zeros((len(COST_FLOWS), len(self.jobcentres)))
        #: What each jobcentre used this week (:func:`bipsim.rules.costs.usage`).
        self.usage = np.zeros((len(USED), len(self.jobcentres)), dtype=np.int64)
        self.citizens = CitizenSet(self.jobcentres.size)
        rows = self.citizens.stock_rows()
        draw_traits(rows, p, streams, self.readiness_weights)
        rows["post"] = assign_posts(rows, self.jobcentres, streams)
        rows["ti_entry"] = -draw_time_on_benefit(rows, p, streams)
        rows["n_changes_before"] = draw_past_changes(rows, self.jobcentres, p, streams)
        # meetings staggered over one interval, so week 1 is not a meeting rush
        u = streams.uniform("setup_meeting", 0, rows["uid"])
        rows["ti_meeting"] = -np.floor(u * p["interval"]).astype(np.int32)
        self.citizens.add(rows)
        form_belief(self, np.arange(len(self.citizens)))
        initial_activities(self)

    # --- the week ----------------------------------------------------------------
    def step(self) -> None:
        """Advance one week: the rules in ``WEEK``, then the results."""
        self.week = self.steps
        self.flows = dict.fromkeys(FLOWS, 0)
        c = self.citizens
        c.changed[:] = False
        c.met[:] = False
        c.interrupted[:] = False
        for name, value in self.reforms.get(self.week, {}).items():
            self._reform(name, value)  # the timeline, before the week's steps
        for rule in WEEK:
            rule(self)
        self.record()
        if self.week >= self.p["weeks"]:
            self.running = False

    # --- step 8: results -----------------------------------------------------------
    @staticmethod
    def series_names() -> list[str]:
        """Names of the weekly model-level series."""
        return [*STOCKS, *FLOWS, *CUMULATIVE_NAMES, *MEAN_NAMES]

    def record(self) -> None:
        """Step 8: end-of-week stocks, this week's flows and costs, cumulative counts,
        collected into the DataCollector."""
        c, cw = self.citizens, self.caseworkers
        n = len(c)
        tally = c.tally(BELIEVES)
        counts, readiness_sums = tally.counts.tolist(), tally.readiness_sum.tolist()
        n_staff = int(np.count_nonzero(cw.occupied))
        flows, totals = self.flows, self.totals
        for name in CUMULATED:
            totals[name] += flows[name]
        # Python floats divided as numpy divided them; a state nobody is in: 0 / 0, NaN
        readiness = [r / k if k else np.nan for r, k in zip(readiness_sums, counts,
                                                             strict=True)]
        means = [s / n for s in tally.score_sum.tolist()] if n else [np.nan] * len(MEAN_NAMES)
        current = {
            "week": self.week,
            "n_on_benefit": n,
            "n_company": counts[0], "n_other_activity": counts[1], "n_passive": counts[2],
            "n_caseworkers": n_staff, "n_posts_vacant": len(cw) - n_staff,
            "share_believes": tally.n_believes / n if n else np.nan,
            "mean_readiness": float(tally.readiness_sum.sum() / n) if n else np.nan,
            "mean_readiness_company": readiness[0],
            "mean_readiness_other": readiness[1],
            "mean_readiness_passive": readiness[2],
        }
        current.update(flows)
        current.update(zip(CUMULATIVE_NAMES, totals.values(), strict=True))
        current.update(zip(MEAN_NAMES, means, strict=True))
        self.current = current
        # what DataCollector.collect does with these reporters (so batch_run and
        # get_model_vars_dataframe see the same table), without its deepcopy of
        # every plain number
        for name, column in self.datacollector.model_vars.items():
            column.append(current[name])
        self._record_history()

    # --- views -------------------------------------------------------------------------
    def citizen(self, uid: int) -> dict[str, Any]:
        """Current state of one citizen (on benefit or, if left, their final state)."""
        c = self.citizens
        i = c.row_of(uid)
        row = c.row(i) if i is not None else c.archived_row(uid)
        if row is None:
            raise KeyError(f"no citizen with uid {uid}")
        view = {k: v[0].item() for k, v in _views({k: np.asarray(v)[None] for k, v in
                                                   row.items()}, self).items()}
        if view["caseworker_uid"] < 0:
            view["caseworker_uid"] = None  # a vacant post
        return view

    def caseworker(self, post: int) -> dict[str, Any]:
        """Current state of the caseworker in a post, with the post's caseload."""
        cw, c = self.caseworkers, self.citizens
        mine = c.post == post
        answers = np.bincount(c.belief[mine], minlength=6)
        return {
            "post": post, "uid": int(cw.uid[post]) if cw.occupied[post] else None,
            "jobcentre": int(cw.jobcentre[post]), "optimism": float(cw.optimism[post]),
            "tenure_weeks": int(self.week - cw.ti_hired[post]) if cw.occupied[post] else 0,
            "vacant": not bool(cw.occupied[post]), "caseload": int(mine.sum()),
            "belief_answers": {BELIEF_ANSWERS[k]: int(answers[k]) for k in range(6)},
        }

    def track(self, uids: Iterable[int]) -> None:
        """Keep the weekly history of these citizens from now on."""
        self._tracked.update(int(u) for u in uids)

    def history(self, uid: int | None = None) -> pd.DataFrame:
        """Weekly states of tracked citizens (one, or all if ``uid`` is None);
        ``caseworker_uid`` is null while the post is vacant."""
        if not self._history:
            return pd.DataFrame()
        frame = pd.concat(self._history, ignore_index=True)
        frame["caseworker_uid"] = _vacant_as_null(frame["caseworker_uid"])
        frame["status"] = pd.Categorical(frame["status"], list(STATUS_NAMES.values()))
        frame["belief"] = pd.Categorical(frame["belief"], BELIEF_LABELS, ordered=True)
        if uid is None:
            return frame
        return frame[frame.uid == uid].reset_index(drop=True)

    def _record_history(self) -> None:
        c = self.citizens
        if not (self._track_all or self._tracked):
            return
        rows = np.arange(len(c)) if self._track_all else np.flatnonzero(
            np.isin(c.uid, np.fromiter(self._tracked, dtype=np.int64)))
        cols = {k: v[rows] for k, v in c.live_columns().items()}
        self._history.append(pd.DataFrame({"week": self.week, **_views(cols, self)}))

    # --- tables ------------------------------------------------------------------------
    def weekly(self) -> pd.DataFrame:
        """The weekly model-level series, one row per week from week 0, with the
        benefit that job and education exits avoid (:func:`bipsim.budget.with_ledger`)."""
        return with_ledger(self, self.datacollector.get_model_vars_dataframe()
                           .reset_index(drop=True))

    def citizen_table(self) -> pd.DataFrame:
        """One row per citizen ever present: final state, exit, interventions, costs."""
        cols = self.citizens.all_columns()
        table = {k: v for k, v in cols.items() if v.ndim == 1 and k not in WORKING_COLUMNS}
        table["status"] = pd.Categorical.from_codes(cols["status"], list(STATUS_NAMES.values()))
        table["belief"] = _belief_categories(cols["belief"])
        table["caseworker_post"] = table.pop("post")
        for k, name in enumerate(INDICATORS):
            table[name] = cols["scores"][:, k]
        frame = pd.DataFrame(table)
        for col in ("ti_meeting", "ti_company_end", "ti_other_end", "ti_exit"):
            frame[col] = frame[col].where(frame[col] != NEVER).astype("Int32")
        return frame

    def survey_panel(self, codes: bool = False) -> pd.DataFrame:
        """All survey waves, one row per citizen and wave.

        Args:
            codes: Keep ``belief`` as its integer code (0 not yet formed, 1 no ... 5
                yes) and ``caseworker_uid`` -1 while the post is vacant, for numeric
                analysis; by default (as written to ``survey.parquet``) ``belief`` is
                an ordered category and both are null when missing.
        """
        if not self.survey_rows:
            return pd.DataFrame()
        frame = pd.DataFrame(self.survey_columns())
        if not codes:
            frame["belief"] = _belief_categories(frame["belief"].to_numpy())
            frame["caseworker_uid"] = _vacant_as_null(frame["caseworker_uid"])
        return frame

    def survey_columns(self) -> dict[str, np.ndarray]:
        """All survey waves as arrays, one element per citizen and wave, with the
        codes of ``survey_panel(codes=True)`` (no table: the calibration's analysis)."""
        if not self.survey_rows:
            return {}
        return {k: np.concatenate([r[k] for r in self.survey_rows])
                for k in self.survey_rows[0]}

    def run(self, weeks: int | None = None, progress: Callable[[int], None] | None = None) -> None:
        """Run ``weeks`` weeks (default: the ``weeks`` parameter)."""
        end = self.p["weeks"] if weeks is None else self.steps + weeks
        self.p["weeks"] = end
        self.running = True
        while self.running and self.steps < end:
            self.step()
            if progress is not None:
                progress(1)


#: The belief answers as categories; code 0 (not yet formed) is null.
BELIEF_LABELS = [label for code, label in BELIEF_ANSWERS.items() if code > 0]


def _belief_categories(codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(codes.astype(np.int8) - 1, BELIEF_LABELS, ordered=True)


def _vacant_as_null(uids: pd.Series) -> pd.Series:
    """Caseworker uids with -1 (a vacant post) as null."""
    return uids.astype("Int64").where(uids >= 0)


def _reporter(name: str) -> Callable[[BipModel], float]:
    return lambda model: model.current[name]


def _views(cols: dict[str, np.ndarray], model: BipModel) -> dict[str, np.ndarray]:
    """What a reader sees of the citizens in ``cols`` (columns of equal length)."""
    post, cw = cols["post"], model.caseworkers
    view = {
        "uid": cols["uid"], "jobcentre": cols["jobcentre"], "post": post,
        "caseworker_uid": np.where(cw.occupied[post], cw.uid[post], -1),
        "status": np.array(list(STATUS_NAMES.values()))[cols["status"]],
        "weeks_on_benefit": model.week - cols["ti_entry"],
        "n_changes": cols["n_changes"],
        "belief": np.array(list(BELIEF_ANSWERS.values()))[cols["belief"]],
        "in_company": cols["in_company"], "in_other": cols["in_other"],
        "readiness": cols["readiness"],
    }
    view.update({name: cols["scores"][:, k] for k, name in enumerate(INDICATORS)})
    return view

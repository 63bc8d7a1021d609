"""Everything one drawing of the page shows, taken from the pair in one go.

The play loop steps the pair in a thread while the page draws, so the page never
reads the models directly: :func:`page_data` copies what it needs under the pair's
lock, and the Solara components draw from that copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .jobcentre import jobcentre_html
from .levers import LEVERS
from .pair import ModelPair

#: The two models of a pair, in display order, with their Danish names.
MODELS: dict[str, str] = {"practice": "Valgt praksis", "baseline": "I dag"}


@dataclass(frozen=True)
class PageData:
    """One consistent view of a pair.

    Attributes:
        revision: The pair's revision this view was taken at.
        week: Week reached.
        weeks: Length of the run.
        finished: Whether the run has reached its end.
        seed: Seed of both models.
        weekly: ``BipModel.weekly()`` of each model, by ``MODELS`` key.
        now: This week's results of each model.
        share_changed: Share of citizens with at least one caseworker change, each model.
        settings: Lever values the chosen practice runs with (read back from the model).
        baseline_settings: The same levers in today's practice.
        pending: Lever values waiting for the next reset.
        jobcentre: HTML of the jobcentre shown.
        followed: Uid of the followed citizen, or None.
        follow: ``ModelLog.history`` of the followed citizen in each model.
        present: Uids on benefit in the chosen practice now.
        changed_uids: Uids in the chosen practice whose caseworker has changed.
    """

    revision: int
    week: int
    weeks: int
    finished: bool
    seed: int
    weekly: dict[str, pd.DataFrame]
    now: dict[str, dict[str, float]]
    share_changed: dict[str, float]
    settings: dict[str, Any]
    baseline_settings: dict[str, Any]
    pending: dict[str, Any]
    jobcentre: str
    followed: int | None
    follow: dict[str, pd.DataFrame]
    present: np.ndarray
    changed_uids: np.ndarray


def page_data(pair: ModelPair, shown: str = "practice", followed: int | None = None) -> PageData:
    """Copy what the page shows from ``pair``, under its lock.

    Args:
        pair: The session's models.
        shown: Which model's jobcentre to draw (a ``MODELS`` key).
        followed: Uid of the citizen to follow, or None.
    """
    with pair.lock:
        logs = pair.logs
        models = {"practice": pair.practice, "baseline": pair.baseline}
        rec = logs["practice"].current
        return PageData(
            revision=pair.revision, week=pair.week, weeks=pair.weeks,
            finished=pair.finished, seed=pair.seed,
            weekly={k: m.weekly() for k, m in models.items()},
            now={k: dict(m.current) for k, m in models.items()},
            share_changed={k: log.share_ever_changed() for k, log in logs.items()},
            settings={lever.name: pair.practice.p[lever.name] for lever in LEVERS},
            baseline_settings={lever.name: pair.baseline.p[lever.name] for lever in LEVERS},
            pending=dict(pair.pending),
            jobcentre=jobcentre_html(logs[shown], followed),
            followed=followed,
            follow={} if followed is None else {k: log.history(followed)
                                                for k, log in logs.items()},
            present=rec.uid.copy(),
            changed_uids=rec.uid[rec.n_changes > 0].copy(),
        )

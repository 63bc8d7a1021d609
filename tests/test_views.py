"""Views of one citizen and one caseworker, and per-citizen histories."""

from __future__ import annotations

import pytest

from bipsim.indicators import INDICATORS
from bipsim.model import BipModel


def test_citizen_view_while_on_benefit_and_after_leaving():
    m = BipModel(seed=2, n_citizens=400, n_jobcentres=1, weeks=60, p_job=0.05)
    m.run()
    table = m.citizen_table()
    gone = int(table.loc[table.status == "job", "uid"].iloc[0])
    staying = int(table.loc[table.status == "on_benefit", "uid"].iloc[0])
    assert m.citizen(gone)["status"] == "job"
    view = m.citizen(staying)
    assert view["status"] == "on_benefit"
    assert set(INDICATORS) <= set(view)
    with pytest.raises(KeyError):
        m.citizen(10**9)


def test_caseworker_view_counts_its_citizens():
    m = BipModel(seed=2, n_citizens=300, n_jobcentres=1, caseload=30)
    views = [m.caseworker(post) for post in range(len(m.caseworkers))]
    assert sum(v["caseload"] for v in views) == 300
    assert sum(sum(v["belief_answers"].values()) for v in views) == 300


def test_history_of_tracked_citizens():
    m = BipModel(seed=2, n_citizens=300, n_jobcentres=1, weeks=10, track=[0, 5])
    m.run()
    history = m.history(5)
    assert list(history["week"]) == list(range(len(history)))
    assert history["uid"].eq(5).all()
    assert set(m.history()["uid"]) <= {0, 5}


def test_track_all_records_every_citizen_each_week():
    m = BipModel(seed=2, n_citizens=50, n_jobcentres=1, weeks=3, track="all", mode="replace")
    m.run()
    history = m.history()
    assert history.groupby("week").size().tolist() == m.weekly()["n_on_benefit"].tolist()

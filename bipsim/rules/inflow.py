"""Step 2, inflow: new citizens enter and get a caseworker.

Who enters where depends on each jobcentre's own history only (see ``bipsim.streams``):
entrants take uids from their jobcentre's counter, their traits are drawn per uid,
and in ``rate`` mode each jobcentre's number of entrants comes from its own stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..population import draw_traits

if TYPE_CHECKING:
    from ..model import BipModel


def admit_entrants(m: BipModel) -> None:
    """New citizens enter: in ``replace`` mode one per exit of last week, at the
    post the leaver had (the stock and every caseload stay constant); in ``rate``
    mode a Poisson number per jobcentre (``entrants_per_1000`` of its week-0 size),
    each at a post of the jobcentre chosen at random."""
    p, jc, week = m.p, m.jobcentres, m.week
    if p["mode"] == "replace":
        # posts of a jobcentre are contiguous: in post order, each jobcentre's entrants
        # are numbered by its own vacated posts alone
        posts = np.sort(m.vacated_posts)
        rows = m.citizens.entrant_rows(m.caseworkers.jobcentre[posts])
    elif p["mode"] == "rate":
        counts = m.streams.poisson("inflow_count", week, np.arange(len(jc)),
                                   p["entrants_per_1000"] * jc.size / 1000)
        rows = m.citizens.entrant_rows(np.repeat(np.arange(len(jc)), counts))
        j = rows["jobcentre"]
        place = m.streams.uniform("inflow_post", 0, rows["uid"])
        posts = jc.first_post[j] + np.floor(place * jc.n_posts[j]).astype(np.int64)
    else:
        posts = np.empty(0, dtype=np.int32)
    m.vacated_posts = np.empty(0, dtype=np.int32)
    m.flows["new_entrants"] = len(posts)
    if len(posts) == 0:
        return
    draw_traits(rows, p, m.streams, m.readiness_weights)
    rows["post"] = posts
    rows["ti_entry"][:] = week
    m.citizens.add(rows)


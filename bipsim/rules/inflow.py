"""Step 2, inflow: new citizens enter and get a caseworker."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..population import draw_citizens

if TYPE_CHECKING:
    from ..model import BipModel


def admit_entrants(m: BipModel) -> None:
    """New citizens enter: in ``replace`` mode one per exit of last week, at the
    post the leaver had (the stock and every caseload stay constant); in ``rate``
    mode a Poisson number spread over jobcentres by size and over their posts at
    random."""
    p, jc, week = m.p, m.jobcentres, m.week
    if p["mode"] == "replace":
        posts = m.vacated_posts
    elif p["mode"] == "rate":
        rng = m.streams.generator("inflow_rate", week)
        n = rng.poisson(p["entrants_per_1000"] * jc.size.sum() / 1000)
        centre = rng.choice(len(jc), n, p=jc.size / jc.size.sum())
        posts = jc.first_post[centre] + np.floor(rng.random(n) * jc.n_posts[centre]).astype(int)
    else:
        posts = np.empty(0, dtype=np.int32)
    m.vacated_posts = np.empty(0, dtype=np.int32)
    m.flows["new_entrants"] = len(posts)
    if len(posts) == 0:
        return
    rows = draw_citizens(m.citizens, len(posts), week, p, m.streams, "inflow")
    rows["post"] = posts
    rows["jobcentre"] = m.caseworkers.jobcentre[posts]
    m.citizens.add(rows)

"""The dashboard page, served by ``solara run bipsim.dashboard.app:Page``.

``bipsim dashboard`` starts the server; nothing is built when this module is
imported. Each browser tab is its own Solara session and draws its own
:class:`Page`, which builds its own :class:`~.pair.ModelPair` (``use_memo``) and
keeps its state in ``use_reactive`` variables, so two tabs never share a model.

Mesa's SolaraViz is not used: it drives one model, rebuilds it to apply a slider
(only on Reset), and its import needs Altair. Here two models step together and a
lever reaches the running model at once; the play loop follows SolaraViz's
``ModelController`` (a threaded ``use_task`` that steps, then redraws).
"""
# The page is a Solara component, named like a class as Solara expects:
# ruff: noqa: N802

from __future__ import annotations

import time
from typing import Any

import solara
import solara.lab

from .components import (
    PAGE_CSS,
    FollowCitizen,
    IndicatorCharts,
    JobcentrePanel,
    LeverPanel,
    Numbers,
    OutcomeCharts,
    ParameterSummary,
    Transport,
)
from .jobcentre import CSS as JOBCENTRE_CSS
from .levers import LeverError, check_levers
from .pair import ModelPair
from .settings import is_calibrated, settings_from_environment
from .view import page_data

#: Weeks per second when the page opens.
DEFAULT_SPEED = 4
#: Shortest time between two drawings while playing: faster speeds step several
#: weeks per drawing instead of drawing more often than a browser can follow.
MIN_FRAME_S = 0.25


def _new_pair() -> ModelPair:
    check_levers()  # the CLI checked them too; a server started by hand checks here
    settings = settings_from_environment()
    return ModelPair(settings.scenario, settings.seed)


def _introduction(pair: ModelPair) -> str:
    p = pair.baseline.p
    trust = ("Nøgleparametrene er kalibreret til BIP's resultater, resten er første gæt"
             if is_calibrated(pair.scenario) else
             "Modellens tal er første gæt, endnu ikke kalibreret til BIP")
    return ("<h2 style='margin:0'>Jobcentret</h2><div class='bip-note'>"
            f"{p['n_citizens']} borgere på kontanthjælp (aktivitetsparate), "
            f"{len(pair.baseline.caseworkers)} sagsbehandlere i dag, {pair.weeks} uger "
            f"(scenariet {pair.scenario.name}). Samme borgere og samme held med og uden den "
            f"valgte praksis. {trust}: et billede af mekanismerne, ikke en prognose.</div>")


@solara.component
def Page() -> None:
    """One session's dashboard: controls on the left, the jobcentre and charts on the right."""
    pair = solara.use_memo(_new_pair, [])
    revision = solara.use_reactive(pair.revision)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    seed = solara.use_reactive(pair.seed)
    shown = solara.use_reactive("practice")
    followed = solara.use_reactive(None)
    message = solara.use_reactive("")

    def sync() -> None:
        revision.set(pair.revision)

    def on_lever(name: str, value: Any) -> None:
        try:
            pair.set_lever(name, value)
            message.set("")
        except LeverError as err:
            message.set(str(err))
        sync()

    def on_step(weeks: int) -> None:
        pair.step(weeks)
        sync()

    def on_reset() -> None:
        playing.set(False)
        try:
            pair.reset(seed.value)
            message.set("")
        except LeverError as err:
            message.set(str(err))
        sync()

    def play() -> None:
        while playing.value and not pair.finished:
            started = time.perf_counter()
            frame = max(1 / speed.value, MIN_FRAME_S)
            pair.step(max(1, round(speed.value * frame)))
            sync()
            time.sleep(max(0.0, frame - (time.perf_counter() - started)))
        if pair.finished:
            playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)
    data = solara.use_memo(lambda: page_data(pair, shown.value, followed.value),
                           [revision.value, shown.value, followed.value])

    solara.Title("bipsim · jobcentret")
    solara.Style(PAGE_CSS + JOBCENTRE_CSS)
    with solara.Columns([1, 3], style={"padding": "8px 14px"}):
        with solara.Column(gap="8px"):
            solara.HTML(unsafe_innerHTML=_introduction(pair))
            Transport(data, playing, speed, seed, on_step=on_step, on_reset=on_reset)
            if message.value:
                solara.Warning(message.value)
            solara.HTML(unsafe_innerHTML="<h3 style='margin:8px 0 0 0'>Valgt praksis</h3>")
            LeverPanel(data, on_lever)
        with solara.Column(gap="10px"):
            with solara.Columns([3, 2]):
                with solara.Column(gap="4px"):
                    JobcentrePanel(data, shown)
                with solara.Column(gap="4px"):
                    Numbers(data)
                    ParameterSummary(data)
            OutcomeCharts(data)
            solara.HTML(unsafe_innerHTML=(
                "<h3 style='margin:0'>BIP-indikatorerne, gennemsnit</h3><div class='bip-note'>"
                "0 = en gennemsnitlig ny borger; op er bedre. Fuld linje: valgt praksis · "
                "stiplet: i dag.</div>"))
            IndicatorCharts(data)
            solara.HTML(unsafe_innerHTML="<h3 style='margin:0'>Følg en borger</h3>")
            FollowCitizen(data, followed)

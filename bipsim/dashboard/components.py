"""Solara components of the dashboard; each draws from a :class:`~.view.PageData`.

Components hold no model state: the page owns the session's pair and passes
callbacks down. Elements the browser test reads carry ids (``#week``,
``#cum-job-practice``, ``#param-annual_turnover``) or classes (``lever-<name>``).
"""
# Solara components are named like classes (PascalCase), as in Solara and Mesa:
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import numpy as np
import pandas as pd
import solara

from . import charts
from .jobcentre import legend_html
from .levers import LEVERS, Lever, slider_range
from .states import LEFT_STATES, SHORT_DA
from .view import MODELS, PageData

#: Rows of the numbers table: (id stem, Danish label, how to read it, is it a share).
NUMBERS: tuple[tuple[str, str, Callable[[PageData, str], float], bool], ...] = (
    ("cum-job", "Gået i job, i alt", lambda d, k: d.now[k]["cum_job"], False),
    ("cum-education", "Gået i uddannelse, i alt",
     lambda d, k: d.now[k]["cum_education"], False),
    ("cum-other", "Overgået til anden ydelse, i alt",
     lambda d, k: d.now[k]["cum_other_benefit"], False),
    ("n-company", "I virksomhedsrettet indsats nu", lambda d, k: d.now[k]["n_company"], False),
    ("n-passive", "Passive nu", lambda d, k: d.now[k]["n_passive"], False),
    ("believes", "Sagsbehandleren tror på borgeren ('gode chancer' eller 'ja')",
     lambda d, k: d.now[k]["share_believes"], True),
    ("cum-changes", "Sagsbehandlerskift, i alt",
     lambda d, k: d.now[k]["cum_caseworker_changes"], False),
    ("share-changed", "Borgere med mindst ét sagsbehandlerskift",
     lambda d, k: d.share_changed[k], True),
)


def _number(value: float, share: bool, signed: bool = False) -> str:
    """A count or a share as the table shows it (``12``, ``17 %``, ``+3``, ``+5 %-point``)."""
    if np.isnan(value):
        return "-"
    value = round(100 * value if share else value)  # an int: no "-0" after rounding
    sign = "+" if signed else ""
    text = f"{value:{sign}d}".replace("-", "\N{MINUS SIGN}")  # reads better than a hyphen
    if share:
        text += " %-point" if signed else " %"
    return text


@solara.component
def LeverControl(lever: Lever, value: Any, pending: Any, on_value: Callable[[Any], None]) -> None:
    """One lever: its label and current value, a slider or choice, and one line of help."""
    shown = lever.describe(value if pending is None else pending)
    with solara.Column(gap="0px", classes=["bip-lever", f"lever-{lever.name}"]):
        solara.HTML(unsafe_innerHTML=f"<b>{escape(lever.label)}</b>: "
                    f'<span class="lever-value">{escape(shown)}</span>')
        if lever.choices:
            with solara.ToggleButtonsSingle(value=value, on_value=on_value, dense=True):
                for choice, label in lever.choices:
                    solara.Button(label, value=choice, text=True,
                                  classes=[f"choice-{choice}"])
        else:
            low, high = slider_range(lever, value)
            current = lever.to_display(value if pending is None else pending)
            slider = solara.SliderInt if isinstance(lever.step, int) else solara.SliderFloat
            slider("", value=current, min=low, max=high, step=lever.step,
                   on_value=lambda shown_value: on_value(lever.to_model(shown_value)),
                   thumb_label=False)
        solara.HTML(unsafe_innerHTML=f'<span class="bip-help">{escape(lever.help)}</span>')


@solara.component
def LeverPanel(data: PageData, on_lever: Callable[[str, Any], None]) -> None:
    """Every lever of ``LEVERS``, bound to the chosen practice."""
    for lever in LEVERS:
        LeverControl(lever, data.settings[lever.name], data.pending.get(lever.name),
                     on_value=lambda value, name=lever.name: on_lever(name, value))


@solara.component
def Transport(data: PageData, playing: solara.Reactive[bool], speed: solara.Reactive[int],
              seed: solara.Reactive[int], on_step: Callable[[int], None],
              on_reset: Callable[[], None]) -> None:
    """Play, pause, step, jump a quarter, reset; speed and seed."""
    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
        solara.Button("❚❚ Pause" if playing.value else "▶ Afspil", color="primary",
                      on_click=lambda: playing.set(not playing.value),
                      disabled=data.finished, classes=["btn-play"])
        solara.Button("Én uge frem", on_click=lambda: on_step(1),
                      disabled=playing.value or data.finished, classes=["btn-step"])
        solara.Button("+13 uger", on_click=lambda: on_step(13),
                      disabled=playing.value or data.finished, classes=["btn-quarter"])
        solara.Button("Nulstil", on_click=on_reset, outlined=True, classes=["btn-reset"])
    solara.SliderInt("Hastighed (uger pr. sekund)", value=speed, min=1, max=20)
    solara.InputInt("Seed (samme seed = samme borgere; bruges ved Nulstil)", value=seed,
                    classes=["seed-input"])


@solara.component
def Numbers(data: PageData) -> None:
    """The week and the main counts, chosen practice next to today's practice."""
    head = "".join(f"<th>{name}</th>" for name in MODELS.values())
    rows = []
    for stem, label, read, share in NUMBERS:
        values = {key: read(data, key) for key in MODELS}
        cells = "".join(f'<td id="{stem}-{key}" class="num">{_number(v, share)}</td>'
                        for key, v in values.items())
        diff = values["practice"] - values["baseline"]
        cells += f'<td class="num diff">{_number(diff, share, signed=True)}</td>'
        rows.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    end = " · slut" if data.finished else ""
    solara.HTML(unsafe_innerHTML=(
        f'<div class="bip-week">Uge <span id="week">{data.week}</span> af {data.weeks}{end}'
        f'<span class="bip-seed"> · seed {data.seed}</span></div>'
        f'<table class="bip-numbers"><tr><th></th>{head}<th>Forskel</th></tr>'
        f'{"".join(rows)}</table>'))


@solara.component
def ParameterSummary(data: PageData) -> None:
    """The practices being compared, as the models run them now."""
    rows = []
    for lever in LEVERS:
        now = data.settings[lever.name]
        note = ""
        if lever.name in data.pending:
            note = escape(f" → {lever.describe(data.pending[lever.name])} ved Nulstil")
        mark = "" if now == data.baseline_settings[lever.name] else ' class="bip-diff"'
        rows.append(f"<tr{mark}><td>{escape(lever.label)}</td>"
                    f'<td><span id="param-{lever.name}">{escape(lever.describe(now))}</span>'
                    f'<span class="bip-pending">{note}</span></td>'
                    f"<td>{escape(lever.describe(data.baseline_settings[lever.name]))}</td></tr>")
    solara.HTML(unsafe_innerHTML=(
        '<table class="bip-numbers bip-params"><tr><th></th><th>Valgt praksis</th>'
        f'<th>I dag</th></tr>{"".join(rows)}</table>'))


@solara.component
def JobcentrePanel(data: PageData, shown: solara.Reactive[str]) -> None:
    """The jobcentre picture of one of the two practices, with its legend."""
    with solara.Row(style={"align-items": "center"}):
        solara.HTML(unsafe_innerHTML="<b>Jobcentret, uge for uge:</b>")
        with solara.ToggleButtonsSingle(value=shown, dense=True):
            for key, name in MODELS.items():
                solara.Button(name, value=key, text=True, classes=[f"show-{key}"])
    solara.HTML(unsafe_innerHTML=legend_html())
    solara.HTML(unsafe_innerHTML=data.jobcentre)


@solara.component
def Chart(option: dict[str, Any], height: int, name: str) -> None:
    """An ECharts chart of fixed height; ``name`` becomes its CSS class."""
    solara.FigureEcharts(option=option, attributes={"style": f"height: {height}px;",
                                                    "class": f"chart-{name}"},
                         responsive=True)


@solara.component
def OutcomeCharts(data: PageData) -> None:
    """Citizens by activity, job entries and caseworker changes, both practices."""
    practice, baseline = data.weekly["practice"], data.weekly["baseline"]
    with solara.Columns([1, 1, 1]):
        Chart(charts.stock_chart(practice, baseline, data.weeks), 330, "stock")
        Chart(charts.job_chart(practice, baseline, data.weeks), 330, "job")
        Chart(charts.change_chart(practice, baseline, data.weeks), 330, "changes")


@solara.component
def IndicatorCharts(data: PageData) -> None:
    """Mean of each BIP indicator, both practices."""
    Chart(charts.indicator_chart(data.weekly["practice"], data.weekly["baseline"], data.weeks),
          380, "indicators")


@solara.component
def FollowCitizen(data: PageData, followed: solara.Reactive[int | None]) -> None:
    """Follow one citizen: the same person under both practices."""
    def pick(uids: np.ndarray) -> None:
        if len(uids):
            followed.set(int(np.random.default_rng().choice(uids)))  # UI choice, not the model

    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.InputInt("Følg borger nr.", value=followed, optional=True,
                        classes=["follow-input"], style={"max-width": "160px"})
        solara.Button("Vælg en tilfældig borger", on_click=lambda: pick(data.present),
                      text=True, classes=["btn-pick"])
        solara.Button("… en med sagsbehandlerskift", on_click=lambda: pick(data.changed_uids),
                      text=True, classes=["btn-pick-changed"])
    if data.followed is None:
        solara.Text("Vælg en borger for at se hans eller hendes forløb.")
        return
    practice, baseline = data.follow.get("practice"), data.follow.get("baseline")
    if practice is None or practice.empty:
        solara.Text(f"Borger {data.followed} er ikke kommet endnu (eller findes ikke).")
        return
    solara.HTML(unsafe_innerHTML=_follow_summary(practice, baseline, data.week))
    Chart(charts.citizen_chart(practice, baseline, data.weeks, data.followed), 330, "citizen")


def _follow_summary(practice: pd.DataFrame, baseline: pd.DataFrame, week: int) -> str:
    """Caseworkers and outcome of the followed citizen in each practice, as HTML."""
    lines = []
    for key, frame in (("practice", practice), ("baseline", baseline)):
        if frame is None or frame.empty:
            continue
        last = frame.iloc[-1]
        if int(last.state) in LEFT_STATES:
            status = f"gik i uge {int(last.week)} til {SHORT_DA[int(last.state)]}"
        else:
            status = (f"er på kontanthjælp ({last.state_da}); sagsbehandlerens tro: "
                      f"{last.belief}")
        lines.append(f"<li><b>{MODELS[key]}</b>: {escape(_caseworker_story(frame, week))}; "
                     f"{escape(status)}</li>")
    return f'<ul class="bip-follow" id="follow-summary">{"".join(lines)}</ul>'


def _caseworker_story(frame: pd.DataFrame, week: int) -> str:
    """``Sagsbehandler 3 (uge 0-17) → ledig stilling (uge 18-21) → ...``"""
    on = frame.dropna(subset=["readiness"]) if "readiness" in frame else frame.iloc[:0]
    parts, start, current = [], None, object()
    for w, cw in zip(on.week, on.caseworker, strict=True):
        cw = None if pd.isna(cw) else int(cw)
        if cw != current:
            if start is not None:
                parts.append((current, start, w - 1))
            start, current = int(w), cw
    if start is not None:
        parts.append((current, start, int(on.week.iloc[-1])))
    text = " → ".join(
        f"{'ledig stilling' if cw is None else f'sagsbehandler {cw + 1}'} (uge {a}-{b})"
        for cw, a, b in parts)
    return text or f"ingen uger før uge {week}"


#: Style of the page (lever panel, numbers, follow list); the jobcentre's is separate.
PAGE_CSS = """
.bip-lever { margin-bottom: 14px; }
.bip-help { font-size: 12px; color: #666; line-height: 1.25; display: block; }
.bip-week { font-size: 26px; font-weight: 700; margin: 2px 0 6px 0; }
.bip-seed { font-size: 14px; font-weight: 400; color: #777; }
.bip-numbers { border-collapse: collapse; font-size: 15px; width: 100%; }
.bip-numbers td, .bip-numbers th { padding: 3px 8px; border-bottom: 1px solid #eee;
  text-align: left; }
.bip-numbers td.num { text-align: right; font-weight: 600; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
.bip-numbers td.diff { color: #555; font-weight: 400; }
.bip-params { font-size: 13px; margin-top: 10px; }
.bip-params tr.bip-diff td { background: #fff4e5; font-weight: 600; }
.bip-pending { color: #b35c00; }
.bip-follow { font-size: 14px; }
.bip-note { font-size: 12px; color: #777; }
"""

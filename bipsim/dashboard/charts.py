"""The dashboard's charts, as ECharts options: chosen practice (solid) against today's (dashed).

The browser draws ECharts, so a redraw costs the server only a small JSON document
(a Matplotlib figure of the ten indicators took half a second a week to render).
Each function returns a plain ``dict`` for ``solara.FigureEcharts``, so the charts
are tested without a browser. The x axis always spans the whole run, so lines grow
from left to right instead of the axes rescaling each week.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from bipsim.indicators import INDICATORS, LABELS_DA

from .states import CHANGE_COLOUR, COLOUR, COMPANY, LEFT_JOB, OTHER, PASSIVE, SHORT_DA

PRACTICE, BASELINE = "valgt praksis", "i dag"
_STOCKS = ((COMPANY, "n_company"), (OTHER, "n_other_activity"), (PASSIVE, "n_passive"))
_FONT = {"fontSize": 13}


def _line(name: str, frame: pd.DataFrame, column: str, colour: str, *,
          dashed: bool = False, width: float = 2.5) -> dict[str, Any]:
    return {
        "name": name, "type": "line", "showSymbol": False, "color": colour,
        "data": [[int(w), round(float(v), 4)] for w, v in zip(frame.week, frame[column],
                                                              strict=True)],
        "lineStyle": {"type": "dashed" if dashed else "solid",
                      "width": width * (0.7 if dashed else 1)},
    }


def _chart(title: str, weeks: int, series: list[dict[str, Any]], *,
           legend: bool = True) -> dict[str, Any]:
    return {
        "animation": False,
        "title": {"text": title, "textStyle": {"fontSize": 15}, "left": 0,
                  "subtext": "fuld linje: valgt praksis · stiplet: i dag"},
        "tooltip": {"trigger": "axis"},
        "legend": {"show": legend, "top": 42, "left": 0, "textStyle": _FONT, "itemWidth": 28},
        "grid": {"left": 44, "right": 46, "top": 96 if legend else 64, "bottom": 36},
        "xAxis": {"type": "value", "min": 0, "max": weeks, "name": "uge",
                  "nameLocation": "middle", "nameGap": 24, "axisLabel": _FONT},
        "yAxis": {"type": "value", "min": 0, "axisLabel": _FONT},
        "series": series,
    }


def _both(name: str, practice: pd.DataFrame, baseline: pd.DataFrame, column: str,
          colour: str) -> list[dict[str, Any]]:
    """The same column of both practices, end values labelled."""
    lines = [_line(f"{name}: {PRACTICE}", practice, column, colour),
             _line(f"{name}: {BASELINE}", baseline, column, colour, dashed=True)]
    for line in lines:
        line["endLabel"] = {"show": True, "fontSize": 13, "formatter": "{@[1]}"}
    return lines


def stock_chart(practice: pd.DataFrame, baseline: pd.DataFrame, weeks: int) -> dict[str, Any]:
    """Citizens in company placement, other activity and passive, week by week.

    Both practices' lines of a state share its name, so one legend entry shows or
    hides both.
    """
    series = []
    for state, column in _STOCKS:
        series.append(_line(SHORT_DA[state], practice, column, COLOUR[state]))
        series.append(_line(SHORT_DA[state], baseline, column, COLOUR[state], dashed=True))
    chart = _chart("Borgere efter indsats", weeks, series)
    chart["legend"].update(data=[SHORT_DA[state] for state, _ in _STOCKS], itemWidth=20,
                           itemGap=8, textStyle={"fontSize": 12})
    return chart


def job_chart(practice: pd.DataFrame, baseline: pd.DataFrame, weeks: int) -> dict[str, Any]:
    """Job entries so far (cumulative), both practices."""
    return _chart("Gået i job, i alt", weeks,
                  _both("i job", practice, baseline, "cum_job", COLOUR[LEFT_JOB]), legend=False)


def change_chart(practice: pd.DataFrame, baseline: pd.DataFrame, weeks: int) -> dict[str, Any]:
    """Caseworker changes so far (cumulative), both practices."""
    return _chart("Sagsbehandlerskift, i alt", weeks,
                  _both("skift", practice, baseline, "cum_caseworker_changes", CHANGE_COLOUR),
                  legend=False)


def indicator_chart(practice: pd.DataFrame, baseline: pd.DataFrame,
                    weeks: int) -> dict[str, Any]:
    """Mean of each BIP indicator over time, ten small panels (0 = the average entrant)."""
    grids, xs, ys, titles, series = [], [], [], [], []
    for k, key in enumerate(INDICATORS):
        row, col = divmod(k, 5)
        left, top = 3 + col * 19.6, 9 + row * 48
        grids.append({"left": f"{left}%", "width": "15.5%", "top": f"{top}%",
                      "height": "32%"})
        titles.append({"text": LABELS_DA[key], "left": f"{left}%", "top": f"{top - 8}%",
                       "textStyle": {"fontSize": 13, "fontWeight": "normal"}})
        xs.append({"gridIndex": k, "type": "value", "min": 0, "max": weeks,
                   "axisLabel": {"fontSize": 11}})
        ys.append({"gridIndex": k, "type": "value", "min": -0.6, "max": 0.6,
                   "axisLabel": {"fontSize": 11, "show": col == 0}})
        column = f"mean_{key}"
        for name, frame, colour, dashed in ((PRACTICE, practice, "#1b7837", False),
                                            (BASELINE, baseline, "#555555", True)):
            line = _line(name, frame, column, colour, dashed=dashed, width=2.2)
            line.update(xAxisIndex=k, yAxisIndex=k)
            series.append(line)
    return {"animation": False, "title": titles, "grid": grids, "xAxis": xs, "yAxis": ys,
            "series": series, "tooltip": {"trigger": "axis"}}


def citizen_chart(practice: pd.DataFrame, baseline: pd.DataFrame, weeks: int,
                  uid: int) -> dict[str, Any]:
    """One citizen under the chosen practice and under today's practice.

    Top: readiness (the mean of the predictive indicators), with each caseworker
    change as a vertical line. Bottom: the citizen's activity each week and, after
    leaving, where the citizen went, in both practices.

    Args:
        practice: ``ModelLog.history(uid)`` of the chosen practice.
        baseline: ``ModelLog.history(uid)`` of today's practice.
        weeks: Length of the run (x axis).
        uid: The citizen, for the title.
    """
    series: list[dict[str, Any]] = []
    for name, frame, dashed in ((PRACTICE, practice, False), (BASELINE, baseline, True)):
        if frame.empty or "readiness" not in frame:
            continue
        on = frame.dropna(subset=["readiness"])
        line = _line(name, on, "readiness", "#222222", dashed=dashed)
        changes = on.week[on.changed.astype(bool)]
        line["markLine"] = {
            "symbol": "none", "silent": True, "label": {"show": False},
            "lineStyle": {"color": CHANGE_COLOUR, "width": 2,
                          "type": "dashed" if dashed else "solid"},
            "data": [{"xAxis": int(w)} for w in changes]}
        series.append(line)
    for row, frame in enumerate((practice, baseline)):
        if frame.empty:
            continue
        for state in sorted(set(frame.state.astype(int))):
            hit = frame[frame.state == state]
            end = weeks if state not in (PASSIVE, OTHER, COMPANY) else None
            points = [[int(w), row] for w in hit.week]
            if end is not None:  # after leaving, the rest of the run in the exit's colour
                points = [[w, row] for w in range(int(hit.week.iloc[0]), end + 1)]
            series.append({"name": SHORT_DA[state], "type": "scatter", "symbol": "rect",
                           "symbolSize": [7, 18], "color": COLOUR[state], "data": points,
                           "xAxisIndex": 1, "yAxisIndex": 1, "silent": True})
    return {
        "animation": False,
        "title": {"text": f"Borger {uid}: parathed, og indsats uge for uge",
                  "textStyle": {"fontSize": 15}},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 24, "textStyle": _FONT},
        "grid": [{"left": 90, "right": 30, "top": 60, "height": "48%"},
                 {"left": 90, "right": 30, "bottom": 30, "height": "16%"}],
        "xAxis": [{"type": "value", "min": 0, "max": weeks, "gridIndex": 0,
                   "axisLabel": _FONT},
                  {"type": "value", "min": 0, "max": weeks, "gridIndex": 1,
                   "name": "uge", "nameLocation": "middle", "nameGap": 22,
                   "axisLabel": _FONT}],
        "yAxis": [{"type": "value", "gridIndex": 0, "name": "parathed",
                   "axisLabel": _FONT},
                  {"type": "category", "gridIndex": 1, "data": [PRACTICE, BASELINE],
                   "inverse": True, "axisLabel": _FONT}],
        "series": series,
    }

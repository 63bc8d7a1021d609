"""Outputs of a calibration: ``fitted.yaml`` (read by the baseline) and a report.

The report sets each target's published value and interval beside the estimate the
fitted model's simulated study gives, with its spread over replicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from matplotlib.figure import Figure

from .. import __version__
from ..parameters import BY_NAME
from .search import LOG_STATISTICS, Evaluation
from .targets import Target

Z95 = 1.959964


def fit_table(targets: list[Target], check: Evaluation) -> list[dict[str, Any]]:
    """Per target: published value and interval, simulated mean and 95 % spread."""
    rows = []
    for t in targets:
        mean, sd = check.mean[t.statistic], check.spread[t.statistic]
        if t.statistic in LOG_STATISTICS:
            spread = (mean * np.exp(-Z95 * sd), mean * np.exp(Z95 * sd))
        else:
            spread = (mean - Z95 * sd, mean + Z95 * sd)
        low, high = t.interval()
        rows.append({
            "target": t.name, "statistic": t.statistic, "kind": t.kind,
            "published": t.value, "published_interval": [round(low, 4), round(high, 4)],
            "simulated_mean": round(float(mean), 4),
            "simulated_95_spread": [round(float(spread[0]), 4), round(float(spread[1]), 4)],
            "z": round(check.z[t.name], 2),
            "within_tolerance": bool(abs(check.z[t.name]) <= Z95),
        })
    return rows


def write_fitted(path: Path, params: Mapping[str, float], table: list[dict[str, Any]],
                 meta: Mapping[str, Any]) -> None:
    """Write ``fitted.yaml``: a scenario fragment (the fitted parameters by group)
    with the fit and its provenance under ``calibration:``."""
    groups: dict[str, dict[str, float]] = {}
    for name, value in params.items():
        spec = BY_NAME[name]
        groups.setdefault(spec.group, {})[name] = (float(f"{value:.6g}") if spec.kind == "float"
                                                   else round(value))
    doc = {
        "description": "Structural parameters fitted by `bipsim calibrate` so the simulated "
                       "BIP study reproduces the published estimates (calibration/targets.yaml).",
        "calibration": {"date": dt.date.today().isoformat(), "bipsim_version": __version__,
                        **meta, "fit": table},
        **groups,
    }
    header = ("# Written by `bipsim calibrate`; do not edit by hand (rerun it instead).\n"
              "# scenarios/baseline.yaml extends this file.\n")
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                   encoding="utf-8")
    tmp.replace(path)


def write_report(folder: Path, table: list[dict[str, Any]], meta: Mapping[str, Any],
                 params: Mapping[str, float], ranges: Mapping[str, tuple[float, float]]) -> None:
    """``report.md`` and ``report.png`` in ``folder``."""
    lines = [
        "# Calibration report", "",
        f"{meta['date'] if 'date' in meta else dt.date.today()}: budget {meta['budget']} "
        f"candidates x {meta['reps']} replicates of `{meta['scenario']}` (seed {meta['seed']}), "
        f"{meta['minutes']:.1f} minutes; checked on {meta['check_reps']} fresh replicates.", "",
        "| target | published | published 95 % interval | simulated mean | simulated 95 % "
        "spread | z | within |", "|---|---|---|---|---|---|---|",
    ]
    for r in table:
        lo, hi = r["published_interval"]
        slo, shi = r["simulated_95_spread"]
        bound = f" ({r['kind'].replace('_', ' ')})" if r["kind"] != "estimate" else ""
        lines.append(f"| {r['target']}{bound} | {r['published']:g} | {lo:.3g}-{hi:.3g} | "
                     f"{r['simulated_mean']:.3g} | {slo:.3g}-{shi:.3g} | {r['z']:+.2f} | "
                     f"{'yes' if r['within_tolerance'] else 'no'} |")
    lines += ["", "Fitted parameters (plausible range: candidates within a distance of 3.84 of "
              "the best, a rough one-parameter profile):", "",
              "| parameter | fitted | plausible range |", "|---|---|---|"]
    for name, value in params.items():
        lo, hi = ranges.get(name, (value, value))
        lines.append(f"| `{BY_NAME[name].path}` | {value:.4g} | {lo:.4g}-{hi:.4g} |")
    (folder / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _plot(folder / "report.png", table)


def _plot(path: Path, table: list[dict[str, Any]]) -> None:
    fig = Figure(figsize=(9, 0.6 * len(table) + 1.4), dpi=120)
    ax = fig.subplots()
    for i, r in enumerate(reversed(table)):
        scale = r["published"]  # each row relative to its published value
        lo, hi = (v / scale for v in r["published_interval"])
        slo, shi = (v / scale for v in r["simulated_95_spread"])
        ax.plot([lo, hi], [i + 0.12] * 2, color="#555555", lw=5, solid_capstyle="butt",
                label="published 95 % interval" if i == 0 else None)
        ax.plot([slo, shi], [i - 0.12] * 2, color="#2a7fbf", lw=2.5,
                label="simulated, 95 % of replicates" if i == 0 else None)
        ax.plot(r["simulated_mean"] / scale, i - 0.12, "o", color="#2a7fbf",
                label="simulated mean" if i == 0 else None)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(range(len(table)), [r["target"] for r in reversed(table)])
    ax.set_xlabel("relative to the published value (1 = published)")
    ax.set_title("Calibration: published BIP estimates vs the fitted model's simulated study")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)

"""Outputs of a calibration: ``fitted.yaml`` (read by the baseline) and a report.

The report shows what the posterior says: the marginal and pairwise distributions
of the calibrated parameters, how much narrower than its prior each one got, the
posterior predictive of every target (published value and interval against the
distribution of the statistic over the posterior's simulated studies), the check
of the baseline's central values on fresh replicates, and the run's settings and
time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from matplotlib.figure import Figure

from .. import __version__
from ..parameters import BY_NAME
from .posterior import Posterior
from .targets import Target

FIGURES = ("posterior_marginals.png", "posterior_pairs.png", "posterior_predictive.png")


#: What a fit's ``fitted.yaml`` holds.
FIT_DESCRIPTION = ("Structural parameters fitted by `bipsim calibrate` so the simulated BIP "
                   "study reproduces the published estimates (calibration/targets.yaml): the "
                   "posterior medians (calibration/posterior.parquet holds the draws).")


def write_fitted(path: Path, params: Mapping[str, float], table: list[dict[str, Any]],
                 meta: Mapping[str, Any], description: str = FIT_DESCRIPTION) -> None:
    """Write ``fitted.yaml``: a scenario fragment (the fitted parameters by group)
    with the fit and its provenance under ``calibration:`` (``date`` and
    ``bipsim_version`` are today's unless ``meta`` has them: a recheck keeps the fit's)."""
    groups: dict[str, dict[str, float]] = {}
    for name, value in params.items():
        spec = BY_NAME[name]
        groups.setdefault(spec.group, {})[name] = (float(f"{value:.6g}") if spec.kind == "float"
                                                   else round(value))
    doc = {
        "description": description,
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


def check_table(table: list[dict[str, Any]]) -> list[str]:
    """The rows of :func:`bipsim.calibration.check.fit_table` as a Markdown table."""
    lines = ["| target | published | published 95 % interval | simulated mean | simulated 95 % "
             "spread | z | within |", "|---|---|---|---|---|---|---|"]
    for r in table:
        lo, hi = r["published_interval"]
        slo, shi = r["simulated_95_spread"]
        kind = f" ({r['kind'].replace('_', ' ')})" if r["kind"] != "estimate" else ""
        lines.append(f"| {r['target']}{kind} | {r['published']:g} | {lo:.3g}-{hi:.3g} | "
                     f"{r['simulated_mean']:.3g} | {slo:.3g}-{shi:.3g} | {r['z']:+.2f} | "
                     f"{'yes' if r['within_tolerance'] else 'no'} |")
    return lines


def predictive_table(posterior: Posterior, targets: Sequence[Target]) -> pd.DataFrame:
    """Per target: published value and 95 % interval; the simulated statistic's median
    and 90 % interval over the posterior draws' studies; the share of those studies
    inside the published interval."""
    predictive = posterior.predictive()
    rows = []
    for t in targets:
        values = predictive[t.statistic].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        low, high = t.interval()
        q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95]) if len(values) else [np.nan] * 3
        inside = (values >= low) & (values <= high)
        if t.kind == "lower_bound":
            inside = values >= low
        elif t.kind == "upper_bound":
            inside = values <= high
        rows.append({"target": t.name, "kind": t.kind, "published": t.value,
                     "published_low": low, "published_high": high, "simulated_median": q50,
                     "simulated_q05": q05, "simulated_q95": q95,
                     "share_inside": float(inside.mean()) if len(values) else np.nan})
    return pd.DataFrame(rows)


def write_report(folder: Path, posterior: Posterior, targets: Sequence[Target],
                 table: list[dict[str, Any]], meta: Mapping[str, Any]) -> list[str]:
    """``report.md`` and the figures in ``folder``; returns the file names."""
    predictive = predictive_table(posterior, targets)
    ident = posterior.identification()
    s = posterior.settings
    gens = posterior.generations
    reached = ("reached" if posterior.reached_floor else
               "NOT reached: the simulation budget ended the fit first, so this is the "
               "ABC posterior at the final epsilon, wider than at the floor; whether its "
               "intervals cover as they claim is what simulation-based calibration checks")
    lines = [
        "# Calibration report", "",
        f"{meta.get('date', dt.date.today().isoformat())}. ABC-SMC (pyabc) of "
        f"{len(posterior.names)} parameters to {len(targets)} targets on `{meta['scenario']}`, "
        f"seed {s.seed}: population {s.population}, at most {s.generations} generations and "
        f"{s.max_simulations} evaluations, epsilon the {s.alpha:g}-quantile of the last "
        f"population's distances, floor {posterior.epsilon_floor:.2f} ({reached}). "
        f"{int(gens.simulated.sum())} simulated studies; this session ("
        f"{meta['studies_made']} made, {meta['studies_reused']} reused from the folder's run "
        f"store, on {meta['executor']}) took {meta['minutes']:.1f} min wall, "
        f"{meta['cpu_minutes']:.1f} min CPU (this process and its workers; a resumed fit's "
        f"earlier sessions are not counted). {s.draws} equally weighted draws in "
        "`posterior.parquet`.", "",
        "Distance: the length of the vector of target z-scores (gap in stated standard "
        "errors; one-sided for bounds). Floor: the radius that Gaussian errors of the stated "
        "size stay inside with 95 % probability.", "",
        f"The particles are every study of the fit within epsilon {posterior.epsilon:.3g}"
        f" ({_widening(posterior)}): {len(posterior.particles)} of "
        f"{posterior.studies}, from every generation, each weighted by its prior density "
        "over the mixture of all generations' proposals (multiple importance sampling; "
        "pyabc's own weights of the last generation degenerate in 13 dimensions). "
        f"Effective sample size of the weights the draws come from: {posterior.ess:.0f}.", "",
        ("The particles are regression-adjusted (local-linear, Beaumont et al. 2002): "
         "each parameter is moved along its regression on the z-scores to where they equal "
         "a draw of the targets' stated errors, so the posterior keeps the targets' "
         "uncertainty instead of treating them as exact; the posterior predictive below "
         "comes from new studies at the adjusted draws." if posterior.adjusted else
         "The draws are the particles, not regression-adjusted (`Settings.adjust`: "
         "simulation-based calibration found the adjustment narrowing the intervals "
         "below their coverage at the epsilon a modest budget ends at)."), "",
        "## Generations", "",
        "pyabc's generations (ESS: of pyabc's weights of that generation's population):", "",
        "| generation | epsilon | accepted | evaluated | simulated | acceptance rate | ESS |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in gens.itertuples():
        lines.append(f"| {g.generation} | {g.epsilon:.3g} | {g.accepted} | {g.evaluated} | "
                     f"{g.simulated} | {g.acceptance_rate:.3f} | {g.ess:.0f} |")
    lines += ["", "## Posterior predictive of every target", "",
              "The statistic over the studies simulated at the posterior draws (median and 90 % "
              "interval) against the published value and its 95 % interval; *inside*: the "
              "share of those studies within the published interval.", "",
              "| target | published | published 95 % interval | simulated median | "
              "simulated 90 % interval | inside |", "|---|---|---|---|---|---|"]
    for r in predictive.itertuples():
        kind = f" ({r.kind.replace('_', ' ')})" if r.kind != "estimate" else ""
        lines.append(f"| {r.target}{kind} | {r.published:g} | {r.published_low:.3g}-"
                     f"{r.published_high:.3g} | {r.simulated_median:.3g} | {r.simulated_q05:.3g}"
                     f"-{r.simulated_q95:.3g} | {r.share_inside:.0%} |")
    lines += ["", "## Identification", "",
              "Posterior 90 % interval against the prior's, on the sampling scale (log for "
              "log-uniform priors). Width ratio near 1: the targets say little about the "
              "parameter; small: they pin it down.", "",
              "| parameter | prior | posterior median | posterior 90 % interval | width ratio |",
              "|---|---|---|---|---|"]
    for r in ident.itertuples():
        lines.append(f"| `{BY_NAME[r.parameter].path}` | {r.prior} | {r.median:.4g} | "
                     f"{r.q05:.4g}-{r.q95:.4g} | {r.width_ratio:.2f} |")
    lines += ["", "## The baseline: the posterior medians, checked on fresh replicates", "",
              f"{meta['check_reps']} replicate studies at the posterior medians (seeds from "
              f"{meta['check_seed']}); z combines the target's uncertainty with the Monte Carlo "
              "error of the replicate mean.", "",
              *check_table(table)]
    lines += ["", "## Figures", "", *[f"![{name}]({name})" for name in FIGURES], ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    _marginals(folder / FIGURES[0], posterior)
    _pairs(folder / FIGURES[1], posterior)
    _predictive(folder / FIGURES[2], predictive)
    return ["report.md", *FIGURES]


def _coordinates(posterior: Posterior) -> pd.DataFrame:
    return pd.DataFrame({p.name: [p.coordinate(v) for v in posterior.draws[p.name]]
                         for p in posterior.priors})


def _label(prior: Any) -> str:
    return f"log {prior.name}" if prior.log else prior.name


def _marginals(path: Path, posterior: Posterior) -> None:
    priors = posterior.priors
    cols = 4
    rows = -(-len(priors) // cols)
    fig = Figure(figsize=(3.2 * cols, 2.4 * rows), dpi=100)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    x = _coordinates(posterior)
    for ax, prior in zip(axes, priors, strict=False):
        lo, hi = prior.bounds
        ax.hist(x[prior.name], bins=25, range=(lo, hi), density=True, color="#2a7fbf",
                alpha=0.8, label="posterior")
        ax.hlines(1 / (hi - lo), lo, hi, color="#555555", lw=1.5, label="prior")
        ax.axvline(np.median(x[prior.name]), color="black", lw=1, label="median")
        ax.set_title(_label(prior), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[len(priors):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    fig.suptitle("Posterior marginals against the priors (sampling scale)")
    fig.tight_layout()
    fig.savefig(path)


def _pairs(path: Path, posterior: Posterior) -> None:
    priors = posterior.priors
    k = len(priors)
    fig = Figure(figsize=(1.3 * k, 1.3 * k), dpi=90)
    axes = fig.subplots(k, k, squeeze=False)
    x = _coordinates(posterior)
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j > i:
                ax.set_visible(False)
            elif i == j:
                ax.hist(x[pi.name], bins=20, range=pi.bounds, color="#2a7fbf")
            else:
                ax.plot(x[pj.name], x[pi.name], ".", ms=1.5, color="#2a7fbf", alpha=0.5)
                ax.set_xlim(pj.bounds)
                ax.set_ylim(pi.bounds)
            if i == k - 1:
                ax.set_xlabel(_label(pj), fontsize=6, rotation=30)
            if j == 0:
                ax.set_ylabel(_label(pi), fontsize=6, rotation=60)
    fig.suptitle("Posterior draws, pairwise (axes span the prior ranges)")
    fig.tight_layout()
    fig.savefig(path)


def _predictive(path: Path, table: pd.DataFrame) -> None:
    fig = Figure(figsize=(9, 0.55 * len(table) + 1.5), dpi=110)
    ax = fig.subplots()
    for i, r in enumerate(table[::-1].itertuples()):
        scale = r.published  # each row relative to its published value
        ax.plot([r.published_low / scale, r.published_high / scale], [i + 0.15] * 2,
                color="#555555", lw=5, solid_capstyle="butt",
                label="published 95 % interval" if i == 0 else None)
        ax.plot([r.simulated_q05 / scale, r.simulated_q95 / scale], [i - 0.15] * 2,
                color="#2a7fbf", lw=2.5, label="posterior predictive 90 %" if i == 0 else None)
        ax.plot(r.simulated_median / scale, i - 0.15, "o", color="#2a7fbf",
                label="posterior predictive median" if i == 0 else None)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set_yticks(range(len(table)), list(table.target[::-1]))
    ax.set_xlabel("relative to the published value (1 = published)")
    ax.set_title("Posterior predictive: simulated BIP study vs the published estimates")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)


def _widening(posterior: Posterior) -> str:
    """Why the particles' epsilon is what it is (the last generation's, or wider)."""
    last = float(posterior.generations.epsilon.iloc[-1])
    wanted = posterior.settings.min_ess
    if posterior.epsilon <= last:
        return f"the last generation's; it leaves at least {wanted} effective particles"
    reached = ("" if posterior.ess >= wanted else
               f"; even every study of the fit gives only {posterior.ess:.0f}, so the "
               "intervals rest on few particles and are likely too narrow")
    return (f"widened from the last generation's {last:.3g} to reach {wanted} effective "
            f"particles, so the posterior is wider than at {last:.3g}{reached}")

"""Figures of experiments: counterfactual comparisons and sweeps (scatter, envelopes, Sobol)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..people import DRIVERS
from .bands import QUANTILES
from .draw import (
    draw_band,
    finish_axis,
    mark_events,
    month_ticks,
    pyplot,
    save_each,
    timeline,
    ymin_zero,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..experiments.comparison import Comparison

ARM_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")

COMPARE_PANELS: tuple[tuple[str, str, str, float], ...] = (
    # column, panel title, y label, factor; '<flow>_cum' is the flow's running total, which
    # stays readable where monthly counts are small and noisy
    ("members", "Members", "members (people)", 1.0),
    ("exits_total_cum", "Exits, all drivers: running total", "people (since the start)", 1.0),
    ("exits_pay_cum", "Exits tipped by pay: running total", "people (since the start)", 1.0),
    ("killed_cum", "Killed in combat: running total", "people (since the start)", 1.0),
    (
        "executed_cum",
        "Executed for trying to leave: running total",
        "people (since the start)",
        1.0,
    ),
    ("civilian_harm", "Civilian harm", "harm index (dimensionless)", 1.0),
)


def arm_color(i: int) -> str:
    """The baseline is black; alternatives take distinct colours."""
    return "black" if i == 0 else ARM_COLORS[(i - 1) % len(ARM_COLORS)]


def _with_exits_total(tables: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Tables with exits_total (all drivers) and a running total '<flow>_cum' of each flow."""
    out = []
    for t in tables:
        cols = [f"exits_{d}" for d in DRIVERS if f"exits_{d}" in t.columns]
        t = t.assign(exits_total=t[cols].sum(axis=1)) if cols else t
        flows = [c for c in ("exits_total", "exits_pay", "killed", "executed") if c in t.columns]
        out.append(t.assign(**{f"{c}_cum": t[c].cumsum() for c in flows}))
    return out


def _base_scenario(comp: Comparison) -> Any:
    from ..provenance import scenario_from_yaml

    text = (comp.provenance.get("scenarios") or {}).get(comp.base)
    try:
        return scenario_from_yaml(text) if text else None
    except Exception:  # noqa: BLE001 - a figure without event marks is still a figure
        return None


def comparison_timeseries(
    comp: Comparison, panels: Sequence[tuple[str, str, str, float]] = COMPARE_PANELS
) -> Figure:
    """Each arm's median and 50%/90% bands over time, one panel per column, baseline in black."""
    tables = {arm: _with_exits_total(comp.timeseries(arm)) for arm in comp.arms}
    present = [p for p in panels if any(p[0] in t.columns for ts in tables.values() for t in ts)]
    if not present:
        raise KeyError("the comparison holds no monthly series (run compare with --out)")
    plt = pyplot()
    ncol = 2
    nrow = (len(present) + 1) // ncol
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(14, 1.2 + 3.0 * nrow),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    for ax, (col, title, ylabel, factor) in zip(flat, present, strict=False):
        for i, arm in enumerate(comp.arms):
            ts = [t for t in tables[arm] if col in t.columns]
            if ts:
                draw_band(ax, ts, col, label=arm, color=arm_color(i), factor=factor)
        ymin_zero(ax)
        finish_axis(ax, title, ylabel)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    for ax in flat[len(present) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("month")
        month_ticks(ax, years_only=True)  # half-width panels: yearly ticks
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4), fontsize=9)
    events = timeline(_base_scenario(comp))
    for c in range(ncol):  # event lines on every panel, their labels above each column's top
        mark_events([ax for ax in axes[:, c] if ax.get_visible()], events)
    n = min(len(comp.timeseries(a)) for a in comp.arms)
    fig.suptitle(
        f"Counterfactuals over time: {', '.join(comp.arms[1:])} vs the baseline {comp.base} "
        f"(black)\nmedian (line), 50% and 90% bands (shading) of {n} runs per scenario, paired "
        "by seed; flows as running totals; dotted lines: the baseline's timeline",
        fontsize=12,
    )
    return fig


def comparison_outcomes(comp: Comparison) -> Figure:
    """Each outcome's replicate values per arm: dots, median, 50% bar and 90% whiskers."""
    plt = pyplot()
    outcomes = comp.outcomes
    ok = comp.runs[comp.runs["status"] == "ok"]
    ncol = 3
    nrow = (len(outcomes) + ncol - 1) // ncol
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(14, 0.8 + 2.6 * nrow), squeeze=False, layout="constrained"
    )
    flat = list(axes.ravel())
    rng = np.random.default_rng(0)  # jitter only; fixed so the figure is reproducible
    for ax, name in zip(flat, outcomes, strict=False):
        for i, arm in enumerate(comp.arms):
            v = ok.loc[ok["arm"] == arm, name].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if not v.size:
                continue
            q = np.quantile(v, list(QUANTILES.values()))
            c = arm_color(i)
            ax.plot([q[0], q[4]], [i, i], color=c, lw=1.2, gid=f"{arm}:{name}:90")
            ax.plot([q[1], q[3]], [i, i], color=c, lw=5, alpha=0.6, solid_capstyle="butt")
            ax.scatter(v, i + rng.uniform(-0.18, 0.18, v.size), s=9, color=c, alpha=0.55, lw=0)
            ax.plot([q[2]], [i], marker="|", ms=14, mew=2.5, color=c)
        ax.set_yticks(range(len(comp.arms)), comp.arms, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(name, loc="left", fontsize=10)
        ax.set_xlabel(_unit(name), fontsize=8.5)
        ax.grid(True, axis="x", alpha=0.25)
    for ax in flat[len(outcomes) :]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D

    keys = [
        Line2D([], [], ls="none", marker="o", ms=4, color="0.3", alpha=0.6, label="one run"),
        Line2D([], [], lw=5, color="0.3", alpha=0.6, label="50% of runs"),
        Line2D([], [], lw=1.2, color="0.3", label="90% of runs"),
        Line2D([], [], ls="none", marker="|", ms=12, mew=2.5, color="0.3", label="median"),
    ]
    fig.legend(handles=keys, loc="outside lower center", ncols=4, fontsize=9)
    fig.suptitle(
        "Outcomes by scenario (rows: scenarios, the baseline first; each panel has its own unit)",
        fontsize=12,
    )
    return fig


def comparison_differences(comp: Comparison) -> Figure:
    """Paired differences ALT - BASE as % of the baseline mean, with their 95% intervals."""
    plt = pyplot()
    d = comp.differences
    outcomes = comp.outcomes
    alts = [a for a in comp.arms if a != comp.base]
    fig, ax = plt.subplots(figsize=(11, 1.4 + 0.42 * len(outcomes) * max(1, len(alts) / 2)))
    step = 0.7 / max(len(alts), 1)
    for k, alt in enumerate(alts):
        rows = d[d["alt"] == alt].set_index("outcome").reindex(outcomes)
        y = np.arange(len(outcomes)) + (k - (len(alts) - 1) / 2) * step
        x = rows["pct_change"].to_numpy(dtype=float)
        lo = x - rows["pct_low"].to_numpy(dtype=float)
        hi = rows["pct_high"].to_numpy(dtype=float) - x
        ax.errorbar(
            x,
            y,
            xerr=[lo, hi],
            fmt="o",
            color=arm_color(k + 1),
            capsize=3,
            ms=5,
            label=f"{alt} vs {comp.base}",
            gid=alt,
        )
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(range(len(outcomes)), outcomes, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("ALT - BASE (% of the baseline mean)")
    ax.set_ylabel("outcome")
    ax.grid(True, axis="x", alpha=0.25)
    pairs = int(d["pairs"].min()) if len(d) else 0
    ax.set_title(
        f"Paired differences with 95% t intervals ({pairs} pairs of runs with common seeds)",
        loc="left",
        fontsize=11,
    )
    ax.legend(loc="best", fontsize=9)
    fig.tight_layout()
    return fig


def _unit(outcome: str) -> str:
    from ..experiments.outcomes import DESCRIPTIONS

    desc = DESCRIPTIONS.get(outcome, outcome)
    if "(" in desc:
        return desc
    if "share" in outcome:
        return f"{desc} (share, 0-1)"
    if "harm" in outcome:
        return f"{desc} (index)"
    if "usd" in outcome or "revenue" in outcome:
        return f"{desc} (USD)"
    if "days" in outcome:
        return f"{desc} (days)"
    return f"{desc} (people)"


COMPARISON_FIGURES = {
    "compare_timeseries": comparison_timeseries,
    "compare_outcomes": comparison_outcomes,
    "compare_differences": comparison_differences,
}


def save_comparison_figures(
    comp: Comparison, folder: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Draw every comparison figure into ``folder``; skips the time panels if there are none."""
    return save_each(COMPARISON_FIGURES, comp, folder, formats)

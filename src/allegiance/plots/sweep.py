"""Figures of a sweep: outcome against each factor, outcome envelopes over time, sensitivity."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..people import DRIVERS
from .bands import QUANTILES
from .draw import (
    dates,
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


@dataclass
class Sweep:
    """A sweep folder read back: successful runs, factors, outcomes, monthly series, manifest."""

    folder: Path
    runs: pd.DataFrame  # status ok only
    factors: list[str]
    outcomes: list[str]
    series: pd.DataFrame  # run_id, month, columns (empty if the runs kept none)
    manifest: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    @property
    def design(self) -> str:
        return str(self.manifest.get("spec", {}).get("design", ""))


def load_sweep(folder: str | Path) -> Sweep:
    """Read a sweep directory written by ``allegiance sweep``."""
    from .. import provenance as pv
    from ..experiments.store import Store

    store = Store.open(folder)
    runs = store.runs()
    ok = runs[runs["status"] == "ok"].reset_index(drop=True)
    return Sweep(
        Path(folder),
        ok,
        list(store.manifest["factors"]),
        list(store.manifest["outcomes"]),
        store.series(),
        store.manifest,
        pv.read(folder) or {},
    )


def _short(path: str) -> str:
    """'organization.enforcement.fear' -> 'enforcement.fear' (axis labels stay readable)."""
    parts = path.split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else path


def sweep_scatter(sweep: Sweep) -> Figure:
    """Each outcome against each factor: one dot per run, the median of each factor bin as a line."""
    if sweep.runs.empty or not sweep.factors:
        raise KeyError("the sweep has no finished runs or no factors")
    plt = pyplot()
    rows, cols = len(sweep.outcomes), len(sweep.factors)
    fig, axes = plt.subplots(
        rows,
        cols,
        figsize=(3.6 * cols + 1, 2.3 * rows + 1.2),
        squeeze=False,
        sharey="row",
        layout="constrained",
    )
    runs = sweep.runs
    for j, factor in enumerate(sweep.factors):
        x = runs[factor]
        numeric = pd.api.types.is_numeric_dtype(x) and x.nunique() > 1
        for i, outcome in enumerate(sweep.outcomes):
            ax = axes[i, j]
            y = runs[outcome].to_numpy(dtype=float)
            if numeric:
                xv = x.to_numpy(dtype=float)
                ax.scatter(
                    xv, y, s=10, alpha=0.55, color="#1f77b4", lw=0, gid=f"{factor}|{outcome}"
                )
                med = _binned_median(xv, y)
                ax.plot(med.index, med.to_numpy(), color="black", lw=1.6, label="median by bin")
            else:
                cats = [str(c) for c in pd.unique(x)]
                pos = {c: k for k, c in enumerate(cats)}
                xv = np.array([pos[str(v)] for v in x], dtype=float)
                jitter = np.random.default_rng(0).uniform(-0.15, 0.15, len(xv))
                ax.scatter(
                    xv + jitter,
                    y,
                    s=10,
                    alpha=0.55,
                    color="#1f77b4",
                    lw=0,
                    gid=f"{factor}|{outcome}",
                )
                med = pd.Series(y).groupby(xv).median()
                ax.plot(
                    med.index,
                    med.to_numpy(),
                    color="black",
                    lw=1.6,
                    marker="_",
                    ms=18,
                    label="median",
                )
                ax.set_xticks(range(len(cats)), cats)
            ax.grid(True, alpha=0.25)
            if i == rows - 1:
                ax.set_xlabel(_short(factor))
            if j == 0:
                ax.set_ylabel(outcome, fontsize=8.5)
            if i == 0:
                ax.set_title(f"factor: {_short(factor)}", loc="left", fontsize=10)
    axes[0, -1].legend(fontsize=8, loc="best")
    fig.suptitle(
        f"Sweep {sweep.manifest.get('spec', {}).get('name', sweep.folder.name)}: each outcome "
        f"(rows) against each factor (columns); {len(runs)} runs, one dot each",
        fontsize=12,
    )
    return fig


def _binned_median(x: np.ndarray, y: np.ndarray, bins: int = 6) -> pd.Series:
    """Median of ``y`` in equal-count bins of ``x``, placed at each bin's median ``x``."""
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(np.unique(x)) <= bins:
        return pd.Series(y).groupby(x).median()
    edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)))
    which = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    df = pd.DataFrame({"x": x, "y": y, "bin": which}).groupby("bin").median()
    return pd.Series(df["y"].to_numpy(), index=df["x"].to_numpy())


ENVELOPE_PANELS: tuple[tuple[str, str, str], ...] = (
    ("members", "Members", "members (people)"),
    ("exits_total", "Exits: left alive, all drivers", "flow (people per month)"),
    ("killed", "Killed in combat", "flow (people per month)"),
    ("executed", "Executed for trying to leave", "flow (people per month)"),
    ("civilian_harm", "Civilian harm", "harm index (dimensionless)"),
    ("pay_syrian_usd", "Pay of Syrian members", "pay (USD per month)"),
)


def sweep_envelopes(
    sweep: Sweep, panels: tuple[tuple[str, str, str], ...] = ENVELOPE_PANELS
) -> Figure:
    """Outcome envelopes over time: all runs' range, 90% and 50% bands and the median."""
    s = sweep.series
    if s.empty:
        raise KeyError("the sweep kept no monthly series")
    ok_ids = set(sweep.runs["run_id"])
    s = s[s["run_id"].isin(ok_ids)]
    exits = [f"exits_{d}" for d in DRIVERS if f"exits_{d}" in s.columns]
    if exits:
        s = s.assign(exits_total=s[exits].sum(axis=1))
    shown = [p for p in panels if p[0] in s.columns]
    if not shown:
        raise KeyError("the sweep's series hold none of the envelope columns")
    plt = pyplot()
    ncol = 2
    nrow = (len(shown) + 1) // ncol
    fig, axes = plt.subplots(
        nrow,
        ncol,
        figsize=(14, 1.4 + 2.9 * nrow),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    n = s["run_id"].nunique()
    for ax, (col, title, ylabel) in zip(flat, shown, strict=False):
        wide = s.pivot_table(index="month", columns="run_id", values=col, aggfunc="first")
        arr = wide.to_numpy(dtype=float)
        x = dates(wide.index)
        q = {k: np.nanquantile(arr, v, axis=1) for k, v in QUANTILES.items()}
        ax.fill_between(
            x,
            np.nanmin(arr, axis=1),
            np.nanmax(arr, axis=1),
            color="#1f77b4",
            alpha=0.10,
            lw=0,
            label="all runs (min to max)",
        )
        ax.fill_between(x, q["lo90"], q["hi90"], color="#1f77b4", alpha=0.20, lw=0, label="90%")
        ax.fill_between(x, q["lo50"], q["hi50"], color="#1f77b4", alpha=0.35, lw=0, label="50%")
        ax.plot(x, q["median"], color="black", lw=1.5, label="median", gid=col)
        ymin_zero(ax)
        finish_axis(ax, title, ylabel)
        ax.get_legend().remove()
    for ax in flat[len(shown) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("month")
        month_ticks(ax, years_only=True)
    handles, labels = flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=4, fontsize=9)
    scenario = None
    if sweep.provenance.get("scenario_yaml"):
        from ..provenance import scenario_from_yaml

        try:
            scenario = scenario_from_yaml(sweep.provenance["scenario_yaml"])
        except Exception:  # noqa: BLE001 - no event marks rather than no figure
            scenario = None
    for c in range(ncol):
        mark_events([ax for ax in axes[:, c] if ax.get_visible()], timeline(scenario))
    fig.suptitle(
        f"Outcome envelopes over time across the sweep ({n} runs over "
        f"{len(sweep.factors)} factors); dotted lines: the base scenario's timeline",
        fontsize=12,
    )
    return fig


def sensitivity_table(sweep: Sweep) -> pd.DataFrame:
    """Spearman rank correlation of each factor with each outcome over all runs.

    A design-free first look at which factor moves which outcome (|rho| near 1: strongly,
    monotonically); Sobol indices (``sobol_indices``) when the design is ``sobol``.
    """
    runs = sweep.runs
    rows = {}
    for factor in sweep.factors:
        x = runs[factor]
        if not pd.api.types.is_numeric_dtype(x):
            x = pd.Series(pd.factorize(x)[0], index=x.index)
        rows[factor] = {
            o: float(x.rank().corr(runs[o].rank())) if x.nunique() > 1 else np.nan
            for o in sweep.outcomes
        }
    return pd.DataFrame(rows).T


def sobol_indices(sweep: Sweep) -> pd.DataFrame | None:
    """First-order and total Sobol indices of each factor for each outcome (sobol designs only).

    Outcomes are averaged over replicates per design point; None if the design is not sobol or
    a design point has no successful run.
    """
    if sweep.design != "sobol":
        return None
    from SALib.analyze import sobol

    from ..experiments.design import problem
    from ..experiments.spec import SweepSpec

    spec = SweepSpec.model_validate(sweep.manifest["spec"])
    n_points = len(sweep.manifest["points"])
    rows = []
    for outcome in sweep.outcomes:
        y = sweep.runs.groupby("point_id")[outcome].mean().reindex(range(n_points))
        if y.isna().any():
            return None
        res = sobol.analyze(
            problem(spec), y.to_numpy(), calc_second_order=spec.second_order, seed=spec.seed
        )
        for k, factor in enumerate(sweep.factors):
            rows.append(
                {
                    "outcome": outcome,
                    "factor": factor,
                    "S1": float(res["S1"][k]),
                    "S1_conf": float(res["S1_conf"][k]),
                    "ST": float(res["ST"][k]),
                    "ST_conf": float(res["ST_conf"][k]),
                }
            )
    return pd.DataFrame(rows)


def sweep_sensitivity(sweep: Sweep) -> Figure:
    """Sensitivity: Sobol S1/ST bars for sobol designs, else a rank-correlation heat map."""
    if sweep.runs.empty or not sweep.factors:
        raise KeyError("the sweep has no finished runs or no factors")
    plt = pyplot()
    sob = sobol_indices(sweep)
    if sob is not None:
        n = len(sweep.outcomes)
        fig, axes = plt.subplots(
            1,
            n,
            figsize=(3.4 * n + 1, 1.5 + 0.5 * len(sweep.factors)),
            squeeze=False,
            sharey=True,
            layout="constrained",
        )
        y = np.arange(len(sweep.factors))
        for ax, outcome in zip(axes[0], sweep.outcomes, strict=True):
            d = sob[sob["outcome"] == outcome].set_index("factor").reindex(sweep.factors)
            ax.barh(
                y - 0.2, d["S1"], 0.4, xerr=d["S1_conf"], label="first order S1", color="#1f77b4"
            )
            ax.barh(y + 0.2, d["ST"], 0.4, xerr=d["ST_conf"], label="total ST", color="#ff7f0e")
            ax.set_yticks(y, [_short(f) for f in sweep.factors])
            ax.invert_yaxis()
            ax.set_title(outcome, loc="left", fontsize=10)
            ax.set_xlabel("Sobol index (share of variance)")
            ax.grid(True, axis="x", alpha=0.25)
        axes[0, 0].legend(fontsize=8)
        fig.suptitle("Sobol sensitivity indices with 95% bootstrap intervals", fontsize=12)
        return fig
    table = sensitivity_table(sweep)
    fig, ax = plt.subplots(
        figsize=(max(8.0, 2.5 + 1.3 * len(sweep.outcomes)), 1.8 + 0.6 * len(sweep.factors)),
        layout="constrained",
    )
    im = ax.imshow(table.to_numpy(dtype=float), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(
                j,
                i,
                f"{v:+.2f}",
                ha="center",
                va="center",
                fontsize=9,
                color="white" if abs(v) > 0.6 else "black",
            )
    ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right", fontsize=8.5)
    ax.set_yticks(range(len(table.index)), [_short(f) for f in table.index], fontsize=8.5)
    ax.set_xlabel("outcome")
    ax.set_ylabel("factor")
    fig.colorbar(im, ax=ax, label="Spearman rank correlation")
    fig.suptitle(
        "Which factor moves which outcome?\nSpearman rank correlation over "
        f"{len(sweep.runs)} runs ({sweep.design} design; -1 to +1)",
        fontsize=11,
    )
    return fig


SWEEP_FIGURES = {
    "sweep_scatter": sweep_scatter,
    "sweep_envelopes": sweep_envelopes,
    "sweep_sensitivity": sweep_sensitivity,
}


def save_sweep_figures(
    sweep: Sweep, folder: str | Path, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Draw every sweep figure into ``folder``; skips a figure the sweep lacks data for."""
    return save_each(SWEEP_FIGURES, sweep, folder, formats)

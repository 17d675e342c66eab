"""Figures of a posterior: marginals against the prior, pairs, and epsilon and acceptance by generation."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

PAIRS_MAX = 6
"""Pair plots show at most this many parameters: those the data narrow most."""


def _plt():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def marginals_figure(particles: pd.DataFrame, table: pd.DataFrame, path: Path) -> Path:
    """One weighted histogram per parameter over its prior range, median and 90% CI marked."""
    plt = _plt()
    n = len(table)
    cols = min(n, 4)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.7 * rows), squeeze=False)
    w = particles["weight"].to_numpy(dtype=float)
    for ax, row in zip(axes.flat, table.itertuples(), strict=False):
        lo, hi = row.prior_low, row.prior_high
        x = particles[row.parameter].to_numpy(dtype=float)
        ax.hist(
            x, bins=np.linspace(lo, hi, 21), weights=w, density=True, color="tab:blue", alpha=0.7
        )
        ax.axhline(1 / (hi - lo), color="grey", ls="--", lw=1, label="prior")
        ax.axvspan(row.ci90_low, row.ci90_high, color="tab:orange", alpha=0.15, label="90% CI")
        ax.axvline(row.posterior_median, color="tab:orange", lw=1.5, label="median")
        if np.isfinite(row.scenario_value):
            ax.axvline(row.scenario_value, color="black", lw=1, ls=":", label="scenario value")
        ax.set_xlim(lo, hi)
        ax.set_title(f"{row.parameter}\nCI/prior = {row.ci_over_prior:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.suptitle("Posterior marginals (bars) against the uniform prior (dashed)", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def pairs_figure(particles: pd.DataFrame, table: pd.DataFrame, path: Path) -> Path:
    """Scatter of particle pairs (size = weight) for the parameters the data narrow most."""
    plt = _plt()
    chosen = list(table.sort_values("ci_over_prior")["parameter"][:PAIRS_MAX])
    ranges = table.set_index("parameter")
    k = len(chosen)
    fig, axes = plt.subplots(k, k, figsize=(2.3 * k + 0.5, 2.3 * k + 0.5), squeeze=False)
    w = particles["weight"].to_numpy(dtype=float)
    size = 4 + 60 * w / w.max()
    for i, pi in enumerate(chosen):
        for j, pj in enumerate(chosen):
            ax = axes[i, j]
            xi = particles[pj].to_numpy(dtype=float)
            lo_j, hi_j = ranges.loc[pj, "prior_low"], ranges.loc[pj, "prior_high"]
            if i == j:
                ax.hist(xi, bins=np.linspace(lo_j, hi_j, 16), weights=w, color="tab:blue")
                ax.set_yticks([])
            elif i > j:
                ax.scatter(xi, particles[pi], s=size, alpha=0.5, color="tab:blue", linewidths=0)
                ax.set_ylim(ranges.loc[pi, "prior_low"], ranges.loc[pi, "prior_high"])
            else:
                ax.axis("off")
                continue
            ax.set_xlim(lo_j, hi_j)
            ax.tick_params(labelsize=6)
            # few ticks, tiny rates as powers of ten: long decimals ran into each other
            ax.xaxis.set_major_locator(plt.MaxNLocator(3))
            ax.ticklabel_format(axis="both", style="sci", scilimits=(-3, 5))
            if i == k - 1:
                ax.set_xlabel(pj, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(pi, fontsize=7)
    fig.suptitle("Posterior pairs over the prior ranges (point size = weight)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def progress_figure(gens: pd.DataFrame, path: Path) -> Path:
    """Epsilon and acceptance rate by generation."""
    plt = _plt()
    fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3))
    a.plot(gens["generation"], gens["epsilon"], marker="o")
    a.set_xlabel("generation")
    a.set_ylabel("epsilon (distance threshold)")
    b.plot(gens["generation"], gens["acceptance"], marker="o", color="tab:green")
    b.set_xlabel("generation")
    b.set_ylabel("acceptance rate")
    b.set_ylim(0, 1.05)
    for ax in (a, b):
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle("ABC-SMC: threshold and acceptance by generation", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

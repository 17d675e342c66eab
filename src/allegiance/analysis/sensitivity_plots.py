"""Figures of a sensitivity analysis: Morris mu*-sigma planes and Sobol bars with intervals."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd


def _grid(n: int) -> tuple[int, int]:
    cols = min(n, 3)
    return math.ceil(n / cols), cols


def morris_figure(morris: pd.DataFrame, path: Path, kept: list[str] | None = None) -> Path:
    """One mu*-sigma plane per outcome; kept parameters labelled and filled."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    outcomes = list(dict.fromkeys(morris["outcome"]))
    rows, cols = _grid(len(outcomes))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.4 * rows), squeeze=False)
    kept = kept or []
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        d = morris[morris["outcome"] == outcome].pivot(
            index="parameter", columns="index", values="value"
        )
        top = d["mu_star"].nlargest(6).index
        for name, r in d.iterrows():
            on = name in kept
            ax.scatter(
                r["mu_star"],
                r["sigma"],
                s=36 if on else 16,
                color="tab:red" if on else "none",
                edgecolor="tab:red" if on else "grey",
                zorder=3,
            )
            if name in top:
                ax.annotate(
                    str(name),
                    (r["mu_star"], r["sigma"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        hi = float(max(d["mu_star"].max(), d["sigma"].max(), 1e-12)) * 1.05
        ax.plot([0, hi], [0, hi], color="lightgrey", lw=0.8, ls="--", zorder=1)
        ax.set_xlim(0, hi)
        ax.set_ylim(0, hi)
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel("μ* (mean |elementary effect|)")
        ax.set_ylabel("σ (spread: interactions, nonlinearity, noise)")
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    fig.suptitle("Morris screening: red = kept for Sobol; dashed line σ = μ*", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sobol_figure(sobol: pd.DataFrame, path: Path) -> Path:
    """Horizontal bars of S1 and ST per parameter, one panel per outcome, with bootstrap intervals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    outcomes = list(dict.fromkeys(sobol["outcome"]))
    params = list(dict.fromkeys(sobol["parameter"]))
    rows, cols = _grid(len(outcomes))
    height = max(3.0, 0.45 * len(params) + 1.5)
    fig, axes = plt.subplots(rows, cols, figsize=(5.4 * cols, height * rows), squeeze=False)
    y = np.arange(len(params))
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        d = sobol[sobol["outcome"] == outcome]
        for k, (index, color, off) in enumerate(
            (("S1", "tab:blue", -0.2), ("ST", "tab:orange", 0.2))
        ):
            s = d[d["index"] == index].set_index("parameter").reindex(params)
            err = np.vstack(
                [
                    (s["value"] - s["ci_low"]).clip(lower=0).to_numpy(),
                    (s["ci_high"] - s["value"]).clip(lower=0).to_numpy(),
                ]
            )
            ax.barh(
                y + off,
                s["value"],
                height=0.38,
                color=color,
                xerr=err,
                capsize=2,
                label="first order S1" if k == 0 else "total ST",
            )
        ax.set_yticks(y, params, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlim(
            min(-0.05, float(d["ci_low"].min()) - 0.02), max(1.0, float(d["ci_high"].max()))
        )
        ax.set_title(outcome, fontsize=10)
        ax.set_xlabel("share of the outcome's variance")
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle("Sobol indices with 95% bootstrap confidence intervals", fontsize=11)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path

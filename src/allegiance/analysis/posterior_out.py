"""What a calibration writes: posterior particles, parameter summaries, generations and figures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

IDENTIFIED = 0.5
"""A parameter counts as identified when its 90% credible interval is under half its prior range."""


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float | list[float]) -> np.ndarray:
    """Quantiles of a weighted sample (linear in the cumulative weight at sample midpoints)."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    x, w = x[w > 0], w[w > 0]
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.atleast_1d(q), cum, x)


def summary(particles: pd.DataFrame, params: list[dict[str, Any]]) -> pd.DataFrame:
    """Per parameter: prior range, scenario value, posterior median and 90% credible interval."""
    w = particles["weight"].to_numpy(dtype=float)
    rows = []
    for p in params:
        x = particles[p["path"]].to_numpy(dtype=float)
        q05, med, q95 = weighted_quantile(x, w, [0.05, 0.5, 0.95])
        width = p["high"] - p["low"]
        shrink = (q95 - q05) / width if width > 0 else math.nan
        rows.append(
            {
                "parameter": p["path"],
                "prior_low": p["low"],
                "prior_high": p["high"],
                "scenario_value": p.get("value", math.nan),
                "posterior_median": float(med),
                "ci90_low": float(q05),
                "ci90_high": float(q95),
                "ci_over_prior": float(shrink),
                "identified": bool(shrink < IDENTIFIED),
            }
        )
    return pd.DataFrame(rows)


def write_outputs(history: Any, problem: Any, out: Path) -> dict[str, Path]:
    """posterior.parquet, summary.csv/.parquet, generations.csv and the figures, from a history."""
    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    dist = history.get_weighted_distances(t=t)
    particles = df.reset_index(drop=True).copy()
    particles["weight"] = np.asarray(w, dtype=float) / float(np.sum(w))
    particles["distance"] = dist["distance"].to_numpy(dtype=float)
    particles.insert(0, "generation", t)
    files = {"posterior": out / "posterior.parquet"}
    particles.to_parquet(files["posterior"], index=False)

    params = [
        {"path": u.path, "low": u.low, "high": u.high, "value": u.value} for u in problem.params
    ]
    table = summary(particles, params)
    files["summary"] = out / "summary.csv"
    table.to_csv(files["summary"], index=False)
    table.to_parquet(out / "summary.parquet", index=False)

    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    gens = pd.DataFrame(
        {
            "generation": pops["t"].astype(int),
            "epsilon": pops["epsilon"].astype(float),
            "runs": pops["samples"].astype(int),
            "accepted": pops["particles"].astype(int),
            "acceptance": pops["particles"] / pops["samples"],
            "wall_seconds": pops["wall_time"].astype(float) if "wall_time" in pops else math.nan,
        }
    )
    files["generations"] = out / "generations.csv"
    gens.to_csv(files["generations"], index=False)

    from .posterior_plots import marginals_figure, pairs_figure, progress_figure

    files["marginals"] = marginals_figure(particles, table, out / "marginals.png")
    files["pairs"] = pairs_figure(particles, table, out / "pairs.png")
    files["generations_png"] = progress_figure(gens, out / "generations.png")
    return files

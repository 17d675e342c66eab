"""Replicate bands: median and 50%/90% intervals of a column over several runs, month by month."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

QUANTILES = {"lo90": 0.05, "lo50": 0.25, "median": 0.5, "hi50": 0.75, "hi90": 0.95}
"""Column of ``bands`` -> quantile over runs."""


def as_list(runs: Any) -> list[Any]:
    """One run (Results or a timeseries DataFrame) or a sequence of them, as a list."""
    if isinstance(runs, pd.DataFrame) or hasattr(runs, "timeseries"):
        return [runs]
    if isinstance(runs, Sequence) and len(runs) > 0:
        return list(runs)
    raise ValueError("give a Results, a timeseries DataFrame, or a non-empty list of them")


def timeseries(run: Any) -> pd.DataFrame:
    """The monthly table of a run (a Results or the DataFrame itself)."""
    return run if isinstance(run, pd.DataFrame) else run.timeseries


def stack(runs: Any, column: str) -> pd.DataFrame:
    """One row per month, one column per run: the values of ``column`` (NaN where a run lacks it).

    Runs are aligned on their months, so runs of different lengths line up on the calendar.
    """
    cols = {}
    for i, run in enumerate(as_list(runs)):
        ts = timeseries(run)
        if column in ts.columns:
            cols[i] = pd.Series(ts[column].to_numpy(dtype=float), index=ts["month"].astype(str))
    if not cols:
        raise KeyError(f"no run has a column {column!r}")
    return pd.DataFrame(cols).sort_index()


def bands(runs: Any, column: str) -> pd.DataFrame:
    """Median and 50%/90% intervals of ``column`` over runs, per month.

    Returns a DataFrame indexed by month ('YYYY-MM') with columns median, lo50, hi50 (25% and
    75% quantiles), lo90, hi90 (5% and 95%) and n (runs with a value that month). One run
    gives bands of zero width.
    """
    values = stack(runs, column)
    arr = values.to_numpy()
    out = pd.DataFrame(index=values.index)
    finite = np.isfinite(arr)
    n = finite.sum(axis=1)
    for name, q in QUANTILES.items():
        col = np.full(len(arr), np.nan)
        ok = n > 0
        if ok.any():
            col[ok] = np.nanquantile(arr[ok], q, axis=1)
        out[name] = col
    out["n"] = n
    out.index.name = "month"
    return out

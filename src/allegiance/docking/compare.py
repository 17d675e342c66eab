"""Docking statistics per run and two-sample tests between two implementations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..rng import stream

STATISTICS = ("mean_active", "outbursts_per_100", "mean_jailed")

#: An outburst starts when the active fraction reaches ON after having been below OFF since the
#: last one (hysteresis, so noise around one threshold does not count as many outbursts).
OUTBURST_ON = 0.05
OUTBURST_OFF = 0.025


def outbursts(active: np.ndarray, on: float = OUTBURST_ON, off: float = OUTBURST_OFF) -> int:
    """Number of outbursts in a series of active fractions (see ``OUTBURST_ON``/``OUTBURST_OFF``).

    The detector is armed at the start iff the first value is below ``on``.
    """
    active = np.asarray(active, dtype=float)
    if active.size == 0:
        return 0
    armed = bool(active[0] < on)
    count = 0
    for a in active[1:]:
        if armed and a >= on:
            count += 1
            armed = False
        elif not armed and a < off:
            armed = True
    return count


def run_statistics(
    active: Sequence[float] | np.ndarray,
    jailed: Sequence[float] | np.ndarray,
    burn_in: int = 20,
) -> dict[str, float]:
    """The docking statistics of one run, from its series at steps 0..n (index = step).

    mean_active and mean_jailed average steps burn_in+1..n; outbursts_per_100 counts outbursts
    starting in steps burn_in+1..n (the detector sees step burn_in to know if it is armed),
    per 100 steps.
    """
    active = np.asarray(active, dtype=float)
    jailed = np.asarray(jailed, dtype=float)
    if active.size <= burn_in + 1:
        raise ValueError(f"need more than {burn_in + 1} steps, got {active.size}")
    window = slice(burn_in + 1, None)
    n = active.size - burn_in - 1
    return {
        "mean_active": float(active[window].mean()),
        "outbursts_per_100": 100.0 * outbursts(active[burn_in:]) / n,
        "mean_jailed": float(jailed[window].mean()),
    }


def statistics_table(runs: Iterable[pd.DataFrame | dict], burn_in: int = 20) -> pd.DataFrame:
    """One row per run: the docking statistics (runs carry ``active`` and ``jailed`` series)."""
    rows = [run_statistics(r["active"], r["jailed"], burn_in) for r in runs]
    return pd.DataFrame(rows, columns=list(STATISTICS))


@dataclass(frozen=True)
class TwoSample:
    """Result of comparing one statistic between samples a (allegiance) and b (Mesa)."""

    mean_a: float
    mean_b: float
    ks_statistic: float
    ks_p: float
    ci_low: float  # bootstrap CI of mean(a) - mean(b)
    ci_high: float
    equivalent: bool


def bootstrap_ci(
    a: np.ndarray, b: np.ndarray, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap CI of mean(a) - mean(b), resampling each sample independently."""
    rng = stream(seed, "docking.bootstrap")
    ia = rng.integers(0, a.size, size=(n_boot, a.size))
    ib = rng.integers(0, b.size, size=(n_boot, b.size))
    diffs = a[ia].mean(axis=1) - b[ib].mean(axis=1)
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(diffs, [tail, 1.0 - tail])
    return float(lo), float(hi)


def two_sample(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    alpha: float = 0.05,
    n_boot: int = 2000,
    seed: int = 0,
) -> TwoSample:
    """KS two-sample test and bootstrap CI of the difference in means.

    Verdict in the sense of Axtell, Axelrod, Epstein & Cohen (1996), "distributional
    equivalence": neither test tells the samples apart at level ``alpha`` (KS p >= alpha and
    the (1 - alpha) CI of the difference contains 0).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.size < 2 or b.size < 2:
        raise ValueError("each sample needs at least 2 runs")
    ks = stats.ks_2samp(a, b)
    lo, hi = bootstrap_ci(a, b, 1.0 - alpha, n_boot, seed)
    # a tolerance of a few ulps: identical constant samples give a CI of [0, 0] up to rounding
    eps = 1e-12 * max(1.0, float(np.abs(np.concatenate([a, b])).max()))
    equivalent = bool(ks.pvalue >= alpha and lo - eps <= 0.0 <= hi + eps)
    return TwoSample(
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
        ks_statistic=float(ks.statistic),
        ks_p=float(ks.pvalue),
        ci_low=lo,
        ci_high=hi,
        equivalent=equivalent,
    )


def compare_tables(
    a: pd.DataFrame, b: pd.DataFrame, alpha: float = 0.05, n_boot: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """One row per statistic: means, KS statistic and p, bootstrap CI, verdict."""
    rows = []
    for name in STATISTICS:
        res = two_sample(a[name], b[name], alpha, n_boot, seed)
        rows.append({"statistic": name, **res.__dict__})
    return pd.DataFrame(rows)

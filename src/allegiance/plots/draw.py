"""Drawing helpers shared by every figure: time axis, bands, timeline events, targets, saving."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .bands import bands

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (headless) unless a backend was chosen already."""
    import os
    import sys

    import matplotlib

    # headless unless the user chose a backend (pyplot already imported, or MPLBACKEND set)
    if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def dates(months: Iterable[str]) -> pd.DatetimeIndex:
    """'YYYY-MM' strings as the first day of each month, for a calendar x axis."""
    return pd.to_datetime([f"{m}-01" for m in months])


PALETTE = {
    # motives (joins and members), drivers, origins and routes keep one colour across figures
    "ideology": "#1f77b4",
    "coercion": "#d62728",
    "economic": "#2ca02c",
    "revenge": "#9467bd",
    "opportunism": "#ff7f0e",
    "foreign": "#7f7f7f",
    "losing": "#8c564b",
    "authoritarianism": "#e377c2",
    "favoritism": "#bcbd22",
    "pay": "#2ca02c",
    "redeployment": "#9467bd",
    "syrian": "#d62728",
    "iraqi": "#1f77b4",
    "abroad": "#17becf",
    "to_rival": "#ff7f0e",
    "total": "black",
}


def color(key: str, i: int = 0) -> str:
    """A fixed colour for a named category, else the i-th of matplotlib's cycle."""
    return PALETTE.get(key, f"C{i % 10}")


def draw_band(
    ax: Axes,
    runs: Any,
    column: str,
    *,
    label: str,
    color: str,
    factor: float = 1.0,
    lw: float = 1.6,
    ls: str = "-",
    positive: bool = False,
) -> None:
    """The median of ``column`` as a line; with several runs, its 50% and 90% bands shaded.

    ``positive`` (log axes): values of zero or less are left out rather than drawn to the floor.
    """
    b = bands(runs, column)
    several = bool((b["n"] > 1).any())
    b = b.drop(columns="n") * factor
    if positive:
        b = b.where(b > 0)
    x = dates(b.index)
    if several:
        ax.fill_between(x, b["lo90"], b["hi90"], color=color, alpha=0.12, lw=0)
        ax.fill_between(x, b["lo50"], b["hi50"], color=color, alpha=0.28, lw=0)
    # gid names the column behind the line (tests and SVG readers find the data by it)
    ax.plot(x, b["median"], color=color, lw=lw, ls=ls, label=label, gid=column)


@dataclass(frozen=True)
class Estimate:
    """A published figure for a timeseries column: a range over a month or a window of months."""

    pattern: str
    kind: str  # 'figure' (a published estimate) or 'fact' (a stylized fact's acceptance range)
    column: str
    start: str
    end: str
    low: float | None
    high: float | None
    title: str


@cache
def _estimates(path: str | None) -> tuple[Estimate, ...]:
    from ..analysis import targets as tg

    try:
        tgt = tg.load(path or tg.PATH)
    except Exception:  # noqa: BLE001 - a figure without targets is still a figure
        return ()
    out = []
    for p in tgt.patterns:
        for c in p.checks:
            col = c.args.get("column")
            if c.statistic == "ts_value" and col:
                start = end = c.args["month"]
            elif c.statistic == "ts_mean" and col and c.args.get("start") and c.args.get("end"):
                start, end = c.args["start"], c.args["end"]
            else:
                continue
            out.append(Estimate(p.id, p.kind, col, start, end, c.range[0], c.range[1], p.title))
    return tuple(out)


def estimates(column: str, path: str | None = None, kind: str = "figure") -> list[Estimate]:
    """Published estimates for ``column`` in the targets file (data/targets.yaml by default).

    Only ``kind='figure'`` patterns by default: public figures, not the loose acceptance ranges
    of the stylized facts.
    """
    return [e for e in _estimates(path) if e.column == column and e.kind == kind]


def draw_estimates(
    ax: Axes,
    column: str,
    factor: float = 1.0,
    months: Sequence[str] = (),
    *,
    edgecolor: str = "black",
    legend: bool = True,
) -> int:
    """Draw the published ranges for ``column``: a bar at a month, a box over a window.

    Only estimates inside the run's months are drawn; returns how many were drawn. ``legend``:
    label the first one 'published estimate'.
    """
    from matplotlib.patches import Rectangle

    first, last = (months[0], months[-1]) if len(months) else ("0000-00", "9999-99")
    drawn = 0
    for e in estimates(column):
        if e.end < first or e.start > last:
            continue
        lo, hi = e.low, e.high
        ylo, yhi = ax.get_ylim()
        lo_v = lo * factor if lo is not None else ylo
        hi_v = hi * factor if hi is not None else yhi
        label = "published estimate\n(colour of its series)" if drawn == 0 and legend else None
        x0 = dates([e.start])[0]
        if e.start == e.end:
            ax.errorbar(
                [x0],
                [(lo_v + hi_v) / 2],
                yerr=[[(hi_v - lo_v) / 2]],
                fmt="none",
                ecolor=edgecolor,
                elinewidth=2.2,
                capsize=5,
                capthick=2,
                zorder=5,
                label=label,
            )
        else:
            x1 = dates([e.end])[0] + pd.offsets.MonthEnd(0)
            ax.add_patch(
                Rectangle(
                    (x0, lo_v),
                    x1 - x0,
                    hi_v - lo_v,
                    fill=False,
                    hatch="///",
                    edgecolor=edgecolor,
                    lw=1.0,
                    zorder=5,
                    label=label,
                )
            )
        drawn += 1
        if hi is not None and hi_v > ax.get_ylim()[1]:  # keep the whole range in view
            ax.set_ylim(top=hi_v * 1.04)
    return drawn


def timeline(scenario: Any) -> list[tuple[str, str]]:
    """(month, label) of the scenario's timeline events inside its months; same month merged."""
    if scenario is None:
        return []
    months = set(scenario.months)
    merged: dict[str, list[str]] = {}
    for ev in scenario.timeline:
        if ev.month in months:
            merged.setdefault(ev.month, []).append(ev.id or ev.note[:24] or "event")
    return [(m, "\n".join(ids)) for m, ids in sorted(merged.items())]


def mark_events(axes: Sequence[Axes], events: list[tuple[str, str]]) -> None:
    """Dotted vertical lines at each timeline event on every axis; labels above the top one."""
    if not events:
        return
    x = dates([m for m, _ in events])
    for ax in axes:
        for xi in x:
            ax.axvline(xi, color="0.45", lw=0.8, ls=":", zorder=0)
    top = axes[0].secondary_xaxis("top")
    top.set_xticks(list(x), [label for _, label in events], rotation=90, fontsize=7)
    top.tick_params(length=3, pad=1, colors="0.3")


def month_ticks(ax: Axes, years_only: bool = False) -> None:
    """Fixed date ticks (January and July, or January only): far cheaper than the auto locator."""
    import matplotlib.dates as mdates

    months = (1,) if years_only else (1, 7)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=months))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y" if years_only else "%Y-%m"))


def finish_axis(ax: Axes, title: str, ylabel: str, *, log: bool = False) -> None:
    """Title, y label with units, legend outside the plot on the right, light grid."""
    ax.set_title(title, loc="left", fontsize=10.5)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.25)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left",
            bbox_to_anchor=(1.005, 1.0),
            fontsize=8.5,
            frameon=False,
        )


def save_each(
    figures: dict[str, Callable[[Any], Figure]],
    data: Any,
    folder: str | Path,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Draw every figure of ``figures`` from ``data`` into ``folder``; skip those it lacks data for."""
    plt = pyplot()
    written: list[Path] = []
    for name, fn in figures.items():
        try:
            fig = fn(data)
        except KeyError:
            continue
        written += save(fig, Path(folder) / name, formats)
        plt.close(fig)
    return written


def save(fig: Figure, path: str | Path, formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write the figure: to ``path`` if it ends in .png or .svg, else to path.png and path.svg."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    targets = (
        [p] if p.suffix in (".png", ".svg") else [p.with_name(f"{p.name}.{f}") for f in formats]
    )
    for t in targets:
        # constrained layout already fits titles and outside legends: no second, "tight" pass
        fig.savefig(t, dpi=110 if t.suffix == ".png" else None)
    return targets


def ymin_zero(ax: Axes) -> None:
    """Counts start at zero: linear axes get a floor of 0."""
    if ax.get_yscale() == "linear":
        lo, hi = ax.get_ylim()
        ax.set_ylim(0, hi if np.isfinite(hi) and hi > 0 else 1)

"""Standard figures of a run (or of several runs as bands): strength, flows, economy, society."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..people import DRIVERS, MOTIVES
from .bands import as_list, bands, timeseries
from .draw import (
    color,
    dates,
    draw_band,
    draw_estimates,
    finish_axis,
    mark_events,
    month_ticks,
    pyplot,
    timeline,
    ymin_zero,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Series:
    """One column drawn in a panel."""

    column: str
    label: str
    key: str = ""  # colour key (motive, driver, origin...); the column if empty
    ls: str = "-"


@dataclass(frozen=True)
class Panel:
    """One axis of a figure: its series, how they are drawn, title and y label (with units)."""

    title: str
    ylabel: str
    series: tuple[Series, ...]
    stacked: bool = False  # stacked areas of the per-month medians (parts of a whole)
    log: bool = False
    factor: float = 1.0  # e.g. 100 for shares shown in %, 1e-6 for USD shown in millions
    estimates: bool = True  # draw published estimates of these columns from the targets


def _present(panel: Panel, columns: set[str]) -> Panel | None:
    """The panel with only the series whose columns the run has; None if none is left."""
    kept = tuple(s for s in panel.series if s.column in columns)
    return replace(panel, series=kept) if kept else None


def _describe(runs: list[Any]) -> str:
    """'scenario, seed 1' for one run; 'scenario, median and 50%/90% bands of 20 runs' for more."""
    first = runs[0]
    sc = getattr(first, "scenario", None)
    name = sc.name if sc is not None else "run"
    if len(runs) == 1:
        seed = getattr(first, "seed", None)
        return f"{name}, seed {seed}" if seed is not None else name
    return f"{name}: median (line), 50% and 90% bands (shading) of {len(runs)} runs"


def _draw_stacked(ax: Any, runs: list[Any], panel: Panel) -> None:
    """Stacked areas of the per-month medians of each series."""
    ys, labels, colors = [], [], []
    months = None
    for i, s in enumerate(panel.series):
        b = bands(runs, s.column)
        months = b.index
        ys.append(b["median"].to_numpy() * panel.factor)
        labels.append(s.label)
        colors.append(color(s.key or s.column, i))
    assert months is not None
    polys = ax.stackplot(dates(months), *ys, labels=labels, colors=colors, alpha=0.85, lw=0)
    for poly, s in zip(polys, panel.series, strict=True):
        poly.set_gid(s.column)


def figure(runs: Any, title: str, panels: list[Panel], *, width: float = 12.5) -> Figure:
    """A column of panels over one shared time axis, timeline events marked on each.

    Panels whose columns the runs lack are left out, so older or newer tables still plot.
    """
    rs = as_list(runs)
    ts0 = timeseries(rs[0])
    columns = set(ts0.columns)
    shown = [p for p in (_present(p, columns) for p in panels) if p is not None]
    if not shown:
        raise KeyError(f"{title}: the runs have none of the columns this figure draws")
    plt = pyplot()
    fig, axes = plt.subplots(
        len(shown),
        1,
        figsize=(width, 1.0 + 2.55 * len(shown)),
        sharex=True,
        squeeze=False,
        layout="constrained",
    )
    months = list(ts0["month"].astype(str))
    for ax, panel in zip(axes[:, 0], shown, strict=True):
        if panel.stacked:
            _draw_stacked(ax, rs, panel)
        else:
            for i, s in enumerate(panel.series):
                draw_band(
                    ax,
                    rs,
                    s.column,
                    label=s.label,
                    color=color(s.key or s.column, i),
                    factor=panel.factor,
                    ls=s.ls,
                    positive=panel.log,
                )
        if panel.estimates:
            drawn = 0
            for i, s in enumerate(panel.series):
                edge = "black" if panel.stacked else color(s.key or s.column, i)
                if edge in ("0.5", "#7f7f7f") or s.key == "total":
                    edge = "black"
                drawn += draw_estimates(
                    ax, s.column, panel.factor, months, edgecolor=edge, legend=drawn == 0
                )
        if panel.log:
            # months with none would otherwise stretch the axis down: start a decade below the
            # smallest positive value; headroom above the top line
            ys = [np.asarray(ln.get_ydata(), float) for ln in ax.get_lines()]
            pos = np.concatenate([y[np.isfinite(y) & (y > 0)] for y in ys] or [np.ones(1)])
            low = 10.0 ** np.floor(np.log10(pos.min())) if pos.size else 1.0
            ax.set_ylim(low, max(ax.get_ylim()[1], 10 * low) * 1.6)
        else:
            ymin_zero(ax)
        heading = panel.title
        if panel.stacked and len(rs) > 1:
            heading += f"; each part is its median over {len(rs)} runs"
        finish_axis(ax, heading, panel.ylabel, log=panel.log)
    axes[-1, 0].set_xlabel("month")
    month_ticks(axes[-1, 0])
    sc = getattr(rs[0], "scenario", None)
    mark_events(list(axes[:, 0]), timeline(sc))
    fig.suptitle(f"{title}\n{_describe(rs)}", fontsize=12.5)
    return fig


# ------------------------------------------------------------------------------ the figures


def _total(ts_cols: set[str], prefix: str, names: tuple[str, ...]) -> list[str]:
    return [f"{prefix}{n}" for n in names if f"{prefix}{n}" in ts_cols]


def with_totals(runs: Any) -> list[Any]:
    """Runs whose timeseries gain joins_total (local + foreign), exits_total (all drivers)."""
    import copy

    out = []
    for run in as_list(runs):
        ts = timeseries(run).copy()
        cols = set(ts.columns)
        joins = _total(cols, "joins_", (*MOTIVES, "foreign"))
        exits = _total(cols, "exits_", DRIVERS)
        if joins and "joins_total" not in cols:
            ts["joins_total"] = ts[joins].sum(axis=1)
        if exits and "exits_total" not in cols:
            ts["exits_total"] = ts[exits].sum(axis=1)
        if hasattr(run, "timeseries"):
            run = copy.copy(run)
            run.timeseries = ts
            out.append(run)
        else:
            out.append(ts)
    return out


def strength(runs: Any) -> Figure:
    """Members by origin and by motive, with the published strength estimates."""
    return figure(
        runs,
        "Strength: members over time (published estimates as black bars)",
        [
            Panel(
                "Members by origin",
                "members (people)",
                (
                    Series("members", "all members", "total"),
                    Series("members_syrian", "Syrian", "syrian"),
                    Series("members_iraqi", "Iraqi", "iraqi"),
                    Series("members_foreign", "foreign", "foreign"),
                ),
            ),
            Panel(
                "Members by joining motive",
                "members (people)",
                tuple(Series(f"members_{m}", m, m) for m in MOTIVES),
            ),
            Panel(
                "Foreign fighters who have arrived since the start (cumulative)",
                "arrivals (people)",
                (Series("foreign_cumulative", "foreign arrivals, cumulative", "foreign"),),
            ),
        ],
    )


def flows(runs: Any) -> Figure:
    """Joins, exits, deaths and executions per month: totals on a log scale, then the parts."""
    rs = with_totals(runs)
    return figure(
        rs,
        "Flows per month: combat deaths dwarf exits, so the top panel compares them on a log "
        "scale;\nthe panels below show each flow's parts on its own linear scale",
        [
            Panel(
                "All flows on one log scale",
                "flow (people per month, log scale)",
                (
                    Series("joins_total", "joined or arrived", "ideology"),
                    Series("exits_total", "left alive (all routes)", "abroad"),
                    Series("killed", "killed in combat", "coercion"),
                    Series("executed", "executed for trying to leave", "losing"),
                ),
                log=True,
                estimates=False,
            ),
            Panel(
                "Local recruits by joining motive (stacked)",
                "flow (people per month)",
                tuple(Series(f"joins_{m}", m, m) for m in MOTIVES),
                stacked=True,
            ),
            Panel(
                "Foreign fighters arriving",
                "flow (people per month)",
                (Series("joins_foreign", "foreign arrivals", "total"),),
            ),
            Panel(
                "Exits by the driver that tipped the decision (stacked)",
                "flow (people per month)",
                tuple(Series(f"exits_{d}", d, d) for d in DRIVERS),
                stacked=True,
            ),
            Panel(
                "Exits by route (stacked)",
                "flow (people per month)",
                (
                    Series("exits_abroad", "abroad (Turkey, Jordan)", "abroad"),
                    Series("exits_to_rival", "to a rival group", "to_rival"),
                ),
                stacked=True,
            ),
            Panel(
                "Killed in combat, by origin",
                "flow (people per month)",
                (
                    Series("killed", "all killed", "total"),
                    Series("killed_syrian", "Syrian", "syrian"),
                    Series("killed_foreign", "foreign", "foreign"),
                ),
            ),
            Panel(
                "Caught trying to leave: punished or executed",
                "flow (people per month)",
                (
                    Series("caught", "caught and punished", "favoritism"),
                    Series("executed", "executed", "losing"),
                ),
            ),
        ],
    )


def economy(runs: Any) -> Figure:
    """Pay of Syrian and foreign members, the pay factor and the group's revenue."""
    return figure(
        runs,
        "Economy: pay, pay factor and revenue (published pay estimates, where any, as hatched boxes)",
        [
            Panel(
                "Mean monthly pay of members",
                "pay (USD per month)",
                (
                    Series("pay_syrian_usd", "Syrian members", "syrian"),
                    Series("pay_foreign_usd", "foreign members", "foreign"),
                ),
            ),
            Panel(
                "Pay factor (1 = full salaries; 0.5 = halved)",
                "factor (dimensionless)",
                (Series("pay_factor", "pay factor", "pay"),),
            ),
            Panel(
                "Revenue of the group",
                "revenue (million USD per month)",
                (Series("revenue_usd", "revenue", "total"),),
                factor=1e-6,
            ),
        ],
    )


def society(runs: Any) -> Figure:
    """Under-18 share, civilian harm and days of training given to recruits."""
    return figure(
        runs,
        "Children, civilians and training",
        [
            Panel(
                "Members under 18",
                "share of members (%)",
                (
                    Series("under18_share", "all members", "total"),
                    Series("max_unit_under18_share", "the unit with most children", "coercion"),
                ),
                factor=100.0,
            ),
            Panel(
                "Harm to civilians under the group's rule (falls in 2013 as its territory grows)",
                "harm (index per 1,000 civilians)",
                (Series("civilian_harm", "per 1,000 civilians under its rule", "coercion"),),
            ),
            Panel(
                "Indiscipline of the average member (untrained, opportunist, under 18)",
                "indiscipline (index per member)",
                (Series("harm_per_member", "per member", "opportunism"),),
            ),
            Panel(
                "Training given to recruits (religious course + boot camp)",
                "training (days)",
                (Series("training_days", "training days", "ideology"),),
            ),
        ],
    )


FIGURES: dict[str, Callable[[Any], Figure]] = {
    "strength": strength,
    "flows": flows,
    "economy": economy,
    "society": society,
}
"""Name -> function(Results or list of Results) -> Figure; ``allegiance plot`` draws them all."""

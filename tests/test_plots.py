"""Standard figures: the data behind each axis are the run's columns; titles, units, legends."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.collections import PolyCollection

import allegiance
from allegiance import plots
from allegiance.cli import main
from allegiance.people import DRIVERS
from allegiance.plots.draw import dates, estimates
from allegiance.plots.run import with_totals
from helpers import small


@cache
def one() -> allegiance.Results:
    return allegiance.run(small(size=20_000, end="2016-06"), seed=4)


@cache
def three() -> tuple[allegiance.Results, ...]:
    sc = small(size=20_000, end="2015-06")
    return tuple(allegiance.run(sc, seed=s) for s in (1, 2, 3))


def _lines_with_data(fig: matplotlib.figure.Figure) -> list[tuple[object, matplotlib.lines.Line2D]]:
    return [(ax, ln) for ax in fig.axes for ln in ax.get_lines() if ln.get_gid()]


# ------------------------------------------------------------------------------ bands


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.lists(st.floats(0, 1e6, allow_nan=False), min_size=4, max_size=4),
        min_size=1,
        max_size=7,
    )
)
def test_bands_are_quantiles_over_runs_month_by_month(values: list[list[float]]) -> None:
    months = ["2015-01", "2015-02", "2015-03", "2015-04"]
    runs = [pd.DataFrame({"month": months, "x": v}) for v in values]
    b = plots.bands(runs, "x")
    arr = np.array(values)
    assert list(b.index) == months and (b["n"] == len(values)).all()
    for name, q in plots.QUANTILES.items():
        np.testing.assert_allclose(b[name], np.quantile(arr, q, axis=0))
    assert (b["lo90"] <= b["lo50"]).all() and (b["lo50"] <= b["median"]).all()
    assert (b["median"] <= b["hi50"]).all() and (b["hi50"] <= b["hi90"]).all()


def test_bands_of_one_run_have_zero_width_and_runs_align_on_months() -> None:
    a = pd.DataFrame({"month": ["2015-01", "2015-02"], "x": [1.0, 2.0]})
    b = pd.DataFrame({"month": ["2015-02", "2015-03"], "x": [4.0, 6.0]})
    one_band = plots.bands(a, "x")
    assert (one_band["lo90"] == one_band["hi90"]).all()
    both = plots.bands([a, b], "x")
    assert list(both["n"]) == [1, 2, 1] and both.loc["2015-02", "median"] == 3.0
    with pytest.raises(KeyError):
        plots.bands([a], "nope")


# ------------------------------------------------------------------------------ figures


@pytest.mark.parametrize("kind", list(plots.FIGURES))
def test_every_line_is_the_runs_column_and_every_axis_is_labelled(kind: str) -> None:
    run = one()
    fig = plots.FIGURES[kind](run)
    ts = with_totals(run)[0].timeseries
    assert fig.get_suptitle() and run.scenario.name in fig.get_suptitle()
    lines = _lines_with_data(fig)
    assert lines, "a figure with no data lines"
    for _ax, ln in lines:
        col = ln.get_gid()
        y = np.asarray(ln.get_ydata(), dtype=float)
        expected = ts[col].to_numpy(dtype=float)
        ratio = y[np.abs(expected) > 0] / expected[np.abs(expected) > 0]
        # the line is the column, up to the panel's unit factor (%, millions)
        factor = ratio[0] if ratio.size else 1.0
        assert any(np.isclose(factor, f) for f in (1.0, 100.0, 1e-6))
        np.testing.assert_allclose(y[np.isfinite(y)], (expected * factor)[np.isfinite(y)])
        assert np.array_equal(np.asarray(ln.get_xdata()), np.asarray(dates(ts["month"])))
    for ax in fig.axes:
        if not ax.get_title(loc="left"):  # the secondary axis carrying timeline labels
            continue
        assert ax.get_ylabel(), ax.get_title(loc="left")
        assert "(" in ax.get_ylabel(), f"no unit in {ax.get_ylabel()!r}"
        assert ax.get_legend() is not None and ax.get_legend().get_texts()
    assert fig.axes[-1].get_xlabel() == "month" or any(a.get_xlabel() == "month" for a in fig.axes)
    plt.close(fig)


def test_stacked_exits_are_cumulative_sums_of_the_driver_columns() -> None:
    run = one()
    fig = plots.flows(run)
    ts = run.timeseries
    ax = next(a for a in fig.axes if "driver" in a.get_title(loc="left"))
    polys = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid()]
    assert [p.get_gid() for p in polys] == [f"exits_{d}" for d in DRIVERS]
    top = np.zeros(len(ts))
    for p in polys:
        top = top + ts[p.get_gid()].to_numpy()
        verts = p.get_paths()[0].vertices
        # the upper edge of each stacked area, month by month, is the running sum
        upper = pd.Series(verts[:, 1]).groupby(np.round(verts[:, 0], 6)).max().to_numpy()
        np.testing.assert_allclose(upper, top)
    plt.close(fig)


def test_flows_compare_deaths_and_exits_on_one_log_axis() -> None:
    fig = plots.flows(one())
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert {ln.get_gid() for ln in ax.get_lines()} >= {"killed", "exits_total", "joins_total"}
    assert "log" in fig.get_suptitle()
    plt.close(fig)


def test_published_estimates_come_from_the_targets_file() -> None:
    est = {(e.pattern, e.start): e for e in estimates("members")}
    assert est[("strength_2014", "2014-09")].low == 20000
    fig = plots.strength(one())
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert any(label.startswith("published estimate") for label in labels)
    # the bar of September 2014 spans the published range
    bars = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    segs = np.concatenate([b.get_segments() for b in bars])
    spans = {(round(s[0, 1]), round(s[1, 1])) for s in segs}
    assert (20000, 31500) in spans
    plt.close(fig)


def test_several_runs_draw_the_median_and_bands() -> None:
    runs = list(three())
    fig = plots.strength(runs)
    ax = fig.axes[0]
    (members,) = [ln for ln in ax.get_lines() if ln.get_gid() == "members"]
    np.testing.assert_allclose(members.get_ydata(), plots.bands(runs, "members")["median"])
    assert "3 runs" in fig.get_suptitle()
    assert len(ax.collections) >= 2  # the 50% and 90% bands of at least one series
    plt.close(fig)


def test_a_missing_optional_column_drops_its_series_or_panel_not_the_figure() -> None:
    run = one()
    ts = run.timeseries.drop(columns=["killed_syrian", "killed_foreign", "killed", "caught"])
    fig = plots.flows(ts)
    gids = {ln.get_gid() for ax in fig.axes for ln in ax.get_lines()}
    assert "killed" not in gids and "executed" in gids
    assert not any("Killed in combat" in ax.get_title(loc="left") for ax in fig.axes)
    plt.close(fig)
    with pytest.raises(KeyError):
        plots.economy(run.timeseries[["month", "members"]])


def test_timeline_events_are_marked_on_every_time_axis() -> None:
    run = one()
    fig = plots.society(run)
    months = [e.month for e in run.scenario.timeline if e.month <= "2016-06"]
    for ax in fig.axes:
        if not ax.get_title(loc="left"):
            continue
        xs = {ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == ":"}
        assert {pd.Timestamp(x) for x in xs} == set(dates(months))
    plt.close(fig)


def test_results_plot_saves_png_and_svg(tmp_path: Path) -> None:
    fig = one().plot("society", tmp_path)
    assert fig.get_suptitle().startswith("Children")
    assert (tmp_path / "society.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "society.svg").read_bytes()[:400]
    one().plot("economy", tmp_path / "pay.svg")
    assert (tmp_path / "pay.svg").exists() and not (tmp_path / "pay.png").exists()
    plt.close("all")


def test_plot_command_draws_a_run_folder(tmp_path: Path) -> None:
    one().to_parquet(tmp_path / "run")
    # one kind keeps the test quick; the report test draws every kind
    assert main(["plot", str(tmp_path / "run"), "--kind", "society", "--format", "png"]) == 0
    assert [p.name for p in (tmp_path / "run" / "figures").iterdir()] == ["society.png"]
    assert main(["plot", str(tmp_path / "run"), "--kind", "nope"]) == 2
    assert main(["plot", str(tmp_path / "nowhere")]) == 2

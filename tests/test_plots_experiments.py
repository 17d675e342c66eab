"""Comparison figures and folder: bands per arm are the runs' months; differences in % of BASE."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from allegiance import plots
from allegiance.cli import main
from allegiance.experiments import comparison
from allegiance.plots import experiments as px
from helpers import REFERENCE, ROOT

SMALL = ["--set", "population.size=20000", "--set", "end=2015-03"]
NO_CUT = ROOT / "scenarios" / "counterfactuals" / "no-redeployment.yaml"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare") / "cmp"
    code = main(
        [
            "compare",
            str(REFERENCE),
            str(NO_CUT),
            "--replicates",
            "3",
            "--seed",
            "2",
            "--executor",
            "inprocess",
            "--out",
            str(out),
            "--no-progress",
            *SMALL,
        ]
    )
    assert code == 0
    return out


def test_compare_out_writes_runs_series_differences_and_provenance(folder: Path) -> None:
    comp = comparison.load(folder)
    assert comp.arms == ["syria-2014-2016", "no-redeployment"] and comp.base == "syria-2014-2016"
    assert len(comp.runs) == 6 and not any("@" in c for c in comp.runs.columns)
    assert set(comp.series["month"]) == {
        f"{y}-{m:02d}"
        for y in (2013, 2014, 2015)
        for m in range(1, 13)
        if "2013-06" <= f"{y}-{m:02d}" <= "2015-03"
    }
    prov = json.loads((folder / "provenance.json").read_text())
    assert prov["command"] == "compare" and prov["replicates"] == 3 and prov["seed"] == 2
    assert prov["overrides"] == SMALL[1::2] and set(prov["scenarios"]) == set(comp.arms)
    assert (folder / "scenarios" / "no-redeployment.yaml").is_file()
    d = comp.differences.iloc[0]
    assert d["pct_change"] == pytest.approx(100 * d["diff"] / abs(d["base_mean"]))
    names = {p.name for p in (folder / "figures").iterdir()}
    assert {f"{k}.{x}" for k in px.COMPARISON_FIGURES for x in ("png", "svg")} <= names


def test_series_of_a_comparison_are_the_runs_columns(folder: Path) -> None:
    comp = comparison.load(folder)
    # members in the last month of each base run is the outcome members_final of that run
    base = comp.runs[comp.runs["arm"] == comp.base].sort_values("replicate")
    last = [t["members"].iloc[-1] for t in comp.timeseries(comp.base)]
    np.testing.assert_allclose(last, base["members_final"])


def test_comparison_timeseries_draws_each_arm_as_bands(folder: Path) -> None:
    comp = comparison.load(folder)
    fig = px.comparison_timeseries(comp)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == "Members" and "(people)" in ax.get_ylabel()
    lines = {ln.get_label(): ln for ln in ax.get_lines() if ln.get_gid() == "members"}
    assert set(lines) == set(comp.arms)
    for arm, ln in lines.items():
        expected = plots.bands(comp.timeseries(arm), "members")["median"]
        np.testing.assert_allclose(ln.get_ydata(), expected)
    assert fig.legends and fig.get_suptitle()
    plt.close(fig)


def test_comparison_differences_plot_percent_change_with_intervals(folder: Path) -> None:
    comp = comparison.load(folder)
    fig = px.comparison_differences(comp)
    ax = fig.axes[0]
    rows = comp.differences.set_index("outcome")
    xs = np.asarray(ax.containers[0].lines[0].get_xdata(), dtype=float)
    np.testing.assert_allclose(xs, rows.loc[comp.outcomes, "pct_change"], equal_nan=True)
    assert "%" in ax.get_xlabel() and ax.get_title(loc="left") and ax.get_legend()
    plt.close(fig)


def test_comparison_outcomes_have_one_row_per_arm(folder: Path) -> None:
    comp = comparison.load(folder)
    fig = px.comparison_outcomes(comp)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == comp.arms
    assert ax.get_title(loc="left") == comp.outcomes[0] and ax.get_xlabel()
    plt.close(fig)


def test_plot_command_redraws_a_comparison_folder(folder: Path, tmp_path: Path) -> None:
    assert main(["plot", str(folder), "--to", str(tmp_path), "--format", "png"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{k}.png" for k in px.COMPARISON_FIGURES
    )


def test_report_of_a_comparison_folder_opens_with_its_base_scenario(folder: Path) -> None:
    from allegiance import report

    found = report.collect(folder)
    assert [f for f, _ in found.comparisons] == [folder] and not found.runs
    html = report._provenance_section(found)
    assert report._main_provenance(found)[0]["command"] == "compare"
    assert "2013-06 to 2015-03" in html

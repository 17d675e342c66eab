"""Sweep figures: scatter data are the runs' factors and outcomes; envelopes; sensitivity."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from allegiance.cli import main
from allegiance.plots import sweep as ps
from helpers import REFERENCE


def _spec(tmp: Path, body: str) -> Path:
    p = tmp / "spec.yaml"
    p.write_text(body, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def model_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sweep")
    spec = _spec(
        tmp,
        f"name: t\nbase: {REFERENCE}\noverrides: [population.size=20000, "
        "end=2014-09]\ndesign: factorial\nreplicates: 2\nseed: 3\n"
        "factors:\n  environment.nusra_pay_usd: {levels: [36, 100]}\n"
        "  leaving.pay.effect: {range: [2.0, 6.0], steps: 2}\n"
        "outcomes: [peak_members, exits_total]\n",
    )
    out = tmp / "sw"
    args = ["sweep", str(spec), "--executor", "inprocess", "--out", str(out), "--no-progress"]
    assert main(args) == 0
    return out


def test_a_model_sweep_keeps_each_runs_months_and_draws_its_figures(model_sweep: Path) -> None:
    sw = ps.load_sweep(model_sweep)
    assert len(sw.runs) == 8 and sorted(sw.series["run_id"].unique()) == list(range(8))
    run0 = sw.series[sw.series["run_id"] == 0]
    assert run0["month"].iloc[0] == "2013-06" and run0["month"].iloc[-1] == "2014-09"
    peak = sw.runs.set_index("run_id").loc[0, "peak_members"]
    assert run0["members"].max() == pytest.approx(peak)
    names = {p.name for p in (model_sweep / "figures").iterdir()}
    assert {f"{k}.png" for k in ps.SWEEP_FIGURES} <= names


def test_scatter_dots_are_the_runs_factor_and_outcome_values(model_sweep: Path) -> None:
    sw = ps.load_sweep(model_sweep)
    fig = ps.sweep_scatter(sw)
    for ax in fig.axes:
        for coll in ax.collections:
            factor, outcome = coll.get_gid().split("|")
            xy = coll.get_offsets()
            np.testing.assert_allclose(np.sort(xy[:, 1]), np.sort(sw.runs[outcome].to_numpy()))
            if factor == "leaving.pay.effect":
                np.testing.assert_allclose(np.sort(xy[:, 0]), np.sort(sw.runs[factor].to_numpy()))
    assert fig.get_suptitle() and fig.axes[0].get_ylabel() == "peak_members"
    plt.close(fig)


def test_envelope_median_is_the_median_over_runs(model_sweep: Path) -> None:
    sw = ps.load_sweep(model_sweep)
    fig = ps.sweep_envelopes(sw)
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_gid() == "members"]
    wide = sw.series.pivot_table(index="month", columns="run_id", values="members")
    np.testing.assert_allclose(line.get_ydata(), wide.median(axis=1))
    assert "(people)" in fig.axes[0].get_ylabel() and fig.legends
    plt.close(fig)


def test_sobol_design_draws_sobol_indices(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        "name: toy\ntask: allegiance.experiments.tasks:toy_task\ndesign: sobol\nsamples: 16\n"
        "replicates: 1\nseed: 1\nfactors:\n  x: {range: [0.0, 9.0]}\n  sleep: {range: [0, 0.0001]}\n"
        "outcomes: [sqrt_x, mean]\n",
    )
    out = tmp_path / "sob"
    assert (
        main(["sweep", str(spec), "--executor", "inprocess", "--out", str(out), "--no-progress"])
        == 0
    )
    sw = ps.load_sweep(out)
    idx = ps.sobol_indices(sw)
    assert idx is not None
    # sqrt_x depends on x alone: x carries (nearly) all of its variance
    row = idx[(idx["outcome"] == "sqrt_x")].set_index("factor")
    assert row.loc["x", "ST"] > 0.9 and abs(row.loc["sleep", "ST"]) < 0.05
    fig = ps.sweep_sensitivity(sw)
    assert "Sobol" in fig.get_suptitle()
    plt.close(fig)
    assert not (out / "figures" / "sweep_envelopes.png").exists()  # a task without series
    assert (out / "figures" / "sweep_scatter.png").exists()


def test_report_of_a_sweep_folder_opens_with_the_sweeps_provenance(model_sweep: Path) -> None:
    from allegiance import report

    found = report.collect(model_sweep)
    assert found.sweeps == [model_sweep] and not found.runs
    html = report._provenance_section(found)
    assert report._main_provenance(found)[0]["command"] == "sweep"
    assert "syria-2014-2016" in html and "2013-06 to 2014-09" in html

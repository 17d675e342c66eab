"""Tests for the simulated survey of deserters in Turkey."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from allegiance.analysis import REFERENCE_SCENARIO
from allegiance.analysis import survey as sv
from allegiance.analysis.cli import register
from allegiance.errors import UserError

COLS = ["month", "person", "event", "motive", "driver", "route", "origin", "age"]


def _events(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLS)
    for c in ("event", "motive", "driver", "route", "origin"):
        df[c] = df[c].astype("category")
    return df


def _toy() -> pd.DataFrame:
    rows = []
    # 4 economic joiners leaving over pay reach Turkey; 2 revenge joiners defect to a rival;
    # 4 ideology joiners (authoritarianism) are executed; one is caught, then later escapes.
    for i in range(4):
        rows.append(("2016-01", i, "desert", "economic", "pay", "turkey", "raqqa", 20))
    for i in range(4, 6):
        rows.append(("2016-01", i, "defect", "revenge", "redeployment", "rival", "homs", 20))
    for i in range(6, 10):
        rows.append(
            ("2016-01", i, "executed", "ideology", "authoritarianism", "turkey", "idlib", 20)
        )
    rows.append(("2016-02", 10, "caught", "coercion", "coercion", "turkey", "raqqa", 20))
    rows.append(("2016-04", 10, "desert", "coercion", "losing", "turkey", "raqqa", 20))
    rows.append(
        ("2017-01", 11, "desert", "opportunism", "losing", "turkey", "raqqa", 20)
    )  # too late
    return _events(rows)


def test_groups_count_people_once_and_respect_the_field_work_date() -> None:
    s = sv.survey(_toy(), n=3, seed=0, until="2016-06")
    assert s.sizes["turkey"] == 5 and s.sizes["left"] == 7 and s.sizes["tried"] == 11
    assert s.sizes["sample"] == 3
    # person 10 counts once among those who tried, at the first attempt (caught, coercion)
    assert s.drivers.loc["coercion", "tried"] == pytest.approx(1 / 11)
    assert s.motives.loc["ideology", "tried"] == pytest.approx(4 / 11)
    assert s.motives.loc["ideology", "turkey"] == 0.0  # the executed are never interviewed
    assert s.motives.loc["opportunism", "tried"] == 0.0  # left after the field work
    for g in sv.GROUPS:
        assert s.motives[g].sum() == pytest.approx(1.0)


def test_selection_bias_shows_as_distance_from_those_who_tried() -> None:
    s = sv.survey(_toy(), n=5, seed=0)
    bias = s.bias()
    assert bias["tried"] == 0.0
    assert bias["turkey"] > bias["left"] > 0.0


def test_sample_is_reproducible_and_never_larger_than_the_pool() -> None:
    a = sv.survey(_toy(), n=2, seed=7)
    b = sv.survey(_toy(), n=2, seed=7)
    pd.testing.assert_frame_equal(a.table(), b.table())
    assert sv.survey(_toy(), n=50, seed=0).sizes["sample"] == 5


def test_testimonies_column_is_the_coded_data() -> None:
    s = sv.survey(_toy(), n=2)
    assert s.motives["testimonies"].sum() == pytest.approx(1.0)
    assert s.sizes["testimonies"] >= 12


def test_no_deserter_in_turkey_or_bad_n_is_a_user_error() -> None:
    only_rival = _events([("2016-01", 1, "defect", "revenge", "losing", "rival", "homs", 20)])
    with pytest.raises(UserError, match="nobody to interview"):
        sv.survey(only_rival)
    with pytest.raises(UserError, match="--n"):
        sv.survey(_toy(), n=0)


def test_figure_is_a_png(tmp_path: Path) -> None:
    png = sv.figure(sv.survey(_toy(), n=3), tmp_path / "f" / "survey.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_runs_a_small_model_and_writes_table_and_figure(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version() -> None:
        """Stand-in for the lead's other commands."""

    small = ["--set", "population.size=40000"]
    out = CliRunner().invoke(
        app, ["survey", str(REFERENCE_SCENARIO), "--n", "8", "--out", str(tmp_path), *small]
    )
    assert out.exit_code == 0, out.output
    table = pd.read_csv(tmp_path / "survey.csv", index_col=0)
    assert "motive: economic" in table.index and "driver: pay" in table.index
    assert (tmp_path / "survey.png").stat().st_size > 1000
    bad = CliRunner().invoke(app, ["survey", "--until", "June", *small])
    assert isinstance(bad.exception, UserError) and "--until" in str(bad.exception)

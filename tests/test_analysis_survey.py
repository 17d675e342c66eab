"""Tests for the simulated survey: groups, selection bias against sampling noise, conclusion."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from allegiance.analysis import REFERENCE_SCENARIO
from allegiance.analysis import survey as sv
from allegiance.analysis.cli import register
from allegiance.errors import UserError

COLS = ["month", "person", "event", "motive", "driver", "route", "origin", "age"]
SMALL = ["--set", "population.size=20000"]


def _events(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=COLS)
    for c in ("event", "motive", "driver", "route", "origin"):
        df[c] = df[c].astype("category")
    return df


def _toy() -> pd.DataFrame:
    rows = []
    # 12 Syrian members join; 4 economic joiners leaving over pay reach Turkey; 2 revenge joiners
    # defect to a rival; 4 ideology joiners are executed; one is caught, then later escapes;
    # one leaves after the field work; one Iraqi deserter reaches Turkey.
    motives = ["economic"] * 4 + ["revenge"] * 2 + ["ideology"] * 4 + ["coercion", "opportunism"]
    for i, m in enumerate(motives):
        rows.append(("2014-01", i, "join", m, None, None, "raqqa", 20))
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
    rows.append(("2017-01", 11, "desert", "opportunism", "losing", "turkey", "raqqa", 20))
    rows.append(("2015-01", 12, "join", "revenge", None, None, "iraq", 20))
    rows.append(("2016-01", 12, "desert", "revenge", "losing", "turkey", "iraq", 20))
    return _events(rows)


def _bias_case(n_turkey: int, n_executed: int) -> pd.DataFrame:
    """Economic joiners leaving over pay reach Turkey; ideology joiners are executed trying."""
    rows = []
    for i in range(n_turkey):
        rows.append(("2016-01", i, "desert", "economic", "pay", "turkey", "raqqa", 25))
    for i in range(n_turkey, n_turkey + n_executed):
        rows.append(("2016-01", i, "executed", "ideology", "losing", "turkey", "idlib", 25))
    return _events(rows)


def test_groups_count_people_once_and_respect_the_field_work_date() -> None:
    s = sv.survey(_toy(), n=3, seed=0, until="2016-06")
    assert s.sizes["turkey"] == 5 and s.sizes["left"] == 7 and s.sizes["tried"] == 11
    assert s.sizes["members"] == 12 and s.sizes["sample"] == 3
    # person 10 counts once among those who tried, at the first attempt (caught, coercion)
    assert s.drivers.loc["coercion", "tried"] == pytest.approx(1 / 11)
    assert s.motives.loc["ideology", "tried"] == pytest.approx(4 / 11)
    assert s.motives.loc["ideology", "turkey"] == 0.0  # the executed are never interviewed
    assert s.motives.loc["opportunism", "tried"] == 0.0  # left after the field work
    assert s.motives.loc["ideology", "members"] == pytest.approx(4 / 12)
    assert s.drivers["members"].isna().all()  # members who never tried have no driver
    for g in sv.GROUPS:
        assert s.motives[g].sum() == pytest.approx(1.0)


def test_only_syrians_unless_asked() -> None:
    assert sv.survey(_toy(), n=2).motives.loc["revenge", "turkey"] == 0.0
    everyone = sv.survey(_toy(), n=2, syrians=False)
    assert everyone.sizes["turkey"] == 6 and everyone.sizes["members"] == 13
    assert everyone.motives.loc["revenge", "turkey"] == pytest.approx(1 / 6)


def test_bias_is_the_distance_of_turkey_from_those_who_tried() -> None:
    s = sv.survey(_toy(), n=3, seed=0)
    tried = next(c for c in s.checks if c.what == "join motives" and c.reference == "tried")
    # Turkey: 4 economic, 1 coercion; tried: 4 economic, 2 revenge, 4 ideology, 1 coercion
    turkey = np.array([0, 1, 4, 0, 0]) / 5
    tried_mix = np.array([4, 1, 4, 2, 0]) / 11
    assert tried.bias == pytest.approx(0.5 * np.abs(turkey - tried_mix).sum())
    assert s.distances().loc["motives", "tried"] == 0.0


@pytest.mark.parametrize(
    ("bias", "verdict", "phrase"),
    [
        (0.05, "small", "is small beside"),
        (0.30, "comparable", "is comparable to"),
        (0.60, "large", "exceeds"),
    ],
)
def test_verdict_and_sentence_follow_the_numbers(bias: float, verdict: str, phrase: str) -> None:
    check = sv.Check("join motives", "tried", bias, bias, bias, 8, 0.28, 0.45, 100)
    assert check.verdict == verdict
    text = check.sentence()
    assert phrase in text and f"{bias:.2f}" in text and "n = 8" in text


def test_strong_selection_bias_gives_the_bias_conclusion() -> None:
    # those who reached Turkey (all economic, all pay) are a quarter of those who tried
    s = sv.survey(_bias_case(300, 900), n=8, seed=1)
    for check in s.checks:
        assert check.reference == "tried"  # no join events: no members to compare with
        assert check.bias == pytest.approx(0.75)
        assert check.verdict == "large"
        assert check.bias > check.noise_high
        assert check.noise_median == 0.0  # everyone in Turkey is alike: no chance error at all
    assert all("exceeds sampling noise" in line for line in s.conclusion()[:2])


def test_no_selection_gives_the_noise_conclusion() -> None:
    # everyone who tried reached Turkey: no selection, only the chance of picking 8 of them
    rows = []
    motives = ["ideology", "coercion", "economic", "revenge", "opportunism"]
    for i in range(500):
        m = motives[i % 5]
        rows.append(
            ("2016-01", i, "desert", m, "losing" if i % 2 else "pay", "turkey", "aleppo", 30)
        )
    s = sv.survey(_events(rows), n=8, seed=2)
    for check in s.checks:
        assert check.bias == 0.0 and check.verdict == "small"
        assert check.noise_median > 0.0
    assert all("is small beside sampling noise at n = 8" in line for line in s.conclusion()[:2])


def test_noise_shrinks_with_n_and_vanishes_for_a_uniform_population() -> None:
    rng = np.random.default_rng(0)
    p = np.array([0.4, 0.3, 0.2, 0.1])
    medians = [np.median(sv.noise(p, n, rng, draws=2000)) for n in (2, 8, 32, 128)]
    assert medians == sorted(medians, reverse=True)
    assert np.all(sv.noise(np.array([0.0, 1.0, 0.0]), 8, rng) == 0.0)


def test_replicates_pool_and_the_sample_is_reproducible() -> None:
    c = sv.counts(_toy())
    one = sv.survey_from_counts([c], n=2, seed=7)
    two = sv.survey_from_counts([c, c], n=2, seed=7)
    assert two.sizes["turkey"] == 2 * one.sizes["turkey"] and two.replicates == 2
    pd.testing.assert_frame_equal(
        one.motives.drop(columns="sample"), two.motives.drop(columns="sample")
    )
    pd.testing.assert_frame_equal(sv.survey_from_counts([c], n=2, seed=7).table(), one.table())
    assert sv.survey_from_counts([c], n=50, seed=0).sizes["sample"] == 5


def test_coded_interviews_are_counted_by_person() -> None:
    coded = pd.DataFrame(
        {
            "id": ["T1", "T2", "T3", "T4"],
            "person_id": ["P1", "P1", "P2", "P3"],
            "persons": pd.array([1, 1, 1, 1], dtype="Int64"),
            "interviewed": ["yes", "yes", "yes", "no"],
            "join_motives": [["economic"], ["economic"], ["ideology"], ["revenge"]],
            "exit_drivers": [["pay"], [], [], []],
        }
    )
    s = sv.survey(_toy(), n=2, coded=coded)
    assert s.sizes["testimonies"] == 2  # P3 was described, not interviewed
    assert s.motives.loc["economic", "testimonies"] == pytest.approx(0.5)  # not 2/3 by rows
    fit = next(f for f in s.fits if f.what == "join motives")
    assert fit.people == 2 and 0.0 <= fit.p_value <= 1.0
    assert f"{fit.distance:.2f}" in fit.sentence()


def test_no_deserter_in_turkey_or_bad_n_is_a_user_error() -> None:
    only_rival = _events([("2016-01", 1, "defect", "revenge", "losing", "rival", "homs", 20)])
    with pytest.raises(UserError, match="nobody to interview"):
        sv.survey(only_rival)
    with pytest.raises(UserError, match="--n"):
        sv.survey(_toy(), n=0)


def test_figure_is_a_png(tmp_path: Path) -> None:
    png = sv.figure(sv.survey(_toy(), n=3), tmp_path / "f" / "survey.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version() -> None:
        """Stand-in for the lead's other commands."""

    return app


def test_cli_prints_the_conclusion_its_numbers_give(tmp_path: Path) -> None:
    args = ["survey", str(REFERENCE_SCENARIO), "--replicates", "2", "--out", str(tmp_path)]
    out = CliRunner().invoke(_app(), [*args, *SMALL])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(tmp_path / "survey.csv", index_col=0)
    assert "motive: economic" in table.index and "driver: pay" in table.index
    checks = pd.read_csv(tmp_path / "survey_checks.csv")
    assert set(checks["verdict"]) <= {"small", "comparable", "large"}
    text = " ".join(out.output.split())
    for _, row in checks.iterrows():
        phrase = {"small": "is small beside", "comparable": "is comparable to"}.get(
            row["verdict"], "exceeds"
        )
        assert f"selection bias {row['bias']:.2f}" in text
        assert phrase in text
    assert (tmp_path / "survey.png").stat().st_size > 1000


def test_cli_bad_input_is_one_line_and_runs_nothing(tmp_path: Path) -> None:
    for extra, needle in (
        (["--until", "June"], "--until"),
        (["--replicates", "0"], "--replicates"),
        (["--n", "0"], "--n"),
        (["--set", "population.size=oops"], "population.size"),
    ):
        bad = CliRunner().invoke(_app(), ["survey", "--out", str(tmp_path / "x"), *extra])
        assert isinstance(bad.exception, UserError), extra
        assert needle in str(bad.exception) and "\n" not in str(bad.exception)
    assert not (tmp_path / "x").exists()


def test_embed_writes_the_findings_between_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"# head\n{sv.SURVEY_BEGIN}\nold\n{sv.SURVEY_END}\ntail\n", encoding="utf-8")
    s = sv.survey(_bias_case(300, 900), n=8, seed=1)
    sv.embed(s, doc, "allegiance survey --n 8")
    text = doc.read_text(encoding="utf-8")
    assert "old" not in text and text.startswith("# head") and text.endswith("tail\n")
    assert "`allegiance survey --n 8`" in text and "| motive: economic |" in text
    for line in s.conclusion():
        assert line in text
    plain = tmp_path / "plain.md"
    plain.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(UserError, match="markers"):
        sv.check_embed(plain)
    with pytest.raises(UserError, match="no such file"):
        sv.check_embed(tmp_path / "none.md")

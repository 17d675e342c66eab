"""Tests for the scorecard: pass rules, reproducibility, and that it can fail."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from allegiance.analysis import REFERENCE_SCENARIO
from allegiance.analysis import targets as tg
from allegiance.analysis.cli import register
from allegiance.analysis.validate import Scorecard, validate
from allegiance.errors import UserError

SMALL = ["population.size=40000"]


def _targets(*patterns: dict) -> tg.Targets:
    return tg.Targets.model_validate({"fact_min_share": 0.9, "patterns": list(patterns)})


def _pattern(pid: str, kind: str, checks: list[dict]) -> dict:
    return {
        "id": pid,
        "kind": kind,
        "role": "calibration",
        "title": pid,
        "description": "d",
        "source": "s",
        "checks": checks,
    }


def _card(values: dict[str, list[float]], t: tg.Targets) -> Scorecard:
    rows = []
    for p in t.patterns:
        for seed, v in enumerate(values[p.id]):
            c = p.checks[0]
            rows.append(
                {
                    "seed": seed,
                    "pattern": p.id,
                    "kind": p.kind,
                    "check": 0,
                    "statistic": c.statistic,
                    "value": v,
                    "holds": c.holds(v),
                }
            )
    return Scorecard(t, pd.DataFrame(rows), "synthetic")


CHECK = {"statistic": "ts_max", "args": {"column": "x"}, "range": [0, 10]}


def test_a_fact_passes_only_when_it_holds_in_ninety_percent_of_replicates() -> None:
    t = _targets(_pattern("good", "fact", [CHECK]), _pattern("flaky", "fact", [CHECK]))
    card = _card({"good": [1.0] * 9 + [11.0], "flaky": [1.0] * 8 + [11.0] * 2}, t)
    pats = card.patterns().set_index("pattern")
    assert pats.loc["good", "share"] == pytest.approx(0.9) and pats.loc["good", "passed"]
    assert pats.loc["flaky", "share"] == pytest.approx(0.8) and not pats.loc["flaky", "passed"]
    assert not card.passed


def test_a_figure_passes_when_its_mean_is_in_range() -> None:
    t = _targets(_pattern("fig", "figure", [CHECK]))
    assert _card({"fig": [2.0, 12.0]}, t).passed  # mean 7, though only half the runs hold
    assert not _card({"fig": [9.0, 13.0]}, t).passed  # mean 11
    checks = _card({"fig": [float(i) for i in range(21)]}, t).checks()
    assert checks.loc[0, "mean"] == 10.0
    assert checks.loc[0, "p5"] == pytest.approx(1.0) and checks.loc[0, "p95"] == pytest.approx(19.0)


@pytest.fixture(scope="module")
def card() -> Scorecard:
    return validate(REFERENCE_SCENARIO, replicates=2, seed=3, overrides=SMALL)


def test_validate_scores_every_check_of_every_replicate(card: Scorecard) -> None:
    t = tg.load()
    n_checks = sum(len(p.checks) for p in t.patterns)
    assert card.n == 2
    assert len(card.runs) == 2 * n_checks
    assert set(card.patterns()["pattern"]) == {p.id for p in t.patterns}


def test_validate_is_reproducible_and_independent_of_workers(card: Scorecard) -> None:
    again = validate(REFERENCE_SCENARIO, replicates=2, seed=3, overrides=SMALL, workers=2)
    pd.testing.assert_frame_equal(card.runs, again.runs)


def test_without_the_budget_constraint_the_pay_cut_targets_fail() -> None:
    full = tg.load()
    t = tg.Targets(patterns=[p for p in full.patterns if p.id in ("pay_cut_depth", "fact5")])
    # economic joiners' pay-driven exits before the cut are a handful of simulated people at
    # 40,000 (often none, and the ratio is then undefined): twice the resolution here
    finer = ["population.size=80000"]
    with_cut = validate(REFERENCE_SCENARIO, replicates=2, overrides=finer, targets=t)
    no_cut = validate(
        REFERENCE_SCENARIO,
        replicates=2,
        overrides=[*finer, "organization.pay.payroll_share=1"],
        targets=t,
    )
    depth = with_cut.checks()["pattern"] == "pay_cut_depth"
    assert with_cut.checks()[depth]["share"].eq(1.0).all()
    assert no_cut.checks()[depth]["share"].eq(0.0).all()
    # fact 5: economic joiners' pay-driven exits rise far less without the cut
    pay_rise = with_cut.checks()["statistic"] == "exit_hazard_change"
    assert no_cut.checks()[pay_rise]["mean"].iloc[0] < with_cut.checks()[pay_rise]["mean"].iloc[0]
    assert not no_cut.passed


def test_bad_arguments_are_user_errors() -> None:
    with pytest.raises(UserError, match="--replicates"):
        validate(REFERENCE_SCENARIO, replicates=0)
    with pytest.raises(UserError, match="--workers"):
        validate(REFERENCE_SCENARIO, replicates=1, workers=0)


def test_cli_prints_the_scorecard_and_strict_sets_the_exit_code(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version() -> None:
        """Stand-in for the lead's other commands."""

    args = ["validate", "--replicates", "1", "--set", SMALL[0]]
    one = tg.Targets(
        patterns=[
            tg.Pattern(
                id="impossible",
                kind="fact",
                role="calibration",
                title="impossible",
                description="d",
                source="s",
                checks=[tg.Check(statistic="ts_max", args={"column": "members"}, range=(None, -1))],
            )
        ]
    )
    bad = tmp_path / "t.yaml"
    bad.write_text(
        "patterns:\n" + "".join(f"  - {p.model_dump_json()}\n" for p in one.patterns),
        encoding="utf-8",
    )
    out = CliRunner().invoke(app, [*args, "--targets", str(bad), "--out", str(tmp_path / "r.csv")])
    assert out.exit_code == 0, out.output
    assert "impossible" in out.output and "FAIL" in out.output
    assert len(pd.read_csv(tmp_path / "r.csv")) == 1
    strict = CliRunner().invoke(app, [*args, "--targets", str(bad), "--strict"])
    assert strict.exit_code == 1


def test_scorecard_markdown_embeds_between_markers(card: Scorecard, tmp_path: Path) -> None:
    from allegiance.analysis.validate import SCORE_BEGIN, SCORE_END, embed

    doc = tmp_path / "ODD.md"
    doc.write_text(f"a\n{SCORE_BEGIN}\nstale-scorecard\n{SCORE_END}\nb\n", encoding="utf-8")
    embed(card, doc)
    text = doc.read_text(encoding="utf-8")
    assert "stale-scorecard" not in text and text.startswith("a\n") and text.endswith("b\n")
    assert text.count("| fact") == sum(p.id.startswith("fact") for p in card.targets.patterns)
    with pytest.raises(UserError, match="markers"):
        embed(card, _bare(tmp_path))


def _bare(tmp_path: Path) -> Path:
    p = tmp_path / "bare.md"
    p.write_text("nothing", encoding="utf-8")
    return p

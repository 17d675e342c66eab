"""Tests for the parameter table (provenance of every scenario parameter)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from allegiance import load
from allegiance.analysis import REFERENCE_SCENARIO, params
from allegiance.analysis.cli import register
from allegiance.errors import UserError
from allegiance.scenario import Scenario, from_dict


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version() -> None:  # a second command keeps typer from collapsing to one
        """Stand-in for the lead's other commands."""

    return app


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    data = Scenario().model_dump()
    data["name"] = "tiny"
    data["timeline"] = [
        {"month": "2015-12", "set": {"organization.pay.factor": 0.5}, "note": "al-Tamimi memo"}
    ]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_every_leaf_of_the_schema_has_a_row_with_unit_and_source() -> None:
    rows = params.table_of(Scenario())
    assert [r.path for r in rows] == params.leaf_paths()
    for r in rows:
        assert r.unit, r.path
        assert r.source, r.path


def test_nested_hazards_inherit_their_parents_source() -> None:
    rows = {r.path: r for r in params.table_of(Scenario())}
    parent = Scenario.model_fields["leaving"].annotation.model_fields["pay"].json_schema_extra
    for leaf in ("base", "effect", "effect2"):
        assert rows[f"leaving.pay.{leaf}"].source == parent["source"]
    assert rows["leaving.pay.base"].unit == "per month"


def test_values_come_from_the_scenario_not_the_defaults() -> None:
    sc = from_dict({}, overrides=["organization.pay.base=42", "leaving.pay.effect=7"])
    rows = {r.path: r for r in params.table_of(sc)}
    assert rows["organization.pay.base"].value == 42
    assert rows["leaving.pay.effect"].value == 7


def test_assumptions_are_marked() -> None:
    rows = {r.path: r for r in params.table_of(Scenario())}
    assert rows["population.age.max"].basis == "assumption"
    assert rows["organization.pay.base"].basis == "seed"
    assert rows["environment.territory_km2"].basis == "published"
    md = params.to_markdown(list(rows.values()))
    assert "ASSUMPTION" in md


def test_plausible_ranges_hold_the_values_of_the_defaults_and_the_reference() -> None:
    # a fitted value may fall outside the range written before fitting (the range is never
    # redrawn around it), but then its source must say so
    outside = [
        f"{where}: {r.path}={r.value} outside {r.plausible}"
        for where, sc in (("defaults", Scenario()), ("reference", load(REFERENCE_SCENARIO)))
        for r in params.table_of(sc)
        if r.outside and "lies outside it" not in r.source
    ]
    assert not outside, "; ".join(outside)


def test_csv_and_markdown_through_the_cli(scenario_file: Path) -> None:
    runner = CliRunner()
    out = runner.invoke(_app(), ["params", str(scenario_file), "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    names = [r["name"] for r in rows]
    assert "organization.pay.factor" in names and "2015-12 organization.pay.factor" in names
    md = runner.invoke(_app(), ["params", str(scenario_file), "--format", "markdown"])
    assert md.exit_code == 0
    assert md.output.startswith("| parameter | value |")
    assert "`leaving.redeployment.effect2`" in md.output


def test_terminal_table_runs(scenario_file: Path) -> None:
    out = CliRunner().invoke(_app(), ["params", str(scenario_file)])
    assert out.exit_code == 0
    assert f"{len(params.leaf_paths())} parameters" in out.output


def test_bad_format_and_missing_file_are_user_errors(tmp_path: Path, scenario_file: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(_app(), ["params", str(scenario_file), "--format", "xml"])
    assert isinstance(bad.exception, UserError) and "--format" in str(bad.exception)
    missing = runner.invoke(_app(), ["params", str(tmp_path / "none.yaml")])
    assert isinstance(missing.exception, UserError)


def test_values_outside_their_plausible_range_are_flagged() -> None:
    sc = from_dict({}, overrides=["combat.base=0.3"])
    rows = {r.path: r for r in params.table_of(sc)}
    assert rows["combat.base"].outside and not rows["combat.child"].outside
    assert "value outside" in params.to_markdown([rows["combat.base"]])


def test_embed_replaces_only_the_marked_table(tmp_path: Path, scenario_file: Path) -> None:
    doc = tmp_path / "ODD.md"
    doc.write_text(f"intro\n{params.BEGIN}\nstale\n{params.END}\noutro\n", encoding="utf-8")
    params.embed(doc, scenario_file)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("intro\n") and text.endswith("outro\n") and "stale" not in text
    assert "`organization.pay.factor`" in text
    bare = tmp_path / "bare.md"
    bare.write_text("no markers", encoding="utf-8")
    with pytest.raises(UserError, match="markers"):
        params.embed(bare, scenario_file)

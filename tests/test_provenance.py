"""Provenance: every output folder says what produced it, and a run reloads from its folder."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

import allegiance
from allegiance import provenance as pv
from allegiance.cli import main
from helpers import REFERENCE, small

SMALL = ["--set", "population.size=20000", "--set", "end=2014-06"]


def test_scenario_yaml_reads_back_to_an_equal_scenario() -> None:
    sc = small("organization.pay.factor=0.7")
    assert pv.scenario_from_yaml(pv.scenario_yaml(sc)) == sc


def test_record_names_version_seed_overrides_and_scenario() -> None:
    sc = small()
    prov = pv.record("run", scenario=sc, seed=7, overrides=["end=2014-06"], sources=[REFERENCE])
    assert prov["allegiance_version"] == allegiance.__version__
    assert prov["seed"] == 7 and prov["overrides"] == ["end=2014-06"]
    assert prov["sources"] == [str(REFERENCE)] and prov["scenario_name"] == sc.name
    assert pv.scenario_from_yaml(prov["scenario_yaml"]) == sc
    # this checkout is a git work tree, so the commit is known: 40 hex digits (+dirty)
    assert prov["git_commit"] is not None
    assert len(prov["git_commit"].removesuffix("+dirty")) == 40


def test_run_command_writes_provenance_into_folder_and_parquet(tmp_path: Path) -> None:
    code = main(["run", str(REFERENCE), "--seed", "5", "--out", str(tmp_path), "--quiet", *SMALL])
    assert code == 0
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert prov["command"] == "run" and prov["seed"] == 5
    assert prov["overrides"] == SMALL[1::2]
    resolved = allegiance.load(REFERENCE, SMALL[1::2])
    assert allegiance.load(tmp_path / "scenario.yaml") == resolved
    for name in ("timeseries.parquet", "events.parquet"):
        meta = json.loads(pq.read_schema(tmp_path / name).metadata[pv.META_KEY])
        assert meta["seed"] == 5 and meta["scenario_yaml"] == prov["scenario_yaml"]
    back = allegiance.Results.from_parquet(tmp_path)
    assert back.scenario == resolved and back.seed == 5 and back.overrides == SMALL[1::2]
    again = allegiance.run(resolved, seed=5)
    assert back.timeseries.equals(again.timeseries)


def test_provenance_survives_losing_the_json_file(tmp_path: Path) -> None:
    res = allegiance.run(small(end="2014-03"), seed=2)
    res.to_parquet(tmp_path)
    (tmp_path / "provenance.json").unlink()
    (tmp_path / "scenario.yaml").unlink()
    back = allegiance.Results.from_parquet(tmp_path)
    assert back.scenario == res.scenario and back.seed == 2


def test_validate_and_survey_write_provenance_beside_their_output(tmp_path: Path) -> None:
    csv = tmp_path / "v" / "validate.csv"
    args = ["--set", "population.size=20000"]
    assert (
        main(["validate", str(REFERENCE), "-n", "1", "--seed", "3", "--out", str(csv), *args]) == 0
    )
    prov = json.loads((tmp_path / "v" / "validate.provenance.json").read_text())
    assert prov["command"] == "validate" and prov["seed"] == 3 and prov["replicates"] == 1
    assert pv.scenario_from_yaml(prov["scenario_yaml"]) == allegiance.load(REFERENCE, args[1::2])
    out = tmp_path / "s"
    assert main(["survey", str(REFERENCE), "--seed", "4", "--out", str(out), *args]) == 0
    prov = json.loads((out / "survey.provenance.json").read_text())
    assert prov["command"] == "survey" and prov["seed"] == 4 and prov["n"] == 8
    assert not (out / "provenance.json").exists()  # never taken for a run folder's provenance


def test_sweep_writes_provenance_once_and_records_resumes(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        f"name: t\nbase: {REFERENCE}\noverrides: [population.size=20000, "
        "end=2014-03]\ndesign: factorial\nreplicates: 1\n"
        "factors:\n  environment.nusra_pay_usd: {levels: [36, 100]}\noutcomes: [peak_members]\n",
        encoding="utf-8",
    )
    out = tmp_path / "sw"
    args = ["sweep", str(spec), "--executor", "inprocess", "--out", str(out), "--no-progress"]
    assert main([*args, "--no-figures"]) == 0
    assert not (out / "figures").exists()
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["command"] == "sweep" and prov["spec"]["factors"]
    assert prov["overrides"] == ["population.size=20000", "end=2014-03"]
    assert main([*args, "--resume", "--no-figures"]) == 0
    again = json.loads((out / "provenance.json").read_text())
    assert again["created"] == prov["created"] and len(again["resumed"]) == 1


def test_version_option_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith(f"allegiance {allegiance.__version__}")


def test_citation_file_names_the_article_and_matches_the_package() -> None:
    root = Path(__file__).resolve().parents[1]
    cff = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == meta["version"] == allegiance.__version__ == pv.version()
    assert cff["license"] == meta["license"] == "MIT"
    assert "MIT License" in (root / "LICENSE").read_text(encoding="utf-8")
    (article,) = cff["references"]
    assert article["title"] == "Quitting ISIS: Why Syrians are Abandoning the Group"
    assert [a["family-names"] for a in article["authors"]] == ["Revkin", "Mhidi"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "Quitting ISIS: Why Syrians are Abandoning the Group" in readme


def test_parquet_bytes_do_not_depend_on_when_or_how_the_run_was_written(tmp_path: Path) -> None:
    sc = small(end="2014-03")
    a = allegiance.run(sc, seed=5)
    a.to_parquet(tmp_path / "a", pv.record("run", scenario=sc, seed=5, sources=["x.yaml"]))
    b = allegiance.run(sc, seed=5)
    prov = pv.record("run", scenario=sc, seed=5, sources=["x.yaml"])
    prov["created"], prov["argv"] = "another day", ["another", "command"]
    b.to_parquet(tmp_path / "b", prov)
    for name in ("timeseries.parquet", "events.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert json.loads((tmp_path / "b" / "provenance.json").read_text())["created"] == "another day"

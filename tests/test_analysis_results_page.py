"""docs/results.md stays in step with the tables in docs/results/, and renders each section."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from allegiance.analysis import results_page as rp
from allegiance.cli import main


def test_the_committed_page_is_in_step_with_its_tables() -> None:
    assert rp.BEGIN in rp.DOC.read_text(encoding="utf-8")
    assert rp.generated(rp.DOC) == rp.render(rp.data_dir(rp.DOC)), (
        "regenerate: allegiance results-page"
    )


def _doc(tmp_path: Path) -> Path:
    doc = tmp_path / "results.md"
    shutil.copyfile(rp.DOC, doc)
    return doc


def test_missing_tables_say_how_to_make_them(tmp_path: Path) -> None:
    text = rp.render(tmp_path / "nothing")
    assert text.count("*Not computed yet.*") == 4
    assert "allegiance calibrate calibration/default.yaml" in text


def test_sections_render_from_tables(tmp_path: Path) -> None:
    data = tmp_path / "results"
    data.mkdir()
    rows = []
    for outcome in ("exits_total", "executions_total"):
        for p, s1, st in (("a.x", 0.6, 0.7), ("b.y", 0.1, 0.3)):
            rows += [
                {
                    "stage": "sobol",
                    "parameter": p,
                    "outcome": outcome,
                    "index": "S1",
                    "value": s1,
                    "ci_low": s1 - 0.1,
                    "ci_high": s1 + 0.1,
                },
                {
                    "stage": "sobol",
                    "parameter": p,
                    "outcome": outcome,
                    "index": "ST",
                    "value": st,
                    "ci_low": st - 0.1,
                    "ci_high": st + 0.1,
                },
            ]
    pd.DataFrame(rows).to_csv(data / rp.SENSITIVITY, index=False)
    info = {
        "parameters": ["a.x", "b.y", "c.z"],
        "kept": ["a.x", "b.y"],
        "morris_runs": 40,
        "sobol_runs": 64,
    }
    (data / rp.SENSITIVITY_INFO).write_text(json.dumps(info), encoding="utf-8")
    pd.DataFrame(
        [
            {
                "parameter": "a.x",
                "prior_low": 0,
                "prior_high": 1,
                "scenario_value": 0.5,
                "posterior_median": 0.3,
                "ci90_low": 0.2,
                "ci90_high": 0.4,
                "ci_over_prior": 0.2,
                "identified": True,
            }
        ]
    ).to_csv(data / rp.POSTERIOR, index=False)
    pd.DataFrame(
        [{"generation": 0, "epsilon": 2.0, "runs": 30, "accepted": 10, "acceptance": 1 / 3}]
    ).to_csv(data / rp.GENERATIONS, index=False)
    meta = {
        "name": "t",
        "spec_hash": "abc",
        "spec": {"population": 10, "overrides": []},
        "targets": [{"key": "strength_2014[0]"}],
    }
    (data / rp.CALIBRATION).write_text(json.dumps(meta), encoding="utf-8")
    text = rp.render(data)
    assert "**Exits**" in text and "**Executions**" in text
    assert "| exits_total | `a.x` | 0.6 [0.5, 0.7] | 0.7 [0.6, 0.8] |" in text
    assert "| `a.x` | 0–1 | 0.5 | 0.3 | 0.2–0.4 | 0.20 | yes |" in text
    assert "Identified: `a.x`" in text and "strength_2014" in text
    assert text.count("*Not computed yet.*") == 2  # predictive check and counterfactuals


def test_cli_rewrites_only_between_the_markers(tmp_path: Path) -> None:
    doc = _doc(tmp_path)
    head = doc.read_text(encoding="utf-8").split(rp.BEGIN)[0]
    assert main(["results-page", "--doc", str(doc)]) == 0
    assert doc.read_text(encoding="utf-8").startswith(head)
    assert main(["results-page", "--doc", str(doc), "--draws", "3"]) == 2
    assert main(["results-page", "--doc", str(doc), "--calibration", str(tmp_path)]) == 2


def test_the_odd_states_the_split_of_the_targets_file() -> None:
    text = rp.ODD.read_text(encoding="utf-8")
    table = text.split(rp.ROLES_BEGIN, 1)[1].split(rp.ROLES_END, 1)[0].lstrip("\n")
    assert table == rp.roles_markdown(), "regenerate: allegiance results-page"

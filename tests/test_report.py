"""The HTML report: one self-contained page that opens offline in Chromium with every figure."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

import allegiance
from allegiance import plots, report
from allegiance.cli import main
from helpers import REFERENCE, ROOT, small

CHROMIUM = "/usr/bin/chromium"
SMALL = ["--set", "population.size=20000"]
SCREENSHOT = ROOT / "out" / "test-report" / "report.png"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run, its one-replicate validation and a small comparison, in one folder."""
    out = tmp_path_factory.mktemp("report") / "ref"
    end = ["--set", "end=2016-06"]
    assert (
        main(["run", str(REFERENCE), "--seed", "3", "--out", str(out), "--quiet", *SMALL, *end])
        == 0
    )
    csv = out / "validate.csv"
    assert main(["validate", str(REFERENCE), "-n", "1", "--out", str(csv), *SMALL, *end]) == 0
    alt = ROOT / "scenarios" / "counterfactuals" / "no-pay-cut.yaml"
    args = ["--replicates", "2", "--executor", "inprocess", "--no-progress"]
    cmp_out = out / "no-pay-cut"
    assert (
        main(["compare", str(REFERENCE), str(alt), *args, "--out", str(cmp_out), *SMALL, *end]) == 0
    )
    assert main(["report", str(out)]) == 0
    return out


def test_report_holds_provenance_figures_scorecard_survey_and_counterfactuals(folder: Path) -> None:
    text = (folder / "report.html").read_text(encoding="utf-8")
    run = allegiance.Results.from_parquet(folder)
    assert run.scenario.name in text and "population.size=20000" in text
    assert run.provenance["git_commit"] in text and allegiance.__version__ in text
    for section in ("scenario", "figures", "why", "validation", "survey", "counterfactuals"):
        assert f'<section id="{section}">' in text, section
    for fig in ("fig-strength", "fig-flows", "fig-economy", "fig-society", "fig-survey"):
        assert f'id="{fig}"' in text
    assert "From validate.csv" in text and re.search(r"(PASS|FAIL)</span>", text)
    assert "no-pay-cut vs syria-2014-2016" in text and "compare_differences" in text.replace(
        " ", "_"
    )
    assert "Quitting ISIS" in text  # the article, named in full


def test_report_needs_no_network(folder: Path) -> None:
    text = (folder / "report.html").read_text(encoding="utf-8")
    sources = re.findall(r'(?:src|href)="([^"#][^"]*)"', text)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in text and "@import" not in text and "url(" not in text


def test_report_opens_offline_in_chromium_and_every_figure_renders(folder: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
        page.goto((folder / "report.html").as_uri(), wait_until="load")
        sizes = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight,"
            " i.getBoundingClientRect().width])"
        )
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()
    assert problems == []
    # four standard figures, the survey and three comparison figures, all decoded and shown
    assert len(sizes) == 8
    assert all(done and w > 300 and h > 200 and shown > 300 for done, w, h, shown in sizes)
    assert SCREENSHOT.stat().st_size > 50_000


def test_report_of_a_folder_with_nothing_in_it_is_one_clear_error(tmp_path: Path) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert main(["report", str(tmp_path / "missing")]) == 2


def test_report_of_replicate_runs_in_sub_folders_draws_bands(tmp_path: Path) -> None:
    sc = small(size=20_000, end="2014-06")
    for seed in (1, 2):
        allegiance.run(sc, seed=seed).to_parquet(tmp_path / f"seed-{seed}")
    found = report.collect(tmp_path)
    assert [r.seed for r in found.runs] == [1, 2]
    fig = plots.strength(found.runs)
    assert "of 2 runs" in fig.get_suptitle()
    plt.close(fig)
    shutil.rmtree(tmp_path / "seed-2")
    assert len(report.collect(tmp_path).runs) == 1


def test_why_they_left_table_adds_up_to_the_runs_exits(folder: Path) -> None:
    found = report.collect(folder)
    run = found.runs[0]
    html = report._why_section(found)
    total = int(run.timeseries[["exits_abroad", "exits_to_rival"]].to_numpy().sum())
    cells = re.findall(r"<td>(\d+)</td>", html)
    assert int(cells[-1]) == total  # the corner 'all' x 'all'
    assert "exit driver" in html and "joining motive" in html

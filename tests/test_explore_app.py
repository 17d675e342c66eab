"""The explorer in a real browser: move a lever, run, check the plotted data and the download."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "out" / "explore-screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The explorer's server on a free port of 127.0.0.1, stopped when the tests are done."""
    port = _free_port()
    env = {**os.environ, "ALLEGIANCE_EXPLORE_MAX_SIZE": "50000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "allegiance.explore", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the explorer did not start (exit code {proc.poll()})")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        pg.goto(server)
        pg.get_by_role("button", name="Run").wait_for(timeout=60_000)
        yield pg
        browser.close()


def _table(pg: object) -> pd.DataFrame:
    """The differences table as the page shows it (numbers as printed, 4 significant digits)."""
    rows = pg.locator("table.dataframe").first.evaluate(  # type: ignore[attr-defined]
        "t => [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    df = pd.DataFrame(rows[1:], columns=rows[0]).set_index("outcome")
    for col in ("baseline", "setting", "difference"):
        df[col] = df[col].str.replace(",", "").astype(float)
    return df


def _number_input(pg: object, label: str) -> object:
    return pg.locator(".bk-input-group", has_text=label).locator("input").first  # type: ignore[attr-defined]


def test_move_a_lever_run_and_the_download_reproduces_the_plotted_data(
    page: object, tmp_path: Path
) -> None:
    pg = page
    # hovering a lever's (?) shows the schema's unit, plausible range and source
    pg.locator(".lever-help").first.hover()  # type: ignore[attr-defined]
    pg.get_by_text("Plausible: 0.5 to 1").first.wait_for(timeout=10_000)  # type: ignore[attr-defined]
    pg.screenshot(path=str(SHOTS / "hover.png"))  # type: ignore[attr-defined]
    pg.mouse.move(1200, 1000)  # type: ignore[attr-defined]  # the tooltip goes, uncovering Run
    pg.get_by_text("Plausible: 0.5 to 1").first.wait_for(state="hidden", timeout=10_000)  # type: ignore[attr-defined]
    size = _number_input(pg, "simulated people")
    size.fill("5000")  # type: ignore[attr-defined]
    size.press("Enter")  # type: ignore[attr-defined]
    reps = _number_input(pg, "replicates")
    reps.fill("1")  # type: ignore[attr-defined]
    reps.press("Enter")  # type: ignore[attr-defined]
    # move the pay factor slider to its lowest value (no pay at all) with the keyboard
    handle = pg.locator(".noUi-handle").first  # type: ignore[attr-defined]
    handle.focus()
    handle.press("Home")
    pg.wait_for_timeout(500)  # type: ignore[attr-defined]
    pg.get_by_role("button", name="Run").click()  # type: ignore[attr-defined]
    pg.locator(".explore-message", has_text="done").wait_for(timeout=120_000)  # type: ignore[attr-defined]
    pg.screenshot(path=str(SHOTS / "after-run.png"), full_page=True)  # type: ignore[attr-defined]
    assert pg.locator("img").count() >= 1  # type: ignore[attr-defined]
    table = _table(pg)
    # the setting (no pay) differs from the baseline in what is plotted
    assert (table["difference"].abs() > 0).any()

    with pg.expect_download() as dl:  # type: ignore[attr-defined]
        pg.get_by_role("button", name="Download").click()  # type: ignore[attr-defined]
    zpath = tmp_path / "bundle.zip"
    dl.value.save_as(zpath)
    with zipfile.ZipFile(zpath) as zf:
        zf.extractall(tmp_path / "bundle")
    bundle = tmp_path / "bundle"
    text = (bundle / "scenario.yaml").read_text()
    assert "factor: 0.0" in text and "size: 5000" in text
    (run_dir,) = [p for p in bundle.iterdir() if p.name.startswith("replicate-0-seed-")]
    seed = run_dir.name.rsplit("-", 1)[1]
    out = tmp_path / "rerun"
    subprocess.run(
        [sys.executable, "-m", "allegiance.cli", "run", str(bundle / "scenario.yaml"),
         "--seed", seed, "--out", str(out), "--quiet"],
        check=True, capture_output=True,
    )  # fmt: skip
    rerun = pd.read_parquet(out / "timeseries.parquet")
    pd.testing.assert_frame_equal(rerun, pd.read_parquet(run_dir / "timeseries.parquet"))
    # the numbers in the page are the rerun's numbers
    assert table.loc["peak_members", "setting"] == pytest.approx(rerun["members"].max(), rel=1e-3)
    assert table.loc["members_final", "setting"] == pytest.approx(
        rerun["members"].iloc[-1], rel=1e-3
    )


def test_a_bad_uploaded_file_shows_the_cli_one_line_error(page: object, tmp_path: Path) -> None:
    pg = page
    bad = tmp_path / "bad.yaml"
    bad.write_text("organization:\n  pay:\n    factor: 2\n")
    cli = subprocess.run(
        [sys.executable, "-m", "allegiance.cli", "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert cli.returncode == 2
    expected = cli.stderr.strip().removeprefix("error: ").replace(f"{tmp_path}/", "")
    pg.locator("input[type=file]").set_input_files(str(bad))  # type: ignore[attr-defined]
    err = pg.locator(".explore-error", has_text="bad.yaml")  # type: ignore[attr-defined]
    err.wait_for(timeout=30_000)
    pg.screenshot(path=str(SHOTS / "bad-upload.png"))  # type: ignore[attr-defined]
    assert err.locator("pre").first.inner_text().strip() == expected
    assert "\n" not in expected

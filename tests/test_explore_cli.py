"""``allegiance explore``: binds to the loopback unless told otherwise; bad options are one line."""

from __future__ import annotations

import sys

import pytest

from allegiance.cli import main
from allegiance.explore.cli import server_command


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "binds to 127.0.0.1 unless given --public"),
        (["--port", "70000"], "--port: must be 0 to 65535"),
        (["--max-size", "0"], "--max-size: must be 1 or more"),
        (["--posterior", "/nonexistent"], "--posterior /nonexistent: not a calibration"),
    ],
)
def test_bad_options_are_one_line_and_start_nothing(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["explore", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_the_server_process_listens_where_it_is_told() -> None:
    cmd = server_command("127.0.0.1", 8123, False)
    assert cmd[:3] == [sys.executable, "-m", "allegiance.explore"]
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1" and "8123" in cmd and "--open" not in cmd

"""The tutorial notebook runs from top to bottom, so it never rots, and shows its figures."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

from helpers import ROOT

NOTEBOOK = ROOT / "notebooks" / "tutorial.ipynb"


def test_tutorial_notebook_runs_and_draws_every_figure() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    # strength, flows, the border lever, two comparison figures, why-they-left, the survey
    assert len(images) == 7
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "peak members" in text and "no-pay-cut" in text

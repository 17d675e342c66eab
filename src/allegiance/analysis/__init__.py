"""Evidence and validation: coded testimonies, targets, scorecard, parameter table, surveys."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[3] / "data"
"""The repository's ``data/`` folder (testimonies.csv, targets.yaml)."""

REFERENCE_SCENARIO = Path(__file__).resolve().parents[3] / "scenarios" / "syria-2014-2016.yaml"
"""The reference scenario, the default for ``params``, ``validate`` and ``survey``."""

__all__ = ["DATA_DIR", "REFERENCE_SCENARIO"]

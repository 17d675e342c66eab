"""Experiments at scale: sweeps, replicates and counterfactuals, locally or on Dask, resumable."""

from .compare import compare, run_arms
from .design import points
from .executors import make_executor
from .outcomes import OUTCOMES, compute
from .spec import SweepSpec, load_spec
from .store import Store, load_manifest, load_runs, query
from .sweep import SweepSummary, run_sweep
from .tasks import ModelTask, toy_task

__all__ = [
    "OUTCOMES",
    "ModelTask",
    "Store",
    "SweepSpec",
    "SweepSummary",
    "compare",
    "compute",
    "load_manifest",
    "load_runs",
    "load_spec",
    "make_executor",
    "points",
    "query",
    "run_arms",
    "run_sweep",
    "toy_task",
]

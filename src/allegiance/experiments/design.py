"""Designs: full factorial, Latin hypercube and Sobol/Saltelli points over a spec's factors."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..scenario import Scenario
from .spec import Factor, SweepSpec


def is_integer_field(path: str) -> bool:
    """Whether a scenario path holds an ``int`` (so sampled values must be whole numbers)."""
    model: Any = Scenario
    for part in path.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return False
        model = fields[part].annotation
    return model is int


def _integer(path: str, factor: Factor) -> bool:
    return factor.integer if factor.integer is not None else is_integer_field(path)


def _plain(value: Any) -> Any:
    """NumPy scalars to Python ones, so points serialise to JSON and YAML exactly."""
    return value.item() if isinstance(value, np.generic) else value


def _levels(path: str, factor: Factor) -> list[Any]:
    if factor.levels is not None:
        return [_plain(v) for v in factor.levels]
    lo, hi = factor.range  # type: ignore[misc]
    values = np.linspace(lo, hi, factor.steps or 3)
    if _integer(path, factor):
        return sorted({int(round(v)) for v in values})
    return [float(v) for v in values]


def _from_unit(path: str, factor: Factor, column: np.ndarray) -> list[Any]:
    """Map samples from a factor's SALib bounds to its values."""
    if factor.levels is not None:
        idx = np.minimum(np.floor(column).astype(np.int64), len(factor.levels) - 1)
        return [_plain(factor.levels[i]) for i in idx]
    if _integer(path, factor):
        return [int(round(v)) for v in column]
    return [float(v) for v in column]


def problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem: one variable per factor; levels become an index on [0, n_levels)."""
    bounds = [
        list(f.range) if f.range is not None else [0.0, float(len(f.levels or []))]
        for f in spec.factors.values()
    ]
    return {"num_vars": len(spec.factors), "names": list(spec.factors), "bounds": bounds}


MORRIS_LEVELS = 4
"""Grid levels of a Morris design (SALib's default; Saltelli et al. 2008 recommend 4)."""


def morris_matrix(spec: SweepSpec) -> np.ndarray:
    """Morris trajectories: ``samples`` trajectories of D+1 points (``SALib.sample.morris``)."""
    from SALib.sample import morris

    return morris.sample(problem(spec), spec.samples, num_levels=MORRIS_LEVELS, seed=spec.seed)


def points(spec: SweepSpec) -> list[dict[str, Any]]:
    """All design points of a spec, in a fixed order (the order decides run ids and seeds)."""
    names = list(spec.factors)
    if not names:
        return [{}]
    if spec.design == "factorial":
        grids = [_levels(p, f) for p, f in spec.factors.items()]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
    if spec.design == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem(spec), spec.samples, seed=spec.seed)
    elif spec.design == "morris":
        x = morris_matrix(spec)
    else:
        from SALib.sample import sobol

        x = sobol.sample(
            problem(spec), spec.samples, calc_second_order=spec.second_order, seed=spec.seed
        )
    columns = [_from_unit(p, f, x[:, j]) for j, (p, f) in enumerate(spec.factors.items())]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]

"""Designs: factorial, Latin hypercube and Sobol points stay in bounds and are reproducible."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from allegiance.experiments.design import is_integer_field, points
from allegiance.experiments.spec import SweepSpec

TOY = "allegiance.experiments.tasks:toy_task"


def spec(**kw: object) -> SweepSpec:
    return SweepSpec.model_validate({"task": TOY, "outcomes": ["mean"], **kw})


def test_factorial_is_the_full_product() -> None:
    s = spec(
        design="factorial",
        factors={"a": {"levels": [1, 2, 3]}, "b": {"range": [0, 1], "steps": 2}},
    )
    pts = points(s)
    assert len(pts) == 6
    assert {(p["a"], p["b"]) for p in pts} == {(a, b) for a in (1, 2, 3) for b in (0.0, 1.0)}


def test_no_factors_is_one_point() -> None:
    assert points(spec()) == [{}]


@settings(max_examples=25, deadline=None)
@given(
    lo=st.floats(-100, 100),
    width=st.floats(0.01, 50),
    n=st.integers(1, 40),
    seed=st.integers(0, 2**32),
)
def test_lhs_in_bounds_reproducible(lo: float, width: float, n: int, seed: int) -> None:
    s = spec(
        design="lhs",
        samples=n,
        seed=seed,
        factors={"x": {"range": [lo, lo + width]}, "k": {"levels": ["a", "b", "c"]}},
    )
    pts = points(s)
    assert len(pts) == n
    assert all(lo <= p["x"] <= lo + width for p in pts)
    assert all(p["k"] in ("a", "b", "c") for p in pts)
    assert pts == points(s)


def test_sobol_saltelli_size_and_integer_fields() -> None:
    s = spec(
        design="sobol",
        samples=8,
        factors={
            "organization.training.sharia_days": {"range": [30, 45]},
            "organization.pay.factor": {"range": [0.5, 1.0]},
        },
    )
    pts = points(s)
    assert len(pts) == 8 * (2 + 2)  # Saltelli without second order: N (D + 2)
    assert all(isinstance(p["organization.training.sharia_days"], int) for p in pts)
    assert all(30 <= p["organization.training.sharia_days"] <= 45 for p in pts)
    assert all(isinstance(p["organization.pay.factor"], float) for p in pts)


def test_integer_field_detection() -> None:
    assert is_integer_field("organization.training.sharia_days")
    assert not is_integer_field("organization.pay.factor")
    assert not is_integer_field("no.such.field")

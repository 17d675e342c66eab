"""Limits checked before allocation: YAML depth and expansion, memory, run counts."""

from __future__ import annotations

import pytest

from allegiance.errors import UserError
from allegiance.limits import (
    MAX_ITEMS,
    check_finite,
    check_population,
    check_replicates,
    check_runs,
    design_points,
    expanded_size,
    load_yaml,
)


def test_shared_parts_count_as_often_as_they_are_used() -> None:
    leaf = [1, 2, 3]
    assert expanded_size({"a": leaf, "b": [leaf, leaf]}) == 1 + 2 + 4 + 1 + 2 * 4
    bomb = "a: &a [" + ", ".join(["x"] * 10) + "]\n"
    for i, name in enumerate("bcdefg"):
        prev = "abcdefg"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    with pytest.raises(UserError, match=f"{MAX_ITEMS:,}"):
        load_yaml(bomb)


def test_nesting_and_self_reference_are_refused() -> None:
    with pytest.raises(UserError, match="nested more than"):
        load_yaml("[" * 500 + "]" * 500)
    with pytest.raises(UserError, match="refers to itself"):
        load_yaml("a: &a [*a]")
    assert load_yaml("a: [[1]]") == {"a": [[1]]}


def test_non_finite_results_are_refused() -> None:
    import pandas as pd

    with pytest.raises(UserError, match="non-finite numbers in civilians"):
        check_finite(pd.DataFrame({"month": ["2013-06"], "civilians": [float("inf")]}))
    check_finite(pd.DataFrame({"month": ["2013-06"], "civilians": [1.0]}))


def test_memory_and_counts() -> None:
    with pytest.raises(UserError, match="would need about 40.0 GB"):
        check_population(200_000_000, available=8 * 10**9)
    check_population(1000, available=8 * 10**9)
    assert design_points("factorial", [3, 4], 16, False) == 12
    assert design_points("sobol", [3, 4], 16, False) == 16 * 4
    with pytest.raises(UserError, match="10,000,000 runs"):
        check_runs(design_points("lhs", [2], 10_000_000, False), 1)
    with pytest.raises(UserError, match="2 or more"):
        check_replicates(1, least=2)
    with pytest.raises(UserError, match="at most"):
        check_replicates(10**6)

"""Joining by thinning: each civilian joins with his chance, as with one uniform per person.

The kernel draws only candidates (geometric gaps against a bound) instead of one uniform per
person, so its draws differ from a plain per-person scan; these tests check that the
distribution does not: against each person's chance computed plainly, and, over whole runs,
against people in random order drawn one uniform each. Each check is shown to fail when the
sampling is broken (a bound that is not one; friends' pull put on the wrong circles).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from allegiance import Simulation
from allegiance import simulation as simulation_module
from allegiance.mechanisms import joining
from allegiance.people import FOREIGN_MIN, IRAQI, Affiliation, People
from helpers import small

CALLS = 1_500
Z_MAX = 4.5  # a correct sampler exceeds it by chance about once in 150,000 checks


def _state() -> Simulation:
    """A run 18 months in: members in many circles, so friends pull in a share of them."""
    sim = Simulation(small(size=20_000, end="2017-12"), 7)
    for _ in range(18):
        sim.step()
    return sim


@pytest.fixture(scope="module")
def state() -> Simulation:
    return _state()


def plain_chances(
    people: People, month: object, pay_factor: float, pull: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Each person's chance of joining this month, and his five motive hazards (rows), computed
    for everyone from the people's own traits (not the packed records)."""
    v = joining.parameters(month, pay_factor)  # type: ignore[arg-type]
    t_ideo, t_rev, t_opp = joining.trait_tables(v)
    econ = joining.economic_table(v, joining.best_alternative(month))  # type: ignore[arg-type]
    top = joining.LEVELS - 1
    k_ideo = np.rint(people.ideology * top).astype(int)
    k_griev = np.rint(people.grievance * top).astype(int)
    h = (
        (np.minimum(people.wives, 4).astype(int) * 16 + np.minimum(people.children, 15)) * 5
        + np.minimum(people.parents, 4)
    ) * 13 + np.minimum(people.dependants, 12)
    household = np.minimum(people.origin, IRAQI).astype(int) * joining.N_HOUSEHOLDS + (
        h * 2 + people.skilled
    )
    t = int(v[joining.MONTH])
    eligible = (
        (people.status == 0)
        & (people.origin < FOREIGN_MIN)
        & (people.birth <= t - 12 * int(v[joining.MIN_AGE]))
    )
    child = people.birth > t - 12 * 18
    expert = people.skilled | (people.affiliation == Affiliation.REGIME) | people.criminal
    lam = np.stack(
        [
            t_ideo[k_ideo] + child * v[joining.CHILD] / v[joining.PRESENCE],
            v[joining.CRIM] * people.criminal,
            econ[household],
            t_rev[people.family_killed.astype(int), k_griev],
            np.where(expert, t_opp[k_ideo], 0.0),
        ]
    )
    hot, share = pull
    friend = np.ones(people.size)
    in_hot = np.isin(people.circle, hot)
    friend[in_hot] = np.exp(v[joining.FRIENDS] * share).astype(np.float32)[
        np.searchsorted(hot, people.circle[in_hot])
    ]
    total = lam.sum(axis=0) * v[joining.PRESENCE] * friend
    return np.where(eligible, -np.expm1(-total), 0.0), lam


def z_scores(
    sim: Simulation,
    circle_start: np.ndarray | None,
    calls: int = CALLS,
    seed: int = 11,
    shift: int = 0,
) -> dict[str, float]:
    """How far the joiners of ``calls`` draws of one month lie from what the chances expect, in
    standard errors: all, people in circles with friends inside, and each motive. ``shift``
    hands the sampler each hot circle's pull on the circle that many places on (a broken one)."""
    p, month = sim.people, sim.calendar[sim.t]
    pull = joining.circle_pull(p, sim.roster.members, sim.circle_size)
    chance, lam = plain_chances(p, month, 0.9, pull)
    rng = np.random.default_rng(seed)
    count = np.zeros(p.size)
    by_motive = np.zeros(6)
    given = (np.minimum(pull[0] + shift, sim.n_circles - 1), pull[1])
    for _ in range(calls):
        idx, motive = joining.join(p, month, 0.9, given, rng, p.size, sim.join_traits, circle_start)
        assert (np.diff(idx) > 0).all()  # in order, nobody twice
        count[idx] += 1
        by_motive += np.bincount(motive, minlength=6)
    assert (count[chance == 0] == 0).all()  # nobody who cannot join ever does

    def z(observed: float, probs: np.ndarray) -> float:
        return (observed - calls * probs.sum()) / math.sqrt(calls * (probs * (1 - probs)).sum())

    hot = np.isin(p.circle, pull[0])
    out = {"all": z(count.sum(), chance), "hot circles": z(count[hot].sum(), chance[hot])}
    share = lam / np.maximum(lam.sum(axis=0), 1e-300)
    for m, name in enumerate(("ideology", "coercion", "economic", "revenge", "opportunism")):
        pm = chance * share[m]  # a motive's joins are binomial given the joiners' chances
        out[name] = (by_motive[m + 1] - calls * pm.sum()) / math.sqrt(calls * pm.sum())
    return out


def test_state_has_friends_pulling_in_many_circles(state: Simulation) -> None:
    hot, share = joining.circle_pull(state.people, state.roster.members, state.circle_size)
    assert hot.size > 100 and share.max() > 0
    assert state.circle_start is not None  # the build stores people circle by circle


@pytest.mark.parametrize("mode", ["circle order", "lookup", "every person"])
def test_joiners_follow_each_persons_chance(state: Simulation, mode: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        if mode == "every person":  # no thinning: one uniform per person, the plain form
            mp.setattr(joining, "join_bound", lambda *a: 2.0)
        zs = z_scores(state, state.circle_start if mode == "circle order" else None, CALLS // 3 * 2)
    assert all(abs(z) < Z_MAX for z in zs.values()), zs


def _bounds_times(mp: pytest.MonkeyPatch, factor: float) -> None:
    """Every bound the sampler reads times ``factor``: join_bound's (people in any order) and
    those of the segments (people in circle order: each is the cold bound, times a hot circle's
    pull, and the cold bound is the largest chance times ``MARGIN``)."""
    true_bound = joining.join_bound
    mp.setattr(joining, "join_bound", lambda *a: true_bound(*a) * factor)
    mp.setattr(joining, "MARGIN", joining.MARGIN * factor)


def test_a_bound_that_is_not_one_is_caught(state: Simulation) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _bounds_times(mp, 0.05)
        zs = z_scores(state, state.circle_start)
    assert zs["all"] < -Z_MAX, zs


def test_friends_pull_on_the_wrong_circles_is_caught(state: Simulation) -> None:
    zs = z_scores(state, state.circle_start, calls=4_000, shift=3)
    assert zs["hot circles"] < -Z_MAX, zs


# --- whole runs: headline outputs against the plain sampler with people in random order ---

HEADLINES = ("joins", "exits", "killed", "peak_members", "members_end")
REPLICATES = 30


def _shuffled(synthesize):  # noqa: ANN001, ANN202
    """A build whose people are in random order (locals, then foreigners, as the model wants)."""

    def build(scenario, rng):  # noqa: ANN001, ANN202
        people = synthesize(scenario, rng)
        first_foreign = int(np.searchsorted(people.origin, FOREIGN_MIN))
        mix = np.random.default_rng(int(rng.integers(2**32)))
        order = np.r_[
            mix.permutation(first_foreign),
            first_foreign + mix.permutation(people.size - first_foreign),
        ]
        return dataclasses.replace(
            people, **{f.name: getattr(people, f.name)[order] for f in dataclasses.fields(people)}
        )

    return build


def headlines(seeds: range) -> dict[str, np.ndarray]:
    """Headline outputs of a run of the reference at 10,000 people for each seed."""
    rows = []
    for seed in seeds:
        ts = Simulation(small(size=10_000, end="2017-12"), seed).run().timeseries
        joins = ts[[c for c in ts.columns if c.startswith("joins_") and c != "joins_foreign"]]
        rows.append(
            [
                joins.to_numpy().sum(),
                (ts["exits_abroad"] + ts["exits_to_rival"]).sum(),
                ts["killed"].sum(),
                ts["members"].max(),
                ts["members"].iloc[-1],
            ]
        )
    return dict(zip(HEADLINES, np.array(rows, dtype=float).T, strict=True))


def smallest_holm_p(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> float:
    """Smallest Holm-adjusted p-value of Welch's t and Kolmogorov-Smirnov over the headlines."""
    ps = []
    for k in HEADLINES:
        ps.append(stats.ttest_ind(a[k], b[k], equal_var=False).pvalue)
        ps.append(stats.ks_2samp(a[k], b[k]).pvalue)
    ps = np.sort(np.nan_to_num(np.array(ps), nan=1.0))
    return float(min(1.0, min((ps.size - i) * p for i, p in enumerate(ps))))


@pytest.fixture(scope="module")
def plain_runs() -> dict[str, np.ndarray]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(simulation_module, "synthesize", _shuffled(simulation_module.synthesize))
        mp.setattr(joining, "join_bound", lambda *a: 2.0)  # every person one uniform
        runs = headlines(range(1000, 1000 + REPLICATES))
    return runs


def test_runs_have_the_headline_distribution_of_the_plain_sampler(
    plain_runs: dict[str, np.ndarray],
) -> None:
    fast = headlines(range(1, 1 + REPLICATES))
    assert smallest_holm_p(fast, plain_runs) > 0.01, {
        k: (fast[k].mean(), plain_runs[k].mean()) for k in HEADLINES
    }


def test_runs_with_a_bound_that_is_not_one_are_caught(plain_runs: dict[str, np.ndarray]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _bounds_times(mp, 0.05)
        broken = headlines(range(1, 1 + REPLICATES))
    assert smallest_holm_p(broken, plain_runs) < 0.001

"""A simulated survey of deserters in Turkey: how far selection bias and chance mislead at n = 8.

Revkin, M. and Mhidi, A., "Quitting ISIS", Foreign Affairs, 2016: "We spoke with eight former
ISIS fighters in Turkey about their motivations for joining—and quitting", all Syrians
("Interviews with former ISIS fighters from Syria"). Only those who got out and crossed the
border can be met there: not those still inside, not those who went to a rival group, and not
those caught or executed trying to leave. This module counts, over replicate runs, the join
motives and exit drivers of the simulated Syrian deserters in Turkey (the survey's population)
beside everyone who tried to leave (the caught and the executed included) and every member, and
sets the difference (selection bias, as total variation distance) against the chance error of an
n-person sample drawn from that population (sampling noise, from multinomial draws). The coded
interviews (data/testimonies.csv) are compared at the number of people coded. docs/ODD.md (§9)
describes the method and its reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UserError
from ..people import DRIVERS, MOTIVES, SYRIAN_MAX, Origin, labels
from ..rng import child_seeds, stream
from . import testimonies as tm

POOLS = ("turkey", "left", "tried", "members")  # counted from the event log
GROUPS = ("sample", "turkey", "left", "tried", "members", "testimonies")
LABELS = {
    "sample": "one survey in Turkey",
    "turkey": "all deserters in Turkey",
    "left": "all who left",
    "tried": "all who tried to leave",
    "members": "all members",
    "testimonies": "coded interviews",
}
TRIED = ("desert", "defect", "caught", "executed")
SYRIAN = tuple(labels(Origin)[: SYRIAN_MAX + 1])
NONE = "none"  # no code: a member who never tried to leave has no exit driver
NOISE_DRAWS = 4000
N_GRID = tuple(int(x) for x in np.unique(np.round(np.geomspace(1, 10000, 49))))
LEVEL = 0.95
SMALL = 0.5  # bias under this fraction of the median chance error counts as small


def counts(events: pd.DataFrame, until: str | None = "2016-06", syrians: bool = True) -> pd.Series:
    """People per (pool, motive, driver) in one run's event log, up to ``until`` (inclusive).

    Each person counts once per pool: at their first attempt to leave (a person caught and spared
    may try again; their first attempt is what a survey of would-be leavers would record), at
    their first exit, or at joining. ``syrians`` keeps Syrian origins only, as the article's
    interviewees were all Syrians.
    """
    ev = events
    if until is not None:
        ev = ev[ev["month"].astype(str) <= until]
    if syrians:
        ev = ev[ev["origin"].astype(str).isin(SYRIAN)]
    kind = ev["event"].astype(str)
    tried = ev[kind.isin(TRIED)].drop_duplicates("person", keep="first")
    left = ev[kind.isin(("desert", "defect"))].drop_duplicates("person", keep="first")
    turkey = left[(left["event"].astype(str) == "desert") & (left["route"].astype(str) == "turkey")]
    members = ev[kind.isin(("join", "arrive"))].drop_duplicates("person", keep="first")
    parts = []
    for pool, df in (("turkey", turkey), ("left", left), ("tried", tried), ("members", members)):
        motive = df["motive"].astype(object).fillna(NONE).astype(str)
        driver = (
            pd.Series(NONE, index=df.index)
            if pool == "members"
            else df["driver"].astype(object).fillna(NONE).astype(str)
        )
        c = pd.DataFrame({"pool": pool, "motive": motive, "driver": driver}).value_counts()
        parts.append(c)
    out = pd.concat(parts) if parts else pd.Series(dtype=float)
    return out.astype(float).sort_index()


def _flatten(c: pd.Series) -> dict[str, float]:
    return {"|".join(k): float(v) for k, v in c.items()}


def _unflatten(d: dict[str, float]) -> pd.Series:
    index = pd.MultiIndex.from_tuples(
        [tuple(k.split("|")) for k in d], names=["pool", "motive", "driver"]
    )
    return pd.Series(list(d.values()), index=index, dtype=float)


@dataclass(frozen=True)
class SurveyTask:
    """Run the scenario with a seed and return its survey counts (picklable for the executors)."""

    scenario: str
    overrides: tuple[str, ...] = ()
    until: str | None = "2016-06"
    syrians: bool = True
    drop_events: tuple[str, ...] = ()

    def __call__(self, point: dict[str, Any], seed: int) -> dict[str, float]:
        import allegiance
        from allegiance.scenario import load

        sc = load(self.scenario, list(self.overrides), drop_events=list(self.drop_events) or None)
        results = allegiance.run(sc, seed=seed)
        return _flatten(counts(results.events, self.until, self.syrians))


def run_counts(
    scenario: str | Path,
    replicates: int = 10,
    seed: int = 0,
    *,
    overrides: list[str] | None = None,
    drop_events: list[str] | None = None,
    until: str | None = "2016-06",
    syrians: bool = True,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> list[pd.Series]:
    """Survey counts of ``replicates`` runs (run seeds are children of ``seed``), in seed order."""
    from ..experiments import make_executor
    from ..experiments.tasks import RunItem
    from ..scenario import load

    if replicates < 1:
        raise UserError(f"--replicates: {replicates}; must be at least 1")
    # a bad scenario, override or event fails here, before any run
    load(str(scenario), overrides, drop_events=drop_events)
    task = SurveyTask(
        str(scenario), tuple(overrides or ()), until, syrians, tuple(drop_events or ())
    )
    seeds = child_seeds(seed, replicates)
    items = [RunItem(r, {}, s, task) for r, s in enumerate(seeds)]
    ex = make_executor("inprocess" if workers <= 1 else "local", workers)
    got: dict[int, pd.Series] = {}
    try:
        for rec in ex.map(items):
            if rec.status != "ok":
                raise UserError(
                    f"survey: run {rec.run_id} (seed {seeds[rec.run_id]}) failed: {rec.error}"
                )
            got[rec.run_id] = _unflatten(rec.outcomes)
            if progress is not None:
                progress(len(got))
    finally:
        ex.close()
    return [got[r] for r in range(replicates)]


def tvd(p: np.ndarray, q: np.ndarray) -> float | np.ndarray:
    """Total variation distance: the share of people who would have to change category."""
    return 0.5 * np.abs(np.asarray(p) - np.asarray(q)).sum(axis=-1)


def noise(p: np.ndarray, n: int, rng: np.random.Generator, draws: int = NOISE_DRAWS) -> np.ndarray:
    """Distances of ``draws`` samples of ``n`` people from a population with shares ``p``."""
    p = np.asarray(p, dtype=float)
    sample = rng.multinomial(n, p / p.sum(), size=draws) / n
    return np.asarray(tvd(sample, p))


@dataclass
class Check:
    """Selection bias of interviewing in Turkey against one reference group, beside chance at n."""

    what: str  # "join motives" or "exit drivers"
    reference: str  # a key of LABELS
    bias: float  # distance of Turkey's deserters from the reference, pooled over replicates
    bias_low: float  # smallest and largest over replicates
    bias_high: float
    n: int
    noise_median: (
        float  # distance of an n-sample from Turkey's deserters: median and LEVEL quantile
    )
    noise_high: float
    n_even: int | None  # smallest n at which median noise is at most the bias (None: beyond N_GRID)

    @property
    def verdict(self) -> str:
        """'small', 'comparable' or 'large': the bias against the chance error at n.

        Small: under half the median chance error, so a typical survey's error is mostly chance.
        Large: beyond the LEVEL quantile, so even an unlucky sample errs less than the bias does.
        """
        if self.bias < SMALL * self.noise_median:
            return "small"
        if self.bias > self.noise_high:
            return "large"
        return "comparable"

    def sentence(self) -> str:
        """The finding in words, every figure taken from the numbers."""
        phrase = {
            "small": "is small beside",
            "comparable": "is comparable to",
            "large": "exceeds",
        }[self.verdict]
        spread = (
            f" (replicates {self.bias_low:.2f} to {self.bias_high:.2f})"
            if self.bias_high > self.bias_low
            else ""
        )
        if self.n_even is None:
            even = f"the median chance error stays above it up to {N_GRID[-1]:,} interviews"
        else:
            plural = "s" if self.n_even != 1 else ""
            even = f"the median chance error falls to it at about {self.n_even:,} interview{plural}"
        return (
            f"{self.what.capitalize()}, deserters in Turkey vs {LABELS[self.reference]}: "
            f"selection bias {self.bias:.2f}{spread} {phrase} sampling noise at n = {self.n} "
            f"(median {self.noise_median:.2f}, {LEVEL:.0%} up to {self.noise_high:.2f}); {even}."
        )


@dataclass
class Fit:
    """How far the coded interviews lie from the simulated deserters in Turkey, beside chance."""

    what: str
    distance: float
    people: int  # people coded in this column
    p_value: float  # share of samples of `people` from Turkey's deserters at least this far

    def sentence(self) -> str:
        """The comparison in words, taken from the numbers."""
        reading = (
            "unlikely from the simulated deserters in Turkey"
            if self.p_value < 1 - LEVEL
            else "within what chance gives at this size"
        )
        return (
            f"Coded interviews, {self.what}: distance {self.distance:.2f} from the simulated "
            f"deserters in Turkey over {self.people} people coded; {self.p_value:.0%} of random "
            f"samples of {self.people} lie at least as far: {reading}."
        )


@dataclass
class Survey:
    """Shares per group, sizes, and the measured selection bias and sampling noise."""

    motives: pd.DataFrame  # index: motive, columns: GROUPS
    drivers: pd.DataFrame  # index: driver, columns: GROUPS ("members" is empty: no driver)
    sizes: dict[str, int]
    until: str | None
    n: int
    replicates: int
    seed: int
    checks: list[Check] = field(default_factory=list)
    fits: list[Fit] = field(default_factory=list)
    ranges: pd.DataFrame = field(default_factory=pd.DataFrame)  # low/high share of an n-sample
    curve: pd.DataFrame = field(default_factory=pd.DataFrame)  # n, what, median, low, high
    coded: dict[str, int] = field(default_factory=dict)  # interviewees with a code, per block

    def table(self) -> pd.DataFrame:
        """Both blocks stacked: rows 'motive: x' and 'driver: y', columns the groups."""
        m = self.motives.rename(index=lambda x: f"motive: {x}")
        d = self.drivers.rename(index=lambda x: f"driver: {x}")
        return pd.concat([m, d])

    def distances(self) -> pd.DataFrame:
        """Distance of each group from those who tried to leave: rows 'motives', 'drivers'."""
        return pd.DataFrame(
            {
                g: {
                    "motives": float(tvd(self.motives[g], self.motives["tried"])),
                    "drivers": float(tvd(self.drivers[g], self.drivers["tried"])),
                }
                for g in GROUPS
            }
        )

    def conclusion(self) -> list[str]:
        """One sentence per check and per comparison with the coded interviews."""
        return [c.sentence() for c in self.checks] + [f.sentence() for f in self.fits]

    def checks_frame(self) -> pd.DataFrame:
        """The checks as a table (one row each), with their verdicts."""
        rows = [{**vars(c), "verdict": c.verdict} for c in self.checks]
        return pd.DataFrame(rows)


def _marginal(c: pd.Series, pool: str, level: str, categories: tuple[str, ...]) -> pd.Series:
    """People per category of ``level`` ('motive' or 'driver') in ``pool``; 'none' left out."""
    if pool not in c.index.get_level_values("pool"):
        return pd.Series(0.0, index=list(categories))
    sub = c.xs(pool, level="pool").groupby(level=level).sum()
    return sub.reindex(list(categories), fill_value=0.0).astype(float)


def _shares(x: pd.Series) -> pd.Series:
    total = float(x.sum())
    return x / total if total > 0 else x * 0.0


def _people(c: pd.Series, pool: str) -> int:
    if pool not in c.index.get_level_values("pool"):
        return 0
    return int(c.xs(pool, level="pool").sum())


def _sample(c: pd.Series, n: int, rng: np.random.Generator) -> pd.Series:
    """Interview ``n`` people drawn without replacement from Turkey's deserters of one run."""
    pool = c.xs("turkey", level="pool")
    take = rng.multivariate_hypergeometric(
        pool.to_numpy().astype(np.int64), min(n, int(pool.sum()))
    )
    return pd.concat({"sample": pd.Series(take.astype(float), index=pool.index)}, names=["pool"])


def survey_from_counts(
    runs: list[pd.Series],
    n: int = 8,
    seed: int = 0,
    until: str | None = "2016-06",
    coded: pd.DataFrame | None = None,
) -> Survey:
    """Pool replicate counts, draw one illustrative survey, and measure bias against noise."""
    if n < 1:
        raise UserError(f"--n: {n}; must be at least 1")
    if not runs:
        raise UserError("--replicates: must be at least 1")
    pooled = pd.concat(runs).groupby(level=["pool", "motive", "driver"]).sum()
    if _people(pooled, "turkey") == 0:
        raise UserError("no deserter reached Turkey in this run: nobody to interview")
    rng = stream(seed, "survey")
    first = next(r for r in runs if _people(r, "turkey") > 0)
    sample = _sample(first, n, rng)
    everything = pd.concat([pooled, sample])
    persons = tm.interviewed(tm.people(tm.load() if coded is None else coded))

    motives = pd.DataFrame(
        {g: _shares(_marginal(everything, g, "motive", MOTIVES)) for g in (*POOLS[:3], "members")}
    )
    drivers = pd.DataFrame(
        {g: _shares(_marginal(everything, g, "driver", DRIVERS)) for g in POOLS[:3]}
    )
    motives.insert(0, "sample", _shares(_marginal(everything, "sample", "motive", MOTIVES)))
    drivers.insert(0, "sample", _shares(_marginal(everything, "sample", "driver", DRIVERS)))
    drivers["members"] = np.nan  # members who never tried to leave have no exit driver
    motives["testimonies"] = tm.shares(persons, "join_motives", MOTIVES)
    drivers["testimonies"] = tm.shares(persons, "exit_drivers", DRIVERS)
    motives, drivers = motives[list(GROUPS)], drivers[list(GROUPS)]
    sizes = {g: _people(everything, g) for g in ("sample", *POOLS)}
    sizes["testimonies"] = int(persons["persons"].sum())
    coded_counts = {
        "motives": tm.coded_people(persons, "join_motives"),
        "drivers": tm.coded_people(persons, "exit_drivers"),
    }

    noise_rng = stream(seed, "survey-noise")
    checks, fits, ranges, curve = [], [], [], []
    for what, level, categories, refs, column in (
        ("join motives", "motive", MOTIVES, ("tried", "members"), "join_motives"),
        ("exit drivers", "driver", DRIVERS, ("tried",), "exit_drivers"),
    ):
        p = _shares(_marginal(pooled, "turkey", level, categories)).to_numpy()
        grid = {m: noise(p, m, noise_rng) for m in sorted({*N_GRID, n})}
        at_n = grid[n]
        med, high = float(np.median(at_n)), float(np.quantile(at_n, LEVEL))
        for m in N_GRID:
            curve.append(
                {
                    "n": m,
                    "what": what,
                    "median": float(np.median(grid[m])),
                    "low": float(np.quantile(grid[m], 1 - LEVEL)),
                    "high": float(np.quantile(grid[m], LEVEL)),
                }
            )
        draws = noise_rng.multinomial(n, p, size=NOISE_DRAWS) / n
        lo, hi = np.quantile(draws, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], axis=0)
        for k, cat in enumerate(categories):
            ranges.append({"category": f"{level}: {cat}", "low": lo[k], "high": hi[k]})
        for ref in refs:
            if _people(pooled, ref) == 0:
                continue
            q = _shares(_marginal(pooled, ref, level, categories)).to_numpy()
            per_run = [
                float(
                    tvd(
                        _shares(_marginal(r, "turkey", level, categories)).to_numpy(),
                        _shares(_marginal(r, ref, level, categories)).to_numpy(),
                    )
                )
                for r in runs
                if _people(r, "turkey") and _people(r, ref)
            ]
            bias = float(tvd(p, q))
            per_run = per_run or [bias]
            n_even = next((m for m in N_GRID if np.median(grid[m]) <= bias), None)
            checks.append(Check(what, ref, bias, min(per_run), max(per_run), n, med, high, n_even))
        people = tm.coded_people(persons, column)
        if people:
            coded_shares = tm.shares(persons, column, categories).to_numpy()
            dist = float(tvd(coded_shares, p))
            chance = noise(p, people, noise_rng)
            fits.append(Fit(what, dist, people, float(np.mean(chance >= dist - 1e-12))))
    return Survey(
        motives,
        drivers,
        sizes,
        until,
        n,
        len(runs),
        seed,
        checks,
        fits,
        pd.DataFrame(ranges).set_index("category"),
        pd.DataFrame(curve),
        coded_counts,
    )


def survey(
    events: pd.DataFrame,
    n: int = 8,
    seed: int = 0,
    until: str | None = "2016-06",
    coded: pd.DataFrame | None = None,
    syrians: bool = True,
) -> Survey:
    """The survey of one run's event log (see :func:`survey_from_counts`)."""
    return survey_from_counts([counts(events, until, syrians)], n, seed, until, coded)


COLORS = {
    "sample": "#d62728",
    "turkey": "#ff9896",
    "left": "#9467bd",
    "tried": "#1f77b4",
    "members": "#2ca02c",
    "testimonies": "#4d4d4d",
}


def figure(result: Survey, path: str | Path) -> Path:
    """Shares per group with the n-sample range, and noise against n beside the bias (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fig = plt.figure(figsize=(15, 9.5), constrained_layout=True)
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1])
    bars = [fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])]
    ax_noise = fig.add_subplot(grid[1, :])
    shown = ("turkey", "tried", "members", "testimonies")
    for ax, df, level, what, block in (
        (bars[0], result.motives, "motive", "join motive", "motives"),
        (bars[1], result.drivers, "driver", "exit driver", "drivers"),
    ):
        groups = [g for g in shown if df[g].notna().any()]
        x = np.arange(len(df.index))
        w = 0.8 / len(groups)
        for k, g in enumerate(groups):
            label = f"{LABELS[g]} (n={result.sizes[g]:,})"
            if g == "testimonies" and block in result.coded:
                label = f"{LABELS[g]} ({result.coded[block]} of {result.sizes[g]} people coded)"
            xs = x + (k - (len(groups) - 1) / 2) * w
            ax.bar(xs, df[g].to_numpy(), w, label=label, color=COLORS[g])
            if g == "turkey" and len(result.ranges):
                r = result.ranges.loc[[f"{level}: {c}" for c in df.index]]
                vals = df[g].to_numpy()
                ax.errorbar(
                    xs,
                    vals,
                    yerr=[vals - r["low"].to_numpy(), r["high"].to_numpy() - vals],
                    fmt="none",
                    ecolor="black",
                    capsize=3,
                    lw=1,
                    label=f"{LEVEL:.0%} range of a survey of n={result.n} in Turkey",
                )
        ax.scatter(
            x,
            df["sample"].to_numpy(),
            marker="D",
            s=30,
            color=COLORS["sample"],
            zorder=3,
            label=f"{LABELS['sample']} (n={result.sizes['sample']})",
        )
        ax.set_xticks(x, list(df.index), rotation=15)
        ax.set_ylabel("share of people")
        ax.set_title(f"Share by {what}")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8, loc="upper right")
    colors = {"join motives": "#2ca02c", "exit drivers": "#1f77b4"}
    for what, c in result.curve.groupby("what", sort=False):
        ax_noise.fill_between(c["n"], c["low"], c["high"], color=colors[what], alpha=0.12)
        ax_noise.plot(
            c["n"], c["median"], color=colors[what], lw=2, label=f"sampling noise, {what} (median)"
        )
    styles = {"tried": "--", "members": ":"}
    for check in result.checks:
        ax_noise.axhline(
            check.bias,
            color=colors[check.what],
            ls=styles.get(check.reference, "-."),
            lw=1.5,
            label=f"selection bias, {check.what} vs {LABELS[check.reference]}: {check.bias:.2f}",
        )
    ax_noise.axvline(result.n, color="black", lw=1)
    ax_noise.annotate(
        f"n = {result.n}", (result.n, 0.95), xycoords=("data", "axes fraction"), ha="left"
    )
    ax_noise.set_xscale("log")
    ax_noise.set_xlim(1, 3000)
    ax_noise.set_ylim(0, 1)
    ax_noise.set_xlabel("people interviewed in Turkey (log scale)")
    ax_noise.set_ylabel("distance (total variation)")
    ax_noise.set_title(
        f"Chance error of a survey of n deserters (line: median; band: {1 - LEVEL:.0%} to "
        f"{LEVEL:.0%}) "
        "beside the selection bias of surveying in Turkey at all"
    )
    ax_noise.legend(fontsize=8, loc="upper right")
    until = f" up to {result.until}" if result.until else ""
    verdicts = "; ".join(f"{c.what} vs {LABELS[c.reference]}: {c.verdict}" for c in result.checks)
    fig.suptitle(
        f"Who do you meet when you interview deserters in Turkey? Simulated survey{until}, "
        f"{result.replicates} replicate(s) pooled (n: simulated people), seed {result.seed}\n"
        f"Selection bias beside chance at n = {result.n}: {verdicts}"
    )
    fig.savefig(p, dpi=110)
    plt.close(fig)
    return p


def print_survey(result: Survey) -> None:
    """The comparison as a rich table, then the conclusion in words."""
    from rich.console import Console
    from rich.table import Table

    t = Table(
        title="Simulated survey: shares of join motives and exit drivers "
        f"(n: simulated people, {result.replicates} replicate(s) pooled)"
    )
    t.add_column("")
    for g in GROUPS:
        t.add_column(f"{LABELS[g]}\nn={result.sizes[g]:,}", justify="right")
    t.add_column(f"{LEVEL:.0%} range of\na survey of {result.n}", justify="right")
    for name, row in result.table().iterrows():
        r = result.ranges.loc[name] if name in result.ranges.index else None
        t.add_row(
            str(name),
            *("" if pd.isna(row[g]) else f"{row[g]:.0%}" for g in GROUPS),
            "" if r is None else f"{r['low']:.0%}-{r['high']:.0%}",
            end_section=name == f"motive: {MOTIVES[-1]}",
        )
    for block, dist in result.distances().iterrows():
        t.add_row(
            f"{block}: distance from those who tried",
            *("" if pd.isna(dist[g]) else f"{dist[g]:.2f}" for g in GROUPS),
            "",
            style="bold",
        )
    console = Console()
    if not console.is_terminal:  # files and pipes: wide enough to read without folding
        console = Console(width=190)
    console.print(t)
    for line in result.conclusion():
        console.print(f"- {line}", highlight=False)


SURVEY_BEGIN = "<!-- survey:begin -->"
SURVEY_END = "<!-- survey:end -->"


def to_markdown(result: Survey, command: str = "") -> str:
    """The shares and the conclusion as Markdown, for the marked section of docs/ODD.md."""
    shown = ("turkey", "tried", "members", "testimonies")
    names = {g: f"{LABELS[g]} (n={result.sizes[g]:,})" for g in shown}
    if result.coded:
        names["testimonies"] = (
            f"{LABELS['testimonies']} ({result.sizes['testimonies']} people; "
            f"{result.coded['motives']} with a motive, {result.coded['drivers']} with a driver)"
        )
    head = "| | " + " | ".join(names[g] for g in shown) + " |"
    lines = [head, "|---" * (len(shown) + 1) + "|"]
    for name, row in result.table().iterrows():
        cells = ("" if pd.isna(row[g]) else f"{row[g]:.0%}" for g in shown)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    until = f", field work up to {result.until}" if result.until else ""
    intro = (
        f"Measured with `{command}`: {result.replicates} replicate(s), master seed {result.seed}, "
        f"n = {result.n}{until}; n in the header counts simulated people over all replicates."
        if command
        else f"{result.replicates} replicate(s), master seed {result.seed}, n = {result.n}{until}."
    )
    findings = "\n".join(f"- {line}" for line in result.conclusion())
    return f"{intro}\n\n" + "\n".join(lines) + f"\n\n{findings}\n"


def check_embed(doc: str | Path) -> None:
    """Fail before any run if ``doc`` cannot take the survey section (no file, no markers)."""
    p = Path(doc)
    if not p.is_file():
        raise UserError(f"--embed: {p}: no such file")
    text = p.read_text(encoding="utf-8")
    if SURVEY_BEGIN not in text or SURVEY_END not in text:
        raise UserError(f"--embed: {p} has no '{SURVEY_BEGIN}' ... '{SURVEY_END}' markers")


def embed(result: Survey, doc: str | Path, command: str = "") -> Path:
    """Replace the text between the survey markers of a Markdown file (docs/ODD.md, §9)."""
    from .markers import replace_between

    return replace_between(doc, SURVEY_BEGIN, SURVEY_END, to_markdown(result, command))

"""Same distribution of headline outputs from this code and an earlier commit, over replicates.

A change that alters the random draws (not the rules) must leave the distribution of results
unchanged. This runs the reference scenario ``--replicates`` times with the current code and with
the code of ``--against`` (its ``src`` taken with ``git archive``), and compares each headline
output with a two-sample Kolmogorov-Smirnov test and Welch's t-test, with Holm's correction over
all outputs and both tests. Usage:

    python benchmarks/sampling_equivalence.py --against e028d27 --replicates 200 --size 40000 \
        --plot docs/figures/sampling_equivalence.png
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "syria-2014-2016.yaml"
# totals over the run, and the strength curve's peak and end
TOTALS = [
    "joins_ideology",
    "joins_coercion",
    "joins_economic",
    "joins_revenge",
    "joins_opportunism",
    "exits_losing",
    "exits_authoritarianism",
    "exits_favoritism",
    "exits_pay",
    "exits_redeployment",
    "exits_coercion",
    "exits_family",
    "exits_abroad",
    "exits_to_rival",
    "executed",
    "killed",
    "captured",
    "civilian_harm",
]


def child(size: int, replicates: int, first_seed: int) -> None:
    """Print one JSON line of headline outputs per replicate (runs in a subprocess)."""
    import warnings

    from allegiance import load, run

    warnings.simplefilter("ignore")
    sc = load(SCENARIO, [f"population.size={size}"])
    for seed in range(first_seed, first_seed + replicates):
        res = run(sc, seed=seed)
        ts, ev = res.timeseries, res.events
        row = {k: float(ts[k].sum()) for k in TOTALS}
        # two statistics by origin (scorecard: homs_revenge, fact4's Syrian share of exits)
        homs = ev[(ev["event"] == "join") & (ev["origin"] == "homs")]
        row["homs_revenge_share"] = float((homs["motive"] == "revenge").mean())
        row["syrian_exit_share"] = float(ts["exits_syrian"].sum()) / max(
            1.0, float((ts["exits_abroad"] + ts["exits_to_rival"]).sum())
        )
        row["peak_members"] = float(ts["members"].max())
        row["peak_month"] = float(ts["members"].to_numpy().argmax())
        row["members_end"] = float(ts["members"].iloc[-1])
        print(json.dumps(row), flush=True)


def sample(src: Path | None, size: int, replicates: int, seed: int) -> dict[str, np.ndarray]:
    """Headline outputs of ``replicates`` runs with the package under ``src`` (None: this one)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    if src is not None:
        env["PYTHONPATH"] = str(src)  # ahead of the editable install of the current code
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(size), str(replicates), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return {k: np.array([r[k] for r in rows]) for k in rows[0]}


def old_source(commit: str, into: Path) -> Path:
    """The ``src`` folder of ``commit``, extracted under ``into``."""
    done = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True)
    if done.returncode:
        print(f"--against: {commit!r} is not a commit of this repository", file=sys.stderr)
        sys.exit(2)
    blob = done.stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def compare(new: dict[str, np.ndarray], old: dict[str, np.ndarray]) -> list[dict[str, float]]:
    """Per output: means, standardized difference, KS and Welch p-values, Holm-adjusted."""
    rows = []
    for k in new:
        a, b = new[k], old[k]
        ks = stats.ks_2samp(a, b).pvalue if np.ptp(np.r_[a, b]) > 0 else 1.0
        welch = stats.ttest_ind(a, b, equal_var=False).pvalue if a.std() + b.std() > 0 else 1.0
        sd = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
        rows.append(
            {
                "output": k,
                "new_mean": float(a.mean()),
                "old_mean": float(b.mean()),
                "std_diff": float((a.mean() - b.mean()) / sd) if sd > 0 else 0.0,
                "ks_p": float(ks),
                "welch_p": float(welch),
            }
        )
    # Holm over every test made
    ps = np.array([[r["ks_p"], r["welch_p"]] for r in rows]).ravel()
    order = np.argsort(ps)
    adj = np.empty_like(ps)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (ps.size - rank) * ps[i]))
        adj[i] = running
    for j, r in enumerate(rows):
        r["ks_holm"], r["welch_holm"] = float(adj[2 * j]), float(adj[2 * j + 1])
    return rows


PLOTTED = [
    "peak_members",
    "members_end",
    "joins_ideology",
    "joins_economic",
    "exits_pay",
    "exits_abroad",
    "killed",
    "executed",
    "homs_revenge_share",
]


def plot(new: dict[str, np.ndarray], old: dict[str, np.ndarray], title: str, path: Path) -> None:
    """Empirical distribution functions of some headline outputs, both codes on each panel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 3, figsize=(10, 8.5), constrained_layout=True)
    for ax, k in zip(axes.ravel(), PLOTTED, strict=True):
        for sample, label, color in ((old, "earlier code", "0.45"), (new, "current code", "C0")):
            x = np.sort(sample[k])
            ax.step(x, np.arange(1, x.size + 1) / x.size, where="post", color=color, label=label)
        ax.set_title(k.replace("_", " "), fontsize=10)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
    axes[0, 0].set_ylabel("share of replicates at or below")
    axes[0, 0].legend(fontsize=8, loc="upper left")
    fig.suptitle(title, fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(*(int(x) for x in sys.argv[2:5]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", required=True, help="git commit of the earlier code")
    ap.add_argument("--replicates", type=int, default=100)
    ap.add_argument("--size", type=int, default=40_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plot", type=Path, help="also draw the distributions to this PNG")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = old_source(args.against, Path(tmp))
        old = sample(src, args.size, args.replicates, args.seed)
    new = sample(None, args.size, args.replicates, args.seed)
    rows = compare(new, old)
    print(
        f"reference scenario, {args.size:,} simulated people, {args.replicates} replicates each;"
        f" current code against {args.against}"
    )
    print(
        f"{'output':<24} {'new mean':>11} {'old mean':>11} {'diff/sd':>8} {'KS p':>7}"
        f" {'Welch p':>8} {'KS Holm':>8} {'W Holm':>8}"
    )
    for r in rows:
        print(
            f"{r['output']:<24} {r['new_mean']:>11,.1f} {r['old_mean']:>11,.1f}"
            f" {r['std_diff']:>8.3f} {r['ks_p']:>7.3f} {r['welch_p']:>8.3f}"
            f" {r['ks_holm']:>8.3f} {r['welch_holm']:>8.3f}"
        )
    if args.plot:
        plot(
            new,
            old,
            f"Reference scenario, {args.size:,} simulated people, {args.replicates} replicates"
            f" each: current code and {args.against}",
            args.plot,
        )
    worst = min(min(r["ks_holm"], r["welch_holm"]) for r in rows)
    print(f"smallest Holm-adjusted p-value: {worst:.3f} ({'differs' if worst < 0.05 else 'same'})")


if __name__ == "__main__":
    main()

"""``allegiance report``: one self-contained HTML page of an output folder (figures inlined)."""

from __future__ import annotations

import base64
import html
import io
import json
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import UserError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .experiments.comparison import Comparison
    from .results import Results

ARTICLE = (
    'Revkin, Mara and Mhidi, Ahmad, "Quitting ISIS: Why Syrians are Abandoning the Group", '
    "Foreign Affairs, 2016."
)


@dataclass
class Found:
    """What an output folder holds: runs, validations, surveys, comparisons, sweeps."""

    root: Path
    runs: list[Results] = field(default_factory=list)
    validations: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)  # csv, prov
    surveys: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)  # folder, prov
    comparisons: list[tuple[Path, Comparison]] = field(default_factory=list)
    sweeps: list[Path] = field(default_factory=list)


def _folders(root: Path, depth: int = 2) -> list[Path]:
    """``root`` and its sub-folders down to ``depth`` levels, in a stable order."""
    out, level = [root], [root]
    for _ in range(depth):
        level = sorted(p for f in level for p in f.iterdir() if p.is_dir() and p.name != "figures")
        out += level
    return out


def collect(root: str | Path) -> Found:
    """Find every output the report can show inside ``root`` (itself and two levels down)."""
    from .experiments import comparison
    from .results import Results

    r = Path(root)
    if not r.is_dir():
        raise UserError(f"{r}: no such folder")
    found = Found(r)
    for f in _folders(r):
        if (f / "timeseries.parquet").is_file() and (f / "events.parquet").is_file():
            found.runs.append(Results.from_parquet(f))
        if comparison.is_comparison(f):
            found.comparisons.append((f, comparison.load(f)))
        if (f / "manifest.json").is_file() and (f / "runs").is_dir():
            found.sweeps.append(f)
        for side in sorted(f.glob("*.provenance.json")):
            prov = json.loads(side.read_text(encoding="utf-8"))
            if prov.get("command") == "validate":
                csv = side.with_name(side.name.removesuffix(".provenance.json") + ".csv")
                if csv.is_file():
                    found.validations.append((csv, prov))
            elif prov.get("command") == "survey" and (f / "survey.csv").is_file():
                found.surveys.append((f, prov))
    # runs of one scenario in sub-folders are replicates: keep those that match the first
    if found.runs:
        first = found.runs[0]
        found.runs = [x for x in found.runs if x.scenario == first.scenario]
    return found


# ------------------------------------------------------------------------------ html pieces


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def png_data_uri(fig: Figure, dpi: int = 96) -> str:
    """The figure as a base64 PNG data URI (closes the figure)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _img(uri: str, alt: str, fig_id: str) -> str:
    return (
        f'<figure id="{_e(fig_id)}"><img class="plot" src="{uri}" alt="{_e(alt)}">'
        f"<figcaption>{_e(alt)}</figcaption></figure>"
    )


def _table(df: pd.DataFrame, index: bool = False, numeric: bool = True) -> str:
    """A DataFrame as an HTML table; ``numeric``: cells right-aligned but the first column."""
    return df.to_html(
        index=index, escape=True, border=0, classes="num" if numeric else None, na_rep="n/a"
    )


def _kv(rows: list[tuple[str, Any]]) -> str:
    body = "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v not in (None, "")
    )
    return f'<table class="kv">{body}</table>'


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
 background:#fafafa;line-height:1.45}
header{background:#263238;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:1.5em} header p{margin:2px 0;color:#cfd8dc}
nav{background:#eceff1;padding:8px 28px;position:sticky;top:0;border-bottom:1px solid #cfd8dc}
nav a{margin-right:16px;color:#1e4f8a;text-decoration:none;font-size:.95em}
main{padding:8px 28px 40px;max-width:1500px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 20px;margin:18px 0}
h2{border-bottom:2px solid #eceff1;padding-bottom:4px}
table{border-collapse:collapse;font-size:.9em;margin:8px 0}
th,td{padding:3px 9px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f5f5f5} td.n,th.n{text-align:right;white-space:nowrap}
table.num td,table.num th{text-align:right}
table.num td:first-child,table.num th:first-child,table.num tbody th{text-align:left}
figure{margin:14px 0} img.plot{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
.pass{color:#1b5e20;font-weight:bold} .fail{color:#b71c1c;font-weight:bold}
.note{color:#555;font-size:.9em} pre{background:#f5f5f5;padding:10px;overflow:auto;
 max-height:420px;font-size:.8em}
"""


# ------------------------------------------------------------------------------ sections


def _command(prov: dict[str, Any]) -> str:
    """The command line as typed: 'allegiance run ...' (the script's path shortened)."""
    argv = list(prov.get("argv") or [])
    if argv and Path(argv[0]).name == "allegiance":
        return " ".join(["allegiance", *argv[1:]])
    return f"{prov.get('command', '')} (from Python)"


def _main_provenance(found: Found) -> tuple[dict[str, Any], Any]:
    """The provenance and scenario the page opens with: the run's, else a comparison's or sweep's."""
    from . import provenance as pv

    if found.runs:
        return dict(found.runs[0].provenance), found.runs[0].scenario
    prov: dict[str, Any] = {}
    if found.comparisons:
        comp = found.comparisons[0][1]
        prov = dict(comp.provenance)
        text = (prov.get("scenarios") or {}).get(comp.base)
        prov.setdefault("scenario_yaml", text)
    elif found.sweeps:
        prov = pv.read(found.sweeps[0]) or {}
    elif found.validations:
        prov = dict(found.validations[0][1])
    elif found.surveys:
        prov = dict(found.surveys[0][1])
    try:
        sc = pv.scenario_from_yaml(prov["scenario_yaml"]) if prov.get("scenario_yaml") else None
    except UserError:
        sc = None
    return prov, sc


def _where(found: Found, folder: Path) -> str:
    rel = folder.relative_to(found.root)
    return folder.name if str(rel) == "." else str(rel)


def _provenance_section(found: Found) -> str:
    prov, sc = _main_provenance(found)
    parts = ['<section id="scenario"><h2>Scenario and provenance</h2>']
    if sc is not None:
        parts.append(f"<p><b>{_e(sc.name)}</b>: {_e(sc.description)}</p>")
        parts.append(
            _kv(
                [
                    ("months", f"{sc.start} to {sc.end} ({len(sc.months)} months)"),
                    ("simulated people", f"{sc.population.size:,}"),
                    ("real people per simulated person", f"{sc.population.scale:g}"),
                    ("runs in this folder", len(found.runs) or None),
                    ("seeds", ", ".join(str(r.seed) for r in found.runs)),
                ]
            )
        )
        if sc.timeline:
            tl = pd.DataFrame(
                [{"month": e.month, "event": e.id, "what happens": e.note} for e in sc.timeline]
            )
            parts.append(
                "<h3>Timeline (dotted lines on every time axis)</h3>" + _table(tl, numeric=False)
            )
    parts.append("<h3>What produced these results</h3>")
    parts.append(
        _kv(
            [
                ("command", _command(prov)),
                ("allegiance version", prov.get("allegiance_version")),
                ("git commit", prov.get("git_commit") or "unknown"),
                ("written", prov.get("created")),
                ("seed", prov.get("seed")),
                ("overrides (--set)", "; ".join(prov.get("overrides") or []) or "none"),
                ("scenario files", ", ".join(prov.get("sources") or [])),
                ("Python", prov.get("python")),
            ]
        )
    )
    if prov.get("scenario_yaml"):
        parts.append(
            "<details><summary>Resolved scenario (YAML; reruns with "
            "<code>allegiance run scenario.yaml --seed SEED</code>)</summary>"
            f"<pre>{_e(prov['scenario_yaml'])}</pre></details>"
        )
    parts.append("</section>")
    return "".join(parts)


def _summary_section(found: Found) -> str:
    if not found.runs:
        return ""
    run = found.runs[0]
    note = (
        f"First run of {len(found.runs)} (seed {run.seed}); the figures show all of them."
        if len(found.runs) > 1
        else f"Seed {run.seed}. Counts are real people (each simulated person stands for "
        f"{run.scale:g})."
    )
    return (
        '<section id="summary"><h2>Headline figures</h2>'
        f'<p class="note">{_e(note)}</p>{_table(run.summary())}</section>'
    )


def _figures_section(found: Found) -> str:
    from . import plots

    if not found.runs:
        return ""
    captions = {
        "strength": "Members by origin and by joining motive; black bars: published strength "
        "estimates.",
        "flows": "Joins, exits, combat deaths and executions per month; the top panel puts "
        "them on one log scale because deaths dwarf exits.",
        "economy": "Pay of Syrian and foreign members (published estimates hatched), the pay "
        "factor and the group's revenue.",
        "society": "Share of members under 18, civilian harm, and days of training.",
    }
    parts = ['<section id="figures"><h2>Figures</h2>']
    for kind, fn in plots.FIGURES.items():
        try:
            fig = fn(found.runs)
        except KeyError as err:
            parts.append(f'<p class="note">{_e(kind)}: not drawn ({_e(err)})</p>')
            continue
        parts.append(_img(png_data_uri(fig), captions.get(kind, kind), f"fig-{kind}"))
    parts.append("</section>")
    return "".join(parts)


def _why_section(found: Found) -> str:
    """Who left and why: exits by driver and joining motive, from the event log (real people)."""
    if not found.runs:
        return ""
    run = found.runs[0]
    ev = run.events
    gone = ev[ev["event"].astype(str).isin(("desert", "defect"))]
    if gone.empty:
        return ""
    tab = pd.crosstab(
        gone["driver"].astype(str), gone["motive"].astype(str), margins=True, margins_name="all"
    )
    from .people import DRIVERS, MOTIVES

    rows = [d for d in DRIVERS if d in tab.index] + ["all"]
    cols = [m for m in MOTIVES if m in tab.columns] + ["all"]
    tab = (tab.reindex(index=rows, columns=cols, fill_value=0) * run.scale).round().astype(int)
    tab.index.name = None  # one header row: the corner cell says what rows and columns are
    tab.columns.name = "exit driver ↓  joining motive →"
    return (
        '<section id="why"><h2>Why did they leave?</h2><p class="note">Exits (desertions and '
        "defections) in the event log by the driver that tipped the decision and the motive "
        f"for joining, real people (seed {run.seed}).</p>"
        f"{_table(tab, index=True)}</section>"
    )


def _scorecard_html(card: Any, where: str) -> str:
    checks, pats = card.checks(), card.patterns().set_index("pattern")
    rows = []

    def spread(c: pd.Series) -> str:
        return f"{_fmt(c['p5'])}–{_fmt(c['p95'])}" if card.n > 1 else "one run"

    for pid, group in checks.groupby("pattern", sort=False):
        pat = pats.loc[pid]
        for j, (_, c) in enumerate(group.iterrows()):
            verdict = ""
            if j == 0:
                cls = "pass" if pat["passed"] else "fail"
                verdict = f'<span class="{cls}">{"PASS" if pat["passed"] else "FAIL"}</span>'
                verdict += f" ({pat['share']:.0%})"
            rows.append(
                f"<tr><td>{_e(pid) if j == 0 else ''}</td><td>{_e(pat['kind']) if j == 0 else ''}"
                f"</td><td>{_e(c['description'])}</td><td class=n>{_fmt(c['mean'])}</td>"
                f"<td class=n>{spread(c)}</td><td class=n>{_e(c['target'])}</td>"
                f"<td class=n>{c['share']:.0%}</td><td>{verdict}</td></tr>"
            )
    n_fail = int((~pats["passed"]).sum())
    head = (
        "<tr><th>pattern</th><th>kind</th><th>check</th><th class=n>simulated mean</th>"
        "<th class=n>5–95%</th><th class=n>target</th><th class=n>holds in</th>"
        "<th>verdict</th></tr>"
    )
    verdict = (
        f'<p class="pass">All {len(pats)} patterns pass.</p>'
        if n_fail == 0
        else f'<p class="fail">{n_fail} of {len(pats)} patterns fail: '
        f"{_e(', '.join(pats.index[~pats['passed']]))}</p>"
    )
    return (
        f'<p class="note">{_e(where)} Scenario <b>{_e(card.scenario_name)}</b>, {card.n} '
        f"replicate(s). Facts pass when they hold in at least "
        f"{card.targets.fact_min_share:.0%} of replicates; figures when the replicate mean is "
        "in range. A pattern used to fit parameters that passes is a check of the fit, not "
        "independent validation: docs/ODD.md says which were fitted.</p>"
        f"{verdict}<table>{head}{''.join(rows)}</table>"
    )


def _fmt(x: float) -> str:
    from .analysis.validate import _fmt as fmt

    return _e(fmt(float(x)))


def _validation_section(found: Found) -> str:
    from .analysis import targets as tg
    from .analysis.validate import Scorecard

    parts = ['<section id="validation"><h2>Validation scorecard</h2>']
    if found.validations:
        for csv, prov in found.validations:
            named = Path(str(prov.get("targets") or ""))
            tgt = tg.load(named if named.is_file() else tg.PATH)
            runs = pd.read_csv(csv)
            card = Scorecard(tgt, runs, prov.get("scenario_name") or "")
            where = f"From {csv.relative_to(found.root)} (allegiance validate, master seed " + (
                f"{prov.get('seed')})."
            )
            parts.append(_scorecard_html(card, where))
    elif found.runs:
        tgt = tg.load(tg.PATH)
        frames = []
        for r in found.runs:
            ev = tg.evaluate(tgt, r)
            ev.insert(0, "seed", r.seed)
            frames.append(ev)
        card = Scorecard(tgt, pd.concat(frames, ignore_index=True), found.runs[0].scenario.name)
        where = (
            f"Computed from the {len(found.runs)} run(s) in this folder; for a scorecard over "
            "20 replicates run: allegiance validate SCENARIO -n 20 --out OUT/validate.csv."
        )
        parts.append(_scorecard_html(card, where))
    else:
        return ""
    parts.append("</section>")
    return "".join(parts)


def _survey_section(found: Found) -> str:
    from .analysis.survey import figure, survey

    parts = [
        '<section id="survey"><h2>The survey: who do you meet when you interview deserters '
        "in Turkey?</h2>"
    ]
    if found.surveys:
        for folder, prov in found.surveys:
            table = pd.read_csv(folder / "survey.csv", index_col=0)
            parts.append(
                f'<p class="note">From {_e(_where(found, folder))}: '
                f"{_e(prov.get('n'))} deserters interviewed up to {_e(prov.get('until'))}, "
                f"seed {_e(prov.get('seed'))}.</p>"
            )
            png = folder / "survey.png"
            if png.is_file():
                uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
                parts.append(_img(uri, "Simulated survey against all leavers", "fig-survey"))
            parts.append(_table(_pct(table), index=True))
    elif found.runs:
        run = found.runs[0]
        until = min("2016-06", run.scenario.end)
        try:
            result = survey(run.events, n=8, seed=run.seed, until=until)
        except UserError as err:
            parts.append(f'<p class="note">No survey: {_e(err)}</p></section>')
            return "".join(parts)
        with tempfile.TemporaryDirectory() as tmp:
            png = figure(result, Path(tmp) / "survey.png")
            uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
        parts.append(
            f'<p class="note">Eight simulated deserters interviewed in Turkey up to {until} '
            f"(seed {run.seed}), beside everyone who left and everyone who tried.</p>"
        )
        parts.append(_img(uri, "Simulated survey against all leavers", "fig-survey"))
        parts.append(_table(_pct(result.table()), index=True))
    else:
        return ""
    parts.append("</section>")
    return "".join(parts)


def _pct(df: pd.DataFrame) -> pd.DataFrame:
    return df.map(lambda x: f"{x:.0%}" if isinstance(x, float) and x <= 1.0 else x)


def _comparisons_section(found: Found) -> str:
    from .plots.experiments import COMPARISON_FIGURES

    if not found.comparisons:
        return ""
    parts = ['<section id="counterfactuals"><h2>Counterfactuals</h2>']
    for folder, comp in found.comparisons:
        d = comp.differences
        view = pd.DataFrame(
            {
                "alternative": d["alt"],
                "outcome": d["outcome"],
                "baseline mean": d["base_mean"].map(lambda x: f"{x:,.4g}"),
                "alternative mean": d["alt_mean"].map(lambda x: f"{x:,.4g}"),
                "ALT - BASE": d["diff"].map(lambda x: f"{x:+,.4g}"),
                "95% interval": [
                    f"{lo:+,.4g} .. {hi:+,.4g}"
                    for lo, hi in zip(d["ci_low"], d["ci_high"], strict=True)
                ],
                "change": d["pct_change"].map(lambda x: "n/a" if pd.isna(x) else f"{x:+.1f}%"),
                "pairs": d["pairs"],
            }
        )
        parts.append(
            f"<h3>{_e(', '.join(comp.arms[1:]))} vs {_e(comp.base)} "
            f'<span class="note">({_e(_where(found, folder))})</span></h3>'
        )
        parts.append(_table(view.set_index(["alternative", "outcome"]), index=True))
        for name, fn in COMPARISON_FIGURES.items():
            try:
                fig = fn(comp)
            except KeyError:
                continue
            parts.append(_img(png_data_uri(fig), CAPTIONS[name], f"fig-{folder.name}-{name}"))
    parts.append("</section>")
    return "".join(parts)


CAPTIONS = {
    "compare_timeseries": "Each scenario over time: median and 50%/90% bands over replicates "
    "(common seeds), the baseline in black.",
    "compare_outcomes": "Outcomes by scenario: one dot per run; bar = 50% interval, whiskers = "
    "90%, tick = median.",
    "compare_differences": "Paired differences ALT - BASE as % of the baseline mean, with 95% t "
    "intervals.",
    "sweep_scatter": "Each outcome against each factor: one dot per run, black line = median.",
    "sweep_envelopes": "Envelopes over time across all runs of the sweep: range, 90% and 50% "
    "bands, median.",
    "sweep_sensitivity": "Sensitivity: Sobol indices (sobol designs) or rank correlations of "
    "factors with outcomes.",
}


def _sweeps_section(found: Found) -> str:
    if not found.sweeps:
        return ""
    try:
        from .plots.sweep import SWEEP_FIGURES, load_sweep
    except ImportError:  # pragma: no cover - sweep figures not installed in this checkout
        return ""
    parts = ['<section id="sweeps"><h2>Sweeps</h2>']
    for folder in found.sweeps:
        sweep = load_sweep(folder)
        spec = sweep.manifest.get("spec", {})
        parts.append(f"<h3>Sweep {_e(spec.get('name', ''))} ({_e(_where(found, folder))})</h3>")
        parts.append(
            _kv(
                [
                    ("question", spec.get("description")),
                    (
                        "design",
                        f"{sweep.design}, {len(sweep.manifest.get('points', []))} points "
                        f"x {sweep.manifest.get('replicates')} replicates",
                    ),
                    ("finished runs", len(sweep.runs)),
                    ("factors", ", ".join(sweep.factors)),
                    ("outcomes", ", ".join(sweep.outcomes)),
                ]
            )
        )
        for name, fn in SWEEP_FIGURES.items():
            try:
                fig = fn(sweep)
            except KeyError:
                continue
            parts.append(_img(png_data_uri(fig), CAPTIONS[name], f"fig-{folder.name}-{name}"))
    parts.append("</section>")
    return "".join(parts)


def build(root: str | Path) -> str:
    """The whole report of an output folder as one HTML string (no external resources)."""
    from . import provenance as pv

    found = collect(root)
    if not (found.runs or found.comparisons or found.sweeps or found.validations or found.surveys):
        raise UserError(
            f"{root}: nothing to report (no run, comparison, sweep, validation or survey here)"
        )
    sections = [
        ("scenario", "Scenario", _provenance_section(found)),
        ("summary", "Headline figures", _summary_section(found)),
        ("figures", "Figures", _figures_section(found)),
        ("why", "Why they left", _why_section(found)),
        ("validation", "Validation", _validation_section(found)),
        ("survey", "Survey", _survey_section(found)),
        ("counterfactuals", "Counterfactuals", _comparisons_section(found)),
        ("sweeps", "Sweeps", _sweeps_section(found)),
    ]
    nav = "".join(f'<a href="#{sid}">{_e(t)}</a>' for sid, t, body in sections if body)
    name = found.runs[0].scenario.name if found.runs else Path(root).name
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>allegiance report: {_e(name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>allegiance report: {_e(name)}</h1>"
        f"<p>{_e(Path(root))} · allegiance {_e(pv.version())} · written "
        f"{_e(time.strftime('%Y-%m-%d %H:%M'))}</p>"
        f"<p>Model built from {_e(ARTICLE)} A tool for understanding exits from armed groups."
        "</p></header>"
        f"<nav>{nav}</nav><main>{''.join(body for _, _, body in sections)}</main></body></html>\n"
    )


def write(root: str | Path, path: str | Path | None = None) -> Path:
    """Build the report of ``root`` and write it (default ROOT/report.html)."""
    from .provenance import _atomic_text

    target = Path(path) if path is not None else Path(root) / "report.html"
    text = build(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    _atomic_text(target, text)
    return target

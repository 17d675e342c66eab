"""The explorer's page (Panel): levers from the schema, Run/Cancel, plots, differences, files."""

from __future__ import annotations

import io
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import panel as pn  # noqa: E402

from .. import plots  # noqa: E402
from ..errors import UserError  # noqa: E402
from ..scenario import Scenario, load  # noqa: E402
from .controls import Lever, Setting, levers, setting_scenario  # noqa: E402
from .engine import (  # noqa: E402
    Outcome,
    bundle,
    compare_setting,
    headline,
    load_upload,
    posterior_path,
    reference_path,
    with_size,
)
from .limits import Cancelled, Gate, Limits  # noqa: E402

DEFAULT_SIZE = 20_000  # simulated people: about half a second a run here
DEFAULT_REPLICATES = 3
DPI = 60
MAX_UPLOAD = 1_000_000  # bytes: a scenario is a few kilobytes
PANELS: tuple[tuple[str, str, str, float], ...] = (
    ("members", "Members, all origins", "members (people)", 1.0),
    ("members_syrian", "Syrian members", "members (people)", 1.0),
    ("members_foreign", "Foreign members", "members (people)", 1.0),
    ("exits_total_cum", "Exits, all drivers: running total", "people (since the start)", 1.0),
    ("killed_cum", "Killed in combat: running total", "people (since the start)", 1.0),
    ("executed_cum", "Executed for trying to leave: running total", "people", 1.0),
    ("pay_syrian_usd", "Pay of a Syrian fighter", "USD per month", 1.0),
    ("under18_share", "Share of members under 18", "share", 1.0),
    ("civilian_harm", "Civilian harm", "harm index (dimensionless)", 1.0),
)
TABS = ("Compare with the baseline", "Strength", "Exits by driver", "Economy", "Society")
CSS = """
.explore-error { color: #b00020; font-weight: 600; }
"""


def png(fig: Any) -> bytes:
    """A Figure as PNG bytes (and closed, so a long session does not pile up figures)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def draw(outcome: Outcome, tab: int) -> bytes:
    """The picture of one tab: the comparison (bands of both arms) or a standard figure."""
    if tab == 0:
        return png(plots.comparison_timeseries(outcome.comparison(), PANELS))
    kind = ("strength", "flows", "economy", "society")[tab - 1]
    return png(plots.FIGURES[kind](outcome.setting_runs))


def widget(lv: Lever) -> Any:
    """One lever's widget, its hover text (description) the schema's unit, range and source."""
    name = f"{lv.label} ({'× series' if lv.kind == 'scale' else lv.unit})"
    common = {"name": name, "sizing_mode": "stretch_width"}
    if lv.kind == "bool":
        return pn.widgets.Checkbox(value=bool(lv.value), **common)
    if lv.kind == "int":
        return pn.widgets.IntSlider(
            start=int(lv.lo), end=int(lv.hi), step=1, value=int(lv.value), **common
        )
    return pn.widgets.FloatSlider(
        start=lv.lo, end=lv.hi, step=lv.step, value=lv.value, format="0[.]0000", **common
    )


class Explorer:
    """One browser session's page and state."""

    def __init__(self, reference: Scenario, limits: Limits, gate: Gate) -> None:
        self.reference, self.limits, self.gate = reference, limits, gate
        self.base = reference
        self.session = uuid.uuid4().hex
        self.cancel = threading.Event()
        self.outcome: Outcome | None = None
        self.pictures: dict[int, bytes] = {}
        self.size = pn.widgets.IntInput(
            name=f"simulated people (1,000 to {limits.max_size:,})", value=DEFAULT_SIZE,
            step=10_000, width=220,
        )  # fmt: skip
        self.replicates = pn.widgets.IntInput(
            name=f"replicates (1 to {limits.max_replicates})", value=DEFAULT_REPLICATES, width=160
        )
        self.seed = pn.widgets.IntInput(name="seed", value=0, width=120)
        self.run_button = pn.widgets.Button(name="Run", button_type="primary", width=100)
        self.cancel_button = pn.widgets.Button(name="Cancel", disabled=True, width=100)
        self.progress = pn.indicators.Progress(value=0, max=100, visible=False, width=440)
        # plain text, never Markdown: the message must read exactly as the CLI prints it
        self.error = pn.pane.Str("", css_classes=["explore-error"], visible=False)
        self.message = pn.pane.Markdown(
            "Press **Run** to draw your setting beside the baseline.",
            css_classes=["explore-message"],
        )
        self.heading = pn.pane.Markdown(
            "### Headline outcomes: setting minus baseline, paired by seed", visible=False
        )
        self.notes = pn.pane.Markdown("", css_classes=["explore-notes"])
        self.table = pn.pane.DataFrame(None, index=False, float_format="{:,.4g}".format)
        self.download = pn.widgets.FileDownload(
            callback=self._bundle, filename="allegiance-explore.zip",
            label="Download: scenario YAML, seeds, Parquet", disabled=True, button_type="success",
        )  # fmt: skip
        self.upload = pn.widgets.FileInput(accept=".yaml,.yml", name="Load a scenario")
        self.tabs = pn.Tabs(
            *[(t, pn.pane.PNG(None, sizing_mode="stretch_width")) for t in TABS],
            sizing_mode="stretch_width",
            visible=False,  # until the first run
        )
        self.sidebar = pn.Column(sizing_mode="stretch_width")
        self.controls: dict[str, tuple[Lever, Any, Any]] = {}
        self.event_boxes: dict[str, tuple[Any, Any, str]] = {}
        self._build_controls()
        self.run_button.on_click(lambda _e: self.press_run())
        self.cancel_button.on_click(lambda _e: self.cancel.set())
        self.upload.param.watch(self._on_upload, "value")
        self.tabs.param.watch(self._on_tab, "active")

    # ------------------------------------------------------------------ controls
    def _build_controls(self) -> None:
        items: list[Any] = [
            pn.pane.Markdown(
                f"**Levers** (start: `{self.base.name}`). Hover the (?) of a control for its "
                "unit, plausible range and source. A moved lever holds for the whole run, or "
                "from the month you type beside it; timeline events that set the same field "
                "are dropped (the page says which)."
            )
        ]
        self.controls = {}
        for group, lvs in levers(self.base).items():
            rows = []
            for lv in lvs:
                w = widget(lv)
                month = pn.widgets.TextInput(
                    placeholder="from YYYY-MM (blank: whole run)", width=200, visible=False
                )
                w.param.watch(lambda _e, m=month: setattr(m, "visible", True), "value")
                self.controls[lv.path] = (lv, w, month)
                hover = pn.widgets.TooltipIcon(value=lv.hover, css_classes=["lever-help"])
                rows += [pn.Row(w, hover, sizing_mode="stretch_width"), month]
            items.append(pn.Card(*rows, title=group, collapsed=group not in ("Pay", "Training")))
        boxes = []
        self.event_boxes = {}
        for ev in self.base.timeline:
            if not ev.id:
                continue  # only named events can be left out or moved
            box = pn.widgets.Checkbox(name=ev.id, value=True, width=170)
            month = pn.widgets.TextInput(value=ev.month, width=90)
            hover = pn.widgets.TooltipIcon(value=f"{ev.note}; sets {', '.join(ev.set)}")
            self.event_boxes[ev.id] = (box, month, ev.month)
            boxes.append(pn.Row(box, month, hover))
        items.append(
            pn.Card(
                *boxes, title="Timeline events (untick to leave out; edit a month to move)",
                collapsed=True,
            )
        )  # fmt: skip
        self.sidebar.objects = items

    def setting(self) -> Setting:
        """The user's setting: levers moved from their start, their months, events left out."""
        values, months = {}, {}
        for path, (lv, w, month) in self.controls.items():
            if float(w.value) != float(lv.value):
                values[path] = float(w.value)
                if month.value.strip():
                    months[path] = month.value.strip()
        events: dict[str, str | None] = {}
        for i, (box, month, was) in self.event_boxes.items():
            if not box.value:
                events[i] = None
            elif month.value.strip() != was:
                events[i] = month.value.strip()
        return Setting(values, months, events)

    # ------------------------------------------------------------------ run
    def show_error(self, text: str) -> None:
        self.error.object = text
        self.error.visible = bool(text)

    def press_run(self) -> None:
        """Validate, then run in a worker thread (one run at a time per session)."""
        self.show_error("")
        try:
            self.limits.check(int(self.size.value), int(self.replicates.value))
            setting, notes = setting_scenario(self.base, self.setting(), int(self.size.value))
            baseline = with_size(self.reference, int(self.size.value))
            self.gate.enter(self.session)
        except UserError as err:
            self.show_error(str(err))
            return
        self.cancel.clear()
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.progress.value, self.progress.visible = 0, True
        args = (setting, baseline, notes)
        threading.Thread(target=self._work, args=args, daemon=True).start()

    def _work(self, setting: Scenario, baseline: Scenario, notes: list[str]) -> None:
        t0 = time.perf_counter()
        had_slot = False
        try:
            self.message.object = "waiting for another session's run to finish…"
            self.gate.wait_slot(self.cancel)
            had_slot = True
            self.message.object = "running…"
            last = [0]

            def report(share: float) -> None:
                pct = int(share * 100)
                if pct >= last[0] + 2 or pct == 100:  # a few dozen updates, not thousands
                    last[0] = pct
                    self.progress.value = pct

            out = compare_setting(
                setting, baseline, int(self.replicates.value), int(self.seed.value),
                notes=notes, progress=report, cancel=self.cancel, posterior=posterior_path(),
            )  # fmt: skip
            t_run = time.perf_counter() - t0
            active = self.tabs.active
            self.outcome, self.pictures = out, {active: draw(out, active)}
            for i, pane in enumerate(self.tabs.objects):
                pane.object = self.pictures.get(i)
            self.table.object = headline(out)
            self.notes.object = "\n".join(f"- note: {n}" for n in out.notes)
            self.download.disabled = False
            self.tabs.visible = self.heading.visible = True
            self.message.object = (
                f"done: {len(out.seeds)} replicate(s) of {setting.population.size:,} simulated "
                f"people per arm (seed {out.seed}); runs {t_run:.1f} s, run to plots "
                f"{time.perf_counter() - t0:.1f} s"
            )
        except Cancelled:
            self.message.object = "cancelled: nothing shown from the stopped run"
        except UserError as err:
            self.show_error(str(err))
            self.message.object = ""
        except Exception as err:  # noqa: BLE001 - the page shows it rather than dying silently
            self.show_error(f"the run failed: {type(err).__name__}: {err}")
            self.message.object = ""
        finally:
            self.gate.leave(self.session, had_slot)
            self.progress.visible = False
            self.run_button.disabled, self.cancel_button.disabled = False, True

    def _on_tab(self, event: Any) -> None:
        i = int(event.new)
        if self.outcome is not None and i not in self.pictures:
            self.pictures[i] = draw(self.outcome, i)
            self.tabs.objects[i].object = self.pictures[i]

    # ------------------------------------------------------------------ files
    def _bundle(self) -> io.BytesIO:
        if self.outcome is None:
            raise UserError("run first: there is nothing to download yet")
        return io.BytesIO(bundle(self.outcome))

    def _on_upload(self, event: Any) -> None:
        if not event.new:
            return
        if len(event.new) > MAX_UPLOAD:
            self.show_error(
                f"{self.upload.filename}: too large for a scenario file "
                f"({len(event.new):,} bytes; at most {MAX_UPLOAD:,})"
            )
            return
        try:
            loaded = load_upload(self.upload.filename or "scenario.yaml", event.new)
        except UserError as err:
            self.show_error(str(err))
            return
        self.show_error("")
        self.base = loaded
        self._build_controls()
        self.message.object = f"loaded {self.upload.filename}: the levers now start from it"

    # ------------------------------------------------------------------ page
    def page(self) -> Any:
        """The whole page."""
        post = posterior_path()
        baseline = (
            f"the reference scenario on posterior draws of `{Path(post).name}`, replicate i on "
            "draw i, so the intervals are credible intervals"
            if post
            else "the reference scenario"
        )
        intro = pn.pane.Markdown(
            "## allegiance explorer\nMove a lever, press **Run**, and compare your setting "
            f"(blue) with the baseline (black: {baseline}) over the same seeds. A "
            "tool for understanding why people leave an armed group (Revkin & Mhidi, "
            "*Quitting ISIS*, Foreign Affairs, 2016).",
            sizing_mode="stretch_width",
        )
        main = pn.Column(
            intro,
            pn.Row(self.size, self.replicates, self.seed),
            pn.Row(self.run_button, self.cancel_button, self.progress),
            self.error,
            self.message,
            self.notes,
            pn.Row(self.download, self.upload),
            self.heading,
            self.table,
            self.tabs,
            sizing_mode="stretch_width",
        )
        return pn.Row(
            pn.Column(self.sidebar, width=380, scroll=True, height=1000),
            main,
            sizing_mode="stretch_width",
        )


def serve(host: str, port: int, limits: Limits, open_browser: bool = False) -> None:
    """Serve the explorer on ``host:port`` until stopped (each browser tab a new session)."""
    reference = load(reference_path())
    gate = Gate(limits.max_concurrent)
    pn.config.raw_css = [*pn.config.raw_css, CSS]
    pn.serve(
        lambda: Explorer(reference, limits, gate).page(),
        address=host,
        port=port,
        show=open_browser,
        title="allegiance explorer",
        # on the loopback only this machine's pages may connect; --public lets others in
        websocket_origin=(
            [f"localhost:{port}", f"127.0.0.1:{port}"]
            if host in ("127.0.0.1", "localhost", "::1")
            else ["*"]
        ),
        threaded=True,
        print_url=True,
    )

// The Charts view: the newest run against a baseline run (the previous one, one the user pins,
// or none) on one shared modelled-time axis: NVMe commands completed per second by opcode,
// bandwidth over the host link against inside the device, block-layer merges and splits, and
// queue depth per I/O queue; the runs' totals; and the NVMe/TCP experiment's bars. Plots are
// uPlot canvases, each in a figure with a caption, an accessible name and a Data table of the
// binned numbers. The binning is web/views/charts-model.ts.

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./charts.css";
import { h, show, table } from "../dom";
import type { ViewContext } from "../app/view";
import type { StoreState, TcpRun } from "../app/store";
import { experiment } from "../app/experiments";
import type { LabRun } from "../../src/lab/session";
import {
  binRun, runTotals, timeAxis, timeUnit, binStarts, keepRun, baselineOf, runLabel, tcpBars,
  fmtNum, fmtBytes, fmtSI, fmtTime, OPCODE_CLASSES, type Axis, type KeptRun, type RunSeries, type RunTotals,
  simpleLinkNote, tcpComparison,
} from "./charts-model";

/** One line of a chart. */
interface Line {
  label: string;
  values: Array<number | null>;
  /** Index into the palette (--chart-0 ...). */
  color: number;
  /** The baseline run is dashed, the newest solid. */
  dashed: boolean;
  stepped?: boolean;
  /** Bars from the bin start to the next (counts per bin). */
  bars?: boolean;
  thin?: boolean;
  /** Off until clicked in the legend. */
  hidden?: boolean;
}

interface ChartSpec {
  id: string;
  title: string;
  /** What the chart shows, for its accessible name and its caption's second line. */
  about: string;
  yLabel: string;
  lines: Line[];
  /** Extra columns of the Data table only (e.g. per-bin counts of a cumulative chart). */
  tableOnly?: Array<{ label: string; values: Array<number | null> }>;
  digits: number;
  /** Said under the title, in full (what a reader could take for a bug). */
  note?: string;
}

const CLASS_COLOR: Record<string, number> = { Read: 0, Write: 1, Copy: 2, "Dataset Management": 3, "Write Zeroes": 4, Flush: 5, Other: 6 };
const PALETTE = 8;
/** Per-queue lines: palette entries other than the totals' (1 mean, 7 max). */
const QUEUE_COLORS = [4, 0, 3, 2, 6, 5];

export function mountCharts(panel: HTMLElement, ctx: ViewContext): void {
  const { store } = ctx;
  let kept: Array<KeptRun<LabRun>> = [];
  /** "previous": the run before the newest; a number: a run the user pinned; "none": the newest alone. */
  let choice: "previous" | "none" | number = "previous";
  let dirty = true;
  let plots: Array<{ u: uPlot; box: HTMLElement }> = [];
  let lastSeq = -1;
  let lastTcp: TcpRun | undefined;

  const resize = new ResizeObserver((entries) => {
    for (const e of entries) {
      const p = plots.find((x) => x.box === e.target);
      const w = Math.floor(e.contentRect.width);
      if (p && w > 0 && Math.abs(p.u.width - w) > 1) p.u.setSize({ width: w, height: plotHeight(w) });
    }
  });

  function remember(s: StoreState): void {
    if (!s.run || s.runSeq === lastSeq) return;
    lastSeq = s.runSeq;
    const x = experiment(s.experiment);
    kept = keepRun(kept, { seq: s.runSeq, run: s.run, title: x?.title ?? "custom setup", edited: s.edited }, 6, typeof choice === "number" ? choice : undefined);
  }

  function redraw(): void {
    if (panel.hidden) { dirty = true; return; }
    dirty = false;
    for (const p of plots) { resize.unobserve(p.box); p.u.destroy(); }
    plots = [];
    const s = store.state;
    const intro = h("p", { class: "hint" },
      "Modelled time on the x axis. Each run's commands, block-layer merges and splits and outstanding NVMe commands, binned; ",
      "bytes over the host link are what crosses between host memory and the controller (Read/Write data, Copy Source Range entries, DSM ranges), ",
      "bytes inside the device are what Copy moved media to media.");
    const tcp = s.tcp ? tcpSection(s.tcp) : null;
    const newest = kept[kept.length - 1];
    if (!newest) {
      const go = h("button", { type: "button" }, "Open Experiments");
      go.addEventListener("click", () => ctx.navigate("experiments"));
      // the NVMe/TCP experiment has no time series: with its result here, the view is not empty
      show(panel, h("h2", { class: "view-title" }, "Charts"),
        tcp ? [tcp, h("p", { class: "hint charts-no-series" }, "The time-series charts (command rate, bandwidth, merges, queue depth) show a run of a setup: run one of the other experiments, or Run in the bar above with a setup chosen.")]
          : h("section", { class: "card charts-empty", "aria-label": "No run yet" },
            h("p", null, s.running ? "A run is under way; its charts appear here when it ends."
              : "No run yet. Choose an experiment in the Experiments view and press its Run (or press Run in the bar above to run the current setup). The charts then show that run, and the next run side by side with it."),
            h("div", { class: "controls" }, go)));
      return;
    }
    const base = baselineOf(kept, choice);
    const shown = base ? [newest, base] : [newest];
    const axis = timeAxis(shown.map((k) => k.run.end_ns));
    const series = shown.map((k) => binRun(k.run, axis));
    const totals = shown.map((k) => runTotals(k.run));
    const unit = timeUnit(axis.end_ns);
    const xs = binStarts(axis, unit.ns);
    const specs = chartSpecs(shown, series, axis);
    const figures = specs.map((spec) => figure(spec, shown, xs, unit, axis));
    show(panel,
      h("h2", { class: "view-title" }, "Charts"),
      intro,
      runsCard(shown),
      h("div", { class: "charts-grid" }, figures.map((f) => f.el)),
      totalsCard(shown, totals),
      tcp);
    // uPlot needs the boxes in the document to measure them
    for (const f of figures) f.plot();
  }

  // ---- the runs compared ----

  function runsCard(shown: Array<KeptRun<LabRun>>): HTMLElement {
    const [newest, base] = shown;
    const select = h("select", { id: "charts-baseline" },
      h("option", { value: "previous" }, kept.length > 1 ? `The previous run (${runLabel(kept[kept.length - 2])})` : "The previous run (none yet)"),
      kept.slice(0, -1).reverse().map((k) => h("option", { value: String(k.seq) }, `Pin ${runLabel(k)}`)),
      h("option", { value: "none" }, "Nothing: the newest run alone"));
    select.value = String(choice);
    if (select.value !== String(choice)) select.value = "previous";
    select.addEventListener("change", () => {
      const v = select.value;
      choice = v === "previous" || v === "none" ? v : Number(v);
      redraw();
      document.getElementById("charts-baseline")?.focus();
    });
    return h("section", { class: "card charts-runs", "aria-labelledby": "charts-runs-h" },
      h("h3", { id: "charts-runs-h" }, base ? "Two runs side by side" : "One run"),
      h("ul", { class: "charts-key", "aria-label": "Runs in the charts" },
        h("li", null, h("span", { class: "swatch solid", "aria-hidden": "true" }), h("span", null, "Solid lines: ", h("strong", null, runLabel(newest)), ` — ${fmtTime(newest.run.end_ns)} modelled`)),
        base ? h("li", null, h("span", { class: "swatch dashed", "aria-hidden": "true" }), h("span", null, "Dashed lines: ", h("strong", null, runLabel(base)), ` — ${fmtTime(base.run.end_ns)} modelled`)) : null),
      h("div", { class: "controls" },
        h("label", { for: "charts-baseline" }, "Compare the newest run with "), select),
      kept.length > 1 ? null : h("p", { class: "meta" }, "Run another experiment (or the same one with another setup) to see it next to this one."));
  }

  // ---- the charts ----

  function chartSpecs(shown: Array<KeptRun<LabRun>>, series: RunSeries[], axis: Axis): ChartSpec[] {
    const tag = (i: number) => `#${shown[i].seq}`;
    // a run's series end where the run ended (null after), so a shorter run's lines stop
    const cut = (i: number, v: number[]): Array<number | null> => v.map((x, b) => (b * axis.width_ns > shown[i].run.end_ns ? null : x));
    const rate: Line[] = [], bw: Line[] = [], mg: Line[] = [], qd: Line[] = [];
    const mgTable: ChartSpec["tableOnly"] = [];
    const classes = OPCODE_CLASSES.filter((k) => series.some((s) => s.rate.has(k)));
    series.forEach((s, i) => {
      const dashed = i > 0;
      for (const k of classes) if (s.rate.has(k)) rate.push({ label: `${k} ${tag(i)}`, values: cut(i, s.rate.get(k)!), color: CLASS_COLOR[k], dashed, bars: true });
      bw.push({ label: `Host link ${tag(i)}`, values: cut(i, s.hostMBs), color: 0, dashed });
      bw.push({ label: `Inside the device ${tag(i)}`, values: cut(i, s.insideMBs), color: 2, dashed });
      mg.push({ label: `Merges ${tag(i)}`, values: cut(i, s.mergesCum), color: 3, dashed, stepped: true });
      mg.push({ label: `Splits ${tag(i)}`, values: cut(i, s.splitsCum), color: 5, dashed, stepped: true });
      mgTable.push({ label: `Merges in bin ${tag(i)}`, values: cut(i, s.merges) }, { label: `Splits in bin ${tag(i)}`, values: cut(i, s.splits) });
      qd.push({ label: `Mean, all queues ${tag(i)}`, values: cut(i, s.depthAvg), color: 1, dashed });
      qd.push({ label: `Max, all queues ${tag(i)}`, values: cut(i, s.depthMax), color: 7, dashed, stepped: true, thin: true });
      if (s.depthAvgByQ.size > 1) {
        let n = 0;
        for (const [qid, v] of s.depthAvgByQ) qd.push({ label: `Mean, qid ${qid} ${tag(i)}`, values: cut(i, v), color: QUEUE_COLORS[n++ % QUEUE_COLORS.length], dashed, thin: true, hidden: series.length > 1 });
      }
    });
    const w = fmtTime(axis.width_ns);
    return [
      { id: "rate", title: "Command rate", yLabel: "commands/s", lines: rate, digits: 0,
        about: `NVMe commands completed per second, by opcode: completions in each bin of ${w}, per second` },
      { id: "bandwidth", title: "Bandwidth: host link against inside the device", yLabel: "MB/s", lines: bw, digits: 2,
        about: `MB/s (10^6 B/s) between host memory and the controller, and media to media inside the device; each command's bytes spread over its service time and summed over the commands in flight; bins of ${w}`,
        note: simpleLinkNote(shown[0].run.setup, Math.max(0, ...series[0].hostMBs)) },
      { id: "merges", title: "Merges and splits", yLabel: "events (running sum)", lines: mg, tableOnly: mgTable, digits: 0,
        about: `Block-layer merges (blktrace M and F) and splits (X) since the start of the run, on every device of the stack; bins of ${w}` },
      { id: "depth", title: "Queue depth", yLabel: "commands outstanding", lines: qd, digits: 2,
        about: `NVMe commands submitted and not yet completed, time-weighted mean and maximum per bin of ${w}, in total${series.some((s) => s.depthAvgByQ.size > 1) ? " and per I/O queue (click a legend entry to show or hide it)" : ""}` },
    ];
  }

  function figure(spec: ChartSpec, shown: Array<KeptRun<LabRun>>, xs: number[], unit: { name: string; ns: number }, axis: Axis): { el: HTMLElement; plot: () => void } {
    const capId = `chart-${spec.id}-h`;
    const box = h("div", { class: "chart-plot" });
    const runsSaid = shown.map((k) => runLabel(k)).join(" and ");
    const img = h("div", { role: "img", "aria-label": `${spec.title}: line chart over ${fmtTime(axis.end_ns)} of modelled time of ${runsSaid}. ${spec.about}.${spec.note ? ` ${spec.note}` : ""} The Data table below has the numbers.` }, box);
    const details = h("details", { class: "chart-data" }, h("summary", null, `Data: ${spec.title.toLowerCase()}, per bin`));
    let filled = false;
    details.addEventListener("toggle", () => {
      if (!details.open || filled) return;
      filled = true;
      details.append(dataTable(spec, xs, unit));
    });
    const el = h("figure", { class: "card chart", id: `chart-${spec.id}`, "aria-labelledby": capId },
      h("figcaption", null, h("span", { class: "chart-title", id: capId }, spec.title), h("span", { class: "chart-about" }, spec.about),
        spec.note ? h("span", { class: "chart-note" }, spec.note) : null),
      img, details);
    const plot = () => {
      const colors = palette(panel);
      const width = Math.max(200, Math.floor(box.clientWidth || panel.clientWidth - 40));
      const u = new uPlot({
        width, height: plotHeight(width),
        cursor: { sync: { key: "nvmelab-charts", setSeries: false }, drag: { x: false, y: false } },
        legend: { live: true, markers: { width: 2, dash: (self, i) => (self.series[i].dash ? "dashed" : "solid") } },
        // the x scale runs to the end of the last bin, so its bar is drawn whole
        scales: { x: { time: false, range: () => [0, (axis.bins * axis.width_ns) / unit.ns] }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
        axes: [
          axisOpts(colors, `modelled time (${unit.name})`, (v) => fmtSI(v)),
          axisOpts(colors, spec.yLabel, (v) => fmtSI(v)),
        ],
        series: [
          { label: `time (${unit.name})`, value: (_u, v) => (v == null ? "–" : `${fmtNum(v, 1)} ${unit.name}`) },
          ...spec.lines.map((l): uPlot.Series => ({
            label: l.label,
            stroke: colors.series[l.color % PALETTE],
            width: l.thin ? 1 : 2,
            dash: l.dashed ? [6, 4] : undefined,
            paths: l.bars ? uPlot.paths.bars!({ align: 1, size: [1, Infinity], gap: 0 }) : l.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined,
            fill: l.bars ? translucent(colors.series[l.color % PALETTE], l.dashed ? 0.25 : 0.55) : undefined,
            points: { show: false },
            show: !l.hidden,
            value: (_u, v) => (v == null ? "–" : fmtSI(v)),
          })),
        ],
      }, [xs, ...spec.lines.map((l) => l.values)] as uPlot.AlignedData, box);
      u.root.querySelector(".u-legend")?.setAttribute("aria-label", `Legend of ${spec.title.toLowerCase()}: values at the cursor`);
      plots.push({ u, box });
      resize.observe(box);
    };
    return { el, plot };
  }

  function dataTable(spec: ChartSpec, xs: number[], unit: { name: string }): HTMLElement {
    const cols = [...spec.lines.map((l) => ({ label: l.label, values: l.values, digits: spec.digits })), ...(spec.tableOnly ?? []).map((c) => ({ ...c, digits: 0 }))];
    const rows: string[][] = [];
    for (let b = 0; b < xs.length; b++) {
      const vals = cols.map((c) => c.values[b]);
      if (vals.every((v) => v === null || v === 0)) continue;
      rows.push([fmtNum(xs[b], 2), ...vals.map((v, i) => (v === null ? "–" : fmtNum(v, cols[i].digits)))]);
    }
    return h("div", { class: "chart-table" },
      table(`${spec.title}: ${spec.yLabel} per bin (bins where every value is 0 are left out)`, [`bin start (${unit.name})`, ...cols.map((c) => c.label)],
        rows.length ? rows : [["–", ...cols.map(() => "0")]], "compact num"));
  }

  // ---- totals ----

  function totalsCard(shown: Array<KeptRun<LabRun>>, totals: RunTotals[]): HTMLElement {
    const classes = OPCODE_CLASSES.filter((k) => totals.some((t) => t.byClass.has(k)));
    const qids = [...new Set(totals.flatMap((t) => [...t.depthMaxByQ.keys()]))].sort((a, b) => a - b);
    const row = (name: string, f: (t: RunTotals, i: number) => string) => [name, ...totals.map(f)];
    const rows = [
      row("Design", (_t, i) => shown[i].run.design),
      row("Modelled time", (t) => fmtTime(t.end_ns)),
      row("NVMe commands", (t) => fmtNum(t.commands)),
      ...classes.map((k) => row(`${k} commands`, (t) => fmtNum(t.byClass.get(k) ?? 0))),
      row("Failed (status not 0)", (t) => fmtNum(t.failed)),
      row("Not completed", (t) => fmtNum(t.outstanding)),
      row("Host link: Read/Write data", (t) => fmtBytes(t.data)),
      row("Host link: Copy Source Range entries", (t) => `${fmtBytes(t.copyDescriptors)} — ${fmtNum(t.copyRanges)} × 32 B`),
      row("Host link: DSM ranges", (t) => fmtBytes(t.dsmRanges)),
      row("Host link: total", (t) => fmtBytes(t.host)),
      row("Inside the device: Copy", (t) => `${fmtBytes(t.inside)} — ${fmtNum(t.copyBlocks)} blocks`),
      row("SQEs + CQEs (64 + 16 B each, not in the totals)", (t) => fmtBytes(t.queueEntries)),
      row("Back merges (M)", (t) => fmtNum(t.backMerges)),
      row("Front merges (F)", (t) => fmtNum(t.frontMerges)),
      row("Splits (X)", (t) => fmtNum(t.splits)),
      row("Queue depth: max, all queues", (t) => fmtNum(t.depthMax)),
      row("Queue depth: time-weighted mean", (t) => fmtNum(t.depthMean, 3)),
      ...(qids.length > 1 ? qids.map((q) => row(`Queue depth: max, qid ${q}`, (t) => (t.depthMaxByQ.has(q) ? fmtNum(t.depthMaxByQ.get(q)!) : "–"))) : []),
    ];
    return h("section", { class: "card charts-totals", "aria-labelledby": "charts-totals-h" },
      h("h3", { id: "charts-totals-h" }, "Totals"),
      table("Totals of the runs charted", ["", ...shown.map((k) => runLabel(k))], rows, "compact"));
  }

  // ---- NVMe/TCP ----

  function tcpSection(r: TcpRun): HTMLElement {
    const bars = (what: "mibs" | "util_pct", title: string, id: string) => {
      const groups = tcpBars(r, what);
      return h("figure", { class: "chart tcp-bars", "aria-labelledby": `${id}-h` },
        h("figcaption", null, h("span", { class: "chart-title", id: `${id}-h` }, title)),
        h("ul", { class: "bar-groups", "aria-label": title }, groups.map((g) =>
          h("li", null, h("span", { class: "bar-group" }, `${fmtNum(g.gbps)} Gb/s`),
            h("ul", { class: "bars" }, g.bars.map((b) => h("li", { class: `bar ${b.mode === "offload" ? "offload" : "rw"}` },
              h("span", { class: "bar-name" }, b.mode),
              h("span", { class: "bar-track", "aria-hidden": "true" }, h("span", { class: "bar-fill", style: `width: ${(b.fraction * 100).toFixed(2)}%` })),
              h("span", { class: "bar-value" }, b.label))))))));
    };
    const t = tcpComparison(r);
    return h("section", { class: "card charts-tcp", "aria-labelledby": "charts-tcp-h" },
      h("h3", { id: "charts-tcp-h" }, "NVMe/TCP: offload against read+write"),
      h("p", { class: "meta" }, `bs ${r.bs}, ${r.ranges} range(s), 16 psync jobs; modelled (${(r.wall_ms / 1000).toFixed(1)} s to run). Read+write moves every byte over the link twice; offload sends only the Copy command.`),
      h("div", { class: "tcp-grid" },
        bars("mibs", "Bandwidth (MiB/s of data copied)", "tcp-bw"),
        bars("util_pct", "Link utilisation (% of the busier direction)", "tcp-util")),
      table(t.caption, t.head, t.rows, "compact"));
  }

  // ---- wiring ----

  let lastRunning = store.state.running;
  const onState = (s: StoreState) => {
    // the empty view says whether a run is under way
    const changed = (s.run && s.runSeq !== lastSeq) || s.tcp !== lastTcp || (kept.length === 0 && s.running !== lastRunning);
    remember(s);
    lastTcp = s.tcp;
    lastRunning = s.running;
    if (changed) redraw();
  };
  store.subscribe(onState);
  ctx.onShow(() => { if (dirty) redraw(); });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => redraw());
  remember(store.state);
  lastTcp = store.state.tcp;
  redraw();
}

/** A #rrggbb colour with alpha, for bar fills (the outline keeps the full colour). */
function translucent(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  return m ? `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})` : hex;
}

function plotHeight(width: number): number {
  return width < 480 ? 200 : 240;
}

/** The chart colours from charts.css (they follow the light or dark scheme). */
function palette(scope: HTMLElement): { fg: string; muted: string; line: string; series: string[] } {
  const cs = getComputedStyle(scope);
  const v = (n: string, d: string) => cs.getPropertyValue(n).trim() || d;
  return {
    fg: v("--fg", "#1d2330"),
    muted: v("--muted", "#5b6475"),
    line: v("--line", "#d9dde5"),
    series: Array.from({ length: PALETTE }, (_, i) => v(`--chart-${i}`, "#888")),
  };
}

function axisOpts(c: { fg: string; muted: string; line: string }, label: string, fmt: (v: number) => string): uPlot.Axis {
  return {
    label,
    stroke: c.muted,
    grid: { stroke: c.line, width: 1 },
    ticks: { stroke: c.line, width: 1 },
    font: "12px system-ui, sans-serif",
    labelFont: "12px system-ui, sans-serif",
    values: (_u, splits) => splits.map((s) => (s == null ? "" : fmt(s))),
  };
}

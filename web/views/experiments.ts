// The Experiments view: a gallery of the source documents' experiments (web/app/experiments.ts).
// Each card says what the experiment shows and where it comes from; "Run" sets it up, runs
// it and opens the view that shows it best. The NVMe/TCP experiment's result (bandwidth and
// link utilisation, offload against read+write) is drawn here as a table.

import { h, show, table } from "../dom";
import { EXPERIMENTS, type Experiment } from "../app/experiments";
import type { ViewContext } from "../app/view";
import type { TcpRun } from "../app/store";
import { SEED000_PUBLISHED } from "../../src/reproduce/seed000-published";

export interface ExperimentsOptions {
  /** Console experiments: type their lines into the console. */
  typeInConsole(lines: string[]): void;
}

export function mountExperiments(panel: HTMLElement, ctx: ViewContext, o: ExperimentsOptions): void {
  const { store } = ctx;
  const tcpOut = h("div", { class: "out", "aria-live": "polite" });

  const run = async (x: Experiment) => {
    store.choose(x.id);
    if (x.kind === "console") {
      ctx.navigate("console");
      o.typeInConsole(x.lines ?? []);
      return;
    }
    if (x.kind === "tcp") {
      const r = await store.runTcp(x);
      if (r) renderTcp(r);
      return;
    }
    const r = await store.run();
    if (r) ctx.navigate(x.view);
  };

  const cards = EXPERIMENTS.map((x) => {
    const titleId = `x-${x.id}-h`;
    const button = h("button", { type: "button", class: "primary", "aria-describedby": titleId }, "Run");
    button.addEventListener("click", () => void run(x));
    const setup = h("button", { type: "button", "aria-describedby": titleId }, "Open in Setup");
    setup.addEventListener("click", () => { store.choose(x.id); ctx.navigate("setup"); });
    return h("article", { class: "card experiment", "data-experiment": x.id, "aria-labelledby": titleId },
      h("h3", { id: titleId }, x.title),
      h("p", { class: "source" }, `Source ${x.source}`),
      h("p", null, x.about),
      x.file ? h("p", { class: "meta" }, "CLI: ", h("code", null, `npx nvmelab blk run ${x.file}`)) : null,
      x.kind === "tcp" ? h("p", { class: "meta" }, "CLI: ", h("code", null, "npm run reproduce")) : null,
      h("div", { class: "controls" }, button, x.kind === "scenario" ? setup : null));
  });

  function renderTcp(r: TcpRun): void {
    const speeds = [...new Set(r.cases.map((c) => c.gbps))];
    const rows = speeds.flatMap((g) => {
      const rw = r.cases.find((c) => c.gbps === g && c.mode === "read+write")!;
      const cp = r.cases.find((c) => c.gbps === g && c.mode === "offload")!;
      const ours = [`${g} Gb/s`, rw.mibs.toFixed(1), cp.mibs.toFixed(1), `${(cp.mibs / rw.mibs).toFixed(2)}x`, rw.util_pct.toFixed(2), cp.util_pct.toFixed(2)];
      // the seed's own figures for the same case, beside ours (the 2023 table)
      const p = SEED000_PUBLISHED.find((f) => f.series === "" && f.gbps === g && f.bs === r.bs && f.ranges === r.ranges);
      if (!p) return [ours];
      return [ours, [`${g} Gb/s, seed 000`, String(p.rw_mibs), String(p.copy_mibs), `${(p.copy_mibs / p.rw_mibs).toFixed(2)}x`, String(p.rw_util_pct), String(p.copy_util_pct)]];
    });
    show(tcpOut,
      table(`NVMe/TCP, bs ${r.bs}, ${r.ranges} range(s), 16 psync jobs (modelled; ${(r.wall_ms / 1000).toFixed(1)} s to run), beside seed 000's published figures`,
        ["Link", "read+write MiB/s", "offload MiB/s", "offload / read+write", "link busy, read+write %", "link busy, offload %"], rows, "compact"));
  }

  store.subscribe((s) => {
    for (const c of cards) c.classList.toggle("chosen", c.dataset.experiment === s.experiment);
  });
  if (store.state.tcp) renderTcp(store.state.tcp);

  show(panel,
    h("h2", { class: "view-title" }, "Experiments"),
    h("p", { class: "hint" }, "Each one sets up the controller and the block stack as a source document describes, runs it in modelled time, and opens the view that shows it best. The other views then show the same run: its queues, block layer decisions, trace, media and charts."),
    h("div", { class: "gallery" }, cards),
    tcpOut);
}

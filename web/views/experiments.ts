// The Experiments view: a gallery of the source documents' experiments (web/app/experiments.ts).
// Each card says what the experiment shows and where it comes from; "Run" sets it up, runs
// it and opens the view that shows it best (the NVMe/TCP experiment's bars and table are in
// Charts).

import { h, show } from "../dom";
import { EXPERIMENTS, type Experiment } from "../app/experiments";
import type { ViewContext } from "../app/view";

export interface ExperimentsOptions {
  /** Console experiments: type their lines into the console. */
  typeInConsole(lines: string[]): void;
}

export function mountExperiments(panel: HTMLElement, ctx: ViewContext, o: ExperimentsOptions): void {
  const { store } = ctx;

  const run = async (x: Experiment) => {
    store.choose(x.id);
    if (x.kind === "console") {
      ctx.navigate("console");
      o.typeInConsole(x.lines ?? []);
      return;
    }
    if (x.kind === "tcp") {
      const r = await store.runTcp(x);
      if (r) ctx.navigate(x.view);
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

  store.subscribe((s) => {
    for (const c of cards) c.classList.toggle("chosen", c.dataset.experiment === s.experiment);
  });

  show(panel,
    h("h2", { class: "view-title" }, "Experiments"),
    h("p", { class: "hint" }, "Each one sets up the controller and the block stack as a source document describes, runs it in modelled time, and opens the view that shows it best. The other views then show the same run: its queues, block layer decisions, trace, media and charts."),
    h("div", { class: "gallery" }, cards));
}

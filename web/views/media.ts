// The Media view (being built: see issue 5's notes). Mounted into its tab panel by web/main.ts.

import { h, show } from "../dom";
import type { ViewContext } from "../app/view";

export function mountMedia(panel: HTMLElement, ctx: ViewContext): void {
  const draw = () => show(panel, h("h2", { class: "view-title" }, "Media"),
    h("p", { class: "hint" }, ctx.store.state.run ? `Run #${ctx.store.state.runSeq}: ${ctx.store.state.run.events.length} block events` : "Run an experiment first."));
  ctx.store.subscribe(draw);
  draw();
}

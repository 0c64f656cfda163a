// The Setup view: a form over the setup that the run bar runs (a scenario JSON, docs/BLOCK.md):
// the controller (queue pairs and size, MDTS, ONCS Copy, OCFS descriptor formats, namespaces
// with their LBA format and MSSRL / MCL / MSRC), the host (CPUs, hardware queues, CPU costs),
// the copy design, kcopyd, the device and link models, queue limits, and the device-mapper
// stack drawn as a graph that can be edited by mouse or keyboard; plus the whole JSON. The form
// edits a copy (setup-model.ts keeps every key it does not touch); Apply stores it in the page
// (and the URL), Apply and run runs it. Mounted into its tab panel by web/main.ts.

import "./setup.css";
import { h, show } from "../dom";
import type { ViewContext } from "../app/view";
import { experiment } from "../app/experiments";
import { fmtModelled } from "../app/time";
import {
  clone, setField, diffPaths, validateSetup, describeSetup, fieldForMessage, fieldProblems, allFields, FieldError,
  controllerFields, ocfsFields, namespaces, namespaceFields, addNamespace, removeNamespace,
  hostFields, cpuFields, designField, DESIGN_OPTIONS, kcopydFields, presetField, modelFields, fabricField, tcpFields, PRESETS,
  limitDevices, limitFields, SYSFS_WRITABLE, stackGraph, layoutGraph, addTarget, removeDevice, setTable,
  TARGET_ROLES, TARGET_TYPES, type Field, type Setup, type DevNode, type StackGraph,
} from "./setup-model";

const SVG = "http://www.w3.org/2000/svg";
const domId = (f: Field | string) => `setup-f-${typeof f === "string" ? f : f.id}`;

/** The scenario parser, loaded when first needed (it brings the block layer's code with it). */
let parser: Promise<(s: unknown, where: string) => unknown> | undefined;
const loadParser = () => (parser ??= import("../../src/block/scenario").then((m) => m.parseScenario));

export function mountSetup(panel: HTMLElement, ctx: ViewContext): void {
  const { store } = ctx;
  let seen = store.state.setup;
  let draft: Setup = clone(store.state.setup);
  /** Fields whose typed value was refused: id -> message (the draft keeps the last good value). */
  const fieldErrors = new Map<string, string>();
  /** Fields whose value in the draft is invalid (a link's or the JSON's setup): id -> message. */
  const invalid = new Map<string, string>();
  const fieldMessage = (id: string) => fieldErrors.get(id) ?? invalid.get(id);
  let selected: string | undefined = "nvme0n1";
  let stackMessage: { text: string; bad: boolean } | undefined;

  // ---- persistent parts (never replaced, so a click on them is never lost to a redraw) ----
  const summary = h("div", { class: "setup-summary" });
  const formBox = h("div", { class: "setup-form-box" });
  const json = h("textarea", { id: "setup-json", class: "setup-json", spellcheck: "false", rows: 18, "aria-describedby": "setup-json-hint setup-json-err" });
  const jsonErr = h("p", { id: "setup-json-err", class: "field-err", role: "alert" });
  const problems = h("div", { class: "setup-problems", role: "alert" });
  const status = h("p", { class: "meta", role: "status", "aria-live": "polite" });
  const applyBtn = h("button", { type: "button", class: "primary" }, "Apply");
  const runBtn = h("button", { type: "button" }, "Apply and run");
  const resetBtn = h("button", { type: "button" }, "Reset to the experiment's setup");
  const lastRun = h("div", { class: "setup-last-run", "aria-live": "polite" });

  // ---- fields ----

  function fieldEl(f: Field, o: { wide?: boolean } = {}): HTMLElement {
    const id = domId(f);
    const hintId = `${id}-hint`, errId = `${id}-err`;
    const err = fieldMessage(f.id);
    const describedBy = [f.hint ? hintId : "", errId].filter(Boolean).join(" ");
    const v = f.get(draft);
    let control: HTMLElement;
    if (f.kind === "bool") {
      const box = h("input", { type: "checkbox", id, "aria-describedby": describedBy, "aria-invalid": err ? "true" : undefined });
      box.checked = v === true;
      box.addEventListener("change", () => commit(f, box.checked));
      return h("div", { class: "field check" }, h("label", { for: id }, box, " ", f.label),
        f.hint ? h("span", { class: "field-hint", id: hintId }, f.hint) : null, h("span", { class: "field-err", id: errId }, err ?? ""));
    }
    if (f.kind === "enum") {
      const sel = h("select", { id, "aria-describedby": describedBy, "aria-invalid": err ? "true" : undefined }, (f.options ?? []).map((o) => h("option", { value: o.value }, o.label)));
      sel.value = String(v);
      sel.addEventListener("change", () => commit(f, sel.value));
      control = sel;
    } else {
      const input = h("input", {
        type: "text", id, value: String(v), placeholder: f.placeholder, inputmode: f.kind === "int" ? "numeric" : f.kind === "num" ? "decimal" : undefined,
        "aria-describedby": describedBy, "aria-invalid": err ? "true" : undefined, autocomplete: "off", spellcheck: "false",
      });
      if (fieldErrors.has(f.id)) input.value = pendingText.get(f.id) ?? input.value;
      input.addEventListener("change", () => commit(f, input.value));
      control = input;
    }
    return h("div", { class: `field${o.wide ? " wide" : ""}` }, h("label", { for: id }, f.label), control,
      f.hint ? h("span", { class: "field-hint", id: hintId }, f.hint) : null, h("span", { class: "field-err", id: errId }, err ?? ""));
  }

  /** What the user typed into a refused field (shown again after a redraw). */
  const pendingText = new Map<string, string>();

  /** A field changed: write it into the draft, or say why not next to it. */
  function commit(f: Field, v: string | boolean, redraw = f.id === "device-preset" || f.id === "fabric" || f.id.endsWith("-lbaf")): void {
    const el = document.getElementById(domId(f));
    const errEl = document.getElementById(`${domId(f)}-err`);
    try {
      draft = setField(draft, f, v);
      fieldErrors.delete(f.id);
      invalid.delete(f.id);
      pendingText.delete(f.id);
      el?.removeAttribute("aria-invalid");
      if (errEl) errEl.textContent = "";
      // the list under the form follows the fix (or names what the new value broke)
      if (problems.childElementCount) void validate();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      if (f.kind === "enum" || f.kind === "bool") {
        // a choice that cannot be made (an LBA format the size does not fit): say so, keep the old one
        setStatus(e.message, true);
        renderForm();
        refresh();
        return;
      }
      fieldErrors.set(f.id, e.message);
      pendingText.set(f.id, String(v));
      el?.setAttribute("aria-invalid", "true");
      if (errEl) errEl.textContent = e.message;
    }
    if (redraw) renderForm();
    refresh();
  }

  // ---- the form ----

  function fieldset(legend: string, cls: string, ...children: Array<HTMLElement | null | false | Array<HTMLElement | null>>): HTMLElement {
    return h("fieldset", { class: `card setup-set ${cls}` }, h("legend", null, legend), ...children);
  }

  function controllerSet(): HTMLElement {
    const ns = namespaces(draft);
    const nsSets = ns.map((n) => {
      const remove = h("button", { type: "button", class: "small" }, `Remove ${n.dev}`);
      remove.addEventListener("click", () => {
        const r = removeNamespace(draft, n.index);
        if (r.setup) { draft = r.setup; renderForm(); refresh(); focusId("setup-ns-add"); }
        else setStatus(r.error ?? "", true);
      });
      return h("fieldset", { class: "ns" }, h("legend", null, `Namespace ${n.nsid} (${n.dev})`),
        h("div", { class: "grid-fields" }, namespaceFields(draft, n.index).map((f) => fieldEl(f))),
        h("p", { class: "meta" }, n.error ? h("span", { class: "bad" }, n.error) : `${n.blocks} blocks of ${n.lbaBytes}${n.ms ? ` + ${n.ms}` : ""} bytes = ${n.sectors} sectors`),
        ns.length > 1 ? remove : null);
    });
    const add = h("button", { type: "button", id: "setup-ns-add" }, "Add namespace");
    add.addEventListener("click", () => {
      try {
        draft = addNamespace(draft);
        renderForm();
        refresh();
        focusId(domId(`ns-${namespaces(draft).length - 1}-size`));
      } catch (e) {
        setStatus((e as Error).message, true);
      }
    });
    return fieldset("Controller", "ctrl",
      h("p", { class: "hint" }, "nvme0 as Identify Controller reports it; the host creates the I/O queues it asks for."),
      h("div", { class: "grid-fields" }, controllerFields().map((f) => fieldEl(f))),
      h("fieldset", { class: "bits" }, h("legend", null, "OCFS: Copy Descriptor Formats supported"),
        h("div", { class: "grid-fields" }, ocfsFields().map((f) => fieldEl(f)),
          h("div", { class: "field check" }, h("label", null, h("input", { type: "checkbox", disabled: true, "aria-describedby": "setup-ocfs4-hint" }), " Format 4h"),
            h("span", { class: "field-hint", id: "setup-ocfs4-hint" }, "not modelled (NVMe 2.1 Copy with 4h descriptors)")))),
      nsSets, add);
  }

  function designSet(): HTMLElement {
    const f = designField();
    const cur = f.get(draft);
    return h("fieldset", { class: "card setup-set design" },
      h("legend", null, "Copy design"),
      DESIGN_OPTIONS.map((o) => {
        const id = domId(`design-${o.value}`);
        const r = h("input", { type: "radio", name: "setup-design", id, value: o.value, "aria-describedby": `${id}-hint` });
        r.checked = cur === o.value;
        r.addEventListener("change", () => { if (r.checked) commit(f, o.value); });
        return h("div", { class: "radio" }, h("label", { for: id }, r, " ", h("strong", null, o.label)), h("span", { class: "field-hint", id: `${id}-hint` }, o.hint ?? ""));
      }),
      h("p", { class: "meta" }, "A device can choose its own under Queue limits (designs)."));
  }

  function modelSet(): HTMLElement {
    const preset = presetField();
    const p = PRESETS.find((x) => x.value === preset.get(draft));
    const fab = fabricField();
    return fieldset("Model", "model",
      h("p", { class: "hint" }, "What a command costs in modelled time (docs/TIMING.md)."),
      h("div", { class: "grid-fields" }, fieldEl(preset), modelFields(draft).map((f) => fieldEl(f))),
      p?.hint ? h("p", { class: "meta" }, p.hint) : null,
      h("div", { class: "grid-fields" }, fieldEl(fab), draft.fabric !== undefined ? tcpFields().map((f) => fieldEl(f)) : null));
  }

  function limitsSet(): HTMLElement {
    const devs = limitDevices(draft);
    const head = ["Device", ...SYSFS_WRITABLE.map((a) => a.attr), "copy design", "scheduler"];
    const rows = devs.map((d) => {
      const fs = limitFields(draft, d);
      const cells = fs.map((f) => {
        const el = fieldEl(f);
        el.classList.add("in-table");
        // the column says what it is; the label stays for assistive technology
        el.querySelector("label")?.classList.add("visually-hidden");
        el.querySelector(".field-hint")?.remove();
        el.querySelector("input,select")?.removeAttribute("aria-describedby");
        el.querySelector("input,select")?.setAttribute("aria-describedby", `${domId(f)}-err`);
        return h("td", null, el);
      });
      while (cells.length < head.length - 1) cells.push(h("td", { class: "muted" }, "—"));
      return h("tr", null, h("th", { scope: "row" }, d), cells);
    });
    return fieldset("Queue limits", "limits",
      h("p", { class: "hint" }, "Writable /sys/block/<dev>/queue attributes, set before the steps run (sysfs); empty keeps the kernel's value."),
      h("ul", { class: "attr-hints" }, SYSFS_WRITABLE.map((a) => h("li", null, h("code", null, a.attr), `: ${a.hint}`))),
      h("div", { class: "table-wrap" }, h("table", { class: "compact limits-table", "aria-label": "Queue limits per device" },
        h("thead", null, h("tr", null, head.map((t) => h("th", { scope: "col" }, t)))), h("tbody", null, rows))));
  }

  function hostSet(): HTMLElement {
    return fieldset("Host", "host",
      h("div", { class: "grid-fields" }, hostFields().map((f) => fieldEl(f))),
      h("details", null, h("summary", null, "kcopyd"), h("div", { class: "grid-fields" }, kcopydFields().map((f) => fieldEl(f)))),
      h("details", null, h("summary", null, "CPU costs (ns; all 0 by default)"), h("div", { class: "grid-fields" }, cpuFields().map((f) => fieldEl(f)))));
  }

  // ---- the block stack graph ----

  function nodeLabel(n: DevNode): string {
    const size = n.sectors ? `${n.sectors} sectors` : "size unknown";
    if (n.kind === "ns") return `${n.id}: namespace, ${size}`;
    return `${n.id}${n.mapper ? ` (${n.mapper})` : ""}: ${n.types.join(" + ") || "no targets"}, ${size}${n.from === "step" ? ", made by a dm_create step during the run" : ""}`;
  }

  function graphSvg(g: StackGraph): SVGSVGElement {
    const lay = layoutGraph(g);
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${lay.width} ${lay.height}`);
    svg.setAttribute("width", String(lay.width));
    svg.setAttribute("class", "stack-graph");
    svg.setAttribute("role", "group");
    svg.setAttribute("aria-label", `Block stack: ${g.nodes.length} devices; Tab to a device, Enter selects, arrows move, Delete removes a dm device`);
    const el = (tag: string, attrs: Record<string, string | number>, text?: string) => {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const defs = el("defs", {});
    const marker = el("marker", { id: "setup-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(el("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrow" }));
    defs.append(marker);
    svg.append(defs);
    for (const l of lay.lines) {
      svg.append(el("line", { x1: l.x1, y1: l.y1, x2: l.x2, y2: l.y2, class: "edge", "marker-end": "url(#setup-arrow)" }));
      if (l.role) svg.append(el("text", { x: (l.x1 + l.x2) / 2 + 4, y: (l.y1 + l.y2) / 2, class: "edge-label" }, l.role));
    }
    const order = lay.boxes.map((b) => b.id);
    for (const b of lay.boxes) {
      const n = g.nodes.find((x) => x.id === b.id)!;
      const gEl = el("g", { class: `node ${n.kind}${n.from === "step" ? " step" : ""}${selected === n.id ? " selected" : ""}`, tabindex: 0, role: "button", "aria-pressed": String(selected === n.id), "aria-label": nodeLabel(n), "data-dev": n.id, id: `setup-node-${n.id}` });
      gEl.append(el("rect", { x: b.x, y: b.y, width: b.w, height: b.h, rx: 7 }));
      gEl.append(el("text", { x: b.x + b.w / 2, y: b.y + 20, class: "name" }, n.mapper ? `${n.id} (${n.mapper})` : n.id));
      gEl.append(el("text", { x: b.x + b.w / 2, y: b.y + 38, class: "sub" }, n.kind === "ns" ? `namespace ${n.sectors ? `${n.sectors / 2048} MiB` : ""}` : n.types.join("+") || "?"));
      const pick = () => { selected = n.id; stackMessage = undefined; renderStack(); focusId(`setup-node-${n.id}`); };
      gEl.addEventListener("click", pick);
      gEl.addEventListener("keydown", (ev) => {
        const i = order.indexOf(n.id);
        if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); pick(); }
        else if (ev.key === "ArrowRight" || ev.key === "ArrowDown") { ev.preventDefault(); focusId(`setup-node-${order[(i + 1) % order.length]}`); }
        else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") { ev.preventDefault(); focusId(`setup-node-${order[(i - 1 + order.length) % order.length]}`); }
        else if (ev.key === "Delete" || ev.key === "Backspace") { ev.preventDefault(); selected = n.id; remove(n.id); }
      });
      svg.append(gEl);
    }
    return svg;
  }

  function remove(id: string): void {
    const r = removeDevice(draft, id);
    if (r.setup) {
      draft = r.setup;
      selected = "nvme0n1";
      stackMessage = { text: `Removed ${id}. Apply to use the setup without it.`, bad: false };
      renderForm();
      refresh();
      focusId("setup-stack-msg");
    } else {
      stackMessage = { text: r.error ?? "", bad: true };
      renderStack();
      focusId("setup-stack-msg");
    }
  }

  const stackBox = h("div", { class: "stack-box" });

  function renderStack(): void {
    const g = stackGraph(draft);
    if (!g.nodes.some((n) => n.id === selected)) selected = g.nodes[0]?.id;
    const n = g.nodes.find((x) => x.id === selected);
    const usable = g.nodes.filter((x) => x.from !== "step").map((x) => x.id);
    const typeSel = h("select", { id: "setup-add-type" }, TARGET_TYPES.map((t) => h("option", { value: t }, t)));
    const rolesBox = h("div", { class: "grid-fields" });
    const drawRoles = () => {
      const roles = TARGET_ROLES[typeSel.value];
      show(rolesBox, roles.map((role, i) => {
        const id = `setup-add-role-${i}`;
        const sel = h("select", { id, "data-role": role }, usable.map((d) => h("option", { value: d }, d)));
        // the selected device first, then the others in order
        const pref = [n && n.from !== "step" ? n.id : usable[0], ...usable.filter((d) => d !== n?.id)];
        sel.value = pref[i] ?? usable[0];
        return h("div", { class: "field" }, h("label", { for: id }, `On (${role})`), sel);
      }));
    };
    typeSel.addEventListener("change", drawRoles);
    drawRoles();
    const name = h("input", { type: "text", id: "setup-add-name", placeholder: "e.g. lin", autocomplete: "off", spellcheck: "false" });
    const addBtn = h("button", { type: "button", class: "primary" }, "Add target");
    addBtn.addEventListener("click", () => {
      const devices = [...rolesBox.querySelectorAll("select")].map((s) => s.value);
      const r = addTarget(draft, { type: typeSel.value, devices, name: name.value });
      if (r.setup) {
        draft = r.setup;
        selected = r.id;
        stackMessage = { text: `Added ${r.id} (${typeSel.value} on ${devices.join(", ")}). Apply to use it.`, bad: false };
        renderForm();
        refresh();
        focusId(`setup-node-${r.id}`);
      } else {
        stackMessage = { text: r.error ?? "", bad: true };
        renderStack();
        focusId("setup-stack-msg");
      }
    });
    let detail: HTMLElement | null = null;
    if (n?.kind === "dm") {
      const table = h("textarea", { id: "setup-table", rows: Math.max(2, n.table.length + 1), spellcheck: "false", "aria-describedby": "setup-table-hint" });
      table.value = n.table.join("\n");
      const change = h("button", { type: "button" }, `Change ${n.id}'s table`);
      change.addEventListener("click", () => {
        const r = setTable(draft, n.id, table.value.split("\n"));
        if (r.setup) { draft = r.setup; stackMessage = { text: `${n.id}'s table changed. Apply to use it.`, bad: false }; renderForm(); refresh(); }
        else { stackMessage = { text: r.error ?? "", bad: true }; renderStack(); }
        focusId("setup-stack-msg");
      });
      const rm = h("button", { type: "button" }, `Remove ${n.id}`);
      rm.addEventListener("click", () => remove(n.id));
      detail = h("div", null,
        h("div", { class: "field wide" }, h("label", { for: "setup-table" }, `${n.id} table (dmsetup: <start> <length> <target> <args>, sectors)`), table,
          h("span", { class: "field-hint", id: "setup-table-hint" }, n.from === "step" ? `made by setup.steps[${n.index}] during the run` : `setup.stack[${n.index}]`)),
        h("div", { class: "controls" }, change, n.from === "step" ? null : rm));
    }
    show(stackBox,
      h("div", { class: "graph-wrap" }, graphSvg(g)),
      h("p", { id: "setup-stack-msg", tabindex: -1, class: stackMessage?.bad ? "verdict bad" : stackMessage ? "verdict ok" : "meta", role: "status" },
        stackMessage?.text ?? (g.problems.length ? `Problems: ${g.problems.join("; ")}` : "Select a device (click, or Tab and Enter) to stack a target on it, change its table or remove it.")),
      n ? h("div", { class: "stack-detail" },
        h("h3", null, `Selected: ${nodeLabel(n)}`),
        detail,
        n.from !== "step" ? h("fieldset", { class: "add-target" }, h("legend", null, `Add a target above ${n.id}`),
          h("div", { class: "grid-fields" }, h("div", { class: "field" }, h("label", { for: "setup-add-type" }, "Target type"), typeSel),
            h("div", { class: "field" }, h("label", { for: "setup-add-name" }, "Mapper name (optional)"), name)),
          rolesBox, h("div", { class: "controls" }, addBtn)) : null) : null);
  }

  function stackSet(): HTMLElement {
    renderStack();
    return fieldset("Block stack", "stack",
      h("p", { class: "hint" }, "Namespaces at the bottom, device-mapper devices above the devices their tables map onto (dm-0, dm-1 ... in creation order; dashed: made by a dm_create step during the run)."),
      stackBox);
  }

  function renderForm(): void {
    const active = document.activeElement?.id;
    show(formBox, h("form", { class: "setup-form", novalidate: true, "aria-label": "Setup" }, controllerSet(), hostSet(), designSet(), modelSet(), limitsSet(), stackSet()));
    formBox.querySelector("form")!.addEventListener("submit", (ev) => ev.preventDefault());
    if (active) focusId(active);
  }

  // ---- status: what the run bar runs, the pending changes, the last run ----

  function setStatus(text: string, bad = false): void {
    status.textContent = text;
    status.className = bad ? "meta bad" : "meta";
  }

  function refresh(): void {
    const s = store.state;
    if (document.activeElement !== json) json.value = JSON.stringify(draft, null, 2);
    const x = experiment(s.experiment);
    const pending = diffPaths(s.setup, draft);
    const fromX = x?.setup ? diffPaths(x.setup, s.setup) : [];
    show(summary,
      h("p", null, h("strong", null, "Run (in the run bar) runs: "), x ? x.title : "a custom setup", s.edited ? ` — with the setup edited${fromX.length ? ` (${fromX.length} change${fromX.length === 1 ? "" : "s"} from the experiment's: ${fromX.slice(0, 6).join(", ")}${fromX.length > 6 ? " ..." : ""})` : ""}` : " — the experiment's own setup"),
      h("ul", { class: "describe" }, describeSetup(s.setup).map((l) => h("li", null, l))),
      pending.length ? h("p", { class: "pending" }, `Not applied yet: ${pending.slice(0, 8).join(", ")}${pending.length > 8 ? ` and ${pending.length - 8} more` : ""}. Apply to use them.`) : null);
    applyBtn.disabled = s.running;
    runBtn.disabled = s.running;
    resetBtn.disabled = s.running || !x;
    const r = s.run;
    if (r) {
      const same = JSON.stringify(r.setup) === JSON.stringify(s.setup);
      const copies = r.commands.filter((c) => c.name === "Copy").length;
      const failed = r.ops.filter((o) => o.status && o.status !== "BLK_STS_OK").length;
      show(lastRun, h("h3", null, `Last run: #${s.runSeq}${same ? " (this setup)" : " (an earlier setup)"}`),
        h("p", null, `${r.commands.length} NVMe commands (${copies} Copy), ${r.events.length} block events, ${r.ops.length} steps${failed ? `, ${failed} not BLK_STS_OK` : ""}, ${fmtModelled(r.end_ns)} modelled.`),
        h("p", null, r.dm.length ? `Device-mapper devices: ${r.dm.map((d) => `${d.dev} (${d.name}) ${d.table.join("; ")}`).join(" · ")}` : "No device-mapper devices."));
    } else show(lastRun, h("p", { class: "meta" }, "Not run yet: Apply and run, or Run in the run bar."));
  }

  /**
   * Check the whole draft as Apply does (validateSetup: every field's own check, then
   * parseScenario, the controller's config, the stack), list every problem above Apply and
   * mark each field a problem names. Returns the list.
   */
  async function validate(): Promise<string[]> {
    const list = [...new Set([...fieldErrors.values(), ...validateSetup(draft, await loadParser())])];
    invalid.clear();
    for (const p of fieldProblems(draft)) invalid.set(p.field.id, p.message);
    for (const m of list) {
      const f = fieldForMessage(draft, m);
      if (f && !invalid.has(f.id)) invalid.set(f.id, m);
    }
    markFields();
    showProblems(list);
    return list;
  }

  /** Put each field's message beside it (in place: a redraw would lose what is being typed). */
  function markFields(): void {
    for (const f of allFields(draft)) {
      const el = document.getElementById(domId(f));
      const errEl = document.getElementById(`${domId(f)}-err`);
      const m = fieldMessage(f.id);
      if (m) el?.setAttribute("aria-invalid", "true");
      else el?.removeAttribute("aria-invalid");
      if (errEl) errEl.textContent = m ?? "";
    }
  }

  function showProblems(list: string[]): void {
    if (!list.length) { show(problems); return; }
    show(problems, h("div", { class: "error" }, h("strong", null, `The setup is not valid (${list.length} problem${list.length === 1 ? "" : "s"}):`),
      h("ul", null, list.map((m) => h("li", null, m)))));
  }

  async function apply(run: boolean): Promise<void> {
    const list = await validate();
    if (list.length) {
      const first = [...fieldErrors.keys()][0] ?? fieldForMessage(draft, list[0])?.id;
      focusId(first ? domId(first) : "setup-json");
      return;
    }
    store.edit(draft);
    setStatus(run ? "Applied; running…" : "Applied: Run in the run bar runs this setup (the link carries it).");
    if (run) {
      const r = await store.run();
      setStatus(r ? `Applied and ran: run #${store.state.runSeq}, ${r.commands.length} NVMe commands.` : `The run failed: ${store.state.error ?? "see the error above"}`, !r);
    }
  }

  applyBtn.addEventListener("click", () => void apply(false));
  runBtn.addEventListener("click", () => void apply(true));
  resetBtn.addEventListener("click", () => {
    if (!store.state.experiment) return;
    store.choose(store.state.experiment);
    setStatus("Reset to the experiment's setup.");
  });

  json.addEventListener("change", () => {
    let v: unknown;
    try {
      v = JSON.parse(json.value);
    } catch (e) {
      jsonErr.textContent = `JSON: ${(e as Error).message}`;
      json.setAttribute("aria-invalid", "true");
      return;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      jsonErr.textContent = "JSON: the setup is a JSON object ({...})";
      json.setAttribute("aria-invalid", "true");
      return;
    }
    jsonErr.textContent = "";
    json.removeAttribute("aria-invalid");
    draft = v as Setup;
    fieldErrors.clear();
    renderForm();
    refresh();
    void validate();
  });

  function focusId(id: string): void {
    // after the redraw, so the element exists
    queueMicrotask(() => (document.getElementById(id) as HTMLElement | SVGElement | null)?.focus());
  }

  store.subscribe((s) => {
    if (s.setup !== seen) {
      seen = s.setup;
      draft = clone(s.setup);
      fieldErrors.clear();
      pendingText.clear();
      invalid.clear();
      showProblems([]);
      renderForm();
      // an edited setup (from a link or the JSON) is checked at once, every problem named;
      // an experiment's own is valid
      if (s.edited) void validate();
    }
    refresh();
  });

  show(panel,
    h("h2", { class: "view-title" }, "Setup"),
    h("p", { class: "hint" }, "The controller, the host and the block stack the run bar's Run builds, as a scenario (docs/BLOCK.md; the same file ",
      h("code", null, "npx nvmelab blk run"), " takes). Change a field and leave it; Apply stores the setup in the page and its link."),
    h("section", { class: "card setup-status", "aria-label": "What Run runs" }, summary, lastRun),
    formBox,
    h("section", { class: "card", "aria-labelledby": "setup-json-h" },
      h("h2", { id: "setup-json-h" }, "The setup as JSON"),
      h("p", { class: "hint", id: "setup-json-hint" }, "Edit it here too (tasks and steps are only here); it is checked when you leave the field."),
      h("label", { for: "setup-json", class: "visually-hidden" }, "The whole setup (JSON)"),
      json, jsonErr),
    h("div", { class: "card setup-actions", role: "group", "aria-label": "Apply the setup" },
      problems, h("div", { class: "controls" }, applyBtn, runBtn, resetBtn), status));
  renderForm();
  refresh();
  if (store.state.edited) void validate();
}

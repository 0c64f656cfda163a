// The playground page (main thread): the run bar, the views as tabs (each view lives in
// web/views/ and redraws from the store, web/app/store.ts), the page state in the URL
// (web/app/url.ts), and the Controller view's cards: bring-up state, decoded Identify data,
// and a Copy with its ranges, completion and a hexdump of source and destination blocks.

import * as Comlink from "comlink";
import * as R from "../assembly/spec/regs";
import type { HostApi, RunMode, BootInfo, IdentifyReport, CopyReport, CommandOutcome } from "./host.worker";
import { h, byId, show, table, captioned } from "./dom";
import {
  decodeIdentifyController, decodeIdentifyNamespace, decodeStatus, versionString,
  hexBytes, asciiBytes, hex, hex32, type Field,
} from "./decode";
import { startConsole } from "./console/view";
import { Store } from "./app/store";
import { decodeState, encodeState, VIEWS, type ViewId } from "./app/url";
import { EXPERIMENT_IDS, experiment } from "./app/experiments";
import { runStatus, runLogLine, tcpLogLine } from "./app/runbar";
import type { ViewContext } from "./app/view";
import { mountExperiments } from "./views/experiments";
import { mountSetup } from "./views/setup";
import { validateSetup } from "./views/setup-model";
import { mountQueues } from "./views/queues";
import { mountBlockLayer } from "./views/block";
import { mountTrace } from "./views/trace";
import { mountMedia } from "./views/media";
import { mountCharts } from "./views/charts";

const els = {
  isolation: byId("isolation"),
  boot: byId<HTMLButtonElement>("boot"),
  identify: byId<HTMLButtonElement>("identify"),
  copy: byId<HTMLButtonElement>("copy"),
  bootOut: byId("boot-out"),
  identifyOut: byId("identify-out"),
  copyOut: byId("copy-out"),
  error: byId("error"),
  log: byId<HTMLOListElement>("log"),
  console: byId("console"),
  current: byId("current"),
  run: byId<HTMLButtonElement>("run"),
  copyLink: byId<HTMLButtonElement>("copy-link"),
  runStatus: byId("run-status"),
  linkStatus: byId("link-status"),
  linkProblems: byId("link-problems"),
};

const t0 = performance.now();
let booted: BootInfo | undefined;
let busy = false;

const host = Comlink.wrap<HostApi>(new Worker(new URL("./host.worker.ts", import.meta.url), { type: "module", name: "nvmelab host" }));

// ---- page state ----

function log(text: string, cls = ""): void {
  const at = ((performance.now() - t0) / 1000).toFixed(3).padStart(8, " ");
  els.log.append(h("li", { class: cls || undefined }, h("span", { class: "at" }, `${at} s`), " ", text));
  while (els.log.children.length > 100) els.log.firstElementChild?.remove();
  // scroll the log's own box, never the page (the log sits below the views)
  els.log.scrollTop = els.log.scrollHeight;
}

function setError(e: unknown): void {
  const msg = e instanceof Error ? e.message : String(e);
  els.error.hidden = false;
  show(els.error, h("strong", null, "Error: "), msg);
  log(msg, "bad");
  console.error(e);
}

function refreshButtons(): void {
  els.boot.disabled = busy || !crossOriginIsolated;
  els.identify.disabled = busy || !booted;
  els.copy.disabled = busy || !booted;
}

async function action(name: string, out: HTMLElement, f: () => Promise<void>): Promise<void> {
  if (busy) return;
  busy = true;
  els.error.hidden = true;
  out.setAttribute("aria-busy", "true");
  refreshButtons();
  try {
    await f();
  } catch (e) {
    setError(new Error(`${name}: ${e instanceof Error ? e.message : String(e)}`));
  } finally {
    busy = false;
    out.removeAttribute("aria-busy");
    refreshButtons();
  }
}

function selectedMode(): RunMode {
  const r = document.querySelector<HTMLInputElement>('input[name="mode"]:checked');
  return r?.value === "stepped" ? "stepped" : "threaded";
}

const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;

// ---- views ----

function kv(rows: Array<[string, ...Array<string | Node>]>, cls = "kv"): HTMLElement {
  return h("dl", { class: cls }, rows.map(([k, ...v]) => [h("dt", null, k), h("dd", null, ...v)]));
}

function statusBadge(status: number): HTMLElement {
  const s = decodeStatus(status);
  return h("span", { class: `status ${status === 0 ? "ok" : "bad"}` }, `${hex(status, 4)} ${s.name}`);
}

function renderBoot(b: BootInfo): void {
  const cap = b.cap;
  const mqes = Number(cap & 0xffffn) + 1;
  const to = Number((cap >> 24n) & 0xffn) * 500;
  const dstrd = Number((cap >> 32n) & 0xfn);
  const mpsmin = 4096 << Number((cap >> 48n) & 0xfn);
  const mpsmax = 4096 << Number((cap >> 52n) & 0xfn);
  const rdy = (b.csts & R.CSTS_RDY) !== 0;
  show(els.bootOut,
    h("p", { class: "verdict ok", role: "status" },
      `Controller ready: ${b.mode === "threaded" ? "threaded (own worker)" : "stepped (in the host worker)"}, driver state ${b.state}, booted in ${ms(b.bootMs)}`),
    kv([
      ["Mode", b.mode === "threaded" ? "threaded — controller loop in its own Web Worker" : "stepped — controller run by the host worker after each doorbell"],
      ["CAP", h("code", null, hex(cap, 16)), ` MQES ${mqes} entries · TO ${to} ms · DSTRD ${dstrd} · MPSMIN ${mpsmin / 1024} KiB · MPSMAX ${mpsmax / 1024} KiB`],
      ["VS", h("code", null, hex32(b.vs)), ` NVMe ${versionString(b.vs)}`],
      ["CC", h("code", null, hex32(b.cc)), ` EN ${b.cc & 1} · IOSQES ${(b.cc >>> 16) & 0xf} · IOCQES ${(b.cc >>> 20) & 0xf}`],
      ["CSTS", h("code", null, hex32(b.csts)), ` RDY ${rdy ? 1 : 0} · CFS ${(b.csts >>> 1) & 1}`],
      ["Namespaces", b.nsids.join(", ") || "none"],
      ["I/O queues", String(b.ioQueues)],
      ["Shared memory", `${(b.memoryBytes / 2 ** 20).toFixed(0)} MiB now, maximum ${b.memoryMaxPages} pages (${(b.memoryMaxPages * 65536) / 2 ** 30} GiB)`],
      ["Host worker", b.workerIsolated ? "crossOriginIsolated" : "not isolated"],
    ]));
}

function fieldTable(caption: string, fields: Field[]): HTMLElement {
  return table(caption, ["Field", "Value", "Meaning"], fields.map((f) => [
    h("span", null, h("abbr", { title: f.label }, f.name), h("span", { class: "label" }, f.label)),
    h("code", { class: f.value.length > 12 ? "long" : undefined }, f.value),
    f.meaning?.length ? h("ul", { class: f.meaning.length > 1 ? "bits chips" : "bits" }, f.meaning.map((m) => h("li", null, m))) : "",
  ]), "fields");
}

function renderIdentify(r: IdentifyReport): void {
  const parts: HTMLElement[] = [];
  const failed = (what: string, c: CommandOutcome) => h("p", { class: "verdict bad" }, `${what}: `, statusBadge(c.status));
  parts.push(r.controller.status === 0 ? fieldTable("Identify Controller (CNS 01h)", decodeIdentifyController(r.controller.data)) : failed("Identify Controller", r.controller));
  for (const ns of r.namespaces) {
    parts.push(ns.status === 0 ? fieldTable(`Identify Namespace ${ns.nsid} (CNS 00h)`, decodeIdentifyNamespace(ns.data)) : failed(`Identify Namespace ${ns.nsid}`, ns));
  }
  show(els.identifyOut,
    h("p", { class: "meta" }, `${1 + r.namespaces.length} Identify commands in ${ms(r.ms)}`),
    h("div", { class: "grid2" }, parts));
}

function completionTable(c: CommandOutcome): HTMLElement {
  const s = decodeStatus(c.status);
  return captioned("Completion queue entry", h("table", { class: "compact" },
    h("tbody", null,
      h("tr", null, h("th", { scope: "row" }, "Status"), h("td", null, statusBadge(c.status))),
      h("tr", null, h("th", { scope: "row" }, "SCT / SC"), h("td", null, `${s.sct.toString(16)}h ${s.sctName} / ${s.sc.toString(16).padStart(2, "0")}h`)),
      h("tr", null, h("th", { scope: "row" }, "DNR · More · CRD"), h("td", null, `${s.dnr ? 1 : 0} · ${s.more ? 1 : 0} · ${s.crd}`)),
      h("tr", null, h("th", { scope: "row" }, "DW0"), h("td", null, h("code", null, hex32(c.dw0)))),
      h("tr", null, h("th", { scope: "row" }, "DW1"), h("td", null, h("code", null, hex32(c.dw1)))),
      h("tr", null, h("th", { scope: "row" }, "SQ ID · SQ Head · CID"), h("td", null, `${c.sqid} · ${c.sqhd} · ${c.cid}`)))));
}

function renderCopy(r: CopyReport): void {
  const totalBlocks = r.blocks.length;
  let dst = r.sdlba;
  const rangeRows = r.ranges.map((g, i) => {
    const row = [String(i), String(g.slba), String(g.nlb - 1), String(g.nlb), `${g.slba}–${g.slba + g.nlb - 1}`, `${dst}–${dst + g.nlb - 1}`];
    dst += g.nlb;
    return row;
  });
  const nr = r.sqe[12] & 0xff;
  const desfmt = (r.sqe[12] >>> 8) & 0xf;
  const bad = r.blocks.filter((b) => !b.equal).length;
  const verdict = r.match
    ? h("p", { class: "verdict ok", role: "status" }, `Data matches: the ${totalBlocks} destination blocks equal the ${r.ranges.length} source ranges (${totalBlocks * r.lbaBytes} bytes)`)
    : h("p", { class: "verdict bad", role: "status" }, `Data differs: ${bad} of ${totalBlocks} destination blocks do not equal their source`);

  const dump = captioned(`First ${r.blocks[0]?.src.length ?? 0} bytes of each block: written to the source, read back from the destination`, h("table", { class: "hexdump" },
    h("thead", null, h("tr", null, ["Range", "", "LBA", "Bytes", "ASCII", "Same"].map((t) => h("th", { scope: "col" }, t)))),
    r.blocks.map((b) => h("tbody", { class: b.equal ? "" : "diff" },
      h("tr", null,
        h("td", { rowspan: 2, class: "range" }, `R${b.range}`),
        h("th", { scope: "row" }, "src"), h("td", { class: "num" }, String(b.srcLba)),
        h("td", null, h("code", null, hexBytes(b.src))), h("td", null, h("code", { class: "ascii" }, asciiBytes(b.src))),
        h("td", { rowspan: 2, class: `same ${b.equal ? "ok" : "bad"}` }, b.equal ? "✓ yes" : "✗ no")),
      h("tr", null,
        h("th", { scope: "row" }, "dst"), h("td", { class: "num" }, String(b.dstLba)),
        h("td", null, h("code", null, hexBytes(b.dst))), h("td", null, h("code", { class: "ascii" }, asciiBytes(b.dst))))))));

  const sqeDump = Array.from(r.sqe, (v, i) => `CDW${String(i).padEnd(2)} ${hex32(v)}`).join("\n");
  const descDump = Array.from({ length: r.descriptors.length / 16 }, (_, line) =>
    `${(line * 16).toString(16).padStart(4, "0")}: ${hexBytes(r.descriptors.subarray(line * 16, line * 16 + 16))}${line % 2 === 0 ? `   range ${line / 2}` : ""}`).join("\n");

  show(els.copyOut,
    verdict,
    h("p", { class: "meta" },
      `Run #${r.run} (${r.mode}): ${r.writes.length} Writes, 1 Copy, 1 Read of ${totalBlocks} blocks × ${r.lbaBytes} bytes on namespace ${r.nsid}, in ${ms(r.ms)}`),
    h("div", { class: "grid2" },
      h("div", null,
        h("p", { class: "cmd" }, h("strong", null, "Copy (19h)"), ` NSID ${r.nsid} · SDLBA ${r.sdlba} · NR ${nr} (${nr + 1} ranges, 0's based) · DESFMT ${desfmt}h`),
        table("Source ranges (descriptor format 0h, 32 bytes each)", ["#", "SLBA", "NLB field", "Blocks", "Source LBAs", "Destination LBAs"], rangeRows, "compact")),
      completionTable(r.copy)),
    h("details", null,
      h("summary", null, "Submission queue entry and source range descriptors"),
      h("div", { class: "grid2" },
        h("pre", { "aria-label": "Copy SQE" }, sqeDump),
        h("pre", { "aria-label": "Source range descriptors" }, descDump))),
    dump);
}

// ---- actions ----

els.boot.addEventListener("click", () => action("Boot controller", els.bootOut, async () => {
  const mode = selectedMode();
  log(`booting a ${mode} controller…`);
  booted = undefined;
  show(els.identifyOut);
  show(els.copyOut);
  const info = await host.boot(mode);
  booted = info;
  renderBoot(info);
  log(`controller ${info.state} (${mode}) in ${ms(info.bootMs)}; namespaces ${info.nsids.join(", ")}`, "ok");
}));

els.identify.addEventListener("click", () => action("Identify", els.identifyOut, async () => {
  const r = await host.identify();
  renderIdentify(r);
  log(`Identify: controller ${decodeStatus(r.controller.status).name}, ${r.namespaces.length} namespace(s), ${ms(r.ms)}`, r.controller.status === 0 ? "ok" : "bad");
}));

els.copy.addEventListener("click", () => action("Run copy", els.copyOut, async () => {
  const r = await host.runCopy();
  renderCopy(r);
  log(`Copy #${r.run}: ${decodeStatus(r.copy.status).name}, DW0 ${hex32(r.copy.dw0)}, data ${r.match ? "matches" : "differs"} (${ms(r.ms)})`, r.match ? "ok" : "bad");
}));

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="mode"]')) {
  radio.addEventListener("change", () => {
    if (booted && booted.mode !== selectedMode()) log(`mode set to ${selectedMode()}: boot the controller again to switch`);
  });
}

// ---- the console ----

const consoleHandle = startConsole({
  host,
  element: els.console,
  onBooted(info) {
    booted = info;
    show(els.identifyOut);
    show(els.copyOut);
    renderBoot(info);
    log(`console: booted a ${info.mode} controller (${info.state}) in ${ms(info.bootMs)}; namespaces ${info.nsids.join(", ")}`, "ok");
    refreshButtons();
  },
});

// ---- the views, the store and the URL ----

const parsed = decodeState(location.hash, EXPERIMENT_IDS);
const store = new Store(host, parsed.state);
const linkProblems: string[] = [];
function addLinkProblems(problems: string[]): void {
  if (!problems.length) return;
  linkProblems.push(...problems);
  els.linkProblems.hidden = false;
  show(els.linkProblems, h("strong", null, "This link could not be used as it is: "), h("ul", null, linkProblems.map((p) => h("li", null, p))));
  for (const p of problems) log(p, "bad");
}
addLinkProblems(parsed.problems);

/** Every problem of a setup, as the Setup view's Apply lists them (the scenario parser loads on demand). */
async function setupProblems(setup: Record<string, unknown>): Promise<string[]> {
  const { parseScenario } = await import("../src/block/scenario");
  return validateSetup(setup, parseScenario);
}

// a link's setup is checked when the page opens: each problem is named here, and the Setup
// view marks each field
if (parsed.state.setup) {
  void setupProblems(store.state.setup).then((list) => {
    if (list.length) addLinkProblems([`the link's setup is not valid (${list.length} problem${list.length === 1 ? "" : "s"}; the Setup view marks each field):`, ...list]);
  });
}

const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
const panels = new Map<ViewId, HTMLElement>(VIEWS.map((v) => [v, byId(`view-${v}`)]));
const showHooks = new Map<ViewId, Array<() => void>>();

function navigate(view: ViewId): void {
  store.show(view);
}

function syncUrl(): void {
  const hash = encodeState(store.pageState());
  if (location.hash === hash) return;
  history.replaceState(null, "", hash);
  // a link shown by Copy link is not this page's any more
  els.linkStatus.textContent = "";
}

let shownView: ViewId | undefined;
function renderView(view: ViewId): void {
  if (view === shownView) return;
  shownView = view;
  for (const t of tabs) {
    const on = t.dataset.view === view;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
  }
  for (const [v, p] of panels) p.hidden = v !== view;
  for (const f of showHooks.get(view) ?? []) f();
}

// WAI-ARIA tabs: click, or arrows/Home/End to move between them (automatic activation)
for (const t of tabs) {
  t.addEventListener("click", () => navigate(t.dataset.view as ViewId));
  t.addEventListener("keydown", (ev) => {
    const i = tabs.indexOf(t);
    const to = ev.key === "ArrowRight" ? (i + 1) % tabs.length : ev.key === "ArrowLeft" ? (i - 1 + tabs.length) % tabs.length
      : ev.key === "Home" ? 0 : ev.key === "End" ? tabs.length - 1 : -1;
    if (to < 0) return;
    ev.preventDefault();
    tabs[to].focus();
    navigate(tabs[to].dataset.view as ViewId);
  });
}

function renderRunbar(): void {
  const s = store.state;
  const x = experiment(s.experiment);
  show(els.current, x ? h("span", null, h("strong", null, x.title), s.edited ? " (setup edited)" : "") : s.edited ? "Custom setup" : "No experiment chosen");
  els.run.disabled = s.running;
  els.run.textContent = s.running ? "Running…" : "Run";
  els.runStatus.textContent = runStatus(s);
  if (s.error) {
    els.error.hidden = false;
    show(els.error, h("strong", null, "Error: "), s.error);
  }
}

let lastRunSeq = 0;
let lastTcpSeq = 0;
let lastError: string | undefined;
store.subscribe((s) => {
  renderView(s.view);
  renderRunbar();
  syncUrl();
  if (s.runSeq !== lastRunSeq) {
    lastRunSeq = s.runSeq;
    els.error.hidden = true;
    log(runLogLine(s.runSeq, s.run!, experiment(s.experiment)?.title ?? "custom setup"), "ok");
  }
  if (s.tcpSeq !== lastTcpSeq) {
    lastTcpSeq = s.tcpSeq;
    els.error.hidden = true;
    log(tcpLogLine(s.tcpSeq, s.tcp!, experiment(s.tcp!.experiment)?.title ?? s.tcp!.experiment), "ok");
  }
  if (s.error && s.error !== lastError) log(s.error, "bad");
  if (!s.error) els.error.hidden = true;
  lastError = s.error;
});

els.run.addEventListener("click", () => {
  const x = experiment(store.state.experiment);
  if (x?.kind === "tcp") void store.runTcp(x);
  else if (x?.kind === "console") { navigate("console"); for (const l of x.lines ?? []) consoleHandle.type(`${l}\r`); }
  else void runSetup();
});

/** Run the current setup; an edited one that is not valid is not run, and every problem is named. */
async function runSetup(): Promise<void> {
  if (store.state.edited) {
    const list = await setupProblems(store.state.setup);
    if (list.length) {
      store.fail(`the setup is not valid (${list.length} problem${list.length === 1 ? "" : "s"}; the Setup view marks each field): ${list.join("; ")}`);
      return;
    }
  }
  await store.run();
}

// Copy link answers beside its button, never in the run's status: "Link copied" goes after a
// few seconds; where the clipboard refuses, the link itself stays there to copy by hand.
const LINK_SAID_MS = 3000;
let linkTimer: ReturnType<typeof setTimeout> | undefined;
els.copyLink.addEventListener("click", async () => {
  syncUrl();
  clearTimeout(linkTimer);
  try {
    await navigator.clipboard.writeText(location.href);
    els.linkStatus.textContent = "Link copied";
    linkTimer = setTimeout(() => { els.linkStatus.textContent = ""; }, LINK_SAID_MS);
  } catch {
    els.linkStatus.textContent = "";
    els.linkStatus.append("The clipboard is not available; the link: ", h("code", null, location.href));
  }
});

const ctx: ViewContext = {
  store,
  host,
  navigate,
  onShow(f) {
    // the caller is the view being mounted: remember which panel it belongs to
    const view = mounting!;
    showHooks.set(view, [...(showHooks.get(view) ?? []), f]);
  },
};
let mounting: ViewId | undefined;
const mounts: Array<[ViewId, (panel: HTMLElement) => void]> = [
  ["experiments", (p) => mountExperiments(p, ctx, { typeInConsole: (lines) => { for (const l of lines) consoleHandle.type(`${l}\r`); } })],
  ["setup", (p) => mountSetup(p, ctx)],
  ["queues", (p) => mountQueues(p, ctx)],
  ["block", (p) => mountBlockLayer(p, ctx)],
  ["trace", (p) => mountTrace(p, ctx)],
  ["media", (p) => mountMedia(p, ctx)],
  ["charts", (p) => mountCharts(p, ctx)],
];
for (const [view, mount] of mounts) {
  mounting = view;
  try {
    mount(panels.get(view)!);
  } catch (e) {
    setError(new Error(`the ${view} view failed to start: ${e instanceof Error ? e.message : String(e)}`));
  }
}
mounting = undefined;
renderView(store.state.view);
renderRunbar();
syncUrl();
addEventListener("hashchange", () => {
  const p = decodeState(location.hash, EXPERIMENT_IDS);
  if (p.state.experiment && p.state.experiment !== store.state.experiment) store.choose(p.state.experiment);
  if (p.state.setup) store.edit(p.state.setup as Record<string, unknown>);
  store.show(p.state.view);
});

// ---- start ----

/** sessionStorage key: the page reloaded itself once to come under the service worker. */
const COI_RETRY = "nvmelab-coi-retry";

/**
 * Static hosting: coi-serviceworker reloads the page as soon as its worker is found
 * (updatefound), which can be before the worker is active; the reloaded page then comes up
 * without it, still not isolated, and the library does not try again. Once the worker is
 * active and this page is still not under it, reload once more (the session flag stops a loop).
 */
function retryIsolation(): void {
  const sw = "serviceWorker" in navigator ? navigator.serviceWorker : null;
  if (!sw || sessionStorage.getItem(COI_RETRY)) return;
  void sw.ready.then(() => {
    if (sw.controller) return;
    sessionStorage.setItem(COI_RETRY, "1");
    location.reload();
  });
}

if (crossOriginIsolated) {
  sessionStorage.removeItem(COI_RETRY);
  els.isolation.textContent = "crossOriginIsolated";
  els.isolation.classList.add("ok");
  log("page is crossOriginIsolated: shared memory and Atomics available");
} else {
  els.isolation.textContent = "not crossOriginIsolated";
  els.isolation.classList.add("bad");
  setError(new Error("this page is not crossOriginIsolated, so it cannot share memory with its workers: serve it with COOP: same-origin and COEP: require-corp (npm run dev or vite preview do)"));
  retryIsolation();
}
refreshButtons();

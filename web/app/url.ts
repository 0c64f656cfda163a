// The page's state in its URL fragment, so a link reproduces a setup and an experiment:
// #view=<view>&x=<experiment id>&setup=<base64url of the setup's JSON>. `setup` appears only
// when it differs from the experiment's own. Parsing never throws: a malformed link gives
// the default state and a message saying what was wrong. No DOM.

export const VIEWS = ["experiments", "setup", "queues", "block", "trace", "console", "media", "charts", "controller"] as const;
export type ViewId = (typeof VIEWS)[number];
export const DEFAULT_VIEW: ViewId = "experiments";

export interface PageState {
  view: ViewId;
  /** The experiment chosen in the gallery (web/app/experiments.ts), if any. */
  experiment?: string;
  /** A setup edited away from the experiment's (scenario JSON, checked when it runs). */
  setup?: unknown;
}

/** Longest fragment accepted (a setup is a few KiB; this keeps a hostile link cheap). */
export const MAX_FRAGMENT_CHARS = 64 * 1024;

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("it is not base64url");
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export function encodeState(s: PageState): string {
  const p = new URLSearchParams();
  p.set("view", s.view);
  if (s.experiment) p.set("x", s.experiment);
  if (s.setup !== undefined) p.set("setup", toBase64Url(new TextEncoder().encode(JSON.stringify(s.setup))));
  return `#${p.toString()}`;
}

export interface ParsedState {
  state: PageState;
  /** What was wrong with the link (the state is then the default, or what could be kept). */
  problems: string[];
}

/**
 * Read a fragment. Unknown keys, an unknown view or experiment, and a setup that is not
 * base64url JSON are each reported; the rest of the link still applies.
 */
export function decodeState(fragment: string, experiments: ReadonlySet<string>): ParsedState {
  const problems: string[] = [];
  const state: PageState = { view: DEFAULT_VIEW };
  const raw = fragment.replace(/^#/, "");
  if (raw === "") return { state, problems };
  if (raw.length > MAX_FRAGMENT_CHARS) return { state, problems: [`the link's state is ${raw.length} characters, more than ${MAX_FRAGMENT_CHARS}: ignored`] };
  const p = new URLSearchParams(raw);
  for (const k of p.keys()) if (!["view", "x", "setup"].includes(k)) problems.push(`unknown key "${k}" in the link: ignored`);
  const view = p.get("view");
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) state.view = view as ViewId;
    else problems.push(`view "${view}" does not exist (views: ${VIEWS.join(", ")}): showing ${DEFAULT_VIEW}`);
  }
  const x = p.get("x");
  if (x !== null) {
    if (experiments.has(x)) state.experiment = x;
    else problems.push(`experiment "${x}" does not exist: showing the default setup`);
  }
  const setup = p.get("setup");
  if (setup !== null) {
    try {
      state.setup = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(fromBase64Url(setup)));
      if (typeof state.setup !== "object" || state.setup === null || Array.isArray(state.setup)) {
        state.setup = undefined;
        throw new Error("it is not a JSON object");
      }
    } catch (e) {
      problems.push(`the link's setup could not be read (${(e as Error).message}): using the ${state.experiment ? "experiment's" : "default"} setup`);
    }
  }
  return { state, problems };
}

// The page state in the URL (web/app/url.ts): round trips, and malformed links that give the
// default state with a message naming each problem.

import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { decodeState, encodeState, VIEWS, MAX_FRAGMENT_CHARS } from "../../web/app/url";

const ids = new Set(["vector-merge", "ctx-gc"]);

describe("page state in the URL", () => {
  it("round-trips view, experiment and setup", () => {
    fc.assert(fc.property(
      fc.constantFrom(...VIEWS), fc.option(fc.constantFrom(...ids), { nil: undefined }),
      fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
      (view, experiment, setup) => {
        const s = { view, experiment, setup };
        const back = decodeState(encodeState(s), ids);
        expect(back.problems).toEqual([]);
        expect(back.state).toEqual(JSON.parse(JSON.stringify({ view, experiment, setup })));
      }));
  });

  it("an empty fragment is the default", () => {
    expect(decodeState("", ids)).toEqual({ state: { view: "experiments" }, problems: [] });
  });

  it("names each problem of a malformed link and keeps what it can", () => {
    const r = decodeState("#view=nope&x=ctx-gc&setup=!!&zzz=1", ids);
    expect(r.state).toEqual({ view: "experiments", experiment: "ctx-gc" });
    expect(r.problems).toEqual([
      'unknown key "zzz" in the link: ignored',
      'view "nope" does not exist (views: experiments, setup, queues, block, trace, console, media, charts, controller): showing experiments',
      "the link's setup could not be read (it is not base64url): using the experiment's setup",
    ]);
    expect(decodeState("#setup=WzFd", ids).problems).toEqual(["the link's setup could not be read (it is not a JSON object): using the default setup"]);
    expect(decodeState("#setup=_w", ids).problems[0]).toMatch(/could not be read/);
    expect(decodeState("#x=" + "a".repeat(MAX_FRAGMENT_CHARS), ids).problems[0]).toMatch(/more than 65536: ignored/);
  });
});

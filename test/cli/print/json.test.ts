// Tests for src/cli/print/json.ts against nvme-cli master's output format (tools/nvme-cli-output.md).
import { describe, it, expect } from "vitest";
import { toNvmeJson } from "../../../src/cli/print/json";

describe("toNvmeJson (json-c 0.16 PRETTY | NOSLASHESCAPE)", () => {
  it("matches json-c's layout byte for byte", () => {
    // Expected text produced by json_object_to_json_string_ext() with json-c 0.16 for the same tree.
    const tree = {
      Devices: [{
        NameSpace: 1,
        Path: "/dev/nvme0n1 \"q\" \\ \t\n\x01 \u00b0 C",
        big: 18446744073709551615n,
        neg: -5,
        emptyobj: {},
        emptyarr: [],
      }],
      arr: ["x", 2],
      bool: true,
      null: null,
      dbl: 1.5,
    };
    expect(toNvmeJson(tree)).toBe([
      "{",
      '  "Devices":[',
      "    {",
      '      "NameSpace":1,',
      '      "Path":"/dev/nvme0n1 \\"q\\" \\\\ \\t\\n\\u0001 \u00b0 C",',
      '      "big":18446744073709551615,',
      '      "neg":-5,',
      '      "emptyobj":{',
      "      },",
      '      "emptyarr":[',
      "      ]",
      "    }",
      "  ],",
      '  "arr":[',
      '    "x",',
      "    2",
      "  ],",
      '  "bool":true,',
      '  "null":null,',
      '  "dbl":1.5',
      "}",
    ].join("\n"));
  });

  it("prints empty top-level containers over two lines", () => {
    expect(toNvmeJson([])).toBe("[\n]");
    expect(toNvmeJson({})).toBe("{\n}");
  });

  it("escapes control characters in lower-case \\u form and leaves / and DEL alone", () => {
    expect(toNvmeJson({ s: "\b\f\r\x1f\x7f/", 'k"ey': -2147483648 })).toBe('{\n  "s":"\\b\\f\\r\\u001f\x7f/",\n  "k\\"ey":-2147483648\n}');
  });

  it("keeps insertion order of keys", () => {
    expect(toNvmeJson({ b: 1, a: 2 })).toBe('{\n  "b":1,\n  "a":2\n}');
  });
});

import { parse, stringify } from "yaml";
import { findVariables, substituteString } from "../../../automation/gitops";
import {
  namePattern,
  substituteObject,
  substitutionDisabled,
} from "../../../automation/gitops/shared/substitution";

describe("findVariables", () => {
  it.each([
    [
      "plain",
      "slice-${SST}-${SD}",
      [
        ["SST", false, false, 1],
        ["SD", false, false, 1],
      ],
    ],
    [
      "defaults in every envsubst form",
      "${A:=1} ${B=2} ${C:-3} ${D-4}",
      [
        ["A", true, false, 1],
        ["B", true, false, 1],
        ["C", true, false, 1],
        ["D", true, false, 1],
      ],
    ],
    ["escaped", "$${LITERAL} and ${REAL}", [["REAL", false, false, 1]]],
    ["invalid name", "${PLATFORM.NAME}", [["PLATFORM.NAME", false, true, 1]]],
    ["empty braces", "${}", [["", false, true, 1]]],
    ["second line", "a\n${X}", [["X", false, false, 2]]],
    ["none", "no $VAR braces", []],
  ])("%s", (_name, value, expected) => {
    expect(findVariables(value).map((u) => [u.name, u.hasDefault, u.invalid, u.line])).toEqual(expected);
  });
});

describe("substituteString", () => {
  it.each([
    ["known", "slice-${SST}-${SD}", { SST: "1", SD: "def922" }, "slice-1-def922"],
    ["unknown stays", "slice-${SST}", {}, "slice-${SST}"],
    ["default when unknown", "${P:=5}", {}, "5"],
    ["value wins over default", "${P:=5}", { P: "3" }, "3"],
    [":= takes the default for an empty value", "${P:=5}", { P: "" }, "5"],
    ["= keeps an empty value", "${P=5}", { P: "" }, ""],
    ["escape becomes a literal", "$${P}", { P: "x" }, "${P}"],
  ])("%s", (_name, value, vars, expected) => {
    expect(substituteString(value, vars)).toBe(expected);
  });

  it("substitutes keys and nested values", () => {
    expect(substituteObject({ "${K}": ["${V}", 1, true] }, { K: "k", V: "v" })).toEqual({
      k: ["v", 1, true],
    });
  });

  it("types values as kustomize-controller does: in the YAML text, parsed again as YAML 1.1", () => {
    expect(
      substituteObject(
        {
          spec: {
            nsiID: "${N}",
            sst: "${S}",
            quoted: "id-${N}",
            flag: "${F}",
            missing: "${M}",
            withDefault: "${M:=0042}",
          },
        },
        { N: "1", S: "01", F: "yes" },
      ),
    ).toEqual({ spec: { nsiID: 1, sst: 1, quoted: "id-1", flag: true, missing: "${M}", withDefault: 34 } });
  });

  it("leaves an object without a known variable as it is (the same object)", () => {
    const o = { data: { a: "${UNKNOWN}" } };
    expect(substituteObject(o, { N: "1" })).toBe(o);
  });
});

describe("substitutionDisabled and namePattern", () => {
  it.each([
    [{ labels: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, true],
    [{ annotations: { "kustomize.toolkit.fluxcd.io/substitute": "disabled" } }, true],
    [{ labels: { "kustomize.toolkit.fluxcd.io/substitute": "enabled" } }, false],
    [{}, false],
  ])("%j → %s", (metadata, expected) => {
    expect(substitutionDisabled(metadata)).toBe(expected);
  });

  it("matches unknown parts of a name", () => {
    expect(namePattern("slice-${SST}-${SD}").test("slice-1-def922")).toBe(true);
    expect(namePattern("slice-${SST}-${SD}").test("vslice-1-def922")).toBe(false);
    expect(namePattern("a.b").test("axb")).toBe(false);
  });
});

describe("substituteObject scalar by scalar, as the whole YAML text gives it", () => {
  // What kustomize-controller does, literally: the object's YAML text substituted, then parsed (YAML 1.1).
  const wholeText = (value: unknown, vars: Record<string, string>) =>
    parse(substituteString(stringify(value, { lineWidth: 0 }), vars), { version: "1.1" }) as unknown;
  // The value, or the parse error both give (a value that breaks the YAML fails the reconcile too).
  const outcome = (f: () => unknown) => {
    try {
      return { value: f() };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  const vars = {
    N: "1",
    S: "01",
    F: "yes",
    E: "",
    T: "~",
    X: "0x1F",
    D: "1.5e3",
    MAP: "a: b",
    HASH: "x # y",
    LIST: "[1, 2]",
    DASH: "- x",
    SPACE: " x",
    QUOTE: 'say "hi"',
    LINES: "a\nb",
    NAME: "de-dev",
  };
  it.each([
    ["a number", { num: "${N}" }],
    ["a leading zero", { lead: "${S}" }],
    ["a YAML 1.1 boolean", { flag: "${F}" }],
    ["an empty value", { empty: "${E}" }],
    ["a null", { tilde: "${T}" }],
    ["a hexadecimal number", { hex: "${X}" }],
    ["a float", { dbl: "${D}" }],
    ["a name inside text", { name: "slice-${NAME}-${N}" }],
    ["a default", { val: "${M:=0042}", val2: "${M:-x}" }],
    ["an escaped reference", { val: "$${N}" }],
    ["a mapping in the value", { val: "${MAP}" }],
    ["a comment in the value", { val: "${HASH}" }],
    ["a flow sequence in the value", { val: "${LIST}" }],
    ["a sequence entry in the value", { val: "${DASH}" }],
    ["a leading space", { val: "${SPACE}" }],
    ["quotes in the value", { val: "${QUOTE}" }],
    ["lines in the value", { val: "${LINES}" }],
    ["a quoted string around it", { val: "a: ${N}" }],
    ["a reference in a key", { "${NAME}": "${N}" }],
    ["nested lists and maps", { a: [{ b: "${N}" }, "${F}", 3, null, true], c: { dd: ["${S}"] } }],
  ])("%s", (_name, value) => {
    expect(outcome(() => substituteObject(value, vars))).toEqual(outcome(() => wholeText(value, vars)));
  });

  // Each value a plain scalar can read as in YAML 1.1, resolved without a parse of its own, and the
  // values that are not one plain scalar where they stand (those take the whole text).
  // prettier-ignore
  const values = [
    "0", "1", "-1", "+12", "007", "08", "0_7", "1_000", "1__2", "_1", "0b101", "-0b1", "0b", "0x1F", "0xg",
    "1.5", ".5", "1.", "-.5", "1e3", "1.5e-3", "1E+3", "1e", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "1.2.3",
    "yes", "Yes", "YES", "yEs", "no", "No", "on", "ON", "off", "Off", "y", "Y", "n", "N", "true", "True",
    "TRUE", "tRUE", "false", "FALSE", "~", "null", "Null", "NULL", "nULL", "", "2001-12-14", "2001-13-45",
    "2001-1-2", "12345678901234567890", "0.0.0.0", "v1", "abc def", "x.y", "...", "..", "a=b", "ä", "1 2",
    "oci://h/p", "https://a.b/c?d=e#f", "a:b", "a: b", "a:", "a :b", "--flag=x", "-x", "- x", "-", "?x", "? x",
    ":x", ": x", "x #y", "x#y", "#x", "a,b", ",a", "[a]", "a[0]", "{a}", "a{b}", "a}", "*x", "&x", "!x", "|x",
    ">x", "'x'", "x'y", '"x"', 'x"y', "%x", "@x", "`x`", "platform a (dev), cluster b", "x\\y", "a\u2028b",
    "a\u0085b", "a\tb", "a\u0001b", "\ufeffa", "---", "--- x", "x ", " x", "a  b", "a\\nb", "=", "<<",
  ];
  it.each(values)("the value %j as a whole value", (v) => {
    const value = { val: "${V}", list: ["${V}"] };
    expect(outcome(() => substituteObject(value, { V: v }))).toEqual(
      outcome(() => wholeText(value, { V: v })),
    );
  });

  it("keeps a string that reads as YAML 1.1's boolean beside a substituted value as the string it is", () => {
    // kustomize's own output quotes it; the whole-text round trip of this project's writer (YAML 1.2) did not.
    expect(substituteObject({ a: "${N}", b: "yes", c: "2001-12-14" }, vars)).toEqual({
      a: 1,
      b: "yes",
      c: "2001-12-14",
    });
  });
});

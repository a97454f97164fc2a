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

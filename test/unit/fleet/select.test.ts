import * as path from "node:path";
import {
  describeSelection,
  groupWaves,
  parseLabels,
  parseShard,
  parseStackList,
  parseWave,
  planStacks,
  selectStacks,
  shardStacks,
  type Selection,
} from "../../../automation/fleet/select";
import { loadInventory } from "../../../automation/fleet/inventoryFile";
import type { Inventory } from "../../../automation/fleet/inventory";
import { manyStacks } from "./fakes";

let inv: Inventory;
beforeAll(async () => {
  inv = await loadInventory(path.join(__dirname, "../../fixtures/fleet/project"));
});

const names = (sel: Selection) => planStacks(inv, sel).map((s) => s.stack);

describe("selection", () => {
  it.each<[string, Selection, string[]]>([
    ["everything", {}, ["canary", "de-prod", "fr-prod", "it-prod"]],
    ["by name, in wave order", { stacks: ["it-prod", "canary"] }, ["canary", "it-prod"]],
    ["by wave", { wave: 2 }, ["de-prod", "fr-prod"]],
    ["by group", { group: "de" }, ["canary", "de-prod"]],
    ["by implicit environment label", { labels: { environment: "prod" } }, ["de-prod", "fr-prod"]],
    ["by declared label", { labels: { tier: "canary" } }, ["canary"]],
    ["combined", { wave: 2, group: "fr" }, ["fr-prod"]],
    ["shard 1/2", { shard: { index: 1, count: 2 } }, ["canary", "fr-prod"]],
    ["shard 2/2", { shard: { index: 2, count: 2 } }, ["de-prod", "it-prod"]],
    ["more shards than stacks", { wave: 3, shard: { index: 2, count: 3 } }, []],
  ])("%s", (_n, sel, expected) => {
    expect(names(sel)).toEqual(expected);
  });

  it.each<[string, Selection, string]>([
    [
      "unknown stack",
      { stacks: ["nope"] },
      "unknown stack nope: there is no Pulumi.nope.yaml; fleet stacks are canary, de-prod, fr-prod, it-prod",
    ],
    [
      "stack outside the fleet",
      { stacks: ["sandbox"] },
      'stack sandbox is not in the fleet: Pulumi.sandbox.yaml has no platform:fleet; add "platform:fleet:" with "wave: <n>" to it',
    ],
    ["wave that does not exist", { wave: 4 }, "--wave 4: the fleet has waves 1 to 3"],
    ["nothing matches", { wave: 1, group: "fr" }, "the selection matched no stack (wave 1, group fr)"],
  ])("rejects %s", (_n, sel, message) => {
    expect(() => selectStacks(inv, sel)).toThrow(message);
  });

  it("reports every unknown stack at once", () => {
    expect(() => selectStacks(inv, { stacks: ["x", "y"] })).toThrow(/unknown stack x.*\nunknown stack y/);
  });
});

describe("flag parsing", () => {
  it.each([
    ["1/1", { index: 1, count: 1 }],
    ["2/4", { index: 2, count: 4 }],
    [" 3/3 ", { index: 3, count: 3 }],
  ])("--shard %j", (text, shard) => expect(parseShard(text)).toEqual(shard));

  it.each([
    ["0/2", '--shard "0/2": the shard index must be between 1 and 2'],
    ["3/2", '--shard "3/2": the shard index must be between 1 and 2'],
    ["1/0", '--shard "1/0": the number of shards must be at least 1'],
    ["1of2", '--shard "1of2": expected i/n, e.g. 2/4 (the second of four jobs)'],
    ["", '--shard "": expected i/n, e.g. 2/4 (the second of four jobs)'],
  ])("--shard %j is rejected", (text, message) => expect(() => parseShard(text)).toThrow(message));

  it("labels", () => {
    expect(parseLabels("environment=prod, tier=canary")).toEqual({ environment: "prod", tier: "canary" });
    expect(() => parseLabels("environment")).toThrow(
      '--label "environment": expected key=value[,key=value], e.g. environment=prod',
    );
    expect(() => parseLabels("a=1,a=2")).toThrow('--label "a=1,a=2": label a is given twice');
  });

  it("stack lists and waves", () => {
    expect(parseStackList("a, b")).toEqual(["a", "b"]);
    expect(() => parseStackList("a,,b")).toThrow('--stack "a,,b": expected names separated by commas');
    expect(() => parseStackList("a,b,a")).toThrow('--stack "a,b,a": stack a is given twice');
    expect(parseWave("2")).toBe(2);
    expect(() => parseWave("0")).toThrow('--wave "0": expected a wave number from 1');
    expect(() => parseWave("two")).toThrow('--wave "two": expected a wave number from 1');
  });

  it("describes a selection", () => {
    expect(describeSelection({})).toBe("all fleet stacks");
    expect(
      describeSelection({
        stacks: ["a"],
        wave: 2,
        group: "de",
        labels: { t: "x" },
        shard: { index: 1, count: 3 },
      }),
    ).toBe("stacks a, wave 2, group de, label t=x, shard 1/3");
  });
});

describe("shards", () => {
  it.each([1, 2, 3, 4, 7, 40, 41])(
    "%i shards cover a 40-stack selection exactly once, evenly, stably",
    (n) => {
      const stacks = manyStacks(40, (i) => 1 + (i % 3));
      const parts = Array.from({ length: n }, (_, i) =>
        shardStacks(stacks, { index: i + 1, count: n }).map((s) => s.stack),
      );
      const all = parts.flat();
      expect(all.sort()).toEqual(stacks.map((s) => s.stack).sort());
      expect(new Set(all).size).toBe(40);
      const sizes = parts.map((p) => p.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // Stable: the input order does not matter, only the selection.
      const reversed = shardStacks([...stacks].reverse(), { index: 1, count: n }).map((s) => s.stack);
      expect(reversed).toEqual(parts[0]);
    },
  );

  it("groups waves in order", () => {
    const stacks = manyStacks(5, (i) => [2, 1, 3, 1, 2][i]);
    expect(groupWaves(stacks).map((w) => [w.wave, w.stacks.map((s) => s.stack)])).toEqual([
      [1, ["s02", "s04"]],
      [2, ["s01", "s05"]],
      [3, ["s03"]],
    ]);
  });
});

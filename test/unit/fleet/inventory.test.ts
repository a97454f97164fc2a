import versions from "../../../components/flux/versions.json";
import * as path from "node:path";
import {
  buildInventory,
  InventoryError,
  waveGaps,
  type StackEntry,
} from "../../../automation/fleet/inventory";
import { listStacks, loadInventory } from "../../../automation/fleet/inventoryFile";
import { parsePlatformConfig } from "../../../stacks/config";
import { readStackConfig } from "../../../automation/render/stackFile";

const FIXTURE = path.join(__dirname, "../../fixtures/fleet/project");
const ROOT = path.join(__dirname, "../../..");

const entry = (stack: string, fleet: unknown, extra: Record<string, unknown> = {}): StackEntry => ({
  stack,
  file: `Pulumi.${stack}.yaml`,
  values: { name: stack, environment: "dev", ...(fleet === undefined ? {} : { fleet }), ...extra },
});

function problemsOf(entries: StackEntry[]): string[] {
  try {
    buildInventory(entries);
  } catch (e) {
    if (e instanceof InventoryError) return e.problems;
    throw e;
  }
  throw new Error("expected an InventoryError");
}

describe("fleet inventory from stack files", () => {
  it("reads platform:fleet of every stack file, sorted by wave then name", async () => {
    const inv = await loadInventory(FIXTURE);
    expect(inv.stacks.map((s) => [s.stack, s.wave, s.group])).toEqual([
      ["canary", 1, "de"],
      ["de-prod", 2, "de"],
      ["fr-prod", 2, "fr"],
      ["it-prod", 3, "it"],
    ]);
    expect(inv.outside).toEqual(["sandbox"]);
    expect(inv.stacks[0]).toEqual({
      stack: "canary",
      file: "Pulumi.canary.yaml",
      wave: 1,
      group: "de",
      labels: { environment: "dev", tier: "canary" },
      platformName: "de-canary",
      declared: { fluxVersion: versions.flux },
    });
    // A declared label wins over the implicit environment label.
    expect(inv.stacks[3].labels).toEqual({ environment: "prod-eu" });
  });

  it("lists stack files only (not Pulumi.yaml)", async () => {
    expect(await listStacks(FIXTURE)).toEqual(["canary", "de-prod", "fr-prod", "it-prod", "sandbox"]);
  });

  it("the shipped stacks are in the fleet and their platform:fleet passes the platform schema", async () => {
    const inv = await loadInventory(ROOT);
    expect(inv.stacks.map((s) => s.stack)).toEqual(expect.arrayContaining(["dev", "local", "prod"]));
    for (const s of ["local", "dev", "prod"]) {
      const source = await readStackConfig(ROOT, s);
      expect(() => parsePlatformConfig(source)).not.toThrow();
    }
  });

  it("reads what each shipped stack declares: cluster kind, Flux version, ref", async () => {
    const inv = await loadInventory(ROOT);
    const declared = Object.fromEntries(inv.stacks.map((s) => [s.stack, s.declared]));
    expect(declared).toMatchObject({
      dev: { clusterKind: "eks", fluxVersion: versions.flux, desiredRef: "semver >=1.0.0-0" },
      local: { clusterKind: "existing", fluxVersion: versions.flux, desiredRef: "branch main" },
      prod: { clusterKind: "baremetal", fluxVersion: versions.flux, desiredRef: "tag v1.0.0" },
    });
  });

  it("leaves out what a stack file does not say readably", () => {
    const inv = buildInventory([
      entry("a", { wave: 1 }, { flux: { version: "2.8.0", source: { ref: { tag: "v1", branch: "main" } } } }),
    ]);
    expect(inv.stacks[0].declared).toEqual({ fluxVersion: "2.8.0" });
  });

  it("keeps the kubeconfig context of the stack for the Flux gate", () => {
    const inv = buildInventory([
      entry("a", { wave: 1 }, { cluster: { kind: "existing", context: "kind-a" } }),
    ]);
    expect(inv.stacks[0].kubeContext).toBe("kind-a");
  });
});

describe("fleet inventory validation", () => {
  const cases: [string, StackEntry[], string[]][] = [
    [
      "missing wave",
      [entry("a", {})],
      [
        "Pulumi.a.yaml: platform:fleet.wave: is required: the rollout wave, an integer from 1 (1 is the canary wave)",
      ],
    ],
    [
      "wave 0",
      [entry("a", { wave: 0 })],
      ["Pulumi.a.yaml: platform:fleet.wave: must be 1 or more (1 is the canary wave)"],
    ],
    [
      "wave 1.5",
      [entry("a", { wave: 1.5 })],
      ["Pulumi.a.yaml: platform:fleet.wave: must be a whole number from 1"],
    ],
    [
      "wave as a string",
      [entry("a", { wave: "1" })],
      ["Pulumi.a.yaml: platform:fleet.wave: must be a number such as 1, not quoted"],
    ],
    [
      "unknown key",
      [entry("a", { wave: 1, wavee: 2 })],
      ["Pulumi.a.yaml: platform:fleet: unknown key wavee: the fleet entry takes wave, group and labels"],
    ],
    [
      "label value not a string",
      [entry("a", { wave: 1, labels: { tier: 1 } })],
      [
        "Pulumi.a.yaml: platform:fleet.labels.tier: label values must be strings (quote numbers and booleans)",
      ],
    ],
    [
      "bad group",
      [entry("a", { wave: 1, group: "eu west" })],
      [
        "Pulumi.a.yaml: platform:fleet.group: must be a word of letters, digits, '.', '_' or '-' (at most 63)",
      ],
    ],
    [
      "wave gap",
      [entry("a", { wave: 1 }), entry("b", { wave: 3 }), entry("c", { wave: 3 })],
      [
        "wave 2 has no stack: waves run in order from 1 without gaps; put a stack in wave 2 or renumber wave 3 (platform:fleet.wave in Pulumi.b.yaml, Pulumi.c.yaml)",
      ],
    ],
    [
      "no wave 1",
      [entry("a", { wave: 2 })],
      [
        "wave 1 has no stack: waves run in order from 1 without gaps; put a stack in wave 1 or renumber wave 2 (platform:fleet.wave in Pulumi.a.yaml)",
      ],
    ],
    [
      "duplicate platform name",
      [entry("a", { wave: 1 }, { name: "de-prod" }), entry("b", { wave: 2 }, { name: "de-prod" })],
      [
        'Pulumi.a.yaml and Pulumi.b.yaml: all set platform:name "de-prod": two stacks would fight over one platform; give each its own name',
      ],
    ],
    [
      "duplicate stack",
      [entry("a", { wave: 1 }), entry("a", { wave: 1 })],
      ['Pulumi.a.yaml: stack "a" is listed twice: give each stack one file'],
    ],
    [
      "every problem at once",
      [entry("a", { wave: 0 }), entry("b", { wave: 2 })],
      [
        "Pulumi.a.yaml: platform:fleet.wave: must be 1 or more (1 is the canary wave)",
        "wave 1 has no stack: waves run in order from 1 without gaps; put a stack in wave 1 or renumber wave 2 (platform:fleet.wave in Pulumi.b.yaml)",
      ],
    ],
  ];
  it.each(cases)("%s", (_name, entries, expected) => {
    expect(problemsOf(entries)).toEqual(expected);
  });

  it("formats every problem in one message", () => {
    expect(() => buildInventory([entry("a", { wave: 2 })])).toThrow(
      "Invalid fleet inventory, 1 problem:\n  - wave 1 has no stack:",
    );
  });

  it("stacks without platform:fleet are outside the fleet, not errors", () => {
    expect(buildInventory([entry("x", undefined), entry("a", { wave: 1 })])).toMatchObject({
      outside: ["x"],
    });
  });

  it.each([
    [[1, 2, 3], []],
    [[2], [1]],
    [
      [1, 4],
      [2, 3],
    ],
    [[], []],
  ])("waveGaps(%j) = %j", (waves, gaps) => {
    expect(waveGaps(waves)).toEqual(gaps);
  });
});

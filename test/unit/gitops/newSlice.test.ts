import * as fs from "node:fs";
import * as path from "node:path";
import {
  parseNewSliceArgs,
  readSliceModel,
  rootSourceKindInTree,
  scaffoldSlice,
  ScaffoldError,
} from "../../../automation/gitops";
import { copyOfShipped, lintLines, SHIPPED } from "./helpers";

const EMBB = { SST: "1", SD: "def922", NSIID: "1", DNN: "internet", MCC: "262", MNC: "01" };

describe("parseNewSliceArgs", () => {
  it("takes options, model variables (flag names upper-cased) and --set", () => {
    expect(
      parseNewSliceArgs([
        "--cluster",
        "local",
        "--model=embb",
        "--sst",
        "1",
        "--latency-ms",
        "5",
        "--set",
        "X_Y=z=1",
        "--dry-run",
      ]),
    ).toEqual({
      cluster: "local",
      model: "embb",
      force: false,
      dryRun: true,
      values: { SST: "1", LATENCY_MS: "5", X_Y: "z=1" },
    });
  });

  it.each([
    [["--sst"], "--sst needs a value"],
    [["--set", "NOEQUALS"], "--set NOEQUALS: write --set KEY=VALUE"],
    [["embb"], 'unexpected argument "embb": values are given as --<variable> <value>'],
    [["--sst", "1", "--sst", "2"], '--sst (SST) is given twice ("1" and "2"): give it once'],
    [["--set", "SST=1", "--sst", "2"], '--sst (SST) is given twice ("1" and "2"): give it once'],
    [["--cluster", "a", "--cluster=b"], '--cluster is given twice ("a" and "b"): give it once'],
    [
      ["--cluster", "../../.."],
      "--cluster ../../..: not a Kubernetes name (lower-case letters, digits and '-', at most 63); it names clusters/<platform>/ in the repository",
    ],
    [
      ["--shard", "Shard_1"],
      "--shard Shard_1: not a shard name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 42): it is the sharding.fluxcd.io/key label value and one of the platform's flux.install.scaling.shards",
    ],
    [
      ["--shard", "s".repeat(43)],
      `--shard ${"s".repeat(43)}: not a shard name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 42): it is the sharding.fluxcd.io/key label value and one of the platform's flux.install.scaling.shards`,
    ],
    [
      ["--namespace", "Slices"],
      "--namespace Slices: not a Kubernetes name (lower-case letters, digits and '-', at most 63)",
    ],
  ])("%j → %s", (argv, message) => {
    expect(() => parseNewSliceArgs(argv)).toThrow(new ScaffoldError(message));
  });
});

describe("readSliceModel", () => {
  it("reads the variables and Slices of a catalog model", () => {
    const { objects, crds, ...model } = readSliceModel(SHIPPED, "urllc");
    expect(objects?.map((o) => o.kind)).toEqual(["Slice"]);
    expect(crds?.map((c) => `${c.apiVersion} ${c.kind} ${c.file}`)).toEqual([
      "catalog.platform.io/v1alpha1 Slice catalog/crds/slice.yaml",
    ]);
    expect(model).toEqual({
      name: "urllc",
      dir: "catalog/slices/urllc",
      required: ["DNN", "LATENCY_MS", "MCC", "MNC", "NSIID", "SD", "SST"],
      fromClusterVars: ["PLATFORM_NAME"],
      optional: { SLICE_PRIORITY: "2" },
      slices: [{ apiVersion: "catalog.platform.io/v1alpha1", kind: "Slice", name: "slice-${SST}-${SD}" }],
    });
  });

  it("names the models when the model is unknown", () => {
    expect(() => readSliceModel(SHIPPED, "mmtc")).toThrow(
      'unknown slice model "mmtc": the catalog (catalog/slices/) has embb, urllc',
    );
  });
});

describe("scaffoldSlice against the repository's Slice CRD", () => {
  const model = readSliceModel(SHIPPED, "embb");
  const refused = (problem: string) =>
    new ScaffoldError(`cannot scaffold a slice of model embb:\n  - ${problem}`);
  it.each([
    [
      { SST: "300" },
      "--sst 300: spec.snssais[0].sst is 300, and must be at most 255 in the Slice CRD (catalog/crds/slice.yaml)",
    ],
    [
      { SD: "xyz" },
      '--sst 1, --sd xyz: spec.snssais[0].snssai is "1-xyz", which does not match ^[0-9]{1,3}-[0-9a-fA-F]{6}$ in the Slice CRD (catalog/crds/slice.yaml)',
    ],
    [
      { MCC: "abc" },
      '--mcc abc, --mnc 01: spec.plmnID is "abc-01", which does not match ^[0-9]{3}-[0-9]{2,3}$ in the Slice CRD (catalog/crds/slice.yaml)',
    ],
    [
      { SD: "DEF922" },
      "--sst 1, --sd DEF922: the Slice would be named \"slice-1-DEF922\", which is not a Kubernetes name (lower-case letters, digits, '-' and '.'): write the value in lower case",
    ],
    [
      { SLICE_PRIORITY: "11" },
      "--slice-priority 11: spec.priority is 11, and must be at most 10 in the Slice CRD (catalog/crds/slice.yaml)",
    ],
  ])("refuses %j", (bad, problem) => {
    expect(() => scaffoldSlice({ cluster: "local", model, values: { ...EMBB, ...bad } })).toThrow(
      refused(problem),
    );
  });
});

describe("scaffoldSlice", () => {
  const model = readSliceModel(SHIPPED, "embb");

  it.each([
    [
      "an unused and a missing value",
      { ...EMBB, MNC: undefined, LATENCY_MS: "5" },
      "cannot scaffold a slice of model embb:\n  - LATENCY_MS is not used by model embb (it uses DNN, MCC, MNC, NSIID, SD, SLICE_PRIORITY, SST): remove it\n  - MNC is required by model embb: add --mnc <value>",
    ],
    [
      "an empty value",
      { ...EMBB, DNN: "" },
      "cannot scaffold a slice of model embb:\n  - DNN is empty: give it a value",
    ],
    [
      "an id that is not a DNS label",
      { ...EMBB, SD: "DE_F922" },
      'cannot scaffold a slice of model embb:\n  - SST and SD give the id "1-de_f922", which is not a DNS label: use digits and hex digits',
    ],
  ])("refuses %s", (_name, values, message) => {
    const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    expect(() => scaffoldSlice({ cluster: "local", model, values: clean })).toThrow(
      new ScaffoldError(message),
    );
  });

  it("labels the Kustomization for its shard with --shard", () => {
    expect(parseNewSliceArgs(["--cluster", "local", "--shard", "shard2"]).shard).toBe("shard2");
    const [slice] = scaffoldSlice({ cluster: "local", model, values: EMBB, shard: "shard2" });
    expect(slice.content).toContain(
      "metadata:\n  name: slice-1-def922\n  namespace: flux-system\n  labels:\n    catalog.platform.io/model: embb\n    sharding.fluxcd.io/key: shard2\nspec:\n",
    );
    const [unsharded] = scaffoldSlice({ cluster: "local", model, values: EMBB });
    expect(unsharded.content).toContain("  labels:\n    catalog.platform.io/model: embb\nspec:\n");
  });

  it("keeps info_ keys and optional variables, and is deterministic", () => {
    const values = { ...EMBB, SLICE_PRIORITY: "3", info_owner: "ran-team" };
    const files = scaffoldSlice({ cluster: "de-dev", model, values });
    expect(files.map((f) => f.path)).toEqual([
      "clusters/de-dev/slices/1-def922/slice.yaml",
      "clusters/de-dev/slices/1-def922/slice-vars.yaml",
    ]);
    expect(files[1].content).toContain('  SLICE_PRIORITY: "3"\n  SST: "1"\n  info_owner: "ran-team"\n');
    expect(scaffoldSlice({ cluster: "de-dev", model, values })).toEqual(files);
  });

  it("writes an instance that passes gitops:lint, and the same files as the shipped one", async () => {
    const repo = copyOfShipped();
    try {
      const urllc = readSliceModel(repo, "urllc");
      const values = {
        SST: "3",
        SD: "00000a",
        NSIID: "7",
        DNN: "factory",
        MCC: "001",
        MNC: "01",
        LATENCY_MS: "5",
      };
      for (const f of scaffoldSlice({ cluster: "local", model: urllc, values })) {
        fs.mkdirSync(path.dirname(path.join(repo, f.path)), { recursive: true });
        fs.writeFileSync(path.join(repo, f.path), f.content);
      }
      expect(await lintLines(repo)).toEqual([]);
      // local's instance is the scaffolder's output as it is (de-dev's builds its own overlay).
      const shipped = scaffoldSlice({
        cluster: "local",
        model: readSliceModel(repo, "embb"),
        values: { ...EMBB, MCC: "001" },
        command: "x",
      });
      const strip = (s: string) => s.replace(/^# Generated by: .*\n/m, "");
      for (const f of shipped)
        expect(strip(f.content)).toBe(strip(fs.readFileSync(path.join(SHIPPED, f.path), "utf8")));
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });

  it("pulls from the kind of root the platform's own Kustomizations name (de-dev's is an OCI artifact)", async () => {
    expect(rootSourceKindInTree(SHIPPED, "de-dev")).toBe("OCIRepository");
    expect(rootSourceKindInTree(SHIPPED, "local")).toBe("GitRepository");
    expect(rootSourceKindInTree(SHIPPED, "nowhere")).toBe("GitRepository");
    const repo = copyOfShipped();
    try {
      const files = scaffoldSlice({
        cluster: "de-dev",
        model: readSliceModel(repo, "embb"),
        values: { ...EMBB, SD: "0000aa", NSIID: "9" },
        sourceKind: rootSourceKindInTree(repo, "de-dev"),
      });
      expect(files[0].content).toContain("  sourceRef:\n    kind: OCIRepository\n    name: flux-system\n");
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(repo, f.path)), { recursive: true });
        fs.writeFileSync(path.join(repo, f.path), f.content);
      }
      expect(await lintLines(repo)).toEqual([]);
    } finally {
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { validateFluxObject } from "../../../automation/gitops";
import {
  fluxValidator,
  loadValidatorModule,
  NEWER_ENUM_VALUES,
} from "../../../automation/gitops/shared/schemas";

const ks = (spec: Record<string, unknown>, apiVersion = "kustomize.toolkit.fluxcd.io/v1") => ({
  apiVersion,
  kind: "Kustomization",
  metadata: { name: "apps", namespace: "flux-system" },
  spec,
});
const valid = { interval: "10m", prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } };

describe("validateFluxObject", () => {
  it.each([
    ["a valid Kustomization", ks(valid), []],
    ["prune as a string", ks({ ...valid, prune: "yes" }), ["spec.prune: must be of type boolean"]],
    [
      "a missing interval",
      ks({ prune: true, sourceRef: valid.sourceRef }),
      ['spec: missing required field "interval"'],
    ],
    [
      "an unknown sourceRef kind",
      ks({ ...valid, sourceRef: { kind: "HelmRepository", name: "x" } }),
      ['spec.sourceRef.kind: must be one of "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"'],
    ],
    [
      "a removed API version",
      ks(valid, "kustomize.toolkit.fluxcd.io/v1beta2"),
      [
        "Kustomization kustomize.toolkit.fluxcd.io/v1beta2 is not served by Flux 2.9 (removed API version): use kustomize.toolkit.fluxcd.io/v1",
      ],
    ],
    [
      "a removed HelmRelease version",
      { apiVersion: "helm.toolkit.fluxcd.io/v2beta2", kind: "HelmRelease", metadata: { name: "x" } },
      [
        "HelmRelease helm.toolkit.fluxcd.io/v2beta2 is not served by Flux 2.9 (removed API version): use helm.toolkit.fluxcd.io/v2",
      ],
    ],
    [
      "a kind the group does not have",
      { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: "x" } },
      [
        "Kustomization source.toolkit.fluxcd.io/v1 is not served by Flux 2.9 (removed API version): Kustomization is not a kind of source.toolkit.fluxcd.io",
      ],
    ],
    [
      "an scp-style Git URL",
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: "x" },
        spec: { interval: "1m", url: "git@github.com:a/b" },
      },
      ["spec.url: must match ^(http|https|ssh)://.*$"],
    ],
    [
      "a valid HelmRelease",
      {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "x" },
        spec: {
          interval: "1h",
          chart: { spec: { chart: "c", sourceRef: { kind: "HelmRepository", name: "r" } } },
          values: { a: 1 },
        },
      },
      [],
    ],
  ])("%s", (_name, obj, expected) => {
    expect(validateFluxObject(obj).map((p) => p.message)).toEqual(expected);
  });

  it("gives the path of each problem", () => {
    expect(validateFluxObject(ks({ ...valid, prune: "yes" }))[0].path).toEqual(["spec", "prune"]);
  });

  it.each([
    ["export function f() {}\n", /module syntax this loader does not handle/],
    ['import { x } from "left-pad";\n', /unsupported import "left-pad"/],
  ])("refuses a module it cannot rewrite: %j", (source, message) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schema-"));
    try {
      const file = path.join(dir, "m.js");
      fs.writeFileSync(file, source);
      expect(() => loadValidatorModule(file)).toThrow(message);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("enum values newer than the bundled schemas", () => {
  const gitRepo = (provider: string) => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "fleet", namespace: "flux-system" },
    spec: {
      interval: "1m",
      url: "https://git-codecommit.eu-central-1.amazonaws.com/v1/repos/fleet",
      provider,
    },
  });

  it("accepts GitRepository provider aws (source-controller v1.9.4 does) and still refuses unknown providers", () => {
    expect(validateFluxObject(gitRepo("aws"))).toEqual([]);
    expect(validateFluxObject(gitRepo("github"))).toEqual([]);
    expect(validateFluxObject(gitRepo("gcp"))).toEqual([
      {
        path: ["spec", "provider"],
        message: 'spec.provider: must be one of "generic", "azure", "github", "aws"',
      },
    ]);
  });

  it("lists only values the bundled package still refuses (drop an entry once it accepts the value)", () => {
    for (const [kind, entries] of Object.entries(NEWER_ENUM_VALUES))
      for (const entry of entries)
        for (const value of entry.values) {
          const validate = fluxValidator("source.toolkit.fluxcd.io/v1", kind);
          expect(validate).toBeDefined();
          const obj = gitRepo(value);
          expect(validate!(obj)).toBe(false);
          expect(validate!.errors?.map((e) => [e.keyword, e.instancePath])).toContainEqual([
            "enum",
            entry.path,
          ]);
        }
  });
});

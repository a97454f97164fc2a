import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  enforcementLevelOf,
  PolicyConfigError,
  policySettings,
  readPackConfig,
  validatePackConfig,
} from "../../automation/check/config";
import { policies } from "../../policy/rules";
import { eksPublicEndpoint } from "../../policy/rules/eks";
import { kmsKeyRotation } from "../../policy/rules/aws";

const root = path.join(__dirname, "..", "..");

describe("policy pack metadata", () => {
  it("gives every policy a unique name, a one-sentence description, a severity, a level and a config schema", () => {
    const names = policies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of policies) {
      expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(p.description).toMatch(/^[A-Z][^\n]*\.$/);
      expect(p.description.slice(0, -1)).not.toMatch(/\.\s/);
      expect(["low", "medium", "high", "critical"]).toContain(p.severity);
      expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
      expect(p.configSchema.properties).toBeDefined();
      expect("validateResource" in p || "validateStack" in p).toBe(true);
    }
  });

  it("pins the pack's own dependencies exactly, to the versions the root uses", () => {
    const read = (f: string) =>
      JSON.parse(readFileSync(path.join(root, f), "utf8")) as {
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
    const pack = read("policy/package.json");
    const main = read("package.json");
    const all = { ...main.dependencies, ...main.devDependencies };
    for (const [name, version] of Object.entries({ ...pack.dependencies, ...pack.devDependencies })) {
      expect(version).toMatch(/^\d+\.\d+\.\d+$/);
      expect([name, version]).toEqual([name, all[name]]);
    }
  });

  it("ships dev and prod configs that fit the policies: prod all mandatory, dev mostly advisory", async () => {
    const prod = await readPackConfig(path.join(root, "policy/config/prod.json"), policies);
    const dev = await readPackConfig(path.join(root, "policy/config/dev.json"), policies);
    expect(policies.every((p) => enforcementLevelOf(p, prod) === "mandatory")).toBe(true);
    const devMandatory = policies.filter((p) => enforcementLevelOf(p, dev) === "mandatory");
    expect(devMandatory.length).toBeLessThan(policies.length / 2);
  });
});

describe("pack config", () => {
  it("applies levels as the engine does: the policy's own, then all, then the policy's default", () => {
    expect(enforcementLevelOf(kmsKeyRotation, {})).toBe("advisory");
    expect(enforcementLevelOf(kmsKeyRotation, { all: "mandatory" })).toBe("mandatory");
    expect(enforcementLevelOf(kmsKeyRotation, { all: "mandatory", "kms-key-rotation": "disabled" })).toBe(
      "disabled",
    );
    expect(
      enforcementLevelOf(kmsKeyRotation, { "kms-key-rotation": { enforcementLevel: "remediate" } }),
    ).toBe("mandatory");
  });

  it("gives getConfig the schema defaults overlaid with the configured settings", () => {
    expect(policySettings(eksPublicEndpoint, {})).toEqual({ allowedPublicCidrs: [] });
    expect(
      policySettings(eksPublicEndpoint, {
        "eks-public-endpoint": { enforcementLevel: "advisory", allowedPublicCidrs: ["10.0.0.0/8"] },
      }),
    ).toEqual({ allowedPublicCidrs: ["10.0.0.0/8"] });
  });

  it("lists every problem: unknown policies and settings, bad levels and types", () => {
    expect(
      validatePackConfig(
        {
          all: "strict",
          "no-such-policy": "mandatory",
          "kms-key-rotation": { maxRotationPeriodDays: "365", rotate: true },
          "eks-public-endpoint": { allowedPublicCidrs: [1] },
          "flux-version-pinned": { enforcementLevel: "warn" },
          "iam-no-admin-wildcard": "sometimes",
        },
        policies,
      ),
    ).toEqual([
      "all: must be one of advisory, mandatory, remediate, disabled",
      `no-such-policy: no such policy; the policies are ${policies.map((p) => p.name).join(", ")}`,
      "kms-key-rotation.maxRotationPeriodDays: must be of type integer",
      "kms-key-rotation.rotate: unknown setting; known: maxRotationPeriodDays",
      "eks-public-endpoint.allowedPublicCidrs: must be of type array of string",
      "flux-version-pinned.enforcementLevel: must be one of advisory, mandatory, remediate, disabled",
      "iam-no-admin-wildcard: must be one of advisory, mandatory, remediate, disabled, or an object",
    ]);
  });

  it("fails a file that cannot be read as one user error", async () => {
    await expect(readPackConfig(path.join(root, "policy/config/missing.json"), policies)).rejects.toThrow(
      PolicyConfigError,
    );
  });
});

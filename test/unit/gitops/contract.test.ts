import * as path from "node:path";
import { assumedContract, formatFinding, lintFleet, stackContracts } from "../../../automation/gitops";
import { contractVars, presentFor } from "../../../automation/gitops/shared/contract";
import type { PlatformConfig } from "../../../stacks/config";
import { SHIPPED } from "./helpers";

const PROJECT = path.resolve(__dirname, "../../..");

/** Just the fields the contract's presentWhen conditions read. */
const config = (over: Partial<Record<"kind" | "dns" | "secrets" | "country" | "site" | "charts", unknown>>) =>
  ({
    cluster: { kind: over.kind ?? "existing" },
    dns: over.dns,
    secrets: over.secrets,
    country: over.country,
    site: over.site,
    flux: { vars: { EXTRA: "x" }, source: { charts: over.charts } },
  }) as unknown as PlatformConfig;

describe("presentFor", () => {
  it.each([
    ["always", {}, true],
    ["cluster.kind is eks", { kind: "eks" }, true],
    ["cluster.kind is eks", { kind: "baremetal" }, false],
    ["aws", { kind: "eks" }, true],
    ["aws", { kind: "baremetal", dns: {} }, true],
    ["aws", { kind: "baremetal" }, false],
    ["dns", { dns: {} }, true],
    ["secrets", {}, false],
    ["platform.country", { country: "de" }, true],
    ["platform.site", {}, false],
    ["flux.source.charts", { charts: { url: "oci://r/charts", names: ["nf"] } }, true],
    ["flux.source.charts", {}, false],
  ] as const)("%s with %j → %s", (when, over, expected) => {
    expect(presentFor(when, config(over))).toBe(expected);
  });
});

describe("contractVars", () => {
  it("has the keys the contract promises for the config, values where known, and flux.vars", () => {
    const vars = contractVars(config({ kind: "baremetal", secrets: {}, site: "fra1" }), {
      PLATFORM_NAME: "p",
    });
    expect(Object.keys(vars).sort()).toEqual(
      [
        "PLATFORM_NAME",
        "PLATFORM_ENVIRONMENT",
        "PLATFORM_OWNER",
        "PLATFORM_ORGANIZATION",
        "PLATFORM_SITE",
        "CLUSTER_NAME",
        "CLUSTER_KIND",
        "CLUSTER_DOMAIN",
        "FLUX_VERSION",
        "AWS_REGION",
        "AWS_ACCOUNT_ID",
        "SECRETS_PREFIX",
        "SECRETS_KMS_KEY_ARN",
        "ESO_ROLE_ARN",
        "EXTRA",
      ].sort(),
    );
    expect(vars.PLATFORM_NAME).toBe("p");
    expect(vars.EXTRA).toBe("x");
    expect(vars.CLUSTER_NAME).toBeUndefined();
  });

  it("assumes the always-present keys, --vars, and the default root path without a stack file", () => {
    const c = assumedContract("fr-prod", ["EXTRA"], true);
    expect(c.rootPath).toBe("./clusters/fr-prod");
    expect(c.prod).toBe(true);
    expect(Object.keys(c.clusterVars)).toContain("EXTRA");
    expect(Object.keys(c.clusterVars)).not.toContain("AWS_REGION");
  });
});

describe("the shipped stacks and the shipped fleet repository", () => {
  it("share one contract: the render's cluster-vars cover every tree", async () => {
    const { contracts, findings } = await stackContracts(PROJECT);
    expect(findings).toEqual([]);
    expect([...contracts.keys()].sort()).toEqual(["de-dev", "de-prod", "local"]);
    expect(contracts.get("de-prod")).toMatchObject({
      prod: true,
      rootRef: { kind: "tag", value: "v1.0.0", file: "Pulumi.prod.yaml", line: 98 },
    });
    expect(contracts.get("local")?.clusterVars.SLICE_DEFAULT_MCC).toBe("001");
    const result = await lintFleet(SHIPPED, { contracts });
    expect(result.findings.map((f) => formatFinding(f))).toEqual([]);
  }, 60_000);
});

/**
 * Stack contracts read from the cache (automation/gitops/shared/contract.ts, kind `stack-contract`)
 * equal those read from the stack files: every cluster-vars key, also those without a value, the
 * root ref with its line, and the origin.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stackContracts } from "../../../automation/gitops";

const PROJECT = path.resolve(__dirname, "../../..");

describe("stack contracts from the cache", () => {
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), "stack-contracts-"));
  afterAll(() => fs.rmSync(cacheRoot, { recursive: true, force: true }));

  it("equal the stack files' own, keys without a value included", async () => {
    const cold = await stackContracts(PROJECT, { cacheRoot, only: () => false });
    expect(fs.readdirSync(path.join(cacheRoot, "stack-contract")).length).toBe(3);
    const warm = await stackContracts(PROJECT, { cacheRoot, only: () => false });
    expect(warm.findings).toEqual([]);
    // In the order of the stack files: Pulumi.dev, .local, .prod.
    expect([...warm.contracts.keys()]).toEqual(["de-dev", "local", "de-prod"]);
    const prod = warm.contracts.get("de-prod")!;
    expect(prod.origin).toBe("Pulumi.prod.yaml (contract table; not rendered)");
    expect({ ...prod.rootRef }).toEqual({ kind: "tag", value: "v1.0.0", file: "Pulumi.prod.yaml", line: 98 });
    // Unrendered, an EKS platform's cloud keys have no value: they must stay keys.
    const dev = warm.contracts.get("de-dev")!;
    expect(Object.keys(dev.clusterVars).filter((k) => dev.clusterVars[k] === undefined)).toEqual([
      "AWS_REGION",
      "AWS_ACCOUNT_ID",
      "OIDC_PROVIDER_ARN",
      "VPC_ID",
      "DNS_ZONE_NAME",
      "DNS_ZONE_ID",
      "EXTERNAL_DNS_OWNER_ID",
      "EXTERNAL_DNS_ROLE_ARN",
      "CERT_MANAGER_ROLE_ARN",
      "SECRETS_PREFIX",
      "SECRETS_KMS_KEY_ARN",
      "ESO_ROLE_ARN",
    ]);
    for (const [name, c] of cold.contracts) {
      const w = warm.contracts.get(name)!;
      expect(Object.keys(w.clusterVars)).toEqual(Object.keys(c.clusterVars));
      expect(w).toEqual(c);
      expect(w.rootRef?.line).toBe(c.rootRef?.line);
    }
  }, 60_000);
});

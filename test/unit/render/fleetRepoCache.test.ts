/**
 * A fleet render checks every stack against the same fleet repository with one cache of its parsed
 * files (automation/fleet/render.ts): the reports must be exactly those of a fresh read per stack.
 */
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { checkFleetRepo, FleetRepoCache, type FleetRepoReport } from "../../../automation/render/fleetRepo";
import { readStackConfig, type RenderResult } from "../../../automation/render";
import { parsePlatformConfig } from "../../../stacks/config";
import { clusterNameOf, platformClusterVars } from "../../../stacks/platform";

const ROOT = path.join(__dirname, "..", "..", "..");
const SHIPPED = path.join(ROOT, "gitops");

/** What checkFleetRepo reads of a render: the stack's config, its root path and cluster-vars. */
async function renderOf(stack: string, drop: string[] = []): Promise<RenderResult> {
  const config = parsePlatformConfig(await readStackConfig(ROOT, stack));
  const clusterVars = platformClusterVars(config, clusterNameOf(config));
  for (const k of drop) delete clusterVars[k];
  const rootPath = config.flux.sync.path ?? `./clusters/${config.name}`;
  return { stack, config, outputs: { rootPath, clusterVars } } as unknown as RenderResult;
}

describe("checkFleetRepo with the repository read once for many stacks", () => {
  let renders: RenderResult[];
  beforeAll(async () => {
    renders = [
      await renderOf("local"),
      await renderOf("dev"),
      await renderOf("prod"),
      // A stack whose cluster-vars lack what the tree uses: the missing variables come from the
      // files the earlier stacks already read.
      await renderOf("local", ["PLATFORM_NAME"]),
      await renderOf("dev"),
    ];
  }, 30_000);

  it("reports exactly what a fresh read of the repository reports, stack after stack", async () => {
    const shared = new FleetRepoCache(SHIPPED);
    const withShared: (FleetRepoReport | undefined)[] = [];
    for (const r of renders) withShared.push(await checkFleetRepo(r, SHIPPED, shared));
    const fresh: (FleetRepoReport | undefined)[] = [];
    for (const r of renders) fresh.push(await checkFleetRepo(r, SHIPPED));
    expect(withShared).toEqual(fresh);
    // The shared reports are real ones: each platform's own tree, and the variable dropped above.
    expect(withShared.map((f) => f?.tree?.split("\n")[0])).toEqual([
      "# Flux tree of platform local",
      "# Flux tree of platform de-dev",
      "# Flux tree of platform de-prod",
      "# Flux tree of platform local",
      "# Flux tree of platform de-dev",
    ]);
    // dev without the values only AWS knows (the render's placeholders): those keys are missing.
    const devMissing = [
      "infrastructure/controllers/cert-manager.yaml:45 CERT_MANAGER_ROLE_ARN",
      "infrastructure/controllers/external-dns.yaml:44 EXTERNAL_DNS_OWNER_ID",
      "infrastructure/controllers/external-dns.yaml:46 DNS_ZONE_NAME",
      "infrastructure/controllers/external-dns.yaml:48 DNS_ZONE_ID",
      "infrastructure/controllers/external-dns.yaml:52 AWS_REGION",
      "infrastructure/controllers/external-dns.yaml:55 EXTERNAL_DNS_ROLE_ARN",
      "infrastructure/controllers/external-secrets.yaml:46 ESO_ROLE_ARN",
      "infrastructure/configs/cluster-secret-store.yaml:12 AWS_REGION",
      "infrastructure/configs/cluster-secret-store.yaml:13 SECRETS_PREFIX",
      "infrastructure/configs/cluster-issuer.yaml:10 DNS_ZONE_NAME",
      "infrastructure/configs/cluster-issuer.yaml:16 DNS_ZONE_NAME",
      "infrastructure/configs/cluster-issuer.yaml:19 AWS_REGION",
      "infrastructure/configs/cluster-issuer.yaml:20 DNS_ZONE_ID",
    ];
    expect(withShared.map((f) => f?.missing.map((m) => `${m.file}:${m.line} ${m.variable}`))).toEqual([
      [],
      devMissing,
      [],
      [
        "apps/base/namespace.yaml:7 PLATFORM_NAME",
        "apps/network-functions/upf.yaml:39 PLATFORM_NAME",
        "catalog/slices/embb/slice.yaml:14 PLATFORM_NAME",
      ],
      devMissing,
    ]);
  });

  it("reads a platform's own folder for its own check only, and refuses the cache of another repository", async () => {
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "fleet-repo-cache-"));
    try {
      const repo = path.join(tmp, "gitops");
      await fs.cp(SHIPPED, repo, { recursive: true });
      const run = new FleetRepoCache(repo);
      expect((await checkFleetRepo(renders[0], repo, run))?.missing).toEqual([]);
      // The platform's own files are not kept from one check to the next (memory stays flat over a
      // fleet): a variable added there is seen by the next check of the same run.
      const apps = path.join(repo, "clusters", "local", "apps.yaml");
      const text = await fs.readFile(apps, "utf8");
      await fs.writeFile(apps, text.replace("  timeout: 3m\n", "  timeout: ${APPS_TIMEOUT}\n"));
      expect((await checkFleetRepo(renders[0], repo, run))?.missing.map((m) => m.variable)).toEqual([
        "APPS_TIMEOUT",
      ]);
      await expect(checkFleetRepo(renders[0], SHIPPED, run)).rejects.toThrow(
        `checkFleetRepo: the cache given is that of ${repo}, not ${SHIPPED}`,
      );
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  });
});

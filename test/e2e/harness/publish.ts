// The fleet repository published the way its CI would: the project's own `npm run gitops:publish`
// CLI, run in the fleet repository's working clone at a tag, pushing the fleet artifact and the
// Helm charts to the harness registry (trusting the harness CA through NODE_EXTRA_CA_CERTS).
import * as fs from "node:fs";
import * as path from "node:path";
import type { PublishResult } from "../../../automation/gitops/publish";
import type { GitRepo } from "./gitServer";
import { REPO_ROOT } from "./tools";
import { runStatus } from "./util";

export interface PublishTarget {
  /** `oci://host/repo` of the fleet artifact. */
  fleet: string;
  /** `oci://host/path` the charts go to. */
  charts: string;
  /** The Git repository the artifact says it comes from (org.opencontainers.image.source). */
  source: string;
  /** The harness CA the registry's certificate is signed by. */
  caCert: string;
  logDir: string;
}

/** Publishes the repository's HEAD (which a tag points at) and returns the CLI's JSON result. */
export async function publishFleet(repo: GitRepo, target: PublishTarget): Promise<PublishResult> {
  const args = [
    "--import",
    path.join(REPO_ROOT, "scripts", "ts-hooks.mjs"),
    path.join(REPO_ROOT, "cli", "gitops-publish.ts"),
    target.fleet,
    "--dir",
    ".",
    "--charts-to",
    target.charts,
    "--source",
    target.source,
    "--json",
  ];
  const r = await runStatus(process.execPath, args, {
    cwd: repo.workDir,
    env: { ...process.env, NODE_EXTRA_CA_CERTS: target.caCert },
    timeoutMs: 120_000,
  });
  const n = fs.readdirSync(target.logDir).filter((f) => f.startsWith("gitops-publish")).length;
  fs.writeFileSync(path.join(target.logDir, `gitops-publish-${n + 1}.out`), r.stdout + r.stderr);
  if (r.code !== 0) throw new Error(`gitops:publish exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as PublishResult;
}

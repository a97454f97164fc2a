// Checks the scenario runs at the end of each phase: no secret anywhere (a canary found first), each
// controller's identity from the audit log, and after a destroy nothing but the documented leftovers.
import * as fs from "node:fs";
import * as path from "node:path";
import { checkIdentities, readAudit } from "../harness/audit";
import { RUNNABLE_BINARIES } from "../harness/kubelet";
import { provePlaces, scan, type Place, type Secret } from "../harness/secretScan";
import { snapshotCluster, snapshotDiff } from "../harness/snapshot";
import { REPO_ROOT } from "../harness/tools";
import { canonical, run, waitFor } from "../harness/util";
import { expectExactly, FLUX, PLATFORM, renderedSecretValues } from "./common";
import type { Scenario } from "./setup";

/** Where the render must show [redacted]: the early secrets the stack configures. */
export const EARLY_SECRET_PATHS = [
  "flux-system/fleet-alerts-webhook address",
  "flux-system/fleet-receiver-token token",
  "flux-system/fleet-status-token token",
  "flux-system/sops-age age.agekey",
];

/**
 * No secret in plain text anywhere a user, CI or a reader of the state could look: first a canary
 * (an ed25519 key and a token) planted in every place must be found there in every form, then
 * the configured secrets must be found nowhere; the render shows [redacted] at each secret's path.
 */
export const secretScanStep = (s: Scenario, phase: string, secretPaths: string[]) =>
  s.h.step(
    `${phase}: no secret in state, PULUMI_HOME, outputs, logs, project copy or render (canary found first)`,
    async () => {
      const { h, pulumi } = s;
      const renderDir = path.join(h.workDir, `render-${phase.replace(/\W+/g, "-").toLowerCase()}`);
      await run(
        process.execPath,
        [
          path.join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs"),
          "cli/render.ts",
          PLATFORM,
          "--out",
          renderDir,
        ],
        { cwd: s.project, env: pulumi.env, timeoutMs: 180_000 },
      );
      const places: Place[] = [
        { name: "pulumi stack export", text: (await pulumi.run(["stack", "export"])).stdout },
        {
          name: "pulumi stack output --json",
          text: (await pulumi.run(["stack", "output", "--json"])).stdout,
        },
        { name: "the state folder", dir: path.join(h.workDir, "pulumi-state") },
        { name: "PULUMI_HOME", dir: path.join(h.workDir, "pulumi-home") },
        { name: "the kept logs", dir: h.logDir },
        { name: "the project copy", dir: s.project },
        { name: "the render", dir: renderDir },
      ];
      const canaryKey = path.join(h.workDir, "canary_key");
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "canary", "-f", canaryKey]);
      const canaries = [
        { name: "a canary ed25519 key", value: fs.readFileSync(canaryKey, "utf8") },
        { name: "a canary token", value: `ghs_canary${Date.now().toString(36)}+/=?&"x` },
      ];
      fs.rmSync(canaryKey);
      fs.rmSync(`${canaryKey}.pub`);
      let checked = 0;
      for (const c of canaries) checked += provePlaces(places, c).checked;
      const secrets: Secret[] = [
        { name: "the deploy key", value: s.git.identity },
        { name: "the age private key", value: s.age.secret },
        { name: "the commit-status token", value: s.statusToken },
        { name: "the webhook URL", value: s.forge.webhookUrl },
        { name: "the push webhook's receiver token", value: s.receiverToken },
      ];
      const found = scan(places, secrets);
      if (found.length)
        throw new Error(found.map((f) => `${f.where} holds ${f.secret} (${f.form})`).join("\n"));
      const redacted = renderedSecretValues(renderDir);
      expectExactly(
        "secret values in the render",
        secretPaths.map((k) => `${k} = ${redacted[k]}`),
        secretPaths.map((k) => `${k} = [redacted]`),
      );
      h.figure(
        `${phase}: secret scan`,
        `${checked} canary placements found; ${secrets.length} secrets in none of ${places.length} places`,
      );
    },
  );

/** Every request of each controller, from the audit log, as its own ServiceAccount; no 403 at all. */
export const identityStep = (s: Scenario, phase: string) =>
  s.h.step(
    `${phase}: the audit log shows each controller's requests as system:serviceaccount:flux-system:<its name>, and no 403`,
    async () => {
      const report = checkIdentities(readAudit(s.cp.auditLog), RUNNABLE_BINARIES, FLUX);
      console.log(`\n  audit (${phase}):\n${report.summary.map((l) => `    ${l}`).join("\n")}`);
      if (report.problems.length) throw new Error(report.problems.join("\n"));
    },
  );

// The catalog's Slice CRD (never pruned) and the APIService the API server registers for its version.
const LEFTOVERS = {
  added: [
    "apiextensions.k8s.io/CustomResourceDefinition slices.catalog.platform.io",
    "apiregistration.k8s.io/APIService v1alpha1.catalog.platform.io",
  ],
  removed: [],
};

/**
 * Every object the API server serves before the program runs (harness-made ones included); the
 * returned check, after a destroy: what the cluster holds beyond the snapshot is exactly the
 * documented leftovers (docs/e2e.md: the catalog's Slice CRD, never pruned), and nothing the
 * snapshot held is gone.
 */
export async function snapshotBeforeUp(s: Scenario): Promise<() => Promise<void>> {
  const before = await s.h.step("snapshot of every discoverable object before the first up", () =>
    snapshotCluster(s.kube),
  );
  return async () => {
    // Deletions the destroy started (a namespace's content, a CRD's objects) finish on their own.
    let diff = snapshotDiff(before, await snapshotCluster(s.kube));
    await waitFor(
      "the cluster to hold exactly the snapshot plus the documented leftovers",
      async () => {
        diff = snapshotDiff(before, await snapshotCluster(s.kube));
        return canonical(diff) === canonical(LEFTOVERS) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000, lastReason: () => JSON.stringify(diff) },
    ).catch(() => undefined);
    expectExactly("objects after destroy, against the snapshot before the first up", diff, LEFTOVERS);
  };
}

// The end-to-end scenario: the real program (a copy of the project) deployed with the real Pulumi
// engine to the harness's control plane, Flux pulling the fleet repository (made from gitops/)
// over SSH, each step asserted; then, after a destroy, the same platform with its root pulled from
// an OCI registry. Stack `e2e`, file:// backend, existing-cluster kind, SSH deploy key and
// known_hosts from the harness, Flux install in `manifests` mode from a local file the harness
// assembles, with the install's defaults otherwise: NetworkPolicies on, and `pulumi up` waiting for
// the Flux Deployments to be Available (the process kubelet reports their Pods ready).
//
// The phases are in test/e2e/scenario/; each timed figure names its start and end event and has a
// budget (test/e2e/harness/budgets.ts, docs/e2e.md).
//
//   npx tsx test/e2e/scenario.ts
//   npx tsx test/e2e/scenario.ts --break flux-diff   # gitops:diff's side loses an object: must fail
//   npx tsx test/e2e/scenario.ts --break no-hook     # v1.1.0 pushed without its push hook: must fail
import { runHarness } from "./harness/run";
import { EARLY_SECRET_PATHS, identityStep, secretScanStep, snapshotBeforeUp } from "./scenario/checks";
import { destroyGitRoot } from "./scenario/destroy";
import { failures } from "./scenario/failures";
import { gitInstall } from "./scenario/gitInstall";
import { ociRoot } from "./scenario/oci";
import { setUp } from "./scenario/setup";
import { tagChanges } from "./scenario/tagChanges";

const BREAKS = ["flux-diff", "no-hook"];
const BREAK = process.argv.includes("--break")
  ? process.argv[process.argv.indexOf("--break") + 1]
  : undefined;
if (BREAK !== undefined && !BREAKS.includes(BREAK)) {
  console.error(`--break ${BREAK}: give one of ${BREAKS.join(", ")}`);
  process.exit(2);
}

void runHarness("e2e-scenario", { deadlineMs: 40 * 60_000 }, async (h) => {
  const s = await setUp(h);
  const expectOnlyLeftovers = await snapshotBeforeUp(s);
  await gitInstall(s);
  await tagChanges(s, { breakFluxDiff: BREAK === "flux-diff", noHook: BREAK === "no-hook" });
  await failures(s);
  await identityStep(s, "Git root");
  await secretScanStep(s, "Git root", ["flux-system/flux-system identity", ...EARLY_SECRET_PATHS]);
  await destroyGitRoot(s, expectOnlyLeftovers);
  await ociRoot(s, expectOnlyLeftovers);
});

// Smoke test of the locally built Pulumi engine against the harness's control plane: a tiny
// Node.js program (the project's own node_modules) creates a ConfigMap through the Kubernetes
// provider; up, a no-change preview, and destroy are asserted, and so are the versions of the CLI,
// the language host and the provider that ran. Prints figures.
//
//   npx tsx test/e2e/engine-smoke.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { startControlPlane } from "./harness/controlPlane";
import { assertEngineVersions } from "./harness/engineVersions";
import { pulumiCli } from "./harness/pulumi";
import { runHarness } from "./harness/run";
import { ensureTools, REPO_ROOT } from "./harness/tools";
import { secondsSince, timed } from "./harness/util";

const PROGRAM = `
const k8s = require("@pulumi/kubernetes");
const provider = new k8s.Provider("e2e", { kubeconfig: process.env.E2E_KUBECONFIG });
const cm = new k8s.core.v1.ConfigMap(
  "engine-smoke",
  { metadata: { name: "engine-smoke", namespace: "default" }, data: { engine: "real" } },
  { provider },
);
exports.name = cm.metadata.name;
`;

void runHarness("e2e-engine-smoke", { deadlineMs: 15 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () =>
    ensureTools([
      "etcd",
      "kube-apiserver",
      "kube-controller-manager",
      "pulumi",
      "pulumi-language-nodejs",
      "pulumi-resource-kubernetes",
    ]),
  );
  for (const f of tools.figures)
    h.figure(
      `tool ${f.tool}`,
      f.state === "cold" ? `built cold in ${f.seconds}s` : `cached (cold ${f.seconds}s)`,
    );

  const cp = await h.step("control plane up", () => startControlPlane(h.sup, tools, h.workDir));
  h.figure("control plane start", `${cp.figures.total}s`);
  h.onCleanup(async () => cp.kube.close());

  const project = path.join(h.workDir, "program");
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    "name: engine-smoke\nruntime: nodejs\nmain: index.js\n",
  );
  fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
  fs.writeFileSync(path.join(project, "package.json"), '{ "name": "engine-smoke", "private": true }\n');
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(project, "node_modules"));
  const pulumi = pulumiCli(tools, h.workDir, h.logDir, project);
  pulumi.env.E2E_KUBECONFIG = fs.readFileSync(cp.kubeconfig, "utf8");

  await h.step("the Pulumi CLI that runs is the one built (its version asserted, not printed)", async () => {
    const v = (await pulumi.run(["version"])).stdout.trim();
    const want = tools.builtFrom.pulumi?.pkg;
    if (!want) throw new Error("build-tools.sh recorded no version for pulumi (built-from.txt)");
    if (v !== want) throw new Error(`pulumi version is ${v}, but the CLI was built from pkg ${want}`);
    h.figure("pulumi version", v);
  });
  await h.step("stack e2e created (file:// backend)", () => pulumi.run(["stack", "init", "e2e"]));

  const [, upSeconds] = await h.step("pulumi up creates the ConfigMap", () =>
    timed(async () => {
      await pulumi.run(["up", "--yes", "--skip-preview"]);
      const cm = await cp.kube.get("v1", "ConfigMap", "engine-smoke", "default");
      if ((cm?.data as Record<string, string> | undefined)?.engine !== "real")
        throw new Error(`ConfigMap default/engine-smoke not as expected: ${JSON.stringify(cm)}`);
    }),
  );
  h.figure("pulumi up", `${upSeconds}s`);

  await h.step(
    "the language host and the Kubernetes provider that ran are the ones built (pulumi about; the audit log's user agents)",
    async () => {
      const ran = await assertEngineVersions({
        pulumi,
        builtFrom: tools.builtFrom,
        auditLog: cp.auditLog,
        repoRoot: REPO_ROOT,
      });
      h.figure("nodejs language host", ran.languageHost);
      h.figure("kubernetes provider (requests)", `${ran.provider} (${ran.providerRequests})`);
    },
  );

  await h.step("pulumi preview --expect-no-changes", () => pulumi.run(["preview", "--expect-no-changes"]));

  const t = Date.now();
  await h.step("pulumi destroy removes it", async () => {
    await pulumi.run(["destroy", "--yes", "--skip-preview"]);
    await cp.kube.waitGone("v1", "ConfigMap", "engine-smoke", "default", 30_000);
  });
  h.figure("pulumi destroy", `${secondsSince(t)}s`);

  // Decommissioning a platform whose cluster is gone (docs/lifetime.md): the provider refuses to
  // forget objects it cannot reach unless told to, and then drops exactly those from state.
  await h.step(
    "decommission: with the cluster gone, pulumi destroy fails and names PULUMI_K8S_DELETE_UNREACHABLE",
    async () => {
      await pulumi.run(["up", "--yes", "--skip-preview"]);
      await h.sup.stop(["kube-controller-manager", "kube-apiserver"]);
      const r = await pulumi.run(["destroy", "--yes", "--skip-preview"], {
        allowFailure: true,
        timeoutMs: 180_000,
      });
      if (r.ok) throw new Error("pulumi destroy succeeded with the cluster gone");
      if (!r.stdout.includes("PULUMI_K8S_DELETE_UNREACHABLE"))
        throw new Error(
          `pulumi destroy failed without naming PULUMI_K8S_DELETE_UNREACHABLE:\n${r.stdout.slice(-800)}`,
        );
    },
  );
  const td = Date.now();
  await h.step(
    "decommission: PULUMI_K8S_DELETE_UNREACHABLE=true (what fleet destroy --delete-unreachable sets) empties the state",
    async () => {
      await pulumi.run(["destroy", "--yes", "--skip-preview"], {
        env: { PULUMI_K8S_DELETE_UNREACHABLE: "true" },
        timeoutMs: 180_000,
      });
      const state = JSON.parse((await pulumi.run(["stack", "export"])).stdout) as {
        deployment?: { resources?: { type: string }[] };
      };
      const left = (state.deployment?.resources ?? []).map((r) => r.type);
      if (left.length !== 0) throw new Error(`resources left in state: ${left.join(", ")}`);
    },
  );
  h.figure("decommission destroy (cluster gone)", `${secondsSince(td)}s`);
});

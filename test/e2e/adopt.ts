// Adopting a cluster that already runs Flux (docs/lifetime.md): the official flux CLI bootstraps the
// cluster from the harness's Git server as a user would (`flux bootstrap git`: it commits
// clusters/e2e/flux-system to the repository and installs Flux from it), then the program takes it
// over with `flux.adopt: true`, and the repository's flux-system folder is deleted. Nothing Flux
// applied may be re-created or pruned (the uid of every object is compared), the controllers restart
// at most once, and the next `pulumi up` changes nothing.
//
//   npm run test:e2e:adopt
//   npm run test:e2e:adopt -- --break no-adopt   # the same without flux.adopt: must fail
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { startControlPlane } from "./harness/controlPlane";
import { e2eProject } from "./harness/fleet";
import { expectFluxGetAgrees, fluxCheck } from "./harness/fluxCli";
import { writeStackFile } from "./harness/stack";
import { startGitServer } from "./harness/gitServer";
import { type Kube } from "./harness/kube";
import { startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { run } from "./harness/util";
import { appliedOf, FLUX, KS, SRC } from "./harness/fluxNames";

const PLATFORM = "e2e";
const CONTROLLERS = ["source-controller", "kustomize-controller"];
const BREAK = process.argv.includes("--break")
  ? process.argv[process.argv.indexOf("--break") + 1]
  : undefined;
if (BREAK !== undefined && BREAK !== "no-adopt") {
  console.error(`--break ${BREAK}: give no-adopt`);
  process.exit(2);
}

/** `<apiVersion> <kind> <namespace>/<name>` → uid of every object a Kustomization's inventory lists. */
async function inventoryUids(kube: Kube, name: string): Promise<Record<string, string>> {
  const ks = await kube.get(KS, "Kustomization", name, FLUX);
  const entries = (ks?.status as { inventory?: { entries?: { id: string; v: string }[] } })?.inventory
    ?.entries;
  if (!entries?.length) throw new Error(`Kustomization ${FLUX}/${name} has no inventory`);
  const out: Record<string, string> = {};
  for (const e of entries) {
    // id: <namespace>_<name>_<group>_<kind>
    const [namespace, objName, group, kind] = e.id.split("_");
    const apiVersion = group ? `${group}/${e.v}` : e.v;
    const o = await kube.get(apiVersion, kind, objName, namespace || undefined);
    out[`${apiVersion} ${kind} ${namespace}/${objName}`] = String(o?.metadata.uid ?? "gone");
  }
  return out;
}

void runHarness("e2e-adopt", { deadlineMs: 25 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh), the flux CLI among them", () =>
    ensureTools(),
  );
  const cp = await h.step("control plane up", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const alive = () => h.sup.assertAlive();

  // The platform's own objects, which Flux applies next to its flux-system folder.
  const app = (version: string) => ({
    "clusters/e2e/apps.yaml": [
      stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "apps" } }),
      stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "workload", namespace: "apps" },
        data: { version },
      }),
    ].join("---\n"),
  });
  const repo = await h.step("fleet repository with the platform's objects", async () => {
    const r = await git.createRepo("fleet");
    await r.commit(app("v1"), "platform objects");
    return r;
  });

  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(FLUX, sa),
    workDir: h.workDir,
  });
  h.onCleanup(() => kubelet.stop());

  // flux bootstrap git, as its docs show it, with the harness's key and known_hosts (from $HOME/.ssh).
  const home = path.join(h.workDir, "flux-home");
  fs.mkdirSync(path.join(home, ".ssh"), { recursive: true });
  fs.writeFileSync(path.join(home, ".ssh", "known_hosts"), git.knownHosts);
  const keyFile = path.join(h.workDir, "git", "deploy_key");
  await h.step("flux bootstrap git installs Flux and commits clusters/e2e/flux-system", async () => {
    await run(
      tools.path("flux"),
      [
        "bootstrap",
        "git",
        `--url=${git.url(repo.name)}`,
        "--branch=main",
        "--path=clusters/e2e",
        `--private-key-file=${keyFile}`,
        "--silent",
        `--components=${CONTROLLERS.join(",")}`,
        `--kubeconfig=${cp.kubeconfig}`,
        "--timeout=5m",
      ],
      { env: { ...process.env, HOME: home }, timeoutMs: 400_000 },
    );
    await repo.pull();
    const committed = fs.readdirSync(path.join(repo.workDir, "clusters/e2e/flux-system")).sort();
    if (
      JSON.stringify(committed) !==
      JSON.stringify(["gotk-components.yaml", "gotk-sync.yaml", "kustomization.yaml"])
    )
      throw new Error(`flux bootstrap committed clusters/e2e/flux-system/${committed.join(", ")}`);
  });
  await h.step("Flux from flux bootstrap applies the platform's objects and itself", async () => {
    await kubelet.ready(CONTROLLERS);
    await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, { timeoutMs: 180_000, check: alive });
  });
  const before = await h.step("the objects Flux applied, with their uids", () => inventoryUids(kube, FLUX));
  const controllerStarts = () =>
    Object.fromEntries(
      CONTROLLERS.map((c) => [
        c,
        kubelet.events.filter((e) => e.controller === c && e.what !== "stopped").length,
      ]),
    );
  const startsBefore = controllerStarts();

  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  writeStackFile(project, PLATFORM, {
    kubeconfig: cp.kubeconfig,
    flux: {
      ...(BREAK === "no-adopt" ? {} : { adopt: true }),
      install: { mode: "manifests", components: CONTROLLERS, manifests: { file: installFile } },
      // What flux bootstrap set up: the same repository, branch, key, path and intervals.
      source: { url: git.url(repo.name), ref: { branch: "main" }, interval: "1m" },
      auth: { type: "ssh", knownHosts: git.knownHosts },
      sync: { path: "./clusters/e2e", interval: "10m" },
    },
  });
  await h.step(
    `pulumi up takes Flux over${BREAK ? " (--break no-adopt: without flux.adopt)" : " (flux.adopt: true)"}; a second up changes nothing`,
    async () => {
      await pulumi.run(["stack", "init", PLATFORM]);
      await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.auth.privateKey"], {
        input: git.identity,
      });
      await pulumi.run(["up", "--yes", "--skip-preview"]);
      await pulumi.run(["up", "--expect-no-changes", "--yes", "--skip-preview"]);
    },
  );
  await h.step(
    "the flux-system folder deleted from the repository (docs/lifetime.md); the root applies that revision",
    async () => {
      const files = Object.fromEntries(
        ["clusters/e2e/apps.yaml"].map((f) => [f, fs.readFileSync(path.join(repo.workDir, f), "utf8")]),
      );
      const sha = await repo.commit(files, "remove flux-system: the platform program manages Flux");
      await kube.requestReconcile(SRC, "GitRepository", FLUX, FLUX);
      await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
        timeoutMs: 180_000,
        check: alive,
        accept: (o) => appliedOf(o).endsWith(sha),
      });
    },
  );
  await h.step("nothing Flux applied was re-created or pruned (every uid unchanged)", async () => {
    const after: Record<string, string> = {};
    for (const id of Object.keys(before)) {
      const [apiVersion, kind, nsName] = id.split(" ");
      const [namespace, name] = nsName.split("/");
      const o = await kube.get(apiVersion, kind, name, namespace || undefined);
      after[id] = String(o?.metadata.uid ?? "gone");
    }
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    if (changed.length)
      throw new Error(
        `re-created or pruned:\n  ${changed.map((k) => `${k}: ${before[k]} → ${after[k]}`).join("\n  ")}`,
      );
    h.figure("objects Flux applied before the adoption, all kept", `${Object.keys(before).length}`);
  });
  await h.step("the controllers restarted at most once; the next up changes nothing", async () => {
    const now = controllerStarts();
    const extra = CONTROLLERS.filter((c) => now[c] - startsBefore[c] > 1);
    if (extra.length)
      throw new Error(
        `restarted more than once: ${extra.map((c) => `${c} ${now[c] - startsBefore[c]}`).join(", ")}`,
      );
    h.figure(
      "controller restarts during the adoption",
      CONTROLLERS.map((c) => `${c} ${now[c] - startsBefore[c]}`).join(", "),
    );
    await pulumi.run(["up", "--expect-no-changes", "--yes", "--skip-preview"]);
  });
  await h.step(
    "the official flux CLI agrees: flux check passes, flux get shows what the API server holds",
    async () => {
      const check = await fluxCheck(tools, cp.kubeconfig);
      if (!/all checks passed/.test(check)) throw new Error(`flux check did not pass:\n${check}`);
      h.figure("Flux objects flux get agrees on", `${await expectFluxGetAgrees(tools, cp.kubeconfig, kube)}`);
    },
  );
});

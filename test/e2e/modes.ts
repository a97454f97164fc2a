// Moving a platform between install modes on real controllers (docs/lifetime.md): the program
// installs Flux from the manifests, `flux.install.retainOnDelete` is set, the stack moves to
// `install.mode: none` (Flux now belongs to someone else: another tool, or the operator taking it
// over) and back to `manifests` (`flux.adopt: manifests`: the program takes over the objects it
// made before, under their release names). Through both moves every install object keeps its uid, the
// controllers are not restarted, the root goes on applying new revisions, and the up after each
// move changes nothing. Without retainOnDelete, the move to `none` deletes Flux: its CRDs, and with
// them every Flux object.
//
//   npm run test:e2e:modes                     # the moves, which must keep Flux as it is
//   npm run test:e2e:modes -- --break no-retain # the move without retainOnDelete: fails
import { stringify } from "yaml";
import { startControlPlane } from "./harness/controlPlane";
import { e2eProject } from "./harness/fleet";
import { writeStackFile } from "./harness/stack";
import { startGitServer, type GitRepo } from "./harness/gitServer";
import type { Kube } from "./harness/kube";
import { startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { secondsSince } from "./harness/util";
import { FLUX, waitRootApplied } from "./harness/fluxNames";

const PLATFORM = "e2e";
const CONTROLLERS = ["source-controller", "kustomize-controller"];
const BREAK = process.argv.includes("--break")
  ? process.argv[process.argv.indexOf("--break") + 1]
  : undefined;
if (BREAK !== undefined && BREAK !== "no-retain") {
  console.error(`--break ${BREAK}: give no-retain`);
  process.exit(2);
}

/** The kinds of Flux's install, each object labelled `app.kubernetes.io/instance: flux-system`. */
const INSTALL_KINDS: [apiVersion: string, kind: string, namespaced: boolean][] = [
  ["apiextensions.k8s.io/v1", "CustomResourceDefinition", false],
  ["rbac.authorization.k8s.io/v1", "ClusterRole", false],
  ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false],
  ["apps/v1", "Deployment", true],
  ["v1", "Service", true],
  ["v1", "ServiceAccount", true],
  ["v1", "ResourceQuota", true],
  ["networking.k8s.io/v1", "NetworkPolicy", true],
];

/** `<kind> <name>` → uid of every install object on the cluster. */
async function installUids(kube: Kube): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [apiVersion, kind, namespaced] of INSTALL_KINDS)
    for (const o of await kube.list(
      apiVersion,
      kind,
      namespaced ? FLUX : undefined,
      "app.kubernetes.io/instance=flux-system",
    ))
      out[`${kind} ${o.metadata.name}`] = String(o.metadata.uid);
  return out;
}

void runHarness("e2e-modes", { deadlineMs: 20 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  const cp = await h.step("control plane up (CRDs left to the program)", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const alive = () => h.sup.assertAlive();

  let repo!: GitRepo;
  const release = async (version: string) => {
    await repo.commit(
      {
        "clusters/e2e/kustomization.yaml": "resources:\n  - version.yaml\n",
        "clusters/e2e/version.yaml": stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "modes-version", namespace: FLUX },
          data: { version },
        }),
      },
      version,
    );
    await repo.tag(version);
  };
  await h.step("fleet repository v1.0.0 pushed", async () => {
    repo = await git.createRepo("fleet");
    await release("v1.0.0");
  });

  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  writeStackFile(project, PLATFORM, {
    kubeconfig: cp.kubeconfig,
    flux: {
      install: { mode: "manifests", components: CONTROLLERS, manifests: { file: installFile } },
      source: { url: git.url(repo.name), ref: { semver: ">=1.0.0" }, interval: "1m" },
      auth: { type: "ssh", knownHosts: git.knownHosts },
      sync: { path: "./clusters/e2e", interval: "1m", retryInterval: "10s" },
    },
  });
  /** The settings a user changes for a move, with `pulumi config` (the stack file keeps its secrets). */
  const config = async (set: Record<string, string | boolean>, rm: string[] = []) => {
    for (const [k, v] of Object.entries(set))
      await pulumi.run([
        "config",
        "set",
        "--path",
        ...(typeof v === "boolean" ? ["--type", "bool"] : []),
        `platform:flux.install.${k}`,
        String(v),
      ]);
    for (const k of rm) await pulumi.run(["config", "rm", "--path", `platform:flux.install.${k}`]);
  };
  const up = () => pulumi.run(["up", "--yes", "--skip-preview"], { timeoutMs: 300_000 });
  const noChanges = () => pulumi.run(["up", "--expect-no-changes", "--yes", "--skip-preview"]);

  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(FLUX, sa),
    workDir: h.workDir,
  });
  h.onCleanup(() => kubelet.stop());
  const controllerStarts = () =>
    Object.fromEntries(
      CONTROLLERS.map((c) => [
        c,
        kubelet.events.filter((e) => e.controller === c && e.what !== "stopped").length,
      ]),
    );
  /** Waits until the root Kustomization applied `version`. */
  const applied = (version: string) => waitRootApplied(kube, version, alive);

  await h.step(
    "install.mode manifests: pulumi up (waiting for the Deployments); v1.0.0 applied",
    async () => {
      await pulumi.run(["stack", "init", PLATFORM]);
      await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.auth.privateKey"], {
        input: git.identity,
      });
      await up();
      await kubelet.ready(CONTROLLERS);
      await applied("v1.0.0");
    },
  );
  const before = await h.step("the install objects, with their uids", () => installUids(kube));
  h.figure("install objects", `${Object.keys(before).length}`);
  const startsBefore = controllerStarts();

  if (BREAK !== "no-retain")
    await h.step("flux.install.retainOnDelete: true; pulumi up changes nothing on the cluster", async () => {
      await config({ retainOnDelete: true });
      await up();
      const now = await installUids(kube);
      if (JSON.stringify(now) !== JSON.stringify(before))
        throw new Error("setting retainOnDelete changed the install objects");
    });

  /** Every install object still there with its uid, the controllers not restarted, a new revision applied. */
  const kept = async (version: string) => {
    const now = await installUids(kube);
    const changed = Object.keys(before).filter((k) => before[k] !== now[k]);
    if (changed.length)
      throw new Error(
        `install objects deleted or re-created:\n  ${changed
          .slice(0, 12)
          .map((k) => `${k}: ${before[k]} → ${now[k] ?? "gone"}`)
          .join("\n  ")}${changed.length > 12 ? `\n  … ${changed.length - 12} more` : ""}`,
      );
    const starts = controllerStarts();
    const restarted = CONTROLLERS.filter((c) => starts[c] !== startsBefore[c]);
    if (restarted.length) throw new Error(`controllers restarted: ${restarted.join(", ")}`);
    await release(version);
    await applied(version);
  };

  const tNone = Date.now();
  await h.step(
    `install.mode none${BREAK ? " WITHOUT retainOnDelete (--break no-retain)" : ""}: pulumi up forgets the install; every install object kept, controllers not restarted, v1.1.0 applied`,
    async () => {
      await config({ mode: "none" }, ["manifests"]);
      // Without retainOnDelete the up deletes the CRDs; what Flux's finalizers then do may never end.
      const r = await pulumi.run(["up", "--yes", "--skip-preview"], {
        timeoutMs: BREAK ? 120_000 : 300_000,
        allowFailure: BREAK !== undefined,
      });
      if (!r.ok) throw new Error(`pulumi up failed:\n${r.stdout.split("\n").slice(-8).join("\n")}`);
      await kept("v1.1.0");
    },
  );
  h.figure("move to mode none: from the up to v1.1.0 applied", `${secondsSince(tNone)}s`);
  await h.step("the next up in mode none changes nothing", () => noChanges());

  const tBack = Date.now();
  await h.step(
    "back to install.mode manifests with flux.adopt: manifests: pulumi up takes the same objects again; all kept, v1.2.0 applied",
    async () => {
      await config({ mode: "manifests", "manifests.file": installFile });
      await pulumi.run(["config", "set", "--path", "platform:flux.adopt", "manifests"]);
      await up();
      await kept("v1.2.0");
    },
  );
  h.figure("move back to manifests: from the up to v1.2.0 applied", `${secondsSince(tBack)}s`);
  await h.step(
    "flux.adopt removed once the program holds Flux again: all kept, v1.3.0 applied; the next up changes nothing",
    async () => {
      await pulumi.run(["config", "rm", "--path", "platform:flux.adopt"]);
      await up();
      await kept("v1.3.0");
      await noChanges();
    },
  );
});

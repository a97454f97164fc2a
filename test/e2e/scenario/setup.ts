// The scenario's world before the first `pulumi up`: tools, the control plane, the Git server, the
// forge, the OCI registry, the fleet repository at v1.0.0 (with a SOPS-encrypted Secret), the stack
// `e2e` with its secrets, the process kubelet, and the helpers the phases share.
import * as fs from "node:fs";
import { parse, stringify } from "yaml";
import { startControlPlane } from "../harness/controlPlane";
import { e2eFleetTree, withNotifications } from "../harness/fleet";
import { startGitServer, type GitRepo } from "../harness/gitServer";
import { watchForbidden } from "../harness/audit";
import { startKubelet, type Kubelet } from "../harness/kubelet";
import { fluxImages } from "../harness/podSpec";
import { startForge } from "../harness/forge";
import { startRegistry } from "../harness/registry";
import { conditions, type Kube } from "../harness/kube";
import type { Harness } from "../harness/run";
import { ensureTools, type Tools } from "../harness/tools";
import { canonical, run, waitFor } from "../harness/util";
import {
  CLUSTER,
  expectExactly,
  expectSubstituted,
  FLUX,
  HR,
  KS,
  NF,
  PLATFORM,
  sliceSpec,
  sliceThreeOf,
  sliceTwoOf,
  helmHistory,
} from "./common";
import { createStack, sopsSecret } from "./stack";

export type Scenario = Awaited<ReturnType<typeof setUp>>;

export async function setUp(h: Harness) {
  const tools: Tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  h.figure("build-tools run (this time)", `${tools.ensureSeconds}s`);
  for (const f of tools.figures)
    h.figure(
      `tool ${f.tool}`,
      f.state === "cold" ? `built cold in ${f.seconds}s` : `cached (cold ${f.seconds}s)`,
    );

  const cp = await h.step("control plane up (CRDs left to the program)", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  h.figure("control plane start", `${cp.figures.total}s`);
  const kube: Kube = cp.kube;
  h.onCleanup(async () => kube.close());
  // No request may be refused: a 403 fails the step it happens in (the identity steps say more).
  const stopWatching = watchForbidden(cp.auditLog, h.sup);
  h.onCleanup(async () => stopWatching());

  // The fleet repository: v1.0.0 is the project's gitops/ tree.
  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  // The forge the fleet repository lives on for notification-controller: it receives the commit
  // statuses of the template's notifications layer (added to local here, with early secrets).
  const forge = await h.step("forge on loopback (https, harness CA): commit statuses and a webhook", () =>
    startForge({ pki: cp.pki }),
  );
  h.onCleanup(() => forge.stop());
  /** The Git repository the statuses go to, and the OCI artifacts say they come from (flux.source.origin). */
  const FLEET_ORIGIN = forge.repoUrl("acme-telco", "platform-fleet");
  const statusToken = `ghs_e2e${Date.now().toString(36)}status`;
  /** The push webhook's token (flux.receiver.token), as `openssl rand -hex 32` makes one. */
  const receiverToken = (await run("openssl", ["rand", "-hex", "32"])).stdout.trim();
  const base = withNotifications(e2eFleetTree(), "clusters/local");
  const slice2 = sliceTwoOf(base);
  const slice3 = sliceThreeOf(slice2);
  const upfValues = "clusters/local/network-functions/upf-values.yaml";
  const withUpfValues = (edit: (values: Record<string, unknown>) => void) => {
    const values = parse(base[upfValues]) as Record<string, unknown>;
    edit(values);
    return { [upfValues]: stringify(values) };
  };
  // The OCI registry (TLS with the harness CA, which the controllers trust through flux.install.trustedCAs).
  const registry = await h.step("OCI registry on loopback (https, harness CA)", () =>
    startRegistry(h.sup, tools, cp.pki, h.workDir, (fn) => h.onCleanup(fn)),
  );

  // SOPS: an age key made now (nothing committed), a Secret in the fleet repository encrypted for it.
  const sopsValue = `sops-proof-${Date.now().toString(36)}`;
  const age = await sopsSecret(h, tools, base, sopsValue);
  let v1Commit = "";
  const repo: GitRepo = await h.step("fleet repository pushed over SSH, tag v1.0.0", async () => {
    const r = await git.createRepo("fleet");
    v1Commit = await r.commit(base, "fleet v1.0.0");
    await r.tag("v1.0.0");
    return r;
  });

  // The program: a copy of the project, stacks in a local file backend; Flux's own install.yaml.
  const { project, pulumi, stackFile } = await createStack(h, {
    caCert: cp.pki.caCert,
    tools,
    kubeconfig: cp.kubeconfig,
    sourceUrl: git.url(repo.name),
    knownHosts: git.knownHosts,
    statusAddress: FLEET_ORIGIN,
    secrets: [
      ["platform:flux.auth.privateKey", git.identity],
      ["platform:flux.sops.ageKey", age.secret],
      ["platform:flux.receiver.token", receiverToken],
    ],
    // The notifications layer's Secrets, as docs/gitops.md has them set (early secrets).
    extraSecrets: [
      ["fleet-status-token", "token", statusToken],
      ["fleet-alerts-webhook", "address", forge.webhookUrl],
    ],
  });

  // The process kubelet: each controller runs from its Deployment from the moment the program
  // applies it, and stops when the program deletes it.
  const kubelet: Kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig("flux-system", sa),
    workDir: h.workDir,
    // The stack sets no flux.install.registry nor clusterDomain: the program's defaults, and the
    // tags pinned in components/flux/versions.json.
    images: fluxImages("ghcr.io/fluxcd"),
    clusterDomain: "cluster.local",
  });
  h.onCleanup(() => kubelet.stop());

  const alive = () => h.sup.assertAlive();
  /** Slice `2-<sd>` (urllc) Ready and substituted with its own values. */
  const urllcReady = async (sd: "ab0001" | "ab0003") => {
    const name = `slice-2-${sd}`;
    const ks = await kube.waitCondition(KS, "Kustomization", name, FLUX, {
      timeoutMs: 180_000,
      check: alive,
    });
    expectSubstituted(await sliceSpec(kube, name), name, [sd, "factory", "262"]);
    return ks;
  };
  /** `pulumi up` (with `extra` flags); returns when it returned (Date.now()). */
  const upOnce = async (extra: string[] = []) => {
    await pulumi.run(["up", ...extra, "--yes", "--skip-preview"]);
    return Date.now();
  };
  /** A second `up --expect-no-changes` that must change nothing. */
  const noChange = (extra: string[] = []) =>
    pulumi.run(["up", ...extra, "--expect-no-changes", "--yes", "--skip-preview"]).then(() => undefined);
  /** `pulumi up`, then a second up that must change nothing. */
  const up = async (extra: string[] = []) => {
    await upOnce(extra);
    await noChange(extra);
  };
  // Edits the stack file in place (it also holds the encryption salt and the secure values).
  const editFlux = (edit: (flux: Record<string, Record<string, unknown>>) => void) => {
    const doc = parse(fs.readFileSync(stackFile, "utf8")) as {
      config: Record<string, Record<string, Record<string, unknown>>>;
    };
    edit(doc.config["platform:flux"]);
    fs.writeFileSync(stackFile, stringify(doc));
  };
  const setRef = (ref: Record<string, string>) => editFlux((f) => (f.source.ref = ref));

  const upfConfig = async () => (await kube.get("v1", "ConfigMap", "upf-config", NF))?.data;
  // Expected values come from the stack file written above, never read back from the cluster.
  const upfWant = (logLevel: string) => ({
    platform: PLATFORM,
    site: `site-${CLUSTER}`,
    plmn: "001-01",
    logLevel,
  });
  /**
   * Helm upgraded upf past release `after` (the chart's revision and the values may each make one)
   * and its ConfigMap holds the platform's values with `logLevel`, the newest release deployed.
   */
  const expectUpgraded = async (after: number, logLevel: string) => {
    const want = upfWant(logLevel);
    await waitFor(
      `upf upgraded past release ${after} with logLevel ${logLevel}`,
      async () => {
        const hr = await kube.get(HR, "HelmRelease", "upf", FLUX);
        const latest = helmHistory(hr)[0];
        const ready = hr ? conditions(hr).find((c) => c.type === "Ready")?.status : undefined;
        return latest &&
          latest.version > after &&
          latest.status === "deployed" &&
          ready === "True" &&
          canonical(await upfConfig()) === canonical(want)
          ? true
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1000, check: alive },
    );
    expectExactly("ConfigMap network-functions/upf-config data", await upfConfig(), want);
  };

  /**
   * The root's `success`, posted by notification-controller as a commit status on `sha` with the
   * configured token; returns when the reconcile was requested and when the status arrived. The
   * root's first result comes before its own notifications layer exists: once the layer is Ready,
   * the next reconcile reports (requested here instead of waiting for the interval).
   */
  const rootStatusOn = async (sha: string): Promise<{ asked: number; at: number }> => {
    await kube.waitCondition(KS, "Kustomization", "notifications", FLUX, {
      timeoutMs: 120_000,
      check: alive,
    });
    await kube.requestReconcile(KS, "Kustomization", FLUX, FLUX);
    const asked = Date.now();
    const st = await forge.waitForStatus(
      (x) => x.sha === sha && x.context === `flux/${PLATFORM}/${FLUX}` && x.state === "success",
      120_000,
    );
    expectExactly(
      "commit status",
      {
        owner: st.owner,
        repo: st.repo,
        token: st.token === statusToken ? "the configured token" : "another",
      },
      { owner: "acme-telco", repo: "platform-fleet", token: "the configured token" },
    );
    if (forge.unexpected().length)
      throw new Error(`the forge refused: ${JSON.stringify(forge.unexpected())}`);
    return { asked, at: st.at };
  };

  return {
    h,
    tools,
    cp,
    kube,
    git,
    forge,
    registry,
    repo,
    base,
    slice2,
    slice3,
    withUpfValues,
    age,
    sopsValue,
    statusToken,
    receiverToken,
    FLEET_ORIGIN,
    v1Commit: () => v1Commit,
    project,
    pulumi,
    stackFile,
    kubelet,
    alive,
    urllcReady,
    upOnce,
    noChange,
    up,
    editFlux,
    setRef,
    upfConfig,
    upfWant,
    expectUpgraded,
    rootStatusOn,
  };
}

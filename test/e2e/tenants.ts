// Network-function vendors as Flux tenants on real controllers (issue 27): a platform brought up
// with `pulumi up` (tenant lockdown on, SOPS age key), a fleet repository whose tenants are written
// by `npm run gitops:new-tenant`: vendor-a delivers manifests from its own Git repository (its own
// SSH key, which may read that repository only), vendor-b a chart from the registry (its own
// credential, which may read its own path only); both credentials SOPS-encrypted in the fleet
// repository. Then vendor-a's next tags try to escape (a ClusterRoleBinding, an object in
// vendor-b's namespace, a Role and RoleBinding reading the Secrets of flux-system): the API server
// refuses each (impersonation), the Kustomization says so, nothing outside vendor-a changes, and
// vendor-b keeps reconciling (its release follows its new chart version).
//
//   npm run test:e2e:tenants
//
// PLATFORM_E2E_TENANTS_NO_ISOLATION=1 switches the isolation off on purpose (vendor-a's
// ServiceAccount also bound to cluster-admin by the onboarding): the escapes then succeed and the
// run must FAIL, naming the escape that got through. Only to show that this test can fail.
import * as fs from "node:fs";
import * as path from "node:path";
import { startControlPlane } from "./harness/controlPlane";
import { e2eProject } from "./harness/fleet";
import { harnessTrustedCAs, writeStackFile } from "./harness/stack";
import { startGitServer } from "./harness/gitServer";
import { conditions, type KubeObject } from "./harness/kube";
import { startKubelet } from "./harness/kubelet";
import { startRegistry } from "./harness/registry";
import { runHarness } from "./harness/run";
import { pushVendorChart, writeTenantFleet } from "./harness/tenantFleet";
import { aggregateClusterRoles, escapeTags, expectRefused, type Escape } from "./harness/tenants";
import { ensureTools } from "./harness/tools";
import { runStatus, waitFor } from "./harness/util";
import { FLUX, KS } from "./harness/fluxNames";

const HR = "helm.toolkit.fluxcd.io/v2";
const PLATFORM = "e2e";
const NO_ISOLATION = process.env.PLATFORM_E2E_TENANTS_NO_ISOLATION === "1";

void runHarness("e2e-tenants", { deadlineMs: 30 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  const cp = await h.step("control plane up (RBAC authorization)", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  const alive = () => h.sup.assertAlive();
  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const vendorB = { prefix: "vendor-b/", username: "vendor-b", password: `vb-${Date.now().toString(36)}` };
  const registry = await h.step("OCI registry on loopback (https, one user per vendor path)", () =>
    startRegistry(h.sup, tools, cp.pki, h.workDir, (fn) => h.onCleanup(fn), { users: [vendorB] }),
  );

  // vendor-a: its own repository and read key; vendor-b: its chart, pushed with its own credential.
  const vendorRepo = await h.step("vendor-a's repository, tag v1.0.0; its own read key", async () => {
    const r = await git.createRepo("vendor-a");
    await r.commit(escapeTags.base, "vendor-a v1.0.0");
    await r.tag("v1.0.0");
    return { repo: r, key: await git.addReadKey("vendor-a") };
  });
  const chartRepo = await git.createRepo("vendor-b-chart");
  const pushChart = (version: string) =>
    pushVendorChart({ chartRepo, version, registry, user: vendorB, caCert: cp.pki.caCert, logDir: h.logDir });
  await h.step("vendor-b's chart amf 1.0.0 pushed with vendor-b's credential", () => pushChart("1.0.0"));
  await h.step("the registry refuses vendor-b's path without vendor-b's credential", async () => {
    const r = await runStatus("curl", [
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--cacert",
      cp.pki.caCert,
      `https://${registry.host}/v2/vendor-b/charts/amf/tags/list`,
    ]);
    if (r.stdout !== "401")
      throw new Error(`anonymous read of vendor-b's charts answered ${r.stdout}, want 401`);
  });

  // The fleet repository: one platform, tenants written by the real command, credentials by SOPS.
  const fleetDir = path.join(h.workDir, "fleet-src");
  const age = await h.step("fleet repository: tenants by gitops:new-tenant, credentials SOPS-encrypted", () =>
    writeTenantFleet({
      dir: fleetDir,
      platform: PLATFORM,
      tools,
      git,
      registry,
      vendorAKey: vendorRepo.key,
      vendorB,
      workDir: h.workDir,
      logDir: h.logDir,
      noIsolation: NO_ISOLATION,
    }),
  );
  const fleet = await h.step("fleet repository pushed, tag v1.0.0", async () => {
    const r = await git.createRepo("fleet");
    const files: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(fleetDir, rel), { withFileTypes: true })) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) walk(child);
        else files[child] = fs.readFileSync(path.join(fleetDir, child), "utf8");
      }
    };
    walk("");
    await r.commit(files, "fleet v1.0.0");
    await r.tag("v1.0.0");
    return r;
  });

  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  writeStackFile(project, PLATFORM, {
    kubeconfig: cp.kubeconfig,
    flux: {
      install: {
        mode: "manifests",
        components: ["source-controller", "kustomize-controller", "helm-controller"],
        networkPolicy: false,
        requeueDependency: "5s",
        manifests: { file: installFile, skipAwait: true },
        lockdown: {},
        ...harnessTrustedCAs(project, cp.pki.caCert),
      },
      source: { url: git.url(fleet.name), ref: { semver: ">=1.0.0" }, interval: "1m" },
      auth: { type: "ssh", knownHosts: git.knownHosts },
      sync: { path: `./clusters/${PLATFORM}`, interval: "1m", retryInterval: "20s" },
      sops: {},
    },
  });
  await h.step("stack e2e created, deploy key and age key set as secrets", async () => {
    await pulumi.run(["stack", "init", PLATFORM]);
    await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.auth.privateKey"], {
      input: git.identity,
    });
    await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.sops.ageKey"], {
      input: age.secret,
    });
  });
  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(FLUX, sa),
    workDir: h.workDir,
  });
  h.onCleanup(() => kubelet.stop());
  await h.step("pulumi up", () => pulumi.run(["up", "--yes", "--skip-preview"]));
  // With Flux's own flux-edit and flux-view, which aggregate into admin: a tenant may manage its Flux objects.
  await h.step("ClusterRoles admin, edit and view aggregated (the controller manager's job)", async () => {
    h.figure("aggregated", (await aggregateClusterRoles(kube)).join(", "));
  });

  const revision = (o: KubeObject | undefined) =>
    (o?.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision ?? "";
  await h.step("vendor-a's Kustomization Ready at v1.0.0 in its namespaces, as vendor-a", async () => {
    const ks = await kube.waitCondition(KS, "Kustomization", "vendor-a", "vendor-a", {
      timeoutMs: 300_000,
      check: alive,
    });
    if (!revision(ks).startsWith("v1.0.0@")) throw new Error(`vendor-a applied ${revision(ks)}, want v1.0.0`);
    for (const [ns, name] of [
      ["vendor-a", "smf-config"],
      ["vendor-a-nf", "smf-nf-config"],
    ]) {
      const cm = await kube.get("v1", "ConfigMap", name, ns);
      if ((cm?.data as Record<string, string> | undefined)?.release !== "v1.0.0")
        throw new Error(`ConfigMap ${ns}/${name}: ${JSON.stringify(cm?.data)}`);
    }
  });
  const releaseOf = async () => {
    const hr = await kube.waitCondition(HR, "HelmRelease", "amf", "vendor-b", {
      timeoutMs: 300_000,
      check: alive,
    });
    return (hr.status as { lastAttemptedRevision?: string }).lastAttemptedRevision;
  };
  await h.step("vendor-b's HelmRelease amf Ready at 1.0.0 in its namespace, as vendor-b", async () => {
    const rev = await releaseOf();
    const cm = await kube.get("v1", "ConfigMap", "amf-config", "vendor-b");
    if (rev !== "1.0.0" || (cm?.data as Record<string, string> | undefined)?.version !== "1.0.0")
      throw new Error(`amf at ${rev}, ConfigMap ${JSON.stringify(cm?.data)}`);
  });

  // The state outside vendor-a that no escape may change.
  const outside = async () => ({
    clusterRoleBindings: (await kube.list("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"))
      .map((o) => o.metadata.name)
      .sort(),
    fluxRoles: (await kube.list("rbac.authorization.k8s.io/v1", "Role", FLUX))
      .map((o) => o.metadata.name)
      .sort(),
    fluxRoleBindings: (await kube.list("rbac.authorization.k8s.io/v1", "RoleBinding", FLUX))
      .map((o) => o.metadata.name)
      .sort(),
    vendorBConfigMaps: (await kube.list("v1", "ConfigMap", "vendor-b"))
      .map((o) => `${o.metadata.name}=${JSON.stringify(o.data)}`)
      .sort(),
  });
  const before = await outside();
  let tag = 1;
  // With the isolation off, each escape is tried and recorded, and the run fails at the end naming them all.
  const gotThrough: string[] = [];
  for (const escape of escapeTags.escapes as Escape[]) {
    const version = `v1.${tag++}.0`;
    await h.step(
      NO_ISOLATION
        ? `vendor-a ${version} (${escape.what}) with the isolation off: does it get through?`
        : `vendor-a ${version} (${escape.what}): refused by the API server, reported, nothing outside changed`,
      async () => {
        await vendorRepo.repo.commit(
          { ...escapeTags.base, ...escape.files },
          `vendor-a ${version}: ${escape.what}`,
        );
        await vendorRepo.repo.tag(version);
        await kube.requestReconcile("source.toolkit.fluxcd.io/v1", "GitRepository", "vendor-a", "vendor-a");
        await kube.requestReconcile(KS, "Kustomization", "vendor-a", "vendor-a");
        let ks: KubeObject;
        try {
          ks = await expectRefused(kube, "vendor-a", version, escape, alive);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          if (!NO_ISOLATION || !message.startsWith("ESCAPE")) throw e;
          gotThrough.push(message);
          h.figure(`${version} GOT THROUGH`, message);
          return;
        }
        h.figure(
          `${version} refused`,
          (conditions(ks).find((c) => c.type === "Ready")?.message ?? "").slice(0, 160),
        );
        if (!revision(ks).startsWith("v1.0.0@"))
          throw new Error(`vendor-a's last applied revision moved to ${revision(ks)}`);
        const now = await outside();
        if (JSON.stringify(now) !== JSON.stringify(before))
          throw new Error(
            `outside vendor-a changed:\nbefore ${JSON.stringify(before)}\nnow    ${JSON.stringify(now)}`,
          );
      },
    );
  }
  await h.step("no escape got through", async () => {
    if (gotThrough.length)
      throw new Error(
        `${gotThrough.length} of ${escapeTags.escapes.length} escapes got through:\n${gotThrough.join("\n")}`,
      );
  });
  await h.step("vendor-b kept reconciling: amf 1.1.0 pushed, its release follows", async () => {
    await pushChart("1.1.0");
    await waitFor(
      "HelmRelease vendor-b/amf at 1.1.0",
      async () => {
        // The HelmChart (vendor-b-amf, made by helm-controller) resolves ">=1.0.0" to the newest version.
        await kube.requestReconcile("source.toolkit.fluxcd.io/v1", "HelmChart", "vendor-b-amf", "vendor-b");
        await kube.requestReconcile(HR, "HelmRelease", "amf", "vendor-b");
        const hr = await kube.get(HR, "HelmRelease", "amf", "vendor-b");
        const cm = await kube.get("v1", "ConfigMap", "amf-config", "vendor-b");
        const ready = hr && conditions(hr).find((c) => c.type === "Ready")?.status === "True";
        return ready &&
          (hr.status as { lastAttemptedRevision?: string }).lastAttemptedRevision === "1.1.0" &&
          (cm?.data as Record<string, string> | undefined)?.version === "1.1.0"
          ? true
          : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 5000, check: alive },
    );
  });
});

// The end-to-end scenario: the real program (a copy of the project) deployed with the real Pulumi
// engine to the harness's control plane, Flux pulling the fleet repository (made from gitops/)
// over SSH, each step asserted; then, after a destroy, the same platform with its root pulled from
// an OCI registry. Stack `e2e`, file:// backend, existing-cluster kind, SSH deploy key and
// known_hosts from the harness, Flux install in `manifests` mode from a local file the harness
// assembles, with the install's defaults otherwise: NetworkPolicies on, and `pulumi up` waiting for
// the Flux Deployments to be Available (the process kubelet reports their Pods ready).
//
//   npx tsx test/e2e/scenario.ts
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";
import { startControlPlane } from "./harness/controlPlane";
import { e2eFleetTree, e2eProject, ociFleetTree, withNotifications } from "./harness/fleet";
import { startGitServer } from "./harness/gitServer";
import { checkIdentities, readAudit, watchForbidden } from "./harness/audit";
import { RUNNABLE_BINARIES, startKubelet } from "./harness/kubelet";
import { fluxImages } from "./harness/podSpec";
import { startForge } from "./harness/forge";
import { publishFleet } from "./harness/publish";
import { startRegistry } from "./harness/registry";
import { conditions, type Kube, type KubeObject } from "./harness/kube";
import { runHarness } from "./harness/run";
import { snapshotCluster, snapshotDiff } from "./harness/snapshot";
import { harnessTrustedCAs } from "./harness/stack";
import { ensureTools, REPO_ROOT } from "./harness/tools";
import { canonical, run, secondsSince, timed, waitFor } from "./harness/util";
import type { PublishResult } from "../../automation/gitops/publish";
import { provePlaces, scan, type Place, type Secret } from "./harness/secretScan";

const FLUX = "flux-system";
const SRC = "source.toolkit.fluxcd.io/v1";
const KS = "kustomize.toolkit.fluxcd.io/v1";
const SLICE = "catalog.platform.io/v1alpha1";
const HR = "helm.toolkit.fluxcd.io/v2";
const NF = "network-functions";
const PLATFORM = "e2e";
/** The stack file's cluster name (`platform:cluster.name`): what CLUSTER_NAME must say in cluster-vars. */
const CLUSTER = "e2e-lab";

const revisionOf = (o: KubeObject) =>
  String((o.status as { artifact?: { revision?: string } })?.artifact?.revision);
const appliedOf = (o: KubeObject) =>
  String((o.status as { lastAppliedRevision?: string })?.lastAppliedRevision);

async function sliceSpec(kube: Kube, name: string): Promise<Record<string, unknown> | undefined> {
  return (await kube.get(SLICE, "Slice", name, "slices"))?.spec as Record<string, unknown> | undefined;
}

/** Every variable of the catalog model substituted (no `${` left), with the expected values in it. */
function expectSubstituted(spec: Record<string, unknown> | undefined, name: string, values: string[]): void {
  const text = JSON.stringify(spec ?? null);
  const missing = values.filter((v) => !text.includes(v));
  if (!spec || text.includes("${") || missing.length)
    throw new Error(
      `Slice slices/${name} not substituted as expected (missing ${missing.join(", ")}): ${text}`,
    );
}

/**
 * Slice 2-ab0001 (the urllc instance of de-dev) as the local platform's, from a fleet tree: pulling
 * from the kind of root local's own Kustomizations name (de-dev's root is an OCI artifact).
 */
function sliceTwoOf(tree: Record<string, string>): Record<string, string> {
  const kind = /kind: (GitRepository|OCIRepository)\s+name: flux-system/.exec(
    tree["clusters/local/slices.yaml"],
  )?.[1];
  if (!kind) throw new Error("clusters/local/slices.yaml names no root source");
  const out: Record<string, string> = {};
  for (const f of ["slice.yaml", "slice-vars.yaml"])
    out[`clusters/local/slices/2-ab0001/${f}`] = tree[`clusters/de-dev/slices/2-ab0001/${f}`]
      .replaceAll("de-dev", "local")
      .replace(/kind: (GitRepository|OCIRepository)(\s+name: flux-system)/g, `kind: ${kind}$2`);
  return out;
}

/** Throws unless `got` equals `want` exactly (keys in any order). */
function expectExactly(what: string, got: unknown, want: unknown): void {
  if (canonical(got) !== canonical(want))
    throw new Error(`${what} is ${canonical(got)}, want ${canonical(want)}`);
}

interface Snapshot {
  version: number;
  status: string;
}
const helmHistory = (o: KubeObject | undefined) =>
  ((o?.status as { history?: Snapshot[] } | undefined)?.history ?? []).map((h) => ({
    version: h.version,
    status: h.status,
  }));

/** The network-function chart's version, as the fleet repository's Chart.yaml states it (the input published). */
const CHART_VERSION = String(
  (
    parse(fs.readFileSync(path.join(REPO_ROOT, "gitops/charts/network-function/Chart.yaml"), "utf8")) as {
      version: string;
    }
  ).version,
);

/** `<namespace>/<name> <key>` → value of every Secret the render wrote (data and stringData). */
function renderedSecretValues(renderDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const k8s = path.join(renderDir, "k8s");
  for (const ns of fs.readdirSync(k8s))
    for (const f of fs.readdirSync(path.join(k8s, ns)).filter((n) => n.startsWith("Secret.")))
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(k8s, ns, f), "utf8"))) {
        const o = doc.toJS() as {
          metadata: { name: string; namespace?: string };
          data?: object;
          stringData?: object;
        };
        for (const [k, v] of Object.entries({ ...o.data, ...o.stringData }))
          out[`${o.metadata.namespace ?? ns}/${o.metadata.name} ${k}`] = String(v);
      }
  return out;
}

void runHarness("e2e-scenario", { deadlineMs: 40 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
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
  const kube = cp.kube;
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
  const base = withNotifications(e2eFleetTree(), "clusters/local");
  const slice2 = sliceTwoOf(base);
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
  const age = await h.step("age key generated, a Secret encrypted with sops for it", async () => {
    const keyFile = path.join(h.workDir, "age.key");
    await run(tools.path("age-keygen"), ["-o", keyFile]);
    const key = fs.readFileSync(keyFile, "utf8");
    fs.rmSync(keyFile);
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(key)?.[1];
    const secret = /^AGE-SECRET-KEY-1[0-9A-Z]+$/m.exec(key)?.[0];
    if (!recipient || !secret) throw new Error("age-keygen wrote no key pair");
    const plain = path.join(h.workDir, "sops-secret.yaml");
    fs.writeFileSync(
      plain,
      stringify({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "e2e-sops", namespace: "flux-system" },
        stringData: { greeting: sopsValue },
      }),
    );
    const enc = await run(tools.path("sops"), [
      "--encrypt",
      "--age",
      recipient,
      "--encrypted-regex",
      "^(data|stringData)$",
      plain,
    ]);
    fs.rmSync(plain);
    if (enc.stdout.includes(sopsValue) || !enc.stdout.includes("ENC[AES256_GCM"))
      throw new Error(`sops did not encrypt the Secret:\n${enc.stdout}`);
    base["clusters/local/sops-secret.yaml"] = enc.stdout;
    base["clusters/local/kustomization.yaml"] = base["clusters/local/kustomization.yaml"].replace(
      "resources:\n",
      "resources:\n  - sops-secret.yaml\n",
    );
    if (!base["clusters/local/kustomization.yaml"].includes("sops-secret.yaml"))
      throw new Error("could not add sops-secret.yaml to clusters/local/kustomization.yaml");
    return { secret, recipient };
  });
  let v1Commit = "";
  const repo = await h.step("fleet repository pushed over SSH, tag v1.0.0", async () => {
    const r = await git.createRepo("fleet");
    v1Commit = await r.commit(base, "fleet v1.0.0");
    await r.tag("v1.0.0");
    return r;
  });

  // The program: a copy of the project, stacks in a local file backend; Flux's own install.yaml.
  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  const stackFile = path.join(project, `Pulumi.${PLATFORM}.yaml`);
  const config = {
    config: {
      "platform:name": PLATFORM,
      "platform:environment": "dev",
      "platform:owner": "platform-team",
      "platform:organization": "acme",
      "platform:cluster": { kind: "existing", kubeconfigPath: cp.kubeconfig, name: CLUSTER },
      "platform:flux": {
        install: {
          mode: "manifests",
          components: [
            "source-controller",
            "kustomize-controller",
            "helm-controller",
            "notification-controller",
          ],
          // Fast pipelines: a Kustomization waiting on dependsOn is retried after 5 s, not 30 s.
          requeueDependency: "5s",
          manifests: { file: installFile },
          // Multi-tenancy lockdown as `flux bootstrap` sets it: the template must work under it.
          lockdown: {},
          ...harnessTrustedCAs(project, cp.pki.caCert),
        },
        source: { url: git.url(repo.name), ref: { semver: ">=1.0.0" }, interval: "1m" },
        auth: { type: "ssh", knownHosts: git.knownHosts },
        sync: { path: "./clusters/local", interval: "1m", retryInterval: "20s" },
        sops: {},
        // The notifications layer's address (its token and webhook URL are early secrets, set below).
        vars: { FLEET_STATUS_ADDRESS: FLEET_ORIGIN },
      },
    },
  };
  fs.writeFileSync(stackFile, stringify(config));
  await h.step("stack e2e created, deploy key set as a secret", async () => {
    await pulumi.run(["stack", "init", PLATFORM]);
    // From stdin: the key never appears in a command line or an error message.
    await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.auth.privateKey"], {
      input: git.identity,
    });
    await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.sops.ageKey"], {
      input: age.secret,
    });
    // The notifications layer's Secrets, as docs/gitops.md has them set (early secrets).
    const early: [string, string, string][] = [
      ["fleet-status-token", "token", statusToken],
      ["fleet-alerts-webhook", "address", forge.webhookUrl],
    ];
    for (const [i, [name, key, value]] of early.entries()) {
      // --plaintext: Pulumi takes a name such as fleet-alerts-webhook for a secret and asks.
      for (const [field, v] of [
        ["namespace", FLUX],
        ["name", name],
      ])
        await pulumi.run([
          "config",
          "set",
          "--plaintext",
          "--path",
          `platform:flux.extraSecrets[${i}].${field}`,
          v,
        ]);
      await pulumi.run(
        ["config", "set", "--secret", "--path", `platform:flux.extraSecrets[${i}].data.${key}`],
        {
          input: value,
        },
      );
    }
  });

  /**
   * No secret in plain text anywhere a user, CI or a reader of the state could look: first a canary
   * (an ed25519 key and a token) planted in every place must be found there in every form, then
   * the configured secrets must be found nowhere; the render shows [redacted] at each secret's path.
   */
  const secretScanStep = (phase: string, secretPaths: string[]) =>
    h.step(
      `${phase}: no secret in state, PULUMI_HOME, outputs, logs, project copy or render (canary found first)`,
      async () => {
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
          { cwd: project, env: pulumi.env, timeoutMs: 180_000 },
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
          { name: "the project copy", dir: project },
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
          { name: "the deploy key", value: git.identity },
          { name: "the age private key", value: age.secret },
          { name: "the commit-status token", value: statusToken },
          { name: "the webhook URL", value: forge.webhookUrl },
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
  const identityStep = (phase: string) =>
    h.step(
      `${phase}: the audit log shows each controller's requests as system:serviceaccount:flux-system:<its name>, and no 403`,
      async () => {
        const report = checkIdentities(readAudit(cp.auditLog), RUNNABLE_BINARIES, FLUX);
        console.log(`\n  audit (${phase}):\n${report.summary.map((l) => `    ${l}`).join("\n")}`);
        if (report.problems.length) throw new Error(report.problems.join("\n"));
      },
    );

  // The process kubelet: each controller runs from its Deployment from the moment the program
  // applies it, and stops when the program deletes it.
  const kubelet = startKubelet({
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
  /** Slice 2-ab0001 (urllc) Ready and substituted with its own values. */
  const sliceTwoReady = async () => {
    await kube.waitCondition(KS, "Kustomization", "slice-2-ab0001", FLUX, {
      timeoutMs: 180_000,
      check: alive,
    });
    expectSubstituted(await sliceSpec(kube, "slice-2-ab0001"), "slice-2-ab0001", [
      "ab0001",
      "factory",
      "262",
    ]);
  };
  /** `pulumi up` (with `extra` flags), then a second `up --expect-no-changes` that must change nothing. */
  const up = async (extra: string[] = []) => {
    await pulumi.run(["up", ...extra, "--yes", "--skip-preview"]);
    await pulumi.run(["up", ...extra, "--expect-no-changes", "--yes", "--skip-preview"]);
  };
  /** Every object the API server serves before the program runs (harness-made ones included). */
  const before = await h.step("snapshot of every discoverable object before the first up", () =>
    snapshotCluster(kube),
  );
  /**
   * After a destroy: what the cluster holds beyond the snapshot is exactly the documented leftovers
   * (docs/e2e.md: the catalog's Slice CRD, never pruned), and nothing the snapshot held is gone.
   */
  // The catalog's Slice CRD (never pruned) and the APIService the API server registers for its version.
  const LEFTOVERS = {
    added: [
      "apiextensions.k8s.io/CustomResourceDefinition slices.catalog.platform.io",
      "apiregistration.k8s.io/APIService v1alpha1.catalog.platform.io",
    ],
    removed: [],
  };
  const expectOnlyLeftovers = async () => {
    // Deletions the destroy started (a namespace's content, a CRD's objects) finish on their own.
    let diff = snapshotDiff(before, await snapshotCluster(kube));
    await waitFor(
      "the cluster to hold exactly the snapshot plus the documented leftovers",
      async () => {
        diff = snapshotDiff(before, await snapshotCluster(kube));
        return canonical(diff) === canonical(LEFTOVERS) || undefined;
      },
      { timeoutMs: 60_000, intervalMs: 2000, lastReason: () => JSON.stringify(diff) },
    ).catch(() => undefined);
    expectExactly("objects after destroy, against the snapshot before the first up", diff, LEFTOVERS);
  };
  const [, upSeconds] = await h.step(
    "pulumi up succeeds; a second up --expect-no-changes changes nothing",
    () => timed(() => up()),
  );
  h.figure("pulumi up (first)", `${upSeconds}s`);

  const tk = Date.now();
  await h.step("the kubelet runs the four controllers from the Deployments the program installed", () =>
    kubelet.ready(RUNNABLE_BINARIES),
  );
  h.figure("Flux controllers ready after pulumi up", `${secondsSince(tk)}s`);
  await h.step(
    "pulumi up waited for the Flux Deployments: each Available, 1 ready replica, status of its generation; NetworkPolicies installed",
    async () => {
      for (const name of RUNNABLE_BINARIES) {
        const d = await kube.get("apps/v1", "Deployment", name, FLUX);
        const st = (d?.status ?? {}) as Record<string, number>;
        expectExactly(
          `Deployment ${FLUX}/${name} status`,
          {
            observedGeneration: st.observedGeneration,
            readyReplicas: st.readyReplicas,
            availableReplicas: st.availableReplicas,
            updatedReplicas: st.updatedReplicas,
            Available: d && conditions(d).find((c) => c.type === "Available")?.status,
          },
          {
            observedGeneration: d?.metadata.generation,
            readyReplicas: 1,
            availableReplicas: 1,
            updatedReplicas: 1,
            Available: "True",
          },
        );
      }
      // Installed as on a cluster; nothing enforces them here (no network plugin: docs/e2e.md).
      expectExactly(
        "NetworkPolicies in flux-system",
        (await kube.list("networking.k8s.io/v1", "NetworkPolicy", FLUX)).map((n) => n.metadata.name).sort(),
        ["allow-egress", "allow-scraping", "allow-webhooks"],
      );
    },
  );
  await h.step("kustomize-controller runs with the installed --requeue-dependency=5s", async () => {
    const args = kubelet.running()["kustomize-controller"] ?? [];
    if (!args.includes("--requeue-dependency=5s"))
      throw new Error(
        `kustomize-controller's installed args lack --requeue-dependency=5s: ${args.join(" ")}`,
      );
  });
  const alive = () => h.sup.assertAlive();

  const t0 = Date.now();
  await h.step("root GitRepository Ready at tag v1.0.0", () =>
    kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o).startsWith("v1.0.0@"),
    }),
  );
  await h.step("root Kustomization Ready at v1.0.0", () =>
    kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
      timeoutMs: 180_000,
      check: alive,
      accept: (o) => appliedOf(o).startsWith("v1.0.0@"),
    }),
  );
  h.figure("root source + Kustomization Ready", `${secondsSince(t0)}s`);
  /**
   * The root's `success`, posted by notification-controller as a commit status on `sha` with the
   * configured token; the seconds from a reconcile request to it. The root's first result comes
   * before its own notifications layer exists: once the layer is Ready, the next reconcile reports
   * (requested here instead of waiting for the interval).
   */
  const rootStatusOn = async (sha: string): Promise<number> => {
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
    return (st.at - asked) / 1000;
  };
  await h.step(
    "notification-controller posts the root's success as a commit status on the v1.0.0 commit, with the token",
    async () =>
      h.figure(
        "commit status after a reconcile request of the root",
        `${(await rootStatusOn(v1Commit)).toFixed(2)}s`,
      ),
  );

  await h.step(
    "slice 1-def922 applied: platform from cluster-vars, PLMN, S-NSSAI and DNN from its ConfigMap, exact fields",
    async () => {
      await kube.waitCondition(KS, "Kustomization", "slice-1-def922", FLUX, {
        timeoutMs: 180_000,
        check: alive,
      });
      const spec = await sliceSpec(kube, "slice-1-def922");
      expectSubstituted(spec, "slice-1-def922", ["def922", "internet", "001"]);
      // platform from cluster-vars (PLATFORM_NAME), the rest from ConfigMap slice-vars-1-def922.
      expectExactly(
        "Slice slices/slice-1-def922 spec",
        {
          platform: spec?.platform,
          plmnID: spec?.plmnID,
          nsiID: spec?.nsiID,
          snssais: spec?.snssais,
        },
        {
          platform: PLATFORM,
          plmnID: "001-01",
          nsiID: 1,
          snssais: [{ snssai: "1-def922", sst: 1, dataNetworks: [{ name: "internet" }] }],
        },
      );
      const ns = await kube.get("v1", "Namespace", "slices");
      const label = (ns?.metadata.labels as Record<string, string> | undefined)?.["platform.io/name"];
      if (label !== PLATFORM)
        throw new Error(`namespace slices label platform.io/name is ${label}, want ${PLATFORM}`);
    },
  );
  h.figure("slices Ready after pulumi up", `${secondsSince(t0)}s`);

  await h.step("the SOPS-encrypted Secret is decrypted by the root Kustomization", async () => {
    const got = await kube.get("v1", "Secret", "e2e-sops", FLUX);
    const value = Buffer.from(
      String((got?.data as Record<string, string> | undefined)?.greeting ?? ""),
      "base64",
    ).toString();
    if (value !== sopsValue)
      throw new Error(
        `Secret flux-system/e2e-sops greeting is ${JSON.stringify(value)}, want the encrypted value`,
      );
  });

  const upfConfig = async () => (await kube.get("v1", "ConfigMap", "upf-config", NF))?.data;
  // Expected values come from the stack file written above, never read back from the cluster.
  const upfWant = async (logLevel: string) => ({
    platform: PLATFORM,
    site: `site-${CLUSTER}`,
    plmn: "001-01",
    logLevel,
  });
  await h.step(
    "HelmRelease upf released from the chart in Git: platform and site from cluster-vars, plmn and logLevel from its values ConfigMap",
    async () => {
      // Ready and the release history are written by separate status updates: wait for both.
      const hr = await kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
        timeoutMs: 180_000,
        check: alive,
        accept: (o) => helmHistory(o).length > 0,
      });
      expectExactly("ConfigMap network-functions/upf-config data", await upfConfig(), await upfWant("debug"));
      expectExactly("HelmRelease upf history", helmHistory(hr), [{ version: 1, status: "deployed" }]);
      const d = await kube.get("apps/v1", "Deployment", "upf", NF);
      expectExactly(
        "Deployment network-functions/upf replicas",
        (d?.spec as { replicas?: number })?.replicas,
        1,
      );
    },
  );

  /**
   * Helm upgraded upf past release `after` (the chart's revision and the values may each make one)
   * and its ConfigMap holds the platform's values with `logLevel`, the newest release deployed.
   */
  const expectUpgraded = async (after: number, logLevel: string) => {
    const want = await upfWant(logLevel);
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

  await h.step("second pulumi preview --expect-no-changes passes", () =>
    pulumi.run(["preview", "--expect-no-changes"]),
  );

  // v1.1.0 adds slice 2-ab0001 (the urllc instance of de-dev, for this platform).
  const t1 = Date.now();
  await h.step("tag v1.1.0 adding slice 2-ab0001 is picked up through the semver ref", async () => {
    const upgraded = withUpfValues((v) => (v.logLevel = "info"));
    await repo.commit({ ...base, ...slice2, ...upgraded }, "fleet v1.1.0: slice 2-ab0001, upf logLevel info");
    await repo.tag("v1.1.0");
    await kube.requestReconcile(SRC, "GitRepository", FLUX, FLUX);
    await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o).startsWith("v1.1.0@"),
    });
    await sliceTwoReady();
  });
  h.figure("new tag to new slice Ready (target < 15 s)", `${secondsSince(t1)}s`);
  await h.step("the values change in tag v1.1.0 upgrades upf (a new release, logLevel info)", () =>
    expectUpgraded(1, "info"),
  );

  // Edits the stack file in place (it also holds the encryption salt and the secure deploy key).
  const setRef = (ref: Record<string, string>) => {
    const doc = parse(fs.readFileSync(stackFile, "utf8")) as {
      config: Record<string, { source: { ref: unknown } }>;
    };
    doc.config["platform:flux"].source.ref = ref;
    fs.writeFileSync(stackFile, stringify(doc));
  };

  const t2 = Date.now();
  let t2up = t2;
  await h.step("pinning back to v1.0.0 with pulumi up removes slice 2-ab0001 (prune)", async () => {
    const releaseBeforePin = helmHistory(await kube.get(HR, "HelmRelease", "upf", FLUX))[0]?.version ?? 0;
    setRef({ tag: "v1.0.0" });
    await up();
    t2up = Date.now();
    await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o).startsWith("v1.0.0@"),
    });
    await kube.waitGone(SLICE, "Slice", "slice-2-ab0001", "slices", 180_000);
    await kube.waitGone(KS, "Kustomization", "slice-2-ab0001", FLUX, 60_000);
    if (!(await sliceSpec(kube, "slice-1-def922"))) throw new Error("slice-1-def922 vanished too");
    await expectUpgraded(releaseBeforePin, "debug");
  });
  h.figure("pin back to pruned (from the end of pulumi up; target < 15 s)", `${secondsSince(t2up)}s`);
  h.figure("pin back to pruned (including pulumi up)", `${secondsSince(t2)}s`);

  const tTag = Date.now();
  await h.step(
    "rollback by moving a tag on the server: tag stable moved back from the v1.1.0 commit to v1.0.0's tree prunes slice 2-ab0001, with no stack change",
    async () => {
      const v110 = { ...base, ...slice2, ...withUpfValues((v) => (v.logLevel = "info")) };
      const forward = await repo.commit(v110, "fleet: stable candidate (v1.1.0's tree)");
      await repo.tag("stable", true);
      setRef({ tag: "stable" });
      await up();
      await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `stable@sha1:${forward}`,
      });
      await kube.waitCondition(KS, "Kustomization", "slice-2-ab0001", FLUX, {
        timeoutMs: 180_000,
        check: alive,
      });
      const back = await repo.commit(base, "fleet: roll stable back to v1.0.0's tree");
      await repo.tag("stable", true);
      await kube.requestReconcile(SRC, "GitRepository", FLUX, FLUX);
      await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `stable@sha1:${back}`,
      });
      await kube.waitGone(SLICE, "Slice", "slice-2-ab0001", "slices", 180_000);
      await kube.waitGone(KS, "Kustomization", "slice-2-ab0001", FLUX, 60_000);
      await pulumi.run(["preview", "--expect-no-changes"]);
    },
  );
  h.figure("tag moved back to pruned", `${secondsSince(tTag)}s`);

  const t3 = Date.now();
  await h.step(
    "tag v1.2.0 with a missing variable fails strict substitution; what was applied stays",
    async () => {
      const broken = { ...base };
      const vars = "clusters/local/slices/1-def922/slice-vars.yaml";
      broken[vars] = broken[vars]
        .split("\n")
        .filter((l) => !/^\s+MNC:/.test(l))
        .join("\n");
      const before = JSON.stringify(await sliceSpec(kube, "slice-1-def922"));
      await repo.commit(broken, "fleet v1.2.0: MNC forgotten");
      await repo.tag("v1.2.0");
      setRef({ tag: "v1.2.0" });
      await up();
      let message = "";
      await waitFor(
        "Kustomization slice-1-def922 to fail on the missing variable",
        async () => {
          const ks = await kube.get(KS, "Kustomization", "slice-1-def922", FLUX);
          const ready = ks ? conditions(ks).find((c) => c.type === "Ready") : undefined;
          message = ready?.message ?? "";
          return ready?.status === "False" && /MNC/.test(message) ? true : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 1000, check: alive, lastReason: () => message },
      );
      h.figure("strict substitution message", message.replace(/\s+/g, " ").slice(0, 160));
      const after = JSON.stringify(await sliceSpec(kube, "slice-1-def922"));
      if (after !== before)
        throw new Error(`Slice slice-1-def922 changed or vanished: ${before} -> ${after}`);
    },
  );
  h.figure("bad tag to failing Kustomization", `${secondsSince(t3)}s`);

  const t3h = Date.now();
  await h.step(
    "tag v1.3.0 with values the API server refuses (replicas -1): the upgrade fails and Helm rolls back",
    async () => {
      const bad = withUpfValues((v) => {
        v.replicas = -1;
        v.logLevel = "trace";
      });
      await repo.commit({ ...base, ...bad }, "fleet v1.3.0: upf replicas -1");
      await repo.tag("v1.3.0");
      setRef({ tag: "v1.3.0" });
      await up();
      const hr = await kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
        type: "Remediated",
        timeoutMs: 240_000,
        check: alive,
      });
      const remediated = conditions(hr).find((c) => c.type === "Remediated");
      if (remediated?.reason !== "RollbackSucceeded")
        throw new Error(`HelmRelease upf Remediated: ${JSON.stringify(remediated)}`);
      const history = helmHistory(hr);
      if (!history.some((s) => s.status === "failed"))
        throw new Error(`no failed release in the history of upf: ${JSON.stringify(history)}`);
      expectExactly("ConfigMap network-functions/upf-config data", await upfConfig(), await upfWant("debug"));
      const d = await kube.get("apps/v1", "Deployment", "upf", NF);
      expectExactly(
        "Deployment network-functions/upf replicas",
        (d?.spec as { replicas?: number })?.replicas,
        1,
      );
      h.figure("upf history after the rollback", JSON.stringify(history));
    },
  );
  h.figure("failing upgrade to rolled back", `${secondsSince(t3h)}s`);

  const t4 = Date.now();
  await h.step(
    "flux-system Secret deleted by hand is restored by pulumi up --refresh with the configured key; the source pulls again",
    async () => {
      if (!(await kube.delete("v1", "Secret", FLUX, FLUX)))
        throw new Error("Secret flux-system/flux-system not found");
      await kube.waitGone("v1", "Secret", FLUX, FLUX, 30_000);
      await up(["--refresh"]);
      const s = await kube.get("v1", "Secret", FLUX, FLUX);
      const data = (s?.data ?? {}) as Record<string, string>;
      const decoded = (k: string) =>
        Buffer.from(data[k] ?? "", "base64")
          .toString()
          .trim();
      if (decoded("identity") !== git.identity.trim())
        throw new Error("the restored Secret's identity is not the configured deploy key");
      expectExactly("restored known_hosts", decoded("known_hosts"), git.knownHosts.trim());
      // The source pulls again with the restored key: a reconcile requested now is handled and Ready.
      const asked = new Date().toISOString();
      await kube.mergePatch(SRC, "GitRepository", FLUX, FLUX, {
        metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": asked } },
      });
      await kube.waitCondition(SRC, "GitRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => (o.status as { lastHandledReconcileAt?: string }).lastHandledReconcileAt === asked,
      });
    },
  );
  h.figure("refresh restoring the Secret", `${secondsSince(t4)}s`);

  /** Where the render must show [redacted]: the early secrets the stack configures. */
  const earlySecretPaths = [
    "flux-system/fleet-alerts-webhook address",
    "flux-system/fleet-status-token token",
    "flux-system/sops-age age.agekey",
  ];
  await identityStep("Git root");
  await secretScanStep("Git root", ["flux-system/flux-system identity", ...earlySecretPaths]);

  const t5 = Date.now();
  await h.step("pulumi destroy removes everything, nothing stuck on a finalizer", async () => {
    await pulumi.run(["destroy", "--yes", "--skip-preview"], { timeoutMs: 15 * 60_000 });
    for (const crd of [
      "gitrepositories.source.toolkit.fluxcd.io",
      "kustomizations.kustomize.toolkit.fluxcd.io",
      "helmreleases.helm.toolkit.fluxcd.io",
    ])
      await kube.waitGone("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd, undefined, 120_000);
    await kube.waitGone("v1", "Namespace", FLUX, undefined, 120_000);
    await kube.waitGone("v1", "Namespace", "slices", undefined, 120_000);
    await kube.waitGone("v1", "Namespace", NF, undefined, 120_000);
    const crds = await kube.list("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    const left = crds
      .map((c) => c.metadata.name)
      .filter((n) => n.endsWith("fluxcd.io") || n.endsWith("platform.io"));
    // The catalog's Slice CRD is never pruned (gitops/catalog/crds/slice.yaml); its Slices are gone.
    expectExactly("CRDs left behind", left, ["slices.catalog.platform.io"]);
    const slices = await kube.list(SLICE, "Slice");
    if (slices.length)
      throw new Error(`Slices left behind: ${slices.map((x) => x.metadata.name).join(", ")}`);
    // The kubelet converges like a real one: a controller it was restarting (its events address
    // changed as notification-controller went) is stopped on its next sync once its Deployment is gone.
    await waitFor(
      "every controller stopped after destroy",
      async () => !Object.keys(kubelet.running()).length || undefined,
      {
        timeoutMs: 30_000,
        lastReason: () => `still running: ${Object.keys(kubelet.running()).join(", ")}`,
      },
    );
    // Each controller stopped (some twice: notification-controller's Deployment going changes the
    // others' events address, which restarts them first).
    const stops = [
      ...new Set(kubelet.events.filter((e) => e.what === "stopped" && e.at >= t5).map((e) => e.controller)),
    ];
    if (stops.sort().join() !== [...RUNNABLE_BINARIES].sort().join())
      throw new Error(`the kubelet stopped ${stops.join(", ")} during destroy, want every controller`);
    await expectOnlyLeftovers();
  });
  h.figure("pulumi destroy", `${secondsSince(t5)}s`);

  // The same platform again, its root now an OCI artifact published by the project's own
  // `gitops:publish` from a fleet repository made for an OCI root (the platform's Kustomizations name
  // OCIRepository flux-system; its network functions take the chart from the charts registry); the
  // kubelet starts the controllers again when the up reinstalls their Deployments.
  const ociRange = ">=1.0.0 <2.0.0";
  const ociBase = ociFleetTree(base, "clusters/local");
  const sliceTwo = sliceTwoOf(ociBase);
  const ociRepo = await git.createRepo("fleet-oci");
  const published: Record<string, PublishResult> = {};
  const publishTag = async (tag: string, files: Record<string, string>) => {
    await ociRepo.commit(files, `fleet ${tag}`);
    await ociRepo.tag(tag);
    published[tag] = await publishFleet(ociRepo, {
      fleet: registry.url("fleet"),
      charts: registry.url("charts"),
      source: FLEET_ORIGIN,
      caCert: cp.pki.caCert,
      logDir: h.logDir,
    });
    return published[tag];
  };
  const digestOf = (tag: string, kind: "fleet" | "chart" = "fleet") => {
    const a = published[tag].artifacts.find((x) => x.kind === kind);
    if (!a) throw new Error(`gitops:publish of ${tag} made no ${kind} artifact`);
    return a.digest;
  };
  await h.step(
    `gitops:publish pushes v1.0.0 (and v1.2.0-rc.1, v2.0.0 outside ${ociRange}) with chart network-function ${CHART_VERSION}`,
    async () => {
      const first = await publishTag("v1.0.0", ociBase);
      expectExactly(
        "gitops:publish v1.0.0 artifacts",
        first.artifacts.map((a) => [a.kind, a.ref, a.state]),
        [
          ["fleet", `${registry.url("fleet")}:v1.0.0`, "pushed"],
          ["chart", `${registry.url("charts")}/network-function:${CHART_VERSION}`, "pushed"],
        ],
      );
      expectExactly("gitops:publish v1.0.0 revision", first.revision, `v1.0.0@sha1:${first.commit}`);
      for (const tag of ["v1.2.0-rc.1", "v2.0.0"]) {
        const r = await publishTag(tag, { ...ociBase, ...sliceTwo });
        // The chart did not change: the same digest, left as it is on the registry.
        expectExactly(`gitops:publish ${tag} chart`, r.artifacts[1].state, "unchanged");
      }
    },
  );
  const tOci = Date.now();
  await h.step("pulumi up with the root from OCI (auth none) succeeds", async () => {
    const doc = parse(fs.readFileSync(stackFile, "utf8")) as {
      config: Record<string, Record<string, unknown>>;
    };
    const fluxCfg = doc.config["platform:flux"];
    fluxCfg.source = {
      kind: "oci",
      url: registry.url("fleet"),
      ref: { semver: ociRange },
      interval: "1m",
      origin: FLEET_ORIGIN,
      charts: { url: registry.url("charts"), names: ["network-function"] },
    };
    fluxCfg.auth = { type: "none" };
    fs.writeFileSync(stackFile, stringify(doc));
    await up();
  });
  await h.step("the kubelet starts the controllers again from the reinstalled Deployments", () =>
    kubelet.ready(RUNNABLE_BINARIES),
  );
  await h.step("root OCIRepository Ready at v1.0.0 (the pre-release and v2.0.0 ignored)", async () => {
    const o = await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (x) => revisionOf(x).startsWith("v1."),
    });
    expectExactly("OCIRepository flux-system revision", revisionOf(o), `v1.0.0@${digestOf("v1.0.0")}`);
    // The commit it was published from, which the commit statuses and `fleet status` use.
    expectExactly(
      "OCIRepository flux-system origin revision",
      (o.status as { artifact?: { metadata?: Record<string, string> } }).artifact?.metadata?.[
        "org.opencontainers.image.revision"
      ],
      published["v1.0.0"].revision,
    );
    if (await kube.get("v1", "Secret", FLUX, FLUX))
      throw new Error("Secret flux-system/flux-system exists with auth none");
  });
  await h.step("root Kustomization Ready from OCI; slice 1-def922 and the SOPS Secret applied", async () => {
    await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
      timeoutMs: 180_000,
      check: alive,
      accept: (o) => appliedOf(o) === `v1.0.0@${digestOf("v1.0.0")}`,
    });
    await kube.waitCondition(KS, "Kustomization", "slice-1-def922", FLUX, {
      timeoutMs: 180_000,
      check: alive,
    });
    expectSubstituted(await sliceSpec(kube, "slice-1-def922"), "slice-1-def922", [
      "def922",
      "internet",
      "001",
    ]);
    const got = await kube.get("v1", "Secret", "e2e-sops", FLUX);
    const value = Buffer.from(
      String((got?.data as Record<string, string> | undefined)?.greeting ?? ""),
      "base64",
    ).toString();
    expectExactly("Secret flux-system/e2e-sops greeting", value, sopsValue);
  });
  await h.step(
    "HelmRelease upf released from the published OCI chart (chartRef), with the same values as from Git",
    async () => {
      const chart = await kube.waitCondition(SRC, "OCIRepository", "network-function-chart", FLUX, {
        timeoutMs: 120_000,
        check: alive,
      });
      expectExactly(
        "OCIRepository network-function-chart revision",
        revisionOf(chart),
        `${CHART_VERSION}@${digestOf("v1.0.0", "chart")}`,
      );
      const hr = await kube.waitCondition(HR, "HelmRelease", "upf", FLUX, {
        timeoutMs: 180_000,
        check: alive,
      });
      // What helm-controller released, from its status: the chart version and the digest published.
      const status = hr.status as {
        history?: { chartName?: string; chartVersion?: string }[];
        lastAttemptedRevisionDigest?: string;
      };
      expectExactly(
        "HelmRelease upf's last release (status.history[0]) and the chart digest it pulled",
        {
          chart: status.history?.[0]?.chartName,
          version: status.history?.[0]?.chartVersion,
          digest: status.lastAttemptedRevisionDigest,
        },
        {
          chart: "network-function",
          // helm-controller adds the first 12 hex digits of the OCI digest as build metadata.
          version: `${CHART_VERSION}+${digestOf("v1.0.0", "chart").slice("sha256:".length, "sha256:".length + 12)}`,
          digest: digestOf("v1.0.0", "chart"),
        },
      );
      expectExactly("ConfigMap network-functions/upf-config data", await upfConfig(), await upfWant("debug"));
    },
  );
  await h.step("the OCI root's result is a commit status on the commit the artifact was published from", () =>
    rootStatusOn(published["v1.0.0"].commit),
  );
  h.figure("OCI root: up to slices Ready", `${secondsSince(tOci)}s`);
  const tOci1 = Date.now();
  await h.step("artifact v1.1.0 adding slice 2-ab0001 is picked up through the semver range", async () => {
    await publishTag("v1.1.0", { ...ociBase, ...sliceTwo });
    await kube.requestReconcile(SRC, "OCIRepository", FLUX, FLUX);
    await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
      timeoutMs: 120_000,
      check: alive,
      accept: (o) => revisionOf(o) === `v1.1.0@${digestOf("v1.1.0")}`,
    });
    await sliceTwoReady();
  });
  h.figure("OCI: new artifact tag to new slice Ready", `${secondsSince(tOci1)}s`);
  const tOci2 = Date.now();
  await h.step(
    "pinning the OCI root back to v1.0.0 with pulumi up removes slice 2-ab0001 (prune)",
    async () => {
      setRef({ tag: "v1.0.0" });
      await up();
      await kube.waitCondition(SRC, "OCIRepository", FLUX, FLUX, {
        timeoutMs: 120_000,
        check: alive,
        accept: (o) => revisionOf(o) === `v1.0.0@${digestOf("v1.0.0")}`,
      });
      await kube.waitGone(SLICE, "Slice", "slice-2-ab0001", "slices", 180_000);
      await kube.waitGone(KS, "Kustomization", "slice-2-ab0001", FLUX, 60_000);
      if (!(await sliceSpec(kube, "slice-1-def922"))) throw new Error("slice-1-def922 vanished too");
    },
  );
  h.figure("OCI: pin back to pruned (including pulumi up)", `${secondsSince(tOci2)}s`);
  await identityStep("OCI root");
  await secretScanStep("OCI root", earlySecretPaths);
  await h.step("pulumi destroy of the OCI-rooted platform removes everything", async () => {
    await pulumi.run(["destroy", "--yes", "--skip-preview"], { timeoutMs: 15 * 60_000 });
    await kube.waitGone(
      "apiextensions.k8s.io/v1",
      "CustomResourceDefinition",
      "ocirepositories.source.toolkit.fluxcd.io",
      undefined,
      120_000,
    );
    await kube.waitGone("v1", "Namespace", FLUX, undefined, 120_000);
    await kube.waitGone("v1", "Namespace", "slices", undefined, 120_000);
    await kube.waitGone("v1", "Namespace", NF, undefined, 120_000);
    await expectOnlyLeftovers();
  });
});

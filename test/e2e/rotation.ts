// Credential rotation on real controllers (docs/lifetime.md): the Git deploy key rotated while the
// Git server swaps its authorized keys (register the new key, switch, revoke the old), then the SOPS
// age key rotated with the previous key kept until every file is re-encrypted. The deploy key is a
// supplied one (`flux.auth.privateKey`): a generated key needs Pulumi's TLS provider plugin, which
// the Go module proxy here does not serve (its generations are proven by the unit tests). A monitor samples the root GitRepository and
// Kustomization every 250 ms from the first rotation step to the last: any sample Ready=False fails
// the run, and the gap (the time not Ready) is a figure.
//
//   npm run test:e2e:rotation                       # the rotations, which must keep Flux Ready
//   npm run test:e2e:rotation -- --break deploy-key # the old key revoked before the switch: fails
//   npm run test:e2e:rotation -- --break age-key    # the old age key removed before re-encrypting: fails
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { startControlPlane } from "./harness/controlPlane";
import { e2eProject } from "./harness/fleet";
import { sopsSecret } from "./harness/sops";
import { writeStackFile } from "./harness/stack";
import { startGitServer, type GitRepo } from "./harness/gitServer";
import { conditions, type Kube, type KubeObject } from "./harness/kube";
import { startKubelet } from "./harness/kubelet";
import { runHarness } from "./harness/run";
import { ensureTools } from "./harness/tools";
import { run, sleep } from "./harness/util";
import { FLUX, KS, SRC, waitRootApplied } from "./harness/fluxNames";

const PLATFORM = "e2e";
const CONTROLLERS = ["source-controller", "kustomize-controller"];

const breakArg = process.argv.indexOf("--break");
const BREAK = breakArg > 0 ? process.argv[breakArg + 1] : undefined;
if (BREAK !== undefined && !["deploy-key", "age-key"].includes(BREAK)) {
  console.error(`--break ${BREAK}: give deploy-key or age-key`);
  process.exit(2);
}

/**
 * Samples the Ready condition of the root source and Kustomization every 250 ms. `gapMs` is the
 * time during which either was Ready=False or had no Ready condition (sampled), `notReady` the first
 * distinct reasons.
 */
function readyMonitor(kube: Kube) {
  let stopped = false;
  let gapMs = 0;
  let samples = 0;
  let error: string | undefined;
  const notReady: string[] = [];
  const loop = (async () => {
    let last = Date.now();
    while (!stopped) {
      let src: KubeObject | undefined, ks: KubeObject | undefined;
      try {
        [src, ks] = await Promise.all([
          kube.get(SRC, "GitRepository", FLUX, FLUX),
          kube.get(KS, "Kustomization", FLUX, FLUX),
        ]);
      } catch (e) {
        // The API server is gone (the run is ending): stop sampling, and say so if it was not asked.
        if (!stopped) error = e instanceof Error ? e.message : String(e);
        break;
      }
      const now = Date.now();
      samples++;
      for (const [what, o] of [
        ["GitRepository", src],
        ["Kustomization", ks],
      ] as const) {
        // Unknown is a reconcile in progress (Flux sets it at each start), not an outage.
        const ready = o && conditions(o).find((c) => c.type === "Ready");
        if (!ready || ready.status === "False") {
          gapMs += now - last;
          const why = `${what} ${FLUX}/${FLUX}: ${ready?.reason ?? "no Ready"}: ${ready?.message ?? ""}`;
          if (notReady.length < 5 && !notReady.includes(why)) notReady.push(why);
          break;
        }
      }
      last = now;
      await sleep(250);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { gapMs, samples, notReady, error };
    },
  };
}

void runHarness("e2e-rotation", { deadlineMs: 25 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  const cp = await h.step("control plane up (CRDs left to the program)", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  /** The deploy keys the Git server accepts besides its own (it pushes the fleet repository). */
  const authorize = (deployKeys: string[]) => git.setDeployKeys(deployKeys);
  const alive = () => h.sup.assertAlive();

  // Two age keys: A encrypts the fleet's Secret first, B replaces it.
  const ageKey = async (name: string) => {
    const file = path.join(h.workDir, `${name}.agekey`);
    await run(tools.path("age-keygen"), ["-o", file]);
    const text = fs.readFileSync(file, "utf8");
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(text)?.[1];
    if (!recipient) throw new Error(`age-keygen wrote no public key to ${file}`);
    return { file, text, recipient };
  };
  const [keyA, keyB] = await h.step("two age keys generated (A in use, B next)", async () => [
    await ageKey("age-a"),
    await ageKey("age-b"),
  ]);
  /** The fleet tree at `version`: a ConfigMap naming the version, and a Secret encrypted for `recipient`. */
  const fleet = async (version: string, recipient: string) => {
    const secret = await sopsSecret(tools.path("sops"), recipient, h.workDir, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "rotation-secret", namespace: FLUX },
      stringData: { version },
    });
    return {
      "clusters/e2e/kustomization.yaml": "resources:\n  - version.yaml\n  - secret.yaml\n",
      "clusters/e2e/version.yaml": stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "rotation-version", namespace: FLUX },
        data: { version },
      }),
      "clusters/e2e/secret.yaml": secret,
    };
  };
  let repo!: GitRepo;
  const release = async (version: string, recipient: string) => {
    await repo.commit(await fleet(version, recipient), version);
    await repo.tag(version);
  };
  await h.step("fleet repository v1.0.0 pushed (Secret encrypted for key A)", async () => {
    authorize([]);
    repo = await git.createRepo("fleet");
    await release("v1.0.0", keyA.recipient);
  });

  const { project, pulumi, installFile } = e2eProject(tools, h.workDir, h.logDir);
  writeStackFile(project, PLATFORM, {
    kubeconfig: cp.kubeconfig,
    flux: {
      install: {
        mode: "manifests",
        components: CONTROLLERS,
        networkPolicy: false,
        manifests: { file: installFile, skipAwait: true },
      },
      // A short interval: each pull is a chance for a rotated credential to fail.
      source: { url: git.url(repo.name), ref: { semver: ">=1.0.0" }, interval: "10s" },
      // No privateKey: the program generates the deploy key (the key rotated below).
      auth: { type: "ssh", knownHosts: git.knownHosts },
      sync: { path: "./clusters/e2e", interval: "1m", retryInterval: "10s" },
      sops: {},
    },
  });
  const setSecret = (key: string, value: string) =>
    pulumi.run(["config", "set", "--secret", "--path", key], { input: value });
  const up = async () => {
    await pulumi.run(["up", "--yes", "--skip-preview"]);
    await pulumi.run(["up", "--expect-no-changes", "--yes", "--skip-preview"]);
  };
  /** A deploy key pair made with ssh-keygen, as a user makes the key to rotate to. */
  const sshKey = async (name: string) => {
    const file = path.join(h.workDir, name);
    await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
    const key = {
      identity: fs.readFileSync(file, "utf8"),
      pub: fs.readFileSync(`${file}.pub`, "utf8").trim(),
    };
    fs.rmSync(file);
    fs.rmSync(`${file}.pub`);
    return key;
  };
  const [key1, key2] = await h.step("two deploy keys made (1 in use, 2 next)", async () => [
    await sshKey("deploy-1"),
    await sshKey("deploy-2"),
  ]);
  await h.step(
    "stack e2e: deploy key 1 and age key A (age-keygen's file as it is, as docs/lifetime.md)",
    async () => {
      await pulumi.run(["stack", "init", PLATFORM]);
      await setSecret("platform:flux.auth.privateKey", key1.identity);
      await setSecret("platform:flux.sops.ageKey", keyA.text);
      authorize([key1.pub]);
    },
  );

  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(FLUX, sa),
    workDir: h.workDir,
  });
  h.onCleanup(() => kubelet.stop());
  await h.step("pulumi up; a second up changes nothing", () => up());
  await h.step("controllers run", () => kubelet.ready(CONTROLLERS));
  /** Waits until the root Kustomization applied `version` and the decrypted Secret says it. */
  const applied = async (version: string) => {
    await waitRootApplied(kube, version, alive);
    const s = await kube.get("v1", "Secret", "rotation-secret", FLUX);
    const got = Buffer.from(
      String((s?.data as Record<string, string> | undefined)?.version),
      "base64",
    ).toString();
    if (got !== version)
      throw new Error(`Secret rotation-secret says ${JSON.stringify(got)}, want ${version}`);
  };
  await h.step("root applied v1.0.0 with deploy key 1; the SOPS Secret decrypted with key A", () =>
    applied("v1.0.0"),
  );

  const monitor = readyMonitor(kube);
  h.onCleanup(async () => void (await monitor.stop()));
  const rotationStarted = Date.now();
  // The deploy key: register key 2 beside key 1, switch the stack to it, revoke key 1.
  await h.step(
    BREAK === "deploy-key"
      ? "key 1 revoked BEFORE the switch (--break deploy-key)"
      : "key 2 registered on the Git server beside key 1",
    async () => authorize(BREAK === "deploy-key" ? [key2.pub] : [key1.pub, key2.pub]),
  );
  await h.step(
    "privateKey set to key 2: Secret flux-system updated in place; v1.1.0 pulled with it",
    async () => {
      const before = await kube.get("v1", "Secret", FLUX, FLUX);
      await setSecret("platform:flux.auth.privateKey", key2.identity);
      await up();
      const after = await kube.get("v1", "Secret", FLUX, FLUX);
      const identity = Buffer.from(
        String((after?.data as Record<string, string>).identity),
        "base64",
      ).toString();
      // (pulumi config set drops the key file's final newline)
      if (identity.trim() !== key2.identity.trim()) throw new Error("Secret flux-system does not hold key 2");
      if (after?.metadata.uid !== before?.metadata.uid)
        throw new Error(
          `Secret flux-system was re-created (uid ${String(before?.metadata.uid)} → ${String(after?.metadata.uid)})`,
        );
      await release("v1.1.0", keyA.recipient);
      await applied("v1.1.0");
    },
  );
  await h.step("key 1 revoked on the Git server; v1.2.0 pulled", async () => {
    authorize([key2.pub]);
    await release("v1.2.0", keyA.recipient);
    await applied("v1.2.0");
  });

  // The age key: B current and A previous, re-encrypt for B, then drop A.
  await h.step("age key B set, A kept as previousAgeKeys[0]: both in sops-age", async () => {
    await setSecret("platform:flux.sops.ageKey", keyB.text);
    if (BREAK !== "age-key") await setSecret("platform:flux.sops.previousAgeKeys[0]", keyA.text);
    await up();
    const s = await kube.get("v1", "Secret", "sops-age", FLUX);
    const entries = Object.keys((s?.data as Record<string, string>) ?? {}).sort();
    const want = BREAK === "age-key" ? ["age.agekey"] : ["age.agekey", "previous-1.agekey"];
    if (JSON.stringify(entries) !== JSON.stringify(want))
      throw new Error(`sops-age holds ${entries.join(", ")}, want ${want.join(", ")}`);
    // The files are still encrypted for A: the next reconcile must still decrypt them.
    await release("v1.3.0", keyA.recipient);
    await applied("v1.3.0");
  });
  await h.step("fleet re-encrypted for key B (v1.4.0) and applied", async () => {
    await release("v1.4.0", keyB.recipient);
    await applied("v1.4.0");
  });
  await h.step("previousAgeKeys removed: sops-age holds key B only; v1.5.0 applied", async () => {
    await pulumi.run(["config", "rm", "--path", "platform:flux.sops.previousAgeKeys"]);
    await up();
    const s = await kube.get("v1", "Secret", "sops-age", FLUX);
    const entries = Object.keys((s?.data as Record<string, string>) ?? {});
    if (JSON.stringify(entries) !== JSON.stringify(["age.agekey"]))
      throw new Error(`sops-age holds ${entries.join(", ")}, want age.agekey only`);
    await release("v1.5.0", keyB.recipient);
    await applied("v1.5.0");
  });
  const seen = await monitor.stop();
  const rotationSeconds = (Date.now() - rotationStarted) / 1000;
  await h.step("the root source and Kustomization stayed Ready through both rotations", async () => {
    if (seen.error) throw new Error(`the Ready monitor stopped: ${seen.error}`);
    if (seen.gapMs > 0)
      throw new Error(
        `not Ready for ${(seen.gapMs / 1000).toFixed(2)} s of ${rotationSeconds.toFixed(0)} s:\n  ${seen.notReady.join("\n  ")}`,
      );
  });
  h.figure(
    "rotation gap (root GitRepository or Kustomization Ready=False, sampled every 250 ms)",
    `${(seen.gapMs / 1000).toFixed(2)}s over ${seen.samples} samples`,
  );
  h.figure(
    "both rotations (key 2 registered → v1.5.0 applied with age key B only)",
    `${rotationSeconds.toFixed(0)}s`,
  );
});

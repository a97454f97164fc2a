// install.mode operator on a real Flux Operator (docs/flux.md, "Install modes"; docs/e2e.md): the
// program installs the operator's chart from the site's own OCI registry (air-gapped: the chart
// mirrored there, named by flux.install.operator.chart) and a FluxInstance; the process kubelet runs
// the operator's Deployment, then the controllers the operator installs from its embedded manifests
// (images exactly what the FluxInstance asks for: the tags and digests the operator pins for that
// Flux version). Asserted: the FluxInstance Ready at the pinned Flux, the root Kustomization Ready at
// the tag, the slices Ready; a second up changes nothing; when a previous Flux set is built (the
// Flux upgrade, issue 25 item 1) the same platform starts at it and moves to the pinned Flux through
// the FluxInstance; destroy leaves nothing but the documented leftovers.
//
//   npm run test:e2e:operator                         # the above
//   npm run test:e2e:operator -- --break operator-image # the chart's image tag not the pinned release: refused
//   npm run test:e2e:operator -- --break instance       # a Flux version the operator cannot install: never Ready
import * as fs from "node:fs";
import * as path from "node:path";
import { startControlPlane } from "./harness/controlPlane";
import { e2eFleetTree, e2eProject } from "./harness/fleet";
import {
  FLUX_OPERATOR,
  operatorFiles,
  operatorFluxImages,
  operatorImage,
  operatorPin,
  pushHelmChart,
} from "./harness/fluxOperator";
import { startGitServer } from "./harness/gitServer";
import { startKubelet } from "./harness/kubelet";
import { startRegistry } from "./harness/registry";
import { runHarness } from "./harness/run";
import { snapshotCluster, snapshotDiff } from "./harness/snapshot";
import { writeStackFile } from "./harness/stack";
import { REPO_ROOT, ensureTools, type Tools } from "./harness/tools";
import { canonical, secondsSince, waitFor } from "./harness/util";
import { FLUX, KS } from "./harness/fluxNames";

const FI = "fluxcd.controlplane.io/v1";
const PLATFORM = "e2e-operator";
const CONTROLLERS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
];
/** Kustomizations of the `local` platform's tree (gitops/clusters/local) and its one slice. */
const TREE = ["apps", "slices", "network-functions", "slice-1-def922"];

const breakArg = process.argv.indexOf("--break");
const BREAK = breakArg > 0 ? process.argv[breakArg + 1] : undefined;
if (BREAK !== undefined && !["operator-image", "instance"].includes(BREAK)) {
  console.error(`--break ${BREAK}: give operator-image or instance`);
  process.exit(2);
}

interface Pins {
  flux: string;
  controllers: Record<string, string>;
  previous?: { flux: string; controllers: Record<string, string> };
}
const pins = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, "components/flux/versions.json"), "utf8"),
) as Pins;

/**
 * The binary of `binary` at `image`'s tag: the pinned build (tools.path) at the pinned tag, else the
 * previous Flux set's build `<binary>@<tag>` when build-tools.sh made one; otherwise why not.
 */
function binaryAt(tools: Tools, binary: string, image: string): string {
  const tag = /:([^@/]+)(@|$)/.exec(image)?.[1];
  if (binary === FLUX_OPERATOR || tag === pins.controllers[binary]) return tools.path(binary);
  const other = path.join(tools.bin, `${binary}@${tag}`);
  if (fs.existsSync(other)) return other;
  throw new Error(
    `no build of ${binary} at ${tag} (${other}): scripts/e2e/build-tools.sh builds the pinned and the previous Flux set`,
  );
}

/** The previous Flux set when versions.json names one and its controllers are built; else why not. */
function previousSet(tools: Tools): { flux: string } | string {
  if (!pins.previous) return "components/flux/versions.json names no previous Flux set";
  const missing = CONTROLLERS.filter(
    (c) => !fs.existsSync(path.join(tools.bin, `${c}@${pins.previous?.controllers[c]}`)),
  );
  return missing.length
    ? `the previous Flux set ${pins.previous.flux} is not built (${missing.join(", ")})`
    : { flux: pins.previous.flux };
}

void runHarness("e2e-operator", { deadlineMs: 30 * 60_000 }, async (h) => {
  const tools = await h.step("tools built (scripts/e2e/build-tools.sh)", () => ensureTools());
  const files = operatorFiles(tools);
  const pin = operatorPin();
  const previous = previousSet(tools);
  const cp = await h.step("control plane up (CRDs left to the program)", () =>
    startControlPlane(h.sup, tools, h.workDir, { crds: false }),
  );
  const kube = cp.kube;
  h.onCleanup(async () => kube.close());
  const alive = () => h.sup.assertAlive();

  // The site's registry holds its mirror of the operator chart, as `helm push` leaves it.
  const registry = await h.step("OCI registry on loopback (TLS, harness CA)", () =>
    startRegistry(h.sup, tools, cp.pki, h.workDir, (fn) => h.onCleanup(fn)),
  );
  const chart = await h.step(
    `operator chart ${pin.chartVersion} pushed to the registry (charts/flux-operator)`,
    () =>
      pushHelmChart(registry, "charts", files.chart, {
        name: "flux-operator",
        version: pin.chartVersion,
        appVersion: `v${pin.chartVersion}`,
      }),
  );

  const git = await h.step("git server on loopback", () => startGitServer(h.sup, h.workDir));
  const repo = await h.step("fleet repository pushed (platform local's tree), tag v1.0.0", async () => {
    const r = await git.createRepo("fleet");
    await r.commit(e2eFleetTree(), "fleet v1.0.0");
    await r.tag("v1.0.0");
    return r;
  });

  const { project, pulumi } = e2eProject(tools, h.workDir, h.logDir);
  // Helm pulls the chart over TLS: the registry's CA, as a site trusts its own registry's.
  pulumi.env.SSL_CERT_FILE = String(registry.trustEnv.SSL_CERT_FILE);
  const startAt = typeof previous === "string" ? pins.flux : previous.flux;
  if (typeof previous === "string") h.figure("Flux upgrade through the FluxInstance", `not run: ${previous}`);
  const stackFlux = (version: string) => ({
    version: BREAK === "instance" ? "2.1.0" : version,
    install: {
      mode: "operator",
      components: CONTROLLERS,
      networkPolicy: false,
      operator: {
        chart,
        chartVersion: pin.chartVersion,
        ...(BREAK === "operator-image" ? { values: { image: { tag: "v0.57.0" } } } : {}),
      },
    },
    source: { url: git.url(repo.name), ref: { tag: "v1.0.0" }, interval: "1m" },
    auth: { type: "ssh", knownHosts: git.knownHosts },
    sync: { path: "./clusters/local", interval: "1m", retryInterval: "10s" },
  });
  await h.step(
    `stack ${PLATFORM}: install.mode operator, chart ${chart}, Flux ${stackFlux(startAt).version}`,
    async () => {
      writeStackFile(project, PLATFORM, { kubeconfig: cp.kubeconfig, flux: stackFlux(startAt) });
      await pulumi.run(["stack", "init", PLATFORM]);
      await pulumi.run(["config", "set", "--secret", "--path", "platform:flux.auth.privateKey"], {
        input: git.identity,
      });
    },
  );

  /** What the kubelet must see: the pinned operator release, and each controller as the operator pins it for `version`. */
  const imagesAt = (version: string): Record<string, string> => ({
    ...operatorFluxImages(files.data, version),
    [FLUX_OPERATOR]: operatorImage(pin),
  });
  let images: Record<string, string | string[]> = imagesAt(startAt);
  const kubelet = startKubelet({
    sup: h.sup,
    tools,
    kube,
    kubeconfigFor: (sa) => cp.serviceAccountKubeconfig(FLUX, sa),
    workDir: h.workDir,
    operatorData: files.data,
    binaryFor: (binary, image) => binaryAt(tools, binary, image),
    get images() {
      return images;
    },
  });
  h.onCleanup(() => kubelet.stop());

  const before = await h.step("snapshot of every discoverable object before the first up", () =>
    snapshotCluster(kube),
  );
  const up = async () => {
    await pulumi.run(["up", "--yes", "--skip-preview"]);
    await pulumi.run(["up", "--expect-no-changes", "--yes", "--skip-preview"]);
  };
  const t0 = Date.now();
  await h.step(
    "pulumi up (operator chart, FluxInstance, root sync); a second up changes nothing",
    async () => {
      await up();
      // The root sync must wait for the FluxInstance Ready: created before the operator installed
      // Flux's CRDs, it only succeeds if the provider's retries happen to outlast the operator.
      const raced = fs
        .readFileSync(path.join(h.logDir, "pulumi.log"), "utf8")
        .split("\n")
        .filter((l) => l.includes("no matches for kind"));
      if (raced.length)
        throw new Error(
          `the root sync was created before Flux's CRDs existed:\n  ${raced.slice(0, 3).join("\n  ")}`,
        );
    },
  );
  await h.step("the kubelet runs the operator from its Deployment (image the pinned release)", () =>
    kubelet.ready([FLUX_OPERATOR], 180_000),
  );

  /** The FluxInstance Ready at `version`, its controllers' Deployments exactly the images it pins, all running. */
  const instanceAt = async (version: string) => {
    const fi = await kube.waitCondition(FI, "FluxInstance", "flux", FLUX, {
      timeoutMs: 240_000,
      check: alive,
      accept: (o) =>
        String((o.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision).startsWith(
          `v${version}@`,
        ),
    });
    const want = imagesAt(version);
    for (const c of CONTROLLERS) {
      const d = await kube.get("apps/v1", "Deployment", c, FLUX);
      const image = (d?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)
        ?.template.spec.containers[0].image;
      if (image !== want[c])
        throw new Error(`Deployment ${FLUX}/${c} has image ${image}, the FluxInstance pins ${want[c]}`);
    }
    await kubelet.ready([FLUX_OPERATOR, ...CONTROLLERS], 180_000);
    return fi;
  };
  await h.step(`FluxInstance flux Ready at Flux ${startAt}; its controllers run at the images it pins`, () =>
    instanceAt(startAt),
  );
  h.figure("pulumi up → FluxInstance Ready", `${secondsSince(t0)}s`);

  const rootAt = async (tag: string) => {
    await kube.requestReconcile("source.toolkit.fluxcd.io/v1", "GitRepository", FLUX, FLUX);
    await kube.waitCondition(KS, "Kustomization", FLUX, FLUX, {
      timeoutMs: 240_000,
      check: alive,
      accept: (o) =>
        String((o.status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision).startsWith(
          `${tag}@`,
        ),
    });
    for (const name of TREE)
      await kube.waitCondition(KS, "Kustomization", name, FLUX, { timeoutMs: 240_000, check: alive });
  };
  await h.step(`root Kustomization Ready at v1.0.0; ${TREE.join(", ")} Ready`, () => rootAt("v1.0.0"));
  h.figure("pulumi up → slices Ready", `${secondsSince(t0)}s`);

  if (typeof previous !== "string") {
    const uids = async () =>
      Object.fromEntries(
        await Promise.all(
          TREE.map(async (n) => [n, (await kube.get(KS, "Kustomization", n, FLUX))?.metadata.uid] as const),
        ),
      );
    const t1 = Date.now();
    await h.step(
      `Flux ${previous.flux} → ${pins.flux} through the FluxInstance (flux.version in the stack file)`,
      async () => {
        const was = await uids();
        // While the operator rolls the controllers, a Deployment may be at either set; then only the new.
        const [from, to] = [imagesAt(previous.flux), imagesAt(pins.flux)];
        images = Object.fromEntries(Object.keys(to).map((k) => [k, [from[k], to[k]].filter(Boolean)]));
        // As a user moves the version: one setting (rewriting the file would drop its secrets).
        await pulumi.run(["config", "set", "--path", "platform:flux.version", pins.flux]);
        await up();
        await instanceAt(pins.flux);
        images = to;
        await rootAt("v1.0.0");
        const now = await uids();
        if (canonical(now) !== canonical(was))
          throw new Error(
            `Kustomizations re-created by the upgrade: ${JSON.stringify(was)} → ${JSON.stringify(now)}`,
          );
      },
    );
    h.figure(
      `Flux upgrade ${previous.flux} → ${pins.flux} (up → FluxInstance and tree Ready)`,
      `${secondsSince(t1)}s`,
    );
  }

  const t2 = Date.now();
  // The operator's CRDs go with its chart, Flux's with the FluxInstance (the operator uninstalls what
  // it installed); the catalog's Slice CRD is never pruned, and the API server registers its version.
  const LEFTOVERS = {
    added: [
      "apiextensions.k8s.io/CustomResourceDefinition slices.catalog.platform.io",
      "apiregistration.k8s.io/APIService v1alpha1.catalog.platform.io",
    ],
    removed: [] as string[],
  };
  await h.step(
    "pulumi destroy: nothing left but the documented leftovers; every controller stopped",
    async () => {
      await pulumi.run(["destroy", "--yes", "--skip-preview"], { timeoutMs: 15 * 60_000 });
      let diff = snapshotDiff(before, await snapshotCluster(kube));
      await waitFor(
        "the cluster to hold exactly the snapshot plus the documented leftovers",
        async () => {
          diff = snapshotDiff(before, await snapshotCluster(kube));
          return canonical(diff) === canonical(LEFTOVERS) || undefined;
        },
        { timeoutMs: 120_000, intervalMs: 2000, lastReason: () => JSON.stringify(diff) },
      );
      await waitFor(
        "every controller stopped",
        async () => !Object.keys(kubelet.running()).length || undefined,
        {
          timeoutMs: 30_000,
          lastReason: () => `still running: ${Object.keys(kubelet.running()).join(", ")}`,
        },
      );
    },
  );
  h.figure("pulumi destroy → only the documented leftovers", `${secondsSince(t2)}s`);
  const fiEvents = kubelet.events
    .filter((e) => e.controller === FLUX_OPERATOR)
    .map((e) => `${e.what}: ${e.why}`);
  h.figure("operator process", fiEvents.join("; "));
});

// What the Flux upgrade e2e (test/e2e/upgrade.ts) reads from and does to its clusters: the Helm
// release's state, the objects that must survive an upgrade, the tree reconciled, `fleet up` in the
// project copy, and the deliberately broken variant controller-first.
import * as fs from "node:fs";
import * as path from "node:path";
import type { FleetReport } from "./fleet";
import { conditions, type Kube, type KubeObject } from "./kube";
import { uidsOf, type Uids } from "./upgrade";
import { runStatus, waitFor } from "./util";
import { FLUX, KS } from "./fluxNames";

const NF = "network-functions";
const HR = "helm.toolkit.fluxcd.io/v2";

const readyOf = (o: KubeObject | undefined) => o && conditions(o).find((c) => c.type === "Ready");

/** The Helm release's history as helm-controller records it, and the release Secrets Helm stored. */
export async function helmState(kube: Kube) {
  const hr = await kube.get(HR, "HelmRelease", "upf", FLUX);
  const history = ((hr?.status as { history?: { version: number; status: string }[] })?.history ?? []).map(
    (x) => `${x.version}:${x.status}`,
  );
  const secrets = (await kube.list("v1", "Secret", NF, "owner=helm,name=upf"))
    .map((s) => s.metadata.name)
    .sort();
  return { history, secrets };
}

/** The objects that must survive: every Flux object, the controllers, and what the tree made. */
export async function survivors(kube: Kube): Promise<Uids> {
  // A list's items carry no kind (built-in types): name it from the request.
  const list = async (apiVersion: string, kind: string, namespace?: string) =>
    (await kube.list(apiVersion, kind, namespace)).map((o): KubeObject => ({ ...o, kind }));
  const objs: KubeObject[] = [];
  for (const c of await list("apiextensions.k8s.io/v1", "CustomResourceDefinition")) {
    const spec = c.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string; storage: boolean }[];
    };
    if (!spec.group.endsWith(".fluxcd.io")) continue;
    const v = spec.versions.find((x) => x.storage)?.name;
    objs.push(c, ...(await list(`${spec.group}/${v}`, spec.names.kind)));
  }
  // The slices: their catalog objects, and what they made in namespace slices.
  objs.push(...(await list("catalog.platform.io/v1alpha1", "Slice")));
  for (const ns of [FLUX, NF, "slices"]) {
    objs.push(...(await list("apps/v1", "Deployment", ns)));
    objs.push(...(await list("v1", "ConfigMap", ns)));
    objs.push(...(await list("v1", "Secret", ns)));
  }
  objs.push(...(await list("v1", "Namespace")));
  return uidsOf(objs.filter((o) => !o.metadata.name.startsWith("kube-root-ca")));
}

/** Waits until every Kustomization (slices among them) and HelmRelease upf are Ready and Secret e2e-sops is decrypted. */
export function treeReconciled(kube: Kube, opts: { what: string; sopsValue: string; check: () => void }) {
  return waitFor(
    `${opts.what}: every Kustomization and HelmRelease upf Ready, Secret e2e-sops decrypted`,
    async () => {
      const ks = await kube.list(KS, "Kustomization", FLUX);
      const hr = await kube.get(HR, "HelmRelease", "upf", FLUX);
      const secret = await kube.get("v1", "Secret", "e2e-sops", FLUX);
      const greeting = Buffer.from(
        String((secret?.data as Record<string, string> | undefined)?.greeting ?? ""),
        "base64",
      ).toString();
      const slices = ks.filter((k) => k.metadata.name.startsWith("slice"));
      const ok =
        ks.length >= 4 &&
        slices.length > 0 &&
        ks.every((k) => readyOf(k)?.status === "True") &&
        readyOf(hr)?.status === "True" &&
        greeting === opts.sopsValue;
      return ok ? { kustomizations: ks.map((k) => k.metadata.name).sort() } : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1000, check: opts.check },
  );
}

/** `npm run fleet -- up [more] --yes` in the project copy: its exit code and JSON report. */
export async function fleetUpIn(
  where: { project: string; env: NodeJS.ProcessEnv; workDir: string; logDir: string },
  report: string,
  more: string[] = [],
): Promise<{ report: FleetReport; exitCode: number }> {
  const json = path.join(where.workDir, `${report}.json`);
  const r = await runStatus(
    process.execPath,
    [
      "--import",
      "./scripts/ts-hooks.mjs",
      "cli/fleet.ts",
      "up",
      ...more,
      "--yes",
      "--gate-timeout",
      "5m",
      "--json",
      json,
      "--logs",
      path.join(where.logDir, `fleet-${report}`),
    ],
    { cwd: where.project, env: { ...where.env, CI: "true" }, timeoutMs: 20 * 60_000 },
  );
  fs.writeFileSync(path.join(where.logDir, `fleet-${report}.out`), r.stdout + r.stderr);
  if (!fs.existsSync(json))
    throw new Error(`fleet up exited ${r.code} and wrote no report:\n${r.stderr.slice(-3000)}`);
  return {
    report: JSON.parse(fs.readFileSync(json, "utf8")) as FleetReport,
    exitCode: typeof r.code === "number" ? r.code : -1,
  };
}

/** --break controller-first: a controller Deployment moved to `image` by hand, before the up. */
export async function controllerFirst(kube: Kube, controller: string, image: string): Promise<void> {
  const d = await kube.get("apps/v1", "Deployment", controller, FLUX);
  const containers = (d?.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers;
  containers[0].image = image;
  await kube.mergePatch("apps/v1", "Deployment", controller, FLUX, {
    spec: { template: { spec: { containers } } },
  });
}

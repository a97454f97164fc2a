// What the scenario's phases share: names, readers of Flux status, the slices the fleet tree gains,
// and exact comparisons.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import type { Kube, KubeObject } from "../harness/kube";
import { REPO_ROOT } from "../harness/tools";
import { canonical } from "../harness/util";

export { appliedOf, FLUX, KS, SRC } from "../harness/fluxNames";
export const SLICE = "catalog.platform.io/v1alpha1";
export const HR = "helm.toolkit.fluxcd.io/v2";
export const NF = "network-functions";
export const PLATFORM = "e2e";
/** The stack file's cluster name (`platform:cluster.name`): what CLUSTER_NAME must say in cluster-vars. */
export const CLUSTER = "e2e-lab";
/** The template's push-webhook Receiver (gitops/notifications/base/receiver.yaml). */
export const RECEIVER = "fleet-push";

export const revisionOf = (o: KubeObject) =>
  String((o.status as { artifact?: { revision?: string } })?.artifact?.revision);

export async function sliceSpec(kube: Kube, name: string): Promise<Record<string, unknown> | undefined> {
  return (await kube.get(SLICE, "Slice", name, "slices"))?.spec as Record<string, unknown> | undefined;
}

/** Every variable of the catalog model substituted (no `${` left), with the expected values in it. */
export function expectSubstituted(
  spec: Record<string, unknown> | undefined,
  name: string,
  values: string[],
): void {
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
export function sliceTwoOf(tree: Record<string, string>): Record<string, string> {
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

/** A second urllc instance, 2-ab0003 (S-NSSAI 2-ab0003, NSI 3), made from 2-ab0001 as gitops:new-slice would. */
export function sliceThreeOf(sliceTwo: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(sliceTwo)) {
    const three = text.replaceAll("ab0001", "ab0003").replace(/NSIID: "2"/, 'NSIID: "3"');
    if (three === text) throw new Error(`${file}: nothing to rename for slice 2-ab0003`);
    out[file.replace("/2-ab0001/", "/2-ab0003/")] = three;
  }
  return out;
}

/** Throws unless `got` equals `want` exactly (keys in any order). */
export function expectExactly(what: string, got: unknown, want: unknown): void {
  if (canonical(got) !== canonical(want))
    throw new Error(`${what} is ${canonical(got)}, want ${canonical(want)}`);
}

interface Release {
  version: number;
  status: string;
}
export const helmHistory = (o: KubeObject | undefined) =>
  ((o?.status as { history?: Release[] } | undefined)?.history ?? []).map((h) => ({
    version: h.version,
    status: h.status,
  }));

/** The network-function chart's version, as the fleet repository's Chart.yaml states it (the input published). */
export const CHART_VERSION = String(
  (
    parse(fs.readFileSync(path.join(REPO_ROOT, "gitops/charts/network-function/Chart.yaml"), "utf8")) as {
      version: string;
    }
  ).version,
);

/** `<namespace>/<name> <key>` → value of every Secret the render wrote (data and stringData). */
export function renderedSecretValues(renderDir: string): Record<string, string> {
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

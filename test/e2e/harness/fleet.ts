// What the scenario feeds the program: a Flux install manifest assembled from the controllers' own
// CRDs (the release's install.yaml cannot be downloaded here), and versions of the fleet repository
// made from the project's gitops/ tree.
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "./kube";
import { REPO_ROOT } from "./tools";

const COMPONENT_OF_GROUP: Record<string, string> = {
  "source.toolkit.fluxcd.io": "source-controller",
  "kustomize.toolkit.fluxcd.io": "kustomize-controller",
};

/**
 * install.yaml in the shape of Flux's release asset, for the components whose CRDs are in
 * `crdsDir`: each CRD labelled with its component, plus a ServiceAccount and a Deployment per
 * component (no kubelet runs them: the real controllers run out of cluster).
 */
export function assembleInstallManifest(
  crdsDir: string,
  fluxVersion: string,
  controllers: Record<string, string>,
): string {
  const labels = (component: string) => ({
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/instance": "flux-system",
    "app.kubernetes.io/part-of": "flux",
    "app.kubernetes.io/version": `v${fluxVersion}`,
  });
  const docs: KubeObject[] = [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "flux-system", labels: { "app.kubernetes.io/part-of": "flux" } },
    },
  ];
  const components = new Set<string>();
  for (const file of fs
    .readdirSync(crdsDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(crdsDir, file), "utf8"))) {
      const crd = doc.toJS() as (KubeObject & { spec: { group: string } }) | null;
      if (!crd || crd.kind !== "CustomResourceDefinition") continue;
      const component = COMPONENT_OF_GROUP[crd.spec.group];
      if (!component) continue;
      components.add(component);
      crd.metadata = { name: crd.metadata.name, labels: labels(component) };
      docs.push(crd);
    }
  }
  for (const c of [...components].sort()) {
    const meta = { name: c, namespace: "flux-system", labels: labels(c) };
    docs.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: meta });
    docs.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: c } },
        template: {
          metadata: { labels: { app: c } },
          spec: {
            serviceAccountName: c,
            containers: [
              {
                name: "manager",
                image: `ghcr.io/fluxcd/${c}:${controllers[c] ?? "unknown"}`,
                args: ["--watch-all-namespaces", "--log-level=info", "--log-encoding=json"],
              },
            ],
          },
        },
      },
    });
  }
  return docs.map((d) => stringify(d)).join("---\n");
}

/** Every file of the project's gitops/ tree (path relative to it -> content). */
export function gitopsTree(): Record<string, string> {
  const root = path.join(REPO_ROOT, "gitops");
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(root);
  return out;
}

/**
 * Tenant isolation, checked before merge: a tenant lives at `tenants/<tenant>/` (its Namespaces,
 * ServiceAccount, RoleBindings, source and reconcilers) or carries the label
 * `toolkit.fluxcd.io/tenant: <tenant>`. Its objects stay in its namespaces, hold nothing
 * cluster-scoped but its own Namespaces, bind no one outside it, and reconcile as its ServiceAccount.
 */
import { SYSTEM_NAMESPACES, TENANT_LABEL } from "../../../components/flux/args/tenants";
import { CLUSTER_SCOPED_KINDS, type Finding } from "../shared/manifests";
import type { BuiltObject, PlatformTree } from "../shared/tree";

const isSystemNamespace = (ns: string) => SYSTEM_NAMESPACES.includes(ns) || ns.startsWith("kube-");

/** The tenant an object belongs to: its folder under `tenants/`, else its tenant label. */
export function tenantOf(o: BuiltObject): string | undefined {
  const m = /^tenants\/([^/]+)\//.exec(o.doc.file);
  if (m) return m[1];
  const label = o.obj.metadata.labels?.[TENANT_LABEL];
  return typeof label === "string" && label !== "" ? label : undefined;
}

interface Tenant {
  name: string;
  namespaces: string[];
  objects: BuiltObject[];
}

function tenantsOf(tree: PlatformTree): Map<string, Tenant> {
  const tenants = new Map<string, Tenant>();
  for (const node of tree.nodes)
    for (const o of node.built) {
      const name = tenantOf(o);
      if (!name) continue;
      const t = tenants.get(name) ?? { name, namespaces: [], objects: [] };
      tenants.set(name, t);
      t.objects.push(o);
      const ns = String(o.obj.metadata.name ?? "");
      if (o.obj.kind === "Namespace" && !isSystemNamespace(ns) && !t.namespaces.includes(ns))
        t.namespaces.push(ns);
    }
  return tenants;
}

const idOf = (o: BuiltObject) =>
  CLUSTER_SCOPED_KINDS.has(o.obj.kind)
    ? `${o.obj.kind} ${String(o.obj.metadata.name)}`
    : `${o.obj.kind} ${o.namespace}/${String(o.obj.metadata.name)}`;

const listOf = (t: Tenant) => (t.namespaces.length ? t.namespaces.join(", ") : "none");

/** Where a tenant's objects go: its namespaces, or the hint that it has none. */
const home = (t: Tenant) =>
  t.namespaces.length
    ? `tenant ${t.name}'s namespaces are ${listOf(t)}`
    : `tenant ${t.name} has no Namespace: add one under tenants/${t.name}/`;

interface Spec {
  serviceAccountName?: string;
  targetNamespace?: string;
  sourceRef?: { kind?: string; name?: string; namespace?: string };
  chartRef?: { kind?: string; name?: string; namespace?: string };
  chart?: { spec?: { sourceRef?: { kind?: string; name?: string; namespace?: string } } };
}

interface RoleBinding {
  roleRef?: { kind?: string; name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

/** All tenant-isolation findings of one platform tree. */
export function tenantFindings(tree: PlatformTree): Finding[] {
  const out: Finding[] = [];
  const tenants = tenantsOf(tree);
  const push = (o: BuiltObject, path: (string | number)[], rule: string, message: string) =>
    out.push({
      file: o.doc.file,
      line: o.doc.lineOf(path),
      rule,
      message,
      platform: tree.context.platform,
    });
  const owners = new Map<string, string>();
  for (const t of tenants.values())
    for (const ns of t.namespaces) if (!owners.has(ns)) owners.set(ns, t.name);
  for (const t of tenants.values())
    for (const o of t.objects) {
      const id = idOf(o);
      const inside = (ns: string) => t.namespaces.includes(ns);
      if (o.obj.kind === "Namespace") {
        const ns = String(o.obj.metadata.name);
        if (isSystemNamespace(ns))
          push(
            o,
            ["metadata", "name"],
            "tenant-namespace",
            `${id} of tenant ${t.name}: ${ns} belongs to the cluster or to Flux, never to a tenant; give the tenant a namespace of its own (e.g. ${t.name})`,
          );
        else if (owners.get(ns) !== t.name)
          push(
            o,
            ["metadata", "name"],
            "tenant-namespace",
            `${id} of tenant ${t.name} is also a namespace of tenant ${String(owners.get(ns))}: a namespace belongs to one tenant; give tenant ${t.name} its own`,
          );
        continue;
      }
      if (CLUSTER_SCOPED_KINDS.has(o.obj.kind)) {
        push(
          o,
          ["kind"],
          "tenant-cluster-scope",
          `${id} is cluster-scoped and belongs to tenant ${t.name}: a tenant holds only namespaced objects and its own Namespaces; remove it, or let the platform team apply it outside tenants/ (for RBAC, a RoleBinding in the tenant's namespace)`,
        );
        continue;
      }
      if (!inside(o.namespace))
        push(
          o,
          ["metadata", "namespace"],
          "tenant-namespace",
          `${id} of tenant ${t.name} is outside the tenant's namespaces: set metadata.namespace to one of them (${home(t)})`,
        );
      if (o.obj.kind === "RoleBinding") rbacFindings(t, o, push);
      const flux =
        (o.obj.kind === "Kustomization" && o.obj.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) ||
        (o.obj.kind === "HelmRelease" && o.obj.apiVersion.startsWith("helm.toolkit.fluxcd.io/"));
      if (flux) reconcilerFindings(t, o, push);
    }
  return out;
}

type Push = (o: BuiltObject, path: (string | number)[], rule: string, message: string) => void;

function rbacFindings(t: Tenant, o: BuiltObject, push: Push) {
  const rb = o.obj as unknown as RoleBinding;
  const id = idOf(o);
  if (rb.roleRef?.kind === "ClusterRole" && rb.roleRef.name === "cluster-admin")
    push(
      o,
      ["roleRef", "name"],
      "tenant-rbac",
      `${id} of tenant ${t.name} binds ClusterRole cluster-admin: bind ClusterRole admin, which a RoleBinding limits to the namespace`,
    );
  (rb.subjects ?? []).forEach((s, i) => {
    const ns = s.namespace ?? o.namespace;
    const reconciler = /^gotk:([^:]+):reconciler$/.exec(String(s.name));
    const ok =
      s.kind === "ServiceAccount"
        ? t.namespaces.includes(ns)
        : s.kind === "User" && reconciler !== null && t.namespaces.includes(reconciler[1]);
    if (!ok)
      push(
        o,
        ["subjects", i],
        "tenant-rbac",
        `${id} of tenant ${t.name} binds ${String(s.kind)} ${s.kind === "ServiceAccount" ? `${ns}/` : ""}${String(s.name)}, which is outside the tenant: bind only the tenant's ServiceAccount ${t.name} in its namespaces (${listOf(t)})`,
      );
  });
}

function reconcilerFindings(t: Tenant, o: BuiltObject, push: Push) {
  const spec = (o.obj.spec ?? {}) as Spec;
  const id = idOf(o);
  const sa = spec.serviceAccountName;
  if (sa === undefined || sa === "")
    push(
      o,
      ["spec"],
      "tenant-service-account",
      `${id} of tenant ${t.name} has no serviceAccountName: it would reconcile as the controller's default account; set serviceAccountName: ${t.name}`,
    );
  else if (
    !t.objects.some(
      (s) => s.obj.kind === "ServiceAccount" && s.namespace === o.namespace && s.obj.metadata.name === sa,
    )
  )
    push(
      o,
      ["spec", "serviceAccountName"],
      "tenant-service-account",
      `${id} of tenant ${t.name}: serviceAccountName ${sa} is not a ServiceAccount of the tenant in namespace ${o.namespace}, so it escapes the tenant; set serviceAccountName: ${t.name}`,
    );
  const target = spec.targetNamespace;
  if (target !== undefined && !t.namespaces.includes(target))
    push(
      o,
      ["spec", "targetNamespace"],
      "tenant-namespace",
      `${id} of tenant ${t.name}: targetNamespace ${target} is outside the tenant (${home(t)}); target one of them`,
    );
  for (const [ref, path] of [
    [spec.sourceRef, ["spec", "sourceRef", "namespace"]],
    [spec.chartRef, ["spec", "chartRef", "namespace"]],
    [spec.chart?.spec?.sourceRef, ["spec", "chart", "spec", "sourceRef", "namespace"]],
  ] as const) {
    if (!ref?.namespace || ref.namespace === o.namespace) continue;
    const what = `${path.slice(1, -1).join(".")} ${String(ref.kind)} ${ref.namespace}/${String(ref.name)}`;
    push(
      o,
      [...path],
      "tenant-source",
      t.namespaces.includes(ref.namespace)
        ? `${id} of tenant ${t.name}: ${what} is in another namespace, and the lockdown (--no-cross-namespace-refs) refuses references across namespaces: put the source in ${o.namespace} or the reconciler in ${ref.namespace}`
        : `${id} of tenant ${t.name}: ${what} is outside the tenant, so it escapes it (${home(t)}); use the tenant's own source in ${o.namespace}`,
    );
  }
}

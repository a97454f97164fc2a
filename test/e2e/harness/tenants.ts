// What the tenants scenario (test/e2e/tenants.ts) feeds Flux: vendor-a's releases (the first one
// well-behaved, each later one an escape attempt), vendor-b's chart, and the
// check that an escape was refused.
import { stringify } from "yaml";
import { conditions, type Kube, type KubeObject } from "./kube";
import { waitFor } from "./util";

const yaml = (...objects: object[]) => objects.map((o) => stringify(o)).join("---\n");

/** An escape attempt: what vendor-a's tag adds, what the Kustomization must say, what must not exist. */
export interface Escape {
  what: string;
  files: Record<string, string>;
  /**
   * The Ready condition's message (its reason ReconciliationFailed) holds one of these: the API
   * server's refusal of the first object kustomize-controller's dry-run tried.
   */
  says: string[];
  /** Objects that must not exist afterwards: [apiVersion, kind, name, namespace]. */
  absent: [string, string, string, string | undefined][];
}

const RBAC = "rbac.authorization.k8s.io/v1";
/** The API server's refusal of the account vendor-a's Kustomization impersonates, as kustomize-controller reports it. */
const refusal = (object: string, resource: string, group: string, where: string) =>
  `${object} dry-run failed (Forbidden): ${resource}${group ? `.${group}` : ""} "${object.split("/").pop()}" is forbidden: User "system:serviceaccount:vendor-a:vendor-a" cannot patch resource "${resource}" in API group "${group}" ${where}`;

export const escapeTags: { base: Record<string, string>; escapes: Escape[] } = {
  base: {
    "smf.yaml": yaml(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "smf-config", namespace: "vendor-a" },
        data: { release: "v1.0.0" },
      },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "smf-nf-config", namespace: "vendor-a-nf" },
        data: { release: "v1.0.0" },
      },
    ),
  },
  escapes: [
    {
      what: "a ClusterRoleBinding to cluster-admin",
      files: {
        "escape.yaml": yaml({
          apiVersion: RBAC,
          kind: "ClusterRoleBinding",
          metadata: { name: "vendor-a-escape" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
          subjects: [{ kind: "ServiceAccount", name: "vendor-a", namespace: "vendor-a" }],
        }),
      },
      says: [
        refusal(
          "ClusterRoleBinding/vendor-a-escape",
          "clusterrolebindings",
          "rbac.authorization.k8s.io",
          "at the cluster scope",
        ),
      ],
      absent: [[RBAC, "ClusterRoleBinding", "vendor-a-escape", undefined]],
    },
    {
      what: "a ConfigMap in vendor-b's namespace",
      files: {
        "escape.yaml": yaml({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "planted", namespace: "vendor-b" },
          data: { from: "vendor-a" },
        }),
      },
      says: [refusal("ConfigMap/vendor-b/planted", "configmaps", "", 'in the namespace "vendor-b"')],
      absent: [["v1", "ConfigMap", "planted", "vendor-b"]],
    },
    {
      what: "a Role and RoleBinding reading the Secrets of flux-system",
      files: {
        "escape.yaml": yaml(
          {
            apiVersion: RBAC,
            kind: "Role",
            metadata: { name: "read-flux-secrets", namespace: "flux-system" },
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
          },
          {
            apiVersion: RBAC,
            kind: "RoleBinding",
            metadata: { name: "read-flux-secrets", namespace: "flux-system" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-flux-secrets" },
            subjects: [{ kind: "ServiceAccount", name: "vendor-a", namespace: "vendor-a" }],
          },
        ),
      },
      says: [
        refusal(
          "Role/flux-system/read-flux-secrets",
          "roles",
          "rbac.authorization.k8s.io",
          'in the namespace "flux-system"',
        ),
        refusal(
          "RoleBinding/flux-system/read-flux-secrets",
          "rolebindings",
          "rbac.authorization.k8s.io",
          'in the namespace "flux-system"',
        ),
      ],
      absent: [
        [RBAC, "Role", "read-flux-secrets", "flux-system"],
        [RBAC, "RoleBinding", "read-flux-secrets", "flux-system"],
      ],
    },
  ],
};

/** vendor-b's chart repository at `version`: chart amf, one ConfigMap naming its version. */
export function vendorChart(version: string): Record<string, string> {
  return {
    "charts/amf/Chart.yaml": stringify({ apiVersion: "v2", name: "amf", version, type: "application" }),
    "charts/amf/templates/configmap.yaml": [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: amf-config",
      "data:",
      "  version: {{ .Chart.Version | quote }}",
      "",
    ].join("\n"),
  };
}

/**
 * Waits until Kustomization `name` (namespace `name`) has tried `version` and failed with one of
 * `escape.says`, and checks that none of `escape.absent` exists. Fails at once, naming
 * the escape, when the revision was applied instead (the isolation let it through).
 */
export async function expectRefused(
  kube: Kube,
  name: string,
  version: string,
  escape: Escape,
  check: () => void,
): Promise<KubeObject> {
  const status = (o: KubeObject) =>
    (o.status ?? {}) as { lastAttemptedRevision?: string; lastAppliedRevision?: string };
  let last: KubeObject | undefined;
  let escaped: Error | undefined;
  const ks = await waitFor(
    `Kustomization ${name}/${name} to refuse ${version}`,
    async () => {
      last = await kube.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", name, name);
      if (!last) return undefined;
      if (status(last).lastAppliedRevision?.startsWith(`${version}@`)) {
        const there: string[] = [];
        for (const [apiVersion, kind, n, ns] of escape.absent)
          if (await kube.get(apiVersion, kind, n, ns)) there.push(`${kind} ${ns ? `${ns}/` : ""}${n}`);
        // waitFor retries a probe that throws: the check below ends the wait instead.
        escaped = new Error(
          `ESCAPE: vendor-a's ${version} (${escape.what}) was applied: ${there.join(", ") || "its objects"} now exist${there.length === 1 ? "s" : ""} outside its namespaces`,
        );
        return undefined;
      }
      const ready = conditions(last).find((c) => c.type === "Ready");
      if (!status(last).lastAttemptedRevision?.startsWith(`${version}@`) || ready?.status !== "False")
        return undefined;
      return escape.says.some((s) => (ready.message ?? "").includes(s)) ? last : undefined;
    },
    {
      timeoutMs: 240_000,
      intervalMs: 1000,
      check: () => {
        check();
        if (escaped) throw escaped;
      },
      lastReason: () => `status ${JSON.stringify(last?.status ?? {})}`,
    },
  );
  for (const [apiVersion, kind, n, ns] of escape.absent)
    if (await kube.get(apiVersion, kind, n, ns))
      throw new Error(`ESCAPE: ${kind} ${ns ? `${ns}/` : ""}${n} exists although ${version} was refused`);
  return ks;
}

/**
 * What kube-controller-manager's clusterrole-aggregation controller does, once: each ClusterRole
 * with an aggregationRule (admin, edit, view) gets the rules of the ClusterRoles its selectors
 * match. The harness's controller manager runs only the controllers the other scenarios need, and
 * a tenant is bound to `admin`, which is empty until aggregated.
 */
export async function aggregateClusterRoles(kube: Kube): Promise<string[]> {
  const RBAC_API = "rbac.authorization.k8s.io/v1";
  const roles = await kube.list(RBAC_API, "ClusterRole");
  type Selector = { matchLabels?: Record<string, string> };
  const selectorsOf = (o: KubeObject) =>
    (o.aggregationRule as { clusterRoleSelectors?: Selector[] } | undefined)?.clusterRoleSelectors ?? [];
  const aggregated = roles.filter((o) => selectorsOf(o).length);
  const rulesOf = new Map(
    roles.map((o) => [o.metadata.name as string, (o.rules as unknown[] | undefined) ?? []]),
  );
  // To a fixed point: admin aggregates edit, which aggregates view.
  for (let round = 0, changed = true; changed && round < 10; round++) {
    changed = false;
    for (const role of aggregated) {
      const matches = (o: KubeObject) =>
        o.metadata.name !== role.metadata.name &&
        selectorsOf(role).some((s) =>
          Object.entries(s.matchLabels ?? {}).every(
            ([k, v]) => (o.metadata.labels as Record<string, string> | undefined)?.[k] === v,
          ),
        );
      const rules = roles.filter(matches).flatMap((o) => rulesOf.get(o.metadata.name as string) ?? []);
      const unique = [...new Map(rules.map((r) => [JSON.stringify(r), r])).values()];
      if (JSON.stringify(unique) !== JSON.stringify(rulesOf.get(role.metadata.name as string))) {
        rulesOf.set(role.metadata.name as string, unique);
        changed = true;
      }
    }
  }
  const done: string[] = [];
  for (const role of aggregated) {
    const rules = rulesOf.get(role.metadata.name as string) ?? [];
    await kube.mergePatch(RBAC_API, "ClusterRole", role.metadata.name as string, undefined, { rules });
    done.push(`${String(role.metadata.name)} (${rules.length} rules)`);
  }
  return done;
}

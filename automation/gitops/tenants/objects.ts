/**
 * The objects of a tenant: in each of its namespaces the Namespace, ServiceAccount and RoleBinding
 * to ClusterRole admin (for the reconciler's account and the namespace's own), ResourceQuota,
 * LimitRange and default-deny NetworkPolicy; in the first, its source, its reconciler and (from
 * Secrets Manager) its credential. Every object carries `toolkit.fluxcd.io/tenant: <tenant>`.
 */
import type { TenantSpec } from "./options";

export const TENANT_LABEL = "toolkit.fluxcd.io/tenant";
/** The ClusterSecretStore of the platform's secrets (gitops/infrastructure/configs/). */
export const SECRET_STORE = "platform-secrets";

export type Obj = Record<string, unknown>;

const API_SOURCE = "source.toolkit.fluxcd.io/v1";

/** The name of the credentials Secret (in the tenant's first namespace). */
export const authSecretName = (tenant: string) => `${tenant}-auth`;

export function sourceObject(spec: TenantSpec, metadata: Obj): Obj {
  const secretRef = { name: authSecretName(spec.name) };
  const ref = spec.ref ? { [spec.ref.kind]: spec.ref.value } : undefined;
  if (spec.source === "git")
    return {
      apiVersion: API_SOURCE,
      kind: "GitRepository",
      metadata,
      spec: { interval: "5m", url: spec.url, ref, secretRef },
    };
  if (spec.source === "oci")
    return {
      apiVersion: API_SOURCE,
      kind: "OCIRepository",
      metadata,
      spec: { interval: "5m", url: spec.url, ref, secretRef },
    };
  return {
    apiVersion: API_SOURCE,
    kind: "HelmRepository",
    metadata,
    spec: { type: "oci", interval: "5m", url: spec.url, secretRef },
  };
}

export function reconcilerObject(spec: TenantSpec, metadata: Obj): Obj {
  if (spec.source === "helm-oci")
    return {
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { ...metadata, name: spec.chart },
      spec: {
        interval: "10m",
        timeout: "5m",
        serviceAccountName: spec.name,
        chart: {
          spec: {
            chart: spec.chart,
            version: spec.chartVersion,
            sourceRef: { kind: "HelmRepository", name: spec.name },
          },
        },
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
      },
    };
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata,
    spec: {
      interval: "10m",
      retryInterval: "1m",
      timeout: "5m",
      path: spec.path,
      prune: true,
      sourceRef: { kind: spec.source === "git" ? "GitRepository" : "OCIRepository", name: spec.name },
      serviceAccountName: spec.name,
    },
  };
}

/** The credential as an ExternalSecret from the platform's secrets (Secrets Manager, key `tenants/<tenant>`). */
export function externalSecret(spec: TenantSpec, metadata: Obj): Obj {
  const git = spec.source === "git";
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { ...metadata, name: authSecretName(spec.name) },
    spec: {
      refreshInterval: "1h",
      secretStoreRef: { kind: "ClusterSecretStore", name: SECRET_STORE },
      target: {
        name: authSecretName(spec.name),
        ...(git ? {} : { template: { type: "kubernetes.io/dockerconfigjson" } }),
      },
      // The secret's JSON keys become the Secret's: identity and known_hosts (Git), .dockerconfigjson (OCI).
      dataFrom: [{ extract: { key: `tenants/${spec.name}` } }],
    },
  };
}

/** The objects of each namespace of the tenant, by file. */
export function namespaceObjects(spec: TenantSpec): {
  namespaces: Obj[];
  rbac: Obj[];
  quota: Obj[];
  policies: Obj[];
} {
  const t = spec.name;
  const [home] = spec.namespaces;
  const labels = { [TENANT_LABEL]: t };
  const inEach = (f: (ns: string) => Obj[]) => spec.namespaces.flatMap(f);
  const md = (name: string, namespace: string, extra: Obj = {}) => ({ name, namespace, labels, ...extra });
  const namespaces = spec.namespaces.map((ns) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns,
      labels: {
        ...labels,
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      },
    },
  }));
  // The reconcilers run in the first namespace as its ServiceAccount; each namespace binds that
  // account (and its own) to admin there, and nowhere else.
  const rbac = inEach((ns) => [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: md(t, ns) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: md(`${t}-reconciler`, ns),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "admin" },
      subjects: [...new Set([home, ns])].map((from) => ({
        kind: "ServiceAccount",
        name: t,
        namespace: from,
      })),
    },
  ]);
  const limits = (scale: number, q: string) =>
    scale === 1 ? q : q.replace(/^\d+(\.\d+)?/, (n) => String(Number(n) * scale));
  const quota = inEach((ns) => [
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: md(t, ns),
      spec: {
        hard: {
          "requests.cpu": spec.quota.cpu,
          "requests.memory": spec.quota.memory,
          "limits.cpu": limits(2, spec.quota.cpu),
          "limits.memory": limits(2, spec.quota.memory),
          pods: spec.quota.pods,
          services: "20",
          "services.loadbalancers": "0",
          "services.nodeports": "0",
          persistentvolumeclaims: "10",
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: md(t, ns),
      spec: {
        limits: [
          {
            type: "Container",
            defaultRequest: { cpu: "100m", memory: "128Mi" },
            default: { cpu: "500m", memory: "512Mi" },
          },
        ],
      },
    },
  ]);
  const policies = inEach((ns) => [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: md("default-deny", ns),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: md("allow-dns", ns),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ]);
  return { namespaces, rbac, quota, policies };
}

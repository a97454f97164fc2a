/**
 * gitops:lint's tenant-isolation findings: a tenant `acme` (tenants/acme/, included by platform
 * local) lints clean, and each way out of its namespaces is reported with file:line and the fix.
 */
import { edit, lintBrokenCopy, write } from "./helpers";

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: acme
  labels:
    toolkit.fluxcd.io/tenant: acme
---
apiVersion: v1
kind: Namespace
metadata:
  name: acme-nf
  labels:
    toolkit.fluxcd.io/tenant: acme
`;

const rbac = (ns: string) => `apiVersion: v1
kind: ServiceAccount
metadata:
  name: acme
  namespace: ${ns}
  labels:
    toolkit.fluxcd.io/tenant: acme
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: acme-reconciler
  namespace: ${ns}
  labels:
    toolkit.fluxcd.io/tenant: acme
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
  - kind: ServiceAccount
    name: acme
    namespace: acme
  - kind: User
    name: gotk:${ns}:reconciler
`;

const SOURCE = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: acme
  namespace: acme
  labels:
    toolkit.fluxcd.io/tenant: acme
spec:
  interval: 10m
  url: ssh://git@git.acme.example/acme/nf.git
  ref:
    tag: v1.0.0
  secretRef:
    name: acme-auth
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: acme-chart
  namespace: acme
  labels:
    toolkit.fluxcd.io/tenant: acme
spec:
  interval: 10m
  url: oci://registry.acme.example/charts/upf
  ref:
    tag: 1.0.0
  secretRef:
    name: acme-auth
`;

const SYNC = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: acme
  namespace: acme
  labels:
    toolkit.fluxcd.io/tenant: acme
spec:
  interval: 10m
  path: ./deploy
  prune: true
  serviceAccountName: acme
  targetNamespace: acme-nf
  sourceRef:
    kind: GitRepository
    name: acme
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: upf
  namespace: acme
  labels:
    toolkit.fluxcd.io/tenant: acme
spec:
  interval: 10m
  serviceAccountName: acme
  targetNamespace: acme-nf
  chartRef:
    kind: OCIRepository
    name: acme-chart
`;

const PLATFORM_KUSTOMIZATION = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: tenant-acme
  namespace: flux-system
spec:
  interval: 10m
  path: ./tenants/acme
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  serviceAccountName: kustomize-controller
`;

/** Tenant acme in a copy of the shipped repository, applied by platform local. */
function addTenant(repo: string) {
  write(repo, "tenants/acme/namespaces.yaml", NAMESPACES);
  write(repo, "tenants/acme/rbac.yaml", rbac("acme"));
  write(repo, "tenants/acme/rbac-nf.yaml", rbac("acme-nf"));
  write(repo, "tenants/acme/source.yaml", SOURCE);
  write(repo, "tenants/acme/sync.yaml", SYNC);
  write(
    repo,
    "tenants/acme/kustomization.yaml",
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespaces.yaml
  - rbac.yaml
  - rbac-nf.yaml
  - source.yaml
  - sync.yaml
`,
  );
  write(repo, "clusters/local/tenants.yaml", PLATFORM_KUSTOMIZATION);
  edit(repo, "clusters/local/kustomization.yaml", "  - apps.yaml", "  - apps.yaml\n  - tenants.yaml");
}

/** One more file in the tenant's folder, listed in its kustomization.yaml. */
function addToTenant(repo: string, tenant: string, file: string, content: string) {
  write(repo, `tenants/${tenant}/${file}`, content);
  edit(repo, `tenants/${tenant}/kustomization.yaml`, "resources:\n", `resources:\n  - ${file}\n`);
}

const CONFIGMAP = (ns: string) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: acme-settings
  namespace: ${ns}
data:
  mode: standalone
`;

const CLUSTER_ROLE_BINDING = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: acme-everything
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
  - kind: ServiceAccount
    name: acme
    namespace: acme
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.acme.example
spec:
  group: acme.example
  names:
    kind: Widget
    plural: widgets
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
`;

describe("gitops:lint on a tenant", () => {
  it("finds nothing on a tenant confined to its namespaces", async () => {
    expect(await lintBrokenCopy(addTenant)).toEqual([]);
  });

  type Breakage = (repo: string) => void;
  const cases: [string, Breakage, string[]][] = [
    [
      "an object outside the tenant's namespaces",
      (r) => addToTenant(r, "acme", "settings.yaml", CONFIGMAP("slices")),
      [
        "tenants/acme/settings.yaml:5: [tenant-namespace] ConfigMap slices/acme-settings of tenant acme is outside the tenant's namespaces: set metadata.namespace to one of them (tenant acme's namespaces are acme, acme-nf) (local)",
      ],
    ],
    [
      "an object without a namespace (it lands in default)",
      (r) => addToTenant(r, "acme", "settings.yaml", CONFIGMAP("acme").replace("  namespace: acme\n", "")),
      [
        "tenants/acme/settings.yaml:4: [tenant-namespace] ConfigMap default/acme-settings of tenant acme is outside the tenant's namespaces: set metadata.namespace to one of them (tenant acme's namespaces are acme, acme-nf) (local)",
      ],
    ],
    [
      "a tenant-labelled object outside tenants/",
      (r) =>
        write(
          r,
          "clusters/local/tenants.yaml",
          `${PLATFORM_KUSTOMIZATION}---\n${CONFIGMAP("flux-system").replace("metadata:\n", "metadata:\n  labels:\n    toolkit.fluxcd.io/tenant: acme\n")}`,
        ),
      [
        "clusters/local/tenants.yaml:21: [tenant-namespace] ConfigMap flux-system/acme-settings of tenant acme is outside the tenant's namespaces: set metadata.namespace to one of them (tenant acme's namespaces are acme, acme-nf) (local)",
      ],
    ],
    [
      "a ClusterRoleBinding in the tenant's path",
      (r) => addToTenant(r, "acme", "escalate.yaml", CLUSTER_ROLE_BINDING),
      [
        "tenants/acme/escalate.yaml:2: [tenant-cluster-scope] ClusterRoleBinding acme-everything is cluster-scoped and belongs to tenant acme: a tenant holds only namespaced objects and its own Namespaces; remove it, or let the platform team apply it outside tenants/ (for RBAC, a RoleBinding in the tenant's namespace) (local)",
      ],
    ],
    [
      "a CustomResourceDefinition in the tenant's path",
      (r) => addToTenant(r, "acme", "crd.yaml", CRD),
      [
        "tenants/acme/crd.yaml:2: [tenant-cluster-scope] CustomResourceDefinition widgets.acme.example is cluster-scoped and belongs to tenant acme: a tenant holds only namespaced objects and its own Namespaces; remove it, or let the platform team apply it outside tenants/ (for RBAC, a RoleBinding in the tenant's namespace) (local)",
      ],
    ],
    [
      "a RoleBinding to cluster-admin",
      (r) => edit(r, "tenants/acme/rbac-nf.yaml", "  name: admin", "  name: cluster-admin"),
      [
        "tenants/acme/rbac-nf.yaml:19: [tenant-rbac] RoleBinding acme-nf/acme-reconciler of tenant acme binds ClusterRole cluster-admin: bind ClusterRole admin, which a RoleBinding limits to the namespace (local)",
      ],
    ],
    [
      "a RoleBinding of a ServiceAccount outside the tenant",
      (r) => edit(r, "tenants/acme/rbac.yaml", "    namespace: acme\n", "    namespace: flux-system\n"),
      [
        "tenants/acme/rbac.yaml:21: [tenant-rbac] RoleBinding acme/acme-reconciler of tenant acme binds ServiceAccount flux-system/acme, which is outside the tenant: bind only the tenant's ServiceAccount acme in its namespaces (acme, acme-nf) (local)",
      ],
    ],
    [
      "a RoleBinding of a user or group",
      (r) =>
        edit(
          r,
          "tenants/acme/rbac.yaml",
          "  - kind: User\n    name: gotk:acme:reconciler",
          "  - kind: Group\n    name: system:authenticated",
        ),
      [
        "tenants/acme/rbac.yaml:24: [tenant-rbac] RoleBinding acme/acme-reconciler of tenant acme binds Group system:authenticated, which is outside the tenant: bind only the tenant's ServiceAccount acme in its namespaces (acme, acme-nf) (local)",
      ],
    ],
    [
      "a sourceRef to the platform's root source",
      (r) =>
        edit(
          r,
          "tenants/acme/sync.yaml",
          "    name: acme\n",
          "    name: flux-system\n    namespace: flux-system\n",
        ),
      [
        'tenants/acme/sync.yaml:10: [path] Kustomization acme/acme path "./deploy" does not exist in the repository (local)',
        "tenants/acme/sync.yaml:17: [tenant-source] Kustomization acme/acme of tenant acme: sourceRef GitRepository flux-system/flux-system is outside the tenant, so it escapes it (tenant acme's namespaces are acme, acme-nf); use the tenant's own source in acme (local)",
      ],
    ],
    [
      "a chartRef to another namespace of the tenant",
      (r) =>
        edit(
          r,
          "tenants/acme/sync.yaml",
          "    name: acme-chart\n",
          "    name: acme-chart\n    namespace: acme-nf\n",
        ),
      [
        "tenants/acme/sync.yaml:30: [reference] HelmRelease acme/upf: chartRef OCIRepository acme-nf/acme-chart does not exist in the tree of local (local)",
        "tenants/acme/sync.yaml:32: [tenant-source] HelmRelease acme/upf of tenant acme: chartRef OCIRepository acme-nf/acme-chart is in another namespace, and the lockdown (--no-cross-namespace-refs) refuses references across namespaces: put the source in acme or the reconciler in acme-nf (local)",
      ],
    ],
    [
      "a Kustomization without serviceAccountName",
      (r) =>
        edit(
          r,
          "tenants/acme/sync.yaml",
          "  serviceAccountName: acme\n  targetNamespace: acme-nf\n  sourceRef",
          "  targetNamespace: acme-nf\n  sourceRef",
        ),
      [
        "tenants/acme/sync.yaml:9: [tenant-service-account] Kustomization acme/acme of tenant acme has no serviceAccountName: it would reconcile as the controller's default account; set serviceAccountName: acme (local)",
      ],
    ],
    [
      "a HelmRelease impersonating an account that is not the tenant's",
      (r) =>
        edit(
          r,
          "tenants/acme/sync.yaml",
          "  serviceAccountName: acme\n  targetNamespace: acme-nf\n  chartRef",
          "  serviceAccountName: helm-controller\n  targetNamespace: acme-nf\n  chartRef",
        ),
      [
        "tenants/acme/sync.yaml:27: [tenant-service-account] HelmRelease acme/upf of tenant acme: serviceAccountName helm-controller is not a ServiceAccount of the tenant in namespace acme, so it escapes the tenant; set serviceAccountName: acme (local)",
      ],
    ],
    [
      "a targetNamespace outside the tenant",
      (r) =>
        edit(
          r,
          "tenants/acme/sync.yaml",
          "  targetNamespace: acme-nf\n  sourceRef",
          "  targetNamespace: slices\n  sourceRef",
        ),
      [
        "tenants/acme/sync.yaml:13: [tenant-namespace] Kustomization acme/acme of tenant acme: targetNamespace slices is outside the tenant (tenant acme's namespaces are acme, acme-nf); target one of them (local)",
      ],
    ],
    [
      "a tenant namespace named like Flux's",
      (r) =>
        addToTenant(
          r,
          "acme",
          "system.yaml",
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
        ),
      [
        "tenants/acme/system.yaml:4: [tenant-namespace] Namespace flux-system of tenant acme: flux-system belongs to the cluster or to Flux, never to a tenant; give the tenant a namespace of its own (e.g. acme) (local)",
      ],
    ],
    [
      "a namespace of two tenants",
      (r) => {
        write(r, "tenants/globex/namespaces.yaml", NAMESPACES.replace(/tenant: acme/g, "tenant: globex"));
        write(r, "tenants/globex/kustomization.yaml", "resources:\n  - namespaces.yaml\n");
        edit(
          r,
          "clusters/local/tenants.yaml",
          "",
          `${PLATFORM_KUSTOMIZATION.replace(/acme/g, "globex")}---\n`,
        );
      },
      [
        "tenants/globex/namespaces.yaml:4: [tenant-namespace] Namespace acme of tenant globex is also a namespace of tenant acme: a namespace belongs to one tenant; give tenant globex its own (local)",
        "tenants/globex/namespaces.yaml:11: [tenant-namespace] Namespace acme-nf of tenant globex is also a namespace of tenant acme: a namespace belongs to one tenant; give tenant globex its own (local)",
      ],
    ],
  ];

  it.each(cases)("reports %s", async (_name, breakIt, expected) => {
    expect(
      await lintBrokenCopy((r) => {
        addTenant(r);
        breakIt(r);
      }),
    ).toEqual(expected);
  });
});

/**
 * Install patches cannot widen Flux's privileges or break a controller: judged on the real install
 * when it is transformed, and at config time on upstream-shaped stand-ins (operator mode, or a URL
 * the offline render does not fetch).
 */
import {
  InstallManifestError,
  patchChanges,
  probePatch,
  transformInstallManifests,
} from "../../../../components/flux/manifests";
import type { K8sObject } from "../../../../components/flux/objects";
import { configError, deploy, installFixture, parse, withValues } from "../../../helpers/platform";

const installOf = (install: Record<string, unknown>) => parse(withValues({ flux: { install } })).flux.install;

const HARDENED = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** The install fixture with what upstream also ships: hardened containers, the reconciler binding. */
function upstream(): K8sObject[] {
  const objs = installFixture();
  for (const o of objs.filter((o) => o.kind === "Deployment")) {
    const pod = (o.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    pod.securityContext = { fsGroup: 1337 };
    for (const c of pod.containers as Record<string, unknown>[]) c.securityContext = HARDENED;
  }
  objs.push({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "cluster-reconciler-flux-system", labels: { "app.kubernetes.io/part-of": "flux" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ kind: "ServiceAccount", name: "kustomize-controller", namespace: "flux-system" }],
  } as K8sObject);
  return objs;
}

const problemsOf = (patches: unknown[], extra: Record<string, unknown> = {}) => {
  // The resolved args directly: the config-time check on stand-ins would refuse most of these first.
  const install = { ...installOf({}), ...extra, patches } as ReturnType<typeof installOf>;
  try {
    transformInstallManifests(upstream(), install, { skipAwait: false });
    return [];
  } catch (e) {
    if (!(e instanceof InstallManifestError)) throw e;
    return e.problems.map((p) => `${p.path}: ${p.message}`);
  }
};

const WIDENS = "widens Flux's privileges beyond the upstream install: ";
const HATCH =
  ". Patches may tune the controllers, not give them more rights: drop these changes, or state why they are needed in flux.install.allowPrivilegeChanges (the flux-install-privileges policy refuses that in prod)";
const BREAKS = "breaks a controller: ";
const BREAK_FIX =
  ". A JSON merge patch replaces a list (containers, args) as a whole: change single fields with a JSON 6902 patch, e.g. [{op: add, path: /spec/template/spec/containers/0/args/-, value: --concurrent=10}]";
const deploymentPatch = (name: string, spec: Record<string, unknown>) => ({
  target: { kind: "Deployment", name },
  patch: { spec: { template: { spec } } },
});
const containerPatch = (name: string, securityContext: Record<string, unknown>) => ({
  target: { kind: "Deployment", name },
  patch: [
    {
      op: "add",
      path: "/spec/template/spec/containers/0/securityContext",
      value: { ...HARDENED, ...securityContext },
    },
  ],
});

describe("install patches on the real install", () => {
  it.each([
    [
      "a ClusterRole widened to every verb on everything",
      [
        {
          target: { kind: "ClusterRole", name: "crd-controller-flux-system" },
          patch: { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
        },
      ],
      'ClusterRole/crd-controller-flux-system grants {"apiGroups":["*"],"resources":["*"],"verbs":["*"]}, which the install does not',
    ],
    [
      "a ClusterRole that aggregates other roles",
      [
        {
          target: { kind: "ClusterRole", name: "crd-controller-flux-system" },
          patch: { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] } },
        },
      ],
      "ClusterRole/crd-controller-flux-system aggregates other roles (aggregationRule)",
    ],
    [
      "a binding with one more subject",
      [
        {
          target: { kind: "ClusterRoleBinding" },
          patch: [
            {
              op: "add",
              path: "/subjects/-",
              value: { kind: "ServiceAccount", name: "default", namespace: "default" },
            },
          ],
        },
      ],
      "ClusterRoleBinding/cluster-reconciler-flux-system binds ServiceAccount default/default, which the install does not",
    ],
    [
      "a binding to another role",
      [
        {
          target: { kind: "ClusterRoleBinding" },
          patch: {
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:masters" },
          },
        },
      ],
      "ClusterRoleBinding/cluster-reconciler-flux-system binds ClusterRole/system:masters, not the role the install binds",
    ],
    [
      "host PID and network",
      [deploymentPatch("source-controller", { hostPID: true, hostNetwork: true })],
      "Deployment/source-controller turns on hostPID; Deployment/source-controller turns on hostNetwork",
    ],
    [
      "host IPC",
      [deploymentPatch("kustomize-controller", { hostIPC: true })],
      "Deployment/kustomize-controller turns on hostIPC",
    ],
    [
      "a host path volume",
      [
        {
          target: { kind: "Deployment", name: "source-controller" },
          patch: [
            {
              op: "add",
              path: "/spec/template/spec/volumes",
              value: [{ name: "root", hostPath: { path: "/" } }],
            },
          ],
        },
      ],
      "Deployment/source-controller mounts the host path /",
    ],
    [
      "another service account",
      [deploymentPatch("source-controller", { serviceAccountName: "kustomize-controller" })],
      "Deployment/source-controller runs as service account kustomize-controller, not the install's",
    ],
    [
      "a root pod",
      [deploymentPatch("source-controller", { securityContext: { runAsUser: 0 } })],
      "Deployment/source-controller runs as root (runAsUser 0)",
    ],
    [
      "a privileged container",
      [containerPatch("source-controller", { privileged: true })],
      "Deployment/source-controller container manager is privileged",
    ],
    [
      "privilege escalation",
      [containerPatch("source-controller", { allowPrivilegeEscalation: true })],
      "Deployment/source-controller container manager allows privilege escalation",
    ],
    [
      "an added capability",
      [containerPatch("source-controller", { capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } })],
      "Deployment/source-controller container manager adds the capabilities SYS_ADMIN",
    ],
    [
      "drop ALL removed",
      [containerPatch("source-controller", { capabilities: { drop: ["NET_RAW"] } })],
      "Deployment/source-controller container manager no longer drops ALL capabilities",
    ],
    [
      "a root container",
      [containerPatch("source-controller", { runAsUser: 0, runAsNonRoot: false })],
      "Deployment/source-controller container manager runs as root (runAsUser 0); Deployment/source-controller container manager no longer requires runAsNonRoot",
    ],
  ])("refuses %s", (_t, patches, finding) => {
    expect(problemsOf(patches)).toEqual([`flux.install.patches.0: ${WIDENS}${finding}${HATCH}`]);
  });

  it("refuses a merge patch that replaces the controller container (no image, no args, no hardening)", () => {
    expect(
      problemsOf([
        deploymentPatch("source-controller", {
          containers: [{ name: "manager", resources: { limits: { memory: "1Gi" } } }],
        }),
      ]),
    ).toEqual([
      `flux.install.patches.0: ${BREAKS}Deployment/source-controller: removes the image of container manager; Deployment/source-controller: removes the args of container manager${BREAK_FIX}`,
      `flux.install.patches.0: ${WIDENS}Deployment/source-controller container manager allows privilege escalation; Deployment/source-controller container manager no longer drops ALL capabilities; Deployment/source-controller container manager no longer requires runAsNonRoot${HATCH}`,
    ]);
  });

  it("refuses a patch that removes the container, even with the escape hatch", () => {
    expect(
      problemsOf(
        [
          {
            target: { kind: "Deployment", name: "kustomize-controller" },
            patch: [{ op: "remove", path: "/spec/template/spec/containers/0" }],
          },
        ],
        { allowPrivilegeChanges: "SEC-1" },
      ),
    ).toEqual([
      `flux.install.patches.0: ${BREAKS}Deployment/kustomize-controller: removes the container manager${BREAK_FIX}`,
    ]);
  });

  it("accepts tuning patches, narrowing, and widening with a stated reason (recorded on the namespace)", async () => {
    expect(
      problemsOf([
        {
          target: { kind: "Deployment" },
          patch: [{ op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--concurrent=10" }],
        },
        {
          target: { kind: "ClusterRole" },
          patch: {
            rules: [
              { apiGroups: ["source.toolkit.fluxcd.io"], resources: ["gitrepositories"], verbs: ["get"] },
            ],
          },
        },
        containerPatch("source-controller", { runAsUser: 65534 }),
      ]),
    ).toEqual([]);
    const widen = [deploymentPatch("source-controller", { hostNetwork: true })];
    expect(problemsOf(widen, { allowPrivilegeChanges: "vendor CNI, SEC-7" })).toEqual([]);
    const d = await deploy(
      parse(
        withValues({ flux: { install: { patches: widen, allowPrivilegeChanges: "vendor CNI, SEC-7" } } }),
      ),
    );
    expect((d.inputs("flux-namespace") as K8sObject).metadata.annotations).toEqual({
      "platform/flux-privilege-changes": "vendor CNI, SEC-7",
    });
  });

  it("reports a widening at the patch that makes it, once", () => {
    expect(
      problemsOf([
        deploymentPatch("source-controller", { hostPID: true }),
        deploymentPatch("source-controller", { hostPID: true, hostIPC: true }),
      ]),
    ).toEqual([`flux.install.patches.0: ${WIDENS}Deployment/source-controller turns on hostPID${HATCH}`]);
  });

  it("compares objects pairwise: a renamed role is new, so all its rules are wider", () => {
    const before = upstream().find((o) => o.kind === "ClusterRole")!;
    const after = {
      ...before,
      kind: "ClusterRole",
      metadata: { name: "x" },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }],
    };
    expect(
      patchChanges({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }, after as K8sObject),
    ).toEqual({
      privileges: [
        'ClusterRole/x grants {"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}, which the install does not',
      ],
      breaks: [],
    });
  });
});

describe("install patches at config time (stand-ins of the install)", () => {
  it.each([
    [
      "operator mode: a privileged controller",
      { mode: "operator", patches: [deploymentPatch("helm-controller", { hostNetwork: true })] },
      `flux.install.patches.0: ${WIDENS}Deployment/helm-controller turns on hostNetwork${HATCH}`,
    ],
    [
      "a URL install: a ClusterRole widened",
      {
        patches: [
          {
            target: { kind: "ClusterRole", name: "crd-controller-flux-system" },
            patch: { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] },
          },
        ],
      },
      `flux.install.patches.0: ${WIDENS}ClusterRole/crd-controller-flux-system grants {"apiGroups":["*"],"resources":["*"],"verbs":["*"]}, which the install does not${HATCH}`,
    ],
    [
      "a target without kind: every kind it could hit",
      {
        patches: [
          { target: { name: "x" }, patch: { subjects: [{ kind: "Group", name: "system:authenticated" }] } },
        ],
      },
      `flux.install.patches.0: ${WIDENS}RoleBinding/x binds Group system:authenticated, which the install does not; ClusterRoleBinding/x binds Group system:authenticated, which the install does not${HATCH}`,
    ],
    [
      "a merge patch replacing the containers",
      {
        patches: [
          deploymentPatch("kustomize-controller", {
            containers: [{ name: "manager", image: "ghcr.io/fluxcd/kustomize-controller:v1.9.4" }],
          }),
        ],
      },
      `flux.install.patches.0: ${BREAKS}Deployment/kustomize-controller: removes the args of container manager${BREAK_FIX}`,
    ],
    [
      "an empty reason",
      { allowPrivilegeChanges: " ", patches: [deploymentPatch("kustomize-controller", { hostPID: true })] },
      "flux.install.allowPrivilegeChanges: is empty: state why the install patches need more rights than Flux's upstream install (who decided, and a ticket), or remove it",
    ],
    [
      "a reason with nothing to allow",
      { allowPrivilegeChanges: "SEC-1" },
      "flux.install.allowPrivilegeChanges: is set but there are no install.patches: remove it",
    ],
  ])("refuses %s", (_t, install, problem) => {
    expect(configError(withValues({ flux: { install } }))).toContain(`  - ${problem}`);
  });

  it("judges a kind it has no stand-in for by what the patch turns it into", () => {
    expect(
      probePatch({
        target: { kind: "ServiceAccount", name: "a" },
        patch: { kind: "ClusterRole", rules: [{ verbs: ["*"] }] },
      }).privileges,
    ).toEqual(['ClusterRole/a grants {"verbs":["*"]}, which the install does not']);
  });

  it("passes tuning patches and lets a JSON patch that does not fit a stand-in through to the real check", () => {
    expect(
      configError(
        withValues({
          flux: {
            install: {
              patches: [
                {
                  target: { kind: "Deployment" },
                  patch: [
                    { op: "add", path: "/spec/template/spec/containers/0/args/-", value: "--concurrent=10" },
                  ],
                },
                {
                  target: { kind: "Deployment", name: "source-controller" },
                  patch: [{ op: "replace", path: "/spec/template/spec/containers/3/image", value: "x" }],
                },
              ],
            },
          },
        }),
      ),
    ).toBe("");
  });
});

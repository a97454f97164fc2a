/**
 * Bad-input rows about privilege (issue 24): Flux install patches that widen Flux's rights or break
 * a controller, the escape hatch misused, GitHub App auth that source-controller could not use, and
 * the prod check refusing the escape hatch. Same shape as ./badInputRows.ts; badInput.test.ts runs
 * both tables.
 */
import { check } from "../../../cli/check";
import { render } from "../../../cli/render";
import { editedStack, renderBad, type BadInputRow } from "./badInputRows";

/** The prod stack with these lines added under `platform:flux: install:` (after `lockdown: {}`). */
const prodInstall = (lines: string) =>
  editedStack("prod", (t) =>
    t.replace("      lockdown: {}\n", `      lockdown: {}\n${lines.replace(/^/gm, "      ")}\n`),
  );
/** One patch of the prod install (YAML flow text of target and patch). */
const prodPatch = (target: string, patch: string, more = "") =>
  prodInstall(`${more}patches:\n  - target: ${target}\n    patch: ${patch}`);

const WIDENS = "flux.install.patches.0: widens Flux's privileges beyond the upstream install: ";
const HATCH = "state why they are needed in flux.install.allowPrivilegeChanges";
const BREAKS = "flux.install.patches.0: breaks a controller: ";
const BREAK_FIX = "change single fields with a JSON 6902 patch";
const SOURCE = "{ kind: Deployment, name: source-controller }";
const add = (path: string, value: string) => `[{ op: add, path: "${path}", value: ${value} }]`;
const CONTAINER = "/spec/template/spec/containers/0";
/** The placeholder ciphertext the shipped prod stack uses for secrets only the offline render accepts. */
const SECURE = "{ secure: v1:UkVQTEFDRS1NRQ==:c2V0IHdpdGggcHVsdW1pIGNvbmZpZyBzZXQgLS1zZWNyZXQ= }";

const patchRow = (target: string, patch: string, says: string[]): BadInputRow => ({
  cli: render,
  argv: renderBad,
  files: prodPatch(target, patch),
  code: 1,
  says,
});

export const privilegeRows: BadInputRow[] = [
  // patches that widen Flux's rights, refused with what they widen and the way out
  patchRow(
    "{ kind: ClusterRole, name: crd-controller-flux-system }",
    '{ rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }',
    [
      `${WIDENS}ClusterRole/crd-controller-flux-system grants {"apiGroups":["*"],"resources":["*"],"verbs":["*"]}, which the install does not`,
      HATCH,
    ],
  ),
  patchRow(SOURCE, "{ spec: { template: { spec: { hostPID: true } } } }", [
    `${WIDENS}Deployment/source-controller turns on hostPID`,
    HATCH,
  ]),
  patchRow(
    "{ kind: Deployment, name: kustomize-controller }",
    "{ spec: { template: { spec: { hostNetwork: true } } } }",
    [`${WIDENS}Deployment/kustomize-controller turns on hostNetwork`],
  ),
  patchRow("{ kind: Deployment }", "{ spec: { template: { spec: { hostIPC: true } } } }", [
    `${WIDENS}Deployment/* turns on hostIPC`,
  ]),
  patchRow(SOURCE, add(`${CONTAINER}/securityContext/privileged`, "true"), [
    `${WIDENS}Deployment/source-controller container manager is privileged`,
  ]),
  patchRow(SOURCE, add(`${CONTAINER}/securityContext/allowPrivilegeEscalation`, "true"), [
    `${WIDENS}Deployment/source-controller container manager allows privilege escalation`,
  ]),
  patchRow(SOURCE, add(`${CONTAINER}/securityContext/capabilities/add`, "[SYS_ADMIN, NET_RAW]"), [
    `${WIDENS}Deployment/source-controller container manager adds the capabilities SYS_ADMIN, NET_RAW`,
  ]),
  patchRow(SOURCE, add(`${CONTAINER}/securityContext/capabilities/drop`, "[NET_RAW]"), [
    `${WIDENS}Deployment/source-controller container manager no longer drops ALL capabilities`,
  ]),
  patchRow(SOURCE, add(`${CONTAINER}/securityContext/runAsUser`, "0"), [
    `${WIDENS}Deployment/source-controller container manager runs as root (runAsUser 0)`,
  ]),
  patchRow(SOURCE, "{ spec: { template: { spec: { securityContext: { runAsUser: 0 } } } } }", [
    `${WIDENS}Deployment/source-controller runs as root (runAsUser 0)`,
  ]),
  patchRow(SOURCE, add("/spec/template/spec/volumes/-", "{ name: host, hostPath: { path: /etc } }"), [
    `${WIDENS}Deployment/source-controller mounts the host path /etc`,
  ]),
  patchRow(SOURCE, "{ spec: { template: { spec: { serviceAccountName: kustomize-controller } } } }", [
    `${WIDENS}Deployment/source-controller runs as service account kustomize-controller, not the install's`,
  ]),
  patchRow(
    "{ kind: ClusterRoleBinding, name: cluster-reconciler-flux-system }",
    add("/subjects/-", "{ kind: Group, name: system:authenticated }"),
    [
      `${WIDENS}ClusterRoleBinding/cluster-reconciler-flux-system binds Group system:authenticated, which the install does not`,
    ],
  ),
  patchRow(
    "{ kind: RoleBinding, name: x }",
    "{ roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin } }",
    [`${WIDENS}RoleBinding/x binds ClusterRole/cluster-admin, not the role the install binds`],
  ),
  patchRow(
    "{ kind: ClusterRole, name: flux-view-flux-system }",
    '{ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { rbac.example.com/aggregate: "true" } }] } }',
    [`${WIDENS}ClusterRole/flux-view-flux-system aggregates other roles (aggregationRule)`],
  ),
  patchRow(
    "{ kind: ServiceAccount, name: source-controller }",
    '{ kind: ClusterRole, rules: [{ apiGroups: [""], resources: [secrets], verbs: [get, list] }] }',
    [
      `${WIDENS}ClusterRole/source-controller grants {"apiGroups":[""],"resources":["secrets"],"verbs":["get","list"]}, which the install does not`,
    ],
  ),
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t.replace(
        "      mode: manifests\n",
        "      mode: operator\n      patches:\n        - target: { kind: Deployment, name: helm-controller }\n          patch: { spec: { template: { spec: { hostNetwork: true } } } }\n",
      ),
    ),
    code: 1,
    says: [`${WIDENS}Deployment/helm-controller turns on hostNetwork`],
  },
  // patches that break a controller: refused even with the escape hatch
  patchRow(
    SOURCE,
    "{ spec: { template: { spec: { containers: [{ name: manager, resources: { limits: { memory: 1Gi } } }] } } } }",
    [
      `${BREAKS}Deployment/source-controller: removes the image of container manager; Deployment/source-controller: removes the args of container manager`,
      BREAK_FIX,
    ],
  ),
  patchRow(SOURCE, `[{ op: remove, path: "${CONTAINER}/args" }]`, [
    `${BREAKS}Deployment/source-controller: removes the args of container manager`,
    BREAK_FIX,
  ]),
  patchRow(SOURCE, `[{ op: remove, path: "${CONTAINER}" }]`, [
    `${BREAKS}Deployment/source-controller: removes the container manager`,
  ]),
  {
    cli: render,
    argv: renderBad,
    files: prodPatch(
      SOURCE,
      `[{ op: remove, path: "${CONTAINER}/image" }]`,
      'allowPrivilegeChanges: "SEC-42"\n',
    ),
    code: 1,
    says: [`${BREAKS}Deployment/source-controller: removes the image of container manager`],
  },
  // the escape hatch misused
  {
    cli: render,
    argv: renderBad,
    files: prodPatch(
      SOURCE,
      "{ spec: { template: { spec: { hostPID: true } } } }",
      'allowPrivilegeChanges: "  "\n',
    ),
    code: 1,
    says: [
      "flux.install.allowPrivilegeChanges: is empty: state why the install patches need more rights than Flux's upstream install",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: prodInstall('allowPrivilegeChanges: "SEC-42"'),
    code: 1,
    says: ["flux.install.allowPrivilegeChanges: is set but there are no install.patches: remove it"],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("prod", (t) =>
      t.replace("      mode: manifests\n", '      mode: none\n      allowPrivilegeChanges: "SEC-42"\n'),
    ),
    code: 1,
    says: [
      "flux.install.allowPrivilegeChanges: has nothing to allow with install.mode none (the program patches nothing): remove it",
    ],
  },
  {
    // Allowed by the program with a stated reason, refused by the prod policy.
    cli: check,
    argv: ["bad", "--project", "{tmp}", "--policy-config", "{root}/policy/config/prod.json"],
    files: prodPatch(
      SOURCE,
      "{ spec: { template: { spec: { hostPID: true, hostNetwork: true } } } }",
      'allowPrivilegeChanges: "node debugging, SEC-42"\n',
    ),
    code: 1,
    says: [
      "[flux-install-privileges, critical] flux-namespace (kubernetes:core/v1:Namespace)",
      'Namespace flux-system states flux.install.allowPrivilegeChanges ("node debugging, SEC-42")',
      "FAILED: 1 mandatory violation",
    ],
  },
  // GitHub App auth that source-controller could not use
  {
    cli: render,
    argv: renderBad,
    files: editedStack("dev", (t) =>
      t.replace(
        "    source:\n      kind: oci\n",
        `    auth: { type: githubApp, appId: 42, installationOwner: acme-telco, privateKey: ${SECURE} }\n    source:\n      kind: oci\n`,
      ),
    ),
    code: 1,
    says: [
      "flux.auth.type: githubApp authenticates a Git source on GitHub, but flux.source.kind is oci: use kind git",
    ],
  },
  {
    cli: render,
    argv: renderBad,
    files: editedStack("local", (t) =>
      t
        .replace(
          "      url: https://github.com/acme-telco/platform-fleet.git\n",
          "      url: https://github.com/acme-telco/platform-fleet.git\n      provider: azure\n",
        )
        .replace(
          "      type: none\n",
          `      type: githubApp\n      appId: 42\n      installationOwner: acme-telco\n      privateKey: ${SECURE}\n`,
        ),
    ),
    code: 1,
    says: [
      "flux.source.provider: is azure, but auth.type githubApp needs provider github (source-controller reads the App's Secret only then): remove source.provider",
    ],
  },
];

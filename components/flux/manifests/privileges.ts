/**
 * What an install patch did to Flux's privileges, by comparing an object before and after it: RBAC
 * (rules no wider, bindings to no other role or subject) and the controller pods (no host
 * namespaces, privileged containers, privilege escalation, added capabilities, host paths, root, or
 * another service account). Also what breaks a controller outright (a container, its image or its
 * args removed). Pure: the transform compares the real install; `probePatch` compares a stand-in
 * when the install is not at hand (operator mode, an offline render of a URL).
 */
import * as jsonPatch from "fast-json-patch";
import type { InstallPatch } from "../args";
import type { K8sObject } from "../objects";
import { clone, mergePatch } from "./json";

/** What a patch changed: privileges gained, and ways it broke a controller. */
export interface PatchChanges {
  privileges: string[];
  breaks: string[];
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).map(String);

const ROLE_KINDS = ["Role", "ClusterRole"];
const BINDING_KINDS = ["RoleBinding", "ClusterRoleBinding"];
const describe = (o: K8sObject) => `${o.kind}/${o.metadata?.name === "*" ? "*" : o.metadata?.name}`;

/** True when every value of `wanted` is allowed by `allowed` (`*` allows all). */
const within = (wanted: string[], allowed: string[]) =>
  allowed.includes("*") || wanted.every((w) => allowed.includes(w));

/** True when an RBAC rule grants nothing a baseline rule does not. */
function ruleCovered(rule: Rec, base: Rec): boolean {
  const names = strings(rule.resourceNames);
  const baseNames = strings(base.resourceNames);
  return (
    within(strings(rule.apiGroups), strings(base.apiGroups)) &&
    within(strings(rule.resources), strings(base.resources)) &&
    within(strings(rule.verbs), strings(base.verbs)) &&
    within(strings(rule.nonResourceURLs), strings(base.nonResourceURLs)) &&
    (baseNames.length === 0 || (names.length > 0 && within(names, baseNames)))
  );
}

const isKind = (o: K8sObject, kinds: string[]) => kinds.includes(o.kind);

function rbacChanges(before: K8sObject, after: K8sObject): string[] {
  const out: string[] = [];
  const what = describe(after);
  if (isKind(after, ROLE_KINDS)) {
    const base = isKind(before, ROLE_KINDS) ? list(before.rules).map(rec) : [];
    for (const rule of list(after.rules).map(rec))
      if (!base.some((b) => ruleCovered(rule, b)))
        out.push(`${what} grants ${JSON.stringify(rule)}, which the install does not`);
    if (
      after.aggregationRule !== undefined &&
      JSON.stringify(after.aggregationRule) !== JSON.stringify(before.aggregationRule)
    )
      out.push(`${what} aggregates other roles (aggregationRule)`);
  }
  if (isKind(after, BINDING_KINDS)) {
    const ref = rec(after.roleRef);
    if (!isKind(before, BINDING_KINDS) || JSON.stringify(ref) !== JSON.stringify(before.roleRef))
      out.push(`${what} binds ${String(ref.kind)}/${String(ref.name)}, not the role the install binds`);
    const key = (s: unknown) => {
      const r = rec(s);
      return `${String(r.kind)} ${r.namespace ? `${String(r.namespace)}/` : ""}${String(r.name)}`;
    };
    const base = new Set(isKind(before, BINDING_KINDS) ? list(before.subjects).map(key) : []);
    for (const s of list(after.subjects).map(key))
      if (!base.has(s)) out.push(`${what} binds ${s}, which the install does not`);
  }
  return out;
}

/** The pod spec of a workload (or a Pod), if the object carries one. */
function podSpecOf(o: K8sObject): Rec | undefined {
  const spec = rec(o.spec);
  if (o.kind === "Pod") return o.spec === undefined ? undefined : spec;
  if (o.kind === "CronJob") return rec(rec(rec(rec(spec.jobTemplate).spec).template).spec);
  const template = rec(spec.template);
  return template.spec === undefined ? undefined : rec(template.spec);
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;
const HOST_NAMESPACES = ["hostPID", "hostNetwork", "hostIPC"] as const;

function containerChanges(what: string, c: Rec, base: Rec): string[] {
  const out: string[] = [];
  const name = `${what} container ${String(c.name)}`;
  const sc = rec(c.securityContext);
  const bsc = rec(base.securityContext);
  if (sc.privileged === true && bsc.privileged !== true) out.push(`${name} is privileged`);
  if (sc.allowPrivilegeEscalation !== false && bsc.allowPrivilegeEscalation === false)
    out.push(`${name} allows privilege escalation`);
  else if (sc.allowPrivilegeEscalation === true && bsc.allowPrivilegeEscalation !== true)
    out.push(`${name} allows privilege escalation`);
  const baseAdd = strings(rec(bsc.capabilities).add);
  const added = strings(rec(sc.capabilities).add).filter((a) => !baseAdd.includes(a));
  if (added.length) out.push(`${name} adds the capabilities ${added.join(", ")}`);
  if (
    strings(rec(bsc.capabilities).drop).includes("ALL") &&
    !strings(rec(sc.capabilities).drop).includes("ALL")
  )
    out.push(`${name} no longer drops ALL capabilities`);
  if (sc.runAsUser === 0 && bsc.runAsUser !== 0) out.push(`${name} runs as root (runAsUser 0)`);
  if (bsc.runAsNonRoot === true && sc.runAsNonRoot !== true)
    out.push(`${name} no longer requires runAsNonRoot`);
  return out;
}

function podChanges(before: K8sObject, after: K8sObject): string[] {
  const pod = podSpecOf(after);
  if (!pod) return [];
  const base = podSpecOf(before) ?? {};
  const what = describe(after);
  const out: string[] = [];
  for (const f of HOST_NAMESPACES) if (pod[f] === true && base[f] !== true) out.push(`${what} turns on ${f}`);
  const account = (p: Rec) => p.serviceAccountName ?? p.serviceAccount;
  if (account(pod) !== account(base))
    out.push(`${what} runs as service account ${String(account(pod) ?? "default")}, not the install's`);
  const basePaths = new Set(list(base.volumes).map((v) => rec(rec(v).hostPath).path));
  for (const v of list(pod.volumes).map(rec))
    if (v.hostPath !== undefined && !basePaths.has(rec(v.hostPath).path))
      out.push(`${what} mounts the host path ${String(rec(v.hostPath).path)}`);
  const psc = rec(pod.securityContext);
  const bpsc = rec(base.securityContext);
  if (psc.runAsUser === 0 && bpsc.runAsUser !== 0) out.push(`${what} runs as root (runAsUser 0)`);
  if (bpsc.runAsNonRoot === true && psc.runAsNonRoot !== true)
    out.push(`${what} no longer requires runAsNonRoot`);
  for (const key of CONTAINER_LISTS) {
    const baseContainers = list(base[key]).map(rec);
    // A new container is held to the first one of the install (the controller's own settings).
    const fallback = baseContainers[0] ?? list(base.containers).map(rec)[0] ?? {};
    for (const c of list(pod[key]).map(rec))
      out.push(...containerChanges(what, c, baseContainers.find((b) => b.name === c.name) ?? fallback));
  }
  return out;
}

function breakChanges(before: K8sObject, after: K8sObject): string[] {
  const base = podSpecOf(before);
  if (!base) return [];
  const pod = podSpecOf(after);
  const what = describe(before);
  if (!pod) return [`${what}: removes the pod template`];
  const out: string[] = [];
  for (const b of list(base.containers).map(rec)) {
    const c = list(pod.containers)
      .map(rec)
      .find((x) => x.name === b.name);
    if (!c) out.push(`${what}: removes the container ${String(b.name)}`);
    else {
      if (b.image && !c.image) out.push(`${what}: removes the image of container ${String(b.name)}`);
      if (list(b.args).length && !list(c.args).length)
        out.push(`${what}: removes the args of container ${String(b.name)}`);
    }
  }
  return out;
}

/** What turning `before` into `after` did to privileges, and what it broke. */
export function patchChanges(before: K8sObject, after: K8sObject): PatchChanges {
  return {
    privileges: [...rbacChanges(before, after), ...podChanges(before, after)],
    breaks: breakChanges(before, after),
  };
}

/** Apply one install patch to one object (throws when a JSON patch does not apply). */
export function applyInstallPatch(obj: K8sObject, patch: InstallPatch["patch"]): K8sObject {
  return (
    Array.isArray(patch)
      ? jsonPatch.applyPatch(clone(obj), patch as jsonPatch.Operation[], true, false).newDocument
      : mergePatch(obj, patch)
  ) as K8sObject;
}

/** The hardening every Flux controller container ships with upstream. */
const CONTROLLER_SECURITY = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** Stand-ins of the install's objects, shaped as upstream ships them, for a target. */
function probesFor(target: InstallPatch["target"]): K8sObject[] {
  const metadata = {
    name: target.name ?? "*",
    namespace: target.namespace ?? "flux-system",
    labels: { ...target.labels },
  };
  const name = metadata.name;
  const all: K8sObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata,
      spec: {
        template: {
          spec: {
            serviceAccountName: name,
            securityContext: { fsGroup: 1337 },
            containers: [
              {
                name: "manager",
                image: `ghcr.io/fluxcd/${name}`,
                args: ["--log-level=info"],
                securityContext: CONTROLLER_SECURITY,
                volumeMounts: [{ name: "temp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "temp", emptyDir: {} }],
          },
        },
      },
    },
    // Roles and bindings that grant nothing: a patch that sets any rule or subject is judged wider.
    ...ROLE_KINDS.map((kind) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind,
      metadata,
      rules: [{ apiGroups: [], resources: [], verbs: [] }],
    })),
    ...BINDING_KINDS.map((kind) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind,
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [],
    })),
  ];
  if (target.kind === undefined) return all;
  const known = all.filter((o) => o.kind === target.kind);
  return known.length ? known : [{ apiVersion: "v1", kind: target.kind, metadata }];
}

/**
 * What a patch would do to the install's objects it may target, judged on stand-ins shaped like
 * upstream's (a hardened controller Deployment, roles and bindings that grant nothing). Used where
 * the install itself is not at hand; a JSON patch that does not apply to a stand-in is left to the
 * check on the real install.
 */
export function probePatch(p: InstallPatch): PatchChanges {
  const out: PatchChanges = { privileges: [], breaks: [] };
  for (const probe of probesFor(p.target)) {
    let after: K8sObject;
    try {
      after = applyInstallPatch(probe, p.patch);
    } catch {
      continue;
    }
    const c = patchChanges(probe, after);
    out.privileges.push(...c.privileges);
    out.breaks.push(...c.breaks);
  }
  return out;
}

/** Config path of the escape hatch. */
export const ALLOW_PRIVILEGE_CHANGES = "flux.install.allowPrivilegeChanges";

/** The problem messages of one patch's changes (privileges only when not allowed). */
export function patchChangeMessages(changes: PatchChanges, allowPrivileges: boolean): string[] {
  const out: string[] = [];
  const privileges = [...new Set(changes.privileges)];
  const breaks = [...new Set(changes.breaks)];
  if (breaks.length)
    out.push(
      `breaks a controller: ${breaks.join("; ")}. A JSON merge patch replaces a list (containers, args) as a whole: change single fields with a JSON 6902 patch, e.g. [{op: add, path: /spec/template/spec/containers/0/args/-, value: --concurrent=10}]`,
    );
  if (privileges.length && !allowPrivileges)
    out.push(
      `widens Flux's privileges beyond the upstream install: ${privileges.join("; ")}. Patches may tune the controllers, not give them more rights: drop these changes, or state why they are needed in ${ALLOW_PRIVILEGE_CHANGES} (the flux-install-privileges policy refuses that in prod)`,
    );
  return out;
}

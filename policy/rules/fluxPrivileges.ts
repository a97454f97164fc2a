/**
 * Flux runs with the rights of its upstream install, no more: no stated exception to the program's
 * patch check (`flux.install.allowPrivilegeChanges`), and no controller pod with host namespaces,
 * privileged or root containers, privilege escalation, added capabilities or host paths, and no Flux
 * role granting every verb on every resource.
 */
import type { ReportViolation } from "@pulumi/policy";
import {
  asList,
  asRecord,
  describeObject,
  groupObjects,
  isFluxObject,
  isObjectGroup,
  type PlatformResourcePolicy,
} from "./common";

/** Annotation of the flux-system Namespace that states why install patches may widen Flux's privileges. */
export const PRIVILEGE_CHANGES = "platform/flux-privilege-changes";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const RULE = "Flux must not run with more rights than its upstream install";
const FIX = "remove the patch from flux.install.patches";

/** What makes one Flux controller pod more privileged than upstream ships it. */
function podFindings(obj: Record<string, unknown>): string[] {
  const pod = asRecord(asRecord(asRecord(obj.spec)?.template)?.spec);
  if (!pod) return [];
  const out: string[] = [];
  for (const f of ["hostPID", "hostNetwork", "hostIPC"]) if (pod[f] === true) out.push(`${f} is on`);
  for (const v of asList(pod.volumes).map(asRecord))
    if (v?.hostPath !== undefined) out.push(`it mounts the host path ${String(asRecord(v.hostPath)?.path)}`);
  if (asRecord(pod.securityContext)?.runAsUser === 0) out.push("it runs as root (runAsUser 0)");
  for (const c of [...asList(pod.containers), ...asList(pod.initContainers)].map(asRecord)) {
    const sc = asRecord(c?.securityContext) ?? {};
    const name = `container ${String(c?.name)}`;
    if (sc.privileged === true) out.push(`${name} is privileged`);
    if (sc.allowPrivilegeEscalation === true) out.push(`${name} allows privilege escalation`);
    const added = asList(asRecord(sc.capabilities)?.add).map(String);
    if (added.length) out.push(`${name} adds the capabilities ${added.join(", ")}`);
    if (sc.runAsUser === 0) out.push(`${name} runs as root (runAsUser 0)`);
  }
  return out;
}

function roleFindings(obj: Record<string, unknown>): string[] {
  const all = (v: unknown) => asList(v).map(String).includes("*");
  return asList(obj.rules)
    .map(asRecord)
    .some((r) => all(r?.apiGroups) && all(r?.resources) && all(r?.verbs))
    ? ["it grants every verb on every resource of every API group"]
    : [];
}

function checkObject(obj: Record<string, unknown>, report: ReportViolation): void {
  if (!isFluxObject(obj)) return;
  const kind = String(obj.kind);
  const findings = kind === "Deployment" ? podFindings(obj) : kind.endsWith("Role") ? roleFindings(obj) : [];
  if (findings.length) report(`${RULE}: ${describeObject(kind, obj)}: ${findings.join("; ")}; ${FIX}.`);
}

export const fluxInstallPrivileges: PlatformResourcePolicy = {
  name: "flux-install-privileges",
  description:
    "Flux runs with the rights of its upstream install: no stated exception (flux.install.allowPrivilegeChanges, annotation platform/flux-privilege-changes), no controller with host namespaces, privileged or root containers, privilege escalation, added capabilities or host paths, no Flux role granting everything.",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (args.type === NAMESPACE) {
      const reason = asRecord(asRecord(args.props.metadata)?.annotations)?.[PRIVILEGE_CHANGES];
      if (typeof reason === "string")
        report(
          `${RULE}: ${describeObject("Namespace", args.props)} states flux.install.allowPrivilegeChanges ("${reason}"), so the install patches may give the controllers more rights than upstream; ` +
            `remove the patches that need it and the setting, or keep them out of this environment.`,
        );
      return;
    }
    if (isObjectGroup(args.type)) for (const o of groupObjects(args.props)) checkObject(o, report);
    else if (args.type.startsWith("kubernetes:"))
      checkObject({ ...args.props, kind: args.type.split(":").pop() }, report);
  },
};

export const fluxPrivilegePolicies = [fluxInstallPrivileges];

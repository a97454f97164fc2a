/**
 * Flux without stored credentials: SOPS through KMS (or a stated exemption), no Git auth Secret next
 * to a cloud identity, Flux's IAM roles scoped to one key or one repository, and the multi-tenancy
 * lockdown of the controllers.
 */
import type { ReportViolation } from "@pulumi/policy";
import {
  asList,
  asRecord,
  describeObject,
  groupObjects,
  isFluxObject,
  isObjectGroup,
  k8sMeta,
  TYPES,
  type PlatformResourcePolicy,
} from "./common";
import { POLICY_DOCUMENT_TYPES, statementsOf } from "./iam";
import { urnTypeChain } from "./stack";

/** Annotation on the root Kustomization that states why it decrypts with age rather than KMS. */
export const SOPS_KMS_EXEMPTION = "platform/sops-kms-exemption";
const ROOT = { name: "flux-system", namespace: "flux-system" };

const isRoot = (props: Record<string, unknown>) => {
  const { name, namespace } = k8sMeta(props);
  return name === ROOT.name && namespace === ROOT.namespace;
};

export const fluxSopsKms: PlatformResourcePolicy = {
  name: "flux-sops-kms",
  description:
    "The root Kustomization decrypts SOPS with a cloud KMS key through workload identity, not with an age key stored in the cluster, unless an exemption is stated.",
  severity: "high",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (!TYPES.kustomization.test(args.type) || !isRoot(args.props)) return;
    const decryption = asRecord(asRecord(args.props.spec)?.decryption);
    const secret = asRecord(decryption?.secretRef)?.name;
    if (decryption?.provider !== "sops" || typeof secret !== "string") return;
    const annotations = asRecord(asRecord(args.props.metadata)?.annotations);
    const reason = annotations?.[SOPS_KMS_EXEMPTION];
    if (typeof reason === "string" && reason.trim() !== "") return;
    report(
      `SOPS must decrypt through KMS: ${describeObject("Kustomization", args.props)} decrypts with the key in Secret ${secret}, a long-lived key stored in the cluster; ` +
        `on EKS set flux.sops.provider: awskms, elsewhere state why not in flux.sops.kmsExemption (annotation ${SOPS_KMS_EXEMPTION}).`,
    );
  },
};

/** Providers that authenticate with the controller's cloud identity (github is a GitHub App: its key is a Secret). */
const CLOUD_PROVIDERS = ["aws", "azure", "gcp"];

export const fluxNoSecretWithCloudIdentity: PlatformResourcePolicy = {
  name: "flux-no-secret-with-cloud-identity",
  description:
    "A Flux source that authenticates with a cloud identity (provider aws, azure, gcp) references no credentials Secret.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    let provider: unknown;
    let secret: unknown;
    let what: string;
    const spec = asRecord(args.props.spec);
    if (TYPES.gitRepository.test(args.type) || TYPES.ociRepository.test(args.type)) {
      provider = spec?.provider;
      secret = asRecord(spec?.secretRef)?.name;
      what = describeObject(
        TYPES.gitRepository.test(args.type) ? "GitRepository" : "OCIRepository",
        args.props,
      );
    } else if (TYPES.fluxInstance.test(args.type)) {
      const sync = asRecord(spec?.sync);
      provider = sync?.provider;
      secret = sync?.pullSecret;
      what = `${describeObject("FluxInstance", args.props)} sync`;
    } else return;
    if (typeof provider !== "string" || !CLOUD_PROVIDERS.includes(provider) || typeof secret !== "string")
      return;
    report(
      `A source with a cloud identity needs no stored credentials: ${what} authenticates with provider ${provider} and also references Secret ${secret}; ` +
        `set flux.auth.type: none so no credentials Secret is created.`,
    );
  },
};

/** Actions that accept only `Resource: "*"` and are allowed unscoped. */
const UNSCOPABLE = ["ecr:GetAuthorizationToken"];
const FLUX_ACCESS = "platform:aws:FluxAwsAccess";

export const fluxIamScoped: PlatformResourcePolicy = {
  name: "flux-iam-scoped",
  description:
    "Flux's IAM roles are scoped to one KMS key or one repository (with an OCI root's chart repositories in the same registry): no wildcard action or resource, except ecr:GetAuthorizationToken on *.",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (!POLICY_DOCUMENT_TYPES.includes(args.type) || !urnTypeChain(args.urn).includes(FLUX_ACCESS)) return;
    checkScoped(args.props.policy, `Flux role policy ${String(args.props.name ?? args.name)}`, report);
  },
};

function checkScoped(document: unknown, what: string, report: ReportViolation): void {
  const rule = "Flux's IAM roles must be scoped to one key or one repository";
  const resources = new Set<string>();
  for (const s of statementsOf(document).filter((s) => s.Effect === "Allow")) {
    const actions = asList(s.Action).map(String);
    const res = asList(s.Resource).map(String);
    if (actions.length > 0 && actions.every((a) => UNSCOPABLE.includes(a))) continue;
    for (const a of actions.filter((a) => a.includes("*")))
      report(`${rule}: ${what} allows the action wildcard "${a}"; list the actions the controller needs.`);
    for (const r of res) {
      if (r.includes("*"))
        report(
          `${rule}: ${what} grants ${actions.join(", ")} on "${r}"; name the one key or repository (only ecr:GetAuthorizationToken may use "*").`,
        );
      else resources.add(r);
    }
  }
  // One key, or one repository; source-controller of an OCI root may also pull its charts, which
  // are repositories of the same registry (same service, account and region).
  const registries = new Set(
    [...resources].map((r) => /^arn:[^:]+:ecr:[^:]*:\d*:repository\//.exec(r)?.[0] ?? r),
  );
  if (resources.size > 1 && registries.size > 1)
    report(
      `${rule}: ${what} grants access to ${resources.size} resources (${[...resources].join(", ")}); give each controller one key or one repository (an OCI root's chart repositories in the same registry excepted).`,
    );
}

/** The lockdown flags each controller must carry. */
export const LOCKDOWN_FLAGS: Record<string, string[]> = {
  "kustomize-controller": ["--no-cross-namespace-refs", "--default-service-account", "--no-remote-bases"],
  "helm-controller": ["--no-cross-namespace-refs", "--default-service-account"],
};

const argsOf = (deployment: Record<string, unknown>): string[] =>
  asList(asRecord(asRecord(asRecord(deployment.spec)?.template)?.spec)?.containers).flatMap((c) =>
    asList(asRecord(c)?.args).map(String),
  );

const missingFlags = (controller: string, args: string[]) =>
  LOCKDOWN_FLAGS[controller].filter(
    (flag) => !args.some((a) => a === `${flag}=true` || (a.startsWith(`${flag}=`) && !a.endsWith("=false"))),
  );

export const LOCKDOWN_FIX = "set flux.install.lockdown: {} (or operator.multitenant: true in operator mode)";

/**
 * What one resource leaves out of the lockdown, e.g. `Deployment flux-system/kustomize-controller
 * runs without --no-remote-bases`: a FluxInstance, a controller Deployment, or a group's Deployments.
 */
export function lockdownGaps(type: string, props: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (TYPES.fluxInstance.test(type)) {
    const spec = asRecord(props.spec);
    if (asRecord(spec?.cluster)?.multitenant === true) return out;
    const patched: Record<string, string[]> = {};
    for (const p of asList(asRecord(spec?.kustomize)?.patches).map((p) => asRecord(p) ?? {})) {
      const name = asRecord(p.target)?.name;
      const ops = typeof p.patch === "string" ? safeJson(p.patch) : p.patch;
      if (typeof name === "string")
        (patched[name] ??= []).push(...asList(ops).map((o) => String(asRecord(o)?.value ?? "")));
    }
    for (const controller of Object.keys(LOCKDOWN_FLAGS)) {
      const missing = missingFlags(controller, patched[controller] ?? []);
      if (missing.length)
        out.push(
          `${describeObject("FluxInstance", props)} leaves ${controller} without ${missing.join(", ")}`,
        );
    }
    return out;
  }
  const deployments =
    type === "kubernetes:apps/v1:Deployment"
      ? [props]
      : isObjectGroup(type)
        ? groupObjects(props).filter((o) => o.kind === "Deployment")
        : [];
  for (const d of deployments.filter(isFluxObject)) {
    const name = k8sMeta(d).name ?? "";
    if (!(name in LOCKDOWN_FLAGS)) continue;
    const missing = missingFlags(name, argsOf(d));
    if (missing.length) out.push(`${describeObject("Deployment", d)} runs without ${missing.join(", ")}`);
  }
  return out;
}

export const fluxTenantLockdown: PlatformResourcePolicy = {
  name: "flux-tenant-lockdown",
  description:
    "Flux's controllers run locked down for tenants: no cross-namespace references, a default service account to impersonate, no remote kustomize bases.",
  severity: "high",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    for (const gap of lockdownGaps(args.type, args.props))
      report(`Flux must run with the multi-tenancy lockdown: ${gap}; ${LOCKDOWN_FIX}.`);
  },
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export const fluxSecurityPolicies = [
  fluxSopsKms,
  fluxNoSecretWithCloudIdentity,
  fluxIamScoped,
  fluxTenantLockdown,
];

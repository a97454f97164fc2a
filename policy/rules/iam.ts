/** IAM guardrails: no `*` actions on `*` resources, IRSA trust bound to one service account. */
import type { ReportViolation } from "@pulumi/policy";
import { asList, asRecord, parseMaybeJson, type PlatformResourcePolicy } from "./common";

export const IAM_ROLE = "aws:iam/role:Role";
/** Types whose `policy` input is a policy document. */
export const POLICY_DOCUMENT_TYPES = [
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];
/** Types that attach a managed policy by `policyArn`. */
export const POLICY_ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
export const ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess";

/** Statements of a policy document (object or JSON text); empty when it cannot be read. */
export function statementsOf(document: unknown): Record<string, unknown>[] {
  const doc = parseMaybeJson(document);
  return asList(doc?.Statement).flatMap((s) => (asRecord(s) ? [s as Record<string, unknown>] : []));
}

/** True for an Allow statement granting every action on every resource. */
export function grantsEverything(statement: Record<string, unknown>): boolean {
  if (statement.Effect !== "Allow") return false;
  const actions = asList(statement.Action).map(String);
  const resources = asList(statement.Resource).map(String);
  return actions.some((a) => a === "*" || a === "*:*") && resources.includes("*");
}

const ADMIN_RULE = "IAM policies must not grant every action (*) on every resource (*)";

function checkDocument(document: unknown, where: string, report: ReportViolation): void {
  statementsOf(document).forEach((s, i) => {
    if (grantsEverything(s))
      report(
        `${ADMIN_RULE}: ${where} statement ${typeof s.Sid === "string" ? `"${s.Sid}"` : i} allows Action "*" on Resource "*"; ` +
          `list the actions and resources the workload needs.`,
      );
  });
}

export const iamNoAdminWildcard: PlatformResourcePolicy = {
  name: "iam-no-admin-wildcard",
  description:
    "No IAM policy grants all actions on all resources, inline, managed or by attaching AdministratorAccess.",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (POLICY_DOCUMENT_TYPES.includes(args.type)) checkDocument(args.props.policy, "policy", report);
    if (args.type === IAM_ROLE)
      asList(args.props.inlinePolicies).forEach((p, i) =>
        checkDocument(asRecord(p)?.policy, `inlinePolicies[${i}]`, report),
      );
    const arns = POLICY_ATTACHMENT_TYPES.includes(args.type)
      ? [args.props.policyArn]
      : args.type === IAM_ROLE
        ? asList(args.props.managedPolicyArns)
        : [];
    if (arns.includes(ADMINISTRATOR_ACCESS))
      report(
        `${ADMIN_RULE}: AdministratorAccess is attached; attach a policy that lists the actions and resources the workload needs.`,
      );
  },
};

const SERVICE_ACCOUNT = /^system:serviceaccount:[^:*?]+:[^:*?]+$/;

/** True for a trust statement of IRSA: web identity from an EKS OIDC provider. */
export function isIrsaStatement(s: Record<string, unknown>): boolean {
  const actions = asList(s.Action).map(String);
  const federated = asList(asRecord(s.Principal)?.Federated).map(String);
  return (
    actions.includes("sts:AssumeRoleWithWebIdentity") && federated.some((f) => f.includes("oidc-provider/"))
  );
}

/** The `…:sub` values a trust statement's condition allows, with the operator they appear under. */
export function subjectConditions(s: Record<string, unknown>): { operator: string; values: string[] }[] {
  const out: { operator: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(asRecord(s.Condition) ?? {}))
    for (const [key, values] of Object.entries(asRecord(block) ?? {}))
      if (key.endsWith(":sub")) out.push({ operator, values: asList(values).map(String) });
  return out;
}

export const iamIrsaSingleServiceAccount: PlatformResourcePolicy = {
  name: "iam-irsa-single-service-account",
  description:
    "IRSA roles trust exactly one Kubernetes service account (a StringEquals condition on the OIDC sub).",
  severity: "high",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (args.type !== IAM_ROLE) return;
    const rule = "IRSA trust policies must be bound to exactly one service account";
    for (const s of statementsOf(args.props.assumeRolePolicy).filter(isIrsaStatement)) {
      const subs = subjectConditions(s);
      if (subs.length === 0) {
        report(
          `${rule}: the web-identity statement has no condition on <issuer>:sub, so every service account of the cluster ` +
            `can assume the role; add StringEquals { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>" }.`,
        );
        continue;
      }
      const values = subs.flatMap((c) => c.values);
      const exact = subs.every((c) => c.operator === "StringEquals");
      if (!exact || values.length !== 1 || !SERVICE_ACCOUNT.test(values[0]))
        report(
          `${rule}: the <issuer>:sub condition allows ${values.map((v) => `"${v}"`).join(", ")} ` +
            `(${subs.map((c) => c.operator).join(", ")}); use StringEquals with one value ` +
            `"system:serviceaccount:<namespace>:<name>", and one role per service account.`,
        );
    }
  },
};

/** Condition keys of a statement, whatever the operator. */
function conditionKeys(s: Record<string, unknown>): string[] {
  return Object.values(asRecord(s.Condition) ?? {}).flatMap((block) => Object.keys(asRecord(block) ?? {}));
}

/** The session tags and source account a Pod Identity trust must be conditioned on. */
export const POD_IDENTITY_KEYS = [
  "aws:SourceAccount",
  "aws:RequestTag/eks-cluster-arn",
  "aws:RequestTag/kubernetes-namespace",
  "aws:RequestTag/kubernetes-service-account",
];

const TRUST_RULE = "IAM role trust must name exactly the principal that needs the role";

/** What a trust statement leaves open, as messages. */
function trustFindings(s: Record<string, unknown>, i: number): string[] {
  if (s.Effect !== "Allow") return [];
  const principal = s.Principal === "*" ? { AWS: "*" } : (asRecord(s.Principal) ?? {});
  const keys = conditionKeys(s);
  const at = `statement ${typeof s.Sid === "string" ? `"${s.Sid}"` : i}`;
  const out: string[] = [];
  if (asList(principal.Service).map(String).includes("pods.eks.amazonaws.com")) {
    const missing = POD_IDENTITY_KEYS.filter(
      (k) =>
        !keys.includes(k) &&
        !(k.endsWith("eks-cluster-arn") && keys.includes("aws:RequestTag/eks-cluster-name")),
    );
    if (missing.length)
      out.push(
        `${at} trusts pods.eks.amazonaws.com without a condition on ${missing.join(", ")}, so any Pod Identity association ` +
          `${missing.includes("aws:SourceAccount") ? "(of any account) " : "in the account "}can be given the role; ` +
          `add StringEquals on aws:SourceAccount and the session tags aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account of the one service account.`,
      );
  }
  if (isIrsaStatement(s)) {
    const missing = [":sub", ":aud"].filter((k) => !keys.some((key) => key.endsWith(k)));
    if (missing.length)
      out.push(
        `${at} trusts the cluster's OIDC provider without a condition on <issuer>${missing.join(" and <issuer>")}, so ` +
          `${missing.includes(":sub") ? "every service account of the cluster" : "a token issued for another audience"} can assume the role; ` +
          `add StringEquals { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>", "<issuer>:aud": "sts.amazonaws.com" }.`,
      );
  }
  if (asList(principal.AWS).map(String).includes("*") && keys.length === 0)
    out.push(`${at} trusts every AWS principal (*) without a condition; name the one role, user or account.`);
  return out;
}

export const iamTrustScoped: PlatformResourcePolicy = {
  name: "iam-trust-scoped",
  description:
    "IAM role trust names exactly the principal that needs the role: Pod Identity trust conditioned on aws:SourceAccount and the cluster, namespace and service account session tags; IRSA trust on the OIDC sub and aud; no unconditioned * principal.",
  severity: "critical",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: (args, report) => {
    if (args.type !== IAM_ROLE) return;
    statementsOf(args.props.assumeRolePolicy).forEach((s, i) => {
      for (const finding of trustFindings(s, i))
        report(`${TRUST_RULE}: role ${String(args.props.name ?? args.name)} ${finding}`);
    });
  },
};

export const iamPolicies = [iamNoAdminWildcard, iamIrsaSingleServiceAccount, iamTrustScoped];

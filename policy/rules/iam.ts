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

export const iamPolicies = [iamNoAdminWildcard, iamIrsaSingleServiceAccount];

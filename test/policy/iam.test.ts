import { iamIrsaSingleServiceAccount, iamNoAdminWildcard } from "../../policy/rules/iam";
import { violations } from "./helpers";

const ROLE = "aws:iam/role:Role";
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

describe("iam-no-admin-wildcard", () => {
  const scoped = doc({
    Effect: "Allow",
    Action: ["route53:ChangeResourceRecordSets"],
    Resource: "arn:aws:route53:::hostedzone/Z1",
  });
  it("passes scoped policies, wildcards that are not both *, and denies", async () => {
    expect(await violations(iamNoAdminWildcard, "aws:iam/rolePolicy:RolePolicy", { policy: scoped })).toEqual(
      [],
    );
    expect(
      await violations(iamNoAdminWildcard, "aws:iam/policy:Policy", {
        policy: {
          Statement: [
            { Effect: "Allow", Action: "route53:ListHostedZones", Resource: "*" },
            { Effect: "Deny", Action: "*", Resource: "*" },
          ],
        },
      }),
    ).toEqual([]);
    expect(
      await violations(iamNoAdminWildcard, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
        policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      }),
    ).toEqual([]);
  });
  it("fails a policy document allowing * on *", async () => {
    expect(
      await violations(iamNoAdminWildcard, "aws:iam/userPolicy:UserPolicy", {
        policy: doc({ Sid: "All", Effect: "Allow", Action: "*", Resource: ["*"] }),
      }),
    ).toEqual([
      'IAM policies must not grant every action (*) on every resource (*): policy statement "All" allows Action "*" on Resource "*"; list the actions and resources the workload needs.',
    ]);
  });
  it("fails a role's inline policy allowing * on *", async () => {
    expect(
      await violations(iamNoAdminWildcard, ROLE, {
        inlinePolicies: [{ name: "ok", policy: doc({ Effect: "Allow", Action: "*:*", Resource: "*" }) }],
      }),
    ).toEqual([
      'IAM policies must not grant every action (*) on every resource (*): inlinePolicies[0] statement 0 allows Action "*" on Resource "*"; list the actions and resources the workload needs.',
    ]);
  });
  it("fails attaching AdministratorAccess", async () => {
    const message =
      "IAM policies must not grant every action (*) on every resource (*): AdministratorAccess is attached; attach a policy that lists the actions and resources the workload needs.";
    expect(
      await violations(iamNoAdminWildcard, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
        policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
      }),
    ).toEqual([message]);
    expect(
      await violations(iamNoAdminWildcard, ROLE, {
        managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
      }),
    ).toEqual([message]);
  });
});

describe("iam-irsa-single-service-account", () => {
  const ISSUER = "oidc.eks.eu-central-1.amazonaws.com/id/ABC";
  const trust = (Condition?: object) =>
    doc({
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${ISSUER}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      ...(Condition ? { Condition } : {}),
    });
  const check = (assumeRolePolicy: string) =>
    violations(iamIrsaSingleServiceAccount, ROLE, { assumeRolePolicy });
  it("passes a role bound to one service account, and roles that are not IRSA", async () => {
    expect(
      await check(
        trust({
          StringEquals: {
            [`${ISSUER}:sub`]: "system:serviceaccount:external-dns:external-dns",
            [`${ISSUER}:aud`]: "sts.amazonaws.com",
          },
        }),
      ),
    ).toEqual([]);
    expect(
      await check(
        doc({ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }),
      ),
    ).toEqual([]);
  });
  it("fails a trust without a sub condition", async () => {
    expect(await check(trust({ StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } }))).toEqual([
      'IRSA trust policies must be bound to exactly one service account: the web-identity statement has no condition on <issuer>:sub, so every service account of the cluster can assume the role; add StringEquals { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>" }.',
    ]);
  });
  it("fails a wildcard subject", async () => {
    expect(await check(trust({ StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:apps:*" } }))).toEqual(
      [
        'IRSA trust policies must be bound to exactly one service account: the <issuer>:sub condition allows "system:serviceaccount:apps:*" (StringLike); use StringEquals with one value "system:serviceaccount:<namespace>:<name>", and one role per service account.',
      ],
    );
  });
  it("fails several subjects", async () => {
    expect(
      await check(
        trust({
          StringEquals: { [`${ISSUER}:sub`]: ["system:serviceaccount:a:one", "system:serviceaccount:b:two"] },
        }),
      ),
    ).toEqual([
      'IRSA trust policies must be bound to exactly one service account: the <issuer>:sub condition allows "system:serviceaccount:a:one", "system:serviceaccount:b:two" (StringEquals); use StringEquals with one value "system:serviceaccount:<namespace>:<name>", and one role per service account.',
    ]);
  });
});

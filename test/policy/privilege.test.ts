/** flux-install-privileges and iam-trust-scoped, with exact violations. */
import { fluxInstallPrivileges } from "../../policy/rules/fluxPrivileges";
import { iamTrustScoped } from "../../policy/rules/iam";
import { violations } from "./helpers";

const ROLE = "aws:iam/role:Role";
const trust = (...Statement: object[]) => ({
  name: "r",
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement }),
});
const RULE = "IAM role trust must name exactly the principal that needs the role: role r ";
const POD = { Service: "pods.eks.amazonaws.com" };
const POD_ACTIONS = ["sts:AssumeRole", "sts:TagSession"];
const CLUSTER = "arn:aws:eks:eu-central-1:123456789012:cluster/de-dev";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/ABC";
const ISSUER = "oidc.eks.eu-central-1.amazonaws.com/id/ABC";

describe("iam-trust-scoped", () => {
  it("passes the program's trusts: Pod Identity, IRSA, the cluster role, an IAM user, EC2", async () => {
    for (const s of [
      {
        Effect: "Allow",
        Principal: POD,
        Action: POD_ACTIONS,
        Condition: {
          StringEquals: {
            "aws:SourceAccount": "123456789012",
            "aws:RequestTag/eks-cluster-arn": CLUSTER,
            "aws:RequestTag/kubernetes-namespace": "flux-system",
            "aws:RequestTag/kubernetes-service-account": "source-controller",
          },
        },
      },
      {
        Effect: "Allow",
        Principal: { Federated: OIDC },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${ISSUER}:sub`]: "system:serviceaccount:external-dns:external-dns",
            [`${ISSUER}:aud`]: "sts.amazonaws.com",
          },
        },
      },
      {
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::123456789012:user/platform/x" },
        Action: "sts:AssumeRole",
      },
      {
        Effect: "Allow",
        Principal: { Service: "eks.amazonaws.com" },
        Action: POD_ACTIONS,
        Condition: {
          StringEquals: { "aws:SourceAccount": "123456789012" },
          ArnLike: { "aws:SourceArn": CLUSTER },
        },
      },
      { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
    ])
      expect(await violations(iamTrustScoped, ROLE, trust(s))).toEqual([]);
  });

  it.each([
    [
      "Pod Identity with no condition",
      { Effect: "Allow", Principal: POD, Action: POD_ACTIONS },
      "statement 0 trusts pods.eks.amazonaws.com without a condition on aws:SourceAccount, aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account, so any Pod Identity association (of any account) can be given the role; add StringEquals on aws:SourceAccount and the session tags aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account of the one service account.",
    ],
    [
      "Pod Identity scoped to the account only",
      {
        Sid: "Pods",
        Effect: "Allow",
        Principal: POD,
        Action: POD_ACTIONS,
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
      'statement "Pods" trusts pods.eks.amazonaws.com without a condition on aws:RequestTag/eks-cluster-arn, aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account, so any Pod Identity association in the account can be given the role; add StringEquals on aws:SourceAccount and the session tags aws:RequestTag/eks-cluster-arn, kubernetes-namespace and kubernetes-service-account of the one service account.',
    ],
    [
      "IRSA without sub",
      {
        Effect: "Allow",
        Principal: { Federated: OIDC },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
      },
      'statement 0 trusts the cluster\'s OIDC provider without a condition on <issuer>:sub, so every service account of the cluster can assume the role; add StringEquals { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>", "<issuer>:aud": "sts.amazonaws.com" }.',
    ],
    [
      "IRSA without aud",
      {
        Effect: "Allow",
        Principal: { Federated: OIDC },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:a:b" } },
      },
      'statement 0 trusts the cluster\'s OIDC provider without a condition on <issuer>:aud, so a token issued for another audience can assume the role; add StringEquals { "<issuer>:sub": "system:serviceaccount:<namespace>:<name>", "<issuer>:aud": "sts.amazonaws.com" }.',
    ],
    [
      "every AWS principal",
      { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" },
      "statement 0 trusts every AWS principal (*) without a condition; name the one role, user or account.",
    ],
  ])("fails %s", async (_t, statement, message) => {
    expect(await violations(iamTrustScoped, ROLE, trust(statement))).toEqual([`${RULE}${message}`]);
  });
});

const FLUX = { "app.kubernetes.io/part-of": "flux" };
const controller = (pod: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "source-controller", namespace: "flux-system", labels: FLUX },
  spec: {
    template: {
      spec: {
        containers: [{ name: "manager", securityContext: { allowPrivilegeEscalation: false } }],
        ...pod,
      },
    },
  },
});
const PRIV = "Flux must not run with more rights than its upstream install: ";

describe("flux-install-privileges", () => {
  it("passes the namespace without the annotation and an upstream-shaped install", async () => {
    expect(
      await violations(fluxInstallPrivileges, "kubernetes:core/v1:Namespace", {
        metadata: { name: "flux-system" },
      }),
    ).toEqual([]);
    expect(
      await violations(fluxInstallPrivileges, "kubernetes:yaml/v2:ConfigGroup", {
        objs: [
          controller({}),
          {
            kind: "ClusterRole",
            metadata: { name: "crd-controller-flux-system", labels: FLUX },
            rules: [{ apiGroups: ["source.toolkit.fluxcd.io"], resources: ["*"], verbs: ["*"] }],
          },
        ],
      }),
    ).toEqual([]);
  });

  it("fails the stated escape hatch", async () => {
    expect(
      await violations(fluxInstallPrivileges, "kubernetes:core/v1:Namespace", {
        metadata: { name: "flux-system", annotations: { "platform/flux-privilege-changes": "SEC-1" } },
      }),
    ).toEqual([
      `${PRIV}Namespace flux-system states flux.install.allowPrivilegeChanges ("SEC-1"), so the install patches may give the controllers more rights than upstream; remove the patches that need it and the setting, or keep them out of this environment.`,
    ]);
  });

  it("fails a privileged controller and a Flux role granting everything, in a group or as resources", async () => {
    const pod = controller({
      hostPID: true,
      volumes: [{ name: "h", hostPath: { path: "/var/run" } }],
      containers: [
        {
          name: "manager",
          securityContext: {
            privileged: true,
            allowPrivilegeEscalation: true,
            capabilities: { add: ["SYS_ADMIN"] },
            runAsUser: 0,
          },
        },
      ],
    });
    const role = {
      kind: "ClusterRole",
      metadata: { name: "crd-controller-flux-system", labels: FLUX },
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    };
    const expected = [
      `${PRIV}Deployment flux-system/source-controller: hostPID is on; it mounts the host path /var/run; container manager is privileged; container manager allows privilege escalation; container manager adds the capabilities SYS_ADMIN; container manager runs as root (runAsUser 0); remove the patch from flux.install.patches.`,
      `${PRIV}ClusterRole crd-controller-flux-system: it grants every verb on every resource of every API group; remove the patch from flux.install.patches.`,
    ];
    expect(
      await violations(fluxInstallPrivileges, "kubernetes:yaml/v2:ConfigGroup", { objs: [pod, role] }),
    ).toEqual(expected);
    expect([
      ...(await violations(fluxInstallPrivileges, "kubernetes:apps/v1:Deployment", pod)),
      ...(await violations(
        fluxInstallPrivileges,
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        role,
      )),
    ]).toEqual(expected);
  });

  it("leaves objects that are not Flux's alone", async () => {
    const other = {
      ...controller({ hostNetwork: true }),
      metadata: { name: "upf", namespace: "network-functions" },
    };
    expect(await violations(fluxInstallPrivileges, "kubernetes:apps/v1:Deployment", other)).toEqual([]);
  });
});

import * as path from "node:path";
import { renderStack } from "../../../automation/render";
import { ecrPullPolicy } from "../../../components/aws";

const PROJECT = path.join(__dirname, "..", "..", "fixtures", "project");
const ACCOUNT = "123456789012";

/** The recommended EKS setup (test/fixtures/project/Pulumi.eks-secure.yaml), rendered offline. */
describe("offline render of the secure EKS setup (KMS SOPS, ECR root, IRSA, lockdown)", () => {
  it("creates no credentials Secret, wires the service accounts, and scopes each role to one key or repository", async () => {
    const r = await renderStack(PROJECT, "eks-secure");
    const byName = (name: string) => {
      const x = r.resources.find((res) => res.name === name);
      if (!x) throw new Error(`no ${name}`);
      return x;
    };
    // No Git auth Secret, no sops-age Secret: no Secret at all.
    expect(r.resources.filter((x) => x.type === "kubernetes:core/v1:Secret")).toEqual([]);

    const objs = byName("flux-install").inputs.objs as {
      kind: string;
      metadata: { name: string; annotations?: Record<string, string> };
      spec?: { template: { spec: { containers: { args: string[] }[] } } };
    }[];
    const sa = (n: string) => objs.find((o) => o.kind === "ServiceAccount" && o.metadata.name === n);
    expect(sa("kustomize-controller")?.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/acme-de-prod-flux-kustomize-controller`,
    });
    expect(sa("source-controller")?.metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/acme-de-prod-flux-source-controller`,
    });
    const kc = objs.find((o) => o.kind === "Deployment" && o.metadata.name === "kustomize-controller");
    expect(kc?.spec?.template.spec.containers[0].args).toEqual([
      "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
      "--no-remote-bases=true",
    ]);

    const spec = byName("flux-sync").inputs.spec as Record<string, unknown>;
    expect(spec.decryption).toEqual({ provider: "sops" });
    expect(spec.serviceAccountName).toBe("kustomize-controller");
    const source = byName("flux-source").inputs.spec as Record<string, unknown>;
    expect(source).toEqual({
      url: `oci://${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/acme/fleet`,
      ref: { semver: ">=1.0.0 <2.0.0" },
      interval: "1m",
      timeout: "60s",
      provider: "aws",
    });

    const keyArn = r.outputs.sopsKmsKeyArn as string;
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:eu-central-1:${ACCOUNT}:key/[0-9a-f-]{36}$`));
    expect(JSON.parse(String(byName("flux-aws-kustomize-controller-policy").inputs.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "DecryptSopsWithPlatformKey", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
      ],
    });
    const repo = `arn:aws:ecr:eu-central-1:${ACCOUNT}:repository/acme/fleet`;
    expect(r.outputs.fleetRepositoryArn).toBe(repo);
    // The documents themselves are asserted field by field in test/unit/components/aws/fluxAccess.test.ts.
    expect(JSON.parse(String(byName("flux-aws-source-controller-policy").inputs.policy))).toEqual(
      ecrPullPolicy([repo]),
    );
    const oidc = String(
      r.outputs.clusterVars && (r.outputs.clusterVars as Record<string, string>).OIDC_PROVIDER_ARN,
    );
    const issuer = oidc.split(":oidc-provider/")[1];
    expect(JSON.parse(String(byName("flux-aws-source-controller-role").inputs.assumeRolePolicy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: oidc },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: "system:serviceaccount:flux-system:source-controller",
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    expect(byName("flux-aws-repository").inputs).toEqual({
      name: "acme/fleet",
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      tags: {
        Name: "acme/fleet",
        "cost-center": "4711",
        environment: "prod",
        "managed-by": "pulumi",
        owner: "network-integration",
        platform: "de-prod",
      },
    });
    expect(JSON.parse(String(byName("flux-aws-repository-lifecycle").inputs.policy))).toEqual({
      rules: [
        {
          rulePriority: 1,
          description: "Expire untagged images after 7 days",
          selection: {
            tagStatus: "untagged",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 7,
          },
          action: { type: "expire" },
        },
        {
          rulePriority: 2,
          description: "Keep the newest 100 releases",
          selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 100 },
          action: { type: "expire" },
        },
      ],
    });
    expect(r.outputs.sopsConfig).toBe(
      `creation_rules:\n  - path_regex: ^clusters/de-prod/.*\\.ya?ml$\n    encrypted_regex: ^(data|stringData)$\n    kms: ${keyArn}\n`,
    );
  });
});

/** The shipped dev stack (Pulumi.dev.yaml) is the recommended setup, with Pod Identity and OCI charts. */
describe("offline render of the dev stack: no stored credential for Flux", () => {
  it("has no Secret, binds both roles by Pod Identity, and lets source-controller pull the fleet and its charts only", async () => {
    const r = await renderStack(path.join(__dirname, "..", "..", ".."), "dev");
    const byName = (name: string) => {
      const x = r.resources.find((res) => res.name === name);
      if (!x) throw new Error(`no ${name}`);
      return x;
    };
    // No Git auth Secret, no sops-age Secret, no Secret at all; no deploy key output.
    expect(r.resources.filter((x) => x.type === "kubernetes:core/v1:Secret")).toEqual([]);
    expect(r.outputs.deployPublicKey).toBeUndefined();

    const tags = (name: string) => ({
      Name: name,
      "cost-center": "4711",
      environment: "dev",
      "managed-by": "pulumi",
      owner: "network-integration",
      platform: "de-dev",
    });
    for (const sa of ["kustomize-controller", "source-controller"]) {
      expect(byName(`flux-aws-${sa}-association`).inputs).toEqual({
        clusterName: "de-dev",
        namespace: "flux-system",
        serviceAccount: sa,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-${sa}`,
        tags: tags(`acme-de-dev-flux-${sa}`),
      });
      expect(JSON.parse(String(byName(`flux-aws-${sa}-role`).inputs.assumeRolePolicy))).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "pods.eks.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession"],
            Condition: {
              StringEquals: {
                "aws:SourceAccount": ACCOUNT,
                "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:eu-central-1:${ACCOUNT}:cluster/de-dev`,
                "aws:RequestTag/kubernetes-namespace": "flux-system",
                "aws:RequestTag/kubernetes-service-account": sa,
              },
            },
          },
        ],
      });
    }
    // With Pod Identity the associations above are the whole wiring: the install's service accounts
    // stay as Flux ships them (dev's install.yaml is fetched at deploy time; the IRSA annotations are
    // asserted on the eks-secure fixture above).
    const keyArn = r.outputs.sopsKmsKeyArn as string;
    expect(JSON.parse(String(byName("flux-aws-kustomize-controller-policy").inputs.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "DecryptSopsWithPlatformKey", Effect: "Allow", Action: "kms:Decrypt", Resource: keyArn },
      ],
    });
    const repo = (name: string) => `arn:aws:ecr:eu-central-1:${ACCOUNT}:repository/${name}`;
    expect(JSON.parse(String(byName("flux-aws-source-controller-policy").inputs.policy))).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PullFleetArtifact",
          Effect: "Allow",
          Action: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:ListImages",
          ],
          Resource: [repo("acme/de-dev/fleet"), repo("acme/de-dev/charts/network-function")],
        },
      ],
    });
    for (const [res, name] of [
      ["flux-aws-repository", "acme/de-dev/fleet"],
      ["flux-aws-chart-network-function-repository", "acme/de-dev/charts/network-function"],
    ])
      expect(byName(res).inputs).toEqual({
        name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        tags: tags(name),
      });

    expect(byName("flux-source").inputs.spec).toEqual({
      url: `oci://${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/fleet`,
      ref: { semver: ">=1.0.0-0" },
      interval: "1m",
      timeout: "60s",
      provider: "aws",
    });
    const sync = byName("flux-sync").inputs.spec as Record<string, unknown>;
    expect(sync.decryption).toEqual({ provider: "sops" });
    const vars = r.outputs.clusterVars as Record<string, string>;
    expect([vars.FLUX_CHARTS_URL, vars.FLUX_CHARTS_PROVIDER]).toEqual([
      `oci://${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts`,
      "aws",
    ]);
  });
});

import {
  FluxAwsAccess,
  codeCommitPullPolicy,
  ecrLifecyclePolicy,
  ecrPullPolicy,
  fluxAwsAccessProblems,
  podIdentityTrustPolicy,
  sopsDecryptPolicy,
  type FluxAwsAccessArgs,
} from "../../../../components/aws";
import { applyFluxDefaults, fluxProblems } from "../../../../components/flux";
import { fakeAwsContext } from "../../../helpers/awsContext";

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const REPO = "arn:aws:ecr:eu-central-1:123456789012:repository/acme/fleet";

describe("Flux's IAM documents", () => {
  it("kustomize-controller may only decrypt with the one key", () => {
    expect(sopsDecryptPolicy(KEY)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "DecryptSopsWithPlatformKey", Effect: "Allow", Action: "kms:Decrypt", Resource: KEY },
      ],
    });
  });
  it("source-controller may only pull from the one ECR repository (the login token is unscopable)", () => {
    expect(ecrPullPolicy([REPO])).toEqual({
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
          Resource: REPO,
        },
      ],
    });
  });
  it("source-controller may only GitPull the one CodeCommit repository", () => {
    const arn = "arn:aws:codecommit:eu-central-1:123456789012:acme-fleet";
    expect(codeCommitPullPolicy(arn)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "PullFleetRepository", Effect: "Allow", Action: "codecommit:GitPull", Resource: arn },
      ],
    });
  });
  it("Pod Identity roles trust only their service account of their cluster in their account", () => {
    const clusterArn = "arn:aws:eks:eu-central-1:123456789012:cluster/de-dev";
    expect(
      podIdentityTrustPolicy({
        accountId: "123456789012",
        clusterArn,
        namespace: "flux-system",
        serviceAccount: "source-controller",
      }),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: {
            StringEquals: {
              "aws:SourceAccount": "123456789012",
              "aws:RequestTag/eks-cluster-arn": clusterArn,
              "aws:RequestTag/kubernetes-namespace": "flux-system",
              "aws:RequestTag/kubernetes-service-account": "source-controller",
            },
          },
        },
      ],
    });
  });
  it("the lifecycle expires untagged images and keeps the newest releases", () => {
    expect(ecrLifecyclePolicy(3, 20).rules.map((r) => [r.selection, r.action])).toEqual([
      [
        { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 },
        { type: "expire" },
      ],
      [{ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, { type: "expire" }],
    ]);
  });
});

describe("fluxAwsAccessProblems", () => {
  const base = (patch: Partial<FluxAwsAccessArgs> = {}): FluxAwsAccessArgs => ({
    namePrefix: "acme-de-dev",
    identity: "podIdentity",
    clusterName: "de-dev",
    sops: {},
    aws: { ...fakeAwsContext, accountId: "123456789012" },
    ...patch,
  });
  it("accepts a complete set", () => {
    expect(fluxAwsAccessProblems(base())).toEqual([]);
  });
  it("names every problem", () => {
    expect(
      fluxAwsAccessProblems(
        base({
          namePrefix: "x".repeat(39),
          identity: "irsa",
          source: {
            service: "ecr",
            name: "acme/fleet",
            region: "us-east-1",
            accountId: "999999999999",
            keepImages: 0,
          },
        }),
      ),
    ).toEqual([
      {
        path: "oidc",
        message: "is required with identity irsa: give the cluster's OIDC provider ARN and issuer URL",
      },
      {
        path: "namePrefix",
        message: `"${"x".repeat(39)}" is too long: IAM role names are at most 64 characters, so the prefix may have 38`,
      },
      {
        path: "source.region",
        message:
          "the repository is in us-east-1, but the platform's AWS region is eu-central-1: use a repository in eu-central-1",
      },
      {
        path: "source.accountId",
        message:
          "the repository is in account 999999999999, but the platform runs in 123456789012: use a repository of the platform's account",
      },
      { path: "source.keepImages", message: "is 0: give a whole number of at least 1" },
    ]);
    expect(fluxAwsAccessProblems(base({ sops: undefined }))).toEqual([
      { path: "sops", message: "give sops or source (or both): otherwise there is nothing to grant" },
    ]);
  });
  it("refuses to construct with bad arguments, before registering anything", () => {
    expect(() => new FluxAwsAccess("flux-aws", base({ sops: undefined }))).toThrow(
      /FluxAwsAccess.*sops: give sops or source/s,
    );
  });
});

describe("fluxProblems: KMS and AWS sources", () => {
  const problems = (flux: Parameters<typeof applyFluxDefaults>[0]) => fluxProblems(applyFluxDefaults(flux));
  const ecr = "oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/fleet";
  it("accepts ECR and CodeCommit URLs with provider aws and no auth, and awskms with a key ARN", () => {
    expect(
      problems({
        source: { kind: "oci", provider: "aws", url: ecr, ref: { tag: "v1" } },
        sops: { provider: "awskms", kmsKeyArn: KEY },
      }),
    ).toEqual([]);
    expect(
      problems({
        source: {
          provider: "aws",
          url: "https://git-codecommit.eu-central-1.amazonaws.com/v1/repos/fleet",
          ref: { tag: "v1" },
        },
      }),
    ).toEqual([]);
  });
  it("refuses an alias for the key, a key ARN with age, an exemption with awskms, and uppercase ECR names", () => {
    expect(
      problems({
        source: {
          kind: "oci",
          provider: "aws",
          url: ecr.replace("acme/fleet", "Acme/Fleet"),
          ref: { tag: "v1" },
        },
        sops: {
          provider: "awskms",
          kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:alias/fleet",
          kmsExemption: "x",
        },
      }).map((p) => p.path),
    ).toEqual(["source.url", "sops.kmsExemption", "sops.kmsKeyArn"]);
    expect(
      problems({
        source: { url: "ssh://git@git.example.com/acme/fleet.git", ref: { tag: "v1" } },
        sops: { kmsKeyArn: KEY },
      }),
    ).toEqual([
      {
        path: "sops",
        message:
          "give ageKey (a secure value) or fromSecretsManager (a secret holding the age key), exactly one",
      },
      {
        path: "sops.kmsKeyArn",
        message: "is for provider awskms: set sops.provider: awskms, or remove kmsKeyArn to decrypt with age",
      },
    ]);
  });
  it("refuses lockdown with the operator's multitenant and a bad service account name", () => {
    expect(
      problems({
        source: { url: "ssh://git@git.example.com/acme/fleet.git", ref: { tag: "v1" } },
        install: {
          mode: "operator",
          operator: { multitenant: true },
          lockdown: { defaultServiceAccount: "Tenant_SA" },
        },
      }),
    ).toEqual([
      {
        path: "install.lockdown",
        message:
          "and install.operator.multitenant both lock the controllers down: give one, lockdown (the flags flux bootstrap users know, set by the program) or multitenant (the operator's own)",
      },
      {
        path: "install.lockdown.defaultServiceAccount",
        message:
          "\"Tenant_SA\" is not a service account name: lowercase letters, digits and '-', e.g. default",
      },
    ]);
  });
});

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseManifests } from "../../../../stacks/environment";
import { configError, deploy, parse, testEnvironment, withValues } from "../../../helpers/platform";
import { fluxAwsRegionProblems } from "../../../../stacks/args/flux";
import { ACCOUNT, deployValues, eksValues, json, named } from "./fixtures";

const CODECOMMIT = "https://git-codecommit.eu-central-1.amazonaws.com/v1/repos/acme-fleet";
const kmsAndCodeCommit = () =>
  eksValues({
    flux: {
      source: { url: CODECOMMIT, provider: "aws", ref: { tag: "v1.0.0" } },
      auth: { type: "none", knownHosts: undefined },
      sops: { provider: "awskms" },
    },
  });

describe("Flux on AWS with EKS Pod Identity (the default)", () => {
  it("associates each controller's role with its service account; no annotation, no Secret", async () => {
    const d = await deployValues(kmsAndCodeCommit());
    const assoc = d.resources.filter(
      (r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    );
    expect(assoc.map((a) => [a.name, a.inputs.namespace, a.inputs.serviceAccount, a.inputs.roleArn])).toEqual(
      [
        [
          "flux-aws-kustomize-controller-association",
          "flux-system",
          "kustomize-controller",
          `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-kustomize-controller`,
        ],
        [
          "flux-aws-source-controller-association",
          "flux-system",
          "source-controller",
          `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-source-controller`,
        ],
      ],
    );
    expect(assoc[0].inputs.clusterName).toBe("de-dev");
    expect(
      json(named(d, "aws:iam/role:Role", "flux-aws-source-controller-role").inputs.assumeRolePolicy),
    ).toEqual({
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
              "aws:RequestTag/kubernetes-service-account": "source-controller",
            },
          },
        },
      ],
    });
    expect(
      json(named(d, "aws:iam/rolePolicy:RolePolicy", "flux-aws-source-controller-policy").inputs.policy),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PullFleetRepository",
          Effect: "Allow",
          Action: "codecommit:GitPull",
          Resource: `arn:aws:codecommit:eu-central-1:${ACCOUNT}:acme-fleet`,
        },
      ],
    });
    expect(
      named(d, "aws:codecommit/repository:Repository", "flux-aws-repository").inputs.repositoryName,
    ).toBe("acme-fleet");
    expect(d.resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.name)).toEqual([]);
    const objs = d.get("flux-install").inputs.objs as { kind: string; metadata: { annotations?: object } }[];
    expect(objs.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.annotations)).toEqual([
      undefined,
    ]);
    expect((d.get("flux-source").inputs.spec as { provider: string }).provider).toBe("aws");
    // The Flux bootstrap waits for the roles and associations.
    expect(d.get("flux-namespace").dependsOn).toEqual(
      expect.arrayContaining([
        "aws:eks/podIdentityAssociation:PodIdentityAssociation::flux-aws-kustomize-controller-association",
      ]),
    );
  });

  it("takes an existing key and repository: no key, no repository, the grant on those ARNs", async () => {
    const key = `arn:aws:kms:eu-central-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const d = await deployValues(
      withValues(
        { flux: { source: { repository: { create: false } }, sops: { provider: "awskms", kmsKeyArn: key } } },
        kmsAndCodeCommit(),
      ),
    );
    expect(d.resources.filter((r) => r.type === "aws:codecommit/repository:Repository")).toEqual([]);
    expect(d.resources.filter((r) => r.name.startsWith("flux-aws-sops-key"))).toEqual([]);
    expect(
      json(named(d, "aws:iam/rolePolicy:RolePolicy", "flux-aws-kustomize-controller-policy").inputs.policy),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "DecryptSopsWithPlatformKey", Effect: "Allow", Action: "kms:Decrypt", Resource: key },
      ],
    });
    expect(d.outputs.sopsKmsKeyArn).toBe(key);
  });
});

describe("Flux on AWS with IRSA in operator mode", () => {
  it("annotates kustomize-controller's service account through a FluxInstance patch, and locks down", async () => {
    const d = await deployValues(
      withValues(
        { flux: { identity: "irsa", install: { mode: "operator", lockdown: {} } } },
        kmsAndCodeCommit(),
      ),
    );
    const patches = (
      d.get("flux-instance").inputs.spec as {
        kustomize: { patches: { target: { kind: string; name: string }; patch: string }[] };
      }
    ).kustomize.patches;
    expect(
      patches
        .filter((p) => p.target.kind === "ServiceAccount")
        .map((p) => [p.target.name, JSON.parse(p.patch)]),
    ).toEqual([
      [
        "kustomize-controller",
        {
          metadata: {
            annotations: {
              "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-kustomize-controller`,
            },
          },
        },
      ],
      [
        "source-controller",
        {
          metadata: {
            annotations: {
              "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-source-controller`,
            },
          },
        },
      ],
    ]);
    expect(patches.filter((p) => p.target.kind === "Deployment").map((p) => p.target.name)).toEqual([
      "kustomize-controller",
      "helm-controller",
      "notification-controller",
    ]);
    expect(
      d.resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation"),
    ).toEqual([]);
    expect((d.get("flux-sync").inputs.spec as { serviceAccountName: string }).serviceAccountName).toBe(
      "kustomize-controller",
    );
  });
});

describe("Flux on AWS off EKS, with the cluster's own OIDC issuer", () => {
  const ISSUER = "https://oidc.example.com/de-lab";
  const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example.com/de-lab`;
  it("trusts the given provider for the one service account and annotates it in the install (IRSA)", async () => {
    // The trimmed install of the secure fixture has kustomize-controller's ServiceAccount.
    const file = path.join(__dirname, "..", "..", "..", "fixtures", "project", "flux-install-aws.yaml");
    const d = await deploy(
      parse(
        withValues({
          flux: {
            install: { components: ["source-controller", "kustomize-controller"] },
            sops: { provider: "awskms" },
            oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
          },
        }),
      ),
      {
        ...testEnvironment,
        loadInstallManifests: async () => ({ objects: parseManifests(readFileSync(file, "utf8"), file) }),
      },
    );
    const objs = d.get("flux-install").inputs.objs as {
      kind: string;
      metadata: { name: string; annotations?: object };
    }[];
    expect(
      objs.filter((o) => o.kind === "ServiceAccount").map((o) => [o.metadata.name, o.metadata.annotations]),
    ).toEqual([
      ["source-controller", undefined],
      [
        "kustomize-controller",
        {
          "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/acme-de-dev-flux-kustomize-controller`,
        },
      ],
    ]);
    expect(
      d.resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation"),
    ).toEqual([]);
    expect(d.resources.filter((r) => r.type === "aws:iam/user:User")).toEqual([]);
    expect(
      json(named(d, "aws:iam/role:Role", "flux-aws-kustomize-controller-role").inputs.assumeRolePolicy),
    ).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.example.com/de-lab:sub": "system:serviceaccount:flux-system:kustomize-controller",
              "oidc.example.com/de-lab:aud": "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    expect(d.resources.filter((r) => r.type === "kubernetes:core/v1:Secret").map((r) => r.name)).toEqual([
      "flux-git-auth",
    ]);
    expect((d.get("flux-sync").inputs.spec as { decryption: unknown }).decryption).toEqual({
      provider: "sops",
    });
  });
  it("refuses an install without the service account to annotate, before anything is created", async () => {
    await expect(
      deployValues(
        withValues({
          flux: { sops: { provider: "awskms" }, oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } },
        }),
      ),
    ).rejects.toThrow(
      "flux.install.manifests: the install manifests have no ServiceAccount flux-system/kustomize-controller to bind the workload identity to",
    );
  });
  it("refuses the provider on EKS and Pod Identity with it", () => {
    expect(
      configError(
        withValues({ flux: { oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER } } }, kmsAndCodeCommit()),
      ),
    ).toContain(
      "flux.oidcProvider: is for clusters outside EKS: an EKS cluster's own OIDC provider is used; remove it",
    );
    expect(
      configError(
        withValues({
          flux: {
            identity: "podIdentity",
            sops: { provider: "awskms" },
            oidcProvider: { arn: PROVIDER, issuerUrl: ISSUER },
          },
        }),
      ),
    ).toContain(
      "flux.identity: podIdentity exists only on EKS: with flux.oidcProvider use irsa (the default off EKS)",
    );
  });
});

describe("Flux AWS config errors", () => {
  it("refuses awskms off EKS, credentials beside provider aws, an age key with awskms, and a non-ECR URL", () => {
    const err = configError(withValues({ flux: { sops: { provider: "awskms" } } }));
    expect(err).toContain(
      "flux.sops.provider: awskms needs a workload identity AWS trusts: EKS, or flux.oidcProvider (this cluster's service-account issuer registered in IAM, with the EKS pod identity webhook running). On a cluster of kind existing without it, an IAM access key in the cluster would be the stored credential awskms exists to avoid: give oidcProvider, or keep provider age",
    );
    const eks = configError(
      withValues(
        {
          flux: {
            source: { kind: "oci", provider: "aws", url: "oci://ghcr.io/acme/fleet" },
            auth: { type: "https", knownHosts: undefined, username: "u", password: "p" },
            sops: { provider: "awskms", ageKey: "AGE-SECRET-KEY-1ABC" },
          },
        },
        eksValues(),
      ),
    );
    expect(eks).toContain(
      'flux.source.url: "oci://ghcr.io/acme/fleet" is not an ECR repository: with provider aws write oci://<account>.dkr.ecr.<region>.amazonaws.com/<repository>',
    );
    expect(eks).toContain(
      "flux.auth.type: is https, but with source.provider aws the source controller authenticates with its AWS identity and no credentials Secret is created: set auth.type none (or remove auth)",
    );
    expect(eks).toContain(
      "flux.sops.ageKey: is an age key, but sops.provider is awskms (no key is stored in the cluster): remove it, or set provider: age",
    );
  });

  it("refuses a repository outside the platform's region, and names too long for IAM roles", () => {
    const config = parse(kmsAndCodeCommit());
    expect(fluxAwsRegionProblems(config, "eu-central-1")).toEqual([]);
    expect(fluxAwsRegionProblems(config, undefined)).toEqual([]);
    expect(fluxAwsRegionProblems(config, "eu-west-1")).toEqual([
      {
        path: "flux.source.url",
        message:
          "names a repository in eu-central-1, but the platform's AWS region (aws:region) is eu-west-1: the program creates and grants on repositories in eu-west-1; use one there",
      },
    ]);
    expect(
      configError(withValues({ organization: "a-very-long-organization-name-xyz" }, kmsAndCodeCommit())),
    ).toContain(
      "name: with organization makes \"a-very-long-organization-name-xyz-de-dev\", the prefix of Flux's IAM role names (<prefix>-flux-kustomize-controller), longer than the 38 characters IAM's 64-character limit leaves: shorten name or organization",
    );
  });

  it("refuses irsa with install.mode none and lockdown with mode none", () => {
    const err = configError(
      withValues({ flux: { identity: "irsa", install: { mode: "none", lockdown: {} } } }, kmsAndCodeCommit()),
    );
    expect(err).toContain(
      "flux.identity: irsa annotates the controllers' service accounts in the install, which install.mode none leaves to someone else: use podIdentity (nothing to annotate)",
    );
    expect(err).toContain("flux.install.lockdown: cannot be applied with install.mode none");
  });
});

describe("an OCI root's charts and origin", () => {
  const REGISTRY = `${ACCOUNT}.dkr.ecr.eu-central-1.amazonaws.com`;
  const oci = (source: Record<string, unknown>) =>
    withValues(
      {
        flux: {
          source: { kind: "oci", provider: "aws", url: `oci://${REGISTRY}/acme/fleet`, ...source },
          auth: { type: "none", knownHosts: undefined },
        },
      },
      eksValues(),
    );

  it("refuses charts off an OCI root, bad chart names, another registry, and an origin that is no https repository", () => {
    const err = configError(
      oci({
        charts: {
          url: `oci://999999999999.dkr.ecr.eu-west-1.amazonaws.com/acme/charts`,
          names: ["Upf", "nf", "nf"],
        },
        origin: "git@github.com:acme-telco/platform-fleet.git",
      }),
    );
    expect(err).toContain(
      'flux.source.charts.names[0]: "Upf" is not a Helm chart name: lowercase letters, digits and dashes, e.g. network-function',
    );
    expect(err).toContain('flux.source.charts.names[2]: "nf" is listed twice: list each chart once');
    expect(err).toContain(
      "flux.source.charts.url: is in account 999999999999, region eu-west-1, but the root (source.url) is in 123456789012, eu-central-1: source-controller's role is granted on the platform's registry; publish the charts there",
    );
    expect(err).toContain(
      'flux.source.origin: "git@github.com:acme-telco/platform-fleet.git" is not the https URL of a Git repository: write it as the forge shows it, e.g. https://github.com/acme-telco/platform-fleet',
    );
    const git = configError(
      withValues({
        flux: {
          source: {
            charts: { url: "oci://ghcr.io/acme/charts", names: ["nf"] },
            origin: "https://github.com/acme-telco/platform-fleet",
          },
        },
      }),
    );
    expect(git).toContain(
      "flux.source.charts: is for an OCI root (kind oci): a Git root's HelmReleases take their charts from the repository itself; remove charts, or set source.kind oci",
    );
    expect(git).toContain(
      "flux.source.origin: is for an OCI root (kind oci): a Git root's origin is its own url; remove origin",
    );
  });

  it("creates a repository per chart and lets source-controller pull from the fleet's and those only", async () => {
    const d = await deployValues(
      oci({ charts: { url: `oci://${REGISTRY}/acme/charts/`, names: ["network-function", "smf"] } }),
    );
    const repos = d.resources
      .filter((r) => r.type === "aws:ecr/repository:Repository")
      .map((r) => r.inputs.name);
    expect(repos).toEqual(["acme/fleet", "acme/charts/network-function", "acme/charts/smf"]);
    const policy = json(d.get("flux-aws-source-controller-policy").inputs.policy) as {
      Statement: { Resource: unknown }[];
    };
    expect(policy.Statement[1].Resource).toEqual(
      ["acme/fleet", "acme/charts/network-function", "acme/charts/smf"].map(
        (n) => `arn:aws:ecr:eu-central-1:${ACCOUNT}:repository/${n}`,
      ),
    );
    const vars = d.outputs.clusterVars as Record<string, string>;
    expect([vars.FLUX_CHARTS_URL, vars.FLUX_CHARTS_PROVIDER]).toEqual([
      `oci://${REGISTRY}/acme/charts`,
      "aws",
    ]);
  });
});

import {
  fluxIamScoped,
  fluxNoSecretWithCloudIdentity,
  fluxSopsKms,
  fluxTenantLockdown,
} from "../../policy/rules/fluxSecurity";
import { resourceArgs, violations } from "./helpers";

const KS = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization";
const OCI = "kubernetes:source.toolkit.fluxcd.io/v1:OCIRepository";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const FLUX_URN = "platform:aws:FluxAwsAccess$platform:secrets:WorkloadIdentity$aws:iam/rolePolicy:RolePolicy";
const root = (spec: object, annotations?: object) => ({
  metadata: { name: "flux-system", namespace: "flux-system", ...(annotations ? { annotations } : {}) },
  spec,
});

describe("flux-sops-kms", () => {
  it("passes KMS decryption (no secretRef), no decryption, and age with a stated exemption", async () => {
    expect(await violations(fluxSopsKms, KS, root({ decryption: { provider: "sops" } }))).toEqual([]);
    expect(await violations(fluxSopsKms, KS, root({}))).toEqual([]);
    expect(
      await violations(
        fluxSopsKms,
        KS,
        root(
          { decryption: { provider: "sops", secretRef: { name: "sops-age" } } },
          { "platform/sops-kms-exemption": "bare metal, no AWS identity" },
        ),
      ),
    ).toEqual([]);
  });
  it("fails an age key without an exemption", async () => {
    expect(
      await violations(
        fluxSopsKms,
        KS,
        root({ decryption: { provider: "sops", secretRef: { name: "sops-age" } } }),
      ),
    ).toEqual([
      "SOPS must decrypt through KMS: Kustomization flux-system/flux-system decrypts with the key in Secret sops-age, a long-lived key stored in the cluster; on EKS set flux.sops.provider: awskms, elsewhere state why not in flux.sops.kmsExemption (annotation platform/sops-kms-exemption).",
    ]);
  });
});

describe("flux-no-secret-with-cloud-identity", () => {
  it("passes a provider without a Secret, a Secret without a provider, and a GitHub App (its key is the Secret)", async () => {
    expect(
      await violations(
        fluxNoSecretWithCloudIdentity,
        "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
        root({ provider: "github", secretRef: { name: "flux-system" } }),
      ),
    ).toEqual([]);
    expect(await violations(fluxNoSecretWithCloudIdentity, OCI, root({ provider: "aws" }))).toEqual([]);
    expect(
      await violations(
        fluxNoSecretWithCloudIdentity,
        OCI,
        root({ provider: "generic", secretRef: { name: "x" } }),
      ),
    ).toEqual([]);
  });
  it("fails a cloud provider with a Secret, on sources and on a FluxInstance sync", async () => {
    expect(
      await violations(
        fluxNoSecretWithCloudIdentity,
        OCI,
        root({ provider: "aws", secretRef: { name: "flux-system" } }),
      ),
    ).toEqual([
      "A source with a cloud identity needs no stored credentials: OCIRepository flux-system/flux-system authenticates with provider aws and also references Secret flux-system; set flux.auth.type: none so no credentials Secret is created.",
    ]);
    expect(
      await violations(fluxNoSecretWithCloudIdentity, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", {
        metadata: { name: "flux", namespace: "flux-system" },
        spec: { sync: { provider: "aws", pullSecret: "flux-system" } },
      }),
    ).toHaveLength(1);
  });
});

describe("flux-iam-scoped", () => {
  const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
  const check = (policy: string, chain = FLUX_URN) => {
    const out: string[] = [];
    const args = resourceArgs(POLICY, { name: "acme-de-dev-flux-source-controller", policy });
    void fluxIamScoped.validateResource(
      { ...args, urn: `urn:pulumi:test::platform::${chain}::flux-aws-source-controller-policy` },
      (m) => out.push(m),
    );
    return out;
  };
  const what = "Flux role policy acme-de-dev-flux-source-controller";
  const rule = "Flux's IAM roles must be scoped to one key or one repository";
  const ecr = "arn:aws:ecr:eu-central-1:123456789012:repository/acme/fleet";
  it("passes the ECR pull policy (token on *, the rest on one repository) and ignores other roles", async () => {
    expect(
      check(
        doc(
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          { Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:ListImages"], Resource: ecr },
        ),
      ),
    ).toEqual([]);
    expect(check(doc({ Effect: "Allow", Action: "kms:*", Resource: "*" }), POLICY)).toEqual([]);
  });
  it("fails wildcard actions and resources, and more than one resource", async () => {
    expect(
      check(
        doc(
          { Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"], Resource: "*" },
          { Effect: "Allow", Action: "kms:*", Resource: "arn:aws:kms:eu-central-1:123456789012:key/k1" },
          {
            Effect: "Allow",
            Action: "codecommit:GitPull",
            Resource: "arn:aws:codecommit:eu-central-1:123456789012:r",
          },
        ),
      ),
    ).toEqual([
      `${rule}: ${what} grants ecr:GetAuthorizationToken, ecr:BatchGetImage on "*"; name the one key or repository (only ecr:GetAuthorizationToken may use "*").`,
      `${rule}: ${what} allows the action wildcard "kms:*"; list the actions the controller needs.`,
      `${rule}: ${what} grants access to 2 resources (arn:aws:kms:eu-central-1:123456789012:key/k1, arn:aws:codecommit:eu-central-1:123456789012:r); give each controller one key or one repository (an OCI root's chart repositories in the same registry excepted).`,
    ]);
  });
  it("passes the fleet repository with its chart repositories in the same registry, and fails another registry", async () => {
    const ecrArn = (region: string, account: string, name: string) =>
      `arn:aws:ecr:${region}:${account}:repository/${name}`;
    const pull = (...arns: string[]) =>
      doc(
        { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        { Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:ListImages"], Resource: arns },
      );
    const fleet = ecrArn("eu-central-1", "123456789012", "acme/de-dev/fleet");
    const chart = ecrArn("eu-central-1", "123456789012", "acme/de-dev/charts/network-function");
    expect(check(pull(fleet, chart))).toEqual([]);
    const elsewhere = ecrArn("eu-west-1", "123456789012", "acme/de-dev/charts/network-function");
    expect(check(pull(fleet, elsewhere))).toEqual([
      `${rule}: ${what} grants access to 2 resources (${fleet}, ${elsewhere}); give each controller one key or one repository (an OCI root's chart repositories in the same registry excepted).`,
    ]);
  });
});

describe("flux-tenant-lockdown", () => {
  const GROUP = "kubernetes:yaml/v2:ConfigGroup";
  const deployment = (name: string, args: string[]) => ({
    kind: "Deployment",
    metadata: { name, namespace: "flux-system", labels: { "app.kubernetes.io/part-of": "flux" } },
    spec: { template: { spec: { containers: [{ name: "manager", args }] } } },
  });
  const locked = [
    deployment("kustomize-controller", [
      "--log-level=info",
      "--no-cross-namespace-refs=true",
      "--default-service-account=default",
      "--no-remote-bases=true",
    ]),
    deployment("helm-controller", ["--no-cross-namespace-refs=true", "--default-service-account=default"]),
    deployment("source-controller", ["--log-level=info"]),
  ];
  it("passes a locked-down install and a multitenant FluxInstance", async () => {
    expect(await violations(fluxTenantLockdown, GROUP, { objs: locked })).toEqual([]);
    expect(
      await violations(fluxTenantLockdown, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", {
        metadata: { name: "flux", namespace: "flux-system" },
        spec: { cluster: { multitenant: true } },
      }),
    ).toEqual([]);
  });
  it("names each controller and the flags it lacks", async () => {
    expect(
      await violations(fluxTenantLockdown, GROUP, {
        objs: [
          deployment("kustomize-controller", [
            "--no-cross-namespace-refs=false",
            "--default-service-account=x",
          ]),
          locked[1],
        ],
      }),
    ).toEqual([
      "Flux must run with the multi-tenancy lockdown: Deployment flux-system/kustomize-controller runs without --no-cross-namespace-refs, --no-remote-bases; set flux.install.lockdown: {} (or operator.multitenant: true in operator mode).",
    ]);
    expect(
      await violations(fluxTenantLockdown, "kubernetes:fluxcd.controlplane.io/v1:FluxInstance", {
        metadata: { name: "flux", namespace: "flux-system" },
        spec: {
          kustomize: {
            patches: [
              {
                target: { kind: "Deployment", name: "helm-controller" },
                patch: JSON.stringify([
                  {
                    op: "add",
                    path: "/spec/template/spec/containers/0/args/-",
                    value: "--no-cross-namespace-refs=true",
                  },
                  {
                    op: "add",
                    path: "/spec/template/spec/containers/0/args/-",
                    value: "--default-service-account=default",
                  },
                ]),
              },
            ],
          },
        },
      }),
    ).toEqual([
      "Flux must run with the multi-tenancy lockdown: FluxInstance flux-system/flux leaves kustomize-controller without --no-cross-namespace-refs, --default-service-account, --no-remote-bases; set flux.install.lockdown: {} (or operator.multitenant: true in operator mode).",
    ]);
  });
});

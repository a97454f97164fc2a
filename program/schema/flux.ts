import { z } from "zod";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, FLUX_DEFAULTS as D } from "../../components/flux";
import { FLUX_AWS_DEFAULTS } from "../../components/aws";
import { duration, k8sName, k8sNamespace, secret, stringMap, toleration } from "./common";

// Defaults and the controller lists are FluxBootstrap's (components/flux/args.ts); cross-field rules
// are its fluxProblems, reported under `flux.` by program/args/flux.ts.
const component = z.enum([...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS], {
  error: `must be one of ${[...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS].join(", ")}`,
});

const patchTarget = z.strictObject({
  /** Kind of the install objects to patch, e.g. Deployment. */
  kind: z.string().optional(),
  /** Name of the object. */
  name: z.string().optional(),
  /** Namespace of the object. */
  namespace: z.string().optional(),
  /** Labels the object must carry (all of them). */
  labels: stringMap().optional(),
});

const installPatch = z.strictObject({
  /** Which install objects the patch applies to; every listed field must match. */
  target: patchTarget,
  /** A JSON merge patch (an object) or a JSON 6902 patch (a list of operations). */
  patch: z.union([
    z.array(
      z.looseObject({
        op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
        path: z.string().startsWith("/", { error: "a JSON patch path starts with '/'" }),
      }),
    ),
    z.record(z.string(), z.unknown()),
  ]),
});

const imagePullSecret = z.strictObject({
  /** Secret name in flux-system; referenced by every controller pod. */
  name: k8sName().default(D.install.imagePullSecretName),
  /** When set with username and password, the program creates the dockerconfigjson Secret. */
  server: z.string().optional(),
  username: z.string().optional(),
  password: secret().optional(),
});

const manifests = z.strictObject({
  /** Local install.yaml for air-gapped sites (path relative to the project). Default: the release asset of `flux.version`. */
  file: z.string().optional(),
  /** Mirror of the release asset; `{version}` is replaced by the Flux version. */
  url: z.string().url({ error: "must be an http(s) URL" }).optional(),
  /** Skip Pulumi's readiness waiting on the install objects (clusters where controllers cannot run yet). */
  skipAwait: z.boolean().default(D.install.manifests.skipAwait),
});

const operator = z.strictObject({
  /** Flux Operator Helm chart (OCI). */
  chart: z.string().default(D.install.operator.chart),
  /** Chart version, pinned. */
  chartVersion: z.string().default(D.install.operator.chartVersion),
  /** Extra Helm values for the operator chart. */
  values: z.record(z.string(), z.unknown()).default({}),
  /** FluxInstance cluster.type. */
  clusterType: z
    .enum(["kubernetes", "openshift", "aws", "azure", "gcp"])
    .default(D.install.operator.clusterType),
  /** FluxInstance cluster.size (controller concurrency profile). */
  size: z.enum(["small", "medium", "large"]).optional(),
  /** FluxInstance cluster.multitenant. */
  multitenant: z.boolean().default(D.install.operator.multitenant),
});

const lockdown = z.strictObject({
  noCrossNamespaceRefs: z.boolean().default(D.install.lockdown.noCrossNamespaceRefs).meta({
    description:
      "--no-cross-namespace-refs=true on kustomize-, helm- and notification-controller (and the image controllers): objects may only reference objects in their own namespace.",
  }),
  defaultServiceAccount: k8sName().default(D.install.lockdown.defaultServiceAccount).meta({
    description:
      "--default-service-account on kustomize- and helm-controller: a Kustomization or HelmRelease without serviceAccountName is applied as this service account of its namespace. Example: default.",
  }),
  noRemoteBases: z.boolean().default(D.install.lockdown.noRemoteBases).meta({
    description:
      "--no-remote-bases=true on kustomize-controller: kustomize bases must come from the source artifact, not from remote URLs.",
  }),
});

const install = z.strictObject({
  /** `manifests`: upstream install manifests, transformed by the program; `operator`: Flux Operator + FluxInstance; `none`: Flux is already there. */
  mode: z.enum(["manifests", "operator", "none"]).default(D.install.mode),
  /** Container registry the controller images come from. */
  registry: z.string().default(D.install.registry),
  imagePullSecret: imagePullSecret.optional(),
  tolerations: z.array(toleration()).default([]),
  nodeSelector: stringMap().default({}),
  /** Install Flux's network policies (allow-egress, allow-scraping, allow-webhooks). */
  networkPolicy: z.boolean().default(D.install.networkPolicy),
  clusterDomain: z.string().default(D.install.clusterDomain),
  logLevel: z.enum(["debug", "info", "error"]).default(D.install.logLevel),
  /** kustomize- and helm-controller `--requeue-dependency`: how soon an object waiting on `dependsOn` is retried (Flux's default 30s). */
  requeueDependency: duration().optional(),
  components: z.array(component).default([...D.install.components]),
  extraComponents: z.array(component).default([]),
  patches: z.array(installPatch).default([]),
  manifests: manifests.default({ ...D.install.manifests }),
  operator: operator.default(() => operator.parse({})),
  lockdown: lockdown.optional().meta({
    description:
      "Multi-tenancy lockdown of the controllers, as with `flux bootstrap` (give {} for all three flags); the root Kustomization then runs as kustomize-controller. Not with mode none.",
  }),
});

/** Exactly one field (FluxBootstrap's rule). */
const gitRef = z.strictObject({
  tag: z.string().min(1).optional(),
  semver: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, { error: "must be a commit SHA (7 to 40 hex digits)" })
    .optional(),
  name: z.string().startsWith("refs/", { error: "must be a full ref such as refs/heads/main" }).optional(),
  digest: z.string().startsWith("sha256:", { error: "must be an OCI digest sha256:…" }).optional(),
});

const source = z.strictObject({
  kind: z.enum(["git", "oci"]).default(D.source.kind),
  /** Git: `ssh://git@host/org/repo.git` or `https://…`; OCI: `oci://registry/repo`. */
  url: z.string({ error: "is required: the repository Flux pulls the platform from" }),
  ref: gitRef,
  interval: duration().default(D.source.interval),
  timeout: duration().default(D.source.timeout),
  /** .gitignore-style paths to leave out of the artifact. */
  ignore: z.string().optional(),
  recurseSubmodules: z.boolean().default(D.source.recurseSubmodules),
  /** Cloud provider auth for the source (OCI: aws|azure|gcp; Git: aws|azure|github). */
  provider: z.enum(["generic", "aws", "azure", "gcp", "github"]).optional(),
  repository: z
    .strictObject({
      create: z.boolean().default(FLUX_AWS_DEFAULTS.create).meta({
        description: "Create the ECR or CodeCommit repository the URL names; false uses an existing one.",
      }),
      keepImages: z.number().int().min(1).default(FLUX_AWS_DEFAULTS.keepImages).meta({
        description: "ECR lifecycle: how many of the newest tagged artifacts are kept (rollback targets).",
      }),
      expireUntaggedDays: z
        .number()
        .int()
        .min(1)
        .default(FLUX_AWS_DEFAULTS.expireUntaggedDays)
        .meta({ description: "ECR lifecycle: untagged artifacts expire after this many days." }),
    })
    .optional()
    .meta({
      description:
        "With provider aws: the repository named by the URL (ECR for oci, CodeCommit for git); created by default, with source-controller allowed to pull from it only.",
    }),
  /** Signature verification of commits or tags (Git: PGP or SSH keys by file name ending .asc or .sshpub). */
  verify: z
    .strictObject({
      mode: z.enum(["HEAD", "Tag", "TagAndHEAD"]).optional(),
      provider: z.enum(["cosign", "notation"]).optional(),
      publicKeys: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
});

/**
 * A Secrets Manager secret read at deploy time with the platform's AWS provider (it must already
 * exist); its whole SecretString is the value (the private key, the token, the age key).
 */
const fromSecretsManager = z.strictObject({
  /** Secret name or ARN, e.g. acme/de-dev/flux/deploy-key. */
  secretId: z.string().min(1, { error: "must name a Secrets Manager secret (name or ARN)" }),
});

const auth = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("ssh"),
      /** Deploy key (OpenSSH or PEM). When absent, a key is generated and its public half exported. */
      privateKey: secret().optional(),
      /** Passphrase of privateKey, when it is encrypted. */
      password: secret().optional(),
      /** The deploy key from Secrets Manager instead of privateKey (then none is generated). */
      fromSecretsManager: fromSecretsManager.optional(),
      /** Algorithm of a generated deploy key. */
      keyAlgorithm: z.enum(["ed25519", "ecdsa", "rsa"]).default(D.auth.keyAlgorithm),
      /** known_hosts lines for the Git host (`ssh-keyscan [-p PORT] host`). */
      knownHosts: z.string({
        error:
          "is required for SSH: add the output of `ssh-keyscan <git host>` (with -p PORT for a non-22 port)",
      }),
    }),
    z.strictObject({
      type: z.literal("https"),
      username: z.string().optional(),
      /** Password or personal access token. */
      password: secret().optional(),
      bearerToken: secret().optional(),
      /** The password or token from Secrets Manager instead of password. */
      fromSecretsManager: fromSecretsManager.optional(),
      /** PEM CA bundle for a private Git server. */
      caCert: z.string().optional(),
    }),
    z.strictObject({
      type: z.literal("githubApp"),
      appId: z.union([z.string(), z.number()]).transform(String),
      installationId: z.union([z.string(), z.number()]).transform(String).optional(),
      installationOwner: z.string().optional(),
      privateKey: secret(),
      /** GitHub Enterprise API base URL. */
      baseUrl: z.string().optional(),
    }),
    z.strictObject({ type: z.literal("none") }),
  ],
  { error: "type must be one of ssh, https, githubApp, none" },
);

const sync = z.strictObject({
  /** Path of the root Kustomization in the repository. @default ./clusters/<platform name> */
  path: z.string().optional(),
  interval: duration().default(D.sync.interval),
  retryInterval: duration().default(D.sync.retryInterval),
  timeout: duration().default(D.sync.timeout),
  prune: z.boolean().default(D.sync.prune),
  wait: z.boolean().default(D.sync.wait),
});

const extraSecret = z.strictObject({
  namespace: k8sNamespace(),
  name: k8sName(),
  type: z.string().default(D.extraSecret.type),
  labels: stringMap().default({}),
  data: z.record(z.string(), secret()),
  /** Create the namespace (skip for namespaces that already exist, such as kube-system). */
  createNamespace: z.boolean().default(D.extraSecret.createNamespace),
});

export const fluxSchema = z.strictObject({
  /** Flux version (exact x.y.z). */
  version: z
    .string()
    .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, {
      error: "must be an exact Flux version such as 2.9.4 (not a range, not latest)",
    })
    .default(D.version),
  install: install.default(() => install.parse({})),
  source,
  auth: auth.default({ type: D.auth.type }),
  /** SOPS age key for decrypting secrets in the repository (Secret sops-age, key age.agekey). */
  sops: z
    .strictObject({
      provider: z.enum(["age", "awskms"]).default(D.sops.provider).meta({
        description:
          "age: an age key in the Secret sops-age; awskms: an AWS KMS key kustomize-controller uses through its workload identity (EKS only), no Secret.",
      }),
      ageKey: secret().optional(),
      fromSecretsManager: fromSecretsManager.optional(),
      kmsKeyArn: z.string().optional().meta({
        description:
          "awskms: the KMS key ARN the fleet secrets are encrypted with, e.g. arn:aws:kms:eu-central-1:123456789012:key/… Default: a key the platform creates.",
      }),
      kmsExemption: z.string().min(1).optional().meta({
        description:
          'age: why this platform does not decrypt through KMS, e.g. "bare metal, no AWS workload identity"; annotated on the root Kustomization for the flux-sops-kms policy.',
      }),
    })
    .optional(),
  oidcProvider: z
    .strictObject({
      arn: z
        .string()
        .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/, {
          error:
            "must be an IAM OIDC provider ARN, arn:aws:iam::<account>:oidc-provider/<issuer host and path>",
        })
        .meta({
          description: "ARN of the IAM OIDC provider registered for the cluster's service-account issuer.",
        }),
      issuerUrl: z
        .string()
        .startsWith("https://", { error: "must be the https:// URL of the cluster's service-account issuer" })
        .meta({
          description:
            "The cluster's service-account issuer URL (kube-apiserver --service-account-issuer), e.g. https://oidc.example.com/de-lab.",
        }),
    })
    .optional()
    .meta({
      description:
        "Off EKS: the cluster's own service-account issuer, registered in IAM, for IRSA (the cluster must run the EKS pod identity webhook). With it sops.provider awskms and source.provider aws work on bare metal and existing clusters.",
    }),
  identity: z.enum(["podIdentity", "irsa"]).optional().meta({
    description:
      "How Flux controllers assume their AWS roles (sops.provider awskms, source.provider aws): EKS Pod Identity (default) or IRSA (the service account annotated with the role ARN).",
  }),
  sync: sync.default(() => sync.parse({})),
  /** Extra variables in cluster-vars. */
  vars: stringMap().default({}),
  /** Secret variables, in Secret cluster-secret-vars. */
  secretVars: z.record(z.string(), secret()).default({}),
  extraSecrets: z.array(extraSecret).default([]),
});

export type FluxConfig = z.infer<typeof fluxSchema>;

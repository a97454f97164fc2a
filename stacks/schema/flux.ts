import { z } from "zod";
import {
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
  DEFAULT_COMPONENTS,
  EXTRA_COMPONENTS,
  FLUX_DEFAULTS as D,
} from "../../components/flux";
import { FLUX_AWS_DEFAULTS } from "../../components/aws";
import { duration, k8sName, k8sNamespace, secret, stringMap, toleration, VARIABLE_NAME } from "./common";

// Defaults and the controller lists are FluxBootstrap's (components/flux/args.ts); cross-field rules
// are its fluxProblems, reported under `flux.` by stacks/args/flux.ts.
const component = z.enum([...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS], {
  error: `must be one of ${[...DEFAULT_COMPONENTS, ...EXTRA_COMPONENTS].join(", ")}`,
});

const patchTarget = z.strictObject({
  /** Kind of the install objects to patch, e.g. Deployment. */
  kind: z
    .string()
    .optional()
    .meta({ description: "Kind of the install objects to patch.", examples: ["Deployment"] }),
  /** Name of the object. */
  name: z
    .string()
    .optional()
    .meta({ description: "Name of the object to patch.", examples: ["kustomize-controller"] }),
  /** Namespace of the object. */
  namespace: z.string().optional().meta({ description: "Namespace of the object to patch." }),
  /** Labels the object must carry (all of them). */
  labels: stringMap().optional().meta({ description: "Labels the object must carry (all of them)." }),
});

const installPatch = z.strictObject({
  /** Which install objects the patch applies to; every listed field must match. */
  target: patchTarget.meta({
    description: "Which install objects the patch applies to; every field given must match.",
  }),
  /** A JSON merge patch (an object) or a JSON 6902 patch (a list of operations). */
  patch: z
    .union([
      z.array(
        z.looseObject({
          op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
          path: z.string().startsWith("/", { error: "a JSON patch path starts with '/'" }),
        }),
      ),
      z.record(z.string(), z.unknown()),
    ])
    .meta({
      description:
        "A JSON merge patch (an object) or a JSON 6902 patch (a list of `{op, path, value}` operations, `op` one of add, remove, replace, move, copy, test; `path` starts with `/`). A patch that matches no object or does not apply is an error.",
    }),
});

const imagePullSecret = z.strictObject({
  /** Secret name in flux-system; referenced by every controller pod. */
  name: k8sName()
    .default(D.install.imagePullSecretName)
    .meta({ description: "Name of the pull Secret in `flux-system`; every controller pod references it." }),
  /** When set with username and password, the program creates the dockerconfigjson Secret. */
  server: z
    .string()
    .optional()
    .meta({
      description:
        "Registry server; with `username` and `password` the program creates the `dockerconfigjson` Secret, without them the Secret must exist.",
      examples: ["registry.example.com"],
    }),
  username: z.string().optional().meta({ description: "Registry user name (with `server` and `password`)." }),
  password: secret()
    .optional()
    .meta({ description: "Registry password or token (with `server` and `username`)." }),
});

const manifests = z.strictObject({
  /** Local install.yaml for air-gapped sites (path relative to the project). Default: the release asset of `flux.version`. */
  file: z.string().optional().meta({
    description:
      "Local `install.yaml` for air-gapped sites, relative to the project. Default: the release asset of `flux.version`.",
  }),
  /** Mirror of the release asset; `{version}` is replaced by the Flux version. */
  url: z
    .string()
    .url({ error: "must be an http(s) URL" })
    .optional()
    .meta({
      description:
        "Mirror of the release asset; `{version}` is replaced by the Flux version. Default: the GitHub release.",
      examples: ["https://mirror.example.com/flux/v{version}/install.yaml"],
    }),
  /** Skip Pulumi's readiness waiting on the install objects (clusters where controllers cannot run yet). */
  skipAwait: z.boolean().default(D.install.manifests.skipAwait).meta({
    description:
      "Skip Pulumi's readiness waiting on the install objects (annotation `pulumi.com/skipAwait`), for clusters where the controllers cannot run yet.",
  }),
});

const operator = z.strictObject({
  /** Flux Operator Helm chart (OCI). */
  chart: z
    .string()
    .default(D.install.operator.chart)
    .meta({ description: "Flux Operator Helm chart (OCI), pinned in `components/flux/versions.json`." }),
  /** Chart version, pinned. */
  chartVersion: z
    .string()
    .default(D.install.operator.chartVersion)
    .meta({ description: "Version of the Flux Operator chart, pinned in `components/flux/versions.json`." }),
  /** Extra Helm values for the operator chart. */
  values: z
    .record(z.string(), z.unknown())
    .default({})
    .meta({ description: "Extra Helm values of the operator chart." }),
  /** FluxInstance cluster.type. */
  clusterType: z
    .enum(["kubernetes", "openshift", "aws", "azure", "gcp"])
    .default(D.install.operator.clusterType)
    .meta({ description: "`FluxInstance` `spec.cluster.type`." }),
  /** FluxInstance cluster.size (controller concurrency profile). */
  size: z.enum(["small", "medium", "large"]).optional().meta({
    description:
      "`FluxInstance` `spec.cluster.size`, the controllers' concurrency profile. Default: the operator's.",
  }),
  /** FluxInstance cluster.multitenant. */
  multitenant: z
    .boolean()
    .default(D.install.operator.multitenant)
    .meta({ description: "`FluxInstance` `spec.cluster.multitenant`." }),
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
  mode: z.enum(["manifests", "operator", "none"]).default(D.install.mode).meta({
    description:
      "`manifests`: the upstream install manifests, transformed by the program; `operator`: the Flux Operator chart and a `FluxInstance`; `none`: Flux is already installed.",
  }),
  /** Container registry the controller images come from. */
  registry: z
    .string()
    .default(D.install.registry)
    .meta({ description: "Container registry the controller images come from, e.g. an internal mirror." }),
  imagePullSecret: imagePullSecret
    .optional()
    .meta({ description: "Pull Secret of the controller images. Default: none." }),
  tolerations: z
    .array(toleration())
    .default([])
    .meta({ description: "Tolerations added to every controller pod." }),
  nodeSelector: stringMap().default({}).meta({ description: "Node selector added to every controller pod." }),
  /** Install Flux's network policies (allow-egress, allow-scraping, allow-webhooks). */
  networkPolicy: z
    .boolean()
    .default(D.install.networkPolicy)
    .meta({ description: "Install Flux's network policies (allow-egress, allow-scraping, allow-webhooks)." }),
  clusterDomain: z
    .string()
    .default(D.install.clusterDomain)
    .meta({ description: "The cluster's DNS domain (the controllers' events address)." }),
  logLevel: z
    .enum(["debug", "info", "error"])
    .default(D.install.logLevel)
    .meta({ description: "Log level of the controllers." }),
  /** kustomize- and helm-controller `--requeue-dependency`: how soon an object waiting on `dependsOn` is retried (Flux's default 30s). */
  requeueDependency: duration()
    .optional()
    .meta({
      description:
        "How soon kustomize-controller and helm-controller retry an object whose `dependsOn` is not Ready yet (`--requeue-dependency`), a Go duration. Lower it for fast pipelines: a new tag then reaches objects several dependencies deep in seconds instead of 30 s per level. Default: Flux's own, 30s.",
      examples: ["5s"],
    }),
  components: z
    .array(component)
    .default([...D.install.components])
    .meta({
      description: "Controllers to install; must include source-controller and kustomize-controller.",
    }),
  extraComponents: z
    .array(component)
    .default([])
    .meta({ description: `More controllers to install: ${EXTRA_COMPONENTS.join(", ")}.` }),
  patches: z
    .array(installPatch)
    .default([])
    .meta({ description: "Patches of the install objects (mode `manifests`)." }),
  manifests: manifests
    .default({ ...D.install.manifests })
    .meta({ description: "Settings of `mode: manifests`." }),
  operator: operator.default(() => operator.parse({})).meta({ description: "Settings of `mode: operator`." }),
  lockdown: lockdown.optional().meta({
    description:
      "Multi-tenancy lockdown of the controllers, as with `flux bootstrap` (give {} for all three flags); the root Kustomization then runs as kustomize-controller. Not with mode none.",
  }),
});

/** Exactly one field (FluxBootstrap's rule). */
const gitRef = z.strictObject({
  tag: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "A tag (Git or OCI).", examples: ["v1.4.0"] }),
  semver: z
    .string()
    .min(1)
    .optional()
    .meta({
      description: "The highest tag within a semver range (Git or OCI).",
      examples: [">=1.4.0 <2.0.0"],
    }),
  branch: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "A branch (Git).", examples: ["main"] }),
  commit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, { error: "must be a commit SHA (7 to 40 hex digits)" })
    .optional()
    .meta({ description: "A commit SHA, 7 to 40 hex digits (Git)." }),
  name: z
    .string()
    .startsWith("refs/", { error: "must be a full ref such as refs/heads/main" })
    .optional()
    .meta({ description: "A full ref (Git).", examples: ["refs/heads/main"] }),
  digest: z
    .string()
    .startsWith("sha256:", { error: "must be an OCI digest sha256:…" })
    .optional()
    .meta({ description: "An artifact digest `sha256:…` (OCI)." }),
});

const source = z.strictObject({
  kind: z
    .enum(["git", "oci"])
    .default(D.source.kind)
    .meta({ description: "Kind of the root source: a Git repository or an OCI artifact." }),
  /** Git: `ssh://git@host/org/repo.git` or `https://…`; OCI: `oci://registry/repo`. */
  url: z.string({ error: "is required: the repository Flux pulls the platform from" }).meta({
    description:
      "The fleet repository: Git `ssh://git@host/org/repo.git` or `https://…`, OCI `oci://registry/repo`. The scp form `git@host:repo` is rejected with the `ssh://` spelling to use.",
  }),
  ref: gitRef.meta({
    description:
      "What Flux follows: exactly one of `tag`, `semver`, `branch`, `commit`, `name` (Git) or `tag`, `semver`, `digest` (OCI). Prod follows tags or semver.",
  }),
  interval: duration()
    .default(D.source.interval)
    .meta({ description: "How often the source is checked for a new revision, a Go duration." }),
  timeout: duration()
    .default(D.source.timeout)
    .meta({ description: "Timeout of one fetch of the source, a Go duration." }),
  /** .gitignore-style paths to leave out of the artifact. */
  ignore: z
    .string()
    .optional()
    .meta({ description: "`.gitignore`-style paths left out of the artifact. Default: none." }),
  recurseSubmodules: z
    .boolean()
    .default(D.source.recurseSubmodules)
    .meta({ description: "Also fetch the Git submodules." }),
  /** Cloud provider auth for the source (OCI: aws|azure|gcp; Git: azure|github). */
  provider: z.enum(["generic", "aws", "azure", "gcp", "github"]).optional().meta({
    description:
      "Cloud provider authentication of the source: OCI aws, azure or gcp; Git azure or github. Default: none.",
  }),
  charts: z
    .strictObject({
      url: z.string().meta({
        description:
          "OCI location the charts are published at, without tag: chart `<name>` is `<url>/<name>:<version>`, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts.",
      }),
      names: z.array(z.string()).meta({
        description:
          "The charts published there, by Chart.yaml name; with provider aws each is an ECR repository `<path>/<name>` the program creates (with `repository`'s settings) and source-controller may pull from.",
      }),
    })
    .optional()
    .meta({
      description:
        "OCI root: where `npm run gitops:publish -- --charts-to` publishes the fleet's Helm charts; the HelmReleases read it from cluster-vars `FLUX_CHARTS_URL` and `FLUX_CHARTS_PROVIDER`. Default: none.",
    }),
  origin: z.string().optional().meta({
    description:
      "OCI root: the Git repository (https URL) the artifact is published from, as its `org.opencontainers.image.source` says; commit-status Providers post there and `fleet status` links there. Default: none.",
  }),
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
      mode: z
        .enum(["HEAD", "Tag", "TagAndHEAD"])
        .optional()
        .meta({ description: "Git: what is verified, the commit at HEAD, the tag or both." }),
      provider: z
        .enum(["cosign", "notation"])
        .optional()
        .meta({ description: "OCI: the signature verifier." }),
      publicKeys: z.record(z.string(), z.string()).default({}).meta({
        description:
          "Public keys by file name: PGP keys end in `.asc`, SSH keys in `.sshpub`; they go into Secret `flux-system-verify`.",
      }),
    })
    .optional()
    .meta({ description: "Signature verification of commits, tags or artifacts. Default: none." }),
});

/**
 * A Secrets Manager secret read at deploy time with the platform's AWS provider (it must already
 * exist); its whole SecretString is the value (the private key, the token, the age key).
 */
const fromSecretsManager = z.strictObject({
  /** Secret name or ARN, e.g. acme/de-dev/flux/deploy-key. */
  secretId: z
    .string()
    .min(1, { error: "must name a Secrets Manager secret (name or ARN)" })
    .meta({
      description:
        "Name or ARN of a Secrets Manager secret that exists; its whole `SecretString` is the value, read at deploy time with the platform's AWS provider.",
      examples: ["acme/de-dev/flux/deploy-key"],
    }),
});

const auth = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("ssh").meta({ description: "`ssh`: a deploy key, in Secret `flux-system`." }),
      /** Deploy key (OpenSSH or PEM). When absent, a key is generated and its public half exported. */
      privateKey: secret().optional().meta({
        description:
          "Deploy key (OpenSSH or PEM). Without it (and without `fromSecretsManager`) a key is generated and its public half exported as the stack output `deployPublicKey`.",
      }),
      /** Passphrase of privateKey, when it is encrypted. */
      password: secret()
        .optional()
        .meta({ description: "Passphrase of `privateKey`, when it is encrypted." }),
      /** The deploy key from Secrets Manager instead of privateKey (then none is generated). */
      fromSecretsManager: fromSecretsManager.optional().meta({
        description:
          "The deploy key from Secrets Manager instead of `privateKey` (then none is generated); not with `privateKey`.",
      }),
      /** Algorithm of a generated deploy key. */
      keyAlgorithm: z
        .enum(["ed25519", "ecdsa", "rsa"])
        .default(D.auth.keyAlgorithm)
        .meta({ description: "Algorithm of a generated deploy key." }),
      /** known_hosts lines for the Git host (`ssh-keyscan [-p PORT] host`). */
      knownHosts: z
        .string({
          error:
            "is required for SSH: add the output of `ssh-keyscan <git host>` (with -p PORT for a non-22 port)",
        })
        .meta({
          description:
            "known_hosts lines of the Git host, the output of `ssh-keyscan [-p PORT] <host>`; they must name the URL's host (`[host]:port` for a port other than 22).",
        }),
    }),
    z.strictObject({
      type: z.literal("https").meta({
        description: "`https`: user name and password or token, or a bearer token, in Secret `flux-system`.",
      }),
      username: z.string().optional().meta({ description: "User name for `password`." }),
      /** Password or personal access token. */
      password: secret().optional().meta({ description: "Password or personal access token." }),
      bearerToken: secret()
        .optional()
        .meta({ description: "Bearer token, instead of `username` and `password`." }),
      /** The password or token from Secrets Manager instead of password. */
      fromSecretsManager: fromSecretsManager.optional().meta({
        description: "The password or token from Secrets Manager instead of `password` (with `username`).",
      }),
      /** PEM CA bundle for a private Git server. */
      caCert: z.string().optional().meta({ description: "PEM CA bundle of a private Git server." }),
    }),
    z.strictObject({
      type: z
        .literal("githubApp")
        .meta({ description: "`githubApp`: a GitHub App installation, in Secret `flux-system`." }),
      appId: z.union([z.string(), z.number()]).transform(String).meta({ description: "GitHub App id." }),
      installationId: z
        .union([z.string(), z.number()])
        .transform(String)
        .optional()
        .meta({ description: "Installation id of the App; give this or `installationOwner`." }),
      installationOwner: z.string().optional().meta({
        description: "Owner (organization or user) of the installation; give this or `installationId`.",
      }),
      privateKey: secret().meta({ description: "Private key of the GitHub App (PEM)." }),
      /** GitHub Enterprise API base URL. */
      baseUrl: z
        .string()
        .optional()
        .meta({ description: "GitHub Enterprise API base URL. Default: github.com." }),
    }),
    z.strictObject({
      type: z
        .literal("none")
        .meta({ description: "`none`: no credentials (a public repository or registry)." }),
    }),
  ],
  { error: "type must be one of ssh, https, githubApp, none" },
);

const sync = z.strictObject({
  /** Path of the root Kustomization in the repository. @default ./clusters/<platform name> */
  path: z
    .string()
    .optional()
    .meta({ description: "Path of the root Kustomization in the repository. Default: `./clusters/<name>`." }),
  interval: duration()
    .default(D.sync.interval)
    .meta({ description: "How often the root Kustomization is reconciled, a Go duration." }),
  retryInterval: duration()
    .default(D.sync.retryInterval)
    .meta({ description: "How soon a failed reconciliation is retried, a Go duration." }),
  timeout: duration()
    .default(D.sync.timeout)
    .meta({ description: "Timeout of one reconciliation, a Go duration." }),
  prune: z
    .boolean()
    .default(D.sync.prune)
    .meta({ description: "Delete objects that were removed from the repository." }),
  wait: z
    .boolean()
    .default(D.sync.wait)
    .meta({ description: "Wait until every applied object is Ready before the Kustomization is." }),
  deletionPolicy: z
    .enum(["WaitForTermination", "MirrorPrune", "Delete", "Orphan"])
    .default(D.sync.deletionPolicy)
    .meta({
      description:
        "What `pulumi destroy` does to what the root applied: WaitForTermination deletes it and waits until it is gone (finalizers included) before the controllers are removed; Orphan leaves it running; MirrorPrune follows prune; Delete deletes without waiting.",
    }),
});

const extraSecret = z.strictObject({
  namespace: k8sNamespace().meta({ description: "Namespace of the Secret." }),
  name: k8sName().meta({ description: "Name of the Secret." }),
  type: z
    .string()
    .default(D.extraSecret.type)
    .meta({ description: "Kubernetes Secret type.", examples: ["kubernetes.io/tls"] }),
  labels: stringMap().default({}).meta({ description: "Labels of the Secret." }),
  data: z.record(z.string(), secret()).meta({ description: "The Secret's data by key." }),
  /** Create the namespace (skip for namespaces that already exist, such as kube-system). */
  createNamespace: z.boolean().default(D.extraSecret.createNamespace).meta({
    description: "Create the namespace; set `false` for namespaces that exist already, such as kube-system.",
  }),
});

export const fluxSchema = z.strictObject({
  /** Flux version (exact x.y.z). */
  version: z
    .string()
    .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, {
      error: "must be an exact Flux version such as 2.9.4 (not a range, not latest)",
    })
    .default(D.version)
    .meta({
      description:
        "Flux version, exact `x.y.z`; ranges and `latest` are rejected. The default is pinned in `components/flux/versions.json`.",
    }),
  install: install
    .default(() => install.parse({}))
    .meta({
      description: "How Flux itself is installed. Default: `manifests` mode, the default controllers.",
    }),
  source: source.meta({
    description: "The root source: the repository (Git) or artifact (OCI) Flux pulls the platform from.",
  }),
  auth: auth.default({ type: D.auth.type }).meta({
    description: "Credentials of the root source; `type` selects the kind, each with its own fields.",
  }),
  /** SOPS age key for decrypting secrets in the repository (Secret sops-age, key age.agekey). */
  sops: z
    .strictObject({
      provider: z.enum(["age", "awskms"]).default(D.sops.provider).meta({
        description:
          "age: an age key in the Secret sops-age; awskms: an AWS KMS key kustomize-controller uses through its workload identity (EKS only), no Secret.",
      }),
      ageKey: secret().optional().meta({
        description: "The age private key, `AGE-SECRET-KEY-1…`; give this or `fromSecretsManager`.",
      }),
      fromSecretsManager: fromSecretsManager
        .optional()
        .meta({ description: "The age key from Secrets Manager instead of `ageKey`." }),
      kmsKeyArn: z.string().optional().meta({
        description:
          "awskms: the KMS key ARN the fleet secrets are encrypted with, e.g. arn:aws:kms:eu-central-1:123456789012:key/… Default: a key the platform creates.",
      }),
      kmsExemption: z.string().min(1).optional().meta({
        description:
          'age: why this platform does not decrypt through KMS, e.g. "bare metal, no AWS workload identity"; annotated on the root Kustomization for the flux-sops-kms policy.',
      }),
    })
    .optional()
    .meta({
      description:
        "SOPS decryption of secrets in the repository: with `age` the key goes into Secret `sops-age` (key `age.agekey`) and the root Kustomization decrypts with it; with `awskms` kustomize-controller decrypts through its AWS identity and no Secret is made. Default: no decryption.",
    }),
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
  sync: sync.default(() => sync.parse({})).meta({ description: "The root Kustomization." }),
  /** Extra variables in cluster-vars. */
  vars: stringMap()
    .default({})
    .meta({
      description: `Extra variables in ConfigMap \`${CLUSTER_VARS_CONFIGMAP}\`; names are Flux variable names (\`${VARIABLE_NAME.source}\`) and may not reuse a key of the [cluster-vars contract](cluster-vars.md).`,
    }),
  /** Secret variables, in Secret cluster-secret-vars. */
  secretVars: z
    .record(z.string(), secret())
    .default({})
    .meta({
      description: `Secret variables, in Secret \`${CLUSTER_SECRET_VARS_SECRET}\`, substituted after \`${CLUSTER_VARS_CONFIGMAP}\`.`,
    }),
  extraSecrets: z.array(extraSecret).default([]).meta({
    description:
      "More early Secrets, created with their namespaces before Flux is installed (unless `createNamespace: false`).",
  }),
});

export type FluxConfig = z.infer<typeof fluxSchema>;

/** `flux.source` and `flux.auth`: the root source (Git or OCI), its ref, and its credentials. */
import { z } from "zod";
import { FLUX_DEFAULTS as D } from "../../components/flux";
import { FLUX_AWS_DEFAULTS } from "../../components/aws";
import { duration, secret } from "./common";

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

export const source = z.strictObject({
  kind: z
    .enum(["git", "oci"])
    .default(D.source.kind)
    .meta({ description: "Kind of the root source: a Git repository or an OCI artifact." }),
  /** Git: `ssh://git@host/org/repo.git` or `https://…`; OCI: `oci://registry/repo`. */
  url: z.string({ error: "is required: the repository Flux pulls the platform from" }).meta({
    description:
      "The fleet repository: Git `ssh://git@host/org/repo.git` or `https://…`, OCI `oci://registry/repo`. The scp form `git@host:repo` is rejected with the `ssh://` spelling to use; plain `http://` only to the loopback host. No credentials in it ([credentials](credentials.md)).",
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
  /** Git root: GitRepository objects following the root, each carrying only some directories. */
  subsets: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .meta({
      description:
        "Git root: more GitRepository objects in `flux-system`, by name, that follow the root source (its URL, ref, interval, credentials and verification) but carry only the listed directories (`spec.sparseCheckout`). A Kustomization whose `sourceRef` names one pulls that small artifact instead of the whole fleet repository: with hundreds of slice instances, `{ slice-catalog: [catalog/slices] }` and `gitops:new-slice --source slice-catalog` keep each instance's reconcile from unpacking every platform's files ([performance](performance.md#cluster-side-n-slice-instances-on-real-flux-controllers)). Default: none.",
      examples: [{ "slice-catalog": ["catalog/slices"] }],
    }),
  /** Cloud provider auth for the source (OCI: aws|azure|gcp; Git: azure|github). */
  provider: z.enum(["generic", "aws", "azure", "gcp", "github"]).optional().meta({
    description:
      "Cloud provider authentication of the source: OCI aws, azure or gcp; Git azure or github. Default: none.",
  }),
  charts: z
    .strictObject({
      url: z.string().meta({
        description:
          "OCI location the charts are published at, without tag: chart `<name>` is `<url>/<name>:<version>`, e.g. oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts. No credentials in it ([credentials](credentials.md)).",
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
  caCert: z
    .string()
    .optional()
    .meta({
      description:
        "OCI root: the CA certificates the root source alone trusts, PEM inline or the path of a PEM file in the project. The program puts them in Secret `flux-system-ca` (key `ca.crt`) and the root OCIRepository's `spec.certSecretRef`; they replace the system roots for that source, and work with every install mode (with `none` too). A Git root over https takes its CA in `flux.auth.caCert` ([flux](flux.md#private-certificate-authorities)).",
      examples: ["certs/registry-ca.pem"],
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
      keepImages: z
        .number()
        .int()
        .min(1)
        .max(1000, {
          error:
            "must be at most 1000: rollback goes a few releases back, and every kept artifact is billed storage",
        })
        .default(FLUX_AWS_DEFAULTS.keepImages)
        .meta({
          description: "ECR lifecycle: how many of the newest tagged artifacts are kept (rollback targets).",
        }),
      expireUntaggedDays: z
        .number()
        .int()
        .min(1)
        .max(365, {
          error: "must be at most 365 days: untagged artifacts are leftovers of pushes, not releases",
        })
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
export const fromSecretsManager = z.strictObject({
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

export const auth = z.discriminatedUnion(
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
      deployKey: z
        .strictObject({
          generation: z
            .number()
            .int({ error: "is a whole number (1, 2, …)" })
            .min(1, { error: "starts at 1" })
            .max(1_000_000, { error: "is at most 1000000" })
            .optional()
            .meta({
              description:
                "Generation of the generated key Flux uses (default 1). Raise it by one, after `prepareNext` and registering `deployPublicKeyNext` on the Git host, to switch keys with no outage; the old key is deleted.",
            }),
          prepareNext: z.boolean().optional().meta({
            description:
              "Also generate the next generation's key and export its public half as the stack output `deployPublicKeyNext`; Flux keeps using the current key until `generation` moves to it. Default false.",
          }),
        })
        .optional()
        .meta({
          description:
            "Rotation of the generated deploy key (docs/credentials.md): 1. `prepareNext: true`, `pulumi up`, register `deployPublicKeyNext` on the Git host; 2. `generation` + 1 and `prepareNext` removed, `pulumi up`; 3. remove the old key from the Git host.",
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
      baseUrl: z.string().optional().meta({
        description:
          "GitHub Enterprise API base URL, https://. Default: github.com. No credentials in it ([credentials](credentials.md)).",
      }),
    }),
    z.strictObject({
      type: z
        .literal("none")
        .meta({ description: "`none`: no credentials (a public repository or registry)." }),
    }),
  ],
  { error: "type must be one of ssh, https, githubApp, none" },
);

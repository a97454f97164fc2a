/** The root source Flux pulls the platform from, and its credentials. */
import type { SecretValue } from "../../secretValue";

/** Exactly one of these names the revision Flux follows. */
export interface SourceRef {
  tag?: string;
  semver?: string;
  branch?: string;
  commit?: string;
  /** A full ref such as refs/heads/main (Git). */
  name?: string;
  /** `sha256:…` (OCI). */
  digest?: string;
}

/** The root source: the repository (Git) or artifact (OCI) Flux pulls the platform from. */
export interface FluxSourceArgs {
  /** @default "git" */
  kind: "git" | "oci";
  /** Git: `ssh://…` or `https://…`; OCI: `oci://registry/repo`. */
  url: string;
  ref: SourceRef;
  /** Go duration. @default "1m" */
  interval: string;
  /** Go duration. @default "60s" */
  timeout: string;
  /** .gitignore-style paths left out of the artifact. @default none */
  ignore?: string;
  /** @default false */
  recurseSubmodules: boolean;
  /**
   * Git root: more GitRepository objects in flux-system, by name, that follow the root source (its
   * URL, ref, interval, credentials and verification) but carry only the listed directories
   * (`spec.sparseCheckout`). A Kustomization whose path is in one of them pulls a small artifact
   * instead of the whole fleet repository: at hundreds of slice instances, each reconcile unpacks the
   * catalog model, not every platform's files. @default none
   */
  subsets?: Record<string, string[]>;
  /**
   * Cloud provider auth (OCI: aws|azure|gcp; Git: aws|azure|github): the source controller
   * authenticates with its workload identity, and no auth Secret is used. With `aws` the URL must be
   * an ECR repository (`oci://<account>.dkr.ecr.<region>.amazonaws.com/<name>`) or a CodeCommit
   * repository (`https://git-codecommit.<region>.amazonaws.com/v1/repos/<name>`). @default none
   */
  provider?: "generic" | "aws" | "azure" | "gcp" | "github";
  /**
   * OCI roots: where the Helm charts the fleet artifact's HelmReleases install are published as OCI
   * artifacts (`npm run gitops:publish --charts-to`), pulled with the same provider as the root. The
   * fleet's HelmReleases read the location from cluster-vars (`FLUX_CHARTS_URL`,
   * `FLUX_CHARTS_PROVIDER`). @default none
   */
  charts?: FluxChartsArgs;
  /**
   * OCI root: PEM CA certificates this source alone trusts (Secret `flux-system-ca`, key `ca.crt`,
   * named by the OCIRepository's `spec.certSecretRef`); they replace the system roots for it. A Git
   * root over https takes its CA in `auth.caCert`. @default none
   */
  caCert?: string;
  /** Signature verification. @default none */
  verify?: {
    mode?: "HEAD" | "Tag" | "TagAndHEAD";
    provider?: "cosign" | "notation";
    /** Public keys by file name (`.asc` PGP, `.sshpub` SSH). */
    publicKeys: Record<string, string>;
  };
}

/** A `source.subsets` directory as `spec.sparseCheckout` lists it: no leading `./`, no trailing `/`. */
export function subsetDir(dir: string): string {
  return dir.replace(/^\.\//, "").replace(/\/+$/, "");
}

/** The OCI location of the fleet's Helm charts: chart `<name>` is the artifact `<url>/<name>:<version>`. */
export interface FluxChartsArgs {
  /** `oci://registry/path`, e.g. `oci://123456789012.dkr.ecr.eu-central-1.amazonaws.com/acme/de-dev/charts`. */
  url: string;
  /** The charts published there (with provider aws: one ECR repository each, `<path>/<name>`). */
  names: string[];
}

/** A Secrets Manager secret read at deploy time; its whole SecretString is the value. */
export interface SecretsManagerRef {
  /** Secret name or ARN. */
  secretId: string;
}

/**
 * Rotation of a generated deploy key without an outage: with `prepareNext` the key of generation
 * `generation + 1` is generated and its public half exported (`deployPublicKeyNext`) while Flux keeps
 * using the current one; once it is registered on the Git host, `generation` moves to it (the prepared
 * key is used as it is, not generated again) and the old key is deleted.
 */
export interface DeployKeyRotation {
  /** Generation of the key Flux uses (a whole number from 1). @default 1 */
  generation?: number;
  /** Also generate the next generation's key and export its public half. @default false */
  prepareNext?: boolean;
}

/** Pulumi resource name suffix of a generated deploy key: generation 1 keeps the original name. */
export function deployKeyResourceSuffix(generation: number): string {
  return generation === 1 ? "deploy-key" : `deploy-key-${generation}`;
}

/** Credentials of the root source. @default `{ type: "none" }` */
export type FluxAuthArgs =
  | {
      type: "ssh";
      /** Deploy key; when absent (and no fromSecretsManager) a key is generated. */
      privateKey?: SecretValue;
      password?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
      /** Algorithm of a generated key. @default "ed25519" */
      keyAlgorithm: "ed25519" | "ecdsa" | "rsa";
      /** known_hosts lines of the Git host. */
      knownHosts: string;
      /** Rotation of the generated deploy key (only when one is generated). @default generation 1 */
      deployKey?: DeployKeyRotation;
    }
  | {
      type: "https";
      username?: string;
      password?: SecretValue;
      bearerToken?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
      /** PEM CA bundle of a private Git server. */
      caCert?: string;
    }
  | {
      type: "githubApp";
      appId: string;
      installationId?: string;
      installationOwner?: string;
      privateKey: SecretValue;
      /** GitHub Enterprise API base URL. */
      baseUrl?: string;
    }
  | { type: "none" };

/**
 * Tenants whose source credential the stack creates: per tenant its first namespace and the
 * `<tenant>-auth` Secret there, before Flux reconciles the tenant from the fleet repository.
 */
import type { SecretValue } from "../../secretValue";
import type { SecretsManagerRef } from "./source";

/** The label `flux create tenant` puts on every object of a tenant (and the fleet repository's tenants/ carry). */
export const TENANT_LABEL = "toolkit.fluxcd.io/tenant";

/** Namespaces of the cluster and of Flux: never a tenant's (nor any `kube-*`). */
export const SYSTEM_NAMESPACES = ["flux-system", "default", "kube-system", "kube-public", "kube-node-lease"];

/** How a tenant's source authenticates; the credential is a `secure:` value or read from Secrets Manager. */
export type TenantCredentialArgs =
  | {
      /** A Git repository over SSH: Secret keys `identity`, `known_hosts` (and `password` for an encrypted key). */
      type: "ssh";
      /** The private key (OpenSSH or PEM); give this or fromSecretsManager. */
      identity?: SecretValue;
      /** The private key from Secrets Manager (its whole SecretString). */
      fromSecretsManager?: SecretsManagerRef;
      /** Passphrase of an encrypted key. @default none */
      password?: SecretValue;
      /** known_hosts lines of the vendor's Git host (`ssh-keyscan [-p PORT] host`). */
      knownHosts: string;
    }
  | {
      /** A Git repository over HTTPS: Secret keys `username`, `password` (a password or a token). */
      type: "https";
      username: string;
      /** Password or token; give this or fromSecretsManager. */
      password?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
    }
  | {
      /** An OCI registry (OCIRepository, Helm OCI HelmRepository): a `kubernetes.io/dockerconfigjson` Secret. */
      type: "oci";
      /** Registry host (and port), e.g. `registry.vendor.example`. */
      server: string;
      username: string;
      /** Password or token; give this or fromSecretsManager. */
      password?: SecretValue;
      fromSecretsManager?: SecretsManagerRef;
    };

/** One tenant of `flux.tenants`, defaults applied. */
export interface FluxTenantArgs {
  /** Tenant name: the `toolkit.fluxcd.io/tenant` label, its ServiceAccount and the Secret `<name>-auth`. */
  name: string;
  /** The tenant's first namespace, where its source and the Secret live. @default the tenant name */
  namespace: string;
  /** Create the namespace before Flux (Flux later applies the same Namespace from the fleet repository). @default true */
  createNamespace: boolean;
  credential: TenantCredentialArgs;
}

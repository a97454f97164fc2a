/**
 * The tenants' early objects (`flux.tenants`): per tenant its first Namespace and the Secret
 * `<tenant>-auth` there, holding the credential of the tenant's own source (the vendor's Git
 * repository or registry). Created before Flux is installed, so the tenant's source authenticates on
 * its first reconcile.
 *
 * The Namespace is also in the fleet repository (`tenants/<tenant>/`), applied by Flux. Both apply it
 * with server-side apply (the cluster provider sets `enableServerSideApply`) and with the same field
 * values: the program sets only `metadata.name` and the label `toolkit.fluxcd.io/tenant`, which the
 * tenant's Namespace in Git carries with the same value, so the two field managers share those fields
 * and never conflict; Flux adds its own labels beside them. The Namespace is `retainOnDelete`:
 * removing the tenant from the stack file (or destroying the stack) forgets it rather than deleting
 * a namespace Flux still reconciles into. The Secret is the program's alone (Flux never applies
 * `<tenant>-auth`); a credential change is an in-place update of its `stringData` (the providers'
 * `enableSecretMutable`, components/cluster/providerSettings.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { FluxTenantArgs, SecretsManagerRef } from "./args";
import { TENANT_LABEL } from "./args/tenants";
import type { SecretValue } from "../secretValue";
import { MANAGED_BY } from "./objects";
import { renderDockerConfigJson } from "./render";

/** The name of a tenant's source credential Secret, in its first namespace. */
export const tenantSecretName = (tenant: string) => `${tenant}-auth`;

/** A tenant's Namespace as the program applies it: the name and the tenant label, nothing else. */
export function renderTenantNamespace(tenant: Pick<FluxTenantArgs, "name" | "namespace">) {
  return { metadata: { name: tenant.namespace, labels: { [TENANT_LABEL]: tenant.name } } };
}

/**
 * A tenant's Secret `<tenant>-auth`: metadata, type and stringData. `credential` is the secret value
 * (the key, password or token), already resolved from the stack file or Secrets Manager; `wrap` turns
 * it into what goes into the Secret (`pulumi.secret` in the component, the plain value in tests).
 */
export function renderTenantSecret<S>(
  tenant: FluxTenantArgs,
  credential: S,
  material: {
    /** The passphrase of an encrypted SSH key. */
    secret: (v: SecretValue) => S;
    /** `.dockerconfigjson` from the password (for an `oci` credential). */
    dockerConfig: (server: string, username: string, password: S) => S;
  },
) {
  const c = tenant.credential;
  const metadata = {
    name: tenantSecretName(tenant.name),
    namespace: tenant.namespace,
    labels: { ...MANAGED_BY, [TENANT_LABEL]: tenant.name },
  };
  switch (c.type) {
    case "ssh":
      return {
        metadata,
        type: "Opaque",
        stringData: {
          identity: credential,
          known_hosts: c.knownHosts.trim() + "\n",
          ...(c.password ? { password: material.secret(c.password) } : {}),
        } as Record<string, S | string>,
      };
    case "https":
      return {
        metadata,
        type: "Opaque",
        stringData: { username: c.username, password: credential } as Record<string, S | string>,
      };
    case "oci":
      return {
        metadata,
        type: "kubernetes.io/dockerconfigjson",
        stringData: {
          ".dockerconfigjson": material.dockerConfig(c.server, c.username, credential),
        } as Record<string, S | string>,
      };
  }
}

export interface TenantObjectsArgs {
  tenants: FluxTenantArgs[];
  readSecret?: (ref: SecretsManagerRef) => pulumi.Output<string>;
  /** What the Namespaces wait for (the cluster being usable). */
  before: pulumi.Resource[];
}

/**
 * Each tenant's Namespace (unless `createNamespace: false`) and Secret, children of `parent`, named
 * `${name}-tenant-<tenant>` and `${name}-tenant-<tenant>-auth` (keyed by tenant, never by position).
 */
export function createTenantObjects(
  name: string,
  parent: pulumi.Resource,
  provider: k8s.Provider,
  args: TenantObjectsArgs,
): pulumi.Resource[] {
  const out: pulumi.Resource[] = [];
  for (const t of args.tenants) {
    const c = t.credential;
    let credential: pulumi.Output<string>;
    if (c.fromSecretsManager) {
      if (!args.readSecret)
        throw new Error(
          "FluxBootstrap: a tenant credential is in Secrets Manager but no readSecret was given",
        );
      credential = pulumi.secret(args.readSecret(c.fromSecretsManager));
    } else {
      const value = c.type === "ssh" ? c.identity : c.password;
      // fluxProblems guarantees exactly one of the value and fromSecretsManager.
      credential = pulumi.secret(value!.value);
    }
    const namespace = t.createNamespace
      ? new k8s.core.v1.Namespace(`${name}-tenant-${t.name}`, renderTenantNamespace(t), {
          parent,
          provider,
          dependsOn: args.before,
          retainOnDelete: true,
        })
      : undefined;
    if (namespace) out.push(namespace);
    const secret = renderTenantSecret(t, credential, {
      secret: (v) => pulumi.secret(v.value),
      dockerConfig: (server, username, password) =>
        pulumi.secret(password.apply((pw) => renderDockerConfigJson(server, username, pw))),
    });
    out.push(
      new k8s.core.v1.Secret(`${name}-tenant-${t.name}-auth`, secret, {
        parent,
        provider,
        dependsOn: namespace ? [namespace] : args.before,
      }),
    );
  }
  return out;
}

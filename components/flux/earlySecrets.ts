/**
 * Step 2 of the bootstrap: the early secrets and cluster-vars, everything Flux needs before it can
 * pull: Git credentials (a generated deploy key, config, or Secrets Manager), verification keys, the
 * SOPS key, the webhook Receiver's token, cluster-vars and cluster-secret-vars, the registry pull
 * secret, and the extra secrets of the config and of other components (with their namespaces).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as tls from "@pulumi/tls";
import { deployKeyResourceSuffix, type ResolvedFluxArgs, type SecretsManagerRef } from "./args";
import type { SecretValue } from "../secretValue";
import type { EarlySecret } from "../aws/earlySecret";
import { CLUSTER_SECRET_VARS_SECRET, CLUSTER_VARS_CONFIGMAP } from "./clusterVars";
import {
  adoptAnnotations,
  FLUX_NAMESPACE,
  GIT_AUTH_SECRET,
  MANAGED_BY,
  previousAgeKeyEntry,
  RECEIVER_KEY,
  RECEIVER_SECRET,
  SOPS_KEY,
  SOPS_SECRET,
  SOURCE_CA_SECRET,
  VERIFY_SECRET,
} from "./objects";
import { renderAuthData, renderDockerConfigJson } from "./render";
import { normalizeTrustedCAs, renderTrustedCAsConfigMap } from "./trustedCAs";

export interface EarlySecretsArgs {
  flux: ResolvedFluxArgs;
  clusterVars: Record<string, pulumi.Input<string>>;
  componentSecrets: EarlySecret[];
  readSecret?: (ref: SecretsManagerRef) => pulumi.Output<string>;
  /** The flux-system Namespace resource. */
  namespace: pulumi.Resource;
  /** What namespaces of extra secrets wait for (the cluster being usable). */
  before: pulumi.Resource[];
}

export interface EarlySecrets {
  /** Every early resource, in creation order; the install depends on all of them. */
  resources: pulumi.Resource[];
  /** Generated deploy key, when SSH auth has no configured key. */
  deployKey?: tls.PrivateKey;
  /** The next generation's key, generated ahead of a rotation (`auth.deployKey.prepareNext`); not used by Flux yet. */
  nextDeployKey?: tls.PrivateKey;
  /** Names the root source refers to, when created. */
  gitAuthSecret?: string;
  verifySecret?: string;
  /** The OCI root's CA Secret (`source.caCert`), when created. */
  caSecret?: string;
  /** Whether cluster-secret-vars exists (the root Kustomization substitutes from it). */
  secretVars: boolean;
}

const secretOf = (v: SecretValue) => pulumi.secret(v.value);
const mapValues = <A, B>(o: Record<string, A>, f: (a: A) => B): Record<string, B> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));

/** Create the early secrets as children of `parent` on `provider`, named `${name}-…`. */
export function createEarlySecrets(
  name: string,
  parent: pulumi.Resource,
  provider: k8s.Provider,
  args: EarlySecretsArgs,
): EarlySecrets {
  const { flux } = args;
  const opts = { parent, provider, dependsOn: [args.namespace] };
  const adopted = adoptAnnotations(flux);
  const meta = (n: string, extra: Record<string, string> = {}) => ({
    name: n,
    namespace: FLUX_NAMESPACE,
    labels: { ...MANAGED_BY, ...extra },
    ...(Object.keys(adopted).length ? { annotations: adopted } : {}),
  });
  const secret = (
    role: string,
    metadata: ReturnType<typeof meta>,
    stringData: Record<string, pulumi.Input<string>>,
    type?: string,
  ) => new k8s.core.v1.Secret(`${name}-${role}`, { metadata, ...(type ? { type } : {}), stringData }, opts);
  const fromSm = (ref: SecretsManagerRef) => {
    if (!args.readSecret)
      throw new Error("FluxBootstrap: fromSecretsManager is configured but no readSecret was given");
    return pulumi.secret(args.readSecret(ref));
  };
  const resources: pulumi.Resource[] = [];
  const out: EarlySecrets = { resources, secretVars: false };

  // Git credentials: a generated deploy key, or the configured key / token, or Secrets Manager.
  const auth = flux.auth;
  const smAuth = auth.type === "ssh" || auth.type === "https" ? auth.fromSecretsManager : undefined;
  if (auth.type === "ssh" && !auth.privateKey && !smAuth) {
    const algorithm = { ed25519: "ED25519", ecdsa: "ECDSA", rsa: "RSA" }[auth.keyAlgorithm];
    const generate = (generation: number) =>
      new tls.PrivateKey(
        `${name}-${deployKeyResourceSuffix(generation)}`,
        {
          algorithm,
          ...(algorithm === "ECDSA" ? { ecdsaCurve: "P384" } : {}),
          ...(algorithm === "RSA" ? { rsaBits: 4096 } : {}),
        },
        { parent },
      );
    const generation = auth.deployKey?.generation ?? 1;
    out.deployKey = generate(generation);
    if (auth.deployKey?.prepareNext) out.nextDeployKey = generate(generation + 1);
  }
  const authData = renderAuthData(auth, {
    identity: out.deployKey
      ? pulumi.secret(out.deployKey.privateKeyOpenssh)
      : smAuth && auth.type === "ssh"
        ? fromSm(smAuth)
        : undefined,
    identityPub: out.deployKey?.publicKeyOpenssh,
    secret: secretOf,
  });
  if (authData && smAuth && auth.type === "https") authData.password = fromSm(smAuth);
  if (authData) {
    resources.push(secret("git-auth", meta(GIT_AUTH_SECRET), authData));
    out.gitAuthSecret = GIT_AUTH_SECRET;
  }

  const verifyKeys = flux.source.verify?.publicKeys ?? {};
  if (Object.keys(verifyKeys).length) {
    resources.push(secret("verify-keys", meta(VERIFY_SECRET), verifyKeys));
    out.verifySecret = VERIFY_SECRET;
  }

  // Public data in a Secret, the only kind certSecretRef reads.
  if (flux.source.kind === "oci" && flux.source.caCert !== undefined) {
    resources.push(
      secret("source-ca", meta(SOURCE_CA_SECRET), { "ca.crt": normalizeTrustedCAs(flux.source.caCert) }),
    );
    out.caSecret = SOURCE_CA_SECRET;
  }

  // With awskms, kustomize-controller decrypts with its workload identity: no key in the cluster.
  if (flux.sops && flux.sops.provider === "age") {
    const key = flux.sops.ageKey ? secretOf(flux.sops.ageKey) : fromSm(flux.sops.fromSecretsManager!);
    const previous = (flux.sops.previousAgeKeys ?? []).map((k, i) => [previousAgeKeyEntry(i), secretOf(k)]);
    resources.push(
      secret("sops-age", meta(SOPS_SECRET), { [SOPS_KEY]: key, ...Object.fromEntries(previous) }),
    );
  }

  if (flux.receiver)
    resources.push(
      secret("receiver-token", meta(RECEIVER_SECRET), { [RECEIVER_KEY]: secretOf(flux.receiver.token) }),
    );

  const watch = { "reconcile.fluxcd.io/watch": "Enabled" };
  resources.push(
    new k8s.core.v1.ConfigMap(
      `${name}-cluster-vars`,
      { metadata: meta(CLUSTER_VARS_CONFIGMAP, watch), data: args.clusterVars },
      opts,
    ),
  );
  // Public data: the CAs the controllers trust besides the system roots (install.trustedCAs).
  if (flux.install.trustedCAs !== undefined && flux.install.mode !== "none") {
    const { metadata, data } = renderTrustedCAsConfigMap(flux.install.trustedCAs, adopted);
    resources.push(
      new k8s.core.v1.ConfigMap(
        `${name}-trusted-cas`,
        { metadata, data: data as Record<string, string> },
        opts,
      ),
    );
  }
  if (Object.keys(flux.secretVars).length) {
    resources.push(
      secret(
        "cluster-secret-vars",
        meta(CLUSTER_SECRET_VARS_SECRET, watch),
        mapValues(flux.secretVars, secretOf),
      ),
    );
    out.secretVars = true;
  }

  const pull = flux.install.imagePullSecret;
  if (pull?.server && pull.username && pull.password) {
    const { server, username } = pull;
    const config = pulumi
      .secret(pull.password.value)
      .apply((pw) => renderDockerConfigJson(server, username, pw));
    resources.push(
      secret("registry", meta(pull.name), { ".dockerconfigjson": config }, "kubernetes.io/dockerconfigjson"),
    );
  }

  resources.push(...createExtraSecrets(name, parent, provider, args));
  return out;
}

/**
 * The config's extra secrets and the components' secrets, as one list: a Namespace per namespace
 * that is not there yet (keyed by name), then each Secret after its namespace.
 */
function createExtraSecrets(
  name: string,
  parent: pulumi.Resource,
  provider: k8s.Provider,
  args: EarlySecretsArgs,
): pulumi.Resource[] {
  const specs = [
    ...args.flux.extraSecrets.map((s) => ({
      ...s,
      stringData: mapValues(s.data, secretOf) as Record<string, pulumi.Input<string>>,
    })),
    ...args.componentSecrets.map((s) => ({
      ...s,
      type: "Opaque",
      labels: {},
      createNamespace: true,
      stringData: mapValues(s.stringData, (v) => pulumi.secret(v)),
    })),
  ];
  const namespaces = new Map<string, pulumi.Resource>([[FLUX_NAMESPACE, args.namespace]]);
  for (const s of specs) {
    if (!s.createNamespace || namespaces.has(s.namespace)) continue;
    namespaces.set(
      s.namespace,
      new k8s.core.v1.Namespace(
        `${name}-ns-${s.namespace}`,
        { metadata: { name: s.namespace, labels: { ...MANAGED_BY } } },
        { parent, provider, dependsOn: args.before },
      ),
    );
  }
  return specs.map((s) => {
    const ns = namespaces.get(s.namespace);
    return new k8s.core.v1.Secret(
      `${name}-secret-${s.namespace}-${s.name}`,
      {
        metadata: { name: s.name, namespace: s.namespace, labels: { ...MANAGED_BY, ...s.labels } },
        type: s.type,
        stringData: s.stringData,
      },
      { parent, provider, dependsOn: ns ? [ns] : args.before },
    );
  });
}

/**
 * Pure renderers of the Flux objects and early-secret contents the bootstrap creates. No Pulumi
 * resources here: these are tested directly, validated against the Flux schemas, and used by the
 * FluxBootstrap component and the offline render alike.
 */
import type { ResolvedFluxArgs, FluxSourceArgs } from "./args";
import { subsetDir } from "./args";
import type { SecretValue } from "../secretValue";
import {
  API,
  FLUX_NAMESPACE,
  MANAGED_BY,
  PRIVILEGE_CHANGES_ANNOTATION,
  ROOT_NAME,
  SOPS_KMS_EXEMPTION_ANNOTATION,
  SOPS_SECRET,
  type K8sObject,
} from "./objects";
import { CLUSTER_SECRET_VARS_SECRET, CLUSTER_VARS_CONFIGMAP } from "./clusterVars";

/** The flux-system namespace with the labels `flux bootstrap` gives it. */
export function renderNamespace(privilegeChanges?: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: FLUX_NAMESPACE,
      ...(privilegeChanges !== undefined
        ? { annotations: { [PRIVILEGE_CHANGES_ANNOTATION]: privilegeChanges } }
        : {}),
      labels: {
        "app.kubernetes.io/part-of": "flux",
        "app.kubernetes.io/instance": FLUX_NAMESPACE,
        "pod-security.kubernetes.io/warn": "restricted",
        ...MANAGED_BY,
      },
    },
  };
}

/** Drop undefined fields so rendered specs hold exactly what was configured. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export interface SourceRefs {
  /** Secret with the credentials, when the source needs one. */
  secretName?: string;
  /** Secret with the verification public keys, when configured. */
  verifySecretName?: string;
  /** Secret with the CA certificates of an OCI root (`source.caCert`), when configured. */
  certSecretName?: string;
  /**
   * Provider the credentials need, over `source.provider`: `github` with a GitHub App Secret, which
   * source-controller reads only for a GitRepository with `provider: github`.
   */
  provider?: "github";
}

/** The root source: GitRepository or OCIRepository `flux-system`. */
export function renderRootSource(source: FluxSourceArgs, refs: SourceRefs): K8sObject {
  const metadata = { name: ROOT_NAME, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } };
  const provider =
    refs.provider ?? (source.provider && source.provider !== "generic" ? source.provider : undefined);
  const secretRef = refs.secretName ? { name: refs.secretName } : undefined;
  if (source.kind === "git") {
    const { tag, semver, branch, commit, name } = source.ref;
    return {
      apiVersion: API.source,
      kind: "GitRepository",
      metadata,
      spec: compact({
        url: source.url,
        ref: compact({ tag, semver, branch, commit, name }),
        interval: source.interval,
        timeout: source.timeout,
        secretRef,
        provider,
        ignore: source.ignore,
        recurseSubmodules: source.recurseSubmodules || undefined,
        verify: source.verify
          ? compact({
              mode: source.verify.mode ?? "HEAD",
              secretRef: refs.verifySecretName ? { name: refs.verifySecretName } : undefined,
            })
          : undefined,
      }),
    };
  }
  const { tag, semver, digest } = source.ref;
  return {
    apiVersion: API.source,
    kind: "OCIRepository",
    metadata,
    spec: compact({
      url: source.url,
      ref: compact({ tag, semver, digest }),
      interval: source.interval,
      timeout: source.timeout,
      secretRef,
      certSecretRef: refs.certSecretName ? { name: refs.certSecretName } : undefined,
      provider,
      ignore: source.ignore,
      verify: source.verify
        ? compact({
            provider: source.verify.provider ?? "cosign",
            secretRef: refs.verifySecretName ? { name: refs.verifySecretName } : undefined,
          })
        : undefined,
    }),
  };
}

/**
 * The root source's subsets (`source.subsets`): GitRepository `<name>` following the root's URL, ref,
 * credentials and verification, its artifact holding only the listed directories. Git roots only.
 */
export function renderSubsetSources(source: FluxSourceArgs, refs: SourceRefs): K8sObject[] {
  if (source.kind !== "git") return [];
  const root = renderRootSource(source, refs);
  return Object.entries(source.subsets ?? {}).map(([name, dirs]) => ({
    ...root,
    metadata: { ...root.metadata, name },
    spec: {
      ...(root.spec as Record<string, unknown>),
      sparseCheckout: dirs.map(subsetDir),
    },
  }));
}

export interface RootKustomizationArgs {
  sync: ResolvedFluxArgs["sync"];
  /** Repository path, e.g. `./clusters/de-prod`. */
  path: string;
  sourceKind: "GitRepository" | "OCIRepository";
  /** Decrypt SOPS-encrypted files. */
  sops: boolean;
  /**
   * `age`: with the keys in the `sops-age` Secret; `awskms`: with kustomize-controller's own AWS
   * identity, so no Secret is referenced. @default "age"
   */
  sopsProvider?: "age" | "awskms";
  /**
   * Service account the root Kustomization applies as; set under the multi-tenancy lockdown, where
   * an unset name would mean `--default-service-account`. @default unset (the controller's own)
   */
  serviceAccountName?: string;
  /** Why SOPS does not go through KMS; annotated on the Kustomization. @default none */
  sopsKmsExemption?: string;
  /** Also substitute from the `cluster-secret-vars` Secret. */
  secretVars: boolean;
}

/** The root Kustomization `flux-system`: the top of the Russian doll. */
export function renderRootKustomization(args: RootKustomizationArgs): K8sObject {
  const substituteFrom: { kind: "ConfigMap" | "Secret"; name: string }[] = [
    { kind: "ConfigMap", name: CLUSTER_VARS_CONFIGMAP },
  ];
  if (args.secretVars) substituteFrom.push({ kind: "Secret", name: CLUSTER_SECRET_VARS_SECRET });
  return {
    apiVersion: API.kustomize,
    kind: "Kustomization",
    metadata: {
      name: ROOT_NAME,
      namespace: FLUX_NAMESPACE,
      labels: { ...MANAGED_BY },
      ...(args.sopsKmsExemption
        ? { annotations: { [SOPS_KMS_EXEMPTION_ANNOTATION]: args.sopsKmsExemption } }
        : {}),
    },
    spec: compact({
      interval: args.sync.interval,
      retryInterval: args.sync.retryInterval,
      timeout: args.sync.timeout,
      path: args.path,
      prune: args.sync.prune,
      wait: args.sync.wait || undefined,
      deletionPolicy: args.sync.deletionPolicy,
      sourceRef: { kind: args.sourceKind, name: ROOT_NAME },
      serviceAccountName: args.serviceAccountName,
      decryption: args.sops
        ? args.sopsProvider === "awskms"
          ? { provider: "sops" }
          : { provider: "sops", secretRef: { name: SOPS_SECRET } }
        : undefined,
      postBuild: { substituteFrom },
    }),
  };
}

/** The root path for a platform unless configured: `./clusters/<platform>`. */
export function rootPath(platformName: string, configured?: string): string {
  return configured ?? `./clusters/${platformName}`;
}

/** A one-line description of the source reference, e.g. `tag v1.2.0` or `semver >=1.0.0 <2.0.0`. */
export function describeRef(ref: FluxSourceArgs["ref"]): string {
  // FluxBootstrap's checks guarantee exactly one field (fluxProblems).
  const [kind, value] = Object.entries(ref).find(([, v]) => v !== undefined)!;
  return `${kind} ${String(value)}`;
}

/**
 * Keys of the Git/OCI credentials Secret `flux-system` for the configured auth. Secret values are
 * passed through as given (the caller wraps them in `pulumi.secret`); returns undefined for `none`.
 */
export function renderAuthData<S>(
  auth: ResolvedFluxArgs["auth"],
  material: {
    /** Generated SSH key (when auth.privateKey is not configured). */
    identity?: S;
    /** Public half of the generated key. */
    identityPub?: S;
    /** How a configured secret value becomes a Secret value (`pulumi.secret` in the component). */
    secret: (v: SecretValue) => S;
  },
): Record<string, S | string> | undefined {
  switch (auth.type) {
    case "none":
      return undefined;
    case "ssh": {
      const identity = auth.privateKey ? material.secret(auth.privateKey) : material.identity;
      if (identity === undefined) throw new Error("renderAuthData: an SSH identity is required");
      return compact({
        identity,
        "identity.pub": material.identityPub,
        known_hosts: auth.knownHosts.trim() + "\n",
        password: auth.password ? material.secret(auth.password) : undefined,
      }) as Record<string, S | string>;
    }
    case "https":
      return compact({
        username: auth.username,
        password: auth.password ? material.secret(auth.password) : undefined,
        bearerToken: auth.bearerToken ? material.secret(auth.bearerToken) : undefined,
        "ca.crt": auth.caCert,
      }) as Record<string, S | string>;
    case "githubApp":
      return compact({
        githubAppID: auth.appId,
        githubAppInstallationID: auth.installationId,
        githubAppInstallationOwner: auth.installationOwner,
        githubAppPrivateKey: material.secret(auth.privateKey),
        githubAppBaseURL: auth.baseUrl,
      }) as Record<string, S | string>;
  }
}

/** `.dockerconfigjson` for an image pull secret. */
export function renderDockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}

/**
 * A `.sops.yaml` creation rule for the fleet repository: files under the platform's root path are
 * encrypted with its KMS key (only `data` and `stringData`, so the rest of a Secret stays readable in
 * review). `sops --encrypt --in-place <file>` in the repository then picks the key by path.
 */
export function renderSopsConfig(kmsKeyArn: string, rootPath: string): string {
  const dir = rootPath.replace(/^\.\//, "").replace(/\/$/, "");
  const pathRegex = `^${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/.*\\.ya?ml$`;
  return [
    "creation_rules:",
    `  - path_regex: ${pathRegex}`,
    "    encrypted_regex: ^(data|stringData)$",
    `    kms: ${kmsKeyArn}`,
    "",
  ].join("\n");
}

/** `flux.install`: how Flux itself is installed (manifests, operator or none), its patches and lockdown. */
import { z } from "zod";
import { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, FLUX_DEFAULTS as D } from "../../components/flux";
import { duration, k8sName, secret, stringMap, toleration } from "./common";
import { scaling } from "./fluxScaling";

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
        "Mirror of the release asset, https:// (http:// only to the loopback host); `{version}` is replaced by the Flux version. Default: the GitHub release. No credentials in it ([credentials](credentials.md)).",
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
  values: z.record(z.string(), z.unknown()).default({}).meta({
    description:
      "Extra Helm values of the operator chart; a credential in them is refused: reference a Secret ([credentials](credentials.md)).",
  }),
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

export const install = z.strictObject({
  /** `manifests`: upstream install manifests, transformed by the program; `operator`: Flux Operator + FluxInstance; `none`: Flux is already there. */
  mode: z.enum(["manifests", "operator", "none"]).default(D.install.mode).meta({
    description:
      "`manifests`: the upstream install manifests, transformed by the program; `operator`: the Flux Operator chart and a `FluxInstance`; `none`: Flux is already installed.",
  }),
  /** Container registry the controller images come from. */
  registry: z.string().default(D.install.registry).meta({
    description:
      "Container registry the controller images come from, e.g. an internal mirror: `host[:port]/path`, no scheme. No credentials in it ([credentials](credentials.md)).",
  }),
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
  scaling: scaling.optional(),
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
  patches: z.array(installPatch).default([]).meta({
    description:
      "Patches of the install objects (mode `manifests`); a credential in them is refused: reference a Secret ([credentials](credentials.md)).",
  }),
  trustedCAs: z
    .string()
    .optional()
    .meta({
      description:
        "Private CAs every controller trusts besides the system roots (a corporate root signing your registry, Git forge or chart host): PEM certificates inline, or the path of a PEM file in the project. The program stores them in the ConfigMap `flux-trusted-cas` and mounts it into every controller with `SSL_CERT_DIR` (modes manifests and operator); a new bundle restarts the controllers. Certificates only: a private key, a block that does not parse or an expired certificate is refused ([flux](flux.md#private-certificate-authorities)).",
      examples: ["certs/corp-root-ca.pem"],
    }),
  allowPrivilegeChanges: z
    .string()
    .optional()
    .meta({
      description:
        "Why `patches` may give Flux more rights than its upstream install (wider RBAC, host namespaces, privileged or root containers, privilege escalation, added capabilities, host paths, another service account); without it such a patch is refused. Recorded as the annotation `platform/flux-privilege-changes` on the flux-system Namespace; the `flux-install-privileges` policy refuses it in prod.",
      examples: ["vendor CNI plugin needs hostNetwork on source-controller, ticket SEC-123"],
    }),
  retainOnDelete: z.boolean().default(D.install.retainOnDelete).meta({
    description:
      "Leave the install on the cluster when the program stops managing it (a change of `mode`, or a destroy): Pulumi forgets the install objects, or the operator's release and FluxInstance, instead of deleting them. Set it and run `pulumi up` before moving between install modes or handing Flux to another tool ([lifetime](lifetime.md)).",
  }),
  manifests: manifests
    .default({ ...D.install.manifests })
    .meta({ description: "Settings of `mode: manifests`." }),
  operator: operator.default(() => operator.parse({})).meta({ description: "Settings of `mode: operator`." }),
  lockdown: lockdown.optional().meta({
    description:
      "Multi-tenancy lockdown of the controllers, as with `flux bootstrap` (give {} for all three flags); the root Kustomization then runs as kustomize-controller. Not with mode none.",
  }),
});

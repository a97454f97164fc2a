import { z } from "zod";
import {
  CLUSTER_SECRET_VARS_SECRET,
  CLUSTER_VARS_CONFIGMAP,
  FLUX_DEFAULTS as D,
} from "../../components/flux";
import { k8sName, k8sNamespace, secret, stringMap, VARIABLE_NAME } from "./common";

// Defaults and the controller lists are FluxBootstrap's (components/flux/args/); cross-field rules
// are its fluxProblems, reported under `flux.` by stacks/args/flux.ts.

import { install } from "./fluxInstall";
import { auth, source } from "./fluxSource";
import { sync } from "./fluxSync";
import { sops } from "./fluxSops";
import { tenants } from "./fluxTenants";

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
  sops,
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
      description: `Extra variables in ConfigMap \`${CLUSTER_VARS_CONFIGMAP}\`; names are Flux variable names (\`${VARIABLE_NAME.source}\`) and may not reuse a key of the [cluster-vars contract](cluster-vars.md). A value that looks like a credential is refused: it belongs in \`secretVars\` ([credentials](credentials.md)).`,
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
  adopt: z
    .union([z.boolean(), z.enum(["flux-cli", "manifests"])])
    .default(D.adopt)
    .meta({
      description:
        "Take over a Flux already on the cluster, with nothing re-created or pruned: the program's objects replace theirs in place and are marked so kustomize-controller neither applies nor prunes them from the repository's `flux-system` folder, which you then delete ([lifetime](lifetime.md#adopting-a-cluster-that-already-runs-flux)). `true` or `flux-cli`: installed by `flux bootstrap`, `flux install` or Terraform's `flux_bootstrap_git` (their cluster-wide RBAC and ResourceQuota names end in `-flux-system`); `manifests`: Flux's release `install.yaml` as it is, applied by hand or by this program before `install.mode` moved away ([moving between install modes](lifetime.md#moving-between-install-modes)). Manifests mode (or none) only.",
    }),
  tenants,
  receiver: z
    .strictObject({
      token: secret().meta({
        description:
          "The webhook token, at least 32 characters (`openssl rand -hex 32`): GitHub's webhook secret, GitLab's secret token.",
      }),
    })
    .optional()
    .meta({
      description:
        "The token of the fleet template's webhook Receiver (`notifications/base/receiver.yaml`), created as the early Secret `fleet-receiver-token` (key `token`): the Git host's push hook makes Flux pull the root at once instead of at its interval ([gitops](gitops.md#push-webhook)). Default: no Secret.",
    }),
});

export type FluxConfig = z.infer<typeof fluxSchema>;

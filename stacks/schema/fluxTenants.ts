/** `flux.tenants`: vendors as Flux tenants, with the credential of their own source from the stack. */
import { z } from "zod";
import { FLUX_DEFAULTS as D } from "../../components/flux";
import { k8sNamespace, secret } from "./common";
import { fromSecretsManager } from "./fluxSource";

const fromSm = fromSecretsManager.optional().meta({
  description:
    "The secret value from Secrets Manager instead of the `secure:` value (its whole `SecretString`), read at deploy time with the platform's AWS provider.",
});

const credential = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("ssh").meta({
        description:
          "`ssh`: a Git repository over SSH; Secret keys `identity`, `known_hosts` (and `password`).",
      }),
      identity: secret().optional().meta({
        description:
          "The vendor repository's deploy key (OpenSSH or PEM private key); give this or `fromSecretsManager`.",
      }),
      fromSecretsManager: fromSm,
      password: secret().optional().meta({ description: "Passphrase of `identity`, when it is encrypted." }),
      knownHosts: z
        .string({
          error: "is required for ssh: add the output of `ssh-keyscan [-p PORT] <vendor's git host>`",
        })
        .meta({
          description:
            "known_hosts lines of the vendor's Git host, the output of `ssh-keyscan [-p PORT] <host>`.",
        }),
    }),
    z.strictObject({
      type: z.literal("https").meta({
        description: "`https`: a Git repository over HTTPS; Secret keys `username`, `password`.",
      }),
      username: z
        .string({ error: "is required for https (for a token, any non-empty name such as git)" })
        .meta({ description: "User name (for a token, any non-empty name such as `git`)." }),
      password: secret().optional().meta({
        description: "Password or token; give this or `fromSecretsManager`.",
      }),
      fromSecretsManager: fromSm,
    }),
    z.strictObject({
      type: z.literal("oci").meta({
        description:
          "`oci`: an OCI registry (OCIRepository, Helm OCI repository); a `kubernetes.io/dockerconfigjson` Secret.",
      }),
      server: z
        .string({ error: "is required for oci: the registry host, e.g. registry.vendor.example" })
        .meta({ description: "Registry host (and port), no scheme.", examples: ["registry.vendor.example"] }),
      username: z
        .string({ error: "is required for oci: the registry user name" })
        .meta({ description: "Registry user name." }),
      password: secret().optional().meta({
        description: "Password or token; give this or `fromSecretsManager`.",
      }),
      fromSecretsManager: fromSm,
    }),
  ],
  { error: "type must be one of ssh, https, oci" },
);

const tenant = z.strictObject({
  name: k8sNamespace().meta({
    description:
      "Tenant name, as in `tenants/<name>/` of the fleet repository: the label `toolkit.fluxcd.io/tenant`, its ServiceAccount, and the Secret `<name>-auth`.",
    examples: ["acme"],
  }),
  namespace: k8sNamespace().optional().meta({
    description:
      "The tenant's first namespace, where its source, reconcilers and the Secret `<name>-auth` live. Default: the tenant name.",
  }),
  createNamespace: z.boolean().default(D.tenant.createNamespace).meta({
    description:
      "Create the namespace before Flux (with the tenant label only; Flux later applies the same Namespace from `tenants/<name>/` without conflict). Set `false` when it exists already.",
  }),
  credential: credential.meta({
    description:
      "The credential of the tenant's own source; `type` selects the kind, each with its own fields.",
  }),
});

export const tenants = z.array(tenant).default([]).meta({
  description:
    "Vendors as Flux tenants ([tenant credentials](tenants.md#credentials-from-the-stack-file)): per tenant the program creates its first namespace and the Secret `<name>-auth` there, with the credential of the tenant's own Git repository or registry, before Flux is installed. Changing the credential updates the Secret in place.",
});

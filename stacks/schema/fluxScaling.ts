/** `flux.install.scaling`: controller concurrency and shards, for platforms with many slices. */
import { z } from "zod";
import { MAX_CONCURRENCY, MAX_SHARD_NAME, SHARD_KEY } from "../../components/flux";

const concurrent = (controller: string, fluxDefault: number) =>
  z
    .number()
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(MAX_CONCURRENCY, { error: `must be at most ${MAX_CONCURRENCY}` })
    .optional()
    .meta({
      description: `${controller} \`--concurrent\`: how many objects it reconciles at once. Default: Flux's own, ${fluxDefault}.`,
      examples: [10],
    });

const concurrency = z.strictObject({
  kustomize: concurrent("kustomize-controller", 4),
  helm: concurrent("helm-controller", 4),
  source: concurrent("source-controller", 2),
});

const shardName = z
  .string()
  .max(MAX_SHARD_NAME, { error: `must be at most ${MAX_SHARD_NAME} characters` })
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    error:
      "must be lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. shard1",
  });

export const scaling = z
  .strictObject({
    concurrency: concurrency.optional().meta({
      description:
        "Reconciliations each controller runs at once (`--concurrent`); with mode operator, not together with `operator.size`. See [Flux at scale](flux.md#flux-at-scale).",
    }),
    shards: z
      .array(shardName)
      .default([])
      .superRefine((shards, ctx) => {
        shards.forEach((s, i) => {
          if (shards.indexOf(s) !== i)
            ctx.addIssue({ code: "custom", path: [i], message: `"${s}" is listed more than once` });
        });
      })
      .meta({
        description: `Shards of Flux's sharding: mode manifests runs a kustomize-controller and a helm-controller per shard (Deployments \`<controller>-<shard>\`) that reconcile only the Kustomizations and HelmReleases labelled \`${SHARD_KEY}: <shard>\` (\`gitops:new-slice --shard\`), while the main controllers get \`--watch-label-selector=!${SHARD_KEY}\`; mode operator sets the FluxInstance's \`spec.sharding\` (the operator shards source-controller too).`,
        examples: [["shard1", "shard2"]],
      }),
    inMemoryBuilds: z.boolean().default(false).meta({
      description:
        "kustomize-controller (and each shard's) unpacks and builds in memory: its `/tmp` volume an emptyDir with `medium: Memory`, as Flux's vertical-scaling guide recommends. Every reconcile unpacks the source's whole artifact; on disk that is most of the controller's CPU once the repository holds hundreds of Kustomizations. What it holds counts against the controller's memory limit. Default: false.",
    }),
  })
  .meta({
    description:
      "Flux at scale: controller concurrency, shards and in-memory builds ([Flux at scale](flux.md#flux-at-scale)). Not with mode none.",
  });

/** `flux.sync`: the root Kustomization. */
import { z } from "zod";
import { FLUX_DEFAULTS as D } from "../../components/flux";
import { duration } from "./common";

export const sync = z.strictObject({
  /** Path of the root Kustomization in the repository. @default ./clusters/<platform name> */
  path: z
    .string()
    .optional()
    .meta({ description: "Path of the root Kustomization in the repository. Default: `./clusters/<name>`." }),
  interval: duration()
    .default(D.sync.interval)
    .meta({ description: "How often the root Kustomization is reconciled, a Go duration." }),
  retryInterval: duration()
    .default(D.sync.retryInterval)
    .meta({ description: "How soon a failed reconciliation is retried, a Go duration." }),
  timeout: duration()
    .default(D.sync.timeout)
    .meta({ description: "Timeout of one reconciliation, a Go duration." }),
  prune: z
    .boolean()
    .default(D.sync.prune)
    .meta({ description: "Delete objects that were removed from the repository." }),
  wait: z
    .boolean()
    .default(D.sync.wait)
    .meta({ description: "Wait until every applied object is Ready before the Kustomization is." }),
  deletionPolicy: z
    .enum(["WaitForTermination", "MirrorPrune", "Delete", "Orphan"])
    .default(D.sync.deletionPolicy)
    .meta({
      description:
        "What `pulumi destroy` does to what the root applied: WaitForTermination deletes it and waits until it is gone (finalizers included) before the controllers are removed; Orphan leaves it running; MirrorPrune follows prune; Delete deletes without waiting.",
    }),
});

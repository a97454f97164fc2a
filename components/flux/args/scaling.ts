/**
 * Flux at scale: how many objects each controller reconciles at once (`--concurrent`) and the
 * shards that split the Kustomizations and HelmReleases between several controller instances
 * (Flux's `sharding.fluxcd.io/key` label).
 */

/** `--concurrent` of the controllers that take it; unset: Flux's own default. */
export interface FluxConcurrencyArgs {
  /** kustomize-controller `--concurrent` (Flux's default 4). */
  kustomize?: number;
  /** helm-controller `--concurrent` (Flux's default 4). */
  helm?: number;
  /** source-controller `--concurrent` (Flux's default 2). */
  source?: number;
}

/** `flux.install.scaling`. */
export interface FluxScalingArgs {
  /** Reconciliations each controller runs at once. @default Flux's own */
  concurrency?: FluxConcurrencyArgs;
  /**
   * Shard names: each runs its own kustomize-controller and helm-controller
   * (`<controller>-<shard>`) that reconcile only the objects labelled
   * `sharding.fluxcd.io/key: <shard>`; the main controllers reconcile the objects without that
   * label. @default [] (no shards)
   */
  shards?: string[];
  /**
   * kustomize-controller (and each shard's) builds in memory: its `/tmp` volume (`temp`) an
   * emptyDir with `medium: Memory`, as Flux's vertical-scaling guide recommends. Each reconcile
   * unpacks the source's whole artifact there; on disk that is most of the controller's CPU once a
   * repository holds hundreds of Kustomizations. What it holds counts against the controller's
   * memory limit. @default false
   */
  inMemoryBuilds?: boolean;
}

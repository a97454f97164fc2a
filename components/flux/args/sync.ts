/** The root Kustomization's settings. */

/** The root Kustomization. */
export interface FluxSyncArgs {
  /** Path in the repository. @default `./clusters/<platform name>` */
  path?: string;
  /** @default "10m" */
  interval: string;
  /** @default "2m" */
  retryInterval: string;
  /** @default "5m" */
  timeout: string;
  /** @default true */
  prune: boolean;
  /** @default false */
  wait: boolean;
  /**
   * What deleting the root Kustomization (on `pulumi destroy`) does to what it applied.
   * `WaitForTermination` deletes it and waits until it is gone, so the controllers (deleted after
   * the root) outlive every finalizer; `Orphan` leaves it running; `MirrorPrune` follows `prune`;
   * `Delete` deletes without waiting. @default "WaitForTermination"
   */
  deletionPolicy: "WaitForTermination" | "MirrorPrune" | "Delete" | "Orphan";
}

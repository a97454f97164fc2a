import type * as pulumi from "@pulumi/pulumi";

/** A Kubernetes Secret another component needs created with the early secrets (before Flux). */
export interface EarlySecret {
  namespace: string;
  name: string;
  /** Values; secret ones are wrapped in `pulumi.secret`. */
  stringData: Record<string, pulumi.Input<string>>;
}

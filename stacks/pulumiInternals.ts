import * as pulumi from "@pulumi/pulumi";

/**
 * Runtime functions @pulumi/pulumi exports but leaves out of its typings. Kept in one place so an
 * SDK upgrade that removes one fails loudly here, not somewhere subtle.
 */
interface Internals {
  /** Whether a config key (`project:key`) holds a secret. */
  isConfigSecret(key: string): boolean;
  /** Resolves once every outstanding resource registration has been answered. */
  waitForRPCs(): Promise<void>;
}

function internal<K extends keyof Internals>(name: K): Internals[K] {
  const fn = (pulumi.runtime as unknown as Partial<Internals>)[name];
  if (typeof fn !== "function")
    throw new Error(`@pulumi/pulumi no longer exports runtime.${name}; update stacks/pulumiInternals.ts`);
  return fn as Internals[K];
}

export const isConfigSecret = (key: string): boolean => internal("isConfigSecret")(key);
export const waitForRPCs = (): Promise<void> => internal("waitForRPCs")();
